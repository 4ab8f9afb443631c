package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.ZX_ERR_ALREADY_BOUND;
import static dev.zx4j.abi.Zx.ZX_ERR_BAD_STATE;
import static dev.zx4j.abi.Zx.ZX_ERR_CANCELED;
import static dev.zx4j.abi.Zx.ZX_ERR_INVALID_ARGS;
import static dev.zx4j.abi.Zx.ZX_ERR_NOT_FOUND;
import static dev.zx4j.abi.Zx.ZX_ERR_NOT_SUPPORTED;
import static dev.zx4j.abi.Zx.ZX_OBJ_TYPE_INTERRUPT;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An interrupt object, virtual or physical, with Zircon's state machine:
 * IDLE → (trigger) → TRIGGERED → (wait) → NEEDACK → (wait/ack) → IDLE/WAITING …, DESTROYED.
 *
 * <p>When bound to a port, a trigger queues one interrupt packet and the interrupt stays in
 * NEEDACK until acknowledged; further triggers meanwhile are coalesced (the first timestamp is
 * kept) and re-sent by {@code ack}. A physical interrupt may instead be bound to VCPUs, which then
 * all receive its vector whenever its line fires.
 *
 * <p>The interrupt has its own lock, {@link #lock}, which guards its state, pending timestamp,
 * port binding and VCPU list; {@code zx_interrupt_wait} blocks on a condition of it. In the
 * kernel's lock order it comes after the kernel lock and before a port's lock (queueing the
 * packet takes the bound port's lock while this one is held). {@code zx_interrupt_trigger},
 * {@code zx_interrupt_ack} and {@code zx_interrupt_wait} take only this lock; the other calls
 * take the kernel lock first. The queued-packet fields ({@link #packetQueued},
 * {@link #packetTimestamp}) belong to the bound port and are guarded by its lock.
 */
final class InterruptObject extends KernelObject {

    enum State { IDLE, TRIGGERED, NEEDACK, WAITING, DESTROYED }

    /** What a physical interrupt bound to VCPUs forwards to. */
    interface VcpuSink {
        /** The guest the VCPU belongs to (all sinks of one interrupt share one guest). */
        Object guest();

        /** Marks {@code vector} pending on the VCPU, as a hardware-forwarded interrupt. */
        void physicalInterrupt(int vector);
    }

    final boolean virtual;
    /** Hardware vector of a physical interrupt; -1 for a virtual one. */
    final int vector;
    State state = State.IDLE;
    /** The pending trigger's timestamp; 0 when none is pending. */
    long timestamp;
    PortObject port;
    long portKey;
    boolean packetQueued;
    long packetTimestamp;
    private final List<VcpuSink> vcpus = new ArrayList<>();
    /** This interrupt's own lock (see the class comment for the order). */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition signal = lock.newCondition();

    InterruptObject(SimKernel kernel, boolean virtual, int vector) {
        super(kernel);
        this.virtual = virtual;
        this.vector = vector;
    }

    @Override
    int type() {
        return ZX_OBJ_TYPE_INTERRUPT;
    }

    /**
     * In the modelled era {@code SoloDispatcher::is_waitable()} is "the default rights include
     * WAIT", and ZX_DEFAULT_INTERRUPT_RIGHTS do: an interrupt is an acceptable
     * {@code zx_port_cancel} source (which then finds nothing to cancel).
     */
    @Override
    boolean waitable() {
        return true;
    }

    boolean hasVcpus() {
        lock.lock();
        try {
            return !vcpus.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a packet with {@code ts} on the bound port; the pending timestamp is consumed even
     * when the packet cannot be queued (it is still in the port), as in SendPacketLocked.
     * Lock held; takes the port's lock.
     */
    private boolean sendPacket(long ts) {
        boolean queued = port.queueInterrupt(this, ts);
        timestamp = 0;
        return queued;
    }

    /** The interrupt handler: runs (lock held) on a virtual trigger and when a line fires. */
    private void handle() {
        if (port != null) {
            if (state != State.NEEDACK) {
                sendPacket(timestamp);
                state = State.NEEDACK;
            }
        } else if (!vcpus.isEmpty()) {
            for (VcpuSink v : vcpus) {
                v.physicalInterrupt(vector);
            }
            timestamp = 0;
        } else {
            state = State.TRIGGERED;
            signal.signalAll();
        }
    }

    /** A physical line fired at time {@code now}. */
    void fire(long now) {
        lock.lock();
        try {
            if (state == State.DESTROYED) {
                return;
            }
            if (timestamp == 0) {
                timestamp = now;
            }
            handle();
        } finally {
            lock.unlock();
        }
    }

    void trigger(long ts) throws SysErr {
        lock.lock();
        try {
            if (!virtual) {
                throw new SysErr(ZX_ERR_BAD_STATE);
            }
            // The era modelled records the timestamp before looking at DESTROYED.
            if (timestamp == 0) {
                timestamp = ts;
            }
            if (state == State.DESTROYED) {
                throw new SysErr(ZX_ERR_CANCELED);
            }
            handle();
        } finally {
            lock.unlock();
        }
    }

    void bind(PortObject p, long key) throws SysErr {
        lock.lock();
        try {
            if (state == State.DESTROYED) {
                throw new SysErr(ZX_ERR_CANCELED);
            }
            if (state == State.WAITING) {
                throw new SysErr(ZX_ERR_BAD_STATE);
            }
            if (port != null || !vcpus.isEmpty()) {
                throw new SysErr(ZX_ERR_ALREADY_BOUND);
            }
            port = p;
            portKey = key;
            if (state == State.TRIGGERED) {
                sendPacket(timestamp);
                state = State.NEEDACK;
            }
        } finally {
            lock.unlock();
        }
    }

    void unbind(PortObject p) throws SysErr {
        lock.lock();
        try {
            if (port == null || port != p) {
                throw new SysErr(ZX_ERR_NOT_FOUND);
            }
            if (state == State.DESTROYED) {
                throw new SysErr(ZX_ERR_CANCELED);
            }
            port.removeInterrupt(this);
            portKey = 0;
            port = null;
        } finally {
            lock.unlock();
        }
    }

    void bindVcpu(VcpuSink vcpu) throws SysErr {
        lock.lock();
        try {
            if (virtual) {
                throw new SysErr(ZX_ERR_NOT_SUPPORTED);
            }
            if (state == State.DESTROYED) {
                throw new SysErr(ZX_ERR_CANCELED);
            }
            if (state == State.WAITING) {
                throw new SysErr(ZX_ERR_BAD_STATE);
            }
            if (port != null) {
                throw new SysErr(ZX_ERR_ALREADY_BOUND);
            }
            for (VcpuSink v : vcpus) {
                if (v == vcpu) {
                    return;
                }
                if (v.guest() != vcpu.guest()) {
                    throw new SysErr(ZX_ERR_INVALID_ARGS);
                }
            }
            vcpus.add(vcpu);
        } finally {
            lock.unlock();
        }
    }

    void ack() throws SysErr {
        lock.lock();
        try {
            if (port == null) {
                throw new SysErr(ZX_ERR_BAD_STATE);
            }
            if (state == State.DESTROYED) {
                throw new SysErr(ZX_ERR_CANCELED);
            }
            if (state == State.NEEDACK) {
                if (timestamp != 0) {
                    if (!sendPacket(timestamp)) {
                        throw new SysErr(ZX_ERR_BAD_STATE);
                    }
                } else {
                    state = State.IDLE;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until triggered; returns the trigger's timestamp. */
    long await() throws SysErr, InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (port != null || !vcpus.isEmpty()) {
                    throw new SysErr(ZX_ERR_BAD_STATE);
                }
                switch (state) {
                    case DESTROYED:
                        throw new SysErr(ZX_ERR_CANCELED);
                    case TRIGGERED: {
                        state = State.NEEDACK;
                        long ts = timestamp;
                        timestamp = 0;
                        return ts;
                    }
                    case NEEDACK:
                    case IDLE:
                        state = State.WAITING;
                        break;
                    case WAITING: // another thread is already waiting
                        throw new SysErr(ZX_ERR_BAD_STATE);
                    default:
                        throw new AssertionError(state);
                }
                try {
                    while (state == State.WAITING) {
                        signal.await();
                    }
                } catch (InterruptedException e) {
                    if (state == State.WAITING) {
                        state = State.IDLE;
                    }
                    throw e;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@code zx_interrupt_destroy} and the last handle's close; the caller holds the kernel lock. */
    int destroy() {
        if (!virtual) {
            kernel.platform.unregister(this);
        }
        lock.lock();
        try {
            return destroyLocked();
        } finally {
            lock.unlock();
        }
    }

    private int destroyLocked() {
        if (port != null) {
            boolean wasQueued = port.removeInterrupt(this);
            if (state == State.NEEDACK && !wasQueued) {
                state = State.DESTROYED;
                return ZX_ERR_NOT_FOUND;
            }
            if (state == State.IDLE || state == State.NEEDACK) {
                state = State.DESTROYED;
            }
        } else {
            state = State.DESTROYED;
            signal.signalAll();
        }
        return 0;
    }

    @Override
    void onZeroHandles() {
        destroy();
    }
}
