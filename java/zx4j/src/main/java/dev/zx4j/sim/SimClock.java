package dev.zx4j.sim;

/**
 * The monotonic clock of a simulated kernel: {@code zx_clock_get_monotonic}, deadlines of
 * {@code zx_port_wait} and timestamps of hardware interrupts all come from it.
 *
 * <p>Two implementations: {@link #system()} follows real time; {@link ManualClock} moves only
 * when a test advances it, so deadlines and timestamps are testable without sleeping.
 */
public interface SimClock {

    /** {@return the current time in nanoseconds} */
    long now();

    /**
     * How long, in real nanoseconds, a waiter may block before the clock could have reached
     * {@code deadline}. A manual clock answers {@link Long#MAX_VALUE}: its waiters are woken by
     * {@link #addListener(Runnable) listeners} when it is advanced.
     *
     * @param deadline an absolute time of this clock
     * @return real nanoseconds to wait at most before looking again
     */
    long realNanosUntil(long deadline);

    /**
     * Registers a callback run after every change of a manual clock; a no-op for real time.
     *
     * @param listener run after each change
     */
    void addListener(Runnable listener);

    /**
     * Told by the kernel that the calling thread blocks in {@code call} until {@code deadline}
     * (a finite deadline of this clock); {@link #waitEnded()} follows when it stops waiting. A
     * manual clock uses this to find waits that nothing will ever end; the system clock ignores
     * it.
     *
     * @param call     the syscall that blocks, e.g. {@code zx_port_wait}
     * @param deadline the absolute deadline in nanoseconds of this clock
     */
    default void waitStarted(String call, long deadline) {}

    /** The calling thread no longer waits (see {@link #waitStarted(String, long)}). */
    default void waitEnded() {}

    /** {@return a clock that follows {@link System#nanoTime()}, starting near zero} */
    static SimClock system() {
        return new SimClock() {
            private final long origin = System.nanoTime() - 1;

            @Override
            public long now() {
                return System.nanoTime() - origin;
            }

            @Override
            public long realNanosUntil(long deadline) {
                return deadline - now();
            }

            @Override
            public void addListener(Runnable listener) {}
        };
    }
}
