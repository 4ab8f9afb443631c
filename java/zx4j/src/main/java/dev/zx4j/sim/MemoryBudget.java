package dev.zx4j.sim;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kernel memory of a simulated kernel: every allocation a syscall makes for the caller (VMO
 * pages committed on write, the page table of a VMO, VCPUs, ports) is charged here first, and a
 * charge beyond the budget fails the syscall with {@code ZX_ERR_NO_MEMORY}, as Zircon answers
 * exhaustion, instead of the JVM throwing {@link OutOfMemoryError}.
 *
 * <p>A charge is released when the Java object that holds the memory becomes unreachable (a
 * {@link Cleaner}), since a VMO lives on in mappings after its last handle is closed, exactly as
 * in Zircon. When a charge does not fit, one garbage collection is requested and the charge
 * retried once, so memory of objects already closed is not counted against a new allocation.
 */
final class MemoryBudget {
    private static final Cleaner CLEANER = Cleaner.create();

    /** The default budget: half of the JVM's maximum heap. */
    static long defaultLimit() {
        return Runtime.getRuntime().maxMemory() / 2;
    }

    private final AtomicLong used = new AtomicLong();
    private volatile long limit = defaultLimit();

    long limit() {
        return limit;
    }

    void setLimit(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative memory budget: " + bytes);
        }
        limit = bytes;
    }

    long used() {
        return used.get();
    }

    /** Charges {@code bytes}; false (nothing charged) when the budget would be exceeded. */
    boolean tryCharge(long bytes) {
        if (tryChargeOnce(bytes)) {
            return true;
        }
        System.gc(); // closed objects' charges are released by the cleaner
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return tryChargeOnce(bytes);
    }

    private boolean tryChargeOnce(long bytes) {
        while (true) {
            long u = used.get();
            long n = u + bytes;
            if (n < u || n > limit) {
                return false;
            }
            if (used.compareAndSet(u, n)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    /**
     * The account of one object: what it has charged so far, released when {@code owner}
     * becomes unreachable.
     */
    Account open(Object owner) {
        Account a = new Account(this);
        CLEANER.register(owner, a::releaseAll);
        return a;
    }

    /** Charges held by one object. */
    static final class Account {
        private final MemoryBudget budget;
        private final AtomicLong held = new AtomicLong();

        private Account(MemoryBudget budget) {
            this.budget = budget;
        }

        /** Charges {@code bytes} to this object; false when the budget is exhausted. */
        boolean charge(long bytes) {
            if (!budget.tryCharge(bytes)) {
                return false;
            }
            held.addAndGet(bytes);
            return true;
        }

        private void releaseAll() {
            budget.release(held.getAndSet(0));
        }
    }
}
