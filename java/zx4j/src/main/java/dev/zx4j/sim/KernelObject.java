package dev.zx4j.sim;

/**
 * A kernel object. Its fields, the handle count and signal state included, are guarded by the
 * kernel lock ({@link SimKernel#lock}), except where a type has its own lock for its own state:
 * ports ({@link PortObject}) and interrupts ({@link InterruptObject}); see {@link SimKernel} for
 * the lock order.
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

    /** The signal word and observers; created on first use (waitable objects only). */
    private SignalState signalState;

    /** The object's signal state, created with {@link #initialSignals()} on first use. */
    final SignalState signalState() {
        if (signalState == null) {
            signalState = new SignalState(initialSignals());
        }
        return signalState;
    }

    /** Whether anything ever looked at or changed the signal state. */
    final boolean hasSignalState() {
        return signalState != null;
    }

    /** The signals asserted when the object is created (e.g. a VMO's ZX_VMO_ZERO_CHILDREN). */
    int initialSignals() {
        return 0;
    }

    /**
     * The bits {@code zx_object_signal} may clear or set besides the eight user signals
     * ({@code ZX_EVENT_SIGNALED} for events; nothing for the other types of this kernel).
     */
    int extraUserSignals() {
        return 0;
    }

    /** Koid of a related object for {@code zx_info_handle_basic_t.related_koid}, or 0. */
    long relatedKoid() {
        return 0;
    }
}
