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
    /**
     * The C function {@code zx_handle_close}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_handle_close} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @return the {@code zx_status_t}
     */
    public static native int zx_handle_close(@Cast("zx_handle_t") int handle);

    /**
     * The C function {@code zx_handle_duplicate}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_handle_duplicate} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param rights the {@code zx_rights_t} argument
     * @param out the {@code zx_handle_t*} argument; null is passed as NULL, and the array must hold
     *        the whole C object
     * @return the {@code zx_status_t}
     */
    public static native int zx_handle_duplicate(@Cast("zx_handle_t") int handle,
            @Cast("zx_rights_t") int rights, @Cast("zx_handle_t*") int[] out);

    /**
     * The C function {@code zx_handle_replace}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_handle_replace} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param rights the {@code zx_rights_t} argument
     * @param out the {@code zx_handle_t*} argument; null is passed as NULL, and the array must hold
     *        the whole C object
     * @return the {@code zx_status_t}
     */
    public static native int zx_handle_replace(@Cast("zx_handle_t") int handle,
            @Cast("zx_rights_t") int rights, @Cast("zx_handle_t*") int[] out);

    // ---- object ----------------------------------------------------------------------------
    /**
     * The C function {@code zx_object_get_info}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_object_get_info} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param topic the {@code uint32_t} argument
     * @param buffer the {@code void*} argument; null is passed as NULL, and the array must hold the
     *        whole C object
     * @param buffer_size the {@code size_t} argument
     * @param actual the {@code size_t*} argument; null is passed as NULL, and the array must hold
     *        the whole C object
     * @param avail the {@code size_t*} argument; null is passed as NULL, and the array must hold
     *        the whole C object
     * @return the {@code zx_status_t}
     */
    public static native int zx_object_get_info(@Cast("zx_handle_t") int handle,
            @Cast("uint32_t") int topic, @Cast("void*") byte[] buffer,
            @Cast("size_t") long buffer_size, @Cast("size_t*") long[] actual,
            @Cast("size_t*") long[] avail);

    // ---- events, signals, waits ------------------------------------------------------------
    /**
     * The C function {@code zx_event_create}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_event_create} gives its rules.
     *
     * @param options the {@code uint32_t} argument
     * @param out the {@code zx_handle_t*} argument; null is passed as NULL, and the array must hold
     *        the whole C object
     * @return the {@code zx_status_t}
     */
    @Name("zx4j_compat_event_create")
    public static native int zx_event_create(@Cast("uint32_t") int options,
            @Cast("zx_handle_t*") int[] out);

    /**
     * The C function {@code zx_object_signal}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_object_signal} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param clear_mask the {@code uint32_t} argument
     * @param set_mask the {@code uint32_t} argument
     * @return the {@code zx_status_t}
     */
    @Name("zx4j_compat_object_signal")
    public static native int zx_object_signal(@Cast("zx_handle_t") int handle,
            @Cast("uint32_t") int clear_mask, @Cast("uint32_t") int set_mask);

    /**
     * The C function {@code zx_object_wait_one}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_object_wait_one} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param signals the {@code zx_signals_t} argument
     * @param deadline the {@code zx_time_t} argument
     * @param observed the {@code zx_signals_t*} argument; null is passed as NULL, and the array
     *        must hold the whole C object
     * @return the {@code zx_status_t}
     */
    @Name("zx4j_compat_object_wait_one")
    public static native int zx_object_wait_one(@Cast("zx_handle_t") int handle,
            @Cast("zx_signals_t") int signals, @Cast("zx_time_t") long deadline,
            @Cast("zx_signals_t*") int[] observed);

    /**
     * The C function {@code zx_object_wait_many}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_object_wait_many} gives its rules.
     *
     * @param items the {@code zx_wait_item_t*} argument; null is passed as NULL, and the array must
     *        hold the whole C object
     * @param num_items the {@code size_t} argument
     * @param deadline the {@code zx_time_t} argument
     * @return the {@code zx_status_t}
     */
    @Name("zx4j_compat_object_wait_many")
    public static native int zx_object_wait_many(@Cast("zx_wait_item_t*") byte[] items,
            @Cast("size_t") long num_items, @Cast("zx_time_t") long deadline);

    /**
     * The C function {@code zx_object_wait_async}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_object_wait_async} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param port the {@code zx_handle_t} argument
     * @param key the {@code uint64_t} argument
     * @param signals the {@code zx_signals_t} argument
     * @param options the {@code uint32_t} argument
     * @return the {@code zx_status_t}
     */
    @Name("zx4j_compat_object_wait_async")
    public static native int zx_object_wait_async(@Cast("zx_handle_t") int handle,
            @Cast("zx_handle_t") int port, @Cast("uint64_t") long key,
            @Cast("zx_signals_t") int signals, @Cast("uint32_t") int options);

    // ---- timer -----------------------------------------------------------------------------
    /**
     * The C function {@code zx_timer_create}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_timer_create} gives its rules.
     *
     * @param options the {@code uint32_t} argument
     * @param clock_id the {@code zx_clock_t} argument
     * @param out the {@code zx_handle_t*} argument; null is passed as NULL, and the array must hold
     *        the whole C object
     * @return the {@code zx_status_t}
     */
    @Name("zx4j_compat_timer_create")
    public static native int zx_timer_create(@Cast("uint32_t") int options,
            @Cast("zx_clock_t") int clock_id, @Cast("zx_handle_t*") int[] out);

    /**
     * The C function {@code zx_timer_set}, unchanged: {@link dev.zx4j.abi.Syscalls#zx_timer_set}
     * gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param deadline the {@code zx_time_t} argument
     * @param slack the {@code zx_duration_t} argument
     * @return the {@code zx_status_t}
     */
    @Name("zx4j_compat_timer_set")
    public static native int zx_timer_set(@Cast("zx_handle_t") int handle,
            @Cast("zx_time_t") long deadline, @Cast("zx_duration_t") long slack);

    /**
     * The C function {@code zx_timer_cancel}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_timer_cancel} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @return the {@code zx_status_t}
     */
    @Name("zx4j_compat_timer_cancel")
    public static native int zx_timer_cancel(@Cast("zx_handle_t") int handle);

    // ---- clock -----------------------------------------------------------------------------
    /**
     * The C function {@code zx_clock_get_monotonic}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_clock_get_monotonic} gives its rules.
     *
     * @return the monotonic time in nanoseconds
     */
    public static native @Cast("zx_time_t") long zx_clock_get_monotonic();

    // ---- port ------------------------------------------------------------------------------
    /**
     * The C function {@code zx_port_create}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_port_create} gives its rules.
     *
     * @param options the {@code uint32_t} argument
     * @param out the {@code zx_handle_t*} argument; null is passed as NULL, and the array must hold
     *        the whole C object
     * @return the {@code zx_status_t}
     */
    public static native int zx_port_create(@Cast("uint32_t") int options,
            @Cast("zx_handle_t*") int[] out);

    /**
     * The C function {@code zx_port_queue}, unchanged: {@link dev.zx4j.abi.Syscalls#zx_port_queue}
     * gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param packet the {@code const zx_port_packet_t*} argument; null is passed as NULL, and the
     *        array must hold the whole C object
     * @return the {@code zx_status_t}
     */
    public static native int zx_port_queue(@Cast("zx_handle_t") int handle,
            @Cast("const zx_port_packet_t*") byte[] packet);

    /**
     * The C function {@code zx_port_wait}, unchanged: {@link dev.zx4j.abi.Syscalls#zx_port_wait}
     * gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param deadline the {@code zx_time_t} argument
     * @param packet the {@code zx_port_packet_t*} argument; null is passed as NULL, and the array
     *        must hold the whole C object
     * @return the {@code zx_status_t}
     */
    public static native int zx_port_wait(@Cast("zx_handle_t") int handle,
            @Cast("zx_time_t") long deadline, @Cast("zx_port_packet_t*") byte[] packet);

    /**
     * The C function {@code zx_port_cancel}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_port_cancel} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param source the {@code zx_handle_t} argument
     * @param key the {@code uint64_t} argument
     * @return the {@code zx_status_t}
     */
    public static native int zx_port_cancel(@Cast("zx_handle_t") int handle,
            @Cast("zx_handle_t") int source, @Cast("uint64_t") long key);

    // ---- interrupt -------------------------------------------------------------------------
    /**
     * The C function {@code zx_interrupt_create}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_interrupt_create} gives its rules.
     *
     * @param src_obj the {@code zx_handle_t} argument
     * @param src_num the {@code uint32_t} argument
     * @param options the {@code uint32_t} argument
     * @param out_handle the {@code zx_handle_t*} argument; null is passed as NULL, and the array
     *        must hold the whole C object
     * @return the {@code zx_status_t}
     */
    public static native int zx_interrupt_create(@Cast("zx_handle_t") int src_obj,
            @Cast("uint32_t") int src_num, @Cast("uint32_t") int options,
            @Cast("zx_handle_t*") int[] out_handle);

    /**
     * The C function {@code zx_interrupt_bind}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_interrupt_bind} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param port_handle the {@code zx_handle_t} argument
     * @param key the {@code uint64_t} argument
     * @param options the {@code uint32_t} argument
     * @return the {@code zx_status_t}
     */
    public static native int zx_interrupt_bind(@Cast("zx_handle_t") int handle,
            @Cast("zx_handle_t") int port_handle, @Cast("uint64_t") long key,
            @Cast("uint32_t") int options);

    /**
     * The C function {@code zx_interrupt_bind_vcpu}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_interrupt_bind_vcpu} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param vcpu the {@code zx_handle_t} argument
     * @param options the {@code uint32_t} argument
     * @return the {@code zx_status_t}
     */
    @Name("zx4j_compat_interrupt_bind_vcpu")
    public static native int zx_interrupt_bind_vcpu(@Cast("zx_handle_t") int handle,
            @Cast("zx_handle_t") int vcpu, @Cast("uint32_t") int options);

    /**
     * The C function {@code zx_interrupt_ack}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_interrupt_ack} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @return the {@code zx_status_t}
     */
    public static native int zx_interrupt_ack(@Cast("zx_handle_t") int handle);

    /**
     * The C function {@code zx_interrupt_trigger}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_interrupt_trigger} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param options the {@code uint32_t} argument
     * @param timestamp the {@code zx_time_t} argument
     * @return the {@code zx_status_t}
     */
    public static native int zx_interrupt_trigger(@Cast("zx_handle_t") int handle,
            @Cast("uint32_t") int options, @Cast("zx_time_t") long timestamp);

    /**
     * The C function {@code zx_interrupt_wait}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_interrupt_wait} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param out_timestamp the {@code zx_time_t*} argument; null is passed as NULL, and the array
     *        must hold the whole C object
     * @return the {@code zx_status_t}
     */
    public static native int zx_interrupt_wait(@Cast("zx_handle_t") int handle,
            @Cast("zx_time_t*") long[] out_timestamp);

    /**
     * The C function {@code zx_interrupt_destroy}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_interrupt_destroy} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @return the {@code zx_status_t}
     */
    public static native int zx_interrupt_destroy(@Cast("zx_handle_t") int handle);

    // ---- vmo -------------------------------------------------------------------------------
    /**
     * The C function {@code zx_vmo_create}, unchanged: {@link dev.zx4j.abi.Syscalls#zx_vmo_create}
     * gives its rules.
     *
     * @param size the {@code uint64_t} argument
     * @param options the {@code uint32_t} argument
     * @param out the {@code zx_handle_t*} argument; null is passed as NULL, and the array must hold
     *        the whole C object
     * @return the {@code zx_status_t}
     */
    public static native int zx_vmo_create(@Cast("uint64_t") long size,
            @Cast("uint32_t") int options, @Cast("zx_handle_t*") int[] out);

    /**
     * The C function {@code zx_vmo_read}, unchanged: {@link dev.zx4j.abi.Syscalls#zx_vmo_read}
     * gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param buffer the {@code void*} argument; null is passed as NULL, and the array must hold the
     *        whole C object
     * @param offset the {@code uint64_t} argument
     * @param buffer_size the {@code size_t} argument
     * @return the {@code zx_status_t}
     */
    public static native int zx_vmo_read(@Cast("zx_handle_t") int handle,
            @Cast("void*") byte[] buffer, @Cast("uint64_t") long offset,
            @Cast("size_t") long buffer_size);

    /**
     * The C function {@code zx_vmo_write}, unchanged: {@link dev.zx4j.abi.Syscalls#zx_vmo_write}
     * gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param buffer the {@code const void*} argument; null is passed as NULL, and the array must
     *        hold the whole C object
     * @param offset the {@code uint64_t} argument
     * @param buffer_size the {@code size_t} argument
     * @return the {@code zx_status_t}
     */
    public static native int zx_vmo_write(@Cast("zx_handle_t") int handle,
            @Cast("const void*") byte[] buffer, @Cast("uint64_t") long offset,
            @Cast("size_t") long buffer_size);

    /**
     * The C function {@code zx_vmo_get_size}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_vmo_get_size} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param size the {@code uint64_t*} argument; null is passed as NULL, and the array must hold
     *        the whole C object
     * @return the {@code zx_status_t}
     */
    public static native int zx_vmo_get_size(@Cast("zx_handle_t") int handle,
            @Cast("uint64_t*") long[] size);

    /**
     * The C function {@code zx_vmo_replace_as_executable}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_vmo_replace_as_executable} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param vmex the {@code zx_handle_t} argument
     * @param out the {@code zx_handle_t*} argument; null is passed as NULL, and the array must hold
     *        the whole C object
     * @return the {@code zx_status_t}
     */
    public static native int zx_vmo_replace_as_executable(@Cast("zx_handle_t") int handle,
            @Cast("zx_handle_t") int vmex, @Cast("zx_handle_t*") int[] out);

    // ---- vmar ------------------------------------------------------------------------------
    /**
     * The C function {@code zx_vmar_map}, unchanged: {@link dev.zx4j.abi.Syscalls#zx_vmar_map}
     * gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param options the {@code zx_vm_option_t} argument
     * @param vmar_offset the {@code size_t} argument
     * @param vmo the {@code zx_handle_t} argument
     * @param vmo_offset the {@code uint64_t} argument
     * @param len the {@code size_t} argument
     * @param mapped_addr the {@code zx_vaddr_t*} argument; null is passed as NULL, and the array
     *        must hold the whole C object
     * @return the {@code zx_status_t}
     */
    public static native int zx_vmar_map(@Cast("zx_handle_t") int handle,
            @Cast("zx_vm_option_t") int options, @Cast("size_t") long vmar_offset,
            @Cast("zx_handle_t") int vmo, @Cast("uint64_t") long vmo_offset,
            @Cast("size_t") long len, @Cast("zx_vaddr_t*") long[] mapped_addr);

    /**
     * The C function {@code zx_vmar_unmap}, unchanged: {@link dev.zx4j.abi.Syscalls#zx_vmar_unmap}
     * gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param addr the {@code zx_vaddr_t} argument
     * @param len the {@code size_t} argument
     * @return the {@code zx_status_t}
     */
    public static native int zx_vmar_unmap(@Cast("zx_handle_t") int handle,
            @Cast("zx_vaddr_t") long addr, @Cast("size_t") long len);

    // ---- guest -----------------------------------------------------------------------------
    /**
     * The C function {@code zx_guest_create}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_guest_create} gives its rules.
     *
     * @param resource the {@code zx_handle_t} argument
     * @param options the {@code uint32_t} argument
     * @param guest_handle the {@code zx_handle_t*} argument; null is passed as NULL, and the array
     *        must hold the whole C object
     * @param vmar_handle the {@code zx_handle_t*} argument; null is passed as NULL, and the array
     *        must hold the whole C object
     * @return the {@code zx_status_t}
     */
    public static native int zx_guest_create(@Cast("zx_handle_t") int resource,
            @Cast("uint32_t") int options, @Cast("zx_handle_t*") int[] guest_handle,
            @Cast("zx_handle_t*") int[] vmar_handle);

    /**
     * The C function {@code zx_guest_set_trap}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_guest_set_trap} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param kind the {@code uint32_t} argument
     * @param addr the {@code zx_vaddr_t} argument
     * @param size the {@code size_t} argument
     * @param port_handle the {@code zx_handle_t} argument
     * @param key the {@code uint64_t} argument
     * @return the {@code zx_status_t}
     */
    public static native int zx_guest_set_trap(@Cast("zx_handle_t") int handle,
            @Cast("uint32_t") int kind, @Cast("zx_vaddr_t") long addr, @Cast("size_t") long size,
            @Cast("zx_handle_t") int port_handle, @Cast("uint64_t") long key);

    // ---- vcpu ------------------------------------------------------------------------------
    /**
     * The C function {@code zx_vcpu_create}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_vcpu_create} gives its rules.
     *
     * @param guest the {@code zx_handle_t} argument
     * @param options the {@code uint32_t} argument
     * @param entry the {@code zx_vaddr_t} argument
     * @param out the {@code zx_handle_t*} argument; null is passed as NULL, and the array must hold
     *        the whole C object
     * @return the {@code zx_status_t}
     */
    public static native int zx_vcpu_create(@Cast("zx_handle_t") int guest,
            @Cast("uint32_t") int options, @Cast("zx_vaddr_t") long entry,
            @Cast("zx_handle_t*") int[] out);

    /**
     * The C function {@code zx_vcpu_enter}, unchanged: {@link dev.zx4j.abi.Syscalls#zx_vcpu_enter}
     * gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param packet the {@code zx_port_packet_t*} argument; null is passed as NULL, and the array
     *        must hold the whole C object
     * @return the {@code zx_status_t}
     */
    @Name("zx4j_compat_vcpu_enter")
    public static native int zx_vcpu_enter(@Cast("zx_handle_t") int handle,
            @Cast("zx_port_packet_t*") byte[] packet);

    /**
     * The C function {@code zx_vcpu_kick}, unchanged: {@link dev.zx4j.abi.Syscalls#zx_vcpu_kick}
     * gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @return the {@code zx_status_t}
     */
    @Name("zx4j_compat_vcpu_kick")
    public static native int zx_vcpu_kick(@Cast("zx_handle_t") int handle);

    /**
     * The C function {@code zx_vcpu_interrupt}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_vcpu_interrupt} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param vector the {@code uint32_t} argument
     * @return the {@code zx_status_t}
     */
    public static native int zx_vcpu_interrupt(@Cast("zx_handle_t") int handle,
            @Cast("uint32_t") int vector);

    /**
     * The C function {@code zx_vcpu_read_state}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_vcpu_read_state} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param kind the {@code uint32_t} argument
     * @param buffer the {@code void*} argument; null is passed as NULL, and the array must hold the
     *        whole C object
     * @param buffer_size the {@code size_t} argument
     * @return the {@code zx_status_t}
     */
    public static native int zx_vcpu_read_state(@Cast("zx_handle_t") int handle,
            @Cast("uint32_t") int kind, @Cast("void*") byte[] buffer,
            @Cast("size_t") long buffer_size);

    /**
     * The C function {@code zx_vcpu_write_state}, unchanged:
     * {@link dev.zx4j.abi.Syscalls#zx_vcpu_write_state} gives its rules.
     *
     * @param handle the {@code zx_handle_t} argument
     * @param kind the {@code uint32_t} argument
     * @param buffer the {@code const void*} argument; null is passed as NULL, and the array must
     *        hold the whole C object
     * @param buffer_size the {@code size_t} argument
     * @return the {@code zx_status_t}
     */
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

        /** Allocates the native function pointer that calls {@link #call}. */
        protected HostCallback() {
            allocate();
        }

        private native void allocate();

        /**
         * Runs syscall {@code nr} of the host libzircon on the registered Java kernel; a Java
         * exception
         * becomes {@code ZX_ERR_INTERNAL} (0 for the clock call).
         *
         * @param nr the syscall number the host libzircon assigns
         * @param a0 argument 0, as a 64-bit integer (pointers included)
         * @param a1 argument 1
         * @param a2 argument 2
         * @param a3 argument 3
         * @param a4 argument 4
         * @param a5 argument 5
         * @param a6 argument 6
         * @return the syscall's result, as a 64-bit integer
         */
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
