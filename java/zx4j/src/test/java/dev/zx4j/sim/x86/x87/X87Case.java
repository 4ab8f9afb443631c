package dev.zx4j.sim.x86.x87;

import java.util.HexFormat;

/**
 * One x87 test case: a snippet of x87 instructions and the state it starts from, laid out as the
 * host oracle ({@code native/x87/x87-oracle.c}) takes it: the snippet runs at {@link #CODE_ADDR}
 * with RDI = {@link #MEM_ADDR}, the x87 state is loaded with FRSTOR from {@link #state} and stored
 * back with FNSAVE.
 */
public final class X87Case {
    public static final long CODE_ADDR = 0x1000_0000L;
    public static final long MEM_ADDR = 0x2000_0000L;
    public static final int CS = 0x33, DS = 0;
    public static final int STATE_SIZE = 108, MEM_SIZE = 128;

    /** Snippet bytes (at most 32). */
    public final byte[] code;
    public long rax;
    public long rflags;
    /** FNSAVE image (32-bit format) before. */
    public final byte[] state;
    /** Memory at MEM_ADDR before. */
    public final byte[] mem;
    /** Human-readable description of the instruction (for reproducers). */
    String text;
    /** Whether the ST results may differ within a tolerance (transcendentals). */
    boolean approx;

    X87Case(byte[] code, long rax, long rflags, byte[] state, byte[] mem, String text, boolean approx) {
        this.code = code;
        this.rax = rax;
        this.rflags = rflags;
        this.state = state;
        this.mem = mem;
        this.text = text;
        this.approx = approx;
    }

    static final HexFormat HEX = HexFormat.of();

    /** One line: text|approx|code|rax|rflags|state|mem. */
    String toLine() {
        return text + "|" + (approx ? 1 : 0) + "|" + HEX.formatHex(code) + "|" + Long.toHexString(rax) + "|"
                + Long.toHexString(rflags) + "|" + HEX.formatHex(state) + "|" + HEX.formatHex(mem);
    }

    static X87Case fromLine(String[] p, int at) {
        return new X87Case(HEX.parseHex(p[at + 2]), Long.parseUnsignedLong(p[at + 3], 16),
                Long.parseUnsignedLong(p[at + 4], 16), HEX.parseHex(p[at + 5]), HEX.parseHex(p[at + 6]),
                p[at], p[at + 1].equals("1"));
    }

    static final int LINE_FIELDS = 7;
}
