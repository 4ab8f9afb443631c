package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.X86Cpu.LF_ADD;
import static dev.zx4j.sim.x86.X86Cpu.LF_LOGIC;
import static dev.zx4j.sim.x86.X86Cpu.LF_SUB;
import static dev.zx4j.sim.x86.X86Cpu.RSP;

import dev.zx4j.sim.x86.CompiledMoves.MemOp;

/**
 * Compiled ops that end a block: Jcc (also fused with the compare or test before it), JMP,
 * CALL, RET and indirect JMP/CALL.
 */
final class CompiledBranches {
    private CompiledBranches() {
    }

    /**
     * A conditional branch that ends its block: condition code, the operand size its flags
     * come from (0 when they are read from RFLAGS), and the two successors.
     */
    abstract static class Branch extends Op {
        final int cc, size;
        final long taken, fall;

        Branch(int cc, int size, long taken, long fall) {
            this.cc = cc;
            this.size = size;
            this.taken = taken;
            this.fall = fall;
        }
    }

    /** Jcc on the lazy flags, whatever produced them. */
    static final class Jcc extends Branch {
        Jcc(int cc, long taken, long fall) {
            super(cc, 0, taken, fall);
        }

        @Override
        void run(X86Cpu c) {
            c.rip = Flags.cond(c, cc) ? taken : fall;
        }
    }

    /** Jcc whose flags come from a SUB/CMP/NEG of {@code size} bytes earlier in the block. */
    static final class JccSub extends Branch {
        JccSub(int cc, int size, long taken, long fall) {
            super(cc, size, taken, fall);
        }

        @Override
        void run(X86Cpu c) {
            c.rip = Flags.condSub(cc, size, c.lfA, c.lfB, c.lfR) ? taken : fall;
        }
    }

    /** Jcc whose flags come from an ADD of {@code size} bytes earlier in the block. */
    static final class JccAdd extends Branch {
        JccAdd(int cc, int size, long taken, long fall) {
            super(cc, size, taken, fall);
        }

        @Override
        void run(X86Cpu c) {
            c.rip = Flags.condAdd(cc, size, c.lfA, c.lfB, c.lfR) ? taken : fall;
        }
    }

    /** Jcc whose flags come from AND/OR/XOR/TEST of {@code size} bytes earlier in the block. */
    static final class JccLogic extends Branch {
        JccLogic(int cc, int size, long taken, long fall) {
            super(cc, size, taken, fall);
        }

        @Override
        void run(X86Cpu c) {
            c.rip = Flags.condLogic(cc, size, c.lfR) ? taken : fall;
        }
    }

    /** CMP r, imm or SUB r, imm ({@code write}) followed by Jcc. */
    static final class CmpRIJcc extends Branch {
        final int d;
        final long b, m;
        final boolean write;

        CmpRIJcc(int d, long b, long m, int size, int cc, long taken, long fall, boolean write) {
            super(cc, size, taken, fall);
            this.d = d;
            this.b = b;
            this.m = m;
            this.write = write;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long v = (a - b) & m;
            if (write) {
                r[d] = v;
            }
            lazyFlags(c, LF_SUB, size, a, b, v);
            c.rip = Flags.condSub(cc, size, a, b, v) ? taken : fall;
        }
    }

    /** CMP r, r or SUB r, r ({@code write}) followed by Jcc. */
    static final class CmpRRJcc extends Branch {
        final int d, s;
        final long m;
        final boolean write;

        CmpRRJcc(int d, int s, long m, int size, int cc, long taken, long fall, boolean write) {
            super(cc, size, taken, fall);
            this.d = d;
            this.s = s;
            this.m = m;
            this.write = write;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long b = r[s] & m;
            long v = (a - b) & m;
            if (write) {
                r[d] = v;
            }
            lazyFlags(c, LF_SUB, size, a, b, v);
            c.rip = Flags.condSub(cc, size, a, b, v) ? taken : fall;
        }
    }

    /** TEST r, r followed by Jcc. */
    static final class TestRRJcc extends Branch {
        final int d, s;
        final long m;

        TestRRJcc(int d, int s, long m, int size, int cc, long taken, long fall) {
            super(cc, size, taken, fall);
            this.d = d;
            this.s = s;
            this.m = m;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = r[d] & r[s] & m;
            lazyFlags(c, LF_LOGIC, size, 0, 0, v);
            c.rip = Flags.condLogic(cc, size, v) ? taken : fall;
        }
    }

    /** TEST r, imm followed by Jcc. */
    static final class TestRIJcc extends Branch {
        final int d;
        final long b;

        TestRIJcc(int d, long b, int size, int cc, long taken, long fall) {
            super(cc, size, taken, fall);
            this.d = d;
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            long v = c.regs[d] & b;
            lazyFlags(c, LF_LOGIC, size, 0, 0, v);
            c.rip = Flags.condLogic(cc, size, v) ? taken : fall;
        }
    }

    /** ADD r, imm followed by Jcc. */
    static final class AddRIJcc extends Branch {
        final int d;
        final long b, m;

        AddRIJcc(int d, long b, long m, int size, int cc, long taken, long fall) {
            super(cc, size, taken, fall);
            this.d = d;
            this.b = b;
            this.m = m;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long v = (a + b) & m;
            r[d] = v;
            lazyFlags(c, LF_ADD, size, a, b, v);
            c.rip = Flags.condAdd(cc, size, a, b, v) ? taken : fall;
        }
    }

    static final class Jmp extends Op {
        final long target;

        Jmp(long target) {
            this.target = target;
        }

        @Override
        void run(X86Cpu c) {
            c.rip = target;
        }
    }

    static final class Call extends Op {
        final long target, next;

        Call(long target, long next) {
            this.target = target;
            this.next = next;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long sp = r[RSP] - 8;
            Memory.st64(c, sp, next);
            r[RSP] = sp;
            c.rip = target;
            if (c.codeInvalidated) {
                throw CpuSignal.CODE_WRITTEN_STOP;
            }
        }
    }

    static final class Ret extends Op {
        final long release;

        Ret(long release) {
            this.release = release;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long t = Memory.ld64(c, r[RSP]);
            if (!Paging.canonical(t)) {
                throw CpuSignal.fault(13, 0);
            }
            r[RSP] += release;
            c.rip = t;
        }
    }

    /** JMP/CALL r64. */
    static final class IndirectReg extends Op {
        final int s;
        final boolean call;
        final long next;

        IndirectReg(int s, boolean call, long next) {
            this.s = s;
            this.call = call;
            this.next = next;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long t = r[s];
            if (!Paging.canonical(t)) {
                throw CpuSignal.fault(13, 0);
            }
            if (call) {
                long sp = r[RSP] - 8;
                Memory.st64(c, sp, next);
                r[RSP] = sp;
            }
            c.rip = t;
            if (c.codeInvalidated) {
                throw CpuSignal.CODE_WRITTEN_STOP;
            }
        }
    }

    /** JMP/CALL m64 (jump tables, function pointers in memory). */
    static final class IndirectMem extends MemOp {
        final boolean call;

        IndirectMem(Insn i, long next, boolean call) {
            super(i, next);
            this.call = call;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long t = Memory.ld64(c, ea(r));
            if (!Paging.canonical(t)) {
                throw CpuSignal.fault(13, 0);
            }
            if (call) {
                long sp = r[RSP] - 8;
                Memory.st64(c, sp, next);
                r[RSP] = sp;
            }
            c.rip = t;
            if (c.codeInvalidated) {
                throw CpuSignal.CODE_WRITTEN_STOP;
            }
        }
    }
}
