package dev.zx4j.sim.x86.diff;

/**
 * Where a batch of cases lives in guest memory, the same on hardware and on the software VCPU:
 * case i's code slot at {@link #CODE_BASE} + 520 i, its data slot at {@link #dataBase()} + 520 i.
 *
 * <pre>
 * code slot: prologue (38 bytes)  snippet  epilogue (44 bytes)
 *   prologue: mov rsp, IN; pop rax, rcx, rdx, rbx, rbp, rsi, rdi, r8..r15; popfq; mov rsp, STACK_TOP
 *   epilogue: mov [OUT], rsp; mov rsp, OUT+136; pushfq; push r15..r8, rdi, rsi, rbp, rbx, rdx, rcx, rax;
 *             jmp next slot (the last case: mov [DONE], al)
 * data slot: IN (+0, 16 qwords)  OUT (+128, 17 qwords: rsp, rax..r15 without rsp, rflags)
 *            MEM (+320, 128 bytes: 64 scratch bytes at R15, then the stack, top at +448)
 * </pre>
 * None of MOV, POP, PUSH changes a flag, so the snippet starts with exactly the IN flags and the
 * epilogue stores exactly the snippet's final flags.
 */
final class Layout {
    static final long CODE_BASE = 0x100000;
    /** Not a divisor of 4096, so snippets, memory operands and stacks regularly straddle pages. */
    static final int CODE_SLOT = 520;
    static final int DATA_SLOT = 520;
    static final int IN_OFF = 0;
    static final int OUT_OFF = 128;
    static final int MEM_OFF = 320;
    static final int SCRATCH_SIZE = 64;
    static final int STACK_SIZE = 64;
    static final int MEM_SIZE = SCRATCH_SIZE + STACK_SIZE;
    static final int PROLOGUE_LEN = 38;
    static final int EPILOGUE_LEN = 44;
    static final int DONE_LEN = 7;
    /** The longest snippet that fits a code slot. */
    static final int MAX_SNIPPET = CODE_SLOT - PROLOGUE_LEN - EPILOGUE_LEN - DONE_LEN;
    /** Guest RAM of the oracle (kvm-oracle.c RAM_SIZE). */
    static final long RAM_SIZE = 64L << 20;
    /** A guest address with no RAM behind it: a write there ends the batch (kvm-oracle.c). */
    static final long DONE = 0x3FF00000L;

    final int count;
    private final long dataBase;

    Layout(int count) {
        if (count < 1 || count > maxCases()) {
            throw new IllegalArgumentException("case count " + count + " not in 1.." + maxCases());
        }
        this.count = count;
        this.dataBase = CODE_BASE + roundUp((long) count * CODE_SLOT, 0x10000);
    }

    static int maxCases() {
        return (int) ((RAM_SIZE - CODE_BASE) / (CODE_SLOT + DATA_SLOT)) - 128;
    }

    private static long roundUp(long v, long a) {
        return (v + a - 1) / a * a;
    }

    long dataBase() {
        return dataBase;
    }

    long codeSlot(int i) {
        return CODE_BASE + (long) i * CODE_SLOT;
    }

    long snippetAddress(int i) {
        return codeSlot(i) + PROLOGUE_LEN;
    }

    long dataSlot(int i) {
        return dataBase + (long) i * DATA_SLOT;
    }

    long memAddress(int i) {
        return dataSlot(i) + MEM_OFF;
    }

    long stackTop(int i) {
        return memAddress(i) + MEM_SIZE;
    }

    /** Slot index of a code address, or -1 when it is not in this batch's code. */
    int caseAt(long codeAddress) {
        long k = (codeAddress - CODE_BASE) / CODE_SLOT;
        return codeAddress >= CODE_BASE && k < count ? (int) k : -1;
    }
}
