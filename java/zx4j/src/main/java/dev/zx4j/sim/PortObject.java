package dev.zx4j.sim;

import static dev.zx4j.abi.Layouts.PACKET_INTERRUPT_TIMESTAMP;
import static dev.zx4j.abi.Layouts.PACKET_KEY;
import static dev.zx4j.abi.Layouts.PACKET_STATUS;
import static dev.zx4j.abi.Layouts.PACKET_TYPE;
import static dev.zx4j.abi.Layouts.PORT_PACKET_SIZE;
import static dev.zx4j.abi.Layouts.put32;
import static dev.zx4j.abi.Layouts.put64;
import static dev.zx4j.abi.Zx.ZX_ERR_BAD_HANDLE;
import static dev.zx4j.abi.Zx.ZX_ERR_SHOULD_WAIT;
import static dev.zx4j.abi.Zx.ZX_OBJ_TYPE_PORT;
import static dev.zx4j.abi.Zx.ZX_OK;
import static dev.zx4j.abi.Zx.ZX_PKT_TYPE_INTERRUPT;
import static dev.zx4j.abi.Zx.ZX_PORT_BIND_TO_INTERRUPT;
import static dev.zx4j.abi.Zx.ZX_TIME_INFINITE;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A port: a FIFO of packets, plus (for ports created with {@code ZX_PORT_BIND_TO_INTERRUPT}) a
 * separate FIFO of interrupt packets that is always drained first.
 *
 * <p>The port has its own lock, {@link #lock}, which guards the two FIFOs, the user-packet count,
 * the waiter count and the zero-handles flag; {@code zx_port_wait} blocks on a condition of it.
 * It is the innermost lock of the kernel (see {@link SimKernel}): code holding it never takes
 * another lock, so a packet's {@link PacketSource#released()} callback runs only after it is
 * released ({@link #poll()} hands the source back to the caller). The async-wait observer set
 * stays under the kernel lock, like every signal state.
 */
final class PortObject extends KernelObject {

    /** Outstanding user packets allowed: the check is {@code count > limit} before queueing. */
    static final int MAX_USER_PACKETS = 4096;

    /**
     * Something that put a kernel packet on a port and wants to know when it is taken. The
     * callback runs under the kernel lock, never under the port's lock.
     */
    interface PacketSource {
        /** The packet left the port: dequeued, cancelled, or dropped with the port. */
        void released();

        /** Whether {@link #released()} does anything (an async wait's packet needs nothing). */
        default boolean wantsRelease() {
            return true;
        }
    }

    /** A dequeued packet and the source to tell (outside the port lock), or null. */
    record Taken(byte[] bytes, PacketSource source) {}

    private record Queued(byte[] bytes, boolean user, PacketSource source) {}

    final int options;
    /** This port's own lock (innermost: nothing else is locked while it is held). */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final ArrayDeque<Queued> packets = new ArrayDeque<>();
    private final ArrayDeque<InterruptObject> interrupts = new ArrayDeque<>();
    private int userPackets;
    /** Threads blocked in {@link #await}; while non-zero the port is in the kernel's wake set. */
    private int waiters;
    /** Async waits ({@code zx_object_wait_async}) on this port that have not fired yet. */
    private final Set<AsyncWait> observers = new LinkedHashSet<>();
    /** The last handle was closed: nothing is queued from now on. */
    private boolean zeroHandles;

    PortObject(SimKernel kernel, int options) {
        super(kernel);
        this.options = options;
    }

    @Override
    int type() {
        return ZX_OBJ_TYPE_PORT;
    }

    boolean canBindToInterrupt() {
        return (options & ZX_PORT_BIND_TO_INTERRUPT) != 0;
    }

    /**
     * The port half of {@code zx_port_queue}, after the handle and packet checks: a port whose
     * last handle was closed meanwhile is {@code BAD_HANDLE} (the close came first); then the
     * user-packet limit ({@code count > limit} before queueing: the 4098th outstanding packet
     * fails with {@code SHOULD_WAIT}).
     */
    void queueUser(byte[] packet) throws SysErr {
        lock.lock();
        try {
            if (zeroHandles) {
                throw new SysErr(ZX_ERR_BAD_HANDLE);
            }
            if (userPackets > MAX_USER_PACKETS) {
                throw new SysErr(ZX_ERR_SHOULD_WAIT);
            }
            userPackets++;
            packets.add(new Queued(packet, true, null));
            available.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Queues a kernel packet (a guest BELL); the caller holds the kernel lock. */
    void queueKernel(byte[] packet, PacketSource source) {
        lock.lock();
        try {
            packets.add(new Queued(packet, false, source));
            available.signal();
        } finally {
            lock.unlock();
        }
    }

    void addObserver(AsyncWait w) {
        observers.add(w);
    }

    void observerDone(AsyncWait w) {
        observers.remove(w);
    }

    int observerCount() {
        return observers.size();
    }

    /** Queues a fired async wait's packet (dropped once the port has no handle left). */
    void queueSignal(AsyncWait w, byte[] packet) {
        lock.lock();
        try {
            if (zeroHandles) {
                return;
            }
            packets.add(new Queued(packet, false, w));
            available.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes queued signal packets that came from async waits made through {@code handle} with
     * {@code key} (CancelQueued); user and other kernel packets never match. True if any.
     */
    boolean cancelQueued(HandleTable.Handle handle, long key) {
        lock.lock();
        try {
            boolean removed = false;
            for (Iterator<Queued> it = packets.iterator(); it.hasNext(); ) {
                Queued q = it.next();
                if (q.source instanceof AsyncWait w && w.origin == handle && w.key == key) {
                    it.remove();
                    removed = true;
                }
            }
            return removed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues an interrupt's packet stamped {@code timestamp}; false when that interrupt's packet
     * is already queued, which then keeps its own timestamp (QueueInterruptPacket).
     */
    boolean queueInterrupt(InterruptObject irq, long timestamp) {
        lock.lock();
        try {
            if (irq.packetQueued) {
                return false;
            }
            irq.packetQueued = true;
            irq.packetTimestamp = timestamp;
            interrupts.add(irq);
            available.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Removes an interrupt's queued packet; true when one was queued. */
    boolean removeInterrupt(InterruptObject irq) {
        lock.lock();
        try {
            if (!irq.packetQueued) {
                return false;
            }
            irq.packetQueued = false;
            interrupts.remove(irq);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes the queued kernel packets of one source (e.g. a guest trap being destroyed); the
     * caller holds the kernel lock, under which the source is told.
     */
    void removeFrom(PacketSource source) {
        int removed = 0;
        lock.lock();
        try {
            for (Iterator<Queued> it = packets.iterator(); it.hasNext(); ) {
                if (it.next().source == source) {
                    it.remove();
                    removed++;
                }
            }
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < removed; i++) {
            source.released();
        }
    }

    /**
     * Takes the next packet, interrupt packets first, or blocks for one until {@code deadline}
     * (the body of {@code zx_port_wait} after the handle checks). Returns null once the deadline
     * has passed with no packet. The returned source, if any, must be told (under the kernel
     * lock) that its packet left.
     */
    Taken take(long deadline) throws InterruptedException {
        lock.lock();
        try {
            Taken t;
            boolean waiting = false;
            try {
                while ((t = poll()) == null) {
                    if (kernel.clock.now() >= deadline) {
                        return null;
                    }
                    if (!waiting) {
                        // Join the set a clock change wakes, then look at the clock again.
                        waiting = true;
                        if (waiters++ == 0) {
                            kernel.portWaitStarted(this);
                        }
                        continue;
                    }
                    await(deadline);
                }
            } finally {
                if (waiting && --waiters == 0) {
                    kernel.portWaitEnded(this);
                }
            }
            return t;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the next packet, interrupt packets first, or null when there is none. Locked. */
    private Taken poll() {
        InterruptObject irq = interrupts.poll();
        if (irq != null) {
            irq.packetQueued = false;
            byte[] p = new byte[PORT_PACKET_SIZE];
            put64(p, PACKET_KEY, irq.portKey);
            put32(p, PACKET_TYPE, ZX_PKT_TYPE_INTERRUPT);
            put32(p, PACKET_STATUS, ZX_OK);
            put64(p, PACKET_INTERRUPT_TIMESTAMP, irq.packetTimestamp);
            return new Taken(p, null);
        }
        Queued q = packets.poll();
        if (q == null) {
            return null;
        }
        if (q.user) {
            userPackets--;
        }
        return new Taken(q.bytes, q.source != null && q.source.wantsRelease() ? q.source : null);
    }

    /** Blocks once on the port's condition (lock held) until woken or the deadline may pass. */
    private void await(long deadline) throws InterruptedException {
        long nanos = kernel.clock.realNanosUntil(deadline);
        boolean finite = deadline != ZX_TIME_INFINITE;
        if (finite) {
            kernel.clock.waitStarted("zx_port_wait", deadline);
        }
        try {
            if (nanos == Long.MAX_VALUE) {
                available.await();
            } else {
                available.await(nanos, TimeUnit.NANOSECONDS);
            }
        } finally {
            if (finite) {
                kernel.clock.waitEnded();
            }
        }
    }

    /** Wakes every waiter so it can re-check the clock. */
    void wakeAll() {
        lock.lock();
        try {
            available.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The last handle is gone: under the kernel lock, then the port lock for the queues. */
    @Override
    void onZeroHandles() {
        List<PacketSource> dropped = new ArrayList<>();
        lock.lock();
        try {
            for (Queued q : packets) {
                if (q.source != null) {
                    dropped.add(q.source);
                }
            }
            packets.clear();
            userPackets = 0;
            zeroHandles = true;
        } finally {
            lock.unlock();
        }
        for (PacketSource source : dropped) {
            source.released();
        }
        // Every async wait still armed on this port is removed from its object (no packet).
        for (AsyncWait w : observers) {
            w.source.signalState().remove(w);
        }
        observers.clear();
    }
}
