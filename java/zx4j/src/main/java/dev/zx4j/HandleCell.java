package dev.zx4j;

import dev.zx4j.abi.Zx;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one owned-handle core behind every typed object: a raw value plus one atomic word holding
 * the "ended" bit and the number of calls in flight.
 *
 * <p>Protocol:
 * <ul>
 *   <li>every syscall that names the handle runs between {@link #acquire()} (fails once ended,
 *       so a stale value never reaches the kernel) and {@link #release()};</li>
 *   <li>{@link #close()} sets the ended bit and never blocks; whichever thread brings the state
 *       to "ended, nothing in flight" — the closer itself, or the last call to release — performs
 *       the single kernel close;</li>
 *   <li>{@link #takeExclusive} (used by release, replace, conversions) ends the handle only when
 *       nothing is in flight, because the value then leaves this cell's control at once.</li>
 * </ul>
 * The borrowed views of a handle share its cell; duplicates get their own.
 */
final class HandleCell {
    private static final int ENDED = 1 << 31;
    private static final int COUNT = ~ENDED;

    final Kernel kernel;
    final int value;
    /** Java class name of the typed owner ("Port"), for messages. */
    final String kind;
    private final AtomicInteger state = new AtomicInteger();
    /** How and where the handle ended ("closed at …"); set right after the ended bit. */
    private volatile String ending;
    /** Told once when the value leaves this cell; see {@link #onEnd}. */
    private volatile EndListener endListener;

    /** Hears when a cell's value leaves it, for typed objects that track their handles. */
    interface EndListener {
        /**
         * The value left the cell: {@code closedInKernel} is true when it was closed in the kernel
         * (now, or deferred to the last in-flight call; whether or not the close succeeded), false
         * when it was handed over (release, replace, conversion) and stays open.
         */
        void ended(boolean closedInKernel);
    }

    /** Sets the listener told once when this cell's value leaves it (at most one per cell). */
    void onEnd(EndListener listener) {
        endListener = listener;
    }

    private void notifyEnd(boolean closedInKernel) {
        EndListener l = endListener;
        if (l != null) {
            l.ended(closedInKernel);
        }
    }

    HandleCell(Kernel kernel, int value, String kind) {
        if (value == Zx.ZX_HANDLE_INVALID) {
            throw new IllegalArgumentException("an owned handle is never ZX_HANDLE_INVALID");
        }
        this.kernel = kernel;
        this.value = value;
        this.kind = kind;
    }

    /** Marks one call in flight and returns the value to pass to the kernel. */
    int acquire() {
        for (;;) {
            int s = state.get();
            if ((s & ENDED) != 0) {
                throw closed();
            }
            if ((s & COUNT) == COUNT) {
                throw new IllegalStateException("too many calls in flight on " + describe());
            }
            if (state.compareAndSet(s, s + 1)) {
                return value;
            }
        }
    }

    /** Ends one call; the last call out of an ended handle closes it in the kernel. */
    void release() {
        if (state.decrementAndGet() == ENDED) {
            kernelClose(false);
        }
    }

    boolean isEnded() {
        return (state.get() & ENDED) != 0;
    }

    /** Calls currently in flight. */
    int inFlight() {
        return state.get() & COUNT;
    }

    /**
     * Ends the handle (idempotent). Returns at once; the kernel close happens now if nothing is in
     * flight, else when the last in-flight call returns.
     */
    void close() {
        String site = "closed at " + callSite();
        for (;;) {
            int s = state.get();
            if ((s & ENDED) != 0) {
                return;
            }
            if (state.compareAndSet(s, s | ENDED)) {
                ending = site;
                if (s == 0) {
                    kernelClose(true);
                }
                return;
            }
        }
    }

    /**
     * Ends the handle without closing it, for an operation that takes the value over (release,
     * replace…). Refused while calls are in flight.
     */
    int takeExclusive(String verb, String participle) {
        String site = participle + " at " + callSite();
        for (;;) {
            int s = state.get();
            if ((s & ENDED) != 0) {
                throw closed();
            }
            if (s != 0) {
                throw new IllegalStateException("cannot " + verb + " " + describe() + ": " + s + " call(s) in flight on it");
            }
            if (state.compareAndSet(0, ENDED)) {
                ending = site;
                notifyEnd(false);
                return value;
            }
        }
    }

    private void kernelClose(boolean throwOnFailure) {
        int status;
        try {
            status = kernel.syscalls().zx_handle_close(value);
        } finally {
            notifyEnd(true);
        }
        if (status != Zx.ZX_OK) {
            ZxException e = new ZxException("zx_handle_close", Status.of(status));
            if (throwOnFailure) {
                throw e;
            }
            kernel.reportDeferredCloseFailure(describe(), e);
        }
    }

    ClosedHandleException closed() {
        String how = ending;
        return new ClosedHandleException(describe() + " was "
                + (how != null ? how : "closed (concurrently, site not yet recorded)"));
    }

    String describe() {
        return kind + " handle " + hex(value);
    }

    static String hex(int value) {
        return String.format("0x%08x", value);
    }

    /** The first stack frame outside this library, as {@code Class.method(File:line)}. */
    static String callSite() {
        Optional<StackWalker.StackFrame> frame =
                StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                        .filter(f -> !isLibraryClass(f.getDeclaringClass()))
                        .findFirst());
        return frame.map(f -> f.toStackTraceElement().toString()).orElse("<unknown>");
    }

    private static final java.security.CodeSource LIBRARY_SOURCE =
            HandleCell.class.getProtectionDomain().getCodeSource();

    /**
     * Whether a class belongs to zx4j itself (typed API, ABI, kernels, JUnit extension) rather
     * than to its user: a {@code dev.zx4j.*} class loaded from the same place as this one. Users'
     * classes, and this project's own tests, come from elsewhere even in the same packages.
     */
    static boolean isLibraryClass(Class<?> c) {
        if (!c.getName().startsWith("dev.zx4j.")) {
            return false;
        }
        java.security.CodeSource source = c.getProtectionDomain().getCodeSource();
        if (source == null || LIBRARY_SOURCE == null) {
            return true;
        }
        return java.util.Objects.equals(source.getLocation(), LIBRARY_SOURCE.getLocation());
    }
}
