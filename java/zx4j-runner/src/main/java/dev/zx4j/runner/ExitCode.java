package dev.zx4j.runner;

/**
 * The guest runner's process exit codes: each way a run can end has its own, so scripts can
 * tell them apart. Every non-zero code comes with one line on stderr saying why.
 */
public final class ExitCode {
    /** The guest finished and reported success (it wrote 0 to the done port; --linux: powered off). */
    public static final int OK = 0;
    /** A failure of the runner itself (a bug, or the kernel refusing setup). */
    public static final int INTERNAL = 1;
    /** Bad command line (picocli's usual code). */
    public static final int USAGE = 2;
    /** The image file does not exist or cannot be read. */
    public static final int IMAGE_MISSING = 3;
    /** The image is not loadable: empty, not ELF when ELF was required, not x86-64, malformed. */
    public static final int IMAGE_INVALID = 4;
    /** The image does not fit in guest memory (above the page tables, below --memory). */
    public static final int IMAGE_TOO_LARGE = 5;
    /** A VCPU stopped with an error status ({@code zx_vcpu_enter} failed). */
    public static final int GUEST_FAULT = 6;
    /** The guest was still running when --time-limit expired. */
    public static final int TIME_LIMIT = 7;
    /** --kernel native where the native kernel cannot be used. */
    public static final int NATIVE_UNAVAILABLE = 8;
    /** A VCPU or helper thread did not stop after the run ended (the runner gave up on it). */
    public static final int TEARDOWN_FAILED = 9;
    /** The guest finished but reported failure (a non-zero byte on the done port). */
    public static final int GUEST_FAILED = 10;
    /** --linux: the kernel is not a bzImage a 64-bit loader can start (or its protocol is too old). */
    public static final int NOT_BZIMAGE = 11;
    /** --linux: the guest rebooted (pulsed the reset line) without a kernel panic. */
    public static final int GUEST_REBOOTED = 12;
    /** --linux: the kernel panicked (and rebooted, with panic=-1). */
    public static final int GUEST_PANICKED = 13;

    private ExitCode() {}
}
