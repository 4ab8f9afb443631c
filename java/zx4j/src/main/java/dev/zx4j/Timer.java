package dev.zx4j;

import dev.zx4j.abi.Layouts;
import dev.zx4j.abi.Zx;
import java.time.Duration;

/**
 * A one-shot timer ({@code zx_timer_create}): asserts {@link Signals#TIMER_SIGNALED} once its
 * deadline passes, until {@link #cancel()} or the next {@link #set}. Wait for it like any object
 * ({@link #waitOne}, {@link #waitAsync}). Create one with {@link Kernel#createTimer(TimerSlack)}.
 */
public final class Timer extends HandleObject<Timer> {

    Timer(Kernel kernel, HandleCell cell, boolean owner) {
        super(kernel, cell, owner);
    }

    @Override
    Timer wrap(HandleCell cell, boolean owner) {
        return new Timer(kernel, cell, owner);
    }

    /**
     * Starts the timer for {@code deadline} (absolute monotonic ns; 0 or a past time asserts the
     * signal at once) with {@code slack} ({@code zx_timer_set}; needs {@link Rights#WRITE}).
     * Clears the signal first.
     *
     * @param deadline the absolute monotonic deadline in nanoseconds
     * @param slack how far from the deadline the timer may fire, in the timer's slack mode
     * @throws IllegalArgumentException for a negative slack
     */
    public void set(long deadline, Duration slack) {
        if (slack.isNegative()) {
            throw new IllegalArgumentException("negative timer slack " + slack);
        }
        long s = slack.getSeconds() > Long.MAX_VALUE / 1_000_000_000L ? Long.MAX_VALUE
                : slack.toNanos();
        int h = cell.acquire();
        try {
            ZxException.check("zx_timer_set", kernel.syscalls().zx_timer_set(h, deadline, s));
        } finally {
            cell.release();
        }
    }

    /**
     * Starts the timer to fire {@code delay} from now, without slack.
     *
     * @param delay the time from now
     */
    public void setAfter(Duration delay) {
        set(kernel.deadlineAfter(delay), Duration.ZERO);
    }

    /** Forgets any deadline and clears the signal ({@code zx_timer_cancel}). */
    public void cancel() {
        int h = cell.acquire();
        try {
            ZxException.check("zx_timer_cancel", kernel.syscalls().zx_timer_cancel(h));
        } finally {
            cell.release();
        }
    }

    /**
     * The armed deadline, or 0 when none ({@code ZX_INFO_TIMER}; needs {@link Rights#INSPECT}).
     *
     * @return the deadline in monotonic nanoseconds, or 0
     */
    public long deadline() {
        byte[] b = new byte[Layouts.INFO_TIMER_SIZE];
        int h = cell.acquire();
        try {
            ZxException.check("zx_object_get_info", kernel.syscalls().zx_object_get_info(
                    h, Zx.ZX_INFO_TIMER, b, b.length, null, null));
        } finally {
            cell.release();
        }
        return Layouts.i64(b, Layouts.INFO_TIMER_DEADLINE);
    }
}
