package dev.zx4j.sim.x86;

import java.util.Arrays;

/**
 * Why {@link X86Cpu#run(long)} returned. Every run ends in exactly one of these values; guest
 * behaviour never surfaces as a Java exception.
 *
 * <p>For {@link IoExit}, {@link MemExit}, {@link BellExit} and {@link HaltExit} the instruction
 * has been retired and RIP already points past it, as the Zircon kernel leaves it.
 */
public sealed interface VcpuExit {

    /**
     * IN or OUT to an I/O port ({@code zx_packet_guest_io_t}). For OUT, {@code data} holds the
     * {@code accessSize} low bytes of RAX. For IN, {@code data} is 0 and the value is supplied
     * afterwards with {@link X86Cpu#writeIoInput(int, int)} (the {@code ZX_VCPU_IO} write).
     *
     * @param port I/O port (0..0xFFFF)
     * @param accessSize 1, 2 or 4
     * @param input true for IN
     * @param data output value (OUT) or 0 (IN)
     */
    record IoExit(int port, int accessSize, boolean input, int data) implements VcpuExit {}

    /**
     * A read or write of a MEM-trapped guest-physical address. The access was not performed; the
     * VMM emulates it from the instruction bytes (V-era {@code zx_packet_guest_mem_t}).
     *
     * @param addr guest-physical address accessed
     * @param instructionLength length of the instruction, 1..15
     * @param instruction the instruction bytes (length {@code instructionLength})
     * @param defaultOperandSize 4 in 64-bit mode or when CS.D = 1, else 2
     */
    record MemExit(long addr, int instructionLength, byte[] instruction, int defaultOperandSize)
            implements VcpuExit {
        /**
         * Copies the instruction bytes.
         *
         * @param addr guest-physical address accessed
         * @param instructionLength length of the instruction, 1..15
         * @param instruction the instruction bytes (length {@code instructionLength})
         * @param defaultOperandSize 4 in 64-bit mode or when CS.D = 1, else 2
         */
        public MemExit {
            instruction = instruction.clone();
        }

        /** {@return a copy of the instruction bytes} */
        @Override
        public byte[] instruction() {
            return instruction.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MemExit m && m.addr == addr && m.instructionLength == instructionLength
                    && Arrays.equals(m.instruction, instruction)
                    && m.defaultOperandSize == defaultOperandSize;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(addr) * 31 + Arrays.hashCode(instruction);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            for (byte x : instruction) {
                sb.append(String.format("%02x", x & 0xFF));
            }
            return "MemExit[addr=0x" + Long.toHexString(addr) + ", len=" + instructionLength
                    + ", bytes=" + sb + ", dos=" + defaultOperandSize + "]";
        }
    }

    /**
     * A write to a BELL-trapped guest-physical address. The written data is discarded; the kernel
     * queues a {@code ZX_PKT_TYPE_GUEST_BELL} packet and re-enters the guest.
     *
     * @param addr guest-physical address written
     */
    record BellExit(long addr) implements VcpuExit {}

    /**
     * CPUID, when the kernel answers it ({@link X86Cpu#setCpuidExits}). A VM exit: the
     * instruction has <b>not</b> been executed and RIP points at it; the kernel writes the four
     * registers and completes it with {@link X86Cpu#nextRip()}.
     */
    record Cpuid() implements VcpuExit {
        static final Cpuid INSTANCE = new Cpuid();
    }

    /**
     * RDMSR of an MSR the processor does not own (not in the VMX MSR bitmap). A VM exit: RIP
     * points at the RDMSR; the kernel sets EDX:EAX and calls {@link X86Cpu#nextRip()}, or queues a
     * #GP and leaves RIP there, or fails {@code zx_vcpu_enter}.
     *
     * @param msr ECX
     */
    record Rdmsr(int msr) implements VcpuExit {}

    /**
     * WRMSR of an MSR the processor does not own. A VM exit like {@link Rdmsr}.
     *
     * @param msr ECX
     * @param value EDX:EAX
     */
    record Wrmsr(int msr, long value) implements VcpuExit {}

    /** HLT executed; RIP is past the HLT. The kernel blocks until an interrupt is pending. */
    record HaltExit() implements VcpuExit {}

    /** Why a {@link Stopped} exit happened. */
    enum StopReason {
        /** {@link X86Cpu#requestStop()} was called (kick, newly pending interrupt). */
        STOP_REQUESTED,
        /** The instruction budget passed to {@link X86Cpu#run(long)} is used up. */
        BUDGET_EXHAUSTED,
        /**
         * An interrupt window was requested with {@link X86Cpu#setInterruptWindowExiting(boolean)}
         * and the guest can now take an external interrupt.
         */
        INTERRUPT_WINDOW
    }

    /**
     * The CPU stopped at an instruction boundary without a guest-visible event.
     *
     * @param reason why the CPU stopped
     */
    record Stopped(StopReason reason) implements VcpuExit {}

    /**
     * The guest cannot continue; {@code zx_vcpu_enter} fails with {@code status}.
     * <ul>
     *   <li>{@code ZX_ERR_NOT_SUPPORTED}: an instruction the emulator does not implement (or the
     *       kernel does not support, such as string I/O), a read of a BELL page, something the
     *       CPU does not model, or a triple fault (the kernel has no handler for that exit);</li>
     *   <li>{@code ZX_ERR_INVALID_ARGS}: an XSETBV the kernel's exit handler refuses (the
     *       MSR handlers' failures come from the kernel side, after {@link Wrmsr});</li>
     *   <li>{@code ZX_ERR_OUT_OF_RANGE}: an access to a guest-physical address that is neither RAM
     *       nor a MEM/BELL trap (including page-table walks and instruction fetches outside RAM,
     *       and instruction fetches from trap pages).</li>
     * </ul>
     *
     * @param status a negative Zircon status
     * @param detail human-readable explanation for logs
     */
    record ErrorExit(int status, String detail) implements VcpuExit {}
}
