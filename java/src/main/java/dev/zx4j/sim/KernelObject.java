package dev.zx4j.sim;

/**
 * A kernel object. Every field of every object is guarded by the kernel lock
 * ({@link SimKernel#lock}); objects never lock on their own.
 */
abstract class KernelObject {
    final SimKernel kernel;
    final long koid;
    /** Number of handles naming this object. */
    int handleCount;

    KernelObject(SimKernel kernel) {
        this.kernel = kernel;
        this.koid = kernel.nextKoid();
    }

    abstract int type();

    /** Whether the object has a signal state, i.e. could be a {@code zx_port_cancel} source. */
    boolean waitable() {
        return false;
    }

    /** Called, under the lock, when the last handle to the object has been closed. */
    void onZeroHandles() {}

    /** Koid of a related object for {@code zx_info_handle_basic_t.related_koid}, or 0. */
    long relatedKoid() {
        return 0;
    }
}
