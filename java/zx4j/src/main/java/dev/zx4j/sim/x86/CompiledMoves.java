package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.Ops.written;

/**
 * Compiled ops for moves: MOV/MOVZX/MOVSX/LEA between registers, immediates and memory, and the
 * memory-operand base they share.
 */
final class CompiledMoves {
    private CompiledMoves() {
    }

    static final class MovRR extends Op {
        final int d, s;
        final long m;

        MovRR(int d, int s, long m) {
            this.d = d;
            this.s = s;
            this.m = m;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            r[d] = r[s] & m;
        }
    }

    static final class MovRI extends Op {
        final int d;
        final long v;

        MovRI(int d, long v) {
            this.d = d;
            this.v = v;
        }

        @Override
        void run(X86Cpu c) {
            c.regs[d] = v;
        }
    }

    /** MOVZX/MOVSX/MOVSXD register to register (source byte registers AL..R15B only). */
    static final class ExtendRR extends Op {
        final int d, s, shift;
        final boolean sx;
        final long m;

        ExtendRR(int d, int s, int srcSize, boolean sx, long m) {
            this.d = d;
            this.s = s;
            this.shift = 64 - srcSize * 8;
            this.sx = sx;
            this.m = m;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = r[s] << shift;
            r[d] = (sx ? v >> shift : v >>> shift) & m;
        }
    }

    /** A memory operand: base + index * 2^scale + disp (RIP-relative folded into disp). */
    abstract static class MemOp extends Op {
        final int base, index, scale;
        final long disp;
        /** Address of the next instruction. */
        final long next;

        MemOp(Insn i, long next) {
            this.next = next;
            if (i.base == Insn.BASE_RIP) {
                base = -1;
                disp = i.disp + next;
            } else {
                base = i.base;
                disp = i.disp;
            }
            index = i.index;
            scale = i.scale;
        }

        final long ea(long[] r) {
            long a = disp;
            if (base >= 0) {
                a += r[base];
            }
            if (index >= 0) {
                a += r[index] << scale;
            }
            return a;
        }
    }

    /** Only a memory operand, for ops that keep one as a field (never run itself). */
    static final class Address extends MemOp {
        Address(Insn i, long next) {
            super(i, next);
        }

        @Override
        void run(X86Cpu c) {
            throw new IllegalStateException("an address is not an instruction");
        }
    }

    static final class Lea extends MemOp {
        final int d;
        final long m;

        Lea(Insn i, long next, int d, long m) {
            super(i, next);
            this.d = d;
            this.m = m;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            r[d] = ea(r) & m;
        }
    }

    /** MOV r32/r64, m. */
    static final class Load extends MemOp {
        final int d, size;

        Load(Insn i, long next, int d, int size) {
            super(i, next);
            this.d = d;
            this.size = size;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long la = ea(r);
            r[d] = size == 8 ? Memory.ld64(c, la) : Memory.ld32(c, la);
        }
    }

    /** MOVZX/MOVSX/MOVSXD r32/r64, m8/m16/m32. */
    static final class ExtendLoad extends MemOp {
        final int d, srcSize, shift;
        final boolean sx;
        final long m;

        ExtendLoad(Insn i, long next, int d, int srcSize, boolean sx, long m) {
            super(i, next);
            this.d = d;
            this.srcSize = srcSize;
            this.shift = 64 - srcSize * 8;
            this.sx = sx;
            this.m = m;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = Memory.ld(c, ea(r), srcSize);
            r[d] = sx ? ((v << shift) >> shift) & m : v;
        }
    }

    /** MOV m, r (any size; byte registers AL..R15B only). */
    static final class Store extends MemOp {
        final int s, size;

        Store(Insn i, long next, int s, int size) {
            super(i, next);
            this.s = s;
            this.size = size;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            Memory.st(c, ea(r), size, r[s]);
            written(c, next);
        }
    }

    /** MOV m, imm. */
    static final class StoreImm extends MemOp {
        final long v;
        final int size;

        StoreImm(Insn i, long next, long v, int size) {
            super(i, next);
            this.v = v;
            this.size = size;
        }

        @Override
        void run(X86Cpu c) {
            Memory.st(c, ea(c.regs), size, v);
            written(c, next);
        }
    }
}
