package dev.zx4j.sim.x86;

import java.util.List;

/**
 * A region of 64-bit guest code translated to JVM bytecode by {@link Translator}: the superclass
 * of every generated (hidden) class. A unit covers blocks of one guest page reachable from its
 * head, and every one of them is an entry: the block map holds one {@link Entry} per member
 * block, and the generated {@code run} starts at the block RIP names.
 *
 * <h2>How it keeps the {@link CodeBlock} contract</h2>
 * On a normal return every instruction it ran retired, {@code c.retired} counts them and
 * {@code c.rip} is the next instruction (a unit may run many blocks, loops included, before it
 * returns; the budget is checked at every block edge inside it, stop requests and the interrupt
 * window at backward edges and after blocks that ran interpreter code). When an instruction
 * raises a {@link CpuSignal}, the generated code writes its register and lazy-flag locals back
 * (unless the signal came out of a call into an {@link Op}, which left the CPU exact itself), sets
 * {@code c.retired} to the count at the start of the current block, and calls
 * {@link #stopped} with the index of the op that raised it; from there on the state is
 * established exactly as {@link CodeBlock.OpBlock} does.
 */
abstract class TranslatedUnit extends CodeBlock {
    /** The block the unit was translated from (put back when the unit is dropped). */
    final CodeBlock.OpBlock head;
    /** Per op index of the unit: its first instruction's index within its block. */
    private final int[] firstInBlock;
    /** Per op index: the number of instructions of its block up to and including the op. */
    private final int[] upToInBlock;
    /** Per op index: its first instruction and that instruction's address. */
    private final Insn[] insnOf;
    private final long[] ipOf;
    /** Guest blocks translated into this unit (for statistics and tests). */
    final int blockCount;
    /** The member blocks, head first (set by {@link Translator}). */
    CodeBlock.OpBlock[] members;
    /** The block-map keys holding this unit's entries (set by {@link CodeCache}). */
    List<Long> keys = List.of();
    /** Size of the generated method in bytes of JVM bytecode. */
    int codeSize;

    TranslatedUnit(CodeBlock.OpBlock head, int[] firstInBlock, int[] upToInBlock, Insn[] insnOf,
            long[] ipOf, int blockCount) {
        super(head.la, 64, head.insns, true);
        this.head = head;
        this.firstInBlock = firstInBlock;
        this.upToInBlock = upToInBlock;
        this.insnOf = insnOf;
        this.ipOf = ipOf;
        this.blockCount = blockCount;
    }

    /**
     * Called by the generated code when op {@code k} raised {@code s}, with {@code c.retired}
     * already at the count before the op's block and the guest registers written back.
     */
    /**
     * The unit entered at one member block: what the block map holds at that block's key. Runs
     * the unit (which starts at {@code c.rip}); {@link #insns} are the block's own, for the run
     * loop's single steps in an interrupt shadow.
     */
    static final class Entry extends CodeBlock {
        final TranslatedUnit unit;
        final CodeBlock.OpBlock block;

        Entry(TranslatedUnit unit, CodeBlock.OpBlock block) {
            super(block.la, 64, block.insns, true);
            this.unit = unit;
            this.block = block;
        }

        @Override
        void run(X86Cpu c) {
            unit.run(c);
        }
    }

    final void stopped(X86Cpu c, int k, CpuSignal s) {
        if (s.kind == CpuSignal.CODE_WRITTEN) {
            c.retired += upToInBlock[k];
            return;
        }
        c.retired += firstInBlock[k];
        c.cur = insnOf[k];
        if (s.kind != CpuSignal.SOFT_INT) {
            c.rip = ipOf[k];
        }
    }
}
