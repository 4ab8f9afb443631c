package dev.zx4j;

import dev.zx4j.abi.Zx;

/** How a {@link Timer} may move its expiry within the slack ({@code ZX_TIMER_SLACK_*}). */
public enum TimerSlack {
    /** Anywhere in [deadline − slack, deadline + slack]. */
    CENTER(Zx.ZX_TIMER_SLACK_CENTER),
    /** Anywhere in [deadline − slack, deadline]. */
    EARLY(Zx.ZX_TIMER_SLACK_EARLY),
    /** Anywhere in [deadline, deadline + slack]. */
    LATE(Zx.ZX_TIMER_SLACK_LATE);

    private final int raw;

    TimerSlack(int raw) {
        this.raw = raw;
    }

    /** {@return the raw {@code ZX_TIMER_SLACK_*} value, the timer's creation options} */
    public int raw() {
        return raw;
    }
}
