package dev.zx4j.sim;

import java.util.concurrent.CopyOnWriteArrayList;

/** A clock that moves only when told to; waiters blocked on a deadline wake when it passes. */
public final class ManualClock implements SimClock {
    private volatile long now;
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();

    public ManualClock(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public long now() {
        return now;
    }

    /** Moves the clock forward by {@code nanos} (which must not be negative). */
    public void advance(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("a monotonic clock cannot go back: " + nanos);
        }
        synchronized (this) {
            now = Math.addExact(now, nanos);
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
}
