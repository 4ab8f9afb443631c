package dev.zx4j.sim.x86;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random SSE/MMX cases, one instruction each, for every form in {@link SseDecode}'s table (but
 * RCPPS/RSQRTPS and the 0F AE group, tested separately): random registers, a memory operand
 * ([R15 + disp8] into the case's data, usually aligned, sometimes not), random immediates,
 * random MXCSR (rounding, DAZ, FTZ, mostly masked exceptions, random sticky flags) and
 * edge-heavy operand values: ±0, denormals, ±∞, quiet and signalling NaNs with payloads, the
 * extremes, values near rounding and conversion boundaries, integer edge values.
 */
final class SseCaseGenerator {
    static final long BASE = SseCase.DATA_ADDR + 64;
    /** Bytes of a saved image not compared: FOP..FDS (6–23) and MXCSR_MASK (28–31). */
    static final long SAVE_IGNORE = 0xFFFFC0L | 0xF0000000L;
    private static final int[] GPRS = {0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};

    /**
     * RCPPS/RSQRTPS are the approximations of the AMD CPU the VCPU's tables were measured on
     * (SseApprox); on another vendor's host the differential test leaves them out (the golden
     * vectors still check them).
     */
    static final boolean HOST_AMD = hostVendorIsAmd();

    private static boolean hostVendorIsAmd() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/cpuinfo")).contains("AuthenticAMD");
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    final List<Integer> keys = new ArrayList<>();
    private final Random r;
    /**
     * Golden-vector mode: only the registers an instruction can read keep random values
     * (XMM0, RAX, RCX, RDX, RDI, R15, its ModRM operands, the MMX registers of MMX forms); the
     * others are zero, so the recorded cases stay small.
     */
    boolean sparse;

    SseCaseGenerator(long seed) {
        r = new Random(seed);
        for (int key = 0; key < 4 << 10; key++) {
            int info = SseDecode.info(key);
            int map = (key >> 8) & 3;
            int op = key & 0xFF;
            if (info == 0 || (map == 0 && op == 0xAE)
                    || (map == 0 && (op == 0x52 || op == 0x53) && !HOST_AMD)) {
                continue;
            }
            keys.add(key);
        }
    }

    // ---- values --------------------------------------------------------------------------

    long f32() {
        int s = r.nextBoolean() ? 0x80000000 : 0;
        int frac = r.nextInt(1 << 23);
        switch (r.nextInt(16)) {
            case 0: return s;                                       // ±0
            case 1: return s | (r.nextInt(4) == 0 ? 1 : frac);      // denormal
            case 2: return s | 0x7F800000;                          // ±inf
            case 3: return s | 0x7FC00000 | (r.nextBoolean() ? 0 : frac & 0x3FFFFF); // qNaN
            case 4: return s | 0x7F800000 | Math.max(1, frac & 0x3FFFFF);             // sNaN
            case 5: return s | 0x7F7FFFFF;                          // max
            case 6: return s | 0x00800000 | (r.nextBoolean() ? 0 : r.nextInt(4));    // min normal
            case 7: return Float.floatToRawIntBits((float) (r.nextInt(2000) - 1000) + (r.nextInt(5) - 2) * 0.25f) & 0xFFFFFFFFL;
            case 8: { // near int32 range and 2^k boundaries
                float[] v = {2147483648f, -2147483648f, 2147483520f, -2147483904f, 9.223372e18f, 16777216f, 0.5f, 1.5f, 2.5f, -0.5f};
                return Float.floatToRawIntBits(v[r.nextInt(v.length)]) & 0xFFFFFFFFL;
            }
            case 9: return s | ((long) (r.nextInt(6) + 1) << 23 | frac); // tiny normals
            case 10: return s | ((long) (0xFE - r.nextInt(4)) << 23 | frac); // huge
            case 11: return s | (0x3F800000L + r.nextInt(3) - 1);          // around 1
            default: return (long) r.nextInt() & 0xFFFFFFFFL;
        }
    }

    long f64() {
        long s = r.nextBoolean() ? Long.MIN_VALUE : 0;
        long frac = r.nextLong() & ((1L << 52) - 1);
        switch (r.nextInt(16)) {
            case 0: return s;
            case 1: return s | (r.nextInt(4) == 0 ? 1 : frac);
            case 2: return s | 0x7FF0000000000000L;
            case 3: return s | 0x7FF8000000000000L | (r.nextBoolean() ? 0 : frac & ((1L << 51) - 1));
            case 4: return s | 0x7FF0000000000000L | Math.max(1, frac & ((1L << 51) - 1));
            case 5: return s | 0x7FEFFFFFFFFFFFFFL;
            case 6: return s | 0x0010000000000000L | (r.nextBoolean() ? 0 : r.nextInt(4));
            case 7: return Double.doubleToRawLongBits((r.nextInt(2000) - 1000) + (r.nextInt(5) - 2) * 0.25);
            case 8: {
                double[] v = {2147483647.5, -2147483648.5, 2147483648.0, -2147483649.0, 9.223372036854775807e18,
                    -9.223372036854775808e18, 9.223372036854774784e18, 4503599627370496.5, 0.5, 1.5, -2.5,
                    3.4028235677973366e38, 3.4028235677973362e38, 1.1754942e-38, 1.401298464324817e-45, 7.006492321624085e-46};
                return Double.doubleToRawLongBits(v[r.nextInt(v.length)]);
            }
            case 9: return s | ((long) (r.nextInt(60) + 1) << 52 | frac);
            case 10: return s | ((long) (0x7FE - r.nextInt(4)) << 52 | frac);
            case 11: { // float-range boundaries for CVTSD2SS
                long e = 1023 + (r.nextBoolean() ? 127 : -126 - r.nextInt(25));
                return s | (e << 52) | (r.nextBoolean() ? frac : frac & ~((1L << 29) - 1) | (1L << 28));
            }
            default: return r.nextLong();
        }
    }

    long int64() {
        switch (r.nextInt(8)) {
            case 0: return 0;
            case 1: return -1;
            case 2: return r.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
            case 3: return r.nextBoolean() ? 0x80000000L : 0x7FFFFFFFL;
            case 4: return 0x8080808080808080L ^ (r.nextBoolean() ? -1L : 0);
            case 5: return 0x8000800080008000L ^ (r.nextBoolean() ? -1L : 0);
            case 6: return r.nextInt(64) - 32;
            default: return r.nextLong();
        }
    }

    long word() {
        switch (r.nextInt(4)) {
            case 0: return (f32() & 0xFFFFFFFFL) | (f32() << 32);
            case 1: return f64();
            case 2: { // strings: small letters and zeros for PCMPxSTRx
                long v = 0;
                for (int k = 0; k < 8; k++) {
                    int c = r.nextInt(8) == 0 ? 0 : 'a' + r.nextInt(6);
                    v |= (long) c << (8 * k);
                }
                return v;
            }
            default: return int64();
        }
    }

    // ---- cases ---------------------------------------------------------------------------

    int mxcsr() {
        int m = 0x1F80;
        if (r.nextInt(5) == 0) {
            m = r.nextInt(0x40) << 7; // random masks
        }
        m |= r.nextInt(4) << 13;                       // RC
        m |= r.nextInt(4) == 0 ? 0x40 : 0;            // DAZ
        m |= r.nextInt(4) == 0 ? 0x8000 : 0;          // FTZ
        m |= r.nextInt(3) == 0 ? r.nextInt(64) : 0;   // sticky flags
        return m;
    }

    SseCase next() {
        if (r.nextInt(25) == 0) {
            return makeState(r.nextInt(6));
        }
        return make(keys.get(r.nextInt(keys.size())));
    }

    /**
     * A 0F AE state instruction on the data area: 0 FXSAVE, 1 FXRSTOR, 2 LDMXCSR, 3 STMXCSR,
     * 4 XSAVE, 5 XRSTOR (with or without REX.W); images to restore are made valid most of the
     * time (MXCSR reserved bits clear, a well-formed XSAVE header) and EDX:EAX masks stay
     * within x87|SSE.
     */
    SseCase makeState(int kind) {
        int sub = new int[] {0, 1, 2, 3, 4, 5}[kind];
        boolean w = kind != 2 && kind != 3 && r.nextBoolean();
        int disp = kind == 2 || kind == 3 ? -64 + r.nextInt(180) : -64;
        byte[] code = {(byte) (w ? 0x49 : 0x41), 0x0F, (byte) 0xAE, (byte) (0x40 | sub << 3 | 7), (byte) disp};
        SseCase base = make(keys.get(r.nextInt(keys.size())));
        byte[] mem = base.mem;
        ByteBuffer m = SseCase.le(mem);
        for (int k = 256; k < 640; k += 8) {
            m.putLong(k, word());
        }
        int mxOff = kind == 2 ? disp + 64 : 24;
        if (r.nextInt(5) != 0) {
            m.putInt(mxOff, mxcsr());
        }
        // bit 17 is AMD's misaligned-SSE mode (host MXCSR_MASK 0x2FFFF); this VCPU has Intel's
        // MXCSR_MASK 0xFFFF, so the bit is not generated
        m.putInt(mxOff, m.getInt(mxOff) & ~(1 << 17));
        if (kind == 5 && r.nextInt(5) != 0) {
            m.putLong(512, r.nextInt(4));
            for (int k = 520; k < 576; k += 8) {
                m.putLong(k, 0);
            }
        }
        long[] gpr = base.gpr.clone();
        if (kind >= 4) {
            gpr[0] = new long[] {3, 1, 2, 0, 3 | 0xFFFFFFF8L}[r.nextInt(5)] & 3;
            gpr[2] = 0;
        }
        String text = String.format("%s [r15%+d]%s", new String[] {"fxsave", "fxrstor", "ldmxcsr",
            "stmxcsr", "xsave", "xrstor"}[kind], disp, w ? " REX.W" : "");
        SseCase c = new SseCase(text, code, gpr, base.rflags, base.fx, mem);
        if (kind == 0 || kind == 4) {
            c.ignore = SAVE_IGNORE;
        }
        return c;
    }

    SseCase make(int key) {
        int info = SseDecode.info(key);
        int pc = key >> 10;
        int map = (key >> 8) & 3;
        int op = key & 0xFF;
        boolean mem = (info & SseDecode.MEM_ONLY) != 0
                || ((info & SseDecode.REG_ONLY) == 0 && r.nextInt(3) == 0);
        int regKind = SseDecode.regKind(info);
        int rmKind = SseDecode.rmKind(info);
        boolean crc = map == 1 && (op == 0xF0 || op == 0xF1);
        int reg = pick(regKind);
        int rm = pick(rmKind);
        boolean group = (info & SseDecode.GROUP) != 0;
        if (group) {
            int[] subs = op == 0x73 ? (pc == 1 ? new int[] {2, 3, 6, 7} : new int[] {2, 6}) : new int[] {2, 4, 6};
            reg = subs[r.nextInt(subs.length)];
        }
        boolean w = (info & SseDecode.W_SIZE) != 0 && r.nextBoolean();
        int disp = 0;
        if (mem) {
            int size = Math.max(1, SseDecode.memSize(info));
            // disp8 is signed: [-64, 127], and the access stays inside the 256 data bytes
            int hi = Math.min(127, 192 - size);
            if (r.nextInt(10) == 0) {
                disp = -64 + r.nextInt(hi + 64 + 1);
            } else {
                disp = -64 + 16 * r.nextInt((Math.min(112, 192 - 16) + 64) / 16 + 1);
            }
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (crc && r.nextBoolean()) {
            b.write(0x66);
        }
        if (pc == 1) {
            b.write(0x66);
        } else if (pc == 2) {
            b.write(0xF3);
        } else if (pc == 3) {
            b.write(0xF2);
        }
        int rexR = group ? 0 : (reg >> 3) & 1;
        int rexB = mem ? 1 : (rm >> 3) & 1;
        int rex = 0x40 | (w ? 8 : 0) | (rexR << 2) | rexB;
        if (rex != 0x40 || (crc && r.nextBoolean())) {
            b.write(rex);
        }
        b.write(0x0F);
        if (map == 1) {
            b.write(0x38);
        } else if (map == 2) {
            b.write(0x3A);
        }
        b.write(op);
        if (!(map == 0 && op == 0x77)) {
            if (mem) {
                b.write(0x40 | ((reg & 7) << 3) | 7);
                b.write(disp);
            } else {
                b.write(0xC0 | ((reg & 7) << 3) | (rm & 7));
            }
        }
        int imm = -1;
        if ((info & SseDecode.IMM8) != 0) {
            imm = r.nextInt(256);
            if (group) {
                imm = r.nextInt(3) == 0 ? r.nextInt(256) : r.nextInt(70);
            }
            b.write(imm);
        }
        long[] gpr = new long[16];
        for (int k = 0; k < 16; k++) {
            gpr[k] = int64();
        }
        gpr[15] = BASE;
        if (map == 0 && op == 0xF7) {
            gpr[7] = BASE + r.nextInt(64);
        }
        if (map == 2 && op >= 0x60) {
            gpr[0] = r.nextInt(4) == 0 ? int64() : r.nextInt(40) - 20;
            gpr[2] = r.nextInt(4) == 0 ? int64() : r.nextInt(40) - 20;
        }
        byte[] fx = new byte[512];
        ByteBuffer f = SseCase.le(fx);
        f.putShort(0, (short) 0x037F);
        f.putShort(2, (short) (r.nextInt(8) << 11));
        f.put(4, (byte) (r.nextBoolean() ? 0xFF : r.nextInt(256)));
        int mx = mxcsr();
        if (map == 2 && (op == 0x40 || op == 0x41)) {
            mx |= 0x1F80; // DPPS/DPPD: masked exceptions only (see the README's known differences)
        }
        f.putInt(24, mx);
        f.putInt(28, 0xFFFF);
        for (int k = 0; k < 8; k++) {
            f.putLong(32 + 16 * k, word());
            f.putShort(40 + 16 * k, (short) (r.nextBoolean() ? 0xFFFF : r.nextInt(65536)));
        }
        for (int k = 0; k < 32; k++) {
            f.putLong(160 + 8 * k, word());
        }
        byte[] data = new byte[SseCase.MEM_SIZE];
        ByteBuffer d = SseCase.le(data);
        for (int k = 0; k < 256 / 8; k++) {
            d.putLong(8 * k, word());
        }
        if (sparse) {
            boolean mmx = regKind == SseDecode.MM || rmKind == SseDecode.MM;
            for (int k = 0; k < 16; k++) {
                boolean keepX = k == 0 || (regKind == SseDecode.XMM && k == reg && !group)
                        || (rmKind == SseDecode.XMM && k == rm && !mem) || (group && k == rm);
                if (!keepX) {
                    f.putLong(160 + 16 * k, 0);
                    f.putLong(168 + 16 * k, 0);
                }
                boolean keepG = k == 0 || k == 1 || k == 2 || k == 7 || k == 15
                        || (regKind == SseDecode.GPR && k == reg) || (rmKind == SseDecode.GPR && k == rm);
                if (!keepG) {
                    gpr[k] = 0;
                }
            }
            if (!mmx) {
                for (int k = 0; k < 8; k++) {
                    f.putLong(32 + 16 * k, 0);
                    f.putShort(40 + 16 * k, (short) 0);
                }
            }
        }
        String text = String.format("key %03x (%s0F%s %02X%s) reg %d rm %s%s%s", key,
                pc == 1 ? "66 " : pc == 2 ? "F3 " : pc == 3 ? "F2 " : "",
                map == 1 ? " 38" : map == 2 ? " 3A" : "", op, group ? " /" + reg : "", reg,
                mem ? "[r15" + (disp >= 0 ? "+" : "") + disp + "]" : String.valueOf(rm),
                imm >= 0 ? String.format(" imm %02x", imm) : "", w ? " REX.W" : "");
        return new SseCase(text, b.toByteArray(), gpr, r.nextInt(0x1000), fx, data);
    }

    private int pick(int kind) {
        switch (kind) {
            case SseDecode.MM: return r.nextInt(8);
            case SseDecode.GPR: return GPRS[r.nextInt(GPRS.length)];
            default: return r.nextInt(16);
        }
    }
}
