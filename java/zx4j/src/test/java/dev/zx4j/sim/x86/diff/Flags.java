package dev.zx4j.sim.x86.diff;

/** The six arithmetic flags as RFLAGS bits, and which of them a condition code reads. */
final class Flags {
    private Flags() {}

    static final int CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
    /** The direction flag: not arithmetic, set by CLD/STD, always compared. */
    static final int DF = 0x400;
    static final int ALL = CF | PF | AF | ZF | SF | OF;
    /** Everything but AF: what the logic instructions define. */
    static final int LOGIC = CF | PF | ZF | SF | OF;

    static final String[] CC = {"o", "no", "b", "ae", "e", "ne", "be", "a",
        "s", "ns", "p", "np", "l", "ge", "le", "g"};

    /** The flags condition code {@code cc} (0–15, as in Jcc/SETcc/CMOVcc) reads. */
    static int readsOf(int cc) {
        switch (cc >> 1) {
            case 0: return OF;
            case 1: return CF;
            case 2: return ZF;
            case 3: return CF | ZF;
            case 4: return SF;
            case 5: return PF;
            case 6: return SF | OF;
            default: return ZF | SF | OF;
        }
    }

    /** Whether condition {@code cc} holds for {@code rflags}. */
    static boolean holds(int cc, long rflags) {
        boolean cf = (rflags & CF) != 0, zf = (rflags & ZF) != 0, sf = (rflags & SF) != 0;
        boolean of = (rflags & OF) != 0, pf = (rflags & PF) != 0;
        boolean r;
        switch (cc >> 1) {
            case 0: r = of; break;
            case 1: r = cf; break;
            case 2: r = zf; break;
            case 3: r = cf || zf; break;
            case 4: r = sf; break;
            case 5: r = pf; break;
            case 6: r = sf != of; break;
            default: r = zf || sf != of; break;
        }
        return r ^ ((cc & 1) != 0);
    }

    /** "CF|ZF"-style names of the flags in {@code mask}. */
    static String names(long mask) {
        StringBuilder sb = new StringBuilder();
        String[] n = {"CF", "PF", "AF", "ZF", "SF", "DF", "OF"};
        int[] b = {CF, PF, AF, ZF, SF, DF, OF};
        for (int k = 0; k < n.length; k++) {
            if ((mask & b[k]) != 0) {
                sb.append(sb.length() == 0 ? "" : "|").append(n[k]);
            }
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }
}
