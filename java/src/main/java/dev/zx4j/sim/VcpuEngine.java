package dev.zx4j.sim;

/**
 * What runs a VCPU's guest code: the simulated kernel drives it from {@code zx_vcpu_enter}.
 *
 * <p>The engine reaches guest RAM through the {@link Bus} it was built with. An access to an
 * address that is not RAM is not performed: the engine stops with a {@link MemAccess} exit, RIP
 * already past the instruction (as the kernel leaves it for MEM and BELL traps), and the kernel
 * decides what the address is.
 */
interface VcpuEngine {

    /** Guest-physical memory as the engine sees it. */
    interface Bus {
        /** The 4 KiB RAM page containing {@code gpa}, or null when {@code gpa} is not RAM. */
        byte[] ramPage(long gpa);

        /** Changes whenever RAM pages may have been remapped or written by the host. */
        long version();
    }

    /** Why {@link #run()} returned. */
    sealed interface Exit permits IoExit, MemAccess, Halt, Stopped, Failure {}

    /** IN or OUT; {@code data} holds the output value (size bytes) for OUT. */
    record IoExit(int port, int size, boolean input, int data) implements Exit {}

    /**
     * An access to a non-RAM address. {@code instruction} holds the instruction's bytes
     * (1–15), {@code defaultOperandSize} is 2 or 4.
     */
    record MemAccess(long addr, boolean write, byte[] instruction, int defaultOperandSize)
            implements Exit {}

    /** HLT executed; RIP is past it. */
    record Halt() implements Exit {}

    /** {@link #requestStop()} was honoured at an instruction boundary. */
    record Stopped() implements Exit {}

    /** The guest cannot go on; {@code status} is what {@code zx_vcpu_enter} returns. */
    record Failure(int status, String reason) implements Exit {}

    /** Runs guest code on the calling thread until an exit. Never throws. */
    Exit run();

    /** Asks a running (or the next) {@link #run()} to return {@link Stopped} soon. Any thread. */
    void requestStop();

    /** Whether an external interrupt (vector ≥ 32) can be delivered now (IF set, no shadow). */
    boolean externalInterruptsEnabled();

    /** Delivers {@code vector} through the guest IDT; a failure exit if delivery is impossible. */
    Exit deliver(int vector);

    /** Reads the 136-byte x86 {@code zx_vcpu_state_t} (RFLAGS masked to user bits). */
    void readState(byte[] state);

    /** Writes the 136-byte state with the RFLAGS quirk (only when bit 1 is set, user bits only). */
    void writeState(byte[] state);

    /** {@code ZX_VCPU_IO}: copies {@code size} bytes of {@code data} into the low bytes of RAX. */
    void writeIo(int size, int data);

    /** Guest instructions executed so far. */
    long instructions();
}
