package dev.zx4j.abi;

/**
 * The raw Zircon syscall surface, one Java method per C syscall.
 *
 * <p>Every kernel implements this interface: the simulated kernel ({@code dev.zx4j.sim.SimKernel})
 * and the JNI kernel ({@code dev.zx4j.jni.NativeKernel}). The typed API calls nothing else.
 *
 * <p>Mapping rules, applied uniformly:
 * <ul>
 *   <li>Names and argument order are exactly the C ones; the result is the {@code zx_status_t}.</li>
 *   <li>{@code zx_handle_t}, {@code uint32_t} and {@code zx_rights_t} are {@code int};
 *       {@code uint64_t}, {@code zx_time_t}, {@code zx_vaddr_t}, {@code zx_gpaddr_t} and
 *       {@code size_t} are {@code long} (unsigned values keep their bit pattern).</li>
 *   <li>A scalar out-parameter is a one-element array ({@code int[]} for handles,
 *       {@code long[]} for 64-bit values).</li>
 *   <li>A struct or byte buffer is a {@code byte[]} holding the C layout, little-endian
 *       (see {@link Layouts}).</li>
 *   <li>A {@code null} array, or one shorter than the C object it stands for, is a bad user
 *       pointer: the kernel reports {@link Zx#ZX_ERR_INVALID_ARGS} at the point where it would copy
 *       through it, exactly like a faulting pointer on Fuchsia — possibly after side effects
 *       (a packet dequeued by {@code zx_port_wait} is then lost).</li>
 * </ul>
 *
 * <p>The rules of each syscall (rights, check order, errors) are documented once, in
 * {@code fidl/*.fidl}, and implemented once, in the simulated kernel.
 */
public interface Syscalls {

    // ---- handle ----------------------------------------------------------------------------

    int zx_handle_close(int handle);

    int zx_handle_duplicate(int handle, int rights, int[] out);

    int zx_handle_replace(int handle, int rights, int[] out);

    // ---- object ----------------------------------------------------------------------------

    int zx_object_get_info(int handle, int topic, byte[] buffer, long bufferSize,
                           long[] actual, long[] avail);

    // ---- events, signals and waits ---------------------------------------------------------

    int zx_event_create(int options, int[] out);

    int zx_object_signal(int handle, int clearMask, int setMask);

    /** {@code observed} may be {@code null} (the C pointer may be NULL). */
    int zx_object_wait_one(int handle, int signals, long deadline, int[] observed);

    /** {@code items}: {@code count} {@code zx_wait_item_t} of 12 bytes, read and written back. */
    int zx_object_wait_many(byte[] items, long count, long deadline);

    int zx_object_wait_async(int handle, int port, long key, int signals, int options);

    // ---- timer -----------------------------------------------------------------------------

    int zx_timer_create(int options, int clockId, int[] out);

    int zx_timer_set(int handle, long deadline, long slack);

    int zx_timer_cancel(int handle);

    // ---- clock -----------------------------------------------------------------------------

    /** {@code zx_time_t zx_clock_get_monotonic(void)}: not a status, the current time in ns. */
    long zx_clock_get_monotonic();

    // ---- port ------------------------------------------------------------------------------

    int zx_port_create(int options, int[] out);

    int zx_port_queue(int handle, byte[] packet);

    int zx_port_wait(int handle, long deadline, byte[] packet);

    int zx_port_cancel(int handle, int source, long key);

    // ---- interrupt -------------------------------------------------------------------------

    int zx_interrupt_create(int srcObj, int srcNum, int options, int[] outHandle);

    int zx_interrupt_bind(int handle, int portHandle, long key, int options);

    int zx_interrupt_bind_vcpu(int handle, int vcpu, int options);

    int zx_interrupt_ack(int handle);

    int zx_interrupt_trigger(int handle, int options, long timestamp);

    /** {@code outTimestamp} may be {@code null} (the C pointer may be NULL). */
    int zx_interrupt_wait(int handle, long[] outTimestamp);

    int zx_interrupt_destroy(int handle);

    // ---- vmo / vmar (guest memory) ---------------------------------------------------------

    int zx_vmo_create(long size, int options, int[] out);

    int zx_vmo_read(int handle, byte[] buffer, long offset, long bufferSize);

    int zx_vmo_write(int handle, byte[] buffer, long offset, long bufferSize);

    int zx_vmo_get_size(int handle, long[] size);

    int zx_vmo_replace_as_executable(int handle, int vmex, int[] out);

    int zx_vmar_map(int handle, int options, long vmarOffset, int vmo, long vmoOffset, long len,
                    long[] mappedAddr);

    int zx_vmar_unmap(int handle, long addr, long len);

    // ---- guest -----------------------------------------------------------------------------

    int zx_guest_create(int resource, int options, int[] guestHandle, int[] vmarHandle);

    int zx_guest_set_trap(int handle, int kind, long addr, long size, int portHandle, long key);

    // ---- vcpu ------------------------------------------------------------------------------

    int zx_vcpu_create(int guest, int options, long entry, int[] out);

    int zx_vcpu_enter(int handle, byte[] packet);

    int zx_vcpu_kick(int handle);

    int zx_vcpu_interrupt(int handle, int vector);

    int zx_vcpu_read_state(int handle, int kind, byte[] buffer, long bufferSize);

    int zx_vcpu_write_state(int handle, int kind, byte[] buffer, long bufferSize);
}
