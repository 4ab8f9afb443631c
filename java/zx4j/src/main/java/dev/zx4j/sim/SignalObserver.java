package dev.zx4j.sim;

/**
 * Something waiting for signals of one object: a thread in {@code zx_object_wait_one} or
 * {@code zx_object_wait_many}, or an async wait ({@code zx_object_wait_async}) that will queue a
 * packet. It fires at most once: it is removed from the object before {@link #onMatch} or
 * {@link #onCancel} runs. Guarded by the kernel lock.
 */
abstract class SignalObserver {
    /** The handle the observer was registered through (set when it is queued on the object). */
    HandleTable.Handle handle;
    /** The signals that fire it. */
    int trigger;
    /** Links of {@link SignalState}'s intrusive list (newest first); null when not queued. */
    SignalObserver prev;
    SignalObserver next;
    SignalState queuedOn;

    /** A trigger signal is (still, or newly) asserted; {@code signals} is the whole word. */
    abstract void onMatch(int signals);

    /** Removed without a match: its handle was closed or it was cancelled by key. */
    abstract void onCancel(int signals);

    /** Whether {@code zx_port_cancel(port, …, key)} names this observer. */
    boolean matchesKey(PortObject port, long key) {
        return false;
    }
}
