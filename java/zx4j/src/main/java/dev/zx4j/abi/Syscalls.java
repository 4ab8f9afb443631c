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

    /**
     * Closes a handle; closing {@link Zx#ZX_HANDLE_INVALID} is a no-op. Rules:
     * {@code fidl/handle.fidl}.
     *
     * @param handle the handle to close
     * @return {@link Zx#ZX_OK}, or {@link Zx#ZX_ERR_BAD_HANDLE} if it names no live handle
     */
    int zx_handle_close(int handle);

    /**
     * Creates a second handle to the same object, with the same or fewer rights.
     *
     * @param handle the handle to duplicate; needs {@link Zx#ZX_RIGHT_DUPLICATE}
     * @param rights the new handle's rights, or {@link Zx#ZX_RIGHT_SAME_RIGHTS}
     * @param out receives the new handle
     * @return the status; {@link Zx#ZX_ERR_INVALID_ARGS} if {@code rights} adds a right
     */
    int zx_handle_duplicate(int handle, int rights, int[] out);

    /**
     * Replaces a handle with a new one to the same object with the same or fewer rights; needs no
     * right. The old handle is closed even when {@code rights} is rejected.
     *
     * @param handle the handle to replace
     * @param rights the new handle's rights, or {@link Zx#ZX_RIGHT_SAME_RIGHTS}
     * @param out receives the new handle
     * @return the status
     */
    int zx_handle_replace(int handle, int rights, int[] out);

    // ---- object ----------------------------------------------------------------------------

    /**
     * Reads information about an object into a buffer. Rules: {@code fidl/object.fidl}.
     *
     * @param handle the object's handle
     * @param topic which record to read ({@link Zx#ZX_INFO_HANDLE_VALID},
     *        {@link Zx#ZX_INFO_HANDLE_BASIC}, {@link Zx#ZX_INFO_TIMER})
     * @param buffer receives the records in their C layout
     * @param bufferSize the buffer's size in bytes
     * @param actual receives the number of records written; may be {@code null}
     * @param avail receives the number of records available; may be {@code null}
     * @return the status; {@link Zx#ZX_ERR_BUFFER_TOO_SMALL} if one record does not fit
     */
    int zx_object_get_info(int handle, int topic, byte[] buffer, long bufferSize,
                           long[] actual, long[] avail);

    // ---- events, signals and waits ---------------------------------------------------------

    /**
     * Creates an event object.
     *
     * @param options must be 0
     * @param out receives the event handle (rights {@link Zx#ZX_DEFAULT_EVENT_RIGHTS})
     * @return the status
     */
    int zx_event_create(int options, int[] out);

    /**
     * Clears then sets user signals (and, for events, {@link Zx#ZX_EVENT_SIGNALED}) on an object.
     *
     * @param handle the object; needs {@link Zx#ZX_RIGHT_SIGNAL}
     * @param clearMask signals to clear
     * @param setMask signals to set
     * @return the status; {@link Zx#ZX_ERR_INVALID_ARGS} if a mask holds a non-user signal
     */
    int zx_object_signal(int handle, int clearMask, int setMask);

    /**
     * Blocks until one of {@code signals} is set on the object or the deadline passes.
     * {@code observed} may be {@code null} (the C pointer may be NULL).
     *
     * @param handle the object; needs {@link Zx#ZX_RIGHT_WAIT}
     * @param signals the signals to wait for
     * @param deadline the absolute monotonic deadline in ns ({@link Zx#ZX_TIME_INFINITE} for none)
     * @param observed receives the signals observed at return
     * @return the status; {@link Zx#ZX_ERR_TIMED_OUT} when the deadline passed,
     *         {@link Zx#ZX_ERR_CANCELED} when the handle was closed during the wait
     */
    int zx_object_wait_one(int handle, int signals, long deadline, int[] observed);

    /**
     * Blocks until any one item's signals are set.
     * {@code items}: {@code count} {@code zx_wait_item_t} of 12 bytes, read and written back.
     *
     * @param items the wait items; each item's pending field is written back
     * @param count the number of items, at most {@link Zx#ZX_WAIT_MANY_MAX_ITEMS}
     * @param deadline the absolute monotonic deadline in ns
     * @return the status; {@link Zx#ZX_ERR_OUT_OF_RANGE} if {@code count} is too large
     */
    int zx_object_wait_many(byte[] items, long count, long deadline);

    /**
     * Arms an asynchronous wait: when a signal in {@code signals} is set, a signal packet with
     * {@code key} is queued on the port.
     *
     * @param handle the object to watch; needs {@link Zx#ZX_RIGHT_WAIT}
     * @param port the port; needs {@link Zx#ZX_RIGHT_WRITE}
     * @param key the key the packet carries
     * @param signals the signals to watch
     * @param options {@link Zx#ZX_WAIT_ASYNC_ONCE}, optionally with
     *        {@link Zx#ZX_WAIT_ASYNC_TIMESTAMP} or {@link Zx#ZX_WAIT_ASYNC_EDGE}
     * @return the status
     */
    int zx_object_wait_async(int handle, int port, long key, int signals, int options);

    // ---- timer -----------------------------------------------------------------------------

    /**
     * Creates a timer. Rules: {@code fidl/timer.fidl}.
     *
     * @param options the slack mode ({@link Zx#ZX_TIMER_SLACK_CENTER}, {@code _EARLY} or
     *        {@code _LATE})
     * @param clockId must be {@link Zx#ZX_CLOCK_MONOTONIC}
     * @param out receives the timer handle
     * @return the status
     */
    int zx_timer_create(int options, int clockId, int[] out);

    /**
     * Arms (or re-arms) a timer; it asserts {@link Zx#ZX_TIMER_SIGNALED} once the deadline passes.
     *
     * @param handle the timer; needs {@link Zx#ZX_RIGHT_WRITE}
     * @param deadline the absolute monotonic deadline in ns
     * @param slack how far from the deadline the timer may fire, in ns; must not be negative
     * @return the status
     */
    int zx_timer_set(int handle, long deadline, long slack);

    /**
     * Disarms a timer and clears {@link Zx#ZX_TIMER_SIGNALED}.
     *
     * @param handle the timer; needs {@link Zx#ZX_RIGHT_WRITE}
     * @return the status
     */
    int zx_timer_cancel(int handle);

    // ---- clock -----------------------------------------------------------------------------

    /**
     * {@code zx_time_t zx_clock_get_monotonic(void)}: not a status, the current time in ns.
     *
     * @return the monotonic time in nanoseconds
     */
    long zx_clock_get_monotonic();

    // ---- port ------------------------------------------------------------------------------

    /**
     * Creates a port (a queue of packets).
     *
     * @param options 0, or {@link Zx#ZX_PORT_BIND_TO_INTERRUPT} to allow interrupt binding
     * @param out receives the port handle
     * @return the status
     */
    int zx_port_create(int options, int[] out);

    /**
     * Queues a user packet on a port.
     *
     * @param handle the port; needs {@link Zx#ZX_RIGHT_WRITE}
     * @param packet a {@code zx_port_packet_t} ({@link Layouts#PORT_PACKET_SIZE} bytes); its type
     *        is
     *        replaced with {@link Zx#ZX_PKT_TYPE_USER}
     * @return the status
     */
    int zx_port_queue(int handle, byte[] packet);

    /**
     * Dequeues the next packet, blocking until one arrives or the deadline passes.
     *
     * @param handle the port; needs {@link Zx#ZX_RIGHT_READ}
     * @param deadline the absolute monotonic deadline in ns
     * @param packet receives the packet ({@link Layouts#PORT_PACKET_SIZE} bytes)
     * @return the status; {@link Zx#ZX_ERR_TIMED_OUT} when the deadline passed
     */
    int zx_port_wait(int handle, long deadline, byte[] packet);

    /**
     * Cancels the pending asynchronous waits of one object on this port that carry {@code key}.
     *
     * @param handle the port; needs {@link Zx#ZX_RIGHT_WRITE}
     * @param source the watched object's handle
     * @param key the key the waits were armed with
     * @return the status; {@link Zx#ZX_ERR_NOT_FOUND} if no such wait was pending
     */
    int zx_port_cancel(int handle, int source, long key);

    // ---- interrupt -------------------------------------------------------------------------

    /**
     * Creates an interrupt object. Rules: {@code fidl/interrupt.fidl}.
     *
     * @param srcObj an IRQ resource covering {@code srcNum}; ignored for a virtual interrupt
     * @param srcNum the interrupt vector
     * @param options a trigger mode, {@link Zx#ZX_INTERRUPT_REMAP_IRQ} or
     *        {@link Zx#ZX_INTERRUPT_VIRTUAL}
     * @param outHandle receives the interrupt handle
     * @return the status
     */
    int zx_interrupt_create(int srcObj, int srcNum, int options, int[] outHandle);

    /**
     * Binds an interrupt to a port (interrupts then arrive as packets), or unbinds it.
     *
     * @param handle the interrupt; needs {@link Zx#ZX_RIGHT_READ}
     * @param portHandle the port, created with {@link Zx#ZX_PORT_BIND_TO_INTERRUPT}
     * @param key the key the interrupt packets carry
     * @param options {@link Zx#ZX_INTERRUPT_BIND} or {@link Zx#ZX_INTERRUPT_UNBIND}
     * @return the status; {@link Zx#ZX_ERR_ALREADY_BOUND} if already bound
     */
    int zx_interrupt_bind(int handle, int portHandle, long key, int options);

    /**
     * Binds an interrupt to a VCPU, so that triggering it injects its vector into the guest.
     *
     * @param handle the interrupt; needs {@link Zx#ZX_RIGHT_READ}; not a virtual interrupt
     * @param vcpu the VCPU; needs {@link Zx#ZX_RIGHT_WRITE}
     * @param options not checked
     * @return the status
     */
    int zx_interrupt_bind_vcpu(int handle, int vcpu, int options);

    /**
     * Acknowledges a port-bound interrupt so it can fire again.
     *
     * @param handle the interrupt; needs {@link Zx#ZX_RIGHT_WRITE}
     * @return the status
     */
    int zx_interrupt_ack(int handle);

    /**
     * Triggers a virtual interrupt.
     *
     * @param handle the interrupt; needs {@link Zx#ZX_RIGHT_SIGNAL}
     * @param options must be 0
     * @param timestamp the timestamp reported to the waiter
     * @return the status; {@link Zx#ZX_ERR_BAD_STATE} if it is not a virtual interrupt
     */
    int zx_interrupt_trigger(int handle, int options, long timestamp);

    /**
     * Blocks until the interrupt fires (for interrupts not bound to a port).
     * {@code outTimestamp} may be {@code null} (the C pointer may be NULL).
     *
     * @param handle the interrupt; needs {@link Zx#ZX_RIGHT_WAIT}
     * @param outTimestamp receives the interrupt's timestamp on success
     * @return the status; {@link Zx#ZX_ERR_CANCELED} if the interrupt was destroyed
     */
    int zx_interrupt_wait(int handle, long[] outTimestamp);

    /**
     * Destroys an interrupt: pending and future waits fail with {@link Zx#ZX_ERR_CANCELED}.
     *
     * @param handle the interrupt; needs no right
     * @return the status
     */
    int zx_interrupt_destroy(int handle);

    // ---- vmo / vmar (guest memory) ---------------------------------------------------------

    /**
     * Creates a VMO of zero-filled memory. Rules: {@code fidl/vmo.fidl}.
     *
     * @param size the size in bytes, rounded up to whole pages
     * @param options 0 or {@link Zx#ZX_VMO_RESIZABLE}
     * @param out receives the VMO handle
     * @return the status
     */
    int zx_vmo_create(long size, int options, int[] out);

    /**
     * Copies bytes out of a VMO.
     *
     * @param handle the VMO; needs {@link Zx#ZX_RIGHT_READ}
     * @param buffer receives the bytes
     * @param offset the byte offset in the VMO
     * @param bufferSize how many bytes to copy
     * @return the status; {@link Zx#ZX_ERR_OUT_OF_RANGE} if the range passes the VMO's end
     */
    int zx_vmo_read(int handle, byte[] buffer, long offset, long bufferSize);

    /**
     * Copies bytes into a VMO.
     *
     * @param handle the VMO; needs {@link Zx#ZX_RIGHT_WRITE}
     * @param buffer the bytes to write
     * @param offset the byte offset in the VMO
     * @param bufferSize how many bytes to copy
     * @return the status; {@link Zx#ZX_ERR_OUT_OF_RANGE} if the range passes the VMO's end
     */
    int zx_vmo_write(int handle, byte[] buffer, long offset, long bufferSize);

    /**
     * Reads a VMO's size.
     *
     * @param handle the VMO
     * @param size receives the size in bytes
     * @return the status
     */
    int zx_vmo_get_size(int handle, long[] size);

    /**
     * Replaces a VMO handle with one that also has {@link Zx#ZX_RIGHT_EXECUTE}.
     *
     * @param handle the VMO handle, consumed
     * @param vmex a VMEX resource handle
     * @param out receives the new handle
     * @return the status
     */
    int zx_vmo_replace_as_executable(int handle, int vmex, int[] out);

    /**
     * Maps a range of a VMO into a VMAR (for a guest, into guest-physical memory). Rules:
     * {@code fidl/vmar.fidl}.
     *
     * @param handle the VMAR
     * @param options {@code ZX_VM_*} permission and placement flags
     * @param vmarOffset the offset in the VMAR, used with {@link Zx#ZX_VM_SPECIFIC}
     * @param vmo the VMO to map; needs {@link Zx#ZX_RIGHT_MAP}
     * @param vmoOffset the page-aligned offset in the VMO
     * @param len the length in bytes
     * @param mappedAddr receives the mapped address
     * @return the status
     */
    int zx_vmar_map(int handle, int options, long vmarOffset, int vmo, long vmoOffset, long len,
                    long[] mappedAddr);

    /**
     * Removes the mappings in a range of a VMAR.
     *
     * @param handle the VMAR
     * @param addr the page-aligned start address
     * @param len the length in bytes
     * @return the status
     */
    int zx_vmar_unmap(int handle, long addr, long len);

    // ---- guest -----------------------------------------------------------------------------

    /**
     * Creates a hypervisor guest and its guest-physical address space. Rules:
     * {@code fidl/guest.fidl}.
     *
     * @param resource the hypervisor resource
     * @param options must be 0
     * @param guestHandle receives the guest handle
     * @param vmarHandle receives the guest-physical VMAR handle
     * @return the status; {@link Zx#ZX_ERR_NOT_SUPPORTED} where there is no hypervisor
     */
    int zx_guest_create(int resource, int options, int[] guestHandle, int[] vmarHandle);

    /**
     * Installs a trap on a range of guest-physical memory or I/O ports.
     *
     * @param handle the guest; needs {@link Zx#ZX_RIGHT_WRITE}
     * @param kind {@link Zx#ZX_GUEST_TRAP_BELL}, {@link Zx#ZX_GUEST_TRAP_MEM} or
     *        {@link Zx#ZX_GUEST_TRAP_IO}
     * @param addr the start of the range
     * @param size the size of the range
     * @param portHandle the port bell packets go to, or {@link Zx#ZX_HANDLE_INVALID}
     * @param key the key trap packets carry
     * @return the status; {@link Zx#ZX_ERR_ALREADY_EXISTS} if the range overlaps a trap
     */
    int zx_guest_set_trap(int handle, int kind, long addr, long size, int portHandle, long key);

    // ---- vcpu ------------------------------------------------------------------------------

    /**
     * Creates a VCPU in a guest. Rules: {@code fidl/vcpu.fidl}.
     *
     * @param guest the guest; needs {@link Zx#ZX_RIGHT_MANAGE_PROCESS}
     * @param options must be 0
     * @param entry the guest-physical address where execution starts
     * @param out receives the VCPU handle
     * @return the status
     */
    int zx_vcpu_create(int guest, int options, long entry, int[] out);

    /**
     * Runs the VCPU on the calling thread until a trap stops it.
     *
     * @param handle the VCPU; needs {@link Zx#ZX_RIGHT_EXECUTE}
     * @param packet receives the packet describing why the VCPU stopped
     * @return the status; {@link Zx#ZX_ERR_CANCELED} after a kick
     */
    int zx_vcpu_enter(int handle, byte[] packet);

    /**
     * Makes a running (or the next) {@code zx_vcpu_enter} return {@link Zx#ZX_ERR_CANCELED}.
     *
     * @param handle the VCPU; needs {@link Zx#ZX_RIGHT_EXECUTE}
     * @return the status
     */
    int zx_vcpu_kick(int handle);

    /**
     * Raises an interrupt vector in the VCPU.
     *
     * @param handle the VCPU; needs {@link Zx#ZX_RIGHT_SIGNAL}
     * @param vector the vector, 0..255; a larger one is dropped silently
     * @return the status
     */
    int zx_vcpu_interrupt(int handle, int vector);

    /**
     * Reads the VCPU's register state; only from the thread that runs it.
     *
     * @param handle the VCPU; needs {@link Zx#ZX_RIGHT_READ}
     * @param kind must be {@link Zx#ZX_VCPU_STATE}
     * @param buffer receives a {@code zx_vcpu_state_t}
     * @param bufferSize the buffer size; must be {@link Layouts#VCPU_STATE_SIZE}
     * @return the status
     */
    int zx_vcpu_read_state(int handle, int kind, byte[] buffer, long bufferSize);

    /**
     * Writes the VCPU's register state, or the result of a trapped I/O port read.
     *
     * @param handle the VCPU; needs {@link Zx#ZX_RIGHT_WRITE}
     * @param kind {@link Zx#ZX_VCPU_STATE} or {@link Zx#ZX_VCPU_IO}
     * @param buffer a {@code zx_vcpu_state_t} or {@code zx_vcpu_io_t}
     * @param bufferSize the buffer size; must match the kind's struct size
     * @return the status
     */
    int zx_vcpu_write_state(int handle, int kind, byte[] buffer, long bufferSize);
}
