package dev.zx4j.jni;

import org.bytedeco.javacpp.FunctionPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;

/**
 * JavaCPP binding of every syscall in {@code fidl/}: one native method per C function, same name,
 * same parameter order, each parameter's exact C type in its {@code @Cast} (checked against the
 * FIDL by {@code dev.zx4j.tools.SurfaceCheck}).
 *
 * <p>Internal: user code goes through {@link NativeKernel}, which applies the buffer rule (a null
 * or too-short array becomes a NULL pointer) and, on Linux, selects the hosted kernel.
 *
 * <p>On Linux the library links the host libzircon ({@code native/host}); on Fuchsia the
 * system's libzircon (the vDSO). Calls a Fuchsia release may lack (the VCPU run and kick calls,
 * {@code zx_interrupt_bind_vcpu}, the signal, wait and timer calls) go through the
 * {@code zx4j_compat_*} functions of {@code native/include/zx4j/jni_glue.h}: weak references
 * there, {@code ZX_ERR_NOT_SUPPORTED} at run time when absent. The class is
 * {@code @NoException}: the generated code needs no C++ exception runtime.
 */
@Properties(value = {
        @Platform(value = "linux-x86_64", include = "zx4j/jni_glue.h", link = "zircon",
                compiler = "cpp17"),
        @Platform(value = "fuchsia", include = "zx4j/jni_glue.h", link = "zircon",
                compiler = "cpp17")
})
@NoException
public final class LibZircon {
    static {
        Loader.load();
    }

    private LibZircon() {}

    /** Forces the library to load (throws {@link UnsatisfiedLinkError} when it cannot). */
    static void load() {
        Loader.load(LibZircon.class);
    }

    // ---- handle ----------------------------------------------------------------------------
    public static native int zx_handle_close(@Cast("zx_handle_t") int handle);

    public static native int zx_handle_duplicate(@Cast("zx_handle_t") int handle,
            @Cast("zx_rights_t") int rights, @Cast("zx_handle_t*") int[] out);

    public static native int zx_handle_replace(@Cast("zx_handle_t") int handle,
            @Cast("zx_rights_t") int rights, @Cast("zx_handle_t*") int[] out);

    // ---- object ----------------------------------------------------------------------------
    public static native int zx_object_get_info(@Cast("zx_handle_t") int handle,
            @Cast("uint32_t") int topic, @Cast("void*") byte[] buffer,
            @Cast("size_t") long buffer_size, @Cast("size_t*") long[] actual,
            @Cast("size_t*") long[] avail);

    // ---- events, signals, waits ------------------------------------------------------------
    @Name("zx4j_compat_event_create")
    public static native int zx_event_create(@Cast("uint32_t") int options,
            @Cast("zx_handle_t*") int[] out);

    @Name("zx4j_compat_object_signal")
    public static native int zx_object_signal(@Cast("zx_handle_t") int handle,
            @Cast("uint32_t") int clear_mask, @Cast("uint32_t") int set_mask);

    @Name("zx4j_compat_object_wait_one")
    public static native int zx_object_wait_one(@Cast("zx_handle_t") int handle,
            @Cast("zx_signals_t") int signals, @Cast("zx_time_t") long deadline,
            @Cast("zx_signals_t*") int[] observed);

    @Name("zx4j_compat_object_wait_many")
    public static native int zx_object_wait_many(@Cast("zx_wait_item_t*") byte[] items,
            @Cast("size_t") long num_items, @Cast("zx_time_t") long deadline);

    @Name("zx4j_compat_object_wait_async")
    public static native int zx_object_wait_async(@Cast("zx_handle_t") int handle,
            @Cast("zx_handle_t") int port, @Cast("uint64_t") long key,
            @Cast("zx_signals_t") int signals, @Cast("uint32_t") int options);

    // ---- timer -----------------------------------------------------------------------------
    @Name("zx4j_compat_timer_create")
    public static native int zx_timer_create(@Cast("uint32_t") int options,
            @Cast("zx_clock_t") int clock_id, @Cast("zx_handle_t*") int[] out);

    @Name("zx4j_compat_timer_set")
    public static native int zx_timer_set(@Cast("zx_handle_t") int handle,
            @Cast("zx_time_t") long deadline, @Cast("zx_duration_t") long slack);

    @Name("zx4j_compat_timer_cancel")
    public static native int zx_timer_cancel(@Cast("zx_handle_t") int handle);

    // ---- clock -----------------------------------------------------------------------------
    public static native @Cast("zx_time_t") long zx_clock_get_monotonic();

    // ---- port ------------------------------------------------------------------------------
    public static native int zx_port_create(@Cast("uint32_t") int options,
            @Cast("zx_handle_t*") int[] out);

    public static native int zx_port_queue(@Cast("zx_handle_t") int handle,
            @Cast("const zx_port_packet_t*") byte[] packet);

    public static native int zx_port_wait(@Cast("zx_handle_t") int handle,
            @Cast("zx_time_t") long deadline, @Cast("zx_port_packet_t*") byte[] packet);

    public static native int zx_port_cancel(@Cast("zx_handle_t") int handle,
            @Cast("zx_handle_t") int source, @Cast("uint64_t") long key);

    // ---- interrupt -------------------------------------------------------------------------
    public static native int zx_interrupt_create(@Cast("zx_handle_t") int src_obj,
            @Cast("uint32_t") int src_num, @Cast("uint32_t") int options,
            @Cast("zx_handle_t*") int[] out_handle);

    public static native int zx_interrupt_bind(@Cast("zx_handle_t") int handle,
            @Cast("zx_handle_t") int port_handle, @Cast("uint64_t") long key,
            @Cast("uint32_t") int options);

    @Name("zx4j_compat_interrupt_bind_vcpu")
    public static native int zx_interrupt_bind_vcpu(@Cast("zx_handle_t") int handle,
            @Cast("zx_handle_t") int vcpu, @Cast("uint32_t") int options);

    public static native int zx_interrupt_ack(@Cast("zx_handle_t") int handle);

    public static native int zx_interrupt_trigger(@Cast("zx_handle_t") int handle,
            @Cast("uint32_t") int options, @Cast("zx_time_t") long timestamp);

    public static native int zx_interrupt_wait(@Cast("zx_handle_t") int handle,
            @Cast("zx_time_t*") long[] out_timestamp);

    public static native int zx_interrupt_destroy(@Cast("zx_handle_t") int handle);

    // ---- vmo -------------------------------------------------------------------------------
    public static native int zx_vmo_create(@Cast("uint64_t") long size,
            @Cast("uint32_t") int options, @Cast("zx_handle_t*") int[] out);

    public static native int zx_vmo_read(@Cast("zx_handle_t") int handle,
            @Cast("void*") byte[] buffer, @Cast("uint64_t") long offset,
            @Cast("size_t") long buffer_size);

    public static native int zx_vmo_write(@Cast("zx_handle_t") int handle,
            @Cast("const void*") byte[] buffer, @Cast("uint64_t") long offset,
            @Cast("size_t") long buffer_size);

    public static native int zx_vmo_get_size(@Cast("zx_handle_t") int handle,
            @Cast("uint64_t*") long[] size);

    public static native int zx_vmo_replace_as_executable(@Cast("zx_handle_t") int handle,
            @Cast("zx_handle_t") int vmex, @Cast("zx_handle_t*") int[] out);

    // ---- vmar ------------------------------------------------------------------------------
    public static native int zx_vmar_map(@Cast("zx_handle_t") int handle,
            @Cast("zx_vm_option_t") int options, @Cast("size_t") long vmar_offset,
            @Cast("zx_handle_t") int vmo, @Cast("uint64_t") long vmo_offset,
            @Cast("size_t") long len, @Cast("zx_vaddr_t*") long[] mapped_addr);

    public static native int zx_vmar_unmap(@Cast("zx_handle_t") int handle,
            @Cast("zx_vaddr_t") long addr, @Cast("size_t") long len);

    // ---- guest -----------------------------------------------------------------------------
    public static native int zx_guest_create(@Cast("zx_handle_t") int resource,
            @Cast("uint32_t") int options, @Cast("zx_handle_t*") int[] guest_handle,
            @Cast("zx_handle_t*") int[] vmar_handle);

    public static native int zx_guest_set_trap(@Cast("zx_handle_t") int handle,
            @Cast("uint32_t") int kind, @Cast("zx_vaddr_t") long addr, @Cast("size_t") long size,
            @Cast("zx_handle_t") int port_handle, @Cast("uint64_t") long key);

    // ---- vcpu ------------------------------------------------------------------------------
    public static native int zx_vcpu_create(@Cast("zx_handle_t") int guest,
            @Cast("uint32_t") int options, @Cast("zx_vaddr_t") long entry,
            @Cast("zx_handle_t*") int[] out);

    @Name("zx4j_compat_vcpu_enter")
    public static native int zx_vcpu_enter(@Cast("zx_handle_t") int handle,
            @Cast("zx_port_packet_t*") byte[] packet);

    @Name("zx4j_compat_vcpu_kick")
    public static native int zx_vcpu_kick(@Cast("zx_handle_t") int handle);

    public static native int zx_vcpu_interrupt(@Cast("zx_handle_t") int handle,
            @Cast("uint32_t") int vector);

    public static native int zx_vcpu_read_state(@Cast("zx_handle_t") int handle,
            @Cast("uint32_t") int kind, @Cast("void*") byte[] buffer,
            @Cast("size_t") long buffer_size);

    public static native int zx_vcpu_write_state(@Cast("zx_handle_t") int handle,
            @Cast("uint32_t") int kind, @Cast("const void*") byte[] buffer,
            @Cast("size_t") long buffer_size);

    // ---- host libzircon (Linux) ------------------------------------------------------------

    /**
     * The C → Java entry of the host libzircon: one instance, registered once, kept in a static
     * field for the life of the library. {@link #call} never lets a Java exception reach C.
     */
    @NoException
    public static class HostCallback extends FunctionPointer {
        static {
            Loader.load();
        }

        protected HostCallback() {
            allocate();
        }

        private native void allocate();

        public @Cast("int64_t") long call(int nr, @Cast("int64_t") long a0,
                @Cast("int64_t") long a1, @Cast("int64_t") long a2, @Cast("int64_t") long a3,
                @Cast("int64_t") long a4, @Cast("int64_t") long a5, @Cast("int64_t") long a6) {
            try {
                return HostDispatch.dispatch(nr, a0, a1, a2, a3, a4, a5, a6);
            } catch (Throwable t) {
                return HostDispatch.internalError(nr, t);
            }
        }
    }

    /** Size or offset number {@code what} of the C layouts, as compiled (see jni_glue.h); -1 if unknown. */
    static native @Cast("int64_t") long zx4j_abi_layout(int what);

    /** Installs the dispatcher in the host libzircon; {@code ZX_ERR_NOT_SUPPORTED} on Fuchsia. */
    static native int zx4j_host_register(@Cast("zx4j_host_dispatch_fn") HostCallback fn);
}
