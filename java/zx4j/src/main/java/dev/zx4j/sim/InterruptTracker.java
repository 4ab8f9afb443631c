package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.ZX_ERR_INTERNAL_INTR_RETRY;
import static dev.zx4j.abi.Zx.ZX_ERR_TIMED_OUT;
import static dev.zx4j.abi.Zx.ZX_OK;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A VCPU's pending interrupts, as the Zircon kernel tracks them ({@code hypervisor::
 * InterruptTracker<X86_INT_COUNT>}, hypervisor/interrupt_tracker.h): a 256-bit pending bitmap,
 * one bit per vector (raising a pending vector again changes nothing), plus an auto-unsignalling
 * event that HLT waits on.
 *
 * <ul>
 *   <li>{@link #interrupt} sets the bit and signals the event; {@link #track} only sets it;</li>
 *   <li>{@link #pop} takes the <b>highest</b> pending vector (a reverse scan), {@link #tryPop}
 *       one given vector;</li>
 *   <li>{@link #cancel} (a kick) signals the event with {@code ZX_ERR_INTERNAL_INTR_RETRY}; the
 *       event keeps the status of its last signal until one wait consumes it, so a kick that
 *       finds nobody halted makes the next HLT return at once.</li>
 * </ul>
 *
 * <p>There is no in-service register, no priority class and no TPR: which vector goes in next
 * is decided by the injection code of {@link VcpuObject}, from this bitmap alone. Thread-safe;
 * {@link #onInterrupt} runs after every {@link #interrupt} so a running CPU stops to take it.
 */
final class InterruptTracker {
    /** Number of vectors ({@code X86_INT_COUNT}). */
    static final int VECTORS = 256;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition signalled = lock.newCondition();
    private final long[] bits = new long[VECTORS / 64];
    /** The event's pending signal: 1 = none, else the status it was signalled with. */
    private int signal = 1;
    private final Runnable onInterrupt;

    InterruptTracker(Runnable onInterrupt) {
        this.onInterrupt = onInterrupt;
    }

    /** {@code Interrupt(v)}: marks {@code vector} pending and signals waiters. */
    void interrupt(int vector) {
        lock.lock();
        try {
            set(vector);
            signal = ZX_OK;
            signalled.signalAll();
        } finally {
            lock.unlock();
        }
        onInterrupt.run();
    }

    /** {@code Track(v)}: marks {@code vector} pending without signalling. */
    void track(int vector) {
        lock.lock();
        try {
            set(vector);
        } finally {
            lock.unlock();
        }
    }

    private void set(int vector) {
        // The kernel's bitmap ignores (and debug-asserts on) vectors outside 0..255.
        if (vector >= 0 && vector < VECTORS) {
            bits[vector >>> 6] |= 1L << vector;
        }
    }

    /** {@code TryPop(v)}: clears {@code vector} and returns whether it was pending. */
    boolean tryPop(int vector) {
        lock.lock();
        try {
            long m = 1L << vector;
            boolean was = (bits[vector >>> 6] & m) != 0;
            bits[vector >>> 6] &= ~m;
            return was;
        } finally {
            lock.unlock();
        }
    }

    /** {@code Pop}: clears and returns the highest pending vector, or -1 when none is. */
    int pop() {
        lock.lock();
        try {
            for (int w = bits.length - 1; w >= 0; w--) {
                if (bits[w] != 0) {
                    int v = w * 64 + 63 - Long.numberOfLeadingZeros(bits[w]);
                    bits[w] &= ~(1L << v);
                    return v;
                }
            }
            return -1;
        } finally {
            lock.unlock();
        }
    }

    /** {@code Clear(min, max)}: clears the vectors in [min, max). */
    void clear(int min, int max) {
        lock.lock();
        try {
            for (int v = min; v < max; v++) {
                bits[v >>> 6] &= ~(1L << v);
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@code Pending()}: whether any vector is pending. */
    boolean pending() {
        lock.lock();
        try {
            return (bits[0] | bits[1] | bits[2] | bits[3]) != 0;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code vector} is pending (for tests and statistics). */
    boolean isPending(int vector) {
        lock.lock();
        try {
            return (bits[vector >>> 6] & (1L << vector)) != 0;
        } finally {
            lock.unlock();
        }
    }

    /** {@code Cancel()}: signals the event with {@code ZX_ERR_INTERNAL_INTR_RETRY}. */
    void cancel() {
        lock.lock();
        try {
            signal = ZX_ERR_INTERNAL_INTR_RETRY;
            signalled.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * One wait of the event: returns the status of the signal it consumed ({@code ZX_OK} or
     * {@code ZX_ERR_INTERNAL_INTR_RETRY}), or {@code ZX_ERR_TIMED_OUT} after {@code realNanos}
     * ({@link Long#MAX_VALUE}: no time limit). The caller loops while nothing is pending, as
     * {@code InterruptTracker::Wait} does.
     */
    int awaitSignal(long realNanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long left = realNanos;
            while (signal == 1) {
                if (left == Long.MAX_VALUE) {
                    signalled.await();
                } else {
                    if (left <= 0) {
                        return ZX_ERR_TIMED_OUT;
                    }
                    left = signalled.awaitNanos(left);
                }
            }
            int s = signal;
            signal = 1;
            return s;
        } finally {
            lock.unlock();
        }
    }
}
