package dev.zx4j.runner;

/**
 * A run that cannot go on: carries the {@link ExitCode} and the one-line message the runner
 * prints on stderr (no stack trace).
 */
public final class RunnerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The process exit code, one of {@link ExitCode}'s constants. */
    private final int exitCode;

    /**
     * A failure ending the run.
     *
     * @param exitCode the process exit code, one of {@link ExitCode}'s constants
     * @param message the one-line message for stderr
     */
    public RunnerException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    /**
     * The process exit code, one of {@link ExitCode}'s constants.
     *
     * @return the exit code
     */
    public int exitCode() {
        return exitCode;
    }
}
