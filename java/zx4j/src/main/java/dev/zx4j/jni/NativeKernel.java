package dev.zx4j.jni;

import dev.zx4j.abi.Layouts;
import dev.zx4j.abi.Syscalls;
import dev.zx4j.abi.Zx;
import java.util.Objects;
import java.util.Optional;
import org.bytedeco.javacpp.Loader;

/**
 * The raw syscall surface through JNI: every call goes Java → JNI ({@link LibZircon}) → the C
 * {@code zx_*} function of libzircon.
 *
 * <ul>
 *   <li>{@link #system()} (Fuchsia): the system's libzircon, i.e. the real kernel.</li>
 *   <li>{@link #hosted(Syscalls)} (Linux): the host libzircon built from {@code native/host},
 *       whose {@code zx_*} functions forward back into Java, to the given kernel (normally a
 *       {@code dev.zx4j.sim.SimKernel}). The C functions carry no kernel context, so the kernel
 *       is selected per thread around each call; forwarding is synchronous and on the calling
 *       thread, so several hosted kernels can be used at once and thread-confined calls
 *       ({@code zx_vcpu_enter} …) see the real calling thread.</li>
 * </ul>
 *
 * <p>Buffer rule: a {@code null} array, or one shorter than the C object it stands for, is a bad
 * user pointer; it is passed to C as NULL so that the kernel itself reports
 * {@code ZX_ERR_INVALID_ARGS} at the right point of its check order.
 */
public final class NativeKernel implements Syscalls {

    private static final String UNAVAILABLE;
    private static final boolean ON_FUCHSIA;
    /** Strongly reachable for the life of the library (a collected callback would turn into a no-op). */
    private static final LibZircon.HostCallback CALLBACK;

    static {
        String reason = null;
        boolean fuchsia = false;
        LibZircon.HostCallback callback = null;
        try {
            String platform = Loader.getPlatform();
            fuchsia = platform.startsWith("fuchsia");
            LibZircon.load();
            if (!fuchsia) {
                callback = new LibZircon.HostCallback();
                int s = LibZircon.zx4j_host_register(callback);
                if (s != Zx.ZX_OK) {
                    reason = "host libzircon refused the dispatcher: status " + s;
                }
            }
        } catch (Throwable t) {
            reason = "JNI library dev.zx4j.jni.LibZircon did not load on platform "
                    + safePlatform() + ": " + t;
        }
        UNAVAILABLE = reason;
        ON_FUCHSIA = fuchsia;
        CALLBACK = callback;
    }

    private static String safePlatform() {
        try {
            return Loader.getPlatform();
        } catch (Throwable t) {
            return "?";
        }
    }

    /** {@return why the native kernel cannot be used here, or empty when it can} */
    public static Optional<String> unavailableReason() {
        return Optional.ofNullable(UNAVAILABLE);
    }

    /**

     * {@return whether the JNI library loaded (and, on Linux, the host libzircon accepted the
     * dispatcher)}

     */
    public static boolean isAvailable() {
        return UNAVAILABLE == null;
    }

    /**
     * The real kernel through the system libzircon. Only on Fuchsia.
     *
     * @return the kernel
     * @throws UnsupportedOperationException elsewhere, or when the library did not load
     */
    public static NativeKernel system() {
        ensureAvailable();
        if (!ON_FUCHSIA) {
            throw new UnsupportedOperationException(NativeKernel.class.getName()
                    + ".system() needs Fuchsia (platform "
                    + Loader.getPlatform() + "); on Linux use NativeKernel.hosted(kernel)");
        }
        return new NativeKernel(null);
    }

    /**
     * Same as {@link #system()}; the entry point {@code dev.zx4j.Kernel.nativeKernel()} looks up.
     *
     * @return the kernel
     * @throws UnsupportedOperationException off Fuchsia, with the reason
     */
    public static NativeKernel load() {
        return system();
    }

    /**
     * The given kernel behind JNI and the host libzircon (Linux).
     *
     * @param target the kernel the host libzircon forwards to, normally a {@code SimKernel}
     * @return the kernel, whose calls cross JNI twice
     * @throws UnsupportedOperationException on Fuchsia, or when the library did not load
     */
    public static NativeKernel hosted(Syscalls target) {
        Objects.requireNonNull(target, "target");
        ensureAvailable();
        if (ON_FUCHSIA) {
            throw new UnsupportedOperationException(
                    "there is no host libzircon on Fuchsia; use NativeKernel.system()");
        }
        return new NativeKernel(target);
    }

    private static void ensureAvailable() {
        if (UNAVAILABLE != null) {
            throw new UnsupportedOperationException(UNAVAILABLE);
        }
    }

    /**

     * {@return callbacks that threw and were answered with ZX_ERR_INTERNAL (diagnostics for tests)}

     */
    public static long callbackFailures() {
        return HostDispatch.FAILURES.get();
    }

    /** {@return the last throwable caught in a callback, if any} */
    public static Optional<Throwable> lastCallbackFailure() {
        return Optional.ofNullable(HostDispatch.lastFailure);
    }

    private final Syscalls target;

    private NativeKernel(Syscalls target) {
        this.target = target;
    }

    @Override
    public String toString() {
        return target == null ? "NativeKernel[system]" : "NativeKernel[hosted " + target + "]";
    }

    // ---- buffer rule ------------------------------------------------------------------------

    private static int[] ptr(int[] a) {
        return Layouts.valid(a) ? a : null;
    }

    private static long[] ptr(long[] a) {
        return Layouts.valid(a) ? a : null;
    }

    /**
     * An optional out-pointer (NULL allowed). A non-null array too short to hold the value is a
     * faulting pointer, which C cannot be handed as such: the call gets a scratch cell instead and
     * {@link #faultAtCopyOut} reports the fault where the kernel would copy through it.
     */
    private static long[] optional(long[] a) {
        return a == null ? null : Layouts.valid(a) ? a : new long[1];
    }

    /**
     * The status of a call whose optional out-pointer {@code a} faulted: a status the kernel
     * returns only after its copy-out point becomes {@code ZX_ERR_INVALID_ARGS}.
     */
    private static int faultAtCopyOut(long[] a, int status, int... afterCopy) {
        if (a == null || Layouts.valid(a)) {
            return status;
        }
        for (int s : afterCopy) {
            if (s == status) {
                return Zx.ZX_ERR_INVALID_ARGS;
            }
        }
        return status;
    }

    private static byte[] ptr(byte[] a, long size) {
        return Layouts.valid(a, size) ? a : null;
    }

    private static byte[] packet(byte[] a) {
        return ptr(a, Layouts.PORT_PACKET_SIZE);
    }

    private Syscalls enter() {
        return target == null ? null : HostDispatch.enter(target);
    }

    private void exit(Syscalls previous) {
        if (target != null) {
            HostDispatch.exit(previous);
        }
    }

    // ---- handle -----------------------------------------------------------------------------

    @Override
    public int zx_handle_close(int handle) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_handle_close(handle);
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_handle_duplicate(int handle, int rights, int[] out) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_handle_duplicate(handle, rights, ptr(out));
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_handle_replace(int handle, int rights, int[] out) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_handle_replace(handle, rights, ptr(out));
        } finally {
            exit(p);
        }
    }

    // ---- object -----------------------------------------------------------------------------

    @Override
    public int zx_object_get_info(int handle, int topic, byte[] buffer, long bufferSize,
                                  long[] actual, long[] avail) {
        Syscalls p = enter();
        try {
            int status = LibZircon.zx_object_get_info(handle, topic, ptr(buffer, bufferSize),
                    bufferSize, optional(actual), optional(avail));
            // actual and avail are written after the record, before the final status.
            int[] late = {Zx.ZX_OK, Zx.ZX_ERR_BUFFER_TOO_SMALL};
            return faultAtCopyOut(avail, faultAtCopyOut(actual, status, late), late);
        } finally {
            exit(p);
        }
    }

    // ---- events, signals, waits ---------------------------------------------------------------

    @Override
    public int zx_event_create(int options, int[] out) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_event_create(options, ptr(out));
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_object_signal(int handle, int clearMask, int setMask) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_object_signal(handle, clearMask, setMask);
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_object_wait_one(int handle, int signals, long deadline, int[] observed) {
        Syscalls p = enter();
        try {
            // observed is optional; a faulting one is reported where the kernel writes it, which
            // it does for every outcome of the wait.
            int[] cell = observed == null ? null : Layouts.valid(observed) ? observed : new int[1];
            int status = LibZircon.zx_object_wait_one(handle, signals, deadline, cell);
            if (observed != null && !Layouts.valid(observed) && (status == Zx.ZX_OK
                    || status == Zx.ZX_ERR_TIMED_OUT || status == Zx.ZX_ERR_CANCELED)) {
                return Zx.ZX_ERR_INVALID_ARGS;
            }
            return status;
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_object_wait_many(byte[] items, long count, long deadline) {
        Syscalls p = enter();
        try {
            long size = count >= 0 && count <= Zx.ZX_WAIT_MANY_MAX_ITEMS
                    ? count * Layouts.WAIT_ITEM_SIZE : -1;
            return LibZircon.zx_object_wait_many(size < 0 ? null : ptr(items, size), count,
                    deadline);
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_object_wait_async(int handle, int port, long key, int signals, int options) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_object_wait_async(handle, port, key, signals, options);
        } finally {
            exit(p);
        }
    }

    // ---- timer ------------------------------------------------------------------------------

    @Override
    public int zx_timer_create(int options, int clockId, int[] out) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_timer_create(options, clockId, ptr(out));
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_timer_set(int handle, long deadline, long slack) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_timer_set(handle, deadline, slack);
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_timer_cancel(int handle) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_timer_cancel(handle);
        } finally {
            exit(p);
        }
    }

    // ---- clock ------------------------------------------------------------------------------

    @Override
    public long zx_clock_get_monotonic() {
        Syscalls p = enter();
        try {
            return LibZircon.zx_clock_get_monotonic();
        } finally {
            exit(p);
        }
    }

    // ---- port -------------------------------------------------------------------------------

    @Override
    public int zx_port_create(int options, int[] out) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_port_create(options, ptr(out));
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_port_queue(int handle, byte[] packet) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_port_queue(handle, packet(packet));
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_port_wait(int handle, long deadline, byte[] packet) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_port_wait(handle, deadline, packet(packet));
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_port_cancel(int handle, int source, long key) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_port_cancel(handle, source, key);
        } finally {
            exit(p);
        }
    }

    // ---- interrupt --------------------------------------------------------------------------

    @Override
    public int zx_interrupt_create(int srcObj, int srcNum, int options, int[] outHandle) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_interrupt_create(srcObj, srcNum, options, ptr(outHandle));
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_interrupt_bind(int handle, int portHandle, long key, int options) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_interrupt_bind(handle, portHandle, key, options);
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_interrupt_bind_vcpu(int handle, int vcpu, int options) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_interrupt_bind_vcpu(handle, vcpu, options);
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_interrupt_ack(int handle) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_interrupt_ack(handle);
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_interrupt_trigger(int handle, int options, long timestamp) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_interrupt_trigger(handle, options, timestamp);
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_interrupt_wait(int handle, long[] outTimestamp) {
        Syscalls p = enter();
        try {
            return faultAtCopyOut(outTimestamp,
                    LibZircon.zx_interrupt_wait(handle, optional(outTimestamp)), Zx.ZX_OK);
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_interrupt_destroy(int handle) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_interrupt_destroy(handle);
        } finally {
            exit(p);
        }
    }

    // ---- vmo / vmar -------------------------------------------------------------------------

    @Override
    public int zx_vmo_create(long size, int options, int[] out) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_vmo_create(size, options, ptr(out));
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_vmo_read(int handle, byte[] buffer, long offset, long bufferSize) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_vmo_read(handle, ptr(buffer, bufferSize), offset, bufferSize);
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_vmo_write(int handle, byte[] buffer, long offset, long bufferSize) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_vmo_write(handle, ptr(buffer, bufferSize), offset, bufferSize);
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_vmo_get_size(int handle, long[] size) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_vmo_get_size(handle, ptr(size));
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_vmo_replace_as_executable(int handle, int vmex, int[] out) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_vmo_replace_as_executable(handle, vmex, ptr(out));
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_vmar_map(int handle, int options, long vmarOffset, int vmo, long vmoOffset,
                           long len, long[] mappedAddr) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_vmar_map(handle, options, vmarOffset, vmo, vmoOffset, len,
                    ptr(mappedAddr));
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_vmar_unmap(int handle, long addr, long len) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_vmar_unmap(handle, addr, len);
        } finally {
            exit(p);
        }
    }

    // ---- guest ------------------------------------------------------------------------------

    @Override
    public int zx_guest_create(int resource, int options, int[] guestHandle, int[] vmarHandle) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_guest_create(resource, options, ptr(guestHandle), ptr(vmarHandle));
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_guest_set_trap(int handle, int kind, long addr, long size, int portHandle,
                                 long key) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_guest_set_trap(handle, kind, addr, size, portHandle, key);
        } finally {
            exit(p);
        }
    }

    // ---- vcpu -------------------------------------------------------------------------------

    @Override
    public int zx_vcpu_create(int guest, int options, long entry, int[] out) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_vcpu_create(guest, options, entry, ptr(out));
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_vcpu_enter(int handle, byte[] packet) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_vcpu_enter(handle, packet(packet));
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_vcpu_kick(int handle) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_vcpu_kick(handle);
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_vcpu_interrupt(int handle, int vector) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_vcpu_interrupt(handle, vector);
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_vcpu_read_state(int handle, int kind, byte[] buffer, long bufferSize) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_vcpu_read_state(handle, kind, ptr(buffer, bufferSize), bufferSize);
        } finally {
            exit(p);
        }
    }

    @Override
    public int zx_vcpu_write_state(int handle, int kind, byte[] buffer, long bufferSize) {
        Syscalls p = enter();
        try {
            return LibZircon.zx_vcpu_write_state(handle, kind, ptr(buffer, bufferSize), bufferSize);
        } finally {
            exit(p);
        }
    }
}
