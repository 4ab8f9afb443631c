package dev.zx4j.sim;

import static dev.zx4j.abi.Layouts.*;
import static dev.zx4j.abi.Zx.*;

import dev.zx4j.sim.x86.VcpuExit;
import dev.zx4j.sim.x86.X86Cpu;
import java.util.Arrays;

/**
 * A VCPU: bound for life to the thread that created it, with a 256-vector pending-interrupt
 * bitmap, a sticky kick flag and the software x86-64 CPU that runs its guest code.
 *
 * <p>The run loop of {@link #enter(byte[])} does not hold the kernel lock while guest code runs; the
 * interrupt and kick state is guarded by this object's monitor so {@code zx_vcpu_kick} and
 * {@code zx_vcpu_interrupt} work from any thread at any time.
 */
final class VcpuObject extends KernelObject implements InterruptObject.VcpuSink {
    private static final int NMI = 2;
    private static final int FIRST_EXTERNAL = 32;
    private static final int FIRST_INVALID = 21;
    private static final int ICR_FIXED = 0;
    private static final int ICR_NMI = 4;
    private static final int ICR_INIT = 5;
    private static final int ICR_STARTUP = 6;
    /** ICR bit 11: logical destination mode. */
    private static final long ICR_LOGICAL = 1L << 11;
    /** The x2APIC physical broadcast destination. */
    private static final long ICR_BROADCAST = 0xFFFF_FFFFL;

    /** Guest instructions one {@code run} may retire before the loop re-checks kicks. */
    private static final long RUN_BUDGET = 1 << 20;

    final GuestObject guest;
    final int vpid;
    final Thread owner;
    final X86Cpu cpu;
    /** This VCPU's view of guest-physical memory (it reports pages the budget refused). */
    private final SimKernel.GuestBus bus;
    private final long[] pending = new long[4];
    private boolean kicked;
    /** Vectors injected from the pending set; written by the owner thread only. */
    private volatile long injected;
    private boolean destroyed;
    /** The guest-memory version the CPU's caches were last synchronised with. */
    private long memorySeen;
    /**
     * A BELL write whose packet could not be queued yet because a kick ended the wait for the
     * trap's packet pool; the next enter queues it before running guest code. -1: none.
     */
    private long pendingBell = -1;
    /** Why the run loop is about to fail enter (owner thread only); null: a generic reason. */
    private String failReason;
    /** The explanation of the last failed enter, for {@link SimKernel#lastVcpuFault(int)}. */
    private volatile VcpuFault lastFault;

    VcpuObject(SimKernel kernel, GuestObject guest, int vpid, Thread owner, X86Cpu cpu,
               SimKernel.GuestBus bus) {
        super(kernel);
        this.bus = bus;
        this.guest = guest;
        this.vpid = vpid;
        this.owner = owner;
        this.cpu = cpu;
        this.memorySeen = kernel.memoryVersion();
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

    /**
     * {@code zx_vcpu_kick}: ends {@code zx_vcpu_enter} wherever it is, running guest code,
     * halted, or blocked on a full BELL-trap packet pool; an enter that starts later returns at
     * once. The kernel lock is taken only after this object's monitor is released (the kernel
     * takes them in the other order when it forwards interrupts).
     */
    void kick() {
        synchronized (this) {
            kicked = true;
            notifyAll();
            cpu.requestStop();
        }
        kernel.lock.lock();
        try {
            guest.poolFreed.signalAll(); // a VCPU blocked on a full BELL pool re-checks
        } finally {
            kernel.lock.unlock();
        }
    }

    /** Consumes a pending kick; true if there was one. */
    private synchronized boolean takeKick() {
        boolean k = kicked;
        kicked = false;
        return k;
    }

    /** {@code zx_vcpu_interrupt}: vectors of 256 and more are dropped silently. */
    synchronized void interrupt(int vector) {
        if (vector >= 0 && vector < 256) {
            pending[vector >>> 6] |= 1L << vector;
        }
        notifyAll();
        cpu.requestStop();
    }

    @Override
    public void physicalInterrupt(int vector) {
        interrupt(vector);
    }

    /** Vectors injected into the guest from the pending set so far. */
    long interruptsInjected() {
        return injected;
    }

    /** Guest instructions this VCPU has retired. */
    long instructions() {
        return cpu.instructionsRetired();
    }

    // ---- the owner thread ------------------------------------------------------------------

    /** Why the last failed {@code zx_vcpu_enter} failed (kicks excluded), or null. */
    VcpuFault lastFault() {
        return lastFault;
    }

    /**
     * {@code zx_vcpu_enter}: returns a status, and fills {@code packet} (48 bytes) when an exit
     * needs the VMM. A failure (other than a kick) is explained in {@link #lastFault()}.
     */
    int enter(byte[] packet) throws InterruptedException {
        failReason = null;
        bus.noMemoryAt = -1;
        int status = runLoop(packet);
        if (status < 0 && status != ZX_ERR_CANCELED) {
            String reason = failReason != null ? failReason : switch (status) {
                case ZX_ERR_NOT_SUPPORTED -> "an exit the kernel cannot handle";
                default -> "the VCPU cannot continue";
            };
            lastFault = new VcpuFault(status, cpu.rip(), cpu.peekInstruction(), reason);
        }
        return status;
    }

    private int runLoop(byte[] packet) throws InterruptedException {
        while (true) {
            long memory = kernel.memoryVersion();
            if (memory != memorySeen) {
                // The host wrote guest memory or changed its layout: drop cached pages and code.
                memorySeen = memory;
                cpu.flushTlb();
                cpu.invalidateAllCode();
            }
            if (pendingBell != -1) {
                long addr = pendingBell;
                pendingBell = -1;
                int status = ring(addr);
                if (status != ZX_OK) {
                    return status;
                }
            }
            int vector;
            boolean blocked;
            synchronized (this) {
                if (kicked) {
                    kicked = false;
                    return ZX_ERR_CANCELED;
                }
                vector = takeDeliverable();
                blocked = vector < 0 && anyPending();
            }
            if (vector >= FIRST_INVALID && vector < FIRST_EXTERNAL) {
                failReason = "pending vector " + vector + " is reserved (21-31)";
                return ZX_ERR_NOT_SUPPORTED;
            }
            if (vector >= 0) {
                cpu.injectVector(vector);
                injected++;
            }
            // An external interrupt held off by IF or an STI shadow: exit when it can be taken.
            cpu.setInterruptWindowExiting(blocked);
            VcpuExit exit = cpu.run(RUN_BUDGET);
            if (exit instanceof VcpuExit.Stopped) {
                continue;
            } else if (exit instanceof VcpuExit.HaltExit) {
                synchronized (this) {
                    while (!kicked && !anyPending()) {
                        wait();
                    }
                }
            } else if (exit instanceof VcpuExit.ErrorExit e) {
                if (bus.noMemoryAt != -1) {
                    // A guest write needed a page the kernel memory budget could not hold.
                    failReason = "no memory to commit the page at guest-physical 0x"
                            + Long.toHexString(bus.noMemoryAt) + " (kernel memory budget)";
                    bus.noMemoryAt = -1;
                    return ZX_ERR_NO_MEMORY;
                }
                failReason = e.detail();
                return e.status();
            } else if (exit instanceof VcpuExit.IoExit io) {
                return ioExit(io, packet);
            } else if (exit instanceof VcpuExit.MemExit mem) {
                return memExit(mem, packet);
            } else if (exit instanceof VcpuExit.BellExit bell) {
                int status = ring(bell.addr());
                if (status != ZX_OK) {
                    return status;
                }
            } else if (exit instanceof VcpuExit.IcrWrite icr) {
                int status = ipi(icr.icr(), packet);
                if (status != ZX_OK) {
                    return status == ZX_ERR_NEXT ? ZX_OK : status;
                }
            } else if (exit instanceof VcpuExit.SelfIpi self) {
                interrupt(self.vector());
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
                if (v >= FIRST_EXTERNAL && !cpu.canTakeExternalInterrupt()) {
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

    private int ioExit(VcpuExit.IoExit io, byte[] packet) {
        GuestObject.Trap trap;
        kernel.lock.lock();
        try {
            trap = guest.findTrap(true, io.port());
        } finally {
            kernel.lock.unlock();
        }
        if (trap == null) {
            failReason = (io.input() ? "IN from" : "OUT to") + " IO port 0x"
                    + Integer.toHexString(io.port()) + ", which has no trap";
            return ZX_ERR_NOT_FOUND;
        }
        Arrays.fill(packet, (byte) 0);
        put64(packet, PACKET_KEY, trap.key);
        put32(packet, PACKET_TYPE, ZX_PKT_TYPE_GUEST_IO);
        put16(packet, PACKET_IO_PORT, io.port());
        put8(packet, PACKET_IO_ACCESS_SIZE, io.accessSize());
        put8(packet, PACKET_IO_INPUT, io.input() ? 1 : 0);
        if (!io.input()) {
            put32(packet, PACKET_IO_DATA, io.data());
        }
        return ZX_OK;
    }

    private int memExit(VcpuExit.MemExit mem, byte[] packet) {
        GuestObject.Trap trap;
        kernel.lock.lock();
        try {
            trap = guest.findTrap(false, mem.addr());
        } finally {
            kernel.lock.unlock();
        }
        if (trap == null || trap.kind != ZX_GUEST_TRAP_MEM) {
            failReason = "the MEM trap at 0x" + Long.toHexString(mem.addr())
                    + " went away while the instruction ran";
            return ZX_ERR_OUT_OF_RANGE; // the trap went away while the instruction ran
        }
        Arrays.fill(packet, (byte) 0);
        put64(packet, PACKET_KEY, trap.key);
        put32(packet, PACKET_TYPE, ZX_PKT_TYPE_GUEST_MEM);
        put64(packet, PACKET_MEM_ADDR, mem.addr());
        byte[] inst = mem.instruction();
        put8(packet, PACKET_MEM_INST_LEN, mem.instructionLength());
        System.arraycopy(inst, 0, packet, PACKET_MEM_INST_BUF,
                Math.min(inst.length, PACKET_MEM_INST_BUF_SIZE));
        put8(packet, PACKET_MEM_DEFAULT_OPERAND_SIZE, mem.defaultOperandSize());
        return ZX_OK;
    }

    /** A write to a BELL trap: queue a packet on the trap's port (the VCPU then goes on). */
    private int ring(long addr) throws InterruptedException {
        kernel.lock.lock();
        try {
            GuestObject.Trap trap = guest.findTrap(false, addr);
            if (trap == null || trap.kind != ZX_GUEST_TRAP_BELL) {
                failReason = "the BELL trap at 0x" + Long.toHexString(addr)
                        + " went away while the instruction ran";
                return ZX_ERR_OUT_OF_RANGE;
            }
            while (trap.inFlight >= GuestObject.BELL_POOL && trap.port.handleCount > 0) {
                // Zircon blocks here on the trap's packet semaphore, which only a thread kill
                // or suspend ends. zx4j lets a kick end it too, so a VMM can always stop its
                // VCPU: the write stays pending and is queued by the next enter, so no packet
                // is lost and the guest cannot tell.
                if (takeKick()) {
                    pendingBell = addr;
                    return ZX_ERR_CANCELED;
                }
                guest.poolFreed.await();
            }
            if (trap.port.handleCount == 0) {
                failReason = "the port of the BELL trap at 0x" + Long.toHexString(addr)
                        + " has no handles left";
                return ZX_ERR_BAD_STATE;
            }
            byte[] bell = new byte[PORT_PACKET_SIZE];
            put64(bell, PACKET_KEY, trap.key);
            put32(bell, PACKET_TYPE, ZX_PKT_TYPE_GUEST_BELL);
            put64(bell, PACKET_BELL_ADDR, addr);
            trap.inFlight++;
            trap.port.queueKernel(bell, trap);
            return ZX_OK;
        } finally {
            kernel.lock.unlock();
        }
    }

    /**
     * The kernel's handling of an x2APIC ICR write (late-V {@code handle_ipi}): logical
     * destination mode → NOT_SUPPORTED; FIXED and NMI become a GUEST_VCPU/INTERRUPT packet (NMI:
     * vector 2, never to itself); STARTUP a GUEST_VCPU/STARTUP packet; INIT is ignored; every
     * other delivery mode → NOT_SUPPORTED. Physical destination 0xFFFFFFFF is the broadcast,
     * other destinations of 64 and more reach nobody.
     *
     * @return ZX_ERR_NEXT when {@code packet} was filled for the VMM, ZX_OK to go on running, or
     *         the status {@code zx_vcpu_enter} fails with
     */
    private int ipi(long icr, byte[] packet) {
        int vector = (int) (icr & 0xFF);
        int mode = (int) ((icr >>> 8) & 0x7);
        boolean logical = (icr & ICR_LOGICAL) != 0;
        int shorthand = (int) ((icr >>> 18) & 0x3);
        long dest = icr >>> 32;
        long self = 1L << (vpid - 1);
        if (logical) {
            failReason = "IPI in logical destination mode (ICR 0x" + Long.toHexString(icr) + ")";
            return ZX_ERR_NOT_SUPPORTED;
        }
        Arrays.fill(packet, (byte) 0);
        put32(packet, PACKET_TYPE, ZX_PKT_TYPE_GUEST_VCPU);
        switch (mode) {
            case ICR_STARTUP:
                put64(packet, PACKET_VCPU_STARTUP_ID, dest);
                put64(packet, PACKET_VCPU_STARTUP_ENTRY, (long) vector << 12);
                put8(packet, PACKET_VCPU_TYPE, ZX_PKT_GUEST_VCPU_STARTUP);
                return ZX_ERR_NEXT;
            case ICR_FIXED:
            case ICR_NMI: {
                long mask = switch (shorthand) {
                    case 1 -> self;
                    case 2 -> -1L;
                    case 3 -> ~self;
                    default -> dest == ICR_BROADCAST ? -1L : dest < 64 ? 1L << dest : 0;
                };
                if (mode == ICR_NMI) {
                    vector = NMI;
                    mask &= ~self;
                }
                put64(packet, PACKET_VCPU_INTERRUPT_MASK, mask);
                put8(packet, PACKET_VCPU_INTERRUPT_VECTOR, vector);
                put8(packet, PACKET_VCPU_TYPE, ZX_PKT_GUEST_VCPU_INTERRUPT);
                return ZX_ERR_NEXT;
            }
            case ICR_INIT:
                return ZX_OK;
            default: // lowest priority, SMI, ExtINT, reserved
                failReason = "IPI delivery mode " + mode + " (ICR 0x" + Long.toHexString(icr)
                        + ")";
                return ZX_ERR_NOT_SUPPORTED;
        }
    }

    @Override
    void onZeroHandles() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        kernel.releaseVcpuThread(this);
        kernel.retireVcpu(this);
        guest.freeVpid(vpid);
        guest.vcpuGone();
    }
}
