package dev.zx4j;

/**
 * A handle object was used after it stopped owning its handle: it was closed, released,
 * replaced or converted, or it is a borrowed view whose owner did one of those. The message says
 * which handle and where that happened ({@code Port handle 0x00000403 was closed at
 * com.example.Driver.stop(Driver.java:41)}). Thrown before any syscall: the stale value never
 * reaches the kernel.
 */
public class ClosedHandleException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    ClosedHandleException(String message) {
        super(message);
    }
}
