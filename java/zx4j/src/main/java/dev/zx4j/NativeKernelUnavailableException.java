package dev.zx4j;

/**
 * {@link Kernel#nativeKernel()} cannot give a native kernel here; the message says why (the JNI
 * kernel is not on the class path, its library failed to load, and on which OS).
 */
public class NativeKernelUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * The JNI kernel cannot be used here.
     *
     * @param message why
     * @param cause the underlying failure (a link error, a missing library), or null
     */
    public NativeKernelUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
