package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.Ops.M32;
import static dev.zx4j.sim.x86.Ops.written;
import static dev.zx4j.sim.x86.X86Cpu.LF_ADC;
import static dev.zx4j.sim.x86.X86Cpu.LF_ADD;
import static dev.zx4j.sim.x86.X86Cpu.LF_DEC;
import static dev.zx4j.sim.x86.X86Cpu.LF_INC;
import static dev.zx4j.sim.x86.X86Cpu.LF_LOGIC;
import static dev.zx4j.sim.x86.X86Cpu.LF_SBB;
import static dev.zx4j.sim.x86.X86Cpu.LF_SUB;
import static dev.zx4j.sim.x86.X86Cpu.RAX;
import static dev.zx4j.sim.x86.X86Cpu.RDX;

import dev.zx4j.sim.x86.CompiledMoves.MemOp;

/**
 * Compiled ops for integer arithmetic and logic: the eight ALU operations, TEST, INC/DEC/NEG/NOT,
 * shifts by an immediate, IMUL/MUL, CMOVcc and SETcc, with register or memory operands.
 */
final class CompiledAlu {
    private CompiledAlu() {
    }

    /** Fields shared by the register ALU ops: destination, mask, size, whether flags are live. */
    abstract static class AluOp extends Op {
        final int d, size;
        final long m;
        final boolean fl;

        AluOp(int d, long m, int size, boolean fl) {
            this.d = d;
            this.m = m;
            this.size = size;
            this.fl = fl;
        }

        final void flags(X86Cpu c, int op, long a, long b, long r) {
            lazyFlags(c, op, size, a, b, r);
        }
    }

    static final class AddRR extends AluOp {
        final int s;

        AddRR(int d, int s, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long b = r[s] & m;
            long v = (a + b) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_ADD, a, b, v);
            }
        }
    }

    static final class AddRI extends AluOp {
        final long b;

        AddRI(int d, long b, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long v = (a + b) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_ADD, a, b, v);
            }
        }
    }

    static final class SubRR extends AluOp {
        final int s;

        SubRR(int d, int s, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long b = r[s] & m;
            long v = (a - b) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_SUB, a, b, v);
            }
        }
    }

    static final class SubRI extends AluOp {
        final long b;

        SubRI(int d, long b, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long v = (a - b) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_SUB, a, b, v);
            }
        }
    }

    /** CMP r, r (any size: nothing is written back). */
    static final class CmpRR extends AluOp {
        final int s;

        CmpRR(int d, int s, long m, int size) {
            super(d, m, size, true);
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long b = r[s] & m;
            flags(c, LF_SUB, a, b, (a - b) & m);
        }
    }

    static final class CmpRI extends AluOp {
        final long b;

        CmpRI(int d, long b, long m, int size) {
            super(d, m, size, true);
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            long a = c.regs[d] & m;
            flags(c, LF_SUB, a, b, (a - b) & m);
        }
    }

    static final class AndRR extends AluOp {
        final int s;

        AndRR(int d, int s, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = r[d] & r[s] & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_LOGIC, 0, 0, v);
            }
        }
    }

    static final class AndRI extends AluOp {
        final long b;

        AndRI(int d, long b, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = r[d] & b;
            r[d] = v;
            if (fl) {
                flags(c, LF_LOGIC, 0, 0, v);
            }
        }
    }

    static final class OrRR extends AluOp {
        final int s;

        OrRR(int d, int s, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = (r[d] | r[s]) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_LOGIC, 0, 0, v);
            }
        }
    }

    static final class OrRI extends AluOp {
        final long b;

        OrRI(int d, long b, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = (r[d] | b) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_LOGIC, 0, 0, v);
            }
        }
    }

    static final class XorRR extends AluOp {
        final int s;

        XorRR(int d, int s, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = (r[d] ^ r[s]) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_LOGIC, 0, 0, v);
            }
        }
    }

    static final class XorRI extends AluOp {
        final long b;

        XorRI(int d, long b, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = (r[d] ^ b) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_LOGIC, 0, 0, v);
            }
        }
    }

    static final class AdcRR extends AluOp {
        final int s;

        AdcRR(int d, int s, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long b = r[s] & m;
            long cin = Flags.cfBit(c);
            long v = (a + b + cin) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_ADC, a, b, v);
                c.lfCin = cin;
            }
        }
    }

    static final class AdcRI extends AluOp {
        final long b;

        AdcRI(int d, long b, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long cin = Flags.cfBit(c);
            long v = (a + b + cin) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_ADC, a, b, v);
                c.lfCin = cin;
            }
        }
    }

    static final class SbbRR extends AluOp {
        final int s;

        SbbRR(int d, int s, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long b = r[s] & m;
            long cin = Flags.cfBit(c);
            long v = (a - b - cin) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_SBB, a, b, v);
                c.lfCin = cin;
            }
        }
    }

    static final class SbbRI extends AluOp {
        final long b;

        SbbRI(int d, long b, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long cin = Flags.cfBit(c);
            long v = (a - b - cin) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_SBB, a, b, v);
                c.lfCin = cin;
            }
        }
    }

    /** TEST r, r (any size). */
    static final class TestRR extends AluOp {
        final int s;

        TestRR(int d, int s, long m, int size) {
            super(d, m, size, true);
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            flags(c, LF_LOGIC, 0, 0, r[d] & r[s] & m);
        }
    }

    /** TEST r, imm (any size; {@code b} already masked). */
    static final class TestRI extends AluOp {
        final long b;

        TestRI(int d, long b, long m, int size) {
            super(d, m, size, true);
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            flags(c, LF_LOGIC, 0, 0, c.regs[d] & b);
        }
    }

    static final class IncDec extends AluOp {
        final boolean inc;

        IncDec(int d, boolean inc, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.inc = inc;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long v = (inc ? a + 1 : a - 1) & m;
            r[d] = v;
            if (fl) {
                long cf = Flags.cfBit(c);
                c.rflags = (c.rflags & ~X86Cpu.FLAG_CF) | cf;
                flags(c, inc ? LF_INC : LF_DEC, a, 1, v);
            }
        }
    }

    static final class Neg extends AluOp {
        Neg(int d, long m, int size, boolean fl) {
            super(d, m, size, fl);
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long v = (-a) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_SUB, 0, a, v);
            }
        }
    }

    static final class Not extends Op {
        final int d;
        final long m;

        Not(int d, long m) {
            this.d = d;
            this.m = m;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            r[d] = ~r[d] & m;
        }
    }

    /** SHL/SHR/SAR/ROL/ROR by a nonzero immediate, flags dead. */
    static final class ShiftRI extends Op {
        final int d, kind, n, size;

        ShiftRI(int d, int kind, int n, int size) {
            this.d = d;
            this.kind = kind;
            this.n = n;
            this.size = size;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d];
            long v;
            if (size == 8) {
                switch (kind) {
                    case 0: v = Long.rotateLeft(a, n); break;
                    case 1: v = Long.rotateRight(a, n); break;
                    case 5: v = a >>> n; break;
                    case 7: v = a >> n; break;
                    default: v = a << n; break;
                }
            } else {
                int x = (int) a;
                int y;
                switch (kind) {
                    case 0: y = Integer.rotateLeft(x, n); break;
                    case 1: y = Integer.rotateRight(x, n); break;
                    case 5: y = x >>> n; break;
                    case 7: y = x >> n; break;
                    default: y = x << n; break;
                }
                v = y & M32;
            }
            r[d] = v;
        }
    }

    /** IMUL r, r/m (src2 = the destination) or IMUL r, r/m, imm (src2 = -1), register source. */
    static final class Imul extends Op {
        final int d, s, s2, size;
        final long imm;
        final boolean fl;

        Imul(int d, int s, int s2, long imm, int size, boolean fl) {
            this.d = d;
            this.s = s;
            this.s2 = s2;
            this.imm = imm;
            this.size = size;
            this.fl = fl;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = size == 8 ? r[s] : (int) r[s];
            long b = s2 < 0 ? imm : size == 8 ? r[s2] : (int) r[s2];
            long lo = a * b;
            r[d] = size == 8 ? lo : lo & M32;
            if (fl) {
                boolean ovf = size == 8 ? Math.multiplyHigh(a, b) != (lo >> 63) : (int) lo != lo;
                Flags.setArith(c, (ovf ? X86Cpu.FLAG_CF | X86Cpu.FLAG_OF : 0) | Flags.szp(lo, size));
            }
        }
    }

    /** MUL r32/r64: RDX:RAX = RAX * r. */
    static final class Mul extends Op {
        final int s, size;
        final boolean fl;

        Mul(int s, int size, boolean fl) {
            this.s = s;
            this.size = size;
            this.fl = fl;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long lo;
            long hi;
            if (size == 8) {
                long a = r[RAX];
                long b = r[s];
                lo = a * b;
                hi = Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
            } else {
                long p = (r[RAX] & M32) * (r[s] & M32);
                lo = p & M32;
                hi = p >>> 32;
            }
            r[RAX] = lo;
            r[RDX] = hi;
            if (fl) {
                Flags.setArith(c, (hi != 0 ? X86Cpu.FLAG_CF | X86Cpu.FLAG_OF : 0) | Flags.szp(lo, size));
            }
        }
    }

    static final class Cmov extends Op {
        final int d, s, cc;
        final long m;

        Cmov(int d, int s, int cc, long m) {
            this.d = d;
            this.s = s;
            this.cc = cc;
            this.m = m;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            r[d] = (Flags.cond(c, cc) ? r[s] : r[d]) & m;
        }
    }

    static final class Setcc extends Op {
        final int d, cc;

        Setcc(int d, int cc) {
            this.d = d;
            this.cc = cc;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            r[d] = (r[d] & ~0xFFL) | (Flags.cond(c, cc) ? 1 : 0);
        }
    }

    // =====================================================================================
    // ALU with a memory operand
    // =====================================================================================

    static long aluValue(int sub, long a, long b, long m) {
        switch (sub) {
            case 0: return (a + b) & m;
            case 1: return (a | b) & m;
            case 4: return a & b & m;
            case 6: return (a ^ b) & m;
            case 8: return a & b & m; // TEST
            default: return (a - b) & m; // SUB, CMP
        }
    }

    static int aluKind(int sub) {
        switch (sub) {
            case 0: return LF_ADD;
            case 5: case 7: return LF_SUB;
            default: return LF_LOGIC;
        }
    }

    /** OP r, m (ADD OR AND SUB XOR CMP) into a 32/64-bit register. */
    static final class AluRegMem extends MemOp {
        final int sub, d, size, kind;
        final long m;
        final boolean fl;

        AluRegMem(Insn i, long next, int sub, int d, int size, boolean fl) {
            super(i, next);
            this.sub = sub;
            this.d = d;
            this.size = size;
            this.m = X86Cpu.mask(size);
            this.fl = fl;
            this.kind = aluKind(sub);
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long b = size == 8 ? Memory.ld64(c, ea(r)) : Memory.ld32(c, ea(r));
            long a = r[d] & m;
            long v = aluValue(sub, a, b, m);
            if (sub != 7) {
                r[d] = v;
            }
            if (fl) {
                lazyFlags(c, kind, size, a, b, v);
            }
        }
    }

    /**
     * OP m, r / OP m, imm (ADD OR AND SUB XOR CMP, and TEST as sub 8), any size: read, compute,
     * write back unless CMP/TEST, then the flags.
     */
    static final class AluMem extends MemOp {
        final int sub, s, size, kind;
        final long imm, m;
        final boolean fl, write;

        AluMem(Insn i, long next, int sub, int s, long imm, int size, boolean fl, boolean write) {
            super(i, next);
            this.sub = sub;
            this.s = s;
            this.imm = imm;
            this.size = size;
            this.m = X86Cpu.mask(size);
            this.fl = fl;
            this.write = write;
            this.kind = aluKind(sub);
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long la = ea(r);
            long a = Memory.ld(c, la, size);
            long b = s < 0 ? imm : r[s] & m;
            long v = aluValue(sub, a, b, m);
            if (write) {
                Memory.st(c, la, size, v);
            }
            if (fl) {
                lazyFlags(c, kind, size, sub == 8 ? 0 : a, sub == 8 ? 0 : b, v);
            }
            if (write) {
                written(c, next);
            }
        }
    }

    // ---- forms the op blocks interpret and the translator emits inline ------------------

    /**
     * An 8- or 16-bit ALU operation, TEST, MOV, INC, DEC, NEG or NOT with a register destination
     * (AH..BH included) and a register, immediate or memory source. As an op it runs the
     * interpreter; a translated unit emits it inline (the high bits of the register are kept).
     */
    static final class Narrow extends Ops.Generic {
        /** Kinds after the eight ALU operations (0..7). */
        static final int TEST = 8, MOV = 9, INC = 10, DEC = 11, NEG = 12, NOT = 13;
        final int kind, size, d, s;
        final long imm;
        /** The memory source, or null. */
        final MemOp mem;
        final boolean fl;

        Narrow(Insn in, long ip, int kind, int size, int d, int s, long imm, MemOp mem, boolean fl) {
            super(in, ip);
            this.kind = kind;
            this.size = size;
            this.d = d;
            this.s = s;
            this.imm = imm;
            this.mem = mem;
            this.fl = fl;
        }
    }

    /**
     * ROL/ROR/SHL/SHR/SAR of a register of any size by an immediate ({@code count} already
     * masked) or by CL ({@code count} -1), flags live or not. As an op it runs the interpreter;
     * a translated unit emits it inline with {@link Shifts#value} and {@link Shifts#flags}.
     */
    static final class Shift extends Ops.Generic {
        final int sub, d, count, size;
        final boolean fl;

        Shift(Insn in, long ip, int sub, int d, int count, int size, boolean fl) {
            super(in, ip);
            this.sub = sub;
            this.d = d;
            this.count = count;
            this.size = size;
            this.fl = fl;
        }
    }

    /**
     * DIV/IDIV by a register or a memory operand of any size. As an op it runs the interpreter; a
     * translated unit emits it inline with {@link MulDiv#quotient} and {@link MulDiv#remainder}.
     */
    static final class Div extends Ops.Generic {
        final int size, s;
        /** The memory divisor, or null. */
        final MemOp mem;
        final boolean signed;

        Div(Insn in, long ip, int size, int s, MemOp mem, boolean signed) {
            super(in, ip);
            this.size = size;
            this.s = s;
            this.mem = mem;
            this.signed = signed;
        }
    }
}
