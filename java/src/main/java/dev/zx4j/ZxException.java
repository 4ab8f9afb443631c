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
    private final String syscall;

    public ZxException(String syscall, Status status) {
        super(syscall + ": " + status.name());
        this.syscall = syscall;
        this.status = status;
    }

    /** The error status. */
    public Status status() {
        return status;
    }

    /** The C name of the syscall that failed, e.g. {@code zx_port_wait}. */
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
