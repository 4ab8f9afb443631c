package dev.zx4j.sim;

import static dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_KOID;
import static dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_RELATED_KOID;
import static dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_RIGHTS;
import static dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_SIZE;
import static dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_TYPE;
import static dev.zx4j.abi.Layouts.PACKET_TYPE;
import static dev.zx4j.abi.Layouts.PORT_PACKET_SIZE;
import static dev.zx4j.abi.Layouts.put32;
import static dev.zx4j.abi.Layouts.put64;
import static dev.zx4j.abi.Layouts.valid;
import static dev.zx4j.abi.Layouts.VCPU_IO_ACCESS_SIZE;
import static dev.zx4j.abi.Layouts.VCPU_IO_DATA;
import static dev.zx4j.abi.Layouts.VCPU_IO_SIZE;
import static dev.zx4j.abi.Layouts.VCPU_STATE_SIZE;
import static dev.zx4j.abi.Layouts.i32;
import static dev.zx4j.abi.Layouts.u8;
import static dev.zx4j.abi.Zx.*;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.sim.x86.GuestPhysicalBus;
import dev.zx4j.sim.x86.X86Cpu;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * A pure-Java Zircon kernel: the raw syscall surface with the statuses, check order and
 * blocking behaviour of the real kernel of the modelled ABI era (see README, "ABI era").
 *
 * <p>Each syscall's rules live in its method here (argument and handle checks, in the kernel's
 * order) and in the object it operates on (state machines). One process is simulated: all
 * threads of the JVM share one handle table.
 *
 * <p><b>Locks.</b> There are three levels, always taken in this order and never the other way:
 * <ol>
 *   <li>the kernel lock ({@code lock}): changes of the handle table, object creation, signal
 *       states and their observers, timers, guests, VCPUs, VMOs and VMARs, and every syscall
 *       not named below;</li>
 *   <li>an interrupt object's own lock: its state machine, pending timestamp and bindings;</li>
 *   <li>a port's own lock: its packet queues and waiters. It is innermost: code holding it takes
 *       no other lock of this order and calls no other object (a dequeued packet's source is
 *       told after it is released).</li>
 * </ol>
 * At most one object lock of each level is held at a time (an interrupt with its bound port is
 * the only nesting of two objects). Handle lookups take no lock at all (see
 * {@link HandleTable}), so {@code zx_port_queue}, {@code zx_port_wait},
 * {@code zx_interrupt_trigger}, {@code zx_interrupt_ack} and {@code zx_interrupt_wait} run
 * without the kernel lock, and threads on different ports or interrupts do not contend. Each
 * syscall keeps the real kernel's check order: a call that looked a handle up just before the
 * handle's last close completes as if it came first, unless the object was already dead when it
 * got there, which is then {@code ZX_ERR_BAD_HANDLE} ({@code zx_port_queue}) or
 * {@code ZX_ERR_CANCELED} (the interrupt calls), as on Zircon. Blocking calls wait on the
 * condition of the object's own lock ({@code zx_port_wait}, {@code zx_interrupt_wait}) or of
 * the kernel lock (object waits, a full BELL-trap pool); a change of a manual clock wakes both.
 * Leaf locks outside this order (a VCPU's interrupt tracker, the set of ports with waiters, the
 * memory budget) are held only briefly and never around another lock.
 *
 * <p>Besides the syscalls, tests get the {@link #platform() platform} (resources, hardware
 * interrupt lines), the {@link #clock() clock}, {@linkplain #failNext fault injection} and the
 * list of {@linkplain #liveHandles() live handles}.
 *
 * <p>A Java thread interrupted while blocked in {@code zx_port_wait} or {@code zx_interrupt_wait}
 * returns {@code ZX_ERR_CANCELED} with its interrupt flag set again.
 */
public final class SimKernel implements Syscalls {

    private static final Set<String> SYSCALL_NAMES = Arrays.stream(Syscalls.class.getMethods())
            .map(Method::getName).collect(Collectors.toUnmodifiableSet());

    final ReentrantLock lock = new ReentrantLock();
    final SimClock clock;
    /** The live VCPUs' kernel timers (the local APIC timers). */
    final Set<KernelTimer> timers = ConcurrentHashMap.newKeySet();
    final SimPlatform platform;
    private final HandleTable handles = new HandleTable();
    /** Events, signals, waits, async waits and timers (see {@link SignalSyscalls}). */
    private final SignalSyscalls signalCalls;
    /**
     * Ports with a thread blocked in {@code zx_port_wait}, woken on every change of a manual
     * clock. Guarded by its own monitor, taken with nothing or only a port lock held.
     */
    private final Set<PortObject> waitingPorts = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Thread, VcpuObject> vcpuThreads = new WeakHashMap<>();
    /** The VCPUs not yet closed, in creation order, for {@link #vcpuStats()}. */
    private final List<VcpuObject> liveVcpus = new ArrayList<>();
    /** Final counters of the most recently closed VCPUs (at most {@link #CLOSED_STATS_KEPT}). */
    private final ArrayDeque<VcpuStats> closedVcpus = new ArrayDeque<>();
    /** Instructions retired by every VCPU closed so far. */
    private long closedInstructions;
    /** How many closed VCPUs {@link #vcpuStats()} still lists. */
    public static final int CLOSED_STATS_KEPT = 1024;
    /** Bumped whenever guest memory is remapped or written by the host. */
    private volatile long memoryVersion;
    private long nextKoid = 1024;
    private volatile boolean recordOrigins;
    private volatile boolean faultsArmed;
    private final Map<String, ConcurrentLinkedQueue<Integer>> faults = new ConcurrentHashMap<>();
    /** Kernel memory: VMO pages, VCPUs, ports; exhaustion is ZX_ERR_NO_MEMORY. */
    final MemoryBudget memory = new MemoryBudget();
    /** Rough Java heap cost of a VCPU (CPU state, TLBs, code caches as they start). */
    static final long VCPU_COST = 256 * 1024;
    /** Rough Java heap cost of a port and of a guest. */
    static final long PORT_COST = 1024, GUEST_COST = 4096;

    /**
     * Counters of one VCPU of this kernel, for VMM statistics (not part of the Zircon ABI).
     *
     * @param koid                the VCPU's koid (as {@code ZX_INFO_HANDLE_BASIC} reports it)
     * @param guestKoid           the koid of its guest
     * @param apicId              its local APIC ID (VPID − 1: 0 for the boot processor)
     * @param instructions        guest instructions it has retired
     * @param interruptsInjected  vectors the kernel injected into it from its pending set
     *                            ({@code zx_vcpu_interrupt}, lines bound with
     *                            {@code zx_interrupt_bind_vcpu}); several raises of a vector
     *                            before it could be taken count once, as on hardware
     */
    public record VcpuStats(long koid, long guestKoid, int apicId, long instructions,
                            long interruptsInjected) {}

    /**
     * The counters of every open VCPU of this kernel and of the last {@value #CLOSED_STATS_KEPT}
     * closed ones (their final counts), in creation order. The kernel keeps no closed VCPU
     * itself, only these numbers. Safe from any thread; the counts of a running VCPU are a
     * recent snapshot, read without stopping it.
     *
     * @return one entry per VCPU
     */
    public List<VcpuStats> vcpuStats() {
        lock.lock();
        try {
            List<VcpuStats> out = new ArrayList<>(closedVcpus.size() + liveVcpus.size());
            out.addAll(closedVcpus);
            for (VcpuObject v : liveVcpus) {
                out.add(stats(v));
            }
            out.sort(java.util.Comparator.comparingLong(VcpuStats::koid));
            return out;
        } finally {
            lock.unlock();
        }
    }

    private static VcpuStats stats(VcpuObject v) {
        return new VcpuStats(v.koid, v.guest.koid, v.vpid - 1, v.instructions(),
                v.interruptsInjected());
    }

    /**
     * Guest instructions retired by all VCPUs ever created on this kernel.
     *
     * @return the total, closed VCPUs included
     */
    public long guestInstructions() {
        lock.lock();
        try {
            long n = closedInstructions;
            for (VcpuObject v : liveVcpus) {
                n += v.instructions();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** A VCPU's last handle is gone: keep its final counters, not the VCPU. Under the lock. */
    void retireVcpu(VcpuObject vcpu) {
        if (liveVcpus.remove(vcpu)) {
            VcpuStats last = stats(vcpu);
            closedInstructions += last.instructions();
            closedVcpus.addLast(last);
            if (closedVcpus.size() > CLOSED_STATS_KEPT) {
                closedVcpus.removeFirst();
            }
        }
    }

    /** The translation threshold of VCPUs created from now on, or null for the CPU's default. */
    private volatile Integer translationThreshold;

    /**
     * Sets when the software VCPUs created from now on translate hot 64-bit guest code to JVM
     * bytecode (not part of the Zircon ABI). Without a call they use the system property
     * {@code zx4j.jit.threshold} (default 2,000 runs). Translation pays off for code that runs
     * long; a workload that mostly runs code few times (a kernel boot) is faster without it.
     *
     * @param runs runs of a block before it heads a translated unit; 0 translates every block
     *        when it is built; a negative value turns translation off
     */
    public void setTranslationThreshold(int runs) {
        translationThreshold = runs;
    }

    /** A kernel whose clock follows real time. */
    public SimKernel() {
        this(SimClock.system());
    }

    /**
     * A kernel whose monotonic clock (deadlines, timestamps) is {@code clock}.
     *
     * @param clock {@link SimClock#system()} or a {@link ManualClock}
     */
    public SimKernel(SimClock clock) {
        this.clock = clock;
        this.platform = new SimPlatform(this);
        clock.addListener(this::clockChanged);
        // Kernel timers on a manual clock fire when it passes their deadlines.
        clock.addListener(() -> timers.forEach(KernelTimer::fireIfDue));
        this.signalCalls = new SignalSyscalls(this, handles);
    }

    /** {@return the kernel's monotonic clock} */
    public SimClock clock() {
        return clock;
    }

    /** {@return the simulated machine: resources and hardware interrupt lines} */
    public SimPlatform platform() {
        return platform;
    }

    /**
     * Sets the kernel memory budget: the bytes that VMO pages (committed on first write), VMO
     * page tables, VCPUs, guests and ports may take together. An allocation past it fails its
     * syscall with {@code ZX_ERR_NO_MEMORY} ({@code zx_vmo_create}, {@code zx_vmo_write},
     * {@code zx_vcpu_create}, {@code zx_port_create}, {@code zx_guest_create}, and
     * {@code zx_vcpu_enter} when a guest write needs a new page). The default is half of the
     * JVM's maximum heap. Lowering it below what is in use fails only new allocations.
     *
     * @param bytes the budget, at least 0
     */
    public void setMemoryBudget(long bytes) {
        memory.setLimit(bytes);
    }

    /**
     * The kernel memory budget.
     *
     * @return the budget in bytes (see {@link #setMemoryBudget(long)})
     */
    public long memoryBudget() {
        return memory.limit();
    }

    /**
     * Kernel memory charged now: committed VMO pages and the objects of
     * {@link #setMemoryBudget(long)} that are still reachable.
     *
     * @return bytes charged
     */
    public long memoryCharged() {
        return memory.used();
    }

    /**
     * Makes every handle created from now on remember where it was created (for leak reports).
     *
     * @param on whether to record
     */
    public void recordHandleOrigins(boolean on) {
        recordOrigins = on;
    }

    /**
     * Fault injection: the next call of {@code syscall} (e.g. {@code "zx_port_wait"}) returns
     * {@code status} at once, without any effect. Several injections for one syscall apply in
     * order, one per call.
     *
     * @param syscall the C name of a syscall of {@link dev.zx4j.abi.Syscalls}
     * @param status  a negative status
     * @throws IllegalArgumentException for an unknown syscall or a status that is not an error
     */
    public void failNext(String syscall, int status) {
        if (!SYSCALL_NAMES.contains(syscall)) {
            throw new IllegalArgumentException("no syscall named " + syscall);
        }
        if (status >= 0) {
            throw new IllegalArgumentException("an injected status must be an error: " + status);
        }
        faults.computeIfAbsent(syscall, k -> new ConcurrentLinkedQueue<>()).add(status);
        faultsArmed = true;
    }

    /** {@return every handle currently open, in table order} */
    public List<LiveHandle> liveHandles() {
        lock.lock();
        try {
            List<LiveHandle> out = new ArrayList<>();
            for (HandleTable.Handle h : handles.snapshot()) {
                out.add(new LiveHandle(h.value, h.object.type(), h.rights, h.object.koid, h.origin));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    // ---- internals shared with objects --------------------------------------------------

    long nextKoid() {
        return nextKoid++;
    }

    HandleTable.Handle addHandle(KernelObject object, int rights) throws SysErr {
        Throwable origin = recordOrigins ? new Throwable("handle created here") : null;
        return handles.add(object, rights, origin);
    }

    private void removeHandle(HandleTable.Handle h) {
        signalCalls.handleClosing(h);
        KernelObject last = handles.remove(h);
        if (last != null) {
            last.onZeroHandles();
        }
    }

    /** {@link #publish} as a function, for the syscall bodies kept outside this class. */
    @FunctionalInterface
    interface Publisher {
        int publish(KernelObject object, int rights, int[] out) throws SysErr;
    }

    /** Publishes a new object's handle through a one-element out array, or fails cleanly. */
    private int publish(KernelObject object, int rights, int[] out) throws SysErr {
        if (!valid(out)) {
            object.onZeroHandles();
            throw new SysErr(ZX_ERR_INVALID_ARGS);
        }
        out[0] = addHandle(object, rights).value;
        return ZX_OK;
    }

    private int injected(String syscall) {
        if (!faultsArmed) {
            return ZX_OK;
        }
        ConcurrentLinkedQueue<Integer> q = faults.get(syscall);
        Integer status = q == null ? null : q.poll();
        return status == null ? ZX_OK : status;
    }

    private void clockChanged() {
        PortObject[] ports;
        synchronized (waitingPorts) {
            ports = waitingPorts.toArray(new PortObject[0]);
        }
        for (PortObject p : ports) {
            p.wakeAll();
        }
    }

    /** A first thread blocks on {@code port}: a clock change must wake it from now on. */
    void portWaitStarted(PortObject port) {
        synchronized (waitingPorts) {
            waitingPorts.add(port);
        }
    }

    /** The last thread blocked on {@code port} stopped waiting. */
    void portWaitEnded(PortObject port) {
        synchronized (waitingPorts) {
            waitingPorts.remove(port);
        }
    }

    /** A syscall's body: runs under the kernel lock; a failure is thrown as {@link SysErr}. */
    @FunctionalInterface
    private interface Body {
        int run() throws SysErr, InterruptedException;
    }

    /**
     * The frame every syscall shares: an injected fault first (no effect at all), then the body
     * under the kernel lock; a thrown {@link SysErr} becomes its status, a Java interrupt of a
     * blocked call {@code ZX_ERR_CANCELED}.
     */
    private int syscall(String name, Body body) {
        return unlockedSyscall(name, () -> {
            lock.lock();
            try {
                return body.run();
            } finally {
                lock.unlock();
            }
        });
    }

    /** The same frame for a syscall that takes the kernel lock only where it needs it. */
    private int unlockedSyscall(String name, Body body) {
        int f = injected(name);
        if (f != ZX_OK) {
            return f;
        }
        try {
            return body.run();
        } catch (SysErr e) {
            return e.status;
        } catch (InterruptedException e) {
            return interrupted();
        } catch (OutOfMemoryError e) {
            // The budget should fail an allocation first; if the heap runs out anyway, the
            // caller still gets the kernel's answer, never the JVM's.
            return ZX_ERR_NO_MEMORY;
        }
    }

    @FunctionalInterface
    private interface Lookup<T> {
        T get() throws SysErr;
    }

    private <T> T locked(Lookup<T> lookup) throws SysErr {
        lock.lock();
        try {
            return lookup.get();
        } finally {
            lock.unlock();
        }
    }

    private static int interrupted() {
        Thread.currentThread().interrupt();
        return ZX_ERR_CANCELED;
    }

    // ---- handle ----------------------------------------------------------------------------

    @Override
    public int zx_handle_close(int handle) {
        return syscall("zx_handle_close", () -> {
            if (handle == ZX_HANDLE_INVALID) {
                return ZX_OK;
            }
            removeHandle(handles.lookup(handle));
            return ZX_OK;
        });
    }

    @Override
    public int zx_handle_duplicate(int handle, int rights, int[] out) {
        return syscall("zx_handle_duplicate", () -> {
            HandleTable.Handle h = handles.lookup(handle);
            if ((h.rights & ZX_RIGHT_DUPLICATE) == 0) {
                throw new SysErr(ZX_ERR_ACCESS_DENIED);
            }
            int newRights = rights == ZX_RIGHT_SAME_RIGHTS ? h.rights : rights;
            if ((newRights & ~h.rights) != 0) {
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            if (!valid(out)) {
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            out[0] = addHandle(h.object, newRights).value;
            return ZX_OK;
        });
    }

    @Override
    public int zx_handle_replace(int handle, int rights, int[] out) {
        return syscall("zx_handle_replace", () -> {
            HandleTable.Handle h = handles.lookup(handle);
            int newRights = rights == ZX_RIGHT_SAME_RIGHTS ? h.rights : rights;
            if ((newRights & ~h.rights) != 0) {
                removeHandle(h); // the source handle is closed even on failure
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            // Add the new handle before removing the old one so the object never sees zero.
            HandleTable.Handle replacement = addHandle(h.object, newRights);
            removeHandle(h);
            copyOutReplacement(out, replacement);
            return ZX_OK;
        });
    }

    // ---- object ----------------------------------------------------------------------------

    @Override
    public int zx_object_get_info(int handle, int topic, byte[] buffer, long bufferSize,
                                  long[] actual, long[] avail) {
        return syscall("zx_object_get_info", () -> {
            switch (topic) {
                case ZX_INFO_HANDLE_VALID:
                    handles.lookup(handle);
                    return ZX_OK;
                case ZX_INFO_HANDLE_BASIC: {
                    HandleTable.Handle h = handles.lookup(handle);
                    long records = 0;
                    if (bufferSize >= INFO_HANDLE_BASIC_SIZE) {
                        if (!valid(buffer, INFO_HANDLE_BASIC_SIZE)) {
                            throw new SysErr(ZX_ERR_INVALID_ARGS);
                        }
                        Arrays.fill(buffer, 0, INFO_HANDLE_BASIC_SIZE, (byte) 0);
                        put64(buffer, INFO_HANDLE_BASIC_KOID, h.object.koid);
                        put32(buffer, INFO_HANDLE_BASIC_RIGHTS, h.rights);
                        put32(buffer, INFO_HANDLE_BASIC_TYPE, h.object.type());
                        put64(buffer, INFO_HANDLE_BASIC_RELATED_KOID, h.object.relatedKoid());
                        records = 1;
                    }
                    copyOutOptional(actual, records);
                    copyOutOptional(avail, 1);
                    return records == 0 ? ZX_ERR_BUFFER_TOO_SMALL : ZX_OK;
                }
                case ZX_INFO_TIMER:
                    return signalCalls.infoTimer(handle, buffer, bufferSize, actual, avail);
                default:
                    return ZX_ERR_NOT_SUPPORTED;
            }
        });
    }

    // ---- events, signals, waits, timers (bodies in SignalSyscalls) -------------------------

    @Override
    public int zx_event_create(int options, int[] out) {
        return syscall("zx_event_create", () -> signalCalls.eventCreate(options, out, this::publish));
    }

    @Override
    public int zx_object_signal(int handle, int clearMask, int setMask) {
        return syscall("zx_object_signal", () -> signalCalls.objectSignal(handle, clearMask, setMask));
    }

    @Override
    public int zx_object_wait_one(int handle, int signals, long deadline, int[] observed) {
        return syscall("zx_object_wait_one",
                () -> signalCalls.waitOne(handle, signals, deadline, observed));
    }

    @Override
    public int zx_object_wait_many(byte[] items, long count, long deadline) {
        return syscall("zx_object_wait_many", () -> signalCalls.waitMany(items, count, deadline));
    }

    @Override
    public int zx_object_wait_async(int handle, int port, long key, int signals, int options) {
        return syscall("zx_object_wait_async",
                () -> signalCalls.waitAsync(handle, port, key, signals, options));
    }

    @Override
    public int zx_timer_create(int options, int clockId, int[] out) {
        return syscall("zx_timer_create",
                () -> signalCalls.timerCreate(options, clockId, out, this::publish));
    }

    @Override
    public int zx_timer_set(int handle, long deadline, long slack) {
        return syscall("zx_timer_set", () -> signalCalls.timerSet(handle, deadline, slack));
    }

    @Override
    public int zx_timer_cancel(int handle) {
        return syscall("zx_timer_cancel", () -> signalCalls.timerCancel(handle));
    }

    /**
     * Copies a replacement handle out; if the out pointer faults, the replacement is closed (the
     * source is already gone) and the call fails with INVALID_ARGS.
     */
    private void copyOutReplacement(int[] out, HandleTable.Handle replacement) throws SysErr {
        if (!valid(out)) {
            removeHandle(replacement);
            throw new SysErr(ZX_ERR_INVALID_ARGS);
        }
        out[0] = replacement.value;
    }

    /** Copies to an optional (nullable) out pointer; a non-null but unusable one faults. */
    private static void copyOutOptional(long[] out, long value) throws SysErr {
        if (out == null) {
            return;
        }
        if (!valid(out)) {
            throw new SysErr(ZX_ERR_INVALID_ARGS);
        }
        out[0] = value;
    }

    // ---- clock -----------------------------------------------------------------------------

    @Override
    public long zx_clock_get_monotonic() {
        return clock.now();
    }

    // ---- port ------------------------------------------------------------------------------

    @Override
    public int zx_port_create(int options, int[] out) {
        return syscall("zx_port_create", () -> {
            if (options != 0 && options != ZX_PORT_BIND_TO_INTERRUPT) {
                return ZX_ERR_INVALID_ARGS;
            }
            PortObject port = new PortObject(this, options);
            if (!memory.open(port).charge(PORT_COST)) {
                return ZX_ERR_NO_MEMORY;
            }
            return publish(port, ZX_DEFAULT_PORT_RIGHTS, out);
        });
    }

    @Override
    public int zx_port_queue(int handle, byte[] packet) {
        // Without the kernel lock: a lock-free handle lookup, then the port's own lock.
        return unlockedSyscall("zx_port_queue", () -> {
            PortObject port = handles.lookup(handle, PortObject.class, ZX_RIGHT_WRITE);
            if (!valid(packet, PORT_PACKET_SIZE)) {
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            byte[] copy = Arrays.copyOf(packet, PORT_PACKET_SIZE);
            put32(copy, PACKET_TYPE, ZX_PKT_TYPE_USER);
            port.queueUser(copy); // BAD_HANDLE if its last handle closed meanwhile, SHOULD_WAIT
            return ZX_OK;
        });
    }

    @Override
    public int zx_port_wait(int handle, long deadline, byte[] packet) {
        // Without the kernel lock: blocks on the port's own condition.
        return unlockedSyscall("zx_port_wait", () -> {
            PortObject port = handles.lookup(handle, PortObject.class, ZX_RIGHT_READ);
            PortObject.Taken taken = port.take(deadline);
            if (taken == null) {
                return ZX_ERR_TIMED_OUT;
            }
            if (taken.source() != null) {
                lock.lock(); // a guest trap's packet pool is guarded by the kernel lock
                try {
                    taken.source().released();
                } finally {
                    lock.unlock();
                }
            }
            if (!valid(packet, PORT_PACKET_SIZE)) {
                return ZX_ERR_INVALID_ARGS; // the packet was dequeued and is lost, as on Zircon
            }
            System.arraycopy(taken.bytes(), 0, packet, 0, PORT_PACKET_SIZE);
            return ZX_OK;
        });
    }

    @Override
    public int zx_port_cancel(int handle, int source, long key) {
        return syscall("zx_port_cancel", () -> {
            PortObject port = handles.lookup(handle, PortObject.class, ZX_RIGHT_WRITE);
            HandleTable.Handle src = handles.lookup(source);
            if ((src.rights & ZX_RIGHT_WAIT) == 0) {
                throw new SysErr(ZX_ERR_ACCESS_DENIED);
            }
            if (!src.object.waitable()) {
                throw new SysErr(ZX_ERR_NOT_SUPPORTED);
            }
            return signalCalls.portCancel(port, src, key);
        });
    }

    // ---- interrupt -------------------------------------------------------------------------

    @Override
    public int zx_interrupt_create(int srcObj, int srcNum, int options, int[] outHandle) {
        return syscall("zx_interrupt_create", () -> {
            long vector = Integer.toUnsignedLong(srcNum);
            if ((options & ZX_INTERRUPT_VIRTUAL) == 0) {
                handles.lookup(srcObj, ResourceObject.class, ZX_RIGHT_NONE)
                        .validate(ZX_RSRC_KIND_IRQ, vector, 1);
            }
            InterruptObject irq;
            if ((options & ZX_INTERRUPT_VIRTUAL) != 0) {
                if (options != ZX_INTERRUPT_VIRTUAL) {
                    throw new SysErr(ZX_ERR_INVALID_ARGS);
                }
                irq = new InterruptObject(this, true, -1);
            } else {
                if ((options & ~(ZX_INTERRUPT_REMAP_IRQ | ZX_INTERRUPT_MODE_MASK)) != 0
                        || vector >= SimPlatform.IRQ_VECTORS
                        || (options & ZX_INTERRUPT_MODE_MASK) > ZX_INTERRUPT_MODE_EDGE_BOTH) {
                    throw new SysErr(ZX_ERR_INVALID_ARGS);
                }
                irq = new InterruptObject(this, false, (int) vector);
                platform.register(irq);
            }
            return publish(irq, ZX_DEFAULT_INTERRUPT_RIGHTS, outHandle);
        });
    }

    @Override
    public int zx_interrupt_bind(int handle, int portHandle, long key, int options) {
        return syscall("zx_interrupt_bind", () -> {
            if (options != ZX_INTERRUPT_BIND && options != ZX_INTERRUPT_UNBIND) {
                return ZX_ERR_INVALID_ARGS;
            }
            InterruptObject irq = handles.lookup(handle, InterruptObject.class, ZX_RIGHT_READ);
            PortObject port = handles.lookup(portHandle, PortObject.class, ZX_RIGHT_WRITE);
            if (!port.canBindToInterrupt()) {
                throw new SysErr(ZX_ERR_WRONG_TYPE);
            }
            if (options == ZX_INTERRUPT_BIND) {
                irq.bind(port, key);
            } else {
                irq.unbind(port);
            }
            return ZX_OK;
        });
    }

    @Override
    public int zx_interrupt_bind_vcpu(int handle, int vcpu, int options) {
        return syscall("zx_interrupt_bind_vcpu", () -> {
            // The kernel of this era never looks at options.
            InterruptObject irq = handles.lookup(handle, InterruptObject.class, ZX_RIGHT_READ);
            InterruptObject.VcpuSink target =
                    handles.lookup(vcpu, InterruptObject.VcpuSink.class, ZX_RIGHT_WRITE);
            irq.bindVcpu(target);
            return ZX_OK;
        });
    }

    @Override
    public int zx_interrupt_ack(int handle) {
        // Without the kernel lock: the interrupt's own lock (and its port's).
        return unlockedSyscall("zx_interrupt_ack", () -> {
            handles.lookup(handle, InterruptObject.class, ZX_RIGHT_WRITE).ack();
            return ZX_OK;
        });
    }

    @Override
    public int zx_interrupt_trigger(int handle, int options, long timestamp) {
        // Without the kernel lock: the interrupt's own lock (and its port's).
        return unlockedSyscall("zx_interrupt_trigger", () -> {
            if (options != 0) {
                return ZX_ERR_INVALID_ARGS;
            }
            handles.lookup(handle, InterruptObject.class, ZX_RIGHT_SIGNAL).trigger(timestamp);
            return ZX_OK;
        });
    }

    @Override
    public int zx_interrupt_wait(int handle, long[] outTimestamp) {
        // Without the kernel lock: the interrupt's own lock (and its port's).
        return unlockedSyscall("zx_interrupt_wait", () -> {
            long ts = handles.lookup(handle, InterruptObject.class, ZX_RIGHT_WAIT).await();
            copyOutOptional(outTimestamp, ts);
            return ZX_OK;
        });
    }

    @Override
    public int zx_interrupt_destroy(int handle) {
        return syscall("zx_interrupt_destroy", () -> {
            // The kernel checks the type only: no right is needed to destroy.
            return handles.lookup(handle, InterruptObject.class, ZX_RIGHT_NONE).destroy();
        });
    }

    // ---- vmo ------------------------------------------------------------------------------

    @Override
    public int zx_vmo_create(long size, int options, int[] out) {
        return syscall("zx_vmo_create", () -> {
            if ((options & ~ZX_VMO_RESIZABLE) != 0) {
                return ZX_ERR_INVALID_ARGS;
            }
            long rounded = (size + VmoObject.PAGE - 1) & -VmoObject.PAGE;
            if (Long.compareUnsigned(size, rounded) > 0) {
                return ZX_ERR_OUT_OF_RANGE; // rounding up overflowed
            }
            if (Long.compareUnsigned(rounded, VmoObject.MAX_SIZE) > 0) {
                return ZX_ERR_OUT_OF_RANGE;
            }
            return publish(VmoObject.create(this, rounded), ZX_DEFAULT_VMO_RIGHTS, out);
        });
    }

    @Override
    public int zx_vmo_read(int handle, byte[] buffer, long offset, long bufferSize) {
        return syscall("zx_vmo_read", () -> {
            VmoObject vmo = handles.lookup(handle, VmoObject.class, ZX_RIGHT_READ);
            checkVmoRange(vmo, offset, bufferSize);
            if (!valid(buffer, bufferSize)) {
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            vmo.read(offset, buffer, 0, (int) bufferSize);
            return ZX_OK;
        });
    }

    @Override
    public int zx_vmo_write(int handle, byte[] buffer, long offset, long bufferSize) {
        return syscall("zx_vmo_write", () -> {
            VmoObject vmo = handles.lookup(handle, VmoObject.class, ZX_RIGHT_WRITE);
            checkVmoRange(vmo, offset, bufferSize);
            if (!valid(buffer, bufferSize)) {
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            try {
                vmo.write(offset, buffer, 0, (int) bufferSize); // NO_MEMORY past the budget
            } finally {
                memoryVersion++;
            }
            return ZX_OK;
        });
    }

    private static void checkVmoRange(VmoObject vmo, long offset, long len) throws SysErr {
        long end = offset + len;
        if (Long.compareUnsigned(end, offset) < 0 || Long.compareUnsigned(end, vmo.size) > 0
                || len > Integer.MAX_VALUE) {
            throw new SysErr(ZX_ERR_OUT_OF_RANGE);
        }
    }

    @Override
    public int zx_vmo_get_size(int handle, long[] size) {
        return syscall("zx_vmo_get_size", () -> {
            VmoObject vmo = handles.lookup(handle, VmoObject.class, ZX_RIGHT_NONE);
            if (!valid(size)) {
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            size[0] = vmo.size;
            return ZX_OK;
        });
    }

    @Override
    public int zx_vmo_replace_as_executable(int handle, int vmex, int[] out) {
        return syscall("zx_vmo_replace_as_executable", () -> {
            // The vmex check runs first but its failure is reported only after the source handle
            // has been looked up: from then on the source is consumed whatever happens.
            int vmexStatus = ZX_OK;
            try {
                handles.lookup(vmex, ResourceObject.class, ZX_RIGHT_NONE)
                        .validate(ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_VMEX_BASE, 1);
            } catch (SysErr e) {
                vmexStatus = e.status;
            }
            HandleTable.Handle h = handles.lookup(handle);
            HandleTable.Handle replacement = null;
            try {
                if (vmexStatus != ZX_OK) {
                    throw new SysErr(vmexStatus);
                }
                if (!(h.object instanceof VmoObject)) {
                    throw new SysErr(ZX_ERR_WRONG_TYPE);
                }
                replacement = addHandle(h.object, h.rights | ZX_RIGHT_EXECUTE);
            } finally {
                removeHandle(h);
            }
            copyOutReplacement(out, replacement);
            return ZX_OK;
        });
    }

    // ---- vmar ------------------------------------------------------------------------------

    @Override
    public int zx_vmar_map(int handle, int options, long vmarOffset, int vmo, long vmoOffset,
                           long len, long[] mappedAddr) {
        return syscall("zx_vmar_map", () -> {
            HandleTable.Handle vh = handles.lookup(handle);
            if (!(vh.object instanceof VmarObject vmar)) {
                throw new SysErr(ZX_ERR_WRONG_TYPE);
            }
            HandleTable.Handle oh = handles.lookup(vmo);
            if (!(oh.object instanceof VmoObject memory)) {
                throw new SysErr(ZX_ERR_WRONG_TYPE);
            }
            if ((oh.rights & ZX_RIGHT_MAP) == 0) {
                throw new SysErr(ZX_ERR_ACCESS_DENIED);
            }
            int perms = options & (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE);
            if ((perms & ZX_VM_PERM_WRITE) != 0 && (perms & ZX_VM_PERM_READ) == 0) {
                throw new SysErr(ZX_ERR_INVALID_ARGS); // write without read is not a protection
            }
            if ((options & ~(perms | ZX_VM_SPECIFIC)) != 0) {
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            int both = vh.rights & oh.rights;
            if (((perms & ZX_VM_PERM_READ) != 0 && (both & ZX_RIGHT_READ) == 0)
                    || ((perms & ZX_VM_PERM_WRITE) != 0 && (both & ZX_RIGHT_WRITE) == 0)
                    || ((perms & ZX_VM_PERM_EXECUTE) != 0 && (both & ZX_RIGHT_EXECUTE) == 0)) {
                throw new SysErr(ZX_ERR_ACCESS_DENIED);
            }
            long base = vmar.map((options & ZX_VM_SPECIFIC) != 0, vmarOffset, memory, vmoOffset,
                    len, perms);
            memoryVersion++;
            if (!valid(mappedAddr)) {
                vmar.unmap(base, len);
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            mappedAddr[0] = base;
            return ZX_OK;
        });
    }

    @Override
    public int zx_vmar_unmap(int handle, long addr, long len) {
        return syscall("zx_vmar_unmap", () -> {
            handles.lookup(handle, VmarObject.class, ZX_RIGHT_NONE).unmap(addr, len);
            memoryVersion++;
            return ZX_OK;
        });
    }

    // ---- guest -----------------------------------------------------------------------------

    @Override
    public int zx_guest_create(int resource, int options, int[] guestHandle, int[] vmarHandle) {
        return syscall("zx_guest_create", () -> {
            if (options != 0) {
                return ZX_ERR_INVALID_ARGS; // this era checks options before the resource
            }
            handles.lookup(resource, ResourceObject.class, ZX_RIGHT_NONE)
                    .validate(ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_HYPERVISOR_BASE, 1);
            GuestObject guest = new GuestObject(this);
            if (!memory.open(guest).charge(GUEST_COST)) {
                return ZX_ERR_NO_MEMORY;
            }
            if (!valid(guestHandle) || !valid(vmarHandle)) {
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            guestHandle[0] = addHandle(guest, ZX_DEFAULT_GUEST_RIGHTS).value;
            vmarHandle[0] = addHandle(guest.vmar, GUEST_VMAR_RIGHTS).value;
            return ZX_OK;
        });
    }

    /** Rights of the guest-physical VMAR handle: default VMAR rights plus READ|WRITE|EXECUTE. */
    static final int GUEST_VMAR_RIGHTS =
            ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE;

    @Override
    public int zx_guest_set_trap(int handle, int kind, long addr, long size, int portHandle,
                                 long key) {
        return syscall("zx_guest_set_trap", () -> {
            GuestObject guest = handles.lookup(handle, GuestObject.class, ZX_RIGHT_WRITE);
            PortObject port = portHandle == ZX_HANDLE_INVALID ? null
                    : handles.lookup(portHandle, PortObject.class, ZX_RIGHT_WRITE);
            switch (kind) {
                case ZX_GUEST_TRAP_MEM:
                    if (port != null) throw new SysErr(ZX_ERR_INVALID_ARGS);
                    break;
                case ZX_GUEST_TRAP_BELL:
                    if (port == null) throw new SysErr(ZX_ERR_INVALID_ARGS);
                    break;
                case ZX_GUEST_TRAP_IO:
                    if (port != null) throw new SysErr(ZX_ERR_INVALID_ARGS);
                    guest.insertTrap(kind, addr, size, null, key);
                    return ZX_OK;
                default:
                    throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            if (addr % VmoObject.PAGE != 0 || size % VmoObject.PAGE != 0) {
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            guest.vmar.unmap(addr, size);
            memoryVersion++;
            guest.insertTrap(kind, addr, size, port, key);
            return ZX_OK;
        });
    }

    // ---- vcpu ------------------------------------------------------------------------------

    @Override
    public int zx_vcpu_create(int guest, int options, long entry, int[] out) {
        return syscall("zx_vcpu_create", () -> {
            if (options != 0) {
                return ZX_ERR_INVALID_ARGS;
            }
            GuestObject g = handles.lookup(guest, GuestObject.class, ZX_RIGHT_MANAGE_PROCESS);
            if (Long.compareUnsigned(entry, GuestObject.PHYS_SIZE) >= 0) {
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            int vpid = g.allocVpid();
            Thread self = Thread.currentThread();
            if (vcpuThreads.containsKey(self)) {
                g.freeVpid(vpid);
                throw new SysErr(ZX_ERR_BAD_STATE);
            }
            GuestBus bus = new GuestBus(g);
            X86Cpu cpu;
            try {
                cpu = vpid == 1 ? X86Cpu.newBootProcessor(bus, entry)
                        : X86Cpu.newApplicationProcessor(bus, entry, vpid - 1);
            } catch (OutOfMemoryError e) {
                g.freeVpid(vpid);
                throw new SysErr(ZX_ERR_NO_MEMORY);
            }
            cpu.setTimeStampCounter(() -> SimTsc.ticksAt(clock.now()));
            Integer threshold = translationThreshold;
            if (threshold != null) {
                cpu.setTranslationThreshold(threshold);
            }
            VcpuObject vcpu = new VcpuObject(this, g, vpid, self, cpu, bus);
            if (!memory.open(vcpu).charge(VCPU_COST)) {
                g.freeVpid(vpid);
                throw new SysErr(ZX_ERR_NO_MEMORY);
            }
            timers.add(vcpu.apic.timer); // a manual clock fires it from now on
            vcpuThreads.put(self, vcpu);
            liveVcpus.add(vcpu);
            g.liveVcpus++;
            return publish(vcpu, ZX_DEFAULT_VCPU_RIGHTS, out);
        });
    }

    void releaseVcpuThread(VcpuObject vcpu) {
        vcpuThreads.remove(vcpu.owner, vcpu);
    }

    /** Looks a VCPU up and checks that the caller is its thread (after the handle checks). */
    private VcpuObject ownVcpu(int handle, int rights) throws SysErr {
        VcpuObject vcpu = handles.lookup(handle, VcpuObject.class, rights);
        if (vcpu.owner != Thread.currentThread()) {
            throw new SysErr(ZX_ERR_BAD_STATE);
        }
        return vcpu;
    }

    @Override
    public int zx_vcpu_enter(int handle, byte[] packet) {
        // Guest code runs without the kernel lock, so other threads can kick and interrupt.
        return unlockedSyscall("zx_vcpu_enter", () -> {
            VcpuObject vcpu = locked(() -> ownVcpu(handle, ZX_RIGHT_EXECUTE));
            byte[] exit = new byte[PORT_PACKET_SIZE];
            int status = vcpu.enter(exit);
            if (status == ZX_OK) {
                if (!valid(packet, PORT_PACKET_SIZE)) {
                    return ZX_ERR_INVALID_ARGS; // the exit is consumed, as on Zircon
                }
                System.arraycopy(exit, 0, packet, 0, PORT_PACKET_SIZE);
            }
            return status;
        });
    }

    /**
     * Why the last failed {@code zx_vcpu_enter} of the VCPU {@code handle} failed: status, RIP,
     * instruction bytes and reason (not part of the Zircon ABI, which reports only the status).
     *
     * @param handle a handle to a VCPU of this kernel
     * @return the explanation, or empty when the handle is not an open VCPU handle or its enter
     *         has not failed yet (a kick is not a failure)
     */
    public Optional<VcpuFault> lastVcpuFault(int handle) {
        lock.lock();
        try {
            return Optional.ofNullable(handles.lookup(handle, VcpuObject.class, ZX_RIGHT_NONE)
                    .lastFault());
        } catch (SysErr e) {
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int zx_vcpu_kick(int handle) {
        return unlockedSyscall("zx_vcpu_kick", () -> {
            locked(() -> handles.lookup(handle, VcpuObject.class, ZX_RIGHT_EXECUTE)).kick();
            return ZX_OK;
        });
    }

    @Override
    public int zx_vcpu_interrupt(int handle, int vector) {
        return unlockedSyscall("zx_vcpu_interrupt", () -> {
            // A vector of 256 or more is dropped, and the call still succeeds.
            locked(() -> handles.lookup(handle, VcpuObject.class, ZX_RIGHT_SIGNAL)).interrupt(vector);
            return ZX_OK;
        });
    }

    @Override
    public int zx_vcpu_read_state(int handle, int kind, byte[] buffer, long bufferSize) {
        return syscall("zx_vcpu_read_state", () -> {
            VcpuObject vcpu = handles.lookup(handle, VcpuObject.class, ZX_RIGHT_READ);
            if (kind != ZX_VCPU_STATE || bufferSize != VCPU_STATE_SIZE) {
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            if (vcpu.owner != Thread.currentThread()) {
                throw new SysErr(ZX_ERR_BAD_STATE);
            }
            byte[] state = new byte[VCPU_STATE_SIZE];
            vcpu.cpu.readState(state);
            if (!valid(buffer, VCPU_STATE_SIZE)) {
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            System.arraycopy(state, 0, buffer, 0, VCPU_STATE_SIZE);
            return ZX_OK;
        });
    }

    @Override
    public int zx_vcpu_write_state(int handle, int kind, byte[] buffer, long bufferSize) {
        return syscall("zx_vcpu_write_state", () -> {
            VcpuObject vcpu = handles.lookup(handle, VcpuObject.class, ZX_RIGHT_WRITE);
            int size;
            if (kind == ZX_VCPU_STATE) {
                size = VCPU_STATE_SIZE;
            } else if (kind == ZX_VCPU_IO) {
                size = VCPU_IO_SIZE;
            } else {
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            if (bufferSize != size || !valid(buffer, size)) {
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            if (vcpu.owner != Thread.currentThread()) {
                throw new SysErr(ZX_ERR_BAD_STATE);
            }
            if (kind == ZX_VCPU_STATE) {
                vcpu.cpu.writeState(Arrays.copyOf(buffer, size));
            } else {
                int accessSize = u8(buffer, VCPU_IO_ACCESS_SIZE);
                if (accessSize != 1 && accessSize != 2 && accessSize != 4) {
                    throw new SysErr(ZX_ERR_INVALID_ARGS);
                }
                vcpu.cpu.writeIoInput(accessSize, i32(buffer, VCPU_IO_DATA));
            }
            return ZX_OK;
        });
    }

    long memoryVersion() {
        return memoryVersion;
    }

    /** Guest-physical memory of one guest, as its VCPUs see it. */
    final class GuestBus implements GuestPhysicalBus {
        private final GuestObject guest;
        /** The guest-physical address whose page could not be committed (budget), or -1. */
        long noMemoryAt = -1;

        GuestBus(GuestObject guest) {
            this.guest = guest;
        }

        @Override
        public byte[] ramPage(long pageNumber) {
            long gpa = pageNumber * VmoObject.PAGE;
            lock.lock();
            try {
                VmarObject.Mapping m = mappingOf(gpa);
                if (m == null) {
                    return null;
                }
                byte[] page = m.vmo().page((m.vmoOffset() + (gpa - m.base())) / VmoObject.PAGE);
                if (page == null) {
                    noMemoryAt = gpa; // the VCPU fails enter with NO_MEMORY, not OUT_OF_RANGE
                }
                return page;
            } finally {
                lock.unlock();
            }
        }

        /** A page never written reads as the shared zero page: nothing is committed. */
        @Override
        public byte[] ramPageForRead(long pageNumber) {
            long gpa = pageNumber * VmoObject.PAGE;
            lock.lock();
            try {
                VmarObject.Mapping m = mappingOf(gpa);
                return m == null ? null
                        : m.vmo().pageForRead((m.vmoOffset() + (gpa - m.base())) / VmoObject.PAGE);
            } finally {
                lock.unlock();
            }
        }

        /** The mapping whose VMO backs guest-physical {@code gpa}, or null (caller holds the lock). */
        private VmarObject.Mapping mappingOf(long gpa) {
            VmarObject.Mapping m = guest.vmar.find(gpa);
            if (m == null) {
                return null;
            }
            long offset = m.vmoOffset() + (gpa - m.base());
            return Long.compareUnsigned(offset, m.vmo().size) >= 0 ? null : m;
        }

        @Override
        public Trap trapAt(long gpa) {
            lock.lock();
            try {
                GuestObject.Trap t = guest.findTrap(false, gpa);
                if (t == null) {
                    return Trap.NONE;
                }
                return t.kind == ZX_GUEST_TRAP_BELL ? Trap.BELL : Trap.MEM;
            } finally {
                lock.unlock();
            }
        }
    }
}
