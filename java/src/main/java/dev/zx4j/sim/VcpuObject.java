package dev.zx4j.sim;

import static dev.zx4j.abi.Layouts.*;
import static dev.zx4j.abi.Zx.*;

import java.util.Arrays;

/**
 * A VCPU: bound for life to the thread that created it, with a 256-vector pending-interrupt
 * bitmap, a sticky kick flag and an engine that runs its guest code.
 *
 * <p>The run loop of {@link #enter()} does not hold the kernel lock while guest code runs; the
 * interrupt and kick state is guarded by this object's monitor so {@code zx_vcpu_kick} and
 * {@code zx_vcpu_interrupt} work from any thread at any time.
 */
final class VcpuObject extends KernelObject implements InterruptObject.VcpuSink {
    private static final int NMI = 2;
    private static final int FIRST_EXTERNAL = 32;
    private static final int FIRST_INVALID = 21;

    final GuestObject guest;
    final int vpid;
    final Thread owner;
    final VcpuEngine engine;
    private final long[] pending = new long[4];
    private boolean kicked;
    private boolean destroyed;

    VcpuObject(SimKernel kernel, GuestObject guest, int vpid, Thread owner, VcpuEngine engine) {
        super(kernel);
        this.guest = guest;
        this.vpid = vpid;
        this.owner = owner;
        this.engine = engine;
    }

    @Override
    int type() {
        return ZX_OBJ_TYPE_VCPU;
    }

    @Override
    boolean waitable() {
        return true;
    }

    @Override
    long relatedKoid() {
        return guest.koid;
    }

    @Override
    public Object guest() {
        return guest;
    }

    // ---- any thread ------------------------------------------------------------------------

    synchronized void kick() {
        kicked = true;
        notifyAll();
        engine.requestStop();
    }

    /** {@code zx_vcpu_interrupt}: vectors of 256 and more are dropped silently. */
    synchronized void interrupt(int vector) {
        if (vector >= 0 && vector < 256) {
            pending[vector >>> 6] |= 1L << vector;
        }
        notifyAll();
        engine.requestStop();
    }

    @Override
    public void physicalInterrupt(int vector) {
        interrupt(vector);
    }

    // ---- the owner thread ------------------------------------------------------------------

    /**
     * The loop of {@code zx_vcpu_enter}: returns a status, and fills {@code packet} (48 bytes)
     * when an exit needs the VMM.
     */
    int enter(byte[] packet) throws InterruptedException {
        while (true) {
            int vector;
            synchronized (this) {
                if (kicked) {
                    kicked = false;
                    return ZX_ERR_CANCELED;
                }
                vector = takeDeliverable();
            }
            if (vector >= FIRST_INVALID && vector < FIRST_EXTERNAL) {
                return ZX_ERR_NOT_SUPPORTED;
            }
            VcpuEngine.Exit exit = vector >= 0 ? engine.deliver(vector) : null;
            if (exit == null) {
                exit = engine.run();
            }
            if (exit instanceof VcpuEngine.Stopped) {
                continue;
            } else if (exit instanceof VcpuEngine.Halt) {
                synchronized (this) {
                    while (!kicked && !anyPending()) {
                        wait();
                    }
                }
            } else if (exit instanceof VcpuEngine.Failure f) {
                return f.status();
            } else if (exit instanceof VcpuEngine.IoExit io) {
                return ioExit(io, packet);
            } else if (exit instanceof VcpuEngine.MemAccess mem) {
                int status = memExit(mem, packet);
                if (status != ZX_ERR_NEXT) {
                    return status;
                }
            }
        }
    }

    /** Pops the vector to inject now: NMI first, then the highest; -1 when none may go. */
    private int takeDeliverable() {
        if (bit(NMI)) {
            clear(NMI);
            return NMI;
        }
        for (int w = 3; w >= 0; w--) {
            if (pending[w] != 0) {
                int v = w * 64 + 63 - Long.numberOfLeadingZeros(pending[w]);
                if (v >= FIRST_EXTERNAL && !engine.externalInterruptsEnabled()) {
                    return highestException();
                }
                clear(v);
                if (v < FIRST_INVALID) {
                    // After injecting, pending exceptions are discarded, as on the real kernel.
                    pending[0] &= ~((1L << FIRST_INVALID) - 1);
                }
                return v;
            }
        }
        return -1;
    }

    private int highestException() {
        long exc = pending[0] & ((1L << FIRST_EXTERNAL) - 1);
        if (exc == 0) {
            return -1;
        }
        int v = 63 - Long.numberOfLeadingZeros(exc);
        clear(v);
        pending[0] &= ~((1L << FIRST_INVALID) - 1);
        return v;
    }

    private boolean bit(int v) {
        return (pending[v >>> 6] & (1L << v)) != 0;
    }

    private void clear(int v) {
        pending[v >>> 6] &= ~(1L << v);
    }

    private boolean anyPending() {
        return (pending[0] | pending[1] | pending[2] | pending[3]) != 0;
    }

    private int ioExit(VcpuEngine.IoExit io, byte[] packet) {
        GuestObject.Trap trap;
        kernel.lock.lock();
        try {
            trap = guest.findTrap(true, io.port());
        } finally {
            kernel.lock.unlock();
        }
        if (trap == null) {
            return ZX_ERR_NOT_FOUND;
        }
        Arrays.fill(packet, (byte) 0);
        put64(packet, PACKET_KEY, trap.key);
        put32(packet, PACKET_TYPE, ZX_PKT_TYPE_GUEST_IO);
        put16(packet, PACKET_IO_PORT, io.port());
        put8(packet, PACKET_IO_ACCESS_SIZE, io.size());
        put8(packet, PACKET_IO_INPUT, io.input() ? 1 : 0);
        if (!io.input()) {
            put32(packet, PACKET_IO_DATA, io.data());
        }
        return ZX_OK;
    }

    /** A MEM trap fills the packet (OK); a BELL write rings and continues (NEXT). */
    private int memExit(VcpuEngine.MemAccess mem, byte[] packet) throws InterruptedException {
        kernel.lock.lock();
        try {
            GuestObject.Trap trap = guest.findTrap(false, mem.addr());
            if (trap == null) {
                return ZX_ERR_OUT_OF_RANGE;
            }
            if (trap.kind == ZX_GUEST_TRAP_MEM) {
                Arrays.fill(packet, (byte) 0);
                put64(packet, PACKET_KEY, trap.key);
                put32(packet, PACKET_TYPE, ZX_PKT_TYPE_GUEST_MEM);
                put64(packet, PACKET_MEM_ADDR, mem.addr());
                byte[] inst = mem.instruction();
                put8(packet, PACKET_MEM_INST_LEN, inst.length);
                System.arraycopy(inst, 0, packet, PACKET_MEM_INST_BUF,
                        Math.min(inst.length, PACKET_MEM_INST_BUF_SIZE));
                put8(packet, PACKET_MEM_DEFAULT_OPERAND_SIZE, mem.defaultOperandSize());
                return ZX_OK;
            }
            // BELL: reads are not supported; a write queues a packet on the trap's port.
            if (!mem.write()) {
                return ZX_ERR_NOT_SUPPORTED;
            }
            while (trap.inFlight >= GuestObject.BELL_POOL && trap.port.handleCount > 0) {
                guest.poolFreed.await();
            }
            if (trap.port.handleCount == 0) {
                return ZX_ERR_BAD_STATE;
            }
            byte[] bell = new byte[PORT_PACKET_SIZE];
            put64(bell, PACKET_KEY, trap.key);
            put32(bell, PACKET_TYPE, ZX_PKT_TYPE_GUEST_BELL);
            put64(bell, PACKET_BELL_ADDR, mem.addr());
            trap.inFlight++;
            trap.port.queueKernel(bell, trap);
            return ZX_ERR_NEXT;
        } finally {
            kernel.lock.unlock();
        }
    }

    @Override
    void onZeroHandles() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        kernel.releaseVcpuThread(this);
        guest.freeVpid(vpid);
        guest.vcpuGone();
    }
}
