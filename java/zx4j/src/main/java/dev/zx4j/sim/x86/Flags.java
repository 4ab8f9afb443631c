package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.X86Cpu.FLAGS_ARITH;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_AF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_CF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_OF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_PF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_SF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_ZF;
import static dev.zx4j.sim.x86.X86Cpu.LF_ADC;
import static dev.zx4j.sim.x86.X86Cpu.LF_ADD;
import static dev.zx4j.sim.x86.X86Cpu.LF_DEC;
import static dev.zx4j.sim.x86.X86Cpu.LF_INC;
import static dev.zx4j.sim.x86.X86Cpu.LF_LOGIC;
import static dev.zx4j.sim.x86.X86Cpu.LF_NONE;
import static dev.zx4j.sim.x86.X86Cpu.LF_SBB;
import static dev.zx4j.sim.x86.X86Cpu.LF_SUB;
import static dev.zx4j.sim.x86.X86Cpu.mask;
import static dev.zx4j.sim.x86.X86Cpu.sext;
import static dev.zx4j.sim.x86.X86Cpu.signBit;

/**
 * RFLAGS arithmetic flags: the lazy-flag record (operation, size, operands, result), its
 * evaluation, flags pending until an instruction's last write, the eight ALU operations and the
 * condition codes (also evaluated straight from known lazy operands by the compiled ops).
 */
final class Flags {
    private Flags() {
    }

    static boolean parity(long r) {
        return (Long.bitCount(r & 0xFF) & 1) == 0;
    }

    static long szp(long r, int size) {
        long f = 0;
        if ((r & mask(size)) == 0) {
            f |= FLAG_ZF;
        }
        if ((r & signBit(size)) != 0) {
            f |= FLAG_SF;
        }
        if (parity(r)) {
            f |= FLAG_PF;
        }
        return f;
    }

    /** The six arithmetic flags, computed from the lazy state if needed. */
    static long arith(X86Cpu cpu) {
        int op = cpu.lfOp;
        if (op == LF_NONE) {
            return cpu.rflags & FLAGS_ARITH;
        }
        int s = cpu.lfSize;
        long a = cpu.lfA, b = cpu.lfB, r = cpu.lfR;
        long sb = signBit(s);
        long f = szp(r, s);
        switch (op) {
            case LF_LOGIC:
                return f;
            case LF_ADD:
            case LF_ADC:
                if (Long.compareUnsigned(r, a) < 0 || (op == LF_ADC && cpu.lfCin != 0 && r == a)) {
                    f |= FLAG_CF;
                }
                if (((a ^ r) & (b ^ r) & sb) != 0) {
                    f |= FLAG_OF;
                }
                break;
            case LF_SUB:
            case LF_SBB:
                if (Long.compareUnsigned(a, b) < 0 || (op == LF_SBB && cpu.lfCin != 0 && a == b)) {
                    f |= FLAG_CF;
                }
                if (((a ^ b) & (a ^ r) & sb) != 0) {
                    f |= FLAG_OF;
                }
                break;
            case LF_INC:
                f |= cpu.rflags & FLAG_CF;
                if (r == sb) {
                    f |= FLAG_OF;
                }
                break;
            default: // LF_DEC
                f |= cpu.rflags & FLAG_CF;
                if (r == sb - 1) {
                    f |= FLAG_OF;
                }
                break;
        }
        if (((a ^ b ^ r) & 0x10) != 0) {
            f |= FLAG_AF;
        }
        return f;
    }

    /** The carry flag as 0 or 1. */
    static long cfBit(X86Cpu cpu) {
        switch (cpu.lfOp) {
            case LF_ADD: return Long.compareUnsigned(cpu.lfR, cpu.lfA) < 0 ? 1 : 0;
            case LF_SUB: return Long.compareUnsigned(cpu.lfA, cpu.lfB) < 0 ? 1 : 0;
            case LF_LOGIC: return 0;
            case LF_NONE:
            case LF_INC:
            case LF_DEC:
                return cpu.rflags & FLAG_CF;
            default: return arith(cpu) & FLAG_CF;
        }
    }

    /** Replaces all six arithmetic flags. */
    static void setArith(X86Cpu cpu, long f) {
        cpu.rflags = (cpu.rflags & ~FLAGS_ARITH) | (f & FLAGS_ARITH);
        cpu.lfOp = LF_NONE;
    }

    /** Replaces only the arithmetic flags in {@code which}. */
    static void setSomeArith(X86Cpu cpu, long which, long f) {
        long cur = arith(cpu);
        cpu.rflags = (cpu.rflags & ~FLAGS_ARITH) | (cur & ~which) | (f & which);
        cpu.lfOp = LF_NONE;
    }

    static void pend(X86Cpu cpu, int op, int size, long a, long b, long r, long cin) {
        cpu.pOp = op;
        cpu.pSize = size;
        cpu.pA = a;
        cpu.pB = b;
        cpu.pR = r;
        cpu.pCin = cin;
    }

    static void commit(X86Cpu cpu) {
        if (cpu.pOp == LF_INC || cpu.pOp == LF_DEC) {
            long cf = cfBit(cpu);
            cpu.rflags = (cpu.rflags & ~FLAG_CF) | cf;
        }
        cpu.lfOp = cpu.pOp;
        cpu.lfSize = cpu.pSize;
        cpu.lfA = cpu.pA;
        cpu.lfB = cpu.pB;
        cpu.lfR = cpu.pR;
        cpu.lfCin = cpu.pCin;
    }

    /** Computes an ALU operation (masked result) and leaves its flags pending. */
    static long alu(X86Cpu cpu, int sub, long a, long b, int s) {
        long m = mask(s);
        long r;
        switch (sub) {
            case 0: r = (a + b) & m; pend(cpu, LF_ADD, s, a, b, r, 0); break;
            case 1: r = (a | b) & m; pend(cpu, LF_LOGIC, s, a, b, r, 0); break;
            case 2: {
                long c = cfBit(cpu);
                r = (a + b + c) & m;
                pend(cpu, LF_ADC, s, a, b, r, c);
                break;
            }
            case 3: {
                long c = cfBit(cpu);
                r = (a - b - c) & m;
                pend(cpu, LF_SBB, s, a, b, r, c);
                break;
            }
            case 4: r = a & b & m; pend(cpu, LF_LOGIC, s, a, b, r, 0); break;
            case 6: r = (a ^ b) & m; pend(cpu, LF_LOGIC, s, a, b, r, 0); break;
            default: r = (a - b) & m; pend(cpu, LF_SUB, s, a, b, r, 0); break; // SUB, CMP
        }
        return r;
    }

    /** Condition {@code cc} (the low nibble of Jcc/SETcc/CMOVcc) on the current flags. */
    static boolean cond(X86Cpu cpu, int cc) {
        switch (cpu.lfOp) {
            case LF_SUB: return condSub(cc, cpu.lfSize, cpu.lfA, cpu.lfB, cpu.lfR);
            case LF_LOGIC: return condLogic(cc, cpu.lfSize, cpu.lfR);
            case LF_ADD: return condAdd(cc, cpu.lfSize, cpu.lfA, cpu.lfB, cpu.lfR);
            default: return condFlags(cc, arith(cpu));
        }
    }

    /** Condition {@code cc} after {@code r = a - b} (SUB, CMP, NEG) of {@code s} bytes. */
    static boolean condSub(int cc, int s, long a, long b, long r) {
        boolean t;
        switch (cc >> 1) {
            case 0: t = ((a ^ b) & (a ^ r) & signBit(s)) != 0; break;
            case 1: t = Long.compareUnsigned(a, b) < 0; break;
            case 2: t = r == 0; break;
            case 3: t = Long.compareUnsigned(a, b) <= 0; break;
            case 4: t = (r & signBit(s)) != 0; break;
            case 5: t = parity(r); break;
            case 6: t = sext(a, s) < sext(b, s); break;
            default: t = sext(a, s) <= sext(b, s); break;
        }
        return (cc & 1) != 0 ? !t : t;
    }

    /** Condition {@code cc} after {@code r = a + b} (ADD) of {@code s} bytes. */
    static boolean condAdd(int cc, int s, long a, long b, long r) {
        boolean t;
        switch (cc >> 1) {
            case 0: t = ((a ^ r) & (b ^ r) & signBit(s)) != 0; break;
            case 1: t = Long.compareUnsigned(r, a) < 0; break;
            case 2: t = r == 0; break;
            case 3: t = Long.compareUnsigned(r, a) < 0 || r == 0; break;
            case 4: t = (r & signBit(s)) != 0; break;
            case 5: t = parity(r); break;
            case 6: t = ((r & signBit(s)) != 0) != (((a ^ r) & (b ^ r) & signBit(s)) != 0); break;
            default: t = r == 0
                    || ((r & signBit(s)) != 0) != (((a ^ r) & (b ^ r) & signBit(s)) != 0); break;
        }
        return (cc & 1) != 0 ? !t : t;
    }

    /** Condition {@code cc} after a logic operation (CF = OF = 0) with result {@code r}. */
    static boolean condLogic(int cc, int s, long r) {
        boolean t;
        switch (cc >> 1) {
            case 0: case 1: t = false; break;
            case 2: case 3: t = r == 0; break;
            case 4: case 6: t = (r & signBit(s)) != 0; break;
            case 5: t = parity(r); break;
            default: t = r == 0 || (r & signBit(s)) != 0; break;
        }
        return (cc & 1) != 0 ? !t : t;
    }

    static boolean condFlags(int cc, long f) {
        boolean r;
        switch (cc >> 1) {
            case 0: r = (f & FLAG_OF) != 0; break;
            case 1: r = (f & FLAG_CF) != 0; break;
            case 2: r = (f & FLAG_ZF) != 0; break;
            case 3: r = (f & (FLAG_CF | FLAG_ZF)) != 0; break;
            case 4: r = (f & FLAG_SF) != 0; break;
            case 5: r = (f & FLAG_PF) != 0; break;
            case 6: r = ((f & FLAG_SF) != 0) != ((f & FLAG_OF) != 0); break;
            default: r = (f & FLAG_ZF) != 0 || (((f & FLAG_SF) != 0) != ((f & FLAG_OF) != 0)); break;
        }
        return (cc & 1) != 0 ? !r : r;
    }
}
