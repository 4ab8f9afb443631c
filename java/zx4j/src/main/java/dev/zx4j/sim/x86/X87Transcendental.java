package dev.zx4j.sim.x86;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1: evaluated in decimal arithmetic
 * with 60 significant digits (argument reduction with π to 120 digits) and rounded once to 64
 * bits by RC — correctly rounded results. Silicon is not correctly rounded (its reduction uses a
 * 66-bit π on Intel, and its polynomials are accurate to about one ulp), so results may differ
 * from the host CPU by the errors the README lists; the flags, the special cases (Intel SDM
 * vol. 2 tables for each instruction) and the stack effects are exact.
 */
final class X87Transcendental {
    private static final MathContext MC = new MathContext(60, RoundingMode.HALF_EVEN);
    private static final MathContext MC_PI = new MathContext(130, RoundingMode.HALF_EVEN);
    private static final BigDecimal PI = computePi();
    private static final BigDecimal LN2 = lnSeries(BigDecimal.valueOf(2));
    /**
     * The π the hardware reduces trigonometric arguments with: π rounded to 66 bits (Intel
     * documents it; the host AMD CPU was measured to use the same, results then agree exactly
     * for large arguments where a true reduction differs by millions of ulps).
     */
    private static final BigDecimal PI66 = new BigDecimal(new BigInteger("C90FDAA22168C234C", 16))
            .divide(new BigDecimal(BigInteger.ONE.shiftLeft(66)));

    private static final BigDecimal HALF_PI66 = PI66.divide(BigDecimal.valueOf(2));

    private final Float80 f;

    X87Transcendental(Float80 f) {
        this.f = f;
    }

    void exec(X87 x, int modrm) {
        try {
            dispatch(x, modrm);
        } catch (ArithmeticException e) {
            // a decimal evaluation out of its range (only for operands outside the documented
            // domains, whose results are undefined): the invalid-operation response
            f.flags = Float80.IE;
            x.finishFlags();
            if (!x.blocked()) {
                x.set(0, Float80.INDEF_SE, Float80.INDEF_M);
            }
        }
    }

    private void dispatch(X87 x, int modrm) {
        switch (modrm) {
            case 0xFE:
                trig(x, 0);
                return;
            case 0xFF:
                trig(x, 1);
                return;
            case 0xFB:
                trig(x, 2);
                return;
            case 0xF2:
                trig(x, 3);
                return;
            case 0xF0:
                f2xm1(x);
                return;
            case 0xF3:
                binary(x, 0);
                return;
            case 0xF1:
                binary(x, 1);
                return;
            case 0xF9:
                binary(x, 2);
                return;
            default:
                throw new IllegalStateException("x87 D9 " + Integer.toHexString(modrm));
        }
    }

    // ---- conversions ---------------------------------------------------------------------------

    private static final MathContext MC_IN = new MathContext(90, RoundingMode.HALF_EVEN);
    private static final BigDecimal TWO = BigDecimal.valueOf(2);

    /** An operand as a decimal to 90 significant digits (exact for the usual exponents). */
    static BigDecimal toDecimal(int se, long m) {
        int e = Float80.normExp(se, m) - Float80.BIAS - 63;
        BigDecimal v = new BigDecimal(Float80.unsigned(Float80.normSig(m)));
        if (e > 0 && e <= 256) {
            v = v.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(e)));
        } else if (e < 0 && e >= -256) {
            v = v.divide(new BigDecimal(BigInteger.ONE.shiftLeft(-e)));
        } else if (e != 0) {
            v = v.multiply(TWO.pow(e, MC_IN), MC_IN);
        }
        return (se & 0x8000) != 0 ? v.negate() : v;
    }

    /** Rounds an inexact (irrational) value to the register format at 64 bits. */
    long round(BigDecimal v) {
        return round(v, 0);
    }

    /**
     * Rounds an irrational value computed to 60 digits. When that approximation happens to be
     * exact at 130 bits (sin, tan, atan of a tiny argument equal the argument, cos of one equals
     * 1, up to terms far below 60 digits), {@code dir} says on which side the true value lies:
     * −1 smaller in magnitude, +1 larger, 0 unknown (treated as larger).
     */
    long round(BigDecimal v, int dir) {
        if (v.signum() == 0) {
            f.rse = 0;
            return 0;
        }
        int sign = v.signum() < 0 ? 1 : 0;
        BigDecimal a = v.abs();
        // scale by 2^k so that the integer part has about 130 bits
        int e = (int) Math.floor((a.precision() - a.scale() - 1) * 3.321928094887362);
        int k = 130 - e;
        BigDecimal scaled = k >= 0 ? a.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(k)))
                : a.divide(new BigDecimal(BigInteger.ONE.shiftLeft(-k)), MC);
        BigInteger mag = scaled.toBigInteger();
        boolean exact = scaled.compareTo(new BigDecimal(mag)) == 0;
        if (exact && dir < 0) {
            mag = mag.subtract(BigInteger.ONE);
        }
        return f.packBig(sign, mag, -k, true, 64);
    }

    // ---- FSIN FCOS FSINCOS FPTAN ---------------------------------------------------------------

    /** kind: 0 sin, 1 cos, 2 sincos, 3 ptan. */
    private void trig(X87 x, int kind) {
        boolean pushes = kind >= 2;
        if (x.empty(0)) {
            x.cc(X87.C2, 0);
            if (x.underflow()) {
                return;
            }
            x.set(0, Float80.INDEF_SE, Float80.INDEF_M);
            if (pushes) {
                // only the underflow is reported, also when ST7 is in use (measured, as FXTRACT)
                x.push(Float80.INDEF_SE, Float80.INDEF_M);
            }
            return;
        }
        if (pushes && !x.empty(7)) {
            x.cc(X87.C2, 0);
            if (x.overflow()) {
                return;
            }
            x.set(0, Float80.INDEF_SE, Float80.INDEF_M);
            x.push(Float80.INDEF_SE, Float80.INDEF_M);
            return;
        }
        int se = x.se(0);
        long m = x.m(0);
        int k = Float80.classify(se, m);
        int r1se, r2se = 0;
        long r1, r2 = 0;
        if (k >= Float80.QNAN) {
            r1 = f.nanResult1(se, m, k);
            r1se = f.rse;
            r2 = r1;
            r2se = r1se;
        } else if (k == Float80.INF) {
            r1 = f.indefinite();
            r1se = f.rse;
            r2 = r1;
            r2se = r1se;
        } else if ((se & 0x7FFF) - Float80.BIAS >= 63) {
            // out of range: C2 = 1, operand unchanged
            x.cc(X87.C2, X87.C2);
            x.cc(X87.C1, 0);
            return;
        } else {
            if (k == Float80.DENORMAL) {
                f.flags |= Float80.DE;
                if (x.blocked()) {
                    x.cc(X87.C2, 0);
                    x.raise(f.flags);
                    return;
                }
            }
            if (k == Float80.ZERO) {
                r1se = se;
                r1 = 0;
                if (kind == 1) {
                    r1se = Float80.BIAS;
                    r1 = Float80.TOP;
                }
                if (kind == 2) {
                    r2se = se;
                    r2 = 0;
                    r1se = Float80.BIAS;
                    r1 = Float80.TOP;
                }
                if (kind == 3) {
                    r2se = Float80.BIAS;
                    r2 = Float80.TOP;
                }
            } else if ((se & 0x7FFF) < Float80.BIAS - 70) {
                // |x| < 2^-70: sin x and tan x lie a hair inside and outside x, cos x just below 1
                int sign = (se >>> 15) & 1;
                BigInteger sig = Float80.unsigned(Float80.normSig(m)).shiftLeft(64);
                int scale = Float80.normExp(se, m) - Float80.BIAS - 63 - 64;
                long c = f.packBig(0, BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE), -128, true, 64);
                int cse = f.rse;
                boolean cc1 = f.c1;
                long sn = 0;
                int snse = 0;
                if (kind != 1) {
                    // measured: underflow only when the rounded result is denormal (also unmasked)
                    BigInteger mag = kind == 3 ? sig : sig.subtract(BigInteger.ONE);
                    int before = f.flags, cw = f.cw;
                    f.cw |= Float80.UE;
                    sn = f.packBig(sign, mag, scale, true, 64);
                    snse = f.rse;
                    f.cw = cw;
                    if ((snse & 0x7FFF) != 0) {
                        f.flags = (f.flags & ~Float80.UE) | (before & Float80.UE);
                    } else if ((cw & Float80.UE) == 0) {
                        f.flags = before;
                        sn = f.packBig(sign, mag, scale, true, 64);
                        snse = f.rse;
                    }
                }
                switch (kind) {
                    case 0:
                    case 3:
                        r1 = sn;
                        r1se = snse;
                        if (kind == 3) {
                            r2se = Float80.BIAS;
                            r2 = Float80.TOP;
                        }
                        break;
                    case 1:
                        r1 = c;
                        r1se = cse;
                        f.c1 = cc1;
                        break;
                    default: // C1 follows the sine (measured)
                        r1 = c;
                        r1se = cse;
                        r2 = sn;
                        r2se = snse;
                        break;
                }
            } else {
                BigDecimal v = toDecimal(se, m);
                BigDecimal[] sc = sinCos(v);
                switch (kind) {
                    case 0:
                        r1 = round(sc[0], -1);
                        r1se = f.rse;
                        break;
                    case 1:
                        r1 = round(sc[1], -1);
                        r1se = f.rse;
                        break;
                    case 2: {
                        long s = round(sc[0], -1);
                        int sse = f.rse;
                        boolean sc1 = f.c1;
                        r1 = round(sc[1], -1); // ST0 after: cos, ST1: sin
                        r1se = f.rse;
                        r2 = s;
                        r2se = sse;
                        f.c1 |= sc1;
                        break;
                    }
                    default: {
                        BigDecimal t = sc[0].divide(sc[1], MC);
                        r1 = round(t, t.abs().compareTo(BigDecimal.ONE) < 0 ? 1 : -1);
                        r1se = f.rse;
                        r2se = Float80.BIAS;
                        r2 = Float80.TOP;
                        break;
                    }
                }
            }
        }
        x.cc(X87.C2, 0);
        x.finishFlags();
        if (x.blocked()) {
            return;
        }
        if (kind == 2) {
            x.set(0, r2se, r2);
            x.push(r1se, r1);
        } else if (kind == 3) {
            x.set(0, r1se, r1);
            x.push(r2se, r2);
        } else {
            x.set(0, r1se, r1);
        }
    }

    private static final BigDecimal TINY = new BigDecimal(BigInteger.ONE).divide(
            new BigDecimal(BigInteger.ONE.shiftLeft(70)));

    static BigDecimal[] sinCos(BigDecimal v) {
        if (v.abs().compareTo(TINY) < 0) {
            // sin v = v and cos v = 1 up to terms below 2^-140 relative: kept exact, so that the
            // rounding direction (round(v, dir)) decides which neighbour the true value is near
            return new BigDecimal[] {v, BigDecimal.ONE};
        }
        BigDecimal halfPi = HALF_PI66;
        BigDecimal q = v.divide(halfPi, MC_PI).setScale(0, RoundingMode.HALF_EVEN);
        BigDecimal r = v.subtract(q.multiply(halfPi, MC_PI), MC_PI).round(MC);
        int quadrant = q.toBigInteger().and(BigInteger.valueOf(3)).intValue();
        BigDecimal s = sinSeries(r), c = cosSeries(r);
        switch (quadrant) {
            case 0:
                return new BigDecimal[] {s, c};
            case 1:
                return new BigDecimal[] {c, s.negate()};
            case 2:
                return new BigDecimal[] {s.negate(), c.negate()};
            default:
                return new BigDecimal[] {c.negate(), s};
        }
    }

    private static BigDecimal sinSeries(BigDecimal r) {
        BigDecimal r2 = r.multiply(r, MC);
        BigDecimal term = r, sum = r;
        for (int n = 1; n < 60; n++) {
            term = term.multiply(r2, MC).divide(BigDecimal.valueOf((2L * n) * (2L * n + 1)), MC).negate();
            sum = sum.add(term, MC);
            if (term.signum() == 0 || term.abs().compareTo(sum.abs().movePointLeft(62)) < 0) {
                break;
            }
        }
        return sum;
    }

    private static BigDecimal cosSeries(BigDecimal r) {
        BigDecimal r2 = r.multiply(r, MC);
        BigDecimal term = BigDecimal.ONE, sum = BigDecimal.ONE;
        for (int n = 1; n < 60; n++) {
            term = term.multiply(r2, MC).divide(BigDecimal.valueOf((2L * n - 1) * (2L * n)), MC).negate();
            sum = sum.add(term, MC);
            if (term.signum() == 0 || term.abs().compareTo(sum.abs().movePointLeft(62)) < 0) {
                break;
            }
        }
        return sum;
    }

    private static BigDecimal computePi() {
        // Machin: pi = 16 atan(1/5) - 4 atan(1/239)
        return atanInv(5).multiply(BigDecimal.valueOf(16)).subtract(atanInv(239).multiply(BigDecimal.valueOf(4)))
                .round(MC_PI);
    }

    private static BigDecimal atanInv(int n) {
        MathContext mc = new MathContext(140);
        BigDecimal x = BigDecimal.ONE.divide(BigDecimal.valueOf(n), mc);
        BigDecimal x2 = x.multiply(x, mc);
        BigDecimal term = x, sum = x;
        for (int k = 1; k < 400; k++) {
            term = term.multiply(x2, mc).negate();
            BigDecimal t = term.divide(BigDecimal.valueOf(2L * k + 1), mc);
            sum = sum.add(t, mc);
            if (t.abs().compareTo(BigDecimal.ONE.movePointLeft(138)) < 0) {
                break;
            }
        }
        return sum;
    }

    // ---- F2XM1 ---------------------------------------------------------------------------------

    private void f2xm1(X87 x) {
        x.unary(() -> {
            int se = x.se(0);
            long m = x.m(0);
            int k = Float80.classify(se, m);
            if (k >= Float80.QNAN) {
                return f.nanResult1(se, m, k);
            }
            if (k == Float80.INF) {
                f.rse = (se & 0x8000) != 0 ? 0xBFFF : 0x7FFF; // -inf -> -1, +inf -> +inf
                return Float80.TOP;
            }
            if (k == Float80.ZERO) {
                f.rse = se;
                return 0;
            }
            if (k == Float80.DENORMAL) {
                f.flags |= Float80.DE;
                if ((f.cw & Float80.DE) == 0) {
                    return 0;
                }
            }
            BigDecimal v = toDecimal(se, m);
            if (v.abs().compareTo(BigDecimal.ONE) == 0) {
                f.rse = v.signum() > 0 ? Float80.BIAS : 0x8000 | (Float80.BIAS - 1);
                return Float80.TOP;
            }
            // outside [-1, 1] the result is undefined (SDM); computed as 2^x - 1 all the same
            if (v.compareTo(BigDecimal.valueOf(17000)) > 0) {
                return f.roundPackPrec(0, 0x8000, Float80.TOP, 0, 64); // overflows
            }
            if (v.compareTo(BigDecimal.valueOf(-100)) < 0) {
                return round(BigDecimal.ONE.movePointLeft(35).subtract(BigDecimal.ONE));
            }
            if (v.abs().compareTo(BigDecimal.ONE) > 0) {
                BigDecimal ip = v.setScale(0, RoundingMode.FLOOR);
                BigDecimal frac = v.subtract(ip);
                BigDecimal p = exp(frac.multiply(LN2, MC));
                int n = ip.intValueExact();
                p = n >= 0 ? p.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(n)), MC)
                        : p.divide(new BigDecimal(BigInteger.ONE.shiftLeft(-n)), MC);
                return round(p.subtract(BigDecimal.ONE, MC));
            }
            return round(expm1(v.multiply(LN2, MC)));
        });
    }

    /** e^v − 1 without cancellation for small v. */
    static BigDecimal expm1(BigDecimal v) {
        if (v.abs().compareTo(new BigDecimal("0.5")) >= 0) {
            return exp(v).subtract(BigDecimal.ONE, MC);
        }
        BigDecimal term = v, sum = v;
        for (int n = 2; n < 200; n++) {
            term = term.multiply(v, MC).divide(BigDecimal.valueOf(n), MC);
            sum = sum.add(term, MC);
            if (term.signum() == 0 || term.abs().compareTo(sum.abs().movePointLeft(62)) < 0) {
                break;
            }
        }
        return sum;
    }

    static BigDecimal exp(BigDecimal v) {
        // exp(v) = exp(v / 2^k)^(2^k)
        int k = 0;
        BigDecimal r = v;
        while (r.abs().compareTo(new BigDecimal("0.001")) > 0) {
            r = r.divide(BigDecimal.valueOf(2), MC);
            k++;
        }
        BigDecimal term = BigDecimal.ONE, sum = BigDecimal.ONE;
        MathContext mc = new MathContext(70);
        for (int n = 1; n < 40; n++) {
            term = term.multiply(r, mc).divide(BigDecimal.valueOf(n), mc);
            sum = sum.add(term, mc);
        }
        for (int i = 0; i < k; i++) {
            sum = sum.multiply(sum, mc);
        }
        return sum.round(MC);
    }

    /** ln(v) for v &gt; 0. */
    static BigDecimal ln(BigDecimal v) {
        // v = m * 2^e with m in [1, 2)
        int e = 0;
        BigDecimal m = v;
        BigDecimal two = BigDecimal.valueOf(2);
        int bits = (int) Math.floor((v.precision() - v.scale() - 1) * 3.321928094887362);
        if (bits > 4 || bits < -4) {
            BigDecimal p = new BigDecimal(BigInteger.ONE.shiftLeft(Math.abs(bits)));
            m = bits > 0 ? v.divide(p, MC) : v.multiply(p, MC);
            e = bits;
        }
        while (m.compareTo(two) >= 0) {
            m = m.divide(two, MC);
            e++;
        }
        while (m.compareTo(BigDecimal.ONE) < 0) {
            m = m.multiply(two, MC);
            e--;
        }
        return lnSeries(m).add(LN2.multiply(BigDecimal.valueOf(e), MC), MC);
    }

    /** ln(m) = 2 atanh((m − 1)/(m + 1)). */
    private static BigDecimal lnSeries(BigDecimal m) {
        MathContext mc = new MathContext(70);
        BigDecimal z = m.subtract(BigDecimal.ONE).divide(m.add(BigDecimal.ONE), mc);
        BigDecimal z2 = z.multiply(z, mc);
        BigDecimal term = z, sum = z;
        for (int k = 1; k < 400; k++) {
            term = term.multiply(z2, mc);
            BigDecimal t = term.divide(BigDecimal.valueOf(2L * k + 1), mc);
            sum = sum.add(t, mc);
            if (t.signum() == 0 || t.abs().compareTo(sum.abs().movePointLeft(66)) < 0) {
                break;
            }
        }
        return sum.multiply(BigDecimal.valueOf(2), MC);
    }

    /** atan(z) for any z. */
    static BigDecimal atan(BigDecimal z) {
        MathContext mc = new MathContext(70);
        boolean inv = z.abs().compareTo(BigDecimal.ONE) > 0;
        BigDecimal t = inv ? BigDecimal.ONE.divide(z, mc) : z;
        // halve the argument twice: atan(t) = 2 atan(t / (1 + sqrt(1 + t^2)))
        int halvings = 0;
        while (t.abs().compareTo(new BigDecimal("0.05")) > 0) {
            t = t.divide(BigDecimal.ONE.add(BigDecimal.ONE.add(t.multiply(t, mc)).sqrt(mc)), mc);
            halvings++;
        }
        BigDecimal t2 = t.multiply(t, mc);
        BigDecimal term = t, sum = t;
        for (int k = 1; k < 200; k++) {
            term = term.multiply(t2, mc).negate();
            BigDecimal u = term.divide(BigDecimal.valueOf(2L * k + 1), mc);
            sum = sum.add(u, mc);
            if (u.signum() == 0 || u.abs().compareTo(sum.abs().movePointLeft(66)) < 0) {
                break;
            }
        }
        sum = sum.multiply(BigDecimal.valueOf(1L << halvings), mc);
        if (inv) {
            BigDecimal hp = PI.divide(BigDecimal.valueOf(2), mc);
            sum = (z.signum() > 0 ? hp : hp.negate()).subtract(sum, mc);
        }
        return sum.round(MC);
    }

    // ---- FPATAN FYL2X FYL2XP1 ------------------------------------------------------------------

    /** kind 0: ST1 = atan2(ST1, ST0); 1: ST1 = ST1·log2(ST0); 2: ST1 = ST1·log2(ST0 + 1); then pop. */
    private void binary(X87 x, int kind) {
        if (x.empty(0) || x.empty(1)) {
            if (x.underflow()) {
                return;
            }
            x.set(1, Float80.INDEF_SE, Float80.INDEF_M);
            x.pop();
            return;
        }
        int sx = x.se(0), sy = x.se(1);
        long mx = x.m(0), my = x.m(1);
        int kx = Float80.classify(sx, mx), ky = Float80.classify(sy, my);
        long r;
        if (kx >= Float80.QNAN || ky >= Float80.QNAN) {
            r = f.nanResult(sy, my, ky, sx, mx, kx);
        } else if (kind == 0) {
            r = atan2(sy, my, ky, sx, mx, kx);
        } else if (kind == 1) {
            r = yl2x(sy, my, ky, sx, mx, kx);
        } else {
            r = yl2xp1(sy, my, ky, sx, mx, kx);
        }
        int rse = f.rse;
        x.finishFlags();
        if (x.blocked()) {
            return;
        }
        x.set(1, rse, r);
        x.pop();
    }

    private long signed(int sign, int se, long m) {
        f.rse = (se & 0x7FFF) | (sign << 15);
        return m;
    }

    private long atan2(int sy, long my, int ky, int sx, long mx, int kx) {
        int ysign = (sy >>> 15) & 1;
        boolean xneg = (sx & 0x8000) != 0;
        if (ky == Float80.DENORMAL || kx == Float80.DENORMAL) {
            f.flags |= Float80.DE;
            if ((f.cw & Float80.DE) == 0) {
                return 0;
            }
        }
        BigDecimal pi = PI.round(MC);
        if (ky == Float80.ZERO) {
            if (xneg) {
                return signedRound(ysign, pi);
            }
            return signed(ysign, 0, 0);
        }
        if (kx == Float80.ZERO) {
            return signedRound(ysign, pi.divide(BigDecimal.valueOf(2), MC));
        }
        if (ky == Float80.INF) {
            if (kx == Float80.INF) {
                BigDecimal v = xneg ? pi.multiply(BigDecimal.valueOf(3)).divide(BigDecimal.valueOf(4), MC)
                        : pi.divide(BigDecimal.valueOf(4), MC);
                return signedRound(ysign, v);
            }
            return signedRound(ysign, pi.divide(BigDecimal.valueOf(2), MC));
        }
        if (kx == Float80.INF) {
            return xneg ? signedRound(ysign, pi) : signed(ysign, 0, 0);
        }
        BigDecimal y = toDecimal(sy, my), xv = toDecimal(sx, mx);
        BigDecimal a = atan(y.divide(xv, new MathContext(70)));
        if (xneg) {
            a = ysign != 0 ? a.subtract(pi, MC) : a.add(pi, MC);
        }
        return round(a, -1);
    }

    private long signedRound(int sign, BigDecimal v) {
        return round(sign != 0 ? v.negate() : v);
    }

    private long yl2x(int sy, long my, int ky, int sx, long mx, int kx) {
        int ysign = (sy >>> 15) & 1;
        boolean xneg = (sx & 0x8000) != 0;
        if (xneg && kx != Float80.ZERO) {
            return f.indefinite();
        }
        if (kx == Float80.ZERO) {
            // log2(±0) = −∞: a zero divide, raised before (and instead of) a denormal y (measured)
            if (ky == Float80.ZERO) {
                return f.indefinite();
            }
            if (ky == Float80.INF) {
                return signed(ysign ^ 1, 0x7FFF, Float80.TOP);
            }
            f.flags |= Float80.ZE;
            return signed(ysign ^ 1, 0x7FFF, Float80.TOP);
        }
        if (kx == Float80.DENORMAL || ky == Float80.DENORMAL) {
            f.flags |= Float80.DE;
            if ((f.cw & Float80.DE) == 0) {
                return 0;
            }
        }
        boolean one = (sx & 0x7FFF) == Float80.BIAS && mx == Float80.TOP;
        boolean xbig = kx == Float80.INF;
        if (xbig) {
            if (ky == Float80.ZERO) {
                return f.indefinite();
            }
            return signed(ysign, 0x7FFF, Float80.TOP);
        }
        if (one) {
            if (ky == Float80.INF) {
                return f.indefinite();
            }
            return signed(ysign ^ 0, 0, 0); // log2(1) = +0: y * 0
        }
        boolean xlt1 = (Float80.normExp(sx, mx) < Float80.BIAS);
        if (ky == Float80.INF) {
            return signed(xlt1 ? ysign ^ 1 : ysign, 0x7FFF, Float80.TOP);
        }
        if (ky == Float80.ZERO) {
            return signed(xlt1 ? ysign ^ 1 : ysign, 0, 0);
        }
        // exact when x is a power of two: y * k
        long nx = Float80.normSig(mx);
        if (nx == Float80.TOP) {
            int e = Float80.normExp(sx, mx) - Float80.BIAS;
            long km = f.fromInt(e);
            long r = f.mulPrec(sy, my, f.rse, km, 64);
            // measured: PE also when the product is exact, and UE when it is tiny
            f.flags |= Float80.PE;
            if ((f.rse & 0x7FFF) == 0 && r != 0) {
                f.flags |= Float80.UE;
            }
            return r;
        }
        BigDecimal l = ln(toDecimal(sx, mx)).divide(LN2, MC);
        return round(l.multiply(toDecimal(sy, my), MC));
    }

    private long yl2xp1(int sy, long my, int ky, int sx, long mx, int kx) {
        int ysign = (sy >>> 15) & 1;
        if (kx == Float80.DENORMAL || ky == Float80.DENORMAL) {
            f.flags |= Float80.DE;
            if ((f.cw & Float80.DE) == 0) {
                return 0;
            }
        }
        if (kx == Float80.INF) {
            if ((sx & 0x8000) != 0) {
                return f.indefinite();
            }
            return ky == Float80.ZERO ? f.indefinite() : signed(ysign, 0x7FFF, Float80.TOP);
        }
        int xsign = (sx >>> 15) & 1;
        if (kx == Float80.ZERO) {
            if (ky == Float80.INF) {
                return f.indefinite();
            }
            return signed(ysign ^ xsign, 0, 0);
        }
        if (ky == Float80.INF) {
            return signed(ysign ^ xsign, 0x7FFF, Float80.TOP);
        }
        if (ky == Float80.ZERO) {
            return signed(ysign ^ xsign, 0, 0);
        }
        BigDecimal xv = toDecimal(sx, mx);
        BigDecimal arg = BigDecimal.ONE.add(xv, new MathContext(200));
        if (arg.signum() <= 0) {
            return f.indefinite();
        }
        BigDecimal l;
        if (xv.abs().compareTo(new BigDecimal("0.01")) < 0) {
            // log1p by series for accuracy near 0: ln(1+x) = 2 atanh(x / (2 + x))
            MathContext mc = new MathContext(70);
            BigDecimal z = xv.divide(BigDecimal.valueOf(2).add(xv, mc), mc);
            BigDecimal z2 = z.multiply(z, mc);
            BigDecimal term = z, sum = z;
            for (int k = 1; k < 200; k++) {
                term = term.multiply(z2, mc);
                BigDecimal t = term.divide(BigDecimal.valueOf(2L * k + 1), mc);
                sum = sum.add(t, mc);
                if (t.signum() == 0 || t.abs().compareTo(sum.abs().movePointLeft(66)) < 0) {
                    break;
                }
            }
            l = sum.multiply(BigDecimal.valueOf(2), mc);
        } else {
            l = ln(arg);
        }
        l = l.divide(LN2, MC);
        return round(l.multiply(toDecimal(sy, my), MC));
    }
}
