package dev.zx4j.sim.x86;

/**
 * FNSTENV/FLDENV and FNSAVE/FRSTOR: the x87 environment and register image in memory, in the
 * protected-mode (and long-mode) layouts (Intel SDM vol. 1 §8.1.10, figures 8-9 and 8-10).
 *
 * <p>32-bit format, 28 bytes: FCW, FSW, FTW at 0, 4, 8 (the processor writes 0xFFFF into
 * their upper halves — measured), FIP at 12, FCS at 16 with FOP in bits 26..16, FDP at 20 and
 * FDS at 24 (upper half 0xFFFF). 16-bit format, 14 bytes: FCW, FSW, FTW, FIP, FCS, FDP, FDS as
 * words, no FOP. FSAVE/FRSTOR add ST(0)..ST(7) in stack order, ten bytes each. The tag word is
 * stored in its full form computed from the registers and loaded as empty/not empty.
 */
final class X87State {
    private X87State() {
    }

    static int envSize(boolean o16) {
        return o16 ? 14 : 28;
    }

    static void stenv(X87 x, long ea, boolean o16, X87.Host h) {
        FpuState s = x.s;
        if (o16) {
            h.write(ea, 2, s.fcw);
            h.write(ea + 2, 2, s.fsw);
            h.write(ea + 4, 2, s.fullTagWord());
            h.write(ea + 6, 2, s.fip);
            h.write(ea + 8, 2, s.fcs);
            h.write(ea + 10, 2, s.fdp);
            h.write(ea + 12, 2, s.fds);
        } else {
            h.write(ea, 4, 0xFFFF_0000L | s.fcw);
            h.write(ea + 4, 4, 0xFFFF_0000L | s.fsw);
            h.write(ea + 8, 4, 0xFFFF_0000L | s.fullTagWord());
            h.write(ea + 12, 4, s.fip);
            h.write(ea + 16, 4, ((long) (s.fop & 0x7FF) << 16) | (s.fcs & 0xFFFF));
            h.write(ea + 20, 4, s.fdp);
            h.write(ea + 24, 4, 0xFFFF_0000L | (s.fds & 0xFFFF));
        }
    }

    /** Reads the environment into locals first so a faulting read changes nothing. */
    static void ldenv(X87 x, long ea, boolean o16, X87.Host h) {
        long[] env = readEnv(ea, o16, h);
        applyEnv(x.s, env);
        x.summary();
    }

    private static long[] readEnv(long ea, boolean o16, X87.Host h) {
        long[] e = new long[8];
        if (o16) {
            e[0] = h.read(ea, 2);
            e[1] = h.read(ea + 2, 2);
            e[2] = h.read(ea + 4, 2);
            e[3] = h.read(ea + 6, 2);
            e[4] = h.read(ea + 8, 2);
            e[5] = 0; // no FOP in the 16-bit format: loaded as 0 (measured)
            e[6] = h.read(ea + 10, 2);
            e[7] = h.read(ea + 12, 2);
        } else {
            e[0] = h.read(ea, 2);
            e[1] = h.read(ea + 4, 2);
            e[2] = h.read(ea + 8, 2);
            e[3] = h.read(ea + 12, 4);
            long w = h.read(ea + 16, 4);
            e[4] = w & 0xFFFF;
            e[5] = (w >>> 16) & 0x7FF;
            e[6] = h.read(ea + 20, 4);
            e[7] = h.read(ea + 24, 2);
        }
        return e;
    }

    private static void applyEnv(FpuState s, long[] e) {
        s.fcw = X87.storedControlWord((int) e[0]);
        s.fsw = (int) e[1] & 0xFFFF;
        s.setFullTagWord((int) e[2] & 0xFFFF);
        s.fip = e[3];
        s.fcs = (int) e[4];
        if (e[5] >= 0) {
            s.fop = (int) e[5];
        }
        s.fdp = e[6];
        s.fds = (int) e[7];
    }

    static void save(X87 x, long ea, boolean o16, X87.Host h) {
        FpuState s = x.s;
        int base = envSize(o16);
        // registers first: the environment's tag word is computed before anything changes
        for (int i = 0; i < 8; i++) {
            int p = (s.top() + i) & 7;
            h.write(ea + base + 10L * i, 8, s.mant[p]);
            h.write(ea + base + 10L * i + 8, 2, s.se[p]);
        }
        stenv(x, ea, o16, h);
    }

    static void rstor(X87 x, long ea, boolean o16, X87.Host h) {
        long[] env = readEnv(ea, o16, h);
        int base = envSize(o16);
        long[] m = new long[8];
        int[] se = new int[8];
        for (int i = 0; i < 8; i++) {
            m[i] = h.read(ea + base + 10L * i, 8);
            se[i] = (int) h.read(ea + base + 10L * i + 8, 2) & 0xFFFF;
        }
        FpuState s = x.s;
        applyEnv(s, env);
        for (int i = 0; i < 8; i++) {
            int p = (s.top() + i) & 7;
            s.mant[p] = m[i];
            s.se[p] = se[i];
        }
        x.summary();
    }
}
