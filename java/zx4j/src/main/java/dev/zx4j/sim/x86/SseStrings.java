package dev.zx4j.sim.x86;

/**
 * SSE4.2 PCMPESTRI, PCMPESTRM, PCMPISTRI, PCMPISTRM (Intel SDM vol. 1 §4.1 of the string and
 * text processing chapter, vol. 2 §4.1 "imm8 control byte operation"): element format,
 * aggregation (equal any, ranges, equal each, equal ordered), polarity and output selection,
 * with the forced results for invalid (past-the-end) elements.
 */
final class SseStrings {
    private SseStrings() {
    }

    static void pcmpstr(Sse sse, SseHost host, int op, int imm, long[] a, long[] b, boolean w64) {
        boolean words = (imm & 1) != 0;
        boolean signed = (imm & 2) != 0;
        int n = words ? 8 : 16;
        int size = words ? 2 : 1;
        boolean explicit = op == 0x60 || op == 0x61;
        int la;
        int lb;
        if (explicit) {
            la = explicitLength(host.gpr(0), w64, n);
            lb = explicitLength(host.gpr(2), w64, n);
        } else {
            la = implicitLength(a, size, n);
            lb = implicitLength(b, size, n);
        }
        long[] ea = new long[n];
        long[] eb = new long[n];
        for (int k = 0; k < n; k++) {
            ea[k] = SseInt.lane(a, size, k);
            eb[k] = SseInt.lane(b, size, k);
            if (signed) {
                ea[k] = SseInt.sx(ea[k], size);
                eb[k] = SseInt.sx(eb[k], size);
            }
        }
        int agg = (imm >> 2) & 3;
        int res1 = 0;
        for (int j = 0; j < n; j++) {
            boolean bit;
            switch (agg) {
                case 0: // equal any
                    bit = false;
                    if (j < lb) {
                        for (int i = 0; i < la; i++) {
                            bit |= ea[i] == eb[j];
                        }
                    }
                    break;
                case 1: // ranges
                    bit = false;
                    if (j < lb) {
                        for (int i = 0; i + 1 < la; i += 2) {
                            bit |= ea[i] <= eb[j] && eb[j] <= ea[i + 1];
                        }
                    }
                    break;
                case 2: // equal each
                    if (j >= la && j >= lb) {
                        bit = true;
                    } else if (j >= la || j >= lb) {
                        bit = false;
                    } else {
                        bit = ea[j] == eb[j];
                    }
                    break;
                default: // equal ordered
                    bit = true;
                    for (int i = 0, k = j; i < n - j; i++, k++) {
                        if (i >= la) {
                            break;
                        }
                        if (k >= lb || ea[i] != eb[k]) {
                            bit = false;
                            break;
                        }
                    }
                    break;
            }
            if (bit) {
                res1 |= 1 << j;
            }
        }
        int all = (1 << n) - 1;
        int res2;
        switch ((imm >> 4) & 3) {
            case 1: res2 = ~res1 & all; break;
            case 3: res2 = (res1 ^ ((1 << lb) - 1)) & all; break;
            default: res2 = res1; break;
        }
        if (op == 0x61 || op == 0x63) {
            int idx;
            if (res2 == 0) {
                idx = n;
            } else if ((imm & 0x40) != 0) {
                idx = 31 - Integer.numberOfLeadingZeros(res2);
            } else {
                idx = Integer.numberOfTrailingZeros(res2);
            }
            host.setGpr(1, 4, idx);
        } else if ((imm & 0x40) == 0) {
            sse.setXmm0(res2 & 0xFFFFL, 0);
        } else {
            long[] m = new long[2];
            for (int k = 0; k < n; k++) {
                SseInt.setLane(m, size, k, (res2 >> k & 1) != 0 ? -1L : 0);
            }
            sse.setXmm0(m[0], m[1]);
        }
        long f = (res2 != 0 ? 1 : 0) | (lb < n ? 0x40 : 0) | (la < n ? 0x80 : 0)
                | ((res2 & 1) != 0 ? 0x800 : 0);
        host.setArithFlags(f);
    }

    private static int explicitLength(long v, boolean w64, int n) {
        long x = w64 ? v : (long) (int) v;
        if (x == Long.MIN_VALUE) {
            return n;
        }
        x = Math.abs(x);
        return x > n ? n : (int) x;
    }

    private static int implicitLength(long[] v, int size, int n) {
        for (int k = 0; k < n; k++) {
            if (SseInt.lane(v, size, k) == 0) {
                return k;
            }
        }
        return n;
    }
}
