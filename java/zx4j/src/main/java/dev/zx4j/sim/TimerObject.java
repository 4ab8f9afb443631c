package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.ZX_OBJ_TYPE_TIMER;
import static dev.zx4j.abi.Zx.ZX_TIMER_SIGNALED;

/**
 * A timer ({@code zx_timer_create}) with the late-2021 kernel's rules (timer_dispatcher.cc):
 * {@link #set} first cancels (which always clears {@code ZX_TIMER_SIGNALED}), then asserts the
 * signal at once when the deadline is 0 or not in the future, else arms a one-shot deadline;
 * expiry asserts {@code ZX_TIMER_SIGNALED} and forgets the deadline; it never re-fires by itself.
 *
 * <p>The slack window ({@code CENTER} [d−s, d+s], {@code EARLY} [d−s, d], {@code LATE}
 * [d, d+s]) only lets the kernel move the expiry to coalesce with another timer. This simulator
 * has no other timers to coalesce with and fires at the deadline itself, a time inside every
 * window — the choice the real timer queue makes when nothing else is due nearby.
 */
final class TimerObject extends KernelObject {
    final int slackMode;
    /** The armed deadline, or 0 when not armed (as {@code zx_info_timer_t.deadline}). */
    long deadline;
    long slack;
    /** Bumped at every arm and cancel, so a stale real-time wake-up does nothing. */
    long generation;
    private final SignalSyscalls owner;

    TimerObject(SimKernel kernel, SignalSyscalls owner, int slackMode) {
        super(kernel);
        this.owner = owner;
        this.slackMode = slackMode;
    }

    @Override
    int type() {
        return ZX_OBJ_TYPE_TIMER;
    }

    @Override
    boolean waitable() {
        return true;
    }

    /** CancelTimerLocked: clears the signal (always) and forgets any deadline. */
    void cancel() {
        signalState().update(ZX_TIMER_SIGNALED, 0);
        if (deadline != 0) {
            deadline = 0;
            slack = 0;
            generation++;
            owner.disarm(this);
        }
    }

    void set(long newDeadline, long newSlack) {
        cancel();
        if (newDeadline == 0 || newDeadline <= kernel.clock.now()) {
            signalState().update(0, ZX_TIMER_SIGNALED);
            return;
        }
        deadline = newDeadline;
        slack = newSlack;
        generation++;
        owner.arm(this);
    }

    /** The deadline passed (checked by the caller): assert the signal and forget the deadline. */
    void expire() {
        deadline = 0;
        slack = 0;
        generation++;
        owner.disarm(this);
        signalState().update(0, ZX_TIMER_SIGNALED);
    }

    @Override
    void onZeroHandles() {
        if (deadline != 0) {
            deadline = 0;
            generation++;
            owner.disarm(this);
        }
    }
}
