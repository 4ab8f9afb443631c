package dev.zx4j.sim.x86;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * One SSE/MMX differential case: a snippet and the whole user state it starts from, laid out
 * identically on the host CPU (native/sse/sse-oracle.c) and on the software VCPU: code at
 * {@link #CODE_ADDR}, 256 bytes of data at {@link #DATA_ADDR}, the x87/MMX/SSE state as an
 * FXSAVE image. {@link Result} is what either side ends with.
 */
final class SseCase {
    static final long CODE_ADDR = 0x10000000L;
    static final long DATA_ADDR = 0x10010000L;
    static final int MAX_CODE = 200;
    static final int MEM_SIZE = 1024;
    static final int IN_SIZE = 8 + MAX_CODE + 17 * 8 + 512 + MEM_SIZE;
    static final int OUT_SIZE = 16 + 17 * 8 + 512 + MEM_SIZE;

    final String text;
    final byte[] code;
    final long[] gpr;
    final long rflags;
    final byte[] fx;
    final byte[] mem;
    /**
     * Data bytes 0..63 not compared (bit i = byte i): for FXSAVE/XSAVE images the FOP, FIP,
     * FCS, FDP, FDS fields (which AMD CPUs store only while an x87 exception is pending) and
     * MXCSR_MASK (the host's own; this VCPU reports 0xFFFF).
     */
    long ignore;

    SseCase(String text, byte[] code, long[] gpr, long rflags, byte[] fx, byte[] mem) {
        this.text = text;
        this.code = code;
        this.gpr = gpr;
        this.rflags = rflags & 0xCD5;
        this.fx = fx;
        this.mem = mem;
    }

    void writeTo(ByteBuffer b) {
        b.put(new byte[] {'S', 'S', 'E', 'C'});
        b.putInt(code.length);
        byte[] c = new byte[MAX_CODE];
        System.arraycopy(code, 0, c, 0, code.length);
        b.put(c);
        for (long g : gpr) {
            b.putLong(g);
        }
        b.putLong(rflags);
        b.put(fx);
        b.put(mem);
    }

    /** The end state of one side. trap = -1: ran to the end; else the exception vector. */
    static final class Result {
        final int trap;
        final long[] gpr;
        final long rflags;
        final byte[] fx;
        final byte[] mem;
        final String note;

        Result(int trap, long[] gpr, long rflags, byte[] fx, byte[] mem, String note) {
            this.trap = trap;
            this.gpr = gpr;
            this.rflags = rflags;
            this.fx = fx;
            this.mem = mem;
            this.note = note;
        }

        static Result read(ByteBuffer b) {
            byte[] magic = new byte[4];
            b.get(magic);
            if (magic[0] != 'S' || magic[3] != 'R') {
                throw new IllegalStateException("bad oracle output");
            }
            int trap = b.getInt();
            b.getLong();
            long[] g = new long[16];
            for (int k = 0; k < 16; k++) {
                g[k] = b.getLong();
            }
            long fl = b.getLong();
            byte[] fx = new byte[512];
            b.get(fx);
            byte[] mem = new byte[MEM_SIZE];
            b.get(mem);
            return new Result(trap, g, fl, fx, mem, null);
        }
    }

    static ByteBuffer le(byte[] a) {
        return ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The differences between two results, "" when equal. Compared: the trap vector, GPRs but
     * RSP, the arithmetic flags, FCW, FSW, the abridged tag, MXCSR, ST0–7 (80 bits each),
     * XMM0–15 and the data bytes.
     */
    static String diff(Result hw, Result sw) {
        return diff(hw, sw, 0);
    }

    static String diff(Result hw, Result sw, long ignore) {
        StringBuilder d = new StringBuilder();
        if (hw.trap != sw.trap) {
            d.append(" trap: hardware ").append(hw.trap).append(", software ").append(sw.trap)
                    .append(sw.note != null ? " (" + sw.note + ")" : "").append('\n');
            return d.toString();
        }
        String[] names = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9",
            "r10", "r11", "r12", "r13", "r14", "r15"};
        for (int k = 0; k < 16; k++) {
            if (k != 4 && hw.gpr[k] != sw.gpr[k]) {
                d.append(String.format(" %s: hardware %016x, software %016x%n", names[k], hw.gpr[k], sw.gpr[k]));
            }
        }
        if ((hw.rflags & 0x8D5) != (sw.rflags & 0x8D5)) {
            d.append(String.format(" rflags: hardware %x, software %x%n", hw.rflags & 0x8D5, sw.rflags & 0x8D5));
        }
        ByteBuffer h = le(hw.fx);
        ByteBuffer s = le(sw.fx);
        field(d, "fcw", h.getShort(0) & 0xFFFF, s.getShort(0) & 0xFFFF);
        field(d, "fsw", h.getShort(2) & 0xFFFF, s.getShort(2) & 0xFFFF);
        field(d, "ftw", h.get(4) & 0xFF, s.get(4) & 0xFF);
        field(d, "mxcsr", h.getInt(24), s.getInt(24));
        for (int k = 0; k < 8; k++) {
            long hm = h.getLong(32 + 16 * k);
            long sm = s.getLong(32 + 16 * k);
            int he = h.getShort(40 + 16 * k) & 0xFFFF;
            int se = s.getShort(40 + 16 * k) & 0xFFFF;
            if (hm != sm || he != se) {
                d.append(String.format(" st%d: hardware %04x:%016x, software %04x:%016x%n", k, he, hm, se, sm));
            }
        }
        for (int k = 0; k < 16; k++) {
            long hl = h.getLong(160 + 16 * k);
            long hh = h.getLong(168 + 16 * k);
            long sl = s.getLong(160 + 16 * k);
            long sh = s.getLong(168 + 16 * k);
            if (hl != sl || hh != sh) {
                d.append(String.format(" xmm%d: hardware %016x_%016x, software %016x_%016x%n", k, hh, hl, sh, sl));
            }
        }
        for (int k = 0; k < MEM_SIZE; k++) {
            if (hw.mem[k] != sw.mem[k] && (k >= 64 || (ignore >>> k & 1) == 0)) {
                d.append(String.format(" mem[%d]: hardware %02x, software %02x%n", k, hw.mem[k] & 0xFF, sw.mem[k] & 0xFF));
            }
        }
        return d.toString();
    }

    private static void field(StringBuilder d, String n, int h, int s) {
        if (h != s) {
            d.append(String.format(" %s: hardware %x, software %x%n", n, h, s));
        }
    }

    /** A reproducer: the instruction, its bytes and the inputs that matter. */
    String describe() {
        StringBuilder sb = new StringBuilder();
        ByteBuffer f = le(fx);
        sb.append("  ").append(text).append("   bytes ").append(HexFormat.of().formatHex(code)).append('\n');
        sb.append(String.format("  mxcsr %08x  fcw %04x fsw %04x ftw %02x  rflags %x%n", f.getInt(24),
                f.getShort(0) & 0xFFFF, f.getShort(2) & 0xFFFF, f.get(4) & 0xFF, rflags));
        for (int k = 0; k < 16; k++) {
            sb.append(String.format("  xmm%-2d %016x_%016x   gpr%-2d %016x%n", k, f.getLong(168 + 16 * k),
                    f.getLong(160 + 16 * k), k, gpr[k]));
        }
        for (int k = 0; k < 8; k++) {
            sb.append(String.format("  st%d %04x:%016x", k, f.getShort(40 + 16 * k) & 0xFFFF, f.getLong(32 + 16 * k)));
            sb.append(k % 4 == 3 ? "\n" : "");
        }
        sb.append("  mem ").append(HexFormat.of().formatHex(mem)).append('\n');
        return sb.toString();
    }
}
