package dev.zx4j.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The signal word of a waitable object and the observers waiting on it, with the late-2021/2022
 * kernel's rules (dispatcher.cc of that era, see the async notes):
 *
 * <ul>
 *   <li>{@link #update}: the new word is {@code (old & ~clear) | set}; when it equals the old word
 *       nothing happens; otherwise every observer whose trigger intersects the new word is
 *       removed and fired with the new word — on <em>any</em> change, so an edge observer also
 *       fires when an unrelated bit changes while a trigger bit stays asserted;</li>
 *   <li>{@link #add}: a level observer whose trigger is already asserted fires at once and is
 *       never queued; an edge observer is always queued;</li>
 *   <li>observers are kept newest first, so several observers that match in one update fire
 *       (and queue their packets) in reverse order of registration;</li>
 *   <li>{@link #cancel}: closing a handle removes only the observers registered through that
 *       handle.</li>
 * </ul>
 * Guarded by the kernel lock.
 */
final class SignalState {
    private int signals;
    /** Newest first; an intrusive doubly linked list, so removing any observer is O(1). */
    private SignalObserver head;
    private int count;

    SignalState(int initial) {
        this.signals = initial;
    }

    int signals() {
        return signals;
    }

    int observerCount() {
        return count;
    }

    void update(int clear, int set) {
        int previous = signals;
        signals = (previous & ~clear) | set;
        if (signals == previous) {
            return;
        }
        final int now = signals;
        for (SignalObserver o : take(o -> (o.trigger & now) != 0)) {
            o.onMatch(now);
        }
    }

    void add(SignalObserver observer, HandleTable.Handle handle, int trigger, boolean edge) {
        if (!edge && (signals & trigger) != 0) {
            observer.onMatch(signals);
            return;
        }
        observer.handle = handle;
        observer.trigger = trigger;
        observer.prev = null;
        observer.next = head;
        if (head != null) {
            head.prev = observer;
        }
        head = observer;
        observer.queuedOn = this;
        count++;
    }

    /** Removes an observer if it is still queued here; true when it was. */
    boolean remove(SignalObserver o) {
        if (o.queuedOn != this) {
            return false;
        }
        if (o.prev != null) {
            o.prev.next = o.next;
        } else {
            head = o.next;
        }
        if (o.next != null) {
            o.next.prev = o.prev;
        }
        o.prev = null;
        o.next = null;
        o.queuedOn = null;
        count--;
        return true;
    }

    /** Removes (and cancels) the observers registered through {@code handle}. */
    void cancel(HandleTable.Handle handle) {
        for (SignalObserver o : take(o -> o.handle == handle)) {
            o.onCancel(signals);
        }
    }

    /** Removes (and cancels) the observers of {@code handle} on {@code port} with {@code key}. */
    boolean cancelByKey(HandleTable.Handle handle, PortObject port, long key) {
        List<SignalObserver> removed = take(o -> o.handle == handle && o.matchesKey(port, key));
        for (SignalObserver o : removed) {
            o.onCancel(signals);
        }
        return !removed.isEmpty();
    }

    /** Unlinks the observers {@code which} selects, in list order (newest first). */
    private List<SignalObserver> take(java.util.function.Predicate<SignalObserver> which) {
        List<SignalObserver> out = new ArrayList<>();
        SignalObserver o = head;
        while (o != null) {
            SignalObserver next = o.next;
            if (which.test(o)) {
                remove(o);
                out.add(o);
            }
            o = next;
        }
        return out;
    }
}
