package dev.zx4j.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A clock that moves only when told to; waiters blocked on a deadline wake when it passes.
 *
 * <p>It also knows which threads are blocked on one of its deadlines, so that a wait nothing will
 * ever end can be found: {@link #stalledWaits(Duration)} lists the waits that have lasted a given
 * real time without the clock moving (the JUnit extension fails such a test with that message
 * instead of hanging).
 */
public final class ManualClock implements SimClock {
    private volatile long now;
    /** Bumped on every {@link #advance(long)}, so a wait can tell whether the clock moved. */
    private volatile long advances;
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final Map<Thread, Waiter> waiters = new ConcurrentHashMap<>();

    private record Waiter(String call, long deadline, long clockAtStart, long advancesAtStart,
                          long realStart) {}

    /**
     * A wait on a deadline of this clock that has lasted a while without the clock moving.
     *
     * @param thread   the waiting thread
     * @param call     the syscall it blocks in, e.g. {@code zx_port_wait}
     * @param deadline its deadline in nanoseconds of this clock
     * @param now      the clock now
     * @param realTime how long it has waited in real time
     */
    public record StalledWait(Thread thread, String call, long deadline, long now,
                              Duration realTime) {
        /**
         * The explanation a test failure shows.
         *
         * @return one paragraph naming the call, the thread, the deadline and what to do
         */
        public String describe() {
            return String.format("%s on thread \"%s\" waits for manual-clock deadline %,d ns "
                    + "(the clock is at %,d ns, %,d ns before it) and nothing advanced the clock "
                    + "for %.1f s of real time: the call can never return. Advance the "
                    + "ManualClock from another thread, pass a deadline the test reaches, or use "
                    + "@SimulatedZircon(clock = SYSTEM)", call, thread.getName(), deadline, now,
                    deadline - now, realTime.toMillis() / 1000.0);
        }
    }

    /**
     * A clock at {@code startNanos}.
     *
     * @param startNanos the initial time in nanoseconds
     */
    public ManualClock(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public long now() {
        return now;
    }

    /**
     * Moves the clock forward by {@code nanos} (which must not be negative).
     *
     * @param nanos how far, in nanoseconds
     */
    public void advance(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("a monotonic clock cannot go back: " + nanos);
        }
        synchronized (this) {
            now = Math.addExact(now, nanos);
            advances++;
        }
        listeners.forEach(Runnable::run);
    }

    @Override
    public long realNanosUntil(long deadline) {
        return Long.MAX_VALUE;
    }

    @Override
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    @Override
    public void waitStarted(String call, long deadline) {
        waiters.put(Thread.currentThread(),
                new Waiter(call, deadline, now, advances, System.nanoTime()));
    }

    @Override
    public void waitEnded() {
        waiters.remove(Thread.currentThread());
    }

    /**
     * The waits on this clock's deadlines that have lasted at least {@code realTime} of real
     * time while the clock did not move at all.
     *
     * @param realTime how long a wait must have been stalled
     * @return the stalled waits, oldest first
     */
    public List<StalledWait> stalledWaits(Duration realTime) {
        long t = System.nanoTime();
        List<StalledWait> out = new ArrayList<>();
        waiters.forEach((thread, w) -> {
            long waited = t - w.realStart();
            if (w.advancesAtStart() == advances && waited >= realTime.toNanos()) {
                out.add(new StalledWait(thread, w.call(), w.deadline(), now,
                        Duration.ofNanos(waited)));
            }
        });
        out.sort((a, b) -> b.realTime().compareTo(a.realTime()));
        return out;
    }
}
