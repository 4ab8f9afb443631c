package dev.zx4j;

import static dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_KOID;
import static dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_RELATED_KOID;
import static dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_RIGHTS;
import static dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_SIZE;
import static dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_TYPE;

import dev.zx4j.abi.Layouts;
import dev.zx4j.abi.Zx;

/**
 * A kernel handle owned (or borrowed) by Java code; the common base of {@link Port},
 * {@link Interrupt}, {@link Resource}, {@link Vmo}, {@link Vmar}, {@link Guest}, {@link Vcpu} and
 * the untyped {@link Handle}.
 *
 * <h2>Ownership</h2>
 * An owning object closes its handle exactly once: {@link #close()} is idempotent and
 * thread-safe. It never holds {@code ZX_HANDLE_INVALID}. After {@code close()}, {@link #release()},
 * {@link #replace(Rights)} or a conversion, every operation throws {@link ClosedHandleException}
 * naming the handle and where it ended — before any syscall, so a stale (possibly recycled)
 * value never reaches the kernel. {@link #borrow()} gives a non-owning view that shares the
 * owner's fate.
 *
 * <h2>Concurrency</h2>
 * Every syscall is bracketed by an acquire/release of the handle (an in-flight count and the
 * closed state live in one atomic word). {@code close()} never blocks: when calls are in flight it
 * only marks the handle closed, and the last of those calls closes it in the kernel as it returns.
 * So closing does <em>not</em> wake a thread blocked in the kernel on this handle: such calls are
 * woken by their own means — {@link Interrupt#destroy()} for {@code zx_interrupt_wait}, a deadline
 * for {@link Port#waitFor(java.time.Duration)}, a kick for a VCPU — and the handle is closed right
 * after. Operations that hand the value over ({@code release}, {@code replace}) are refused with
 * {@link IllegalStateException} while calls are in flight, since they cannot wait for them.
 *
 * <h2>Thread-confined objects</h2>
 * Objects the kernel confines to a thread ({@link Vcpu}) check their owner thread
 * first, then liveness, before any syscall — as Panama's confined arenas do — and keep the calls
 * the kernel allows from anywhere (kick, interrupt, close) free of that check.
 *
 * @param <T> the concrete class, returned by {@link #duplicate}, {@link #replace} and
 *            {@link #borrow}
 */
public abstract sealed class HandleObject<T extends HandleObject<T>> implements AutoCloseable
        permits Handle, Port, Interrupt, Resource, Vmo, Vmar, Guest, Vcpu, Event, Timer {

    final Kernel kernel;
    final HandleCell cell;
    final boolean owner;

    HandleObject(Kernel kernel, HandleCell cell, boolean owner) {
        this.kernel = kernel;
        this.cell = cell;
        this.owner = owner;
    }

    /** A new object of the concrete class over {@code cell}. */
    abstract T wrap(HandleCell cell, boolean owner);

    /**
     * The owner of the handle that {@link #replace(Rights)} made from this object's (which has
     * already ended). Classes whose objects own more than their handle pass it on here.
     */
    T wrapReplacement(HandleCell cell) {
        return wrap(cell, true);
    }

    /** {@return the kernel this handle belongs to} */
    public final Kernel kernel() {
        return kernel;
    }

    /**
     * Whether this object owns its handle (false for a {@linkplain #borrow() borrowed view}).
     *
     * @return true for the owner, false for a borrowed view
     */
    public final boolean isOwner() {
        return owner;
    }

    /**

     * {@return whether the handle was closed, released or replaced (by this object or, for a view,
     * its owner)}

     */
    public final boolean isClosed() {
        return cell.isEnded();
    }

    /**
     * A new handle to the same object with {@code rights} ({@link Rights#SAME_RIGHTS} keeps this
     * handle's). Needs {@link Rights#DUPLICATE}; the new rights must be a subset of this handle's.
     *
     * @param rights the new handle's rights, or {@link Rights#SAME_RIGHTS}
     * @return a new owning object for the new handle
     */
    public final T duplicate(Rights rights) {
        int[] out = new int[1];
        int h = cell.acquire();
        try {
            ZxException.check("zx_handle_duplicate",
                    kernel.syscalls().zx_handle_duplicate(h, rights.bits(), out));
        } finally {
            cell.release();
        }
        return wrap(new HandleCell(kernel, out[0], cell.kind), true);
    }

    /**
     * Replaces this handle by a new one with {@code rights} (a subset of its rights, or
     * {@link Rights#SAME_RIGHTS}). This object stops owning its handle in every case, including
     * when the kernel fails — the kernel closes the source handle even then — so it must not be
     * used afterwards.
     *
     * @param rights the new handle's rights, or {@link Rights#SAME_RIGHTS}
     * @return a new owning object for the new handle
     * @throws IllegalStateException on a borrowed view, or while other calls are in flight
     * @throws ZxException           if the kernel refuses (the source is gone nonetheless)
     */
    public final T replace(Rights rights) {
        requireOwner("replace");
        int h = cell.takeExclusive("replace", "replaced");
        int[] out = new int[1];
        ZxException.check("zx_handle_replace",
                kernel.syscalls().zx_handle_replace(h, rights.bits(), out));
        return wrapReplacement(new HandleCell(kernel, out[0], cell.kind));
    }

    /**
     * A non-owning view of this handle: it can make every call this object can, never closes the
     * handle ({@link #close()} on it does nothing), cannot {@link #release()} or
     * {@link #replace(Rights)}, and becomes unusable once the owner closes.
     *
     * @return the borrowed view
     */
    public final T borrow() {
        if (cell.isEnded()) {
            throw cell.closed();
        }
        return wrap(cell, false);
    }

    /**
     * Gives up ownership and returns the raw handle value, which the caller must close. This
     * object becomes unusable.
     *
     * @return the raw handle value, now owned by the caller
     * @throws IllegalStateException on a borrowed view, or while other calls are in flight
     */
    public final int release() {
        requireOwner("release");
        return cell.takeExclusive("release", "released");
    }

    /**
     * The koid, type and rights of this handle ({@code ZX_INFO_HANDLE_BASIC}).
     *
     * @return the handle's basic information
     */
    public final HandleInfo info() {
        byte[] buf = new byte[INFO_HANDLE_BASIC_SIZE];
        int h = cell.acquire();
        try {
            ZxException.check("zx_object_get_info", kernel.syscalls().zx_object_get_info(
                    h, Zx.ZX_INFO_HANDLE_BASIC, buf, buf.length, new long[1], new long[1]));
        } finally {
            cell.release();
        }
        return new HandleInfo(Layouts.i64(buf, INFO_HANDLE_BASIC_KOID),
                ObjectType.of(Layouts.i32(buf, INFO_HANDLE_BASIC_TYPE)),
                Rights.fromBits(Layouts.i32(buf, INFO_HANDLE_BASIC_RIGHTS)),
                Layouts.i64(buf, INFO_HANDLE_BASIC_RELATED_KOID));
    }

    /**
     * Clears then sets signals of the object ({@code zx_object_signal}; needs
     * {@link Rights#SIGNAL}). Only the user signals, and {@link Signals#EVENT_SIGNALED} on an
     * event, may be changed.
     *
     * @param clear the signals to clear (applied first)
     * @param set the signals to set
     */
    public final void signal(Signals clear, Signals set) {
        int h = cell.acquire();
        try {
            ZxException.check("zx_object_signal",
                    kernel.syscalls().zx_object_signal(h, clear.bits(), set.bits()));
        } finally {
            cell.release();
        }
    }

    /**
     * Waits until one of {@code signals} is asserted or {@code deadline} passes
     * ({@code zx_object_wait_one}; needs {@link Rights#WAIT}). Returns at once when one already
     * is, whatever the deadline.
     *
     * @param signals the signals to wait for
     * @param deadline the absolute monotonic deadline in nanoseconds (see
     *        {@link Kernel#deadlineAfter})
     * @return the whole signal word at the match
     * @throws ZxException with {@link Status#TIMED_OUT} when the deadline passes first, or
     *                     {@link Status#CANCELED} when the handle is closed during the wait
     */
    public final Signals waitOne(Signals signals, long deadline) {
        int[] observed = new int[1];
        int h = cell.acquire();
        try {
            ZxException.check("zx_object_wait_one", kernel.syscalls().zx_object_wait_one(
                    h, signals.bits(), deadline, observed));
        } finally {
            cell.release();
        }
        return new Signals(observed[0]);
    }

    /**
     * The object's current signal word (a {@code zx_object_wait_one} that polls for nothing).
     *
     * @return the signals asserted now
     */
    public final Signals signals() {
        int[] observed = new int[1];
        int h = cell.acquire();
        try {
            int st = kernel.syscalls().zx_object_wait_one(h, 0, Zx.ZX_TIME_INFINITE_PAST, observed);
            if (st != Zx.ZX_ERR_TIMED_OUT) {
                ZxException.check("zx_object_wait_one", st);
            }
        } finally {
            cell.release();
        }
        return new Signals(observed[0]);
    }

    /**
     * Asks for one {@link PortPacket.SignalPacket} with {@code key} on {@code port} when one of
     * {@code signals} is asserted ({@code zx_object_wait_async}; this handle needs
     * {@link Rights#WAIT}, the port {@link Rights#WRITE}). Without {@link WaitAsyncOptions#EDGE}
     * a signal already asserted queues the packet at once. One packet per call: call again to
     * wait again. Closing this handle drops the wait; {@link Port#cancel} cancels it.
     *
     * @param port the port the packet goes to
     * @param key the key the packet carries
     * @param signals the signals to watch
     * @param options {@link WaitAsyncOptions} such as {@code TIMESTAMP} or {@code EDGE}
     */
    public final void waitAsync(Port port, long key, Signals signals, WaitAsyncOptions... options) {
        int bits = WaitAsyncOptions.toBits(options);
        int h = cell.acquire();
        try {
            int p = port.cell.acquire();
            try {
                ZxException.check("zx_object_wait_async",
                        kernel.syscalls().zx_object_wait_async(h, p, key, signals.bits(), bits));
            } finally {
                port.cell.release();
            }
        } finally {
            cell.release();
        }
    }

    /**
     * Closes the handle (owner) or does nothing (borrowed view). Idempotent, thread-safe and
     * non-blocking; see the class comment for calls in flight.
     *
     * @throws ZxException if the kernel close, performed right now, failed (the handle counts as
     *                     closed anyway). A close deferred to the last in-flight call reports a
     *                     failure to {@link Kernel#onDeferredCloseFailure}.
     */
    @Override
    public final void close() {
        if (owner) {
            cell.close();
        }
    }

    private void requireOwner(String what) {
        if (!owner) {
            throw new IllegalStateException(
                    "a borrowed view cannot " + what + " " + cell.describe() + "; its owner can");
        }
    }

    @Override
    public String toString() {
        return cell.kind + "[" + HandleCell.hex(cell.value)
                + (owner ? "" : ", borrowed") + (cell.isEnded() ? ", closed" : "") + "]";
    }
}
