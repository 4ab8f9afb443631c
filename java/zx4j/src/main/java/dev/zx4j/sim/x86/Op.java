package dev.zx4j.sim.x86;

/**
 * One executable step of a {@link CodeBlock.OpBlock}: usually one instruction with its operands,
 * operand size and flag needs fixed when the block was built (see {@link Ops}), or an
 * {@link Ops.Generic} wrapper around {@link Interpreter#exec} for everything without a specialised
 * form.
 *
 * <p>An op either completes (the instruction retired; a branch also set {@code c.rip}) or throws
 * a {@link CpuSignal} before changing any guest-visible state, so that the block can report
 * the instruction as the faulting one. Ops that are not branches leave {@code c.rip} alone.
 */
abstract class Op {
    abstract void run(X86Cpu c);

    /** Records the lazy-flag state of an arithmetic result (see {@link X86Cpu}'s lazy flags). */
    static void lazyFlags(X86Cpu c, int op, int size, long a, long b, long r) {
        c.lfOp = op;
        c.lfSize = size;
        c.lfA = a;
        c.lfB = b;
        c.lfR = r;
    }
}
