package dev.zx4j.sim.x86;

/**
 * The integer SIMD operations of MMX, SSE2, SSSE3, SSE4.1 and SSE4.2 on vectors held as arrays
 * of 64-bit words (one word for an MMX register, two for an XMM register, low word first).
 * Pure functions: {@code d} is the destination (first source), {@code s} the second source;
 * results go into {@code r} (which may alias {@code d}). Lane numbering and saturation follow
 * the Intel SDM vol. 2 instruction pages.
 */
final class SseInt {
    private SseInt() {
    }

    static long lane(long[] v, int size, int k) {
        int bit = k * size * 8;
        long w = v[bit >>> 6];
        if (size == 8) {
            return w;
        }
        return (w >>> (bit & 63)) & ((1L << (size * 8)) - 1);
    }

    static void setLane(long[] v, int size, int k, long x) {
        int bit = k * size * 8;
        if (size == 8) {
            v[bit >>> 6] = x;
            return;
        }
        long m = ((1L << (size * 8)) - 1) << (bit & 63);
        v[bit >>> 6] = (v[bit >>> 6] & ~m) | ((x << (bit & 63)) & m);
    }

    static long sx(long x, int size) {
        int sh = 64 - size * 8;
        return (x << sh) >> sh;
    }

    static long satS(long x, int size) {
        long max = (1L << (size * 8 - 1)) - 1;
        long min = -max - 1;
        return x > max ? max : x < min ? min : x;
    }

    static long satU(long x, int size) {
        long max = (1L << (size * 8)) - 1;
        return x > max ? max : x < 0 ? 0 : x;
    }

    /** Lane-wise binary operation codes for {@link #binary}. */
    static final int ADD = 0, SUB = 1, ADDS = 2, SUBS = 3, ADDUS = 4, SUBUS = 5, CMPEQ = 6,
            CMPGT = 7, MINU = 8, MAXU = 9, MINS = 10, MAXS = 11, AVG = 12, MULLO = 13,
            MULHI = 14, MULHU = 15, SIGN = 16, MULHRS = 17;

    static void binary(int op, int size, long[] d, long[] s, long[] r, int words) {
        int n = words * 8 / size;
        for (int k = 0; k < n; k++) {
            long a = lane(d, size, k);
            long b = lane(s, size, k);
            long sa = sx(a, size);
            long sb = sx(b, size);
            long x;
            switch (op) {
                case ADD: x = a + b; break;
                case SUB: x = a - b; break;
                case ADDS: x = satS(sa + sb, size); break;
                case SUBS: x = satS(sa - sb, size); break;
                case ADDUS: x = satU(a + b, size); break;
                case SUBUS: x = satU(a - b, size); break;
                case CMPEQ: x = a == b ? -1 : 0; break;
                case CMPGT: x = sa > sb ? -1 : 0; break;
                case MINU: x = Long.compareUnsigned(a, b) < 0 ? a : b; break;
                case MAXU: x = Long.compareUnsigned(a, b) > 0 ? a : b; break;
                case MINS: x = sa < sb ? a : b; break;
                case MAXS: x = sa > sb ? a : b; break;
                case AVG: x = (a + b + 1) >>> 1; break;
                case MULLO: x = sa * sb; break;
                case MULHI: x = (sa * sb) >> (size * 8); break;
                case MULHU: x = (a * b) >>> (size * 8); break;
                case SIGN: x = sb < 0 ? -sa : sb == 0 ? 0 : sa; break;
                case MULHRS: x = (((sa * sb) >> 14) + 1) >> 1; break;
                default: throw new IllegalArgumentException("op " + op);
            }
            setLane(r, size, k, x);
        }
    }

    static void abs(int size, long[] s, long[] r, int words) {
        int n = words * 8 / size;
        for (int k = 0; k < n; k++) {
            setLane(r, size, k, Math.abs(sx(lane(s, size, k), size)));
        }
    }

    /** PACKSSWB/PACKSSDW (signed saturation) and PACKUSWB/PACKUSDW (unsigned). */
    static void pack(int size, boolean unsigned, long[] d, long[] s, long[] r, int words) {
        int n = words * 8 / size;
        long[] out = new long[words];
        int half = size / 2;
        for (int k = 0; k < 2 * n; k++) {
            long x = sx(lane(k < n ? d : s, size, k < n ? k : k - n), size);
            setLane(out, half, k, unsigned ? satU(x, half) : satS(x, half));
        }
        System.arraycopy(out, 0, r, 0, words);
    }

    /** PUNPCKLxx and PUNPCKHxx: interleave the low (high) halves of d and s. */
    static void unpack(int size, boolean high, long[] d, long[] s, long[] r, int words) {
        int n = words * 8 / size;
        long[] out = new long[words];
        int base = high ? n / 2 : 0;
        for (int k = 0; k < n / 2; k++) {
            setLane(out, size, 2 * k, lane(d, size, base + k));
            setLane(out, size, 2 * k + 1, lane(s, size, base + k));
        }
        System.arraycopy(out, 0, r, 0, words);
    }

    /** Shifts by a count (PSLL/PSRL/PSRA); counts at or past the lane width fill. */
    static void shift(int size, int kind, long count, long[] d, long[] r, int words) {
        int n = words * 8 / size;
        int bits = size * 8;
        for (int k = 0; k < n; k++) {
            long a = lane(d, size, k);
            long x;
            boolean big = Long.compareUnsigned(count, bits) >= 0;
            switch (kind) {
                case 0: x = big ? 0 : (size == 8 ? a >>> count : a >>> count); break; // logical right
                case 1: x = big ? (sx(a, size) >> (bits - 1)) : (sx(a, size) >> count); break;
                default: x = big ? 0 : a << count; break;
            }
            setLane(r, size, k, x);
        }
    }

    /** Byte shift of the whole 128-bit value (PSLLDQ left, PSRLDQ right). */
    static void byteShift(long[] d, int count, boolean left, long[] r) {
        if (count > 15) {
            r[0] = 0;
            r[1] = 0;
            return;
        }
        byte[] b = toBytes(d, 2);
        byte[] o = new byte[16];
        for (int k = 0; k < 16; k++) {
            int src = left ? k - count : k + count;
            o[k] = src >= 0 && src < 16 ? b[src] : 0;
        }
        fromBytes(o, r, 2);
    }

    static byte[] toBytes(long[] v, int words) {
        byte[] b = new byte[words * 8];
        for (int k = 0; k < b.length; k++) {
            b[k] = (byte) (v[k >>> 3] >>> (8 * (k & 7)));
        }
        return b;
    }

    static void fromBytes(byte[] b, long[] v, int words) {
        for (int w = 0; w < words; w++) {
            long x = 0;
            for (int k = 7; k >= 0; k--) {
                x = (x << 8) | (b[w * 8 + k] & 0xFFL);
            }
            v[w] = x;
        }
    }

    static void pmaddwd(long[] d, long[] s, long[] r, int words) {
        long[] out = new long[words];
        for (int k = 0; k < words * 2; k++) {
            long x = sx(lane(d, 2, 2 * k), 2) * sx(lane(s, 2, 2 * k), 2)
                    + sx(lane(d, 2, 2 * k + 1), 2) * sx(lane(s, 2, 2 * k + 1), 2);
            setLane(out, 4, k, x);
        }
        System.arraycopy(out, 0, r, 0, words);
    }

    static void pmaddubsw(long[] d, long[] s, long[] r, int words) {
        long[] out = new long[words];
        for (int k = 0; k < words * 4; k++) {
            long x = lane(d, 1, 2 * k) * sx(lane(s, 1, 2 * k), 1)
                    + lane(d, 1, 2 * k + 1) * sx(lane(s, 1, 2 * k + 1), 1);
            setLane(out, 2, k, satS(x, 2));
        }
        System.arraycopy(out, 0, r, 0, words);
    }

    static void psadbw(long[] d, long[] s, long[] r, int words) {
        for (int w = 0; w < words; w++) {
            long sum = 0;
            for (int k = 0; k < 8; k++) {
                sum += Math.abs(lane(d, 1, w * 8 + k) - lane(s, 1, w * 8 + k));
            }
            r[w] = sum;
        }
    }

    /** PMULUDQ (unsigned) / PMULDQ (signed): the even dwords to quadwords. */
    static void mulDq(boolean signed, long[] d, long[] s, long[] r, int words) {
        for (int w = 0; w < words; w++) {
            long a = d[w] & 0xFFFFFFFFL;
            long b = s[w] & 0xFFFFFFFFL;
            r[w] = signed ? sx(a, 4) * sx(b, 4) : a * b;
        }
    }

    /** PHADD/PHSUB (W, D, SW): horizontal pairs of d then s. */
    static void horizontal(int size, boolean sub, boolean sat, long[] d, long[] s, long[] r,
            int words) {
        int n = words * 8 / size;
        long[] out = new long[words];
        for (int k = 0; k < n; k++) {
            long[] src = k < n / 2 ? d : s;
            int j = (k % (n / 2)) * 2;
            long a = sx(lane(src, size, j), size);
            long b = sx(lane(src, size, j + 1), size);
            long x = sub ? a - b : a + b;
            setLane(out, size, k, sat ? satS(x, size) : x);
        }
        System.arraycopy(out, 0, r, 0, words);
    }

    static void pshufb(long[] d, long[] s, long[] r, int words) {
        byte[] a = toBytes(d, words);
        byte[] m = toBytes(s, words);
        byte[] o = new byte[a.length];
        int idxMask = a.length - 1;
        for (int k = 0; k < a.length; k++) {
            o[k] = m[k] < 0 ? 0 : a[m[k] & idxMask];
        }
        fromBytes(o, r, words);
    }

    static void palignr(long[] d, long[] s, int imm, long[] r, int words) {
        byte[] a = toBytes(s, words);
        byte[] b = toBytes(d, words);
        int n = a.length;
        byte[] o = new byte[n];
        for (int k = 0; k < n; k++) {
            int src = k + imm;
            o[k] = src < n ? a[src] : src < 2 * n ? b[src - n] : 0;
        }
        fromBytes(o, r, words);
    }

    /** PMOVSX/PMOVZX: low lanes of s widened from {@code from} to {@code to} bytes. */
    static void extend(int from, int to, boolean signed, long[] s, long[] r) {
        int n = 16 / to;
        long[] out = new long[2];
        for (int k = 0; k < n; k++) {
            long x = lane(s, from, k);
            setLane(out, to, k, signed ? sx(x, from) : x);
        }
        r[0] = out[0];
        r[1] = out[1];
    }

    static long pmovmskb(long[] s, int words) {
        long m = 0;
        for (int k = 0; k < words * 8; k++) {
            m |= (lane(s, 1, k) >>> 7) << k;
        }
        return m;
    }

    static void phminposuw(long[] s, long[] r) {
        int best = 0;
        long min = lane(s, 2, 0);
        for (int k = 1; k < 8; k++) {
            long x = lane(s, 2, k);
            if (x < min) {
                min = x;
                best = k;
            }
        }
        r[0] = min | ((long) best << 16);
        r[1] = 0;
    }

    static void mpsadbw(long[] d, long[] s, int imm, long[] r) {
        byte[] a = toBytes(d, 2);
        byte[] b = toBytes(s, 2);
        int ao = ((imm >> 2) & 1) * 4;
        int bo = (imm & 3) * 4;
        long[] out = new long[2];
        for (int k = 0; k < 8; k++) {
            long sum = 0;
            for (int j = 0; j < 4; j++) {
                sum += Math.abs((a[ao + k + j] & 0xFF) - (b[bo + j] & 0xFF));
            }
            setLane(out, 2, k, sum);
        }
        r[0] = out[0];
        r[1] = out[1];
    }

    private static final int[] CRC32C = new int[256];

    static {
        for (int n = 0; n < 256; n++) {
            int c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
            }
            CRC32C[n] = c;
        }
    }

    /** CRC32 (SSE4.2): the Castagnoli CRC, reflected, over {@code size} bytes of v. */
    static long crc32c(long crc, long v, int size) {
        int c = (int) crc;
        for (int k = 0; k < size; k++) {
            c = CRC32C[(c ^ (int) (v >>> (8 * k))) & 0xFF] ^ (c >>> 8);
        }
        return c & 0xFFFFFFFFL;
    }
}
