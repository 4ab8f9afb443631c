package dev.zx4j;

import dev.zx4j.abi.Layouts;
import dev.zx4j.abi.Syscalls;
import dev.zx4j.abi.Zx;
import dev.zx4j.sim.VcpuFault;
import java.lang.reflect.Method;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A virtual CPU of a {@link Guest}, created by {@link Guest#createVcpu(long)} and bound for life
 * to the thread that created it.
 *
 * <h2>Threads</h2>
 * Zircon runs a VCPU only on its creating thread and lets each thread have one VCPU. zx4j
 * enforces both in Java, before any syscall, so misuse fails with a message naming the threads
 * instead of a bare {@code ZX_ERR_BAD_STATE}:
 * <ul>
 *   <li>{@link #enter()}, {@link #readState()}, {@link #writeState(X86Registers)} and
 *       {@link #writeIo(int, int)} check the calling thread first — a
 *       {@link VcpuThreadException} naming both threads — and then that the handle is open
 *       ({@link ClosedHandleException});</li>
 *   <li>{@link #kick()}, {@link #interrupt(int)} and {@link #close()} work from any thread;
 *       {@link #controller()} is a view offering only those, to hand to other threads;</li>
 *   <li>creation is refused on a virtual thread and on a thread that already owns a live VCPU of
 *       the same kernel; closing that VCPU (from any thread) frees its thread.</li>
 * </ul>
 * Run each VCPU on a platform thread of its own, named after it (as Firecracker does), and stop
 * it with {@link #kick()}: {@code enter()} then returns {@link VcpuExit.Kicked}.
 *
 * <h2>Handles</h2>
 * Duplicates, replacements and borrowed views share the binding to the owner thread. The thread
 * is free again once every Java-owned handle of the VCPU is closed (or released). A VCPU
 * {@linkplain Kernel#adopt(int, Class) adopted} from a raw value has no known owner thread:
 * its thread-confined calls are left for the kernel to refuse ({@code ZX_ERR_BAD_STATE}), and it
 * does not count towards the one-per-thread check.
 */
public final class Vcpu extends HandleObject<Vcpu> {

    /** The thread binding shared by all Java handles of one VCPU, or null when unknown. */
    private final Binding binding;

    private Vcpu(Kernel kernel, HandleCell cell, boolean owner, Binding binding) {
        super(kernel, cell, owner);
        this.binding = binding;
    }

    /** An adopted VCPU: owner thread unknown. */
    static Vcpu adopted(Kernel kernel, HandleCell cell) {
        return new Vcpu(kernel, cell, true, null);
    }

    /** A new owning object over a new cell of a bound VCPU: counted until the cell ends. */
    private static Vcpu owning(Kernel kernel, HandleCell cell, Binding binding) {
        Vcpu v = new Vcpu(kernel, cell, true, binding);
        if (binding != null) {
            binding.addOwner();
            cell.onEnd(closedInKernel -> binding.removeOwner());
        }
        return v;
    }

    @Override
    Vcpu wrap(HandleCell cell, boolean owner) {
        if (cell == this.cell) {
            return new Vcpu(kernel, cell, false, binding); // a borrowed view
        }
        return owning(kernel, cell, binding); // a duplicate
    }

    @Override
    Vcpu wrapReplacement(HandleCell cell) {
        return owning(kernel, cell, binding);
    }

    // ---- creation --------------------------------------------------------------------------

    static Vcpu create(Guest guest, long entry) {
        Kernel kernel = guest.kernel;
        Thread self = Thread.currentThread();
        if (isVirtual(self)) {
            throw new IllegalStateException("cannot create a VCPU on virtual thread "
                    + VcpuThreadException.describe(self) + ": Zircon binds a VCPU to one OS "
                    + "thread and a virtual thread moves between carriers; create it on a "
                    + "platform thread of its own");
        }
        Key key = new Key(kernel.syscalls(), self);
        Binding existing = LIVE.get(key);
        if (existing != null) {
            throw new IllegalStateException("thread " + VcpuThreadException.describe(self)
                    + " already owns " + existing.first + "; Zircon allows one VCPU per thread."
                    + " Close it (from any thread) or create the new VCPU on another thread");
        }
        int[] out = new int[1];
        int g = guest.cell.acquire();
        try {
            ZxException.check("zx_vcpu_create",
                    kernel.syscalls().zx_vcpu_create(g, 0, entry, out));
        } finally {
            guest.cell.release();
        }
        HandleCell cell = new HandleCell(kernel, out[0], "Vcpu");
        return owning(kernel, cell, new Binding(key, cell.describe()));
    }

    private static final Method IS_VIRTUAL = isVirtualMethod();

    private static Method isVirtualMethod() {
        try {
            return Thread.class.getMethod("isVirtual"); // Java 21+
        } catch (NoSuchMethodException e) {
            return null; // Java 17: there are no virtual threads
        }
    }

    /** Whether {@code t} is a virtual thread (never on a Java without them). */
    static boolean isVirtual(Thread t) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (Boolean) IS_VIRTUAL.invoke(t);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Thread.isVirtual() failed", e);
        }
    }

    // ---- owner thread only -----------------------------------------------------------------

    /** {@return the thread this VCPU is bound to; empty for an adopted VCPU (owner unknown)} */
    public Optional<Thread> ownerThread() {
        return binding == null ? Optional.empty() : Optional.of(binding.key.thread);
    }

    private void checkOwner(String operation) {
        if (binding != null && binding.key.thread != Thread.currentThread()) {
            throw new VcpuThreadException("Vcpu handle " + HandleCell.hex(cell.value),
                    operation, binding.key.thread, Thread.currentThread());
        }
    }

    /**
     * Runs the guest until it needs the VMM ({@code zx_vcpu_enter}; needs
     * {@link Rights#EXECUTE}). Owner thread only. Blocks while the guest runs or halts; another
     * thread ends the wait with {@link #kick()}, which makes this return {@link VcpuExit.Kicked}.
     *
     * @return why the guest stopped
     * @throws VcpuThreadException   when called from another thread (no syscall is made)
     * @throws ClosedHandleException when the handle is closed
     * @throws VcpuFaultException    on the simulated kernel, for every failure of the guest,
     *                               with its RIP, instruction bytes and reason
     * @throws ZxException           for every other failure: {@link Status#NOT_SUPPORTED} (an
     *                               instruction the kernel cannot handle, a pending vector in
     *                               21–31), {@link Status#OUT_OF_RANGE} or
     *                               {@link Status#NOT_FOUND} (no memory or trap there),
     *                               {@link Status#BAD_STATE} (a BELL port without handles)…
     */
    public VcpuExit enter() {
        checkOwner("enter()");
        byte[] packet = new byte[Layouts.PORT_PACKET_SIZE];
        int status;
        VcpuFault fault = null;
        int h = cell.acquire();
        try {
            status = kernel.syscalls().zx_vcpu_enter(h, packet);
            if (status != Zx.ZX_OK && status != Zx.ZX_ERR_CANCELED) {
                fault = kernel.simulation().flatMap(sim -> sim.lastVcpuFault(h)).orElse(null);
            }
        } finally {
            cell.release();
        }
        if (status == Zx.ZX_ERR_CANCELED) {
            return new VcpuExit.Kicked();
        }
        if (fault != null && fault.status() == status) {
            throw new VcpuFaultException(Status.of(status), fault.rip(), fault.instruction(),
                    fault.reason());
        }
        ZxException.check("zx_vcpu_enter", status);
        return VcpuExit.parse(packet);
    }

    /**
     * The guest's general-purpose registers and RFLAGS ({@code zx_vcpu_read_state} with
     * {@code ZX_VCPU_STATE}; needs {@link Rights#READ}). Owner thread only.
     *
     * @return the registers
     * @throws VcpuThreadException when called from another thread (no syscall is made)
     * @throws UnsupportedOperationException on a kernel whose VCPUs are arm64
     *         ({@link Kernel#guestArchitecture()})
     */
    public X86Registers readState() {
        checkOwner("readState()");
        kernel.requireX86Guests("Vcpu.readState()");
        byte[] state = new byte[X86Registers.SIZE];
        int h = cell.acquire();
        try {
            ZxException.check("zx_vcpu_read_state", kernel.syscalls().zx_vcpu_read_state(
                    h, Zx.ZX_VCPU_STATE, state, state.length));
        } finally {
            cell.release();
        }
        return X86Registers.fromBytes(state);
    }

    /**
     * Sets the guest's registers ({@code zx_vcpu_write_state} with {@code ZX_VCPU_STATE}; needs
     * {@link Rights#WRITE}). Owner thread only. RFLAGS changes only if bit 1 is set in
     * {@code registers.rflags()} (see {@link X86Registers}).
     *
     * @param registers the new register values
     * @throws VcpuThreadException when called from another thread (no syscall is made)
     * @throws UnsupportedOperationException on a kernel whose VCPUs are arm64
     *         ({@link Kernel#guestArchitecture()})
     */
    public void writeState(X86Registers registers) {
        checkOwner("writeState()");
        kernel.requireX86Guests("Vcpu.writeState()");
        byte[] state = Objects.requireNonNull(registers, "registers").toBytes();
        int h = cell.acquire();
        try {
            ZxException.check("zx_vcpu_write_state", kernel.syscalls().zx_vcpu_write_state(
                    h, Zx.ZX_VCPU_STATE, state, state.length));
        } finally {
            cell.release();
        }
    }

    /**
     * Completes an {@code in} that stopped at an IO trap: the low {@code accessSize} bytes of
     * {@code value} go into the low bytes of the guest's RAX ({@code zx_vcpu_write_state} with
     * {@code ZX_VCPU_IO}; needs {@link Rights#WRITE}). Owner thread only. Call it after an
     * {@link VcpuExit.IoExit} with {@code input() == true}, before the next {@link #enter()}.
     *
     * @param accessSize the access width of the {@code in}: 1, 2 or 4 bytes
     * @param value the value the guest reads
     * @throws IllegalArgumentException unless {@code accessSize} is 1, 2 or 4
     * @throws VcpuThreadException      when called from another thread (no syscall is made)
     */
    public void writeIo(int accessSize, int value) {
        checkOwner("writeIo()");
        if (accessSize != 1 && accessSize != 2 && accessSize != 4) {
            throw new IllegalArgumentException("an IO access is 1, 2 or 4 bytes, not "
                    + accessSize);
        }
        byte[] io = new byte[Layouts.VCPU_IO_SIZE];
        Layouts.put8(io, Layouts.VCPU_IO_ACCESS_SIZE, accessSize);
        Layouts.put32(io, Layouts.VCPU_IO_DATA, value);
        int h = cell.acquire();
        try {
            ZxException.check("zx_vcpu_write_state", kernel.syscalls().zx_vcpu_write_state(
                    h, Zx.ZX_VCPU_IO, io, io.length));
        } finally {
            cell.release();
        }
    }

    // ---- any thread ------------------------------------------------------------------------

    /**
     * Makes the current or next {@link #enter()} return {@link VcpuExit.Kicked}, once
     * ({@code zx_vcpu_kick}; needs {@link Rights#EXECUTE}). Any thread; repeated kicks before
     * that {@code enter} collapse into one. Wakes a halted guest.
     */
    public void kick() {
        int h = cell.acquire();
        try {
            ZxException.check("zx_vcpu_kick", kernel.syscalls().zx_vcpu_kick(h));
        } finally {
            cell.release();
        }
    }

    /**
     * Marks interrupt {@code vector} (x86 IDT vector, 0–255) pending for the guest
     * ({@code zx_vcpu_interrupt}; needs {@link Rights#SIGNAL}). Any thread. The kernel of the
     * modelled era drops vectors of 256 and more silently; vectors 21–31 make the next
     * {@code enter()} fail with {@link Status#NOT_SUPPORTED}.
     *
     * @param vector the interrupt vector
     */
    public void interrupt(int vector) {
        int h = cell.acquire();
        try {
            ZxException.check("zx_vcpu_interrupt", kernel.syscalls().zx_vcpu_interrupt(h, vector));
        } finally {
            cell.release();
        }
    }

    /**
     * A view offering only {@link #kick()} and {@link #interrupt(int)}, for other threads. It
     * does not own the handle and stops working when this VCPU is closed.
     *
     * @return the controller
     */
    public VcpuController controller() {
        return new VcpuController(borrow());
    }

    @Override
    public String toString() {
        String s = super.toString();
        return binding == null ? s : s.substring(0, s.length() - 1) + ", thread "
                + VcpuThreadException.describe(binding.key.thread) + "]";
    }

    // ---- one VCPU per thread ---------------------------------------------------------------

    /** The thread bindings of live VCPUs created through zx4j, per raw kernel and thread. */
    private static final ConcurrentHashMap<Key, Binding> LIVE = new ConcurrentHashMap<>();

    /** A (kernel, thread) pair compared by identity: kernels (and proxies) need not be values. */
    private static final class Key {
        final Syscalls sys;
        final Thread thread;

        Key(Syscalls sys, Thread thread) {
            this.sys = sys;
            this.thread = thread;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.sys == sys && k.thread == thread;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(sys) * 31 + System.identityHashCode(thread);
        }
    }

    /**
     * One VCPU's binding to its thread; registered in {@link #LIVE} while Java owns at least one
     * open handle of it.
     */
    private static final class Binding {
        final Key key;
        /** The creating handle, for messages. */
        final String first;
        private int owners;

        Binding(Key key, String first) {
            this.key = key;
            this.first = first;
        }

        synchronized void addOwner() {
            if (owners++ == 0) {
                LIVE.putIfAbsent(key, this);
            }
        }

        synchronized void removeOwner() {
            if (--owners == 0) {
                LIVE.remove(key, this);
            }
        }
    }
}
