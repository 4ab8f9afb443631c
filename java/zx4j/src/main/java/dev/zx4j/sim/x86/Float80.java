package dev.zx4j.sim.x86;

import java.math.BigInteger;

/**
 * Extended-precision (80-bit) soft-float arithmetic as the x87 unit does it, in plain integer
 * code: exact results rounded once under the precision and rounding controls of a control word,
 * with the exception flags and the C1 "rounded up" indication as side outputs.
 *
 * <p>A value is a 64-bit significand with its explicit integer bit (bit 63) and a 16-bit
 * sign/exponent word (sign in bit 15, exponent biased by 16383). Operations take their inputs as
 * ({@code se}, {@code m}) pairs, return the result's significand and leave its sign/exponent in
 * {@link #rse}; {@link #flags} accumulates IE DE ZE OE UE PE (the status-word bit positions) and
 * {@link #c1} tells whether the last rounding increased the magnitude.
 *
 * <p>Rules followed (Intel SDM vol. 1 ch. 4 and 8; AMD APM vol. 1 ch. 6 agrees):
 * <ul>
 *   <li>Operands: pseudo-NaN, pseudo-infinity and unnormals are unsupported formats (invalid
 *       operation, result the real indefinite); pseudo-denormals are read as denormals (the
 *       value with exponent 1) and, like denormals, raise DE in arithmetic.</li>
 *   <li>Priority: invalid (signalling NaN, unsupported format, invalid combination) before
 *       denormal operand before zero divide before overflow/underflow/precision; a quiet NaN
 *       operand suppresses DE.</li>
 *   <li>Two NaNs: a quiet NaN wins over a signalling one; two of the same kind give the one with
 *       the larger significand, the positive one when equal; a signalling NaN is quietened.</li>
 *   <li>Rounding: to 24, 53 or 64 significand bits by PC (the exponent range stays the
 *       extended one), nearest-even, down, up or toward zero by RC. Tininess is detected after
 *       rounding (measured on the host). Masked underflow: denormalize, UE only when also inexact. Unmasked underflow
 *       or overflow with a register destination: the exponent is adjusted by 24576 and the
 *       rounded significand delivered (the caller decides what a memory destination gets).</li>
 * </ul>
 * Instances are not thread-safe: one per VCPU.
 */
public final class Float80 {
    /**
     * Exception flags in their status-word positions: invalid operation, denormal operand, zero
     * divide, overflow, underflow, precision (inexact).
     */
    public static final int IE = 0x01, DE = 0x02, ZE = 0x04, OE = 0x08, UE = 0x10, PE = 0x20;

    /** The real indefinite (a negative quiet NaN): sign/exponent and significand. */
    public static final int INDEF_SE = 0xFFFF;
    /** Significand of the real indefinite (integer bit and top fraction bit set). */
    public static final long INDEF_M = 0xC000_0000_0000_0000L;

    /** Exponent bias of the extended format. */
    public static final int BIAS = 16383;
    static final long TOP = 0x8000_0000_0000_0000L;

    // operand classes
    /**
     * Operand classes returned by {@link #classify}: zero, normal, denormal (or pseudo-denormal),
     * infinity, quiet NaN, signalling NaN, and the unsupported encodings (pseudo-NaN, unnormal…).
     */
    public static final int ZERO = 0, NORMAL = 1, DENORMAL = 2, INF = 3, QNAN = 4, SNAN = 5, UNSUPPORTED = 6;

    /** Control word in effect: masks in bits 5..0, PC in 9..8, RC in 11..10. */
    public int cw = 0x037F;
    /** Exception flags raised (IE..PE bit positions). */
    public int flags;
    /** Whether the last rounding increased the magnitude (C1). */
    public boolean c1;
    /** Sign/exponent of the last result. */
    public int rse;

    /** An arithmetic unit with the default control word 0x037F (all masked, PC 64, RC nearest). */
    public Float80() {
    }

    /** {@return the rounding control: 0 nearest-even, 1 down, 2 up, 3 toward zero} */
    public int rc() {
        return (cw >> 10) & 3;
    }

    /**
     * Significand bits delivered for the precision control: 24, 53 or 64 (PC = 1 reserved: 64).
     *
     * @return 24, 53 or 64
     */
    public int precisionBits() {
        switch ((cw >> 8) & 3) {
            case 0:
                return 24;
            case 2:
                return 53;
            default:
                return 64;
        }
    }

    private boolean masked(int flag) {
        return (cw & flag) != 0;
    }

    /**
     * Classifies an extended value.
     *
     * @param se the sign/exponent word
     * @param m the significand
     * @return {@link #ZERO}, {@link #NORMAL}, {@link #DENORMAL}, {@link #INF}, {@link #QNAN},
     *         {@link #SNAN} or {@link #UNSUPPORTED}
     */
    public static int classify(int se, long m) {
        int exp = se & 0x7FFF;
        if (exp == 0x7FFF) {
            if (m >= 0) {
                return UNSUPPORTED;
            }
            if ((m << 1) == 0) {
                return INF;
            }
            return (m & 0x4000_0000_0000_0000L) != 0 ? QNAN : SNAN;
        }
        if (exp == 0) {
            return m == 0 ? ZERO : DENORMAL;
        }
        return m < 0 ? NORMAL : UNSUPPORTED;
    }

    /**
     * Whether an operand class is a NaN.
     *
     * @param k a class from {@link #classify}
     * @return true for {@link #QNAN} and {@link #SNAN}
     */
    public static boolean isNaN(int k) {
        return k == QNAN || k == SNAN;
    }

    // ---- results ---------------------------------------------------------------------------

    private long result(int se, long m) {
        rse = se;
        return m;
    }

    long indefinite() {
        flags |= IE;
        return result(INDEF_SE, INDEF_M);
    }

    private long zero(int sign) {
        return result(sign << 15, 0);
    }

    private long inf(int sign) {
        return result((sign << 15) | 0x7FFF, TOP);
    }

    /**
     * The NaN result for operands of which at least one is a NaN (or unsupported): IE for a
     * signalling NaN or an unsupported format.
     */
    long nanResult(int sa, long ma, int ka, int sb, long mb, int kb) {
        if (ka == UNSUPPORTED || kb == UNSUPPORTED) {
            return indefinite();
        }
        if (ka == SNAN || kb == SNAN) {
            flags |= IE;
        }
        boolean an = isNaN(ka), bn = isNaN(kb);
        if (an && bn) {
            if (ka != kb) {
                return ka == QNAN ? result(sa, ma) : result(sb, mb);
            }
            long qa = ma | 0x4000_0000_0000_0000L, qb = mb | 0x4000_0000_0000_0000L;
            int c = Long.compareUnsigned(qa, qb);
            if (c > 0 || (c == 0 && (sa & 0x8000) == 0)) {
                return result(sa, qa);
            }
            return result(sb, qb);
        }
        if (an) {
            return result(sa, ma | 0x4000_0000_0000_0000L);
        }
        return result(sb, mb | 0x4000_0000_0000_0000L);
    }

    long nanResult1(int sa, long ma, int ka) {
        if (ka == UNSUPPORTED) {
            return indefinite();
        }
        if (ka == SNAN) {
            flags |= IE;
        }
        return result(sa, ma | 0x4000_0000_0000_0000L);
    }

    // ---- rounding ----------------------------------------------------------------------------

    /** Normalized exponent of a (denormal or normal) operand with a nonzero significand. */
    static int normExp(int se, long m) {
        int exp = se & 0x7FFF;
        if (exp == 0) {
            exp = 1;
        }
        return exp - Long.numberOfLeadingZeros(m);
    }

    static long normSig(long m) {
        return m << Long.numberOfLeadingZeros(m);
    }

    /**
     * Rounds the exact value (sig:extra) × 2^(exp − 16383 − 63) (sig normalized, bit 63 set; the
     * exponent may lie outside the format) to the register format under PC and RC.
     *
     * @param sign the sign, 0 or 1
     * @param exp the biased exponent, possibly out of range
     * @param sig the normalized significand
     * @param extra the bits below the significand (for rounding)
     * @return the rounded significand; its sign/exponent is left in {@link #rse}
     */
    public long roundPack(int sign, int exp, long sig, long extra) {
        return roundPackPrec(sign, exp, sig, extra, precisionBits());
    }

    /**
     * {@link #roundPack} at a given precision (64 for exact-format results).
     *
     * @param sign the sign, 0 or 1
     * @param exp the biased exponent, possibly out of range
     * @param sig the normalized significand
     * @param extra the bits below the significand
     * @param prec the precision in bits: 24, 53 or 64
     * @return the rounded significand; its sign/exponent is left in {@link #rse}
     */
    public long roundPackPrec(int sign, int exp, long sig, long extra, int prec) {
        c1 = false;
        // tininess after rounding (measured): a result just below the smallest normal that
        // rounds up to it at the precision, as if the exponent range were unbounded, is not tiny
        if (exp <= 0 && (exp < 0 || tinyAfterRounding(sign, sig, extra, prec))) {
            if (!masked(UE)) {
                flags |= UE;
                exp += 24576;
                if (exp <= 0) {
                    // still out of range after the adjustment (only FSCALE gets here): a signed zero
                    flags |= PE;
                    return zero(sign);
                }
            } else {
                // denormalize
                int shift = 1 - exp;
                long[] r = shiftRightJam128(sig, extra, shift);
                long s = roundSig(sign, r[0], r[1], prec);
                boolean inexact = lastInexact;
                if (inexact) {
                    flags |= UE | PE;
                }
                if (carry) {
                    return result((sign << 15) | 1, TOP);
                }
                return result((sign << 15) | (s < 0 ? 1 : 0), s);
            }
        }
        long s = roundSig(sign, sig, extra, prec);
        if (lastInexact) {
            flags |= PE;
        }
        if (carry) {
            s = TOP;
            exp++;
        }
        if (exp >= 0x7FFF) {
            if (!masked(OE)) {
                flags |= OE;
                exp -= 24576;
                if (exp >= 0x7FFF) {
                    // still out of range after the adjustment (only FSCALE gets here): infinity (measured)
                    flags |= PE;
                    c1 = true;
                    return inf(sign);
                }
                return result((sign << 15) | exp, s);
            }
            flags |= OE | PE;
            return overflowResult(sign, prec, 0x7FFE);
        }
        return result((sign << 15) | exp, s);
    }

    /** Masked overflow: infinity or the largest finite value by rounding mode and sign. */
    private long overflowResult(int sign, int prec, int maxExp) {
        int rc = rc();
        boolean toInf = rc == 0 || (rc == 1 && sign != 0) || (rc == 2 && sign == 0);
        if (toInf) {
            c1 = true;
            return inf(sign);
        }
        c1 = false;
        long max = prec == 64 ? -1L : -1L << (64 - prec);
        return result((sign << 15) | maxExp, max);
    }

    /** For a value in [2^-16383, 2^-16382): whether it stays below 2^-16382 once rounded. */
    private boolean tinyAfterRounding(int sign, long sig, long extra, int prec) {
        roundSig(sign, sig, extra, prec);
        return !carry;
    }

    private boolean lastInexact;
    private boolean carry;

    /**
     * Rounds (sig:extra) to the top {@code prec} bits of sig under RC; sets lastInexact, carry
     * (the significand overflowed to 2^64: the result is then TOP with the exponent + 1) and c1.
     */
    private long roundSig(int sign, long sig, long extra, int prec) {
        long mask = prec >= 64 ? 0 : -1L >>> prec; // bits below the precision
        long rbits;
        long half;
        long below; // the discarded part, as a fraction of one unit in the last place, left-aligned
        if (mask == 0) {
            below = extra;
        } else {
            below = ((sig & mask) << prec) | (extra != 0 ? 1 : 0);
        }
        lastInexact = below != 0;
        carry = false;
        c1 = false;
        if (!lastInexact) {
            return sig;
        }
        long trunc = sig & ~mask;
        long ulp = mask + 1; // 1 when mask == 0
        boolean inc;
        switch (rc()) {
            case 0:
                inc = below < 0 && (below != TOP || (trunc & ulp) != 0);
                break;
            case 1:
                inc = sign != 0;
                break;
            case 2:
                inc = sign == 0;
                break;
            default:
                inc = false;
        }
        rbits = trunc;
        if (inc) {
            rbits = trunc + ulp;
            c1 = true;
            if (Long.compareUnsigned(rbits, trunc) < 0) {
                carry = true;
                rbits = TOP;
            }
        }
        return rbits;
    }

    static long[] shiftRightJam128(long hi, long lo, int n) {
        if (n == 0) {
            return new long[] {hi, lo};
        }
        if (n < 64) {
            long nlo = (lo >>> n) | (hi << (64 - n)) | ((lo << (64 - n)) != 0 ? 1 : 0);
            return new long[] {hi >>> n, nlo};
        }
        if (n == 64) {
            return new long[] {0, hi | (lo != 0 ? 1 : 0)};
        }
        if (n < 128) {
            long nlo = (hi >>> (n - 64)) | (((hi << (128 - n)) | lo) != 0 ? 1 : 0);
            return new long[] {0, nlo};
        }
        return new long[] {0, (hi | lo) != 0 ? 1 : 0};
    }

    /**
     * Rounds mag × 2^scale (mag &gt; 0; {@code sticky} = more nonzero bits below) to the
     * register format at precision {@code prec}.
     *
     * @param sign the sign, 0 or 1
     * @param mag the magnitude's bits
     * @param scale the power of two that scales {@code mag}
     * @param sticky whether nonzero bits were dropped below {@code mag}
     * @param prec the precision in bits: 24, 53 or 64
     * @return the rounded significand; its sign/exponent is left in {@link #rse}
     */
    public long packBig(int sign, BigInteger mag, int scale, boolean sticky, int prec) {
        int len = mag.bitLength();
        long hi, lo;
        if (len <= 64) {
            hi = mag.longValue() << (64 - len);
            lo = 0;
        } else if (len <= 128) {
            BigInteger h = mag.shiftRight(len - 64);
            hi = h.longValue();
            lo = mag.subtract(h.shiftLeft(len - 64)).shiftLeft(128 - len).longValue();
        } else {
            BigInteger h = mag.shiftRight(len - 128);
            hi = h.shiftRight(64).longValue();
            lo = h.longValue();
            if (h.shiftLeft(len - 128).compareTo(mag) != 0) {
                sticky = true;
            }
        }
        if (sticky) {
            lo |= 1;
        }
        int exp = len - 1 + scale + BIAS;
        return roundPackPrec(sign, exp, hi, lo, prec);
    }

    // ---- + − × ÷ √ -----------------------------------------------------------------------------

    /**
     * a + b (b's sign flipped when {@code subtract}).
     *
     * @param sa the sign/exponent word of a
     * @param ma the significand of a
     * @param sb the sign/exponent word of b
     * @param mb the significand of b
     * @param subtract whether to compute a − b
     * @return the result's significand; its sign/exponent is left in {@link #rse}
     */
    public long add(int sa, long ma, int sb, long mb, boolean subtract) {
        int ka = classify(sa, ma), kb = classify(sb, mb);
        if (ka >= QNAN || kb >= QNAN) {
            return nanResult(sa, ma, ka, sb, mb, kb); // NaNs keep their own sign
        }
        if (subtract) {
            sb ^= 0x8000;
        }
        int signA = sa >>> 15, signB = (sb >>> 15) & 1;
        if (ka == INF || kb == INF) {
            if (ka == INF && kb == INF && signA != signB) {
                return indefinite();
            }
            denormalCheck(ka, kb);
            return inf(ka == INF ? signA : signB);
        }
        if (denormalCheck(ka, kb)) {
            return 0;
        }
        if (ka == ZERO && kb == ZERO) {
            if (signA == signB) {
                return zero(signA);
            }
            return zero(rc() == 1 ? 1 : 0);
        }
        if (ka == ZERO) {
            return roundPack(signB, normExp(sb, mb), normSig(mb), 0);
        }
        if (kb == ZERO) {
            return roundPack(signA, normExp(sa, ma), normSig(ma), 0);
        }
        int ea = normExp(sa, ma), eb = normExp(sb, mb);
        long ga = normSig(ma), gb = normSig(mb);
        if (ea < eb || (ea == eb && Long.compareUnsigned(ga, gb) < 0)) {
            int t = ea; ea = eb; eb = t;
            long u = ga; ga = gb; gb = u;
            int s = signA; signA = signB; signB = s;
        }
        int d = ea - eb;
        long[] b = shiftRightJam128(gb, 0, Math.min(d, 200));
        if (signA == signB) {
            long hi = ga + b[0];
            long lo = b[1];
            if (Long.compareUnsigned(hi, ga) < 0) {
                lo = (lo >>> 1) | (hi << 63) | (lo & 1);
                hi = (hi >>> 1) | TOP;
                ea++;
            }
            return roundPack(signA, ea, hi, lo);
        }
        long lo = -b[1];
        long hi = ga - b[0] - (b[1] != 0 ? 1 : 0);
        if (hi == 0 && lo == 0) {
            return zero(rc() == 1 ? 1 : 0);
        }
        int n;
        if (hi == 0) {
            n = 64 + Long.numberOfLeadingZeros(lo);
            hi = lo << (n - 64);
            lo = 0;
        } else {
            n = Long.numberOfLeadingZeros(hi);
            if (n > 0) {
                hi = (hi << n) | (lo >>> (64 - n));
                lo <<= n;
            }
        }
        return roundPack(signA, ea - n, hi, lo);
    }

    /**
     * Operands that came from a denormal single or double in memory (normal once widened to 80
     * bits) still raise DE: the caller sets these for the current operation.
     */
    public boolean aDenormal, bDenormal;

    void swapDenormal() {
        boolean t = aDenormal;
        aDenormal = bDenormal;
        bDenormal = t;
    }

    /** Raises DE for a denormal operand; true when DE is unmasked (the operation stops). */
    boolean denormalCheck(int ka, int kb) {
        if (ka == DENORMAL || kb == DENORMAL || aDenormal || bDenormal) {
            flags |= DE;
            return !masked(DE);
        }
        return false;
    }

    /**
     * a × b, rounded under the control word.
     *
     * @param sa the sign/exponent word of a
     * @param ma the significand of a
     * @param sb the sign/exponent word of b
     * @param mb the significand of b
     * @return the result's significand; its sign/exponent is left in {@link #rse}
     */
    public long mul(int sa, long ma, int sb, long mb) {
        int ka = classify(sa, ma), kb = classify(sb, mb);
        if (ka >= QNAN || kb >= QNAN) {
            return nanResult(sa, ma, ka, sb, mb, kb);
        }
        int sign = ((sa ^ sb) >>> 15) & 1;
        if (ka == INF || kb == INF) {
            if (ka == ZERO || kb == ZERO) {
                return indefinite();
            }
            denormalCheck(ka, kb);
            return inf(sign);
        }
        if (denormalCheck(ka, kb)) {
            return 0;
        }
        if (ka == ZERO || kb == ZERO) {
            return zero(sign);
        }
        int ea = normExp(sa, ma), eb = normExp(sb, mb);
        long ga = normSig(ma), gb = normSig(mb);
        long lo = ga * gb;
        long hi = Math.multiplyHigh(ga, gb) + ((ga >> 63) & gb) + ((gb >> 63) & ga);
        int exp = ea + eb - BIAS + 1;
        if (hi >= 0) {
            hi = (hi << 1) | (lo >>> 63);
            lo <<= 1;
            exp--;
        }
        return roundPack(sign, exp, hi, lo);
    }

    /**
     * a × b rounded at {@code prec} bits whatever PC says.
     *
     * @param sa the sign/exponent word of a
     * @param ma the significand of a
     * @param sb the sign/exponent word of b
     * @param mb the significand of b
     * @param prec the precision in bits
     * @return the result's significand; its sign/exponent is left in {@link #rse}
     */
    public long mulPrec(int sa, long ma, int sb, long mb, int prec) {
        int saved = cw;
        cw = (cw & ~0x300) | (prec == 64 ? 0x300 : prec == 53 ? 0x200 : 0);
        try {
            return mul(sa, ma, sb, mb);
        } finally {
            cw = saved;
        }
    }

    /**
     * a ÷ b, rounded under the control word; ZE for a finite nonzero a divided by zero.
     *
     * @param sa the sign/exponent word of a
     * @param ma the significand of a
     * @param sb the sign/exponent word of b
     * @param mb the significand of b
     * @return the result's significand; its sign/exponent is left in {@link #rse}
     */
    public long div(int sa, long ma, int sb, long mb) {
        int ka = classify(sa, ma), kb = classify(sb, mb);
        if (ka >= QNAN || kb >= QNAN) {
            return nanResult(sa, ma, ka, sb, mb, kb);
        }
        int sign = ((sa ^ sb) >>> 15) & 1;
        if (ka == INF) {
            if (kb == INF) {
                return indefinite();
            }
            denormalCheck(ka, kb);
            return inf(sign);
        }
        if (kb == INF) {
            denormalCheck(ka, kb);
            return zero(sign);
        }
        if (ka == ZERO && kb == ZERO) {
            return indefinite();
        }
        if (kb == ZERO) {
            // measured: a denormal dividend with a zero divisor raises ZE only
            flags |= ZE;
            if (!masked(ZE)) {
                return 0;
            }
            return inf(sign);
        }
        if (denormalCheck(ka, kb)) {
            return 0;
        }
        if (ka == ZERO) {
            return zero(sign);
        }
        int ea = normExp(sa, ma), eb = normExp(sb, mb);
        long ga = normSig(ma), gb = normSig(mb);
        int exp = ea - eb + BIAS;
        // long division, one quotient bit per step; remainder is rem (+ 2^64 when hiBit)
        long rem = ga;
        boolean hiBit = false;
        if (Long.compareUnsigned(ga, gb) < 0) {
            hiBit = true; // rem = ga * 2
            rem = ga << 1;
            exp--;
        }
        long q = 0;
        for (int k = 0; k < 65; k++) {
            boolean bit = hiBit || Long.compareUnsigned(rem, gb) >= 0;
            if (bit) {
                rem -= gb;
            }
            if (k < 64) {
                q = (q << 1) | (bit ? 1 : 0);
                hiBit = rem < 0;
                rem <<= 1;
            } else {
                long extra = (bit ? TOP : 0) | ((rem != 0) ? 1 : 0);
                return roundPack(sign, exp, q, extra);
            }
        }
        throw new AssertionError();
    }

    /**
     * The square root of a, rounded under the control word; IE for a negative nonzero a.
     *
     * @param sa the sign/exponent word of a
     * @param ma the significand of a
     * @return the result's significand; its sign/exponent is left in {@link #rse}
     */
    public long sqrt(int sa, long ma) {
        int ka = classify(sa, ma);
        if (ka >= QNAN) {
            return nanResult1(sa, ma, ka);
        }
        int sign = sa >>> 15;
        if (ka == ZERO) {
            return result(sa, 0);
        }
        if (sign != 0) {
            return indefinite();
        }
        if (ka == INF) {
            return result(sa, ma);
        }
        if (denormalCheck(ka, ZERO)) {
            return 0;
        }
        int e = normExp(sa, ma) - BIAS - 63; // value = sig * 2^e
        long sig = normSig(ma);
        // radicand sig * 2^s with e - s even: 127 or 128 bits, so the root has exactly 64 bits
        int sh = (e & 1) == 0 ? 64 : 63;
        long rh = sh == 64 ? sig : sig >>> 1;
        long rl = sh == 64 ? 0 : sig << 63;
        // bit-by-bit square root: root = floor(sqrt(R)), rem = R - root^2
        long root = 0, remH = 0, remL = 0;
        for (int i = 63; i >= 0; i--) {
            int pair = i >= 32 ? (int) (rh >>> (2 * i - 64)) & 3 : (int) (rl >>> (2 * i)) & 3;
            remH = (remH << 2) | (remL >>> 62);
            remL = (remL << 2) | pair;
            long tH = root >>> 62, tL = (root << 2) | 1;
            boolean ge = remH != tH ? Long.compareUnsigned(remH, tH) > 0 : Long.compareUnsigned(remL, tL) >= 0;
            if (ge) {
                long nl = remL - tL;
                remH = remH - tH - (Long.compareUnsigned(remL, tL) < 0 ? 1 : 0);
                remL = nl;
                root = (root << 1) | 1;
            } else {
                root <<= 1;
            }
        }
        // (root + 1/2)^2 = root^2 + root + 1/4 is never an integer: above half iff rem > root
        boolean remZero = remH == 0 && remL == 0;
        boolean aboveHalf = remH != 0 || Long.compareUnsigned(remL, root) > 0;
        long extra = aboveHalf ? TOP | 1 : remZero ? 0 : 1;
        return roundPack(0, (e - sh) / 2 + 63 + BIAS, root, extra);
    }

    static BigInteger unsigned(long v) {
        return v >= 0 ? BigInteger.valueOf(v) : BigInteger.valueOf(v).add(BigInteger.ONE.shiftLeft(64));
    }

    // ---- comparisons ---------------------------------------------------------------------------

    /** Compare result codes. */
    public static final int GT = 0, LT = 1, EQ = 2, UNORDERED = 3;

    /**
     * Compares a with b; IE for any NaN operand ({@code quiet} false) or only for signalling NaNs
     * ({@code quiet} true), always for unsupported formats; DE for denormals.
     *
     * @param sa the sign/exponent word of a
     * @param ma the significand of a
     * @param sb the sign/exponent word of b
     * @param mb the significand of b
     * @param quiet true for the unordered-quiet compares (FUCOM family)
     * @return {@link #GT}, {@link #LT}, {@link #EQ} or {@link #UNORDERED}
     */
    public int compare(int sa, long ma, int sb, long mb, boolean quiet) {
        int ka = classify(sa, ma), kb = classify(sb, mb);
        if (ka >= QNAN || kb >= QNAN) {
            if (!quiet || ka == SNAN || kb == SNAN || ka == UNSUPPORTED || kb == UNSUPPORTED) {
                flags |= IE;
            }
            return UNORDERED;
        }
        denormalCheck(ka, kb);
        return compareValues(sa, ma, ka, sb, mb, kb);
    }

    static int compareValues(int sa, long ma, int ka, int sb, long mb, int kb) {
        if (ka == ZERO && kb == ZERO) {
            return EQ;
        }
        int signA = (sa >>> 15) & 1, signB = (sb >>> 15) & 1;
        if (ka == ZERO) {
            return signB != 0 ? GT : LT;
        }
        if (kb == ZERO) {
            return signA != 0 ? LT : GT;
        }
        if (signA != signB) {
            return signA != 0 ? LT : GT;
        }
        int c = compareMagnitude(sa, ma, ka, sb, mb, kb);
        if (signA != 0) {
            c = -c;
        }
        return c > 0 ? GT : c < 0 ? LT : EQ;
    }

    private static int compareMagnitude(int sa, long ma, int ka, int sb, long mb, int kb) {
        if (ka == INF || kb == INF) {
            return ka == kb ? 0 : ka == INF ? 1 : -1;
        }
        int ea = normExp(sa, ma), eb = normExp(sb, mb);
        if (ea != eb) {
            return ea > eb ? 1 : -1;
        }
        return Long.compareUnsigned(normSig(ma), normSig(mb));
    }

    // ---- conversions ---------------------------------------------------------------------------

    /**
     * A 64-bit signed integer, exactly.
     *
     * @param v the integer
     * @return the significand; its sign/exponent is left in {@link #rse}
     */
    public long fromInt(long v) {
        if (v == 0) {
            return zero(0);
        }
        int sign = v < 0 ? 1 : 0;
        long mag = v < 0 ? -v : v; // -2^63 stays 2^63 as unsigned
        int n = Long.numberOfLeadingZeros(mag);
        return result((sign << 15) | (BIAS + 63 - n), mag << n);
    }

    /**
     * An IEEE single (bits) to extended, exactly; IE for a signalling NaN, DE for a denormal.
     *
     * @param bits the IEEE single's bits
     * @return the significand; its sign/exponent is left in {@link #rse}
     */
    public long fromSingle(int bits) {
        return fromIeee(bits >>> 31, (bits >>> 23) & 0xFF, (bits & 0x7FFFFFL) << 40, 0xFF, 127);
    }

    /**
     * An IEEE double (bits) to extended, exactly; IE for a signalling NaN, DE for a denormal.
     *
     * @param bits the IEEE double's bits
     * @return the significand; its sign/exponent is left in {@link #rse}
     */
    public long fromDouble(long bits) {
        return fromIeee((int) (bits >>> 63), (int) ((bits >>> 52) & 0x7FF), (bits & 0xF_FFFF_FFFF_FFFFL) << 11,
                0x7FF, 1023);
    }

    private long fromIeee(int sign, int exp, long frac, int expMax, int bias) {
        if (exp == expMax) {
            if (frac == 0) {
                return inf(sign);
            }
            if ((frac & 0x4000_0000_0000_0000L) == 0) {
                flags |= IE;
            }
            return result((sign << 15) | 0x7FFF, TOP | 0x4000_0000_0000_0000L | frac);
        }
        if (exp == 0) {
            if (frac == 0) {
                return zero(sign);
            }
            flags |= DE;
            int n = Long.numberOfLeadingZeros(frac);
            return result((sign << 15) | (1 - bias + BIAS - n), frac << n);
        }
        return result((sign << 15) | (exp - bias + BIAS), TOP | frac);
    }

    /**
     * An extended value to an IEEE single (bits in the low 32 bits of the return value) or double,
     * rounded by RC; the caller must not store when OE/UE are unmasked and raised, nor when IE is
     * unmasked and raised.
     *
     * @param se the sign/exponent word
     * @param m the significand
     * @return the IEEE single's bits in the low 32 bits
     */
    public long toSingle(int se, long m) {
        return toIeee(se, m, 8, 23);
    }

    /**
     * An extended value to an IEEE double, rounded by RC; the same storing rules as
     * {@link #toSingle}.
     *
     * @param se the sign/exponent word
     * @param m the significand
     * @return the IEEE double's bits
     */
    public long toDouble(int se, long m) {
        return toIeee(se, m, 11, 52);
    }

    private long toIeee(int se, long m, int expBits, int fracBits) {
        int k = classify(se, m);
        long sign = (se >>> 15) & 1;
        int expMax = (1 << expBits) - 1;
        int bias = expMax >> 1;
        long signBit = sign << (expBits + fracBits);
        long expInf = (long) expMax << fracBits;
        c1 = false;
        switch (k) {
            case UNSUPPORTED:
                flags |= IE;
                return (1L << (expBits + fracBits)) | expInf | (1L << (fracBits - 1));
            case SNAN:
                flags |= IE;
                // fall through
            case QNAN:
                return signBit | expInf | (1L << (fracBits - 1)) | ((m & 0x3FFF_FFFF_FFFF_FFFFL) >>> (63 - fracBits));
            case INF:
                return signBit | expInf;
            case ZERO:
                return signBit;
            default:
                break;
        }
        // a denormal source raises no DE here, only underflow (measured)
        int prec = fracBits + 1;
        int exp = normExp(se, m) - BIAS + bias; // target-biased
        long sig = normSig(m);
        if (exp <= 0 && (exp < 0 || tinyAfterRounding((int) sign, sig, 0, prec))) {
            if (!masked(UE)) {
                flags |= UE;
                return 0; // nothing is stored
            }
            long[] r = shiftRightJam128(sig, 0, Math.min(1 - exp, 200));
            long s = roundSig((int) sign, r[0], r[1], prec);
            if (lastInexact) {
                flags |= UE | PE;
            }
            if (carry) {
                return signBit | (1L << fracBits);
            }
            // s < 0 means the rounding reached the smallest normal
            long e = s < 0 ? 1 : 0;
            return signBit | (e << fracBits) | ((s >>> (63 - fracBits)) & ((1L << fracBits) - 1));
        }
        long s = roundSig((int) sign, sig, 0, prec);
        boolean inexact = lastInexact;
        if (carry) {
            s = TOP;
            exp++;
        }
        if (exp >= expMax) {
            flags |= OE;
            if (!masked(OE)) {
                return 0; // nothing stored, no PE (measured)
            }
            flags |= PE;
            int rc = rc();
            boolean toInf = rc == 0 || (rc == 1 && sign != 0) || (rc == 2 && sign == 0);
            c1 = toInf;
            return toInf ? signBit | expInf : signBit | (expInf - (1L << fracBits)) | ((1L << fracBits) - 1);
        }
        if (inexact) {
            flags |= PE;
        }
        return signBit | ((long) exp << fracBits) | ((s >>> (63 - fracBits)) & ((1L << fracBits) - 1));
    }

    /**
     * Rounds to an integer by RC for FIST/FISTP (or truncates for FISTTP) into {@code bits}
     * bits; out of range, NaN, infinity or unsupported: IE and the integer indefinite
     * (the caller stores it only when IE is masked).
     *
     * @param se the sign/exponent word
     * @param m the significand
     * @param bits the integer width: 16, 32 or 64
     * @param truncate true for FISTTP (round toward zero whatever RC says)
     * @return the integer, or the integer indefinite
     */
    public long toInt(int se, long m, int bits, boolean truncate) {
        int k = classify(se, m);
        long indefinite = 1L << (bits - 1);
        c1 = false;
        if (k >= INF) {
            flags |= IE;
            return indefinite;
        }
        if (k == ZERO) {
            return 0;
        }
        // no DE for a denormal operand here (measured)
        int sign = se >>> 15;
        int e = normExp(se, m) - BIAS; // value = sig/2^63 * 2^e
        long sig = normSig(m);
        long ip, below;
        if (e >= 64) {
            flags |= IE;
            return indefinite;
        }
        if (e < 0) {
            ip = 0;
            below = e == -1 ? sig : (e > -64 ? (sig >>> (-e - 1)) | ((sig << (64 + e + 1)) != 0 ? 1 : 0) : 1);
        } else if (e == 63) {
            ip = sig;
            below = 0;
        } else {
            ip = sig >>> (63 - e);
            below = sig << (e + 1);
        }
        boolean inc = false;
        if (below != 0 && !truncate) {
            switch (rc()) {
                case 0:
                    inc = below < 0 && (below != TOP || (ip & 1) != 0);
                    break;
                case 1:
                    inc = sign != 0;
                    break;
                case 2:
                    inc = sign == 0;
                    break;
                default:
                    break;
            }
        }
        long mag = ip + (inc ? 1 : 0);
        boolean carryOut = inc && mag == 0; // wrapped past 2^64
        // range: -2^(bits-1) .. 2^(bits-1)-1
        boolean fits;
        if (carryOut) {
            fits = false;
        } else if (sign == 0) {
            fits = Long.compareUnsigned(mag, indefinite - 1) <= 0; // 2^(bits-1) - 1
        } else {
            fits = Long.compareUnsigned(mag, indefinite) <= 0;
        }
        if (!fits) {
            flags |= IE;
            return indefinite;
        }
        if (below != 0) {
            flags |= PE;
            c1 = inc;
        }
        long v = sign != 0 ? -mag : mag;
        return bits == 64 ? v : v & ((1L << bits) - 1);
    }

    /**
     * FRNDINT: round to an integral value by RC (precision control does not apply).
     *
     * @param se the sign/exponent word
     * @param m the significand
     * @return the result's significand; its sign/exponent is left in {@link #rse}
     */
    public long roundToIntegral(int se, long m) {
        int k = classify(se, m);
        c1 = false;
        if (k >= QNAN) {
            return nanResult1(se, m, k);
        }
        if (k == ZERO || k == INF) {
            return result(se, m);
        }
        if (k == DENORMAL) {
            flags |= DE;
            if (!masked(DE)) {
                return 0;
            }
        }
        int sign = se >>> 15;
        int exp = normExp(se, m);
        long sig = normSig(m);
        int e = exp - BIAS;
        if (e >= 63) {
            return result((sign << 15) | exp, sig);
        }
        if (e < 0) {
            // |x| < 1: 0 or 1 by the rounding mode
            flags |= PE;
            boolean one;
            switch (rc()) {
                case 0:
                    one = e == -1 && sig != TOP;
                    break;
                case 1:
                    one = sign != 0;
                    break;
                case 2:
                    one = sign == 0;
                    break;
                default:
                    one = false;
            }
            c1 = one;
            return one ? result((sign << 15) | BIAS, TOP) : zero(sign);
        }
        long s = roundSig(sign, sig, 0, e + 1);
        if (lastInexact) {
            flags |= PE;
        }
        if (carry) {
            return result((sign << 15) | (exp + 1), TOP);
        }
        return result((sign << 15) | exp, s);
    }
}
