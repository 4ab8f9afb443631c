package dev.zx4j.sim.x86;

import java.math.BigInteger;

/**
 * IEEE 754 binary32/binary64 arithmetic as the SSE unit does it, in integer code: every result
 * is computed exactly (as an integer significand, an exponent and a sticky bit) and rounded
 * once under MXCSR's rounding control, with the SSE rules for flags, NaNs, DAZ and FTZ.
 *
 * <p>Java's float and double arithmetic rounds to nearest only and reports no flags, so it is
 * used only where it is exact by construction. The rules followed (Intel SDM vol. 1 §4.8.3,
 * §4.9, §11.5, and the instruction pages of vol. 2; checked against the host CPU by the SSE
 * differential test):
 * <ul>
 * <li>Tininess is detected after rounding; a tiny result raises UE when it is also inexact
 *     (or always, when UE is unmasked). With FTZ and UE masked a tiny result becomes ±0 with
 *     UE and PE.</li>
 * <li>DAZ turns denormal inputs into ±0 before anything else, without DE; otherwise a denormal
 *     input of an arithmetic operation raises DE.</li>
 * <li>A NaN operand: the first NaN source (first operand before the second) is returned,
 *     quieted; an SNaN operand raises IE. An invalid operation without NaN operands returns the
 *     default NaN ("real indefinite", sign set, quiet bit only).</li>
 * <li>Masked overflow returns ±∞ or the largest finite value by rounding direction, with OE
 *     and PE.</li>
 * </ul>
 *
 * <p>One instance per VCPU: {@link #mxcsr} is read for the controls before an operation, and
 * the exceptions found accumulate in {@link #flags} (MXCSR bits 0–5).
 */
final class SoftFp {
    static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32;
    static final int DAZ = 0x40;
    static final int FTZ = 0x8000;
    static final int RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2, RC_ZERO = 3;

    /** Default NaN of each format (sign set, quiet bit, zero payload). */
    static final int F32_INDEFINITE = 0xFFC00000;
    static final long F64_INDEFINITE = 0xFFF8000000000000L;

    /** MXCSR as the controls are read from (flags in it are ignored). */
    int mxcsr = 0x1F80;
    /** Exceptions found since the caller last cleared it (MXCSR bits 0..5). */
    int flags;

    /** Format parameters: precision p (with hidden bit), exponent bias, maximum biased exp. */
    static final class Fmt {
        final int p;
        final int fracBits;
        final int bias;
        final int maxExp;
        final long quiet;
        final long signBit;

        Fmt(int p, int expBits) {
            this.p = p;
            this.fracBits = p - 1;
            this.bias = (1 << (expBits - 1)) - 1;
            this.maxExp = (1 << expBits) - 1;
            this.quiet = 1L << (fracBits - 1);
            this.signBit = 1L << (fracBits + expBits);
        }
    }

    static final Fmt F32 = new Fmt(24, 8);
    static final Fmt F64 = new Fmt(53, 11);

    int rc() {
        return (mxcsr >> 13) & 3;
    }

    boolean masked(int e) {
        return (mxcsr & (e << 7)) != 0;
    }

    // ------------------------------------------------------------------------------------
    // classification
    // ------------------------------------------------------------------------------------

    static int expOf(Fmt f, long bits) {
        return (int) ((bits >>> f.fracBits) & f.maxExp);
    }

    static long fracOf(Fmt f, long bits) {
        return bits & ((1L << f.fracBits) - 1);
    }

    static boolean isNaN(Fmt f, long bits) {
        return expOf(f, bits) == f.maxExp && fracOf(f, bits) != 0;
    }

    static boolean isSNaN(Fmt f, long bits) {
        return isNaN(f, bits) && (bits & f.quiet) == 0;
    }

    static boolean isInf(Fmt f, long bits) {
        return expOf(f, bits) == f.maxExp && fracOf(f, bits) == 0;
    }

    static boolean isZero(Fmt f, long bits) {
        return (bits & (f.signBit - 1)) == 0;
    }

    static boolean isDenormal(Fmt f, long bits) {
        return expOf(f, bits) == 0 && fracOf(f, bits) != 0;
    }

    static boolean sign(Fmt f, long bits) {
        return (bits & f.signBit) != 0;
    }

    static long mask(Fmt f) {
        return f == F32 ? 0xFFFFFFFFL : -1L;
    }

    /** Applies DAZ to an input: a denormal becomes a zero of its sign. */
    long daz(Fmt f, long bits) {
        if ((mxcsr & DAZ) != 0 && isDenormal(f, bits)) {
            return bits & f.signBit;
        }
        return bits;
    }

    /** Raises DE for a denormal input (after DAZ, which leaves none). */
    void checkDenormal(Fmt f, long bits) {
        if (isDenormal(f, bits)) {
            flags |= DE;
        }
    }

    long quietNaN(Fmt f, long bits) {
        if (isSNaN(f, bits)) {
            flags |= IE;
        }
        return bits | f.quiet;
    }

    /** The SSE NaN rule for two operands, or 0 with {@code nan[0] = false} when neither is NaN. */
    private long propagate(Fmt f, long a, long b) {
        boolean an = isNaN(f, a);
        boolean bn = isNaN(f, b);
        if (isSNaN(f, a) || isSNaN(f, b)) {
            flags |= IE;
        }
        return an ? a | f.quiet : b | f.quiet;
    }

    // ------------------------------------------------------------------------------------
    // rounding: value = (sig + sticky * epsilon) * 2^exp, sig >= 0
    // ------------------------------------------------------------------------------------

    /**
     * Rounds an exact value to format {@code f} under MXCSR, raising PE/UE/OE (and applying FTZ).
     * {@code sig} is non-negative and below 2^62; the value is sig·2^exp plus, when
     * {@code sticky}, something smaller than one unit of sig's last bit.
     */
    long round(Fmt f, boolean neg, long sig, int exp, boolean sticky) {
        long signBits = neg ? f.signBit : 0;
        if (sig == 0 && !sticky) {
            return signBits;
        }
        if (sig == 0) {
            // only a sticky residue: treat as the smallest quantity below the unit
            sig = 1;
            exp -= 2;
        }
        // give at least two bits below the precision so rounding sees round and sticky bits
        int n = 63 - Long.numberOfLeadingZeros(sig);
        int shift = n - (f.p - 1);
        if (shift < 2) {
            sig <<= (2 - shift);
            exp -= (2 - shift);
            shift = 2;
        }
        int minLsb = 1 - f.bias - f.fracBits;
        int rc = rc();
        boolean tiny = false;
        boolean unboundedInexact = false;
        if (exp + shift < minLsb) {
            // tininess after rounding: round to p bits with an unbounded exponent first
            long q = roundBits(sig, shift, sticky, rc, neg);
            unboundedInexact = lastInexact;
            int top = 63 - Long.numberOfLeadingZeros(q) + exp + shift;
            tiny = top < 1 - f.bias;
            shift = minLsb - exp;
        }
        long q = roundBits(sig, shift, sticky, rc, neg);
        boolean inexact = lastInexact;
        int lsb = exp + shift;
        if (q >= (1L << f.p)) {
            q >>>= 1;
            lsb++;
        }
        if (tiny) {
            if (!masked(UE)) {
                // unmasked: UE, and PE when the result rounded with an unbounded exponent
                // (what the handler would see) is inexact (host CPU)
                flags |= UE | (unboundedInexact ? PE : 0);
                return signBits | q; // not stored by the caller (unmasked)
            }
            if ((mxcsr & FTZ) != 0) {
                flags |= UE | PE;
                return signBits;
            }
            if (inexact) {
                flags |= UE | PE;
            }
            return signBits | q; // denormal (or the smallest normal after rounding up)
        }
        if (inexact) {
            flags |= PE;
        }
        if (q < (1L << (f.p - 1))) {
            return signBits | q; // denormal: only when lsb == minLsb
        }
        long e = (long) lsb + f.fracBits + f.bias;
        if (e >= f.maxExp) {
            flags |= masked(OE) ? OE | PE : OE | (inexact ? PE : 0); // unmasked (host CPU)
            return signBits | overflowMagnitude(f, neg, rc);
        }
        return signBits | (e << f.fracBits) | (q & ((1L << f.fracBits) - 1));
    }

    private static long overflowMagnitude(Fmt f, boolean neg, int rc) {
        long inf = (long) f.maxExp << f.fracBits;
        long max = inf - 1;
        switch (rc) {
            case RC_NEAREST: return inf;
            case RC_ZERO: return max;
            case RC_DOWN: return neg ? inf : max;
            default: return neg ? max : inf;
        }
    }

    private boolean lastInexact;

    /** sig shifted right by shift (≥ 1) and rounded; sets {@link #lastInexact}. */
    private long roundBits(long sig, int shift, boolean sticky, int rc, boolean neg) {
        long q;
        boolean rb;
        boolean st;
        if (shift >= 64) {
            q = 0;
            rb = false;
            st = sig != 0 || sticky;
        } else if (shift == 63) {
            q = 0;
            rb = (sig >>> 62) != 0; // sig < 2^63
            st = (sig & ((1L << 62) - 1)) != 0 || sticky;
        } else {
            q = sig >>> shift;
            rb = ((sig >>> (shift - 1)) & 1) != 0;
            st = (sig & ((1L << (shift - 1)) - 1)) != 0 || sticky;
        }
        lastInexact = rb || st;
        boolean up;
        switch (rc) {
            case RC_NEAREST: up = rb && (st || (q & 1) != 0); break;
            case RC_DOWN: up = neg && (rb || st); break;
            case RC_UP: up = !neg && (rb || st); break;
            default: up = false; break;
        }
        return up ? q + 1 : q;
    }

    // ------------------------------------------------------------------------------------
    // unpacking finite nonzero values: value = sig * 2^exp
    // ------------------------------------------------------------------------------------

    private static long sigOf(Fmt f, long bits) {
        long frac = fracOf(f, bits);
        return expOf(f, bits) == 0 ? frac : frac | (1L << f.fracBits);
    }

    private static int exp2Of(Fmt f, long bits) {
        int e = expOf(f, bits);
        return (e == 0 ? 1 : e) - f.bias - f.fracBits;
    }

    // ------------------------------------------------------------------------------------
    // arithmetic
    // ------------------------------------------------------------------------------------

    // ------------------------------------------------------------------------------------
    // fast paths: round-to-nearest, operands and result comfortably normal. Java's double
    // arithmetic is then the correctly rounded IEEE result, and the exact residual (TwoSum or
    // an FMA, exact in this range) decides PE; no other flag can arise. binary32 is computed
    // in binary64, which rounds +, -, ×, ÷ and √ of binary32 operands correctly to binary32
    // (53 ≥ 2·24 + 2), with the binary64 residual and the narrowing deciding PE.
    // ------------------------------------------------------------------------------------

    private static final int OP_ADD = 0, OP_SUB = 1, OP_MUL = 2, OP_DIV = 3;

    /** Whether a binary64 biased exponent is in the fast range. */
    private static boolean fastExp64(long bits) {
        int e = (int) (bits >>> 52) & 0x7FF;
        return e >= 110 && e <= 1940;
    }

    private static boolean fastExp32(long bits) {
        int e = (int) (bits >>> 23) & 0xFF;
        return e >= 2 && e <= 252;
    }

    /** The fast result, or 1 (never a valid result here: a denormal) to take the exact path. */
    private long fast(Fmt f, int op, long a, long b) {
        if ((mxcsr & 0x6000) != 0) {
            return 1;
        }
        if (f == F64) {
            if (!fastExp64(a) || !fastExp64(b)) {
                return 1;
            }
            double x = Double.longBitsToDouble(a);
            double y = Double.longBitsToDouble(b);
            double r;
            boolean inexact;
            switch (op) {
                case OP_ADD: case OP_SUB: {
                    if (op == OP_SUB) {
                        y = -y;
                    }
                    r = x + y;
                    double bb = r - x;
                    inexact = ((x - (r - bb)) + (y - bb)) != 0;
                    break;
                }
                case OP_MUL:
                    r = x * y;
                    inexact = Math.fma(x, y, -r) != 0;
                    break;
                default:
                    r = x / y;
                    inexact = Math.fma(r, y, -x) != 0;
                    break;
            }
            long rb = Double.doubleToRawLongBits(r);
            if (!fastExp64(rb)) {
                return 1;
            }
            if (inexact) {
                flags |= PE;
            }
            return rb;
        }
        if (!fastExp32(a) || !fastExp32(b)) {
            return 1;
        }
        double x = Float.intBitsToFloat((int) a);
        double y = Float.intBitsToFloat((int) b);
        double d;
        boolean inexact;
        switch (op) {
            case OP_ADD: case OP_SUB: {
                if (op == OP_SUB) {
                    y = -y;
                }
                d = x + y;
                double bb = d - x;
                inexact = ((x - (d - bb)) + (y - bb)) != 0;
                break;
            }
            case OP_MUL:
                d = x * y;
                inexact = false; // 24 × 24 bits are exact in binary64
                break;
            default:
                d = x / y;
                inexact = Math.fma(d, y, -x) != 0;
                break;
        }
        float r = (float) d;
        long rb = Float.floatToRawIntBits(r) & 0xFFFFFFFFL;
        if (!fastExp32(rb)) {
            return 1;
        }
        if (inexact || r != d) {
            flags |= PE;
        }
        return rb;
    }

    long add(Fmt f, long a, long b) {
        long r = fast(f, OP_ADD, a, b);
        return r != 1 ? r : addSub(f, a, b, false);
    }

    long sub(Fmt f, long a, long b) {
        long r = fast(f, OP_SUB, a, b);
        return r != 1 ? r : addSub(f, a, b, true);
    }

    private long addSub(Fmt f, long a, long b, boolean subtract) {
        a = daz(f, a);
        b = daz(f, b);
        if (isNaN(f, a) || isNaN(f, b)) {
            return propagate(f, a, b);
        }
        checkDenormal(f, a);
        checkDenormal(f, b);
        boolean sa = sign(f, a);
        boolean sb = sign(f, b) ^ subtract;
        if (isInf(f, a) || isInf(f, b)) {
            if (isInf(f, a) && isInf(f, b) && sa != sb) {
                flags |= IE;
                return indefinite(f);
            }
            return isInf(f, a) ? a : (b ^ (subtract ? f.signBit : 0));
        }
        boolean za = isZero(f, a);
        boolean zb = isZero(f, b);
        if (za && zb) {
            if (sa == sb) {
                return sa ? f.signBit : 0;
            }
            return rc() == RC_DOWN ? f.signBit : 0;
        }
        if (za || zb) {
            // exact, but still rounded (a denormal result under FTZ is not flushed: it is exact
            // and not tiny-inexact; the round path handles that uniformly)
            long v = za ? (b & ~f.signBit) | (sb ? f.signBit : 0) : a;
            return round(f, sign(f, v), sigOf(f, v), exp2Of(f, v), false);
        }
        long ma = sigOf(f, a);
        int ea = exp2Of(f, a);
        long mb = sigOf(f, b);
        int eb = exp2Of(f, b);
        if (ea < eb || (ea == eb && ma < mb)) {
            long t = ma; ma = mb; mb = t;
            int te = ea; ea = eb; eb = te;
            boolean ts = sa; sa = sb; sb = ts;
        }
        // A's significand moved up 9 bits (it has at most 53); B aligned to it with jamming
        ma <<= 9;
        int e = ea - 9;
        int d = eb - e; // B's shift: negative means right
        if (d >= 0) {
            mb <<= d;
        } else {
            int r = -d;
            if (r >= 63) {
                mb = mb != 0 ? 1 : 0;
            } else {
                long lost = mb & ((1L << r) - 1);
                mb = (mb >>> r) | (lost != 0 ? 1 : 0);
            }
        }
        long m = sa == sb ? ma + mb : ma - mb;
        if (m == 0) {
            return rc() == RC_DOWN ? f.signBit : 0;
        }
        return round(f, sa, m, e, false);
    }

    long mul(Fmt f, long a, long b) {
        long fr = fast(f, OP_MUL, a, b);
        if (fr != 1) {
            return fr;
        }
        a = daz(f, a);
        b = daz(f, b);
        if (isNaN(f, a) || isNaN(f, b)) {
            return propagate(f, a, b);
        }
        checkDenormal(f, a);
        checkDenormal(f, b);
        boolean neg = sign(f, a) ^ sign(f, b);
        long s = neg ? f.signBit : 0;
        if (isInf(f, a) || isInf(f, b)) {
            if (isZero(f, a) || isZero(f, b)) {
                flags |= IE;
                return indefinite(f);
            }
            return s | ((long) f.maxExp << f.fracBits);
        }
        if (isZero(f, a) || isZero(f, b)) {
            return s;
        }
        long ma = sigOf(f, a);
        long mb = sigOf(f, b);
        int e = exp2Of(f, a) + exp2Of(f, b);
        long hi = Math.multiplyHigh(ma, mb);
        long lo = ma * mb;
        boolean sticky = false;
        long m;
        if (hi == 0 && lo >= 0 && lo < (1L << 62)) {
            m = lo;
        } else {
            int bitlen = hi == 0 ? 64 - Long.numberOfLeadingZeros(lo)
                    : 128 - Long.numberOfLeadingZeros(hi);
            int k = bitlen - 61;
            if (k < 64) {
                m = (hi << (64 - k)) | (lo >>> k);
                sticky = (lo & ((1L << k) - 1)) != 0;
            } else {
                m = hi >>> (k - 64);
                sticky = lo != 0 || (hi & ((1L << (k - 64)) - 1)) != 0;
            }
            e += k;
        }
        return round(f, neg, m, e, sticky);
    }

    long div(Fmt f, long a, long b) {
        long fr = fast(f, OP_DIV, a, b);
        if (fr != 1) {
            return fr;
        }
        a = daz(f, a);
        b = daz(f, b);
        if (isNaN(f, a) || isNaN(f, b)) {
            return propagate(f, a, b);
        }
        boolean neg = sign(f, a) ^ sign(f, b);
        long s = neg ? f.signBit : 0;
        if (isInf(f, a)) {
            if (isInf(f, b)) {
                flags |= IE;
                return indefinite(f);
            }
            checkDenormal(f, b);
            return s | ((long) f.maxExp << f.fracBits);
        }
        if (isInf(f, b)) {
            checkDenormal(f, a);
            return s;
        }
        if (isZero(f, b)) {
            if (isZero(f, a)) {
                flags |= IE;
                return indefinite(f);
            }
            flags |= ZE; // a denormal dividend does not also raise DE (host CPU)
            return s | ((long) f.maxExp << f.fracBits);
        }
        checkDenormal(f, a);
        checkDenormal(f, b);
        if (isZero(f, a)) {
            return s;
        }
        long ma = sigOf(f, a);
        int ea = exp2Of(f, a);
        long mb = sigOf(f, b);
        int eb = exp2Of(f, b);
        int za = Long.numberOfLeadingZeros(ma) - 10;
        ma <<= za; ea -= za;
        int zb = Long.numberOfLeadingZeros(mb) - 10;
        mb <<= zb; eb -= zb;
        long q = ma / mb;
        long rem = ma % mb;
        for (int i = 0; i < 61; i++) {
            rem <<= 1;
            q <<= 1;
            if (rem >= mb) {
                rem -= mb;
                q |= 1;
            }
        }
        return round(f, neg, q, ea - eb - 61, rem != 0);
    }

    long sqrt(Fmt f, long a) {
        if ((mxcsr & 0x6000) == 0 && (a & f.signBit) == 0
                && (f == F64 ? fastExp64(a) : fastExp32(a))) {
            double x = f == F64 ? Double.longBitsToDouble(a) : Float.intBitsToFloat((int) a);
            double d = Math.sqrt(x);
            boolean inexact = Math.fma(d, d, -x) != 0;
            long rb;
            if (f == F64) {
                rb = Double.doubleToRawLongBits(d);
            } else {
                float r = (float) d;
                inexact |= r != d;
                rb = Float.floatToRawIntBits(r) & 0xFFFFFFFFL;
            }
            if (inexact) {
                flags |= PE;
            }
            return rb;
        }
        a = daz(f, a);
        if (isNaN(f, a)) {
            return quietNaN(f, a);
        }
        if (isZero(f, a)) {
            return a;
        }
        if (sign(f, a)) {
            flags |= IE; // a negative denormal raises IE only (host CPU)
            return indefinite(f);
        }
        if (isInf(f, a)) {
            return a;
        }
        checkDenormal(f, a);
        long m = sigOf(f, a);
        int e = exp2Of(f, a);
        if ((e & 1) != 0) {
            m <<= 1;
            e -= 1;
        }
        // radicand with at least 2(p+3) bits so the root has p+3 bits
        int bits = 64 - Long.numberOfLeadingZeros(m);
        int k = Math.max(0, (2 * (f.p + 3) - bits + 1) / 2 + 1);
        BigInteger r = BigInteger.valueOf(m).shiftLeft(2 * k);
        BigInteger root = r.sqrt();
        boolean sticky = !root.multiply(root).equals(r);
        return round(f, false, root.longValueExact(), (e - 2 * k) / 2, sticky);
    }

    static long indefinite(Fmt f) {
        return f == F32 ? F32_INDEFINITE & 0xFFFFFFFFL : F64_INDEFINITE;
    }

    /**
     * MINPS/MINSD and MAXPS/MAXSD: if either operand is a NaN (quiet or signalling), or both
     * are zeros of any sign, the second operand is returned unchanged; any NaN raises IE.
     */
    long minMax(Fmt f, long a, long b, boolean max) {
        a = daz(f, a);
        b = daz(f, b);
        if (isNaN(f, a) || isNaN(f, b)) {
            flags |= IE;
            return b;
        }
        checkDenormal(f, a);
        checkDenormal(f, b);
        if (isZero(f, a) && isZero(f, b)) {
            return b;
        }
        int c = compareOrdered(f, a, b);
        if (max) {
            return c > 0 ? a : b;
        }
        return c < 0 ? a : b;
    }

    /** Compares two non-NaN values: -1, 0, 1 (zeros equal). */
    static int compareOrdered(Fmt f, long a, long b) {
        if (isZero(f, a) && isZero(f, b)) {
            return 0;
        }
        boolean sa = sign(f, a);
        boolean sb = sign(f, b);
        if (sa != sb) {
            return sa ? -1 : 1;
        }
        long ma = a & (f.signBit - 1);
        long mb = b & (f.signBit - 1);
        int c = Long.compare(ma, mb);
        return sa ? -c : c;
    }

    /**
     * CMPPS/CMPSD predicate 0..7 (EQ LT LE UNORD NEQ NLT NLE ORD): true or false. LT, LE, NLT
     * and NLE signal IE on any NaN; the others only on an SNaN.
     */
    boolean cmp(Fmt f, long a, long b, int pred) {
        a = daz(f, a);
        b = daz(f, b);
        boolean unordered = isNaN(f, a) || isNaN(f, b);
        boolean signaling = pred == 1 || pred == 2 || pred == 5 || pred == 6;
        if (unordered) {
            if (signaling || isSNaN(f, a) || isSNaN(f, b)) {
                flags |= IE;
            }
        } else {
            checkDenormal(f, a);
            checkDenormal(f, b);
        }
        int c = unordered ? 2 : compareOrdered(f, a, b);
        switch (pred & 7) {
            case 0: return c == 0;
            case 1: return c == -1;
            case 2: return c == -1 || c == 0;
            case 3: return unordered;
            case 4: return c != 0;
            case 5: return !(c == -1);
            case 6: return !(c == -1 || c == 0);
            default: return !unordered;
        }
    }

    /**
     * COMISS/UCOMISS (and the SD forms): ZF, PF, CF as RFLAGS bits (unordered 111, less 001,
     * equal 100, greater 000). COMIS signals IE on any NaN, UCOMIS only on an SNaN.
     */
    int comi(Fmt f, long a, long b, boolean signaling) {
        a = daz(f, a);
        b = daz(f, b);
        if (isNaN(f, a) || isNaN(f, b)) {
            if (signaling || isSNaN(f, a) || isSNaN(f, b)) {
                flags |= IE;
            }
            return 0x40 | 0x04 | 0x01;
        }
        checkDenormal(f, a);
        checkDenormal(f, b);
        int c = compareOrdered(f, a, b);
        return c == 0 ? 0x40 : c < 0 ? 0x01 : 0;
    }

    // ------------------------------------------------------------------------------------
    // conversions
    // ------------------------------------------------------------------------------------

    /** Float format to float format (CVTSS2SD, CVTSD2SS and the packed forms). */
    long convert(Fmt from, Fmt to, long a) {
        a = daz(from, a);
        boolean neg = sign(from, a);
        long s = neg ? to.signBit : 0;
        if (isNaN(from, a)) {
            if (isSNaN(from, a)) {
                flags |= IE;
            }
            long frac = fracOf(from, a) | from.quiet;
            long nf = to.fracBits >= from.fracBits ? frac << (to.fracBits - from.fracBits)
                    : frac >>> (from.fracBits - to.fracBits);
            return s | ((long) to.maxExp << to.fracBits) | nf | to.quiet;
        }
        if (isInf(from, a)) {
            return s | ((long) to.maxExp << to.fracBits);
        }
        if (isZero(from, a)) {
            return s;
        }
        checkDenormal(from, a);
        return round(to, neg, sigOf(from, a), exp2Of(from, a), false);
    }

    /** A signed integer to a float format, rounded under MXCSR. */
    long fromInt(Fmt to, long v) {
        if (v == 0) {
            return 0;
        }
        boolean neg = v < 0;
        if (v == Long.MIN_VALUE) {
            return round(to, true, 1L << 61, 2, false);
        }
        long m = Math.abs(v);
        if (m >= (1L << 62)) {
            return round(to, neg, m >>> 1, 1, (m & 1) != 0);
        }
        return round(to, neg, m, 0, false);
    }

    /**
     * A float to a signed integer of {@code bits} (32 or 64), rounded under MXCSR or truncated;
     * NaN and out-of-range give the integer indefinite (the sign bit only) with IE.
     */
    long toInt(Fmt from, long a, int bits, boolean truncate) {
        a = daz(from, a);
        long indefinite = bits == 32 ? 0x80000000L : Long.MIN_VALUE;
        if (isNaN(from, a) || isInf(from, a)) {
            flags |= IE;
            return indefinite;
        }
        if (isZero(from, a)) {
            return 0;
        }
        boolean neg = sign(from, a);
        long m = sigOf(from, a);
        int e = exp2Of(from, a);
        int rc = truncate ? RC_ZERO : rc();
        long q;
        boolean inexact;
        if (e >= 0) {
            int len = 64 - Long.numberOfLeadingZeros(m) + e;
            boolean minValue = len == 64 && neg && Long.bitCount(m) == 1; // exactly -2^63
            if (len > 63 && !minValue) {
                flags |= IE;
                return indefinite;
            }
            q = m << e;
            inexact = false;
        } else {
            int shift = -e;
            if (shift < 2) {
                m <<= 2 - shift;
                shift = 2;
            }
            q = roundBits(m, shift, false, rc, neg);
            inexact = lastInexact;
        }
        // range check on the rounded magnitude
        long limit = bits == 32 ? (1L << 31) : Long.MIN_VALUE; // magnitude bound (unsigned)
        boolean fits;
        if (bits == 32) {
            fits = q >= 0 && (neg ? q <= limit : q < limit);
        } else {
            fits = q >= 0 || (neg && q == Long.MIN_VALUE);
        }
        if (!fits) {
            flags |= IE;
            return indefinite;
        }
        if (inexact) {
            flags |= PE;
        }
        long r = neg ? -q : q;
        return bits == 32 ? r & 0xFFFFFFFFL : r;
    }

    /**
     * ROUNDSS/SD/PS/PD: to an integral value in the same format; {@code mode} 0–3 or -1 for
     * MXCSR.RC; {@code suppressPe} (imm bit 3) keeps PE clear. An SNaN raises IE and is
     * quieted; denormal inputs raise no DE.
     */
    long roundInt(Fmt f, long a, int mode, boolean suppressPe) {
        a = daz(f, a);
        if (isNaN(f, a)) {
            return quietNaN(f, a);
        }
        if (isInf(f, a) || isZero(f, a)) {
            return a;
        }
        int e = exp2Of(f, a);
        if (e >= 0) {
            return a;
        }
        boolean neg = sign(f, a);
        int rc = mode < 0 ? rc() : mode;
        long m = sigOf(f, a);
        int shift = -e;
        if (shift < 2) {
            m <<= 2 - shift;
            shift = 2;
        }
        long q = roundBits(m, shift, false, rc, neg);
        if (lastInexact && !suppressPe) {
            flags |= PE;
        }
        if (q == 0) {
            return neg ? f.signBit : 0;
        }
        int save = flags;
        long r = round(f, neg, q, 0, false); // exact
        flags = save;
        return r;
    }
}
