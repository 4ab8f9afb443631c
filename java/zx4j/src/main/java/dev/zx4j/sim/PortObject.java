package dev.zx4j.sim;

import static dev.zx4j.abi.Layouts.PACKET_INTERRUPT_TIMESTAMP;
import static dev.zx4j.abi.Layouts.PACKET_KEY;
import static dev.zx4j.abi.Layouts.PACKET_STATUS;
import static dev.zx4j.abi.Layouts.PACKET_TYPE;
import static dev.zx4j.abi.Layouts.PORT_PACKET_SIZE;
import static dev.zx4j.abi.Layouts.put32;
import static dev.zx4j.abi.Layouts.put64;
import static dev.zx4j.abi.Zx.ZX_OBJ_TYPE_PORT;
import static dev.zx4j.abi.Zx.ZX_OK;
import static dev.zx4j.abi.Zx.ZX_PKT_TYPE_INTERRUPT;
import static dev.zx4j.abi.Zx.ZX_PORT_BIND_TO_INTERRUPT;
import static dev.zx4j.abi.Zx.ZX_TIME_INFINITE;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * A port: a FIFO of packets, plus (for ports created with {@code ZX_PORT_BIND_TO_INTERRUPT}) a
 * separate FIFO of interrupt packets that is always drained first.
 */
final class PortObject extends KernelObject {

    /** Outstanding user packets allowed: the check is {@code count > limit} before queueing. */
    static final int MAX_USER_PACKETS = 4096;

    /** Something that put a kernel packet on a port and wants to know when it is taken. */
    interface PacketSource {
        /** The packet left the port: dequeued, cancelled, or dropped with the port. */
        void released();
    }

    private record Queued(byte[] bytes, boolean user, PacketSource source) {}

    final int options;
    private final ArrayDeque<Queued> packets = new ArrayDeque<>();
    private final ArrayDeque<InterruptObject> interrupts = new ArrayDeque<>();
    private final Condition available;
    private int userPackets;
    int waiters;
    /** Async waits ({@code zx_object_wait_async}) on this port that have not fired yet. */
    private final Set<AsyncWait> observers = new LinkedHashSet<>();
    /** The last handle was closed: signal packets are dropped from now on. */
    private boolean zeroHandles;

    PortObject(SimKernel kernel, int options) {
        super(kernel);
        this.options = options;
        this.available = kernel.lock.newCondition();
    }

    @Override
    int type() {
        return ZX_OBJ_TYPE_PORT;
    }

    boolean canBindToInterrupt() {
        return (options & ZX_PORT_BIND_TO_INTERRUPT) != 0;
    }

    /** Whether the user-packet limit is already exceeded (the 4098th outstanding one fails). */
    boolean userPacketLimitReached() {
        return userPackets > MAX_USER_PACKETS;
    }

    void queueUser(byte[] packet) {
        userPackets++;
        packets.add(new Queued(packet, true, null));
        available.signal();
    }

    void queueKernel(byte[] packet, PacketSource source) {
        packets.add(new Queued(packet, false, source));
        available.signal();
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
        if (zeroHandles) {
            return;
        }
        packets.add(new Queued(packet, false, w));
        available.signal();
    }

    /**
     * Removes queued signal packets that came from async waits made through {@code handle} with
     * {@code key} (CancelQueued); user and other kernel packets never match. True if any.
     */
    boolean cancelQueued(HandleTable.Handle handle, long key) {
        boolean removed = false;
        for (Iterator<Queued> it = packets.iterator(); it.hasNext(); ) {
            Queued q = it.next();
            if (q.source instanceof AsyncWait w && w.origin == handle && w.key == key) {
                it.remove();
                removed = true;
            }
        }
        return removed;
    }

    /**
     * Queues an interrupt's packet stamped {@code timestamp}; false when that interrupt's packet
     * is already queued, which then keeps its own timestamp (QueueInterruptPacket).
     */
    boolean queueInterrupt(InterruptObject irq, long timestamp) {
        if (irq.packetQueued) {
            return false;
        }
        irq.packetQueued = true;
        irq.packetTimestamp = timestamp;
        interrupts.add(irq);
        available.signal();
        return true;
    }

    /** Removes an interrupt's queued packet; true when one was queued. */
    boolean removeInterrupt(InterruptObject irq) {
        if (!irq.packetQueued) {
            return false;
        }
        irq.packetQueued = false;
        interrupts.remove(irq);
        return true;
    }

    /** Removes the queued kernel packets of one source (e.g. a guest trap being destroyed). */
    void removeFrom(PacketSource source) {
        for (Iterator<Queued> it = packets.iterator(); it.hasNext(); ) {
            Queued q = it.next();
            if (q.source == source) {
                it.remove();
                source.released();
            }
        }
    }

    /** Takes the next packet, interrupt packets first, or returns null when there is none. */
    byte[] poll() {
        InterruptObject irq = interrupts.poll();
        if (irq != null) {
            irq.packetQueued = false;
            byte[] p = new byte[PORT_PACKET_SIZE];
            put64(p, PACKET_KEY, irq.portKey);
            put32(p, PACKET_TYPE, ZX_PKT_TYPE_INTERRUPT);
            put32(p, PACKET_STATUS, ZX_OK);
            put64(p, PACKET_INTERRUPT_TIMESTAMP, irq.packetTimestamp);
            return p;
        }
        Queued q = packets.poll();
        if (q == null) {
            return null;
        }
        if (q.user) {
            userPackets--;
        } else if (q.source != null) {
            q.source.released();
        }
        return q.bytes;
    }

    /**
     * Blocks (releasing the kernel lock) until a packet may be available or the deadline
     * passes. Returns false once the deadline has passed.
     */
    boolean await(long deadline) throws InterruptedException {
        long now = kernel.clock.now();
        if (now >= deadline) {
            return false;
        }
        long nanos = kernel.clock.realNanosUntil(deadline);
        boolean finite = deadline != ZX_TIME_INFINITE;
        waiters++;
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
            waiters--;
            if (finite) {
                kernel.clock.waitEnded();
            }
        }
        return true;
    }

    /** Wakes every waiter so it can re-check the clock. */
    void wakeAll() {
        available.signalAll();
    }

    @Override
    void onZeroHandles() {
        for (Queued q : packets) {
            if (q.source != null) {
                q.source.released();
            }
        }
        packets.clear();
        userPackets = 0;
        // Every async wait still armed on this port is removed from its object (no packet).
        zeroHandles = true;
        for (AsyncWait w : observers) {
            w.source.signalState().remove(w);
        }
        observers.clear();
    }
}
