package dev.zx4j.sim.x86.x87;

import java.math.BigInteger;

/** Compares a software result with the hardware one and describes the difference. */
public final class X87Compare {
    private X87Compare() {
    }

    /** The largest ulp distance accepted for a transcendental result. */
    static final long ULP_TOLERANCE = 1L << 20;

    /** Worst ulp distance seen in approximate (transcendental) results. */
    static long worstUlp;
    /** The same by instruction (single-instruction cases; sequences under "sequence"). */
    static final java.util.Map<String, Long> WORST_BY_CASE = new java.util.TreeMap<>();

    /** Null when equal (within the transcendental tolerance where the case allows it). */
    public static String diff(X87Case c, X87Result hw, X87Result sw) {
        StringBuilder sb = new StringBuilder();
        if (hw.trap != sw.trap) {
            sb.append("trap: hw ").append(hw.trap).append(" sw ").append(sw.trap).append('\n');
            return sb.toString();
        }
        if ((hw.rax & 0xFFFF) != (sw.rax & 0xFFFF) || hw.rax != sw.rax) {
            sb.append(String.format("rax: hw %x sw %x%n", hw.rax, sw.rax));
        }
        long fm = 0x8D5L;
        if ((hw.rflags & fm) != (sw.rflags & fm)) {
            sb.append(String.format("rflags: hw %x sw %x%n", hw.rflags, sw.rflags));
        }
        byte[] h = hw.state, s = sw.state;
        String[] names = {"fcw", "fsw", "ftw", "fip", "fcs/fop", "fdp", "fds"};
        for (int i = 0; i < 7; i++) {
            long a = le(h, 4 * i, 4), b = le(s, 4 * i, 4);
            if (i == 1 && c.approx) {
                a &= ~0x200L; // C1 (rounding direction) follows the result
                b &= ~0x200L;
            }
            if (a != b) {
                sb.append(String.format("%s: hw %08x sw %08x%n", names[i], a, b));
            }
        }
        for (int i = 0; i < 8; i++) {
            long ma = le(h, 28 + 10 * i, 8), mb = le(s, 28 + 10 * i, 8);
            int ea = (int) le(h, 36 + 10 * i, 2), eb = (int) le(s, 36 + 10 * i, 2);
            if (ma == mb && ea == eb) {
                continue;
            }
            if (c.approx) {
                long u = ulps(ea, ma, eb, mb);
                if (u >= 0 && u <= ULP_TOLERANCE) {
                    worstUlp = Math.max(worstUlp, u);
                    WORST_BY_CASE.merge(c.text.contains(";") ? "sequence" : c.text, u, Math::max);
                    continue;
                }
            }
            sb.append(String.format("st%d: hw %04x:%016x sw %04x:%016x%n", i, ea, ma, eb, mb));
        }
        for (int k = 0; k < X87Case.MEM_SIZE; k++) {
            if (hw.mem[k] != sw.mem[k]) {
                sb.append(String.format("mem[%d..]: hw %s%n          sw %s%n", k,
                        X87Case.HEX.formatHex(hw.mem, k, Math.min(k + 16, X87Case.MEM_SIZE)),
                        X87Case.HEX.formatHex(sw.mem, k, Math.min(k + 16, X87Case.MEM_SIZE))));
                break;
            }
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    /** Distance in units of the last place between two finite values of the same sign, else -1. */
    static long ulps(int ea, long ma, int eb, long mb) {
        if ((ea & 0x8000) != (eb & 0x8000) || (ea & 0x7FFF) == 0x7FFF || (eb & 0x7FFF) == 0x7FFF) {
            return -1;
        }
        BigInteger a = ordinal(ea & 0x7FFF, ma), b = ordinal(eb & 0x7FFF, mb);
        BigInteger d = a.subtract(b).abs();
        return d.bitLength() > 62 ? -1 : d.longValue();
    }

    private static BigInteger ordinal(int e, long m) {
        // normal numbers: ordinal = (e - 1) * 2^63 + m; denormals: m
        BigInteger mm = new BigInteger(Long.toUnsignedString(m));
        return e == 0 ? mm : BigInteger.valueOf(e - 1).shiftLeft(63).add(mm);
    }

    static long le(byte[] b, int at, int size) {
        long v = 0;
        for (int k = size - 1; k >= 0; k--) {
            v = (v << 8) | (b[at + k] & 0xFF);
        }
        return v;
    }

    /** A reproducer: the instruction, its bytes and the start state decoded, then the differences. */
    public static String reproducer(X87Case c, X87Result hw, X87Result sw, String diff) {
        StringBuilder sb = new StringBuilder();
        sb.append("x87 case: ").append(c.text).append("  bytes ").append(X87Case.HEX.formatHex(c.code)).append('\n');
        byte[] st = c.state;
        sb.append(String.format("  before: fcw %04x fsw %04x ftw %04x rflags %x rax %x%n", le(st, 0, 2), le(st, 4, 2),
                le(st, 8, 2), c.rflags, c.rax));
        for (int i = 0; i < 8; i++) {
            sb.append(String.format("    st%d %04x:%016x%n", i, le(st, 36 + 10 * i, 2), le(st, 28 + 10 * i, 8)));
        }
        sb.append("    mem ").append(X87Case.HEX.formatHex(c.mem, 0, 32)).append('\n');
        sb.append(diff);
        sb.append("  golden line: ").append(c.toLine()).append('\n');
        return sb.toString();
    }
}
