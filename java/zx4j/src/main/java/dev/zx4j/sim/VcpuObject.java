package dev.zx4j.sim;

import static dev.zx4j.abi.Layouts.*;
import static dev.zx4j.abi.Zx.*;

import dev.zx4j.sim.x86.VcpuExit;
import dev.zx4j.sim.x86.X86Cpu;
import java.util.Arrays;

/**
 * A VCPU: bound for life to the thread that created it, with the kernel's per-VCPU hypervisor
 * state — the {@link InterruptTracker}, the {@link LocalApic} with its timer, the
 * {@link KvmClock}, the CPUID and MSR exit handlers — and the software x86-64 CPU that runs its
 * guest code.
 *
 * <p>{@link #enter(byte[])} is the kernel's enter loop ({@code Vcpu::EnterInternal} with
 * {@code NormalVcpu}'s pre-entry and exit handling, 2022): before every entry a pending kick
 * ends it with CANCELED, one vector is injected ({@link #maybeInterrupt}), kvmclock is refreshed;
 * then the CPU runs until an exit, and the exit's handler either re-enters, returns a packet, or
 * ends {@code zx_vcpu_enter} with its status.
 *
 * <p>The run loop does not hold the kernel lock while guest code runs; kicks and interrupts work
 * from any thread at any time.
 */
final class VcpuObject extends KernelObject implements InterruptObject.VcpuSink {
    private static final int NMI = 2;
    /** {@code X86_INT_VIRT}: the last exception vector the kernel knows; 21–31 are refused. */
    private static final int LAST_EXCEPTION = 20;
    private static final int FIRST_EXTERNAL = 32;

    /** Guest instructions one {@code run} may retire before the loop re-checks kicks. */
    private static final long RUN_BUDGET = 1 << 20;

    final GuestObject guest;
    final int vpid;
    final Thread owner;
    final X86Cpu cpu;
    /** This VCPU's view of guest-physical memory (it reports pages the budget refused). */
    private final SimKernel.GuestBus bus;
    final InterruptTracker tracker;
    final LocalApic apic;
    final KvmClock kvmClock;
    private final GuestCpuid cpuid;
    private final MsrExits msrs;
    private final Regs regs;
    private final SimClock clock;
    private volatile boolean kicked;
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
        this.clock = kernel.clock;
        this.tracker = new InterruptTracker(cpu::requestStop);
        this.apic = new LocalApic(vpid, clock, tracker);
        // pvclock is_stable: the host has an invariant TSC (CPUID 0x80000007:EDX[8]).
        int[] inv = new int[4];
        cpu.hostCpuid(0x8000_0007, 0, inv);
        this.kvmClock = new KvmClock((inv[3] & (1 << 8)) != 0);
        this.cpuid = new GuestCpuid(cpu::hostCpuid, vpid);
        this.msrs = new MsrExits(apic, kvmClock, tracker, guest);
        this.regs = new Regs();
        cpu.setCpuidExits(true);
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
        kicked = true;
        tracker.cancel();    // NormalVcpu::Kick cancels a HLT wait
        cpu.requestStop();
        kernel.lock.lock();
        try {
            guest.poolFreed.signalAll(); // a VCPU blocked on a full BELL pool re-checks
        } finally {
            kernel.lock.unlock();
        }
    }

    /** Consumes a pending kick; true if there was one. */
    private boolean takeKick() {
        boolean k = kicked;
        kicked = false;
        return k;
    }

    /** {@code zx_vcpu_interrupt}: vectors of 256 and more are dropped silently. */
    void interrupt(int vector) {
        tracker.interrupt(vector);
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
            if (takeKick()) {
                return ZX_ERR_CANCELED;
            }
            int status = maybeInterrupt();
            if (status != ZX_OK) {
                return status;
            }
            if (kvmClock.enabled()) {
                long now = clock.now();
                kvmClock.update(now, SimTsc.ticksAt(now));
            }
            status = handleExit(cpu.run(RUN_BUDGET), packet);
            if (status == ZX_ERR_NEXT) {
                return ZX_OK;
            }
            if (status == ZX_ERR_INTERNAL_INTR_RETRY) {
                // The syscall is restarted: the next round sees the kick, or re-enters the guest.
                continue;
            }
            if (status != ZX_OK) {
                return status;
            }
        }
    }

    /**
     * {@code local_apic_maybe_interrupt}: injects at most one pending vector. NMI first, else the
     * highest pending vector (so external interrupts go before the exceptions the kernel queued);
     * vectors 21–31 fail {@code zx_vcpu_enter} with NOT_SUPPORTED (consumed); a vector the guest
     * cannot take now (an external one with IF = 0 or in an STI/MOV-SS shadow) is put back and
     * interrupt-window exiting turned on — and nothing else is injected at this entry. After an
     * injection the pending exceptions (0–1, 3–20) are discarded.
     */
    private int maybeInterrupt() {
        int vector;
        if (tracker.tryPop(NMI)) {
            vector = NMI;
        } else {
            vector = tracker.pop();
            if (vector < 0) {
                return ZX_OK;
            }
        }
        if (vector > LAST_EXCEPTION && vector < FIRST_EXTERNAL) {
            failReason = "pending vector " + vector + " is reserved (21-31)";
            return ZX_ERR_NOT_SUPPORTED;
        }
        // The software CPU has no NMI blocking, so an NMI is never held back here.
        if (vector >= FIRST_EXTERNAL && !cpu.canTakeExternalInterrupt()) {
            tracker.track(vector);
            cpu.setInterruptWindowExiting(true);
            return ZX_OK;
        }
        cpu.injectVector(vector);
        injected++;
        tracker.clear(0, NMI);
        tracker.clear(NMI + 1, LAST_EXCEPTION + 1);
        return ZX_OK;
    }

    /** The kernel's exit handler for one exit: ZX_OK (re-enter), ZX_ERR_NEXT (packet) or a failure. */
    private int handleExit(VcpuExit exit, byte[] packet) throws InterruptedException {
        if (exit instanceof VcpuExit.Stopped stop) {
            if (stop.reason() == VcpuExit.StopReason.INTERRUPT_WINDOW) {
                cpu.setInterruptWindowExiting(false); // handle_interrupt_window
            }
            return ZX_OK;
        } else if (exit instanceof VcpuExit.HaltExit) {
            return waitForInterrupt();
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
            int status = ioExit(io, packet);
            return status == ZX_OK ? ZX_ERR_NEXT : status;
        } else if (exit instanceof VcpuExit.MemExit mem) {
            int status = memExit(mem, packet);
            return status == ZX_OK ? ZX_ERR_NEXT : status;
        } else if (exit instanceof VcpuExit.BellExit bell) {
            return ring(bell.addr());
        } else if (exit instanceof VcpuExit.Cpuid) {
            return cpuid.handle(regs);
        } else if (exit instanceof VcpuExit.Rdmsr r) {
            return msrs.read(regs);
        } else if (exit instanceof VcpuExit.Wrmsr w) {
            int status = msrs.write(regs, packet);
            if (status != ZX_OK && status != ZX_ERR_NEXT) {
                failReason = "WRMSR of MSR 0x" + Integer.toHexString(w.msr()) + " = 0x"
                        + Long.toHexString(w.value()) + ", which the kernel's handler refuses";
            }
            return status;
        }
        failReason = "an exit the kernel has no handler for: " + exit;
        return ZX_ERR_NOT_SUPPORTED;
    }

    /**
     * {@code handle_hlt}: RIP is already past the HLT; blocks until a vector is pending (whatever
     * IF says) or a kick cancels the wait ({@code ZX_ERR_INTERNAL_INTR_RETRY}). The VCPU's own
     * timer is fired by this thread when the wait reaches its deadline.
     */
    private int waitForInterrupt() throws InterruptedException {
        while (true) {
            int s = tracker.awaitSignal(apic.timer.realNanosUntilDue());
            if (s == ZX_ERR_TIMED_OUT) {
                apic.timer.fireIfDue();
                continue;
            }
            if (s != ZX_OK) {
                return s;
            }
            if (tracker.pending()) {
                return ZX_OK;
            }
        }
    }

    /** The exit handlers' view of this VCPU's registers ({@code GuestState} and the VMCS). */
    private final class Regs implements ExitState {
        @Override
        public long reg(int index) {
            return cpu.reg(index);
        }

        @Override
        public void setReg(int index, long value) {
            cpu.setReg(index, value);
        }

        @Override
        public void nextRip() {
            cpu.nextRip();
        }

        @Override
        public long xcr0() {
            return cpu.xcr0();
        }
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

    @Override
    void onZeroHandles() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        apic.close();
        kernel.timers.remove(apic.timer);
        kernel.releaseVcpuThread(this);
        kernel.retireVcpu(this);
        guest.freeVpid(vpid);
        guest.vcpuGone();
    }
}
