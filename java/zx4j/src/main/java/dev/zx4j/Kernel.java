package dev.zx4j;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.abi.Zx;
import dev.zx4j.sim.SimKernel;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The entry point of the typed API: one kernel, chosen explicitly, and the factories of the
 * objects it hands out.
 *
 * <pre>{@code
 * Kernel zx = Kernel.simulated();            // pure-Java kernel, real-time clock
 * try (Port port = zx.createPort(PortOptions.BIND_TO_INTERRUPT);
 *      Interrupt irq = zx.createVirtualInterrupt()) {
 *     irq.bind(port, 7);
 *     irq.trigger();
 *     PortPacket p = port.waitFor(Duration.ofSeconds(1));
 * }
 * }</pre>
 *
 * <p>The typed API calls nothing but the {@link Syscalls} of its kernel; {@link #syscalls()}
 * gives the raw surface for anything not wrapped yet. A Kernel holds no state of its own beyond
 * that, so several may wrap one {@code Syscalls}.
 */
public final class Kernel {

    /** Class name of the JNI kernel, looked up reflectively so this module does not need it. */
    static final String NATIVE_KERNEL_CLASS = "dev.zx4j.jni.NativeKernel";

    private final Syscalls sys;
    /** The guests' CPU architecture: "x86_64", or "aarch64" for the native kernel on arm64. */
    private final String guestArchitecture;
    private volatile BiConsumer<String, ZxException> deferredCloseFailures = (handle, e) ->
            System.getLogger(Kernel.class.getName()).log(System.Logger.Level.WARNING,
                    "deferred close of " + handle + " failed", e);

    private Kernel(Syscalls sys) {
        this(sys, sys.getClass().getName().equals(NATIVE_KERNEL_CLASS) ? hostArchitecture() : "x86_64");
    }

    private Kernel(Syscalls sys, String guestArchitecture) {
        this.sys = Objects.requireNonNull(sys, "syscalls");
        this.guestArchitecture = guestArchitecture;
    }

    /** The typed API over {@code syscalls} whose VCPUs are of {@code architecture} (tests). */
    static Kernel withGuestArchitecture(Syscalls syscalls, String architecture) {
        return new Kernel(syscalls, architecture);
    }

    private static String hostArchitecture() {
        String a = System.getProperty("os.arch", "");
        return a.equals("aarch64") || a.equals("arm64") ? "aarch64" : "x86_64";
    }

    /**
     * The CPU architecture of this kernel's guests: {@code "x86_64"} (the simulated kernel, and
     * the native kernel on x86-64) or {@code "aarch64"} (the native kernel on arm64).
     *
     * @return {@code "x86_64"} or {@code "aarch64"}
     */
    public String guestArchitecture() {
        return guestArchitecture;
    }

    /** Refuses the x86-64 register layout on a kernel whose VCPUs are not x86-64. */
    void requireX86Guests(String what) {
        if (!guestArchitecture.equals("x86_64")) {
            throw new UnsupportedOperationException(what + ": the typed VCPU state (X86Registers) "
                    + "is the x86-64 layout, but this kernel's VCPUs are " + guestArchitecture
                    + " (whose zx_vcpu_state_t is x[31], sp, cpsr: 264 bytes); use "
                    + "zx_vcpu_read_state/zx_vcpu_write_state of the raw surface instead");
        }
    }

    /** {@return a new simulated kernel whose clock follows real time} */
    public static Kernel simulated() {
        return new Kernel(new SimKernel());
    }

    /**
     * The typed API over an existing simulated kernel (with its clock, platform, faults).
     *
     * @param sim the simulated kernel to drive
     * @return the typed API over it
     */
    public static Kernel simulated(SimKernel sim) {
        return new Kernel(sim);
    }

    /**
     * The typed API over any implementation of the raw surface (a decorator, a mock…).
     *
     * @param syscalls the raw syscall implementation
     * @return the typed API over it
     */
    public static Kernel of(Syscalls syscalls) {
        return new Kernel(syscalls);
    }

    /**
     * The real Zircon kernel through JNI.
     *
     * @return the typed API over the JNI kernel
     * @throws NativeKernelUnavailableException saying why it is not available here
     */
    public static Kernel nativeKernel() {
        return new Kernel(loadNativeSyscalls());
    }

    /**
     * The kernel of the platform this JVM runs on: the real kernel through JNI on Fuchsia, a new
     * simulated kernel (real-time clock) anywhere else.
     *
     * @return the native kernel on Fuchsia, otherwise a new simulated kernel
     * @throws NativeKernelUnavailableException on Fuchsia, when the JNI library cannot be loaded
     */
    public static Kernel platformDefault() {
        return onFuchsia() ? nativeKernel() : simulated();
    }

    /**
     * Whether this JVM runs on Fuchsia ({@code os.name}).
     *
     * @return true if {@code os.name} says Fuchsia
     */
    public static boolean onFuchsia() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT)
                .contains("fuchsia");
    }

    /**
     * Finds and instantiates {@value #NATIVE_KERNEL_CLASS}: a public static no-argument
     * {@code load()} or {@code create()} method returning it, else a public no-argument
     * constructor. The one place that knows how the native kernel is obtained.
     */
    static Syscalls loadNativeSyscalls() {
        String where = " (running on " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ")";
        Class<?> c;
        try {
            c = Class.forName(NATIVE_KERNEL_CLASS, true, Kernel.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new NativeKernelUnavailableException("no native kernel: class "
                    + NATIVE_KERNEL_CLASS + " is not on the class path (zx4j built without its "
                    + "JNI part)" + where, e);
        } catch (LinkageError e) {
            throw unavailable("its class failed to initialise", e, where);
        }
        if (!Syscalls.class.isAssignableFrom(c)) {
            throw new NativeKernelUnavailableException(NATIVE_KERNEL_CLASS
                    + " does not implement " + Syscalls.class.getName(), null);
        }
        try {
            for (String name : new String[] {"load", "create"}) {
                try {
                    Method m = c.getMethod(name);
                    if (Modifier.isStatic(m.getModifiers())
                            && Syscalls.class.isAssignableFrom(m.getReturnType())) {
                        return (Syscalls) m.invoke(null);
                    }
                } catch (NoSuchMethodException ignored) {
                    // try the next way
                }
            }
            return (Syscalls) c.getConstructor().newInstance();
        } catch (InvocationTargetException e) {
            throw unavailable("loading it failed", e.getCause(), where);
        } catch (LinkageError e) {
            throw unavailable("loading it failed", e, where);
        } catch (ReflectiveOperationException e) {
            throw new NativeKernelUnavailableException("no native kernel: " + NATIVE_KERNEL_CLASS
                    + " has no public static load()/create() nor public no-argument constructor",
                    e);
        }
    }

    private static NativeKernelUnavailableException unavailable(String what, Throwable cause,
                                                                String where) {
        String detail = cause == null ? "" : ": " + cause;
        if (cause instanceof UnsatisfiedLinkError) {
            detail = ": native library not loadable: " + cause.getMessage();
        }
        return new NativeKernelUnavailableException("no native kernel: " + what + detail + where,
                cause);
    }

    /**
     * The simulated kernel behind this kernel, if it is one ({@link #simulated()},
     * {@link #simulated(SimKernel)}, or {@link #of(Syscalls)} given a {@code SimKernel}).
     *
     * @return the simulated kernel, or empty for the native kernel and other implementations
     */
    public Optional<SimKernel> simulation() {
        return sys instanceof SimKernel sim ? Optional.of(sim) : Optional.empty();
    }

    /**
     * The simulated machine's resources and interrupt lines, typed.
     *
     * @return the platform of the simulated kernel behind this kernel
     * @throws UnsupportedOperationException if this kernel is not simulated (on Fuchsia the
     *                                       resources come from the system, not from zx4j)
     */
    public SimulatedPlatform simulatedPlatform() {
        SimKernel sim = simulation().orElseThrow(() -> new UnsupportedOperationException(
                "no simulated platform: " + this + " is not a simulated kernel; on Fuchsia the "
                        + "resources are handed to the process by the system"));
        return new SimulatedPlatform(this, sim);
    }

    /** {@return the raw syscall surface behind this kernel} */
    public Syscalls syscalls() {
        return sys;
    }

    /** {@return the current time of the kernel's monotonic clock, in nanoseconds} */
    public long monotonicNow() {
        return sys.zx_clock_get_monotonic();
    }

    /**
     * The absolute deadline {@code timeout} from now, saturating to infinite / past.
     *
     * @param timeout how long from now; negative means a deadline already passed
     * @return the monotonic deadline in nanoseconds
     */
    public long deadlineAfter(Duration timeout) {
        long now = monotonicNow();
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException e) {
            return timeout.isNegative() ? Zx.ZX_TIME_INFINITE_PAST : Zx.ZX_TIME_INFINITE;
        }
        long deadline = now + nanos;
        if (((now ^ deadline) & (nanos ^ deadline)) < 0) { // overflow
            return nanos > 0 ? Zx.ZX_TIME_INFINITE : Zx.ZX_TIME_INFINITE_PAST;
        }
        return deadline;
    }

    /**
     * A new port ({@code zx_port_create}).
     *
     * @param options port options, such as {@link PortOptions#BIND_TO_INTERRUPT}
     * @return the new port
     */
    public Port createPort(PortOptions... options) {
        int[] out = new int[1];
        ZxException.check("zx_port_create",
                sys.zx_port_create(PortOptions.toBits(options), out));
        return new Port(this, new HandleCell(this, out[0], "Port"), true);
    }

    /**
     * A new event ({@code zx_event_create}).
     *
     * @return the new event
     */
    public Event createEvent() {
        int[] out = new int[1];
        ZxException.check("zx_event_create", sys.zx_event_create(0, out));
        return new Event(this, new HandleCell(this, out[0], "Event"), true);
    }

    /**
     * A new timer on the monotonic clock ({@code zx_timer_create}).
     *
     * @param slack how the timer may fire around its deadline
     * @return the new timer
     */
    public Timer createTimer(TimerSlack slack) {
        int[] out = new int[1];
        ZxException.check("zx_timer_create",
                sys.zx_timer_create(slack.raw(), Zx.ZX_CLOCK_MONOTONIC, out));
        return new Timer(this, new HandleCell(this, out[0], "Timer"), true);
    }

    /**
     * A new virtual interrupt, triggered by {@link Interrupt#trigger(long)}.
     *
     * @return the new interrupt
     */
    public Interrupt createVirtualInterrupt() {
        int[] out = new int[1];
        ZxException.check("zx_interrupt_create", sys.zx_interrupt_create(
                Zx.ZX_HANDLE_INVALID, 0, Zx.ZX_INTERRUPT_VIRTUAL, out));
        return new Interrupt(this, new HandleCell(this, out[0], "Interrupt"), true);
    }

    /**
     * A new interrupt for hardware {@code vector}, authorised by an IRQ {@code resource} covering
     * it ({@code zx_interrupt_create}). With {@link InterruptOptions#VIRTUAL} the kernel ignores
     * resource and vector.
     *
     * @param resource an IRQ resource covering {@code vector}
     * @param vector the hardware interrupt vector
     * @param options a trigger mode, {@link InterruptOptions#REMAP_IRQ} or
     *        {@link InterruptOptions#VIRTUAL}
     * @return the new interrupt
     * @throws IllegalArgumentException if two trigger modes are given
     */
    public Interrupt createInterrupt(Resource resource, int vector, InterruptOptions... options) {
        int bits = InterruptOptions.toBits(options);
        int[] out = new int[1];
        int r = resource.cell.acquire();
        try {
            ZxException.check("zx_interrupt_create",
                    sys.zx_interrupt_create(r, vector, bits, out));
        } finally {
            resource.cell.release();
        }
        return new Interrupt(this, new HandleCell(this, out[0], "Interrupt"), true);
    }

    /**
     * A new VMO of {@code size} bytes, rounded up to whole pages ({@code zx_vmo_create}).
     *
     * @param size the size in bytes
     * @param options VMO options, such as {@link VmoOptions#RESIZABLE}
     * @return the new VMO
     * @throws ZxException with {@link Status#OUT_OF_RANGE} for a size too large
     */
    public Vmo createVmo(long size, VmoOptions... options) {
        int[] out = new int[1];
        ZxException.check("zx_vmo_create",
                sys.zx_vmo_create(size, VmoOptions.toBits(options), out));
        return new Vmo(this, new HandleCell(this, out[0], "Vmo"), true);
    }

    /**
     * A new guest, authorised by the hypervisor {@code resource} ({@code zx_guest_create}). The
     * returned {@link Guest} also owns the root VMAR of the guest-physical address space,
     * {@link Guest#physicalVmar()}, and closes it with itself.
     *
     * @param resource the hypervisor resource
     * @return the new guest
     * @throws ZxException {@link Status#WRONG_TYPE} / {@link Status#ACCESS_DENIED} when the
     *                     resource is not the hypervisor resource, {@link Status#NOT_SUPPORTED}
     *                     on a machine without virtualisation
     */
    public Guest createGuest(Resource resource) {
        int[] guest = new int[1];
        int[] vmar = new int[1];
        int r = resource.cell.acquire();
        try {
            ZxException.check("zx_guest_create", sys.zx_guest_create(r, 0, guest, vmar));
        } finally {
            resource.cell.release();
        }
        Vmar physical = new Vmar(this, new HandleCell(this, vmar[0], "Vmar"), true);
        return new Guest(this, new HandleCell(this, guest[0], "Guest"), true, physical);
    }

    /**
     * Takes ownership of a raw handle value (from {@link Syscalls}, a simulated platform, a
     * native caller) as an untyped {@link Handle}. No syscall is made.
     *
     * @param rawHandle the raw handle value, now owned by the returned object
     * @return the untyped handle
     * @throws IllegalArgumentException for {@code ZX_HANDLE_INVALID}
     */
    public Handle adopt(int rawHandle) {
        return new Handle(this, new HandleCell(this, rawHandle, "Handle"), true);
    }

    /**
     * Takes ownership of a raw handle value as the typed class {@code type}, checking the object
     * type first ({@code ZX_INFO_HANDLE_BASIC}). On failure the caller keeps ownership.
     *
     * @param <T> the typed class
     * @param rawHandle the raw handle value
     * @param type the class to adopt it as, such as {@code Port.class}
     * @return the typed object, owning the handle
     * @throws IllegalArgumentException if the object is not of that type
     * @throws ZxException              if the value names no handle
     */
    public <T extends HandleObject<T>> T adopt(int rawHandle, Class<T> type) {
        if (type == Handle.class) {
            return type.cast(adopt(rawHandle));
        }
        Handle probe = new Handle(this, new HandleCell(this, rawHandle, "Handle"), false);
        ObjectType actual = probe.info().type();
        ObjectType expected = objectTypeOf(type);
        if (!actual.equals(expected)) {
            throw new IllegalArgumentException("handle " + HandleCell.hex(rawHandle) + " is a "
                    + actual + ", not a " + expected);
        }
        return wrapOwned(rawHandle, type);
    }

    <T extends HandleObject<T>> T wrapOwned(int value, Class<T> type) {
        HandleCell cell = new HandleCell(this, value, type.getSimpleName());
        HandleObject<?> o;
        if (type == Port.class) {
            o = new Port(this, cell, true);
        } else if (type == Interrupt.class) {
            o = new Interrupt(this, cell, true);
        } else if (type == Resource.class) {
            o = new Resource(this, cell, true);
        } else if (type == Vmo.class) {
            o = new Vmo(this, cell, true);
        } else if (type == Vmar.class) {
            o = new Vmar(this, cell, true);
        } else if (type == Guest.class) {
            o = new Guest(this, cell, true, null); // the VMAR came with another handle
        } else if (type == Vcpu.class) {
            o = Vcpu.adopted(this, cell); // owner thread unknown: the kernel checks it
        } else if (type == Event.class) {
            o = new Event(this, cell, true);
        } else if (type == Timer.class) {
            o = new Timer(this, cell, true);
        } else {
            o = new Handle(this, cell, true);
        }
        return type.cast(o);
    }

    static ObjectType objectTypeOf(Class<? extends HandleObject<?>> type) {
        if (type == Port.class) {
            return ObjectType.PORT;
        } else if (type == Interrupt.class) {
            return ObjectType.INTERRUPT;
        } else if (type == Resource.class) {
            return ObjectType.RESOURCE;
        } else if (type == Vmo.class) {
            return ObjectType.VMO;
        } else if (type == Vmar.class) {
            return ObjectType.VMAR;
        } else if (type == Guest.class) {
            return ObjectType.GUEST;
        } else if (type == Vcpu.class) {
            return ObjectType.VCPU;
        } else if (type == Event.class) {
            return ObjectType.EVENT;
        } else if (type == Timer.class) {
            return ObjectType.TIMER;
        }
        throw new IllegalArgumentException("no object type for " + type);
    }

    /**
     * Sets who hears about a kernel close that failed after being deferred to the last in-flight
     * call (so no caller could be thrown at). The default logs a warning through
     * {@link System.Logger}. The consumer gets the handle's description and the error.
     *
     * @param listener receives the handle's description and the error
     */
    public void onDeferredCloseFailure(BiConsumer<String, ZxException> listener) {
        deferredCloseFailures = Objects.requireNonNull(listener);
    }

    void reportDeferredCloseFailure(String handle, ZxException e) {
        deferredCloseFailures.accept(handle, e);
    }

    @Override
    public String toString() {
        return "Kernel[" + sys.getClass().getSimpleName() + "]";
    }
}
