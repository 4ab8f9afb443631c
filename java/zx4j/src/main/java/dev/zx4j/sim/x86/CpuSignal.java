package dev.zx4j.sim.x86;

/**
 * Internal control-flow signal thrown from deep inside instruction execution (memory access,
 * page walk, decoding) and caught by {@link X86Cpu}'s run loop. Never escapes to callers of the
 * public API. No stack trace is captured.
 */
final class CpuSignal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A guest exception (#DE, #UD, #GP, #PF, ...) to deliver through the IDT. */
    static final int FAULT = 0;
    /** An access hit a MEM trap. */
    static final int MEM_TRAP = 1;
    /** A write hit a BELL trap. */
    static final int BELL_TRAP = 2;
    /** The guest cannot continue; becomes an {@link VcpuExit.ErrorExit}. */
    static final int ERROR = 3;
    /** A software interrupt (INT n / INT3): RIP already advanced, no error code. */
    static final int SOFT_INT = 4;
    /**
     * Not an event: the instruction completed, but its memory write hit decoded code, so the
     * rest of the running block may be stale. RIP and the retired count already point past it.
     */
    static final int CODE_WRITTEN = 5;

    /**
     * A VM exit to the kernel's handlers (CPUID, RDMSR or WRMSR of an MSR the processor does not
     * own): the instruction is not executed; {@link #vector} says which one ({@link #CPUID},
     * {@link #RDMSR}, {@link #WRMSR}).
     */
    static final int INTERCEPT = 6;
    static final int CPUID = 0;
    static final int RDMSR = 1;
    static final int WRMSR = 2;

    /** The single {@link #CODE_WRITTEN} signal (it carries no data). */
    static final CpuSignal CODE_WRITTEN_STOP = new CpuSignal(CODE_WRITTEN, 0, false, 0, 0, 0, null);

    final int kind;
    final int vector;
    final boolean hasErrorCode;
    final int errorCode;
    final long addr;
    final int status;

    private CpuSignal(int kind, int vector, boolean hasErrorCode, int errorCode, long addr,
            int status, String detail) {
        super(detail, null, false, false);
        this.kind = kind;
        this.vector = vector;
        this.hasErrorCode = hasErrorCode;
        this.errorCode = errorCode;
        this.addr = addr;
        this.status = status;
    }

    static CpuSignal fault(int vector) {
        return new CpuSignal(FAULT, vector, false, 0, 0, 0, null);
    }

    static CpuSignal fault(int vector, int errorCode) {
        return new CpuSignal(FAULT, vector, true, errorCode, 0, 0, null);
    }

    /** INT n, INT3, INTO: delivered after the instruction, subject to the gate's DPL. */
    static CpuSignal softInt(int vector) {
        return new CpuSignal(SOFT_INT, vector, false, 1, 0, 0, null);
    }

    /** INT1 (ICEBP): #DB after the instruction, not subject to the gate's DPL. */
    static CpuSignal icebp() {
        return new CpuSignal(SOFT_INT, 1, false, 0, 0, 0, null);
    }

    static CpuSignal memTrap(long gpa) {
        return new CpuSignal(MEM_TRAP, 0, false, 0, gpa, 0, null);
    }

    static CpuSignal bellTrap(long gpa) {
        return new CpuSignal(BELL_TRAP, 0, false, 0, gpa, 0, null);
    }

    static CpuSignal intercept(int which) {
        return new CpuSignal(INTERCEPT, which, false, 0, 0, 0, null);
    }

    static CpuSignal error(int status, String detail) {
        return new CpuSignal(ERROR, 0, false, 0, 0, status, detail);
    }
}
