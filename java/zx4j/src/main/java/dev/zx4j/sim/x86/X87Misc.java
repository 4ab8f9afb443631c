package dev.zx4j.sim.x86;

import java.math.BigInteger;

/**
 * FXTRACT, FSCALE, FPREM and FPREM1: the x87 instructions that take a value apart or put it
 * together by exponent (exact except for FSCALE's rounding of a result that leaves the range).
 */
final class X87Misc {
    private X87Misc() {
    }

    static void fxtract(X87 x) {
        Float80 f = x.f;
        if (x.empty(0)) {
            if (x.underflow()) {
                return;
            }
            x.set(0, Float80.INDEF_SE, Float80.INDEF_M);
            x.push(Float80.INDEF_SE, Float80.INDEF_M);
            return;
        }
        if (!x.empty(7)) {
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
        int sign = se & 0x8000;
        int expSe, sigSe;
        long expM, sigM;
        switch (k) {
            case Float80.QNAN:
            case Float80.SNAN:
            case Float80.UNSUPPORTED:
                sigM = f.nanResult1(se, m, k);
                sigSe = f.rse;
                expSe = sigSe;
                expM = sigM;
                break;
            case Float80.ZERO:
                f.flags |= Float80.ZE;
                expSe = 0xFFFF;
                expM = Float80.TOP;
                sigSe = sign;
                sigM = 0;
                break;
            case Float80.INF:
                expSe = 0x7FFF;
                expM = Float80.TOP;
                sigSe = se;
                sigM = m;
                break;
            default: {
                if (k == Float80.DENORMAL) {
                    f.flags |= Float80.DE;
                }
                int e = Float80.normExp(se, m) - Float80.BIAS;
                expM = f.fromInt(e);
                expSe = f.rse;
                sigSe = sign | Float80.BIAS;
                sigM = Float80.normSig(m);
                break;
            }
        }
        x.cc(X87.C1, 0);
        x.raise(f.flags);
        if (x.blocked()) {
            return;
        }
        x.set(0, expSe, expM);
        x.push(sigSe, sigM);
    }

    static void fscale(X87 x) {
        Float80 f = x.f;
        if (x.empty(0) || x.empty(1)) {
            if (x.underflow()) {
                return;
            }
            x.set(0, Float80.INDEF_SE, Float80.INDEF_M);
            return;
        }
        int sa = x.se(0), sb = x.se(1);
        long ma = x.m(0), mb = x.m(1);
        int ka = Float80.classify(sa, ma), kb = Float80.classify(sb, mb);
        long r;
        if (ka >= Float80.QNAN || kb >= Float80.QNAN) {
            r = f.nanResult(sa, ma, ka, sb, mb, kb);
        } else if (kb == Float80.INF) {
            boolean up = (sb & 0x8000) == 0;
            if ((ka == Float80.ZERO && up) || (ka == Float80.INF && !up)) {
                r = f.indefinite();
            } else {
                f.denormalCheck(ka, Float80.NORMAL);
                r = up ? (ka == Float80.ZERO ? zero(f, sa) : inf(f, sa)) : (ka == Float80.INF ? inf(f, sa) : zero(f, sa));
            }
        } else if (f.denormalCheck(ka, kb)) {
            r = 0;
        } else if (ka == Float80.ZERO || ka == Float80.INF) {
            f.rse = sa;
            r = ma;
        } else {
            long n = scaleOf(sb, mb, kb);
            int exp = Float80.normExp(sa, ma);
            long e = exp + n;
            e = Math.max(-100_000, Math.min(100_000, e));
            // precision control does not apply to FSCALE (measured)
            r = f.roundPackPrec((sa >>> 15) & 1, (int) e, Float80.normSig(ma), 0, 64);
        }
        int rse = f.rse;
        x.finishFlags();
        if (!x.blocked()) {
            x.set(0, rse, r);
        }
    }

    private static long zero(Float80 f, int sa) {
        f.rse = sa & 0x8000;
        return 0;
    }

    private static long inf(Float80 f, int sa) {
        f.rse = (sa & 0x8000) | 0x7FFF;
        return Float80.TOP;
    }

    /** trunc(ST1), clamped to ±2^20 (far beyond any exponent that can still matter). */
    private static long scaleOf(int se, long m, int k) {
        if (k == Float80.ZERO) {
            return 0;
        }
        int e = Float80.normExp(se, m) - Float80.BIAS;
        long v;
        if (e < 0) {
            v = 0;
        } else if (e > 20) {
            v = 1 << 21;
        } else {
            v = Float80.normSig(m) >>> (63 - e);
        }
        return (se & 0x8000) != 0 ? -v : v;
    }

    /**
     * FPREM (quotient truncated) and FPREM1 (quotient rounded to nearest even): an exact
     * remainder when the exponents differ by less than 64, otherwise a partial one (C2 = 1)
     * reducing the exponent difference to a value from 32 to 63.
     */
    static void fprem(X87 x, boolean ieee) {
        Float80 f = x.f;
        if (x.empty(0) || x.empty(1)) {
            x.cc(X87.C2, 0);
            if (x.underflow()) {
                return;
            }
            x.set(0, Float80.INDEF_SE, Float80.INDEF_M);
            return;
        }
        int sa = x.se(0), sb = x.se(1);
        long ma = x.m(0), mb = x.m(1);
        int ka = Float80.classify(sa, ma), kb = Float80.classify(sb, mb);
        int cc = 0;
        int ccMask = X87.C0 | X87.C1 | X87.C2 | X87.C3;
        long r;
        int rse;
        if (ka >= Float80.QNAN || kb >= Float80.QNAN) {
            r = f.nanResult(sa, ma, ka, sb, mb, kb);
            rse = f.rse;
            ccMask = X87.C1 | X87.C2; // C0 and C3 are left alone (measured)
        } else if (ka == Float80.INF || kb == Float80.ZERO) {
            r = f.indefinite();
            rse = f.rse;
            ccMask = X87.C1 | X87.C2;
        } else if (f.denormalCheck(ka, kb)) {
            r = 0;
            rse = 0;
        } else if (ka == Float80.ZERO || kb == Float80.INF) {
            r = ma;
            rse = sa;
            if (ka != Float80.ZERO && ka == Float80.DENORMAL) {
                r = f.roundPackPrec((sa >>> 15) & 1, Float80.normExp(sa, ma), Float80.normSig(ma), 0, 64);
                rse = f.rse;
            }
        } else {
            int ea = Float80.normExp(sa, ma), eb = Float80.normExp(sb, mb);
            long ga = Float80.normSig(ma), gb = Float80.normSig(mb);
            int d = ea - eb;
            int sign = (sa >>> 15) & 1;
            BigInteger a = Float80.unsigned(ga), b = Float80.unsigned(gb);
            BigInteger rem;
            int remScale; // remainder value = rem * 2^(remScale - BIAS - 63)
            if (d >= 64) {
                int n = 32 + (d % 32);
                // a * 2^d / b reduced by 2^(d - n): q = trunc(a * 2^n / b), rem = a*2^n - q*b
                BigInteger an = a.shiftLeft(n);
                BigInteger q = an.divide(b);
                rem = an.subtract(q.multiply(b));
                remScale = eb + (d - n);
                cc = X87.C2;
            } else if (d < -1 || (d == -1 && !ieee)) {
                rem = null;
                remScale = 0;
            } else {
                BigInteger an = d >= 0 ? a.shiftLeft(d) : a;
                BigInteger bb = d >= 0 ? b : b.shiftLeft(1);
                BigInteger[] qr = an.divideAndRemainder(bb);
                BigInteger q = qr[0];
                rem = qr[1];
                if (ieee) {
                    int c = rem.shiftLeft(1).compareTo(bb);
                    if (c > 0 || (c == 0 && q.testBit(0))) {
                        q = q.add(BigInteger.ONE);
                        rem = rem.subtract(bb); // negative: the sign flips
                    }
                }
                long ql = q.longValue();
                cc = ((ql & 4) != 0 ? X87.C0 : 0) | ((ql & 2) != 0 ? X87.C3 : 0) | ((ql & 1) != 0 ? X87.C1 : 0);
                remScale = d >= 0 ? eb : eb - 1;
            }
            if (rem == null) {
                // |ST0| < |ST1| (or < |ST1|/2 for FPREM1): ST0 is the remainder, quotient 0
                r = f.roundPackPrec(sign, ea, ga, 0, 64);
                rse = f.rse;
            } else if (rem.signum() == 0) {
                r = 0;
                rse = sign << 15;
            } else {
                int rsign = rem.signum() < 0 ? sign ^ 1 : sign;
                r = f.packBig(rsign, rem.abs(), remScale - Float80.BIAS - 63, false, 64);
                rse = f.rse;
            }
        }
        x.raise(f.flags);
        if (x.blocked()) {
            x.cc(X87.C1 | X87.C2, 0);
            return;
        }
        x.cc(ccMask, cc);
        x.set(0, rse, r);
    }
}
