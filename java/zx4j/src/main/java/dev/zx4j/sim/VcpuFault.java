package dev.zx4j.sim;

import java.util.Arrays;

/**
 * Why the last {@code zx_vcpu_enter} of a simulated VCPU failed: its status, the guest's RIP, the
 * bytes of the instruction at RIP and a reason in words. The status is what the syscall returned
 * (the real kernel says no more); the rest is the simulator's explanation, for error messages.
 * Read it with {@link SimKernel#lastVcpuFault(int)}.
 *
 * @param status      the negative status {@code zx_vcpu_enter} returned
 * @param rip         the guest's RIP when it stopped (for a fault: the faulting instruction)
 * @param instruction up to 15 bytes at RIP as the guest would fetch them; empty when they cannot
 *                    be read (RIP not mapped, outside RAM)
 * @param reason      what went wrong, e.g. {@code triple fault (exception 14 while delivering
 *                    #DF)}
 */
public record VcpuFault(int status, long rip, byte[] instruction, String reason) {

    /** The longest x86 instruction. */
    public static final int MAX_INSTRUCTION = 15;

    /**
     * Copies {@code instruction}, so the record stays unchanged.
     *
     * @param status      the negative status of {@code zx_vcpu_enter}
     * @param rip         the guest's RIP
     * @param instruction the bytes at RIP (copied)
     * @param reason      the reason in words
     */
    public VcpuFault {
        instruction = instruction.clone();
    }

    /** {@return a copy of the instruction bytes} */
    @Override
    public byte[] instruction() {
        return instruction.clone();
    }

    /** {@return the instruction bytes as hex pairs separated by spaces ({@code "0f 0b"})} */
    public String instructionHex() {
        StringBuilder sb = new StringBuilder();
        for (byte b : instruction) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02x", b & 0xFF));
        }
        return sb.toString();
    }

    /**
     * {@return {@code <reason> at RIP 0x… (bytes 0f 0b)}, or {@code … (instruction bytes
     * unreadable)}}
     */
    public String describe() {
        return reason + " at RIP 0x" + Long.toHexString(rip)
                + (instruction.length == 0 ? " (instruction bytes unreadable)"
                        : " (bytes " + instructionHex() + ")");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VcpuFault f && f.status == status && f.rip == rip
                && Arrays.equals(f.instruction, instruction) && f.reason.equals(reason);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(rip) * 31 + Arrays.hashCode(instruction)) * 31 + reason.hashCode();
    }

    @Override
    public String toString() {
        return "VcpuFault[" + describe() + "]";
    }
}
