package dev.zx4j.sim;

/**
 * The monotonic clock of a simulated kernel: {@code zx_clock_get_monotonic}, deadlines of
 * {@code zx_port_wait} and timestamps of hardware interrupts all come from it.
 *
 * <p>Two implementations: {@link #system()} follows real time; {@link ManualClock} moves only
 * when a test advances it, so deadlines and timestamps are testable without sleeping.
 */
public interface SimClock {

    /** The current time in nanoseconds. */
    long now();

    /**
     * How long, in real nanoseconds, a waiter may block before the clock could have reached
     * {@code deadline}. A manual clock answers {@link Long#MAX_VALUE}: its waiters are woken by
     * {@link #addListener(Runnable) listeners} when it is advanced.
     */
    long realNanosUntil(long deadline);

    /** Registers a callback run after every change of a manual clock; a no-op for real time. */
    void addListener(Runnable listener);

    /** A clock that follows {@link System#nanoTime()}, starting near zero. */
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
