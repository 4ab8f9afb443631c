package dev.zx4j.sim.x86;

/**
 * What the MMX/SSE unit ({@link Sse}) needs from the rest of the CPU: memory at linear
 * addresses (faults thrown as {@link CpuSignal}), the general registers, the arithmetic flags
 * and the control registers that gate the unit.
 */
interface SseHost {
    long readMem(long la, int size);

    void writeMem(long la, int size, long v);

    /** Checks that {@code la..la+size) is writable without writing (a fault is thrown). */
    void probeWrite(long la, int size);

    long gpr(int id);

    /** Writes a general register as an instruction of that operand size would (4 zero-extends). */
    void setGpr(int id, int size, long v);

    /** Sets OF, SF, ZF, AF, PF, CF (RFLAGS bit positions) to the bits of {@code f}. */
    void setArithFlags(long f);

    long cr0();

    long cr4();

    long xcr0();

    void setXcr0(long v);

    /** Current privilege level (XSETBV needs 0). */
    int cpl();
}
