package dev.zx4j;

import java.util.HexFormat;

/**
 * {@code zx_vcpu_enter} failed and the kernel explained why: the guest's RIP, the bytes of the
 * instruction there and the reason, next to the {@link Status}. The simulated kernel gives these
 * for every failure of enter except a kick; the real kernel reports only the status (a plain
 * {@link ZxException}).
 *
 * <p>The message reads {@code zx_vcpu_enter: ZX_ERR_BAD_STATE: triple fault (…) at RIP 0x2000
 * (bytes 0f 0b)}.
 */
public final class VcpuFaultException extends ZxException {
    private static final long serialVersionUID = 1L;

    /** The guest RIP where the VCPU stopped. */
    private final long rip;
    /** The instruction bytes at that RIP (empty when unreadable). */
    private final byte[] instruction;
    /** The kernel's explanation of the failure. */
    private final String reason;

    /**
     * A VCPU failure with its explanation.
     *
     * @param status      the error status of {@code zx_vcpu_enter}
     * @param rip         the guest RIP where it stopped
     * @param instruction the instruction bytes at RIP (empty when unreadable)
     * @param reason      what went wrong, in words
     */
    public VcpuFaultException(Status status, long rip, byte[] instruction, String reason) {
        super("zx_vcpu_enter", status, describe(rip, instruction, reason));
        this.rip = rip;
        this.instruction = instruction.clone();
        this.reason = reason;
    }

    private static String describe(long rip, byte[] instruction, String reason) {
        return reason + " at RIP 0x" + Long.toHexString(rip)
                + (instruction.length == 0 ? " (instruction bytes unreadable)"
                        : " (bytes " + HexFormat.ofDelimiter(" ").formatHex(instruction) + ")");
    }

    /**
     * The guest's instruction pointer when the VCPU stopped.
     *
     * @return RIP (for a fault, the address of the faulting instruction)
     */
    public long rip() {
        return rip;
    }

    /**
     * The bytes at RIP as the guest would fetch them (up to 15).
     *
     * @return a copy; empty when they could not be read
     */
    public byte[] instruction() {
        return instruction.clone();
    }

    /**
     * What went wrong, e.g. {@code triple fault (exception 14 while delivering #DF)}.
     *
     * @return the reason
     */
    public String reason() {
        return reason;
    }
}
