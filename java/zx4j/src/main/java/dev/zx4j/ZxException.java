package dev.zx4j;

/**
 * A syscall returned an error. Carries the {@link Status} and the name of the syscall; the
 * message reads like {@code zx_port_wait: ZX_ERR_TIMED_OUT}.
 *
 * <p>This is the only exception the typed API throws for a kernel error. Misuse detected before
 * any syscall (a closed handle, a borrowed view asked to give up ownership, bad Java arguments)
 * is reported with the usual Java exceptions instead and never reaches the kernel.
 */
public class ZxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Status status;
    /** Name of the syscall that failed, such as {@code zx_port_wait}. */
    private final String syscall;
    /** The kernel's explanation beyond the status, or null. */
    private final String detail;

    /**
     * An error with no explanation beyond the status.
     *
     * @param syscall the C name of the syscall, e.g. {@code zx_port_wait}
     * @param status  the error status
     */
    public ZxException(String syscall, Status status) {
        this(syscall, status, null);
    }

    /**
     * An error with an explanation; the message reads {@code syscall: STATUS: detail}.
     *
     * @param syscall the C name of the syscall, e.g. {@code zx_vcpu_enter}
     * @param status  the error status
     * @param detail  what the kernel knows about the cause (the simulated kernel's reason), or
     *                null
     */
    public ZxException(String syscall, Status status, String detail) {
        super(syscall + ": " + status.name() + (detail == null ? "" : ": " + detail));
        this.syscall = syscall;
        this.status = status;
        this.detail = detail;
    }

    /**
     * The explanation beyond the status, when the kernel gave one.
     *
     * @return the detail, or empty (always empty from the real Zircon kernel)
     */
    public java.util.Optional<String> detail() {
        return java.util.Optional.ofNullable(detail);
    }

    /**
     * The error status.
     *
     * @return the status
     */
    public Status status() {
        return status;
    }

    /**
     * The C name of the syscall that failed.
     *
     * @return e.g. {@code zx_port_wait}
     */
    public String syscall() {
        return syscall;
    }

    /** Throws a {@code ZxException} unless {@code raw} is {@code ZX_OK}. */
    static void check(String syscall, int raw) {
        if (raw != 0) {
            throw new ZxException(syscall, Status.of(raw));
        }
    }
}
