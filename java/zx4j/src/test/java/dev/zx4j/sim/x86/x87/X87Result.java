package dev.zx4j.sim.x86.x87;

import java.util.Arrays;

/** The state after an {@link X87Case}: from the host CPU or from the software model. */
public final class X87Result {
    /** -1, or the exception vector. */
    public int trap = -1;
    public long rax;
    public long rflags;
    /** FNSAVE image after (no trap) or, at a trap, FCW/FSW/FTW(abridged)/ST0-7 of the state then. */
    public byte[] state = new byte[X87Case.STATE_SIZE];
    public byte[] mem = new byte[X87Case.MEM_SIZE];

    /** The comparable fields as one line: trap|rax|flags|state|mem. */
    String toLine() {
        return trap + "|" + Long.toHexString(rax) + "|" + Long.toHexString(rflags) + "|"
                + X87Case.HEX.formatHex(state) + "|" + X87Case.HEX.formatHex(mem);
    }

    static X87Result fromLine(String[] p, int at) {
        X87Result r = new X87Result();
        r.trap = Integer.parseInt(p[at]);
        r.rax = Long.parseUnsignedLong(p[at + 1], 16);
        r.rflags = Long.parseUnsignedLong(p[at + 2], 16);
        r.state = X87Case.HEX.parseHex(p[at + 3]);
        r.mem = X87Case.HEX.parseHex(p[at + 4]);
        return r;
    }

    static final int LINE_FIELDS = 5;

    @Override
    public boolean equals(Object o) {
        return o instanceof X87Result r && r.trap == trap && r.rax == rax && r.rflags == rflags
                && Arrays.equals(r.state, state) && Arrays.equals(r.mem, mem);
    }

    @Override
    public int hashCode() {
        return trap;
    }
}
