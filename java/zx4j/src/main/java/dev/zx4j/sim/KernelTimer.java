package dev.zx4j.sim;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A one-shot kernel timer on the simulated kernel's clock, like Zircon's {@code Timer}
 * ({@code SetOneshot}, {@code Cancel}): the callback runs once, at or after the deadline, unless
 * the timer is cancelled or set again first.
 *
 * <p>Who notices that the deadline has passed depends on the clock:
 * <ul>
 *   <li>a {@link ManualClock}: {@link SimKernel} calls {@link #fireIfDue()} on every live timer
 *       after each change of the clock, so a test that advances the clock sees the callback run
 *       on its own thread before {@code advance} returns — deterministically;</li>
 *   <li>a real-time clock: a shared daemon thread fires it; a VCPU blocked in HLT also waits
 *       only until its timer's deadline and fires it itself, which saves one thread hand-off on
 *       the wake-up path (whichever comes first fires; the other finds nothing to do).</li>
 * </ul>
 * The callback runs with no lock of this timer held, so it may set the timer again.
 */
final class KernelTimer {
    private static final ScheduledThreadPoolExecutor SCHEDULER = newScheduler();

    private final SimClock clock;
    private final Runnable callback;
    private boolean armed;
    private long deadline;
    private long generation;
    private ScheduledFuture<?> scheduled;

    KernelTimer(SimClock clock, Runnable callback) {
        this.clock = clock;
        this.callback = callback;
    }

    private static ScheduledThreadPoolExecutor newScheduler() {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "zx4j-kernel-timer");
            t.setDaemon(true);
            return t;
        });
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    /** {@code SetOneshot(deadline)}: replaces any earlier setting. */
    synchronized void setOneshot(long deadlineNanos) {
        cancelLocked();
        armed = true;
        deadline = deadlineNanos;
        long gen = ++generation;
        schedule(gen);
    }

    /** {@code Cancel()}. */
    synchronized void cancel() {
        cancelLocked();
    }

    private void cancelLocked() {
        armed = false;
        generation++;
        if (scheduled != null) {
            scheduled.cancel(false);
            scheduled = null;
        }
    }

    private void schedule(long gen) {
        long wait = clock.realNanosUntil(deadline);
        if (wait == Long.MAX_VALUE) {
            return; // a manual clock: fired from the clock's change listener
        }
        scheduled = SCHEDULER.schedule(() -> fireScheduled(gen), Math.max(0, wait),
                TimeUnit.NANOSECONDS);
    }

    private void fireScheduled(long gen) {
        synchronized (this) {
            if (gen != generation) {
                return;
            }
            if (armed && clock.now() - deadline < 0) {
                schedule(gen); // woke a little early: wait for the rest
                return;
            }
        }
        fireIfDue();
    }

    /** Whether the timer is set (for tests). */
    synchronized boolean armed() {
        return armed;
    }

    /** The deadline of the current setting (meaningful while {@link #armed()}). */
    synchronized long deadline() {
        return deadline;
    }

    /**
     * How long a waiter may block, in real nanoseconds, before this timer could be due:
     * {@link Long#MAX_VALUE} when it is not set or the clock is manual.
     */
    synchronized long realNanosUntilDue() {
        return armed ? clock.realNanosUntil(deadline) : Long.MAX_VALUE;
    }

    /** Runs the callback if the timer is set and its deadline has passed; at most once per setting. */
    void fireIfDue() {
        synchronized (this) {
            if (!armed || clock.now() - deadline < 0) {
                return;
            }
            armed = false;
            generation++;
            if (scheduled != null) {
                scheduled.cancel(false);
                scheduled = null;
            }
        }
        callback.run();
    }
}
