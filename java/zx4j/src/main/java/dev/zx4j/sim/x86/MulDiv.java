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
        boolean signed = i.op == Insn.IDIV;
        if (d == 0) {
            throw CpuSignal.fault(0);
        }
        long q;
        long r;
        if (s < 8) {
            int bits = s * 8;
            long dividend;
            if (s == 1) {
                dividend = cpu.regs[RAX] & 0xFFFF;
            } else {
                dividend = (cpu.readReg(RDX, s) << bits) | cpu.readReg(RAX, s);
            }
            if (signed) {
                long n = sext(dividend, s * 2);
                long dv = sext(d, s);
                if (n == Long.MIN_VALUE && dv == -1) {
                    throw CpuSignal.fault(0);
                }
                q = n / dv;
                r = n % dv;
                if (q != sext(q, s)) {
                    throw CpuSignal.fault(0);
                }
            } else {
                q = Long.divideUnsigned(dividend, d);
                r = Long.remainderUnsigned(dividend, d);
                if ((q & ~mask(s)) != 0) {
                    throw CpuSignal.fault(0);
                }
            }
            if (s == 1) {
                cpu.writeReg(RAX, 2, (q & 0xFF) | ((r & 0xFF) << 8));
            } else {
                cpu.writeReg(RAX, s, q);
                cpu.writeReg(RDX, s, r);
            }
            return;
        }
        long hi = cpu.regs[RDX];
        long lo = cpu.regs[RAX];
        if (!signed) {
            if (hi == 0) {
                q = Long.divideUnsigned(lo, d);
                r = Long.remainderUnsigned(lo, d);
            } else {
                if (Long.compareUnsigned(hi, d) >= 0) {
                    throw CpuSignal.fault(0);
                }
                BigInteger n = unsigned(hi).shiftLeft(64).or(unsigned(lo));
                BigInteger[] qr = n.divideAndRemainder(unsigned(d));
                q = qr[0].longValue();
                r = qr[1].longValue();
            }
        } else {
            if (hi == (lo >> 63)) {
                if (lo == Long.MIN_VALUE && d == -1) {
                    throw CpuSignal.fault(0);
                }
                q = lo / d;
                r = lo % d;
            } else {
                BigInteger n = BigInteger.valueOf(hi).shiftLeft(64).or(unsigned(lo));
                BigInteger[] qr = n.divideAndRemainder(BigInteger.valueOf(d));
                if (qr[0].bitLength() > 63) {
                    throw CpuSignal.fault(0);
                }
                q = qr[0].longValue();
                r = qr[1].longValue();
            }
        }
        cpu.regs[RAX] = q;
        cpu.regs[RDX] = r;
    }
}
