package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.X86Cpu.FLAG_CF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_OF;
import static dev.zx4j.sim.x86.X86Cpu.RAX;
import static dev.zx4j.sim.x86.X86Cpu.RDX;
import static dev.zx4j.sim.x86.X86Cpu.mask;
import static dev.zx4j.sim.x86.X86Cpu.sext;

import java.math.BigInteger;

/** One-operand MUL/IMUL and DIV/IDIV (with #DE). */
final class MulDiv {
    static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private MulDiv() {
    }

    static void mul1(X86Cpu cpu, Insn i, int s) {
        long src = cpu.readRm(i, s);
        boolean signed = i.op == Insn.IMUL1;
        long lo;
        long hi;
        boolean ovf;
        switch (s) {
            case 1: {
                long p = signed ? sext(cpu.regs[RAX], 1) * sext(src, 1) : (cpu.regs[RAX] & 0xFF) * src;
                cpu.writeReg(RAX, 2, p);
                lo = p & 0xFF;
                ovf = signed ? sext(p, 1) != p : (p >>> 8) != 0;
                break;
            }
            case 2:
            case 4: {
                long a = cpu.readReg(RAX, s);
                long p = signed ? sext(a, s) * sext(src, s) : a * src;
                lo = p & mask(s);
                hi = (p >> (s * 8)) & mask(s);
                cpu.writeReg(RAX, s, lo);
                cpu.writeReg(RDX, s, hi);
                ovf = signed ? sext(p, s) != p : hi != 0;
                break;
            }
            default: {
                long a = cpu.regs[RAX];
                lo = a * src;
                if (signed) {
                    hi = Math.multiplyHigh(a, src);
                    ovf = hi != (lo >> 63);
                } else {
                    hi = Math.multiplyHigh(a, src) + ((a >> 63) & src) + ((src >> 63) & a);
                    ovf = hi != 0;
                }
                cpu.regs[RAX] = lo;
                cpu.regs[RDX] = hi;
                break;
            }
        }
        Flags.setArith(cpu, (ovf ? FLAG_CF | FLAG_OF : 0) | Flags.szp(lo, s));
    }

    static BigInteger unsigned(long v) {
        BigInteger b = BigInteger.valueOf(v);
        return v < 0 ? b.add(TWO_64) : b;
    }

    static void div(X86Cpu cpu, Insn i, int s) {
        long d = cpu.readRm(i, s);
        long hi = s == 1 ? 0 : cpu.readReg(RDX, s);
        long lo = s == 1 ? cpu.regs[RAX] & 0xFFFF : cpu.readReg(RAX, s);
        long q = quotient(hi, lo, d, s, i.op == Insn.IDIV);
        long r = remainder(lo, d, q, s);
        if (s == 1) {
            cpu.writeReg(RAX, 2, (q & 0xFF) | ((r & 0xFF) << 8));
        } else {
            cpu.writeReg(RAX, s, q);
            cpu.writeReg(RDX, s, r);
        }
    }

    /**
     * The quotient of DIV/IDIV of {@code s} bytes, masked to {@code s} bytes, or #DE (a zero
     * divisor or a quotient that does not fit). The dividend is {@code hi:lo}, each {@code s}
     * bytes wide (for {@code s == 1}, {@code hi} is 0 and {@code lo} is AX); {@code d} is the
     * divisor zero-extended from {@code s} bytes.
     */
    static long quotient(long hi, long lo, long d, int s, boolean signed) {
        if (d == 0) {
            throw CpuSignal.fault(0);
        }
        if (s < 8) {
            long dividend = s == 1 ? lo : (hi << (s * 8)) | lo;
            if (signed) {
                long n = sext(dividend, s * 2);
                long dv = sext(d, s);
                if (n == Long.MIN_VALUE && dv == -1) {
                    throw CpuSignal.fault(0);
                }
                long q = n / dv;
                if (q != sext(q, s)) {
                    throw CpuSignal.fault(0);
                }
                return q & mask(s);
            }
            long q = Long.divideUnsigned(dividend, d);
            if ((q & ~mask(s)) != 0) {
                throw CpuSignal.fault(0);
            }
            return q;
        }
        if (!signed) {
            if (hi == 0) {
                return Long.divideUnsigned(lo, d);
            }
            if (Long.compareUnsigned(hi, d) >= 0) {
                throw CpuSignal.fault(0);
            }
            BigInteger n = unsigned(hi).shiftLeft(64).or(unsigned(lo));
            return n.divide(unsigned(d)).longValue();
        }
        if (hi == (lo >> 63)) {
            if (lo == Long.MIN_VALUE && d == -1) {
                throw CpuSignal.fault(0);
            }
            return lo / d;
        }
        BigInteger n = BigInteger.valueOf(hi).shiftLeft(64).or(unsigned(lo));
        BigInteger q = n.divide(BigInteger.valueOf(d));
        if (q.bitLength() > 63) {
            throw CpuSignal.fault(0);
        }
        return q.longValue();
    }

    /**
     * The remainder that goes with {@link #quotient}: dividend = quotient × divisor + remainder
     * exactly (truncating division, signed or not), so its low {@code s} bytes are those of
     * {@code lo - q * d}.
     */
    static long remainder(long lo, long d, long q, int s) {
        return (lo - q * d) & mask(s);
    }
}
