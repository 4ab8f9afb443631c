package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.Ops.written;
import static dev.zx4j.sim.x86.X86Cpu.RSP;

/** Compiled ops for PUSH and POP. */
final class CompiledStack {
    private CompiledStack() {
    }

    static final class Push extends Op {
        final long next;
        final int s;

        Push(long next, int s) {
            this.next = next;
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long sp = r[RSP] - 8;
            Memory.st64(c, sp, r[s]);
            r[RSP] = sp;
            written(c, next);
        }
    }

    static final class PushImm extends Op {
        final long next;
        final long v;

        PushImm(long next, long v) {
            this.next = next;
            this.v = v;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long sp = r[RSP] - 8;
            Memory.st64(c, sp, v);
            r[RSP] = sp;
            written(c, next);
        }
    }

    static final class Pop extends Op {
        final int d;

        Pop(int d) {
            this.d = d;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = Memory.ld64(c, r[RSP]);
            r[RSP] += 8;
            r[d] = v;
        }
    }
}
