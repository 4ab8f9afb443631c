package dev.zx4j.runner;

/**
 * A run that cannot go on: carries the {@link ExitCode} and the one-line message the runner
 * prints on stderr (no stack trace).
 */
public final class RunnerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    public RunnerException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    /** The process exit code, one of {@link ExitCode}'s constants. */
    public int exitCode() {
        return exitCode;
    }
}
