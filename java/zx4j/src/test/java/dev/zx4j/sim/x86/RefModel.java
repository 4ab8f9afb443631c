package dev.zx4j.sim.x86;

import java.math.BigInteger;

/**
 * Independent reference semantics for flag-setting instructions, written from the Intel SDM
 * definitions (CF = unsigned result out of range, OF = signed result out of range, shifts and
 * rotates as the SDM's bit-at-a-time loops) using BigInteger, deliberately unlike the emulator's
 * closed-form XOR formulas.
 */
final class RefModel {
    static final long CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
    static final long ALL = CF | PF | AF | ZF | SF | OF;

    /** A result value and the flags it defines; {@code defined} masks the defined flags. */
    record Res(long value, long flags, long defined) {}

    static long mask(int bits) {
        return bits == 64 ? -1L : (1L << bits) - 1;
    }

    static BigInteger u(long v, int bits) {
        return new BigInteger(Long.toUnsignedString(v & mask(bits)));
    }

    static BigInteger s(long v, int bits) {
        long m = v & mask(bits);
        BigInteger x = new BigInteger(Long.toUnsignedString(m));
        if (x.testBit(bits - 1)) {
            x = x.subtract(BigInteger.ONE.shiftLeft(bits));
        }
        return x;
    }

    static long szp(long r, int bits) {
        long f = 0;
        r &= mask(bits);
        if (r == 0) {
            f |= ZF;
        }
        if (((r >>> (bits - 1)) & 1) != 0) {
            f |= SF;
        }
        int ones = 0;
        for (int k = 0; k < 8; k++) {
            ones += (int) ((r >>> k) & 1);
        }
        if (ones % 2 == 0) {
            f |= PF;
        }
        return f;
    }

    static boolean signedOverflow(BigInteger v, int bits) {
        BigInteger max = BigInteger.ONE.shiftLeft(bits - 1);
        return v.compareTo(max) >= 0 || v.compareTo(max.negate()) < 0;
    }

    static Res add(long a, long b, long cin, int bits) {
        BigInteger ur = u(a, bits).add(u(b, bits)).add(BigInteger.valueOf(cin));
        BigInteger sr = s(a, bits).add(s(b, bits)).add(BigInteger.valueOf(cin));
        long r = ur.longValue() & mask(bits);
        long f = szp(r, bits);
        if (ur.bitLength() > bits) {
            f |= CF;
        }
        if (signedOverflow(sr, bits)) {
            f |= OF;
        }
        if ((a & 0xF) + (b & 0xF) + cin > 0xF) {
            f |= AF;
        }
        return new Res(r, f, ALL);
    }

    static Res sub(long a, long b, long cin, int bits) {
        BigInteger ur = u(a, bits).subtract(u(b, bits)).subtract(BigInteger.valueOf(cin));
        BigInteger sr = s(a, bits).subtract(s(b, bits)).subtract(BigInteger.valueOf(cin));
        long r = ur.longValue() & mask(bits);
        long f = szp(r, bits);
        if (ur.signum() < 0) {
            f |= CF;
        }
        if (signedOverflow(sr, bits)) {
            f |= OF;
        }
        if ((a & 0xF) - (b & 0xF) - cin < 0) {
            f |= AF;
        }
        return new Res(r, f, ALL);
    }

    static Res logic(long r, int bits) {
        r &= mask(bits);
        return new Res(r, szp(r, bits), ALL & ~AF);
    }

    /** One of the eight ALU ops by ModRM.reg number (ADD OR ADC SBB AND SUB XOR CMP). */
    static Res alu(int op, long a, long b, long cin, int bits) {
        switch (op) {
            case 0: return add(a, b, 0, bits);
            case 1: return logic(a | b, bits);
            case 2: return add(a, b, cin, bits);
            case 3: return sub(a, b, cin, bits);
            case 4: return logic(a & b, bits);
            case 5: case 7: return sub(a, b, 0, bits);
            default: return logic(a ^ b, bits);
        }
    }

    /**
     * Shift/rotate by the SDM loops. {@code op}: 0 ROL 1 ROR 2 RCL 3 RCR 4 SHL 5 SHR 7 SAR.
     * {@code flagsIn} supplies CF for RCL/RCR and the unchanged flags.
     */
    static Res shift(int op, long a, int countIn, long flagsIn, int bits) {
        int count = countIn & (bits == 64 ? 0x3F : 0x1F);
        long m = mask(bits);
        long msb = 1L << (bits - 1);
        long d = a & m;
        long cf = flagsIn & CF;
        if (count == 0) {
            return new Res(d, flagsIn & ALL, ALL);
        }
        long f = flagsIn & ALL;
        long of = 0;
        switch (op) {
            case 0: case 1: {
                int t = count % bits;
                for (int k = 0; k < t; k++) {
                    if (op == 0) {
                        long top = (d & msb) != 0 ? 1 : 0;
                        d = ((d << 1) | top) & m;
                    } else {
                        long low = d & 1;
                        d = (d >>> 1) | (low != 0 ? msb : 0);
                    }
                }
                cf = op == 0 ? d & 1 : ((d & msb) != 0 ? 1 : 0);
                of = op == 0 ? (((d & msb) != 0 ? 1 : 0) ^ cf)
                        : (((d & msb) != 0 ? 1 : 0) ^ ((d & (msb >>> 1)) != 0 ? 1 : 0));
                f = (f & ~(CF | OF)) | (cf != 0 ? CF : 0) | (of != 0 ? OF : 0);
                return new Res(d, f, count == 1 ? ALL : ALL & ~OF);
            }
            case 2: case 3: {
                int t = bits == 8 ? count % 9 : bits == 16 ? count % 17 : count;
                if (op == 3) {
                    of = (((d & msb) != 0 ? 1 : 0) ^ cf);
                }
                for (int k = 0; k < t; k++) {
                    if (op == 2) {
                        long top = (d & msb) != 0 ? 1 : 0;
                        d = ((d << 1) | cf) & m;
                        cf = top;
                    } else {
                        long low = d & 1;
                        d = (d >>> 1) | (cf != 0 ? msb : 0);
                        cf = low;
                    }
                }
                if (op == 2) {
                    of = ((d & msb) != 0 ? 1 : 0) ^ cf;
                }
                f = (f & ~(CF | OF)) | (cf != 0 ? CF : 0) | (of != 0 ? OF : 0);
                return new Res(d, f, count == 1 ? ALL : ALL & ~OF);
            }
            default: {
                long orig = d;
                for (int k = 0; k < count; k++) {
                    if (op == 4) {
                        cf = (d & msb) != 0 ? 1 : 0;
                        d = (d << 1) & m;
                    } else if (op == 5) {
                        cf = d & 1;
                        d = d >>> 1;
                    } else {
                        cf = d & 1;
                        d = ((d >>> 1) | (d & msb)) & m;
                    }
                }
                if (op == 4) {
                    of = ((d & msb) != 0 ? 1 : 0) ^ cf;
                } else if (op == 5) {
                    of = (orig & msb) != 0 ? 1 : 0;
                }
                f = szp(d, bits) | (cf != 0 ? CF : 0) | (of != 0 ? OF : 0);
                long defined = ALL & ~AF;
                if (count != 1) {
                    defined &= ~OF;
                }
                if (op != 7 && count >= bits) {
                    defined &= ~CF;
                }
                return new Res(d, f, defined);
            }
        }
    }

    private RefModel() {}
}
