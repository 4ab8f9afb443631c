package dev.zx4j.abi;

/**
 * Numeric constants of the Zircon ABI era this project models (see README, "ABI era").
 *
 * <p>Names and values are those of the C headers; the typed API wraps them in {@code Status},
 * {@code Rights} and option types.
 */
public final class Zx {
    private Zx() {}

    // ---- zx_status_t -----------------------------------------------------------------------
    /** Status: the operation succeeded. */
    public static final int ZX_OK = 0;
    /** Status: the kernel hit an unexpected condition that no more specific status describes. */
    public static final int ZX_ERR_INTERNAL = -1;
    /** Status: the operation or option is not implemented or not available on this system. */
    public static final int ZX_ERR_NOT_SUPPORTED = -2;
    /** Status: a kernel resource other than memory (a handle slot, a port or IRQ slot) ran out. */
    public static final int ZX_ERR_NO_RESOURCES = -3;
    /** Status: the kernel could not allocate the memory the operation needs. */
    public static final int ZX_ERR_NO_MEMORY = -4;
    /**
     * Status used inside the kernel: the call was interrupted and is restarted; never returned to
     * user space.
     */
    public static final int ZX_ERR_INTERNAL_INTR_RETRY = -6;
    /** Status: an argument is invalid (bad pointer, unknown option bits, size out of bounds). */
    public static final int ZX_ERR_INVALID_ARGS = -10;
    /** Status: a handle value does not name a live handle of the calling process. */
    public static final int ZX_ERR_BAD_HANDLE = -11;
    /** Status: a handle names an object of another type than the call expects. */
    public static final int ZX_ERR_WRONG_TYPE = -12;
    /** Status: the syscall number is not valid, or the caller may not use it. */
    public static final int ZX_ERR_BAD_SYSCALL = -13;
    /** Status: an argument (offset, index, slot, address) lies outside the accepted range. */
    public static final int ZX_ERR_OUT_OF_RANGE = -14;
    /** Status: the caller's buffer cannot hold the result. */
    public static final int ZX_ERR_BUFFER_TOO_SMALL = -15;
    /**
     * Status: the object is not in a state where the operation is allowed (already bound, not
     * armed).
     */
    public static final int ZX_ERR_BAD_STATE = -20;
    /** Status: the deadline passed before the awaited condition became true. */
    public static final int ZX_ERR_TIMED_OUT = -21;
    /**
     * Status: nothing is ready now; the call would have to block (e.g. an empty port with a past
     * deadline).
     */
    public static final int ZX_ERR_SHOULD_WAIT = -22;
    /**
     * Status: the wait was aborted, for example because the object was destroyed or the operation
     * cancelled.
     */
    public static final int ZX_ERR_CANCELED = -23;
    /** Status: the other end of a paired object was closed. */
    public static final int ZX_ERR_PEER_CLOSED = -24;
    /** Status: the requested item (key, mapping, entry) does not exist. */
    public static final int ZX_ERR_NOT_FOUND = -25;
    /** Status: the item to be created or inserted is already present. */
    public static final int ZX_ERR_ALREADY_EXISTS = -26;
    /**
     * Status: the object or slot is already bound (e.g. an interrupt already bound to a port or
     * VCPU).
     */
    public static final int ZX_ERR_ALREADY_BOUND = -27;
    /** Status: the resource exists but cannot be used right now. */
    public static final int ZX_ERR_UNAVAILABLE = -28;
    /** Status: the handle lacks a right the operation requires, or the policy forbids it. */
    public static final int ZX_ERR_ACCESS_DENIED = -30;
    /** Status: an input/output operation failed in the device or transport. */
    public static final int ZX_ERR_IO = -40;
    /** Status: the device refused the request. */
    public static final int ZX_ERR_IO_REFUSED = -41;
    /** Status: the data read back failed an integrity check. */
    public static final int ZX_ERR_IO_DATA_INTEGRITY = -42;
    /** Status: data was lost in the transfer. */
    public static final int ZX_ERR_IO_DATA_LOSS = -43;
    /** Status: the device is not present or no longer attached. */
    public static final int ZX_ERR_IO_NOT_PRESENT = -44;
    /** Status: more data arrived than the receiver could take. */
    public static final int ZX_ERR_IO_OVERRUN = -45;
    /** Status: the operation could not complete within its time budget. */
    public static final int ZX_ERR_IO_MISSED_DEADLINE = -46;
    /** Status: the device reported that the request itself is malformed. */
    public static final int ZX_ERR_IO_INVALID = -47;
    /** Status: a path is syntactically invalid. */
    public static final int ZX_ERR_BAD_PATH = -50;
    /** Status: a directory was expected but something else was found. */
    public static final int ZX_ERR_NOT_DIR = -51;
    /** Status: a regular file was expected but something else was found. */
    public static final int ZX_ERR_NOT_FILE = -52;
    /** Status: the file would exceed the maximum size the filesystem supports. */
    public static final int ZX_ERR_FILE_BIG = -53;
    /** Status: the storage is full. */
    public static final int ZX_ERR_NO_SPACE = -54;
    /** Status: the directory (or container) is not empty. */
    public static final int ZX_ERR_NOT_EMPTY = -55;
    /** Status used by callbacks: stop iterating; not an error. */
    public static final int ZX_ERR_STOP = -60;
    /** Status used by callbacks: go on to the next item; not an error. */
    public static final int ZX_ERR_NEXT = -61;
    /** Status used by callbacks: the work continues asynchronously. */
    public static final int ZX_ERR_ASYNC = -62;
    /** Status: the network protocol is not supported. */
    public static final int ZX_ERR_PROTOCOL_NOT_SUPPORTED = -70;
    /** Status: the network address cannot be reached. */
    public static final int ZX_ERR_ADDRESS_UNREACHABLE = -71;
    /** Status: the network address is already in use. */
    public static final int ZX_ERR_ADDRESS_IN_USE = -72;
    /** Status: the socket is not connected. */
    public static final int ZX_ERR_NOT_CONNECTED = -73;
    /** Status: the remote side refused the connection. */
    public static final int ZX_ERR_CONNECTION_REFUSED = -74;
    /** Status: the remote side reset the connection. */
    public static final int ZX_ERR_CONNECTION_RESET = -75;
    /** Status: the connection was aborted locally. */
    public static final int ZX_ERR_CONNECTION_ABORTED = -76;

    // ---- handles ---------------------------------------------------------------------------
    /** The handle value 0, which never names a handle ("no handle"). */
    public static final int ZX_HANDLE_INVALID = 0;
    /**
     * Low two bits that are always 1 in a valid handle value; a value without them is never valid.
     */
    public static final int ZX_HANDLE_FIXED_BITS_MASK = 0x3;

    // ---- zx_rights_t -----------------------------------------------------------------------
    /** Right set with no rights at all. */
    public static final int ZX_RIGHT_NONE = 0;
    /** Right to duplicate the handle ({@code zx_handle_duplicate}). */
    public static final int ZX_RIGHT_DUPLICATE = 1 << 0;
    /** Right to send the handle over a channel to another process. */
    public static final int ZX_RIGHT_TRANSFER = 1 << 1;
    /** Right to read the object's data or state (VMO contents, port packets, VCPU registers). */
    public static final int ZX_RIGHT_READ = 1 << 2;
    /**
     * Right to modify the object's data or state (VMO contents, port queue, VCPU registers, traps).
     */
    public static final int ZX_RIGHT_WRITE = 1 << 3;
    /** Right to execute: map a VMO executable, or resume a VCPU. */
    public static final int ZX_RIGHT_EXECUTE = 1 << 4;
    /** Right to map a VMO into a VMAR. */
    public static final int ZX_RIGHT_MAP = 1 << 5;
    /** Right to read object properties ({@code zx_object_get_property}). */
    public static final int ZX_RIGHT_GET_PROPERTY = 1 << 6;
    /** Right to change object properties ({@code zx_object_set_property}). */
    public static final int ZX_RIGHT_SET_PROPERTY = 1 << 7;
    /** Right to list an object's children (job and process objects). */
    public static final int ZX_RIGHT_ENUMERATE = 1 << 8;
    /** Right to destroy the object (e.g. a VMAR or an interrupt). */
    public static final int ZX_RIGHT_DESTROY = 1 << 9;
    /** Right to set a job's policy. */
    public static final int ZX_RIGHT_SET_POLICY = 1 << 10;
    /** Right to read a job's policy. */
    public static final int ZX_RIGHT_GET_POLICY = 1 << 11;
    /** Right to set or clear the object's user signals ({@code zx_object_signal}). */
    public static final int ZX_RIGHT_SIGNAL = 1 << 12;
    /** Right to signal the peer of a paired object. */
    public static final int ZX_RIGHT_SIGNAL_PEER = 1 << 13;
    /** Right to wait on the object's signals ({@code zx_object_wait_one}, {@code wait_async}). */
    public static final int ZX_RIGHT_WAIT = 1 << 14;
    /** Right to query the object ({@code zx_object_get_info}). */
    public static final int ZX_RIGHT_INSPECT = 1 << 15;
    /** Right to create and manage child jobs. */
    public static final int ZX_RIGHT_MANAGE_JOB = 1 << 16;
    /**
     * Right to manage processes; in this era also what {@code zx_vcpu_create} checks on a guest.
     */
    public static final int ZX_RIGHT_MANAGE_PROCESS = 1 << 17;
    /** Right to manage threads (suspend, read their state). */
    public static final int ZX_RIGHT_MANAGE_THREAD = 1 << 18;
    /** Right to apply a scheduling profile. */
    public static final int ZX_RIGHT_APPLY_PROFILE = 1 << 19;
    /** Pseudo-right: "keep the rights the source handle has" in duplicate and replace. */
    public static final int ZX_RIGHT_SAME_RIGHTS = 1 << 31;

    /** Rights almost every object handle starts with: transfer, duplicate, wait and inspect. */
    public static final int ZX_RIGHTS_BASIC =
            ZX_RIGHT_TRANSFER | ZX_RIGHT_DUPLICATE | ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT;
    /** The read and write rights together. */
    public static final int ZX_RIGHTS_IO = ZX_RIGHT_READ | ZX_RIGHT_WRITE;
    /** The get-property and set-property rights together. */
    public static final int ZX_RIGHTS_PROPERTY = ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY;

    /** Rights of a handle returned by {@code zx_interrupt_create}. */
    public static final int ZX_DEFAULT_INTERRUPT_RIGHTS = ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHT_SIGNAL;
    /**
     * Rights of a handle returned by {@code zx_port_create} (basic rights minus wait, plus I/O).
     */
    public static final int ZX_DEFAULT_PORT_RIGHTS = (ZX_RIGHTS_BASIC & ~ZX_RIGHT_WAIT) | ZX_RIGHTS_IO;
    /** Rights of a resource handle as the kernel hands it out. */
    public static final int ZX_DEFAULT_RESOURCE_RIGHTS =
            ZX_RIGHT_TRANSFER | ZX_RIGHT_DUPLICATE | ZX_RIGHT_WRITE | ZX_RIGHT_INSPECT;
    /** Era modelled: guests carry MANAGE_PROCESS (the right {@code zx_vcpu_create} checks). */
    public static final int ZX_DEFAULT_GUEST_RIGHTS = ZX_RIGHT_TRANSFER | ZX_RIGHT_DUPLICATE
            | ZX_RIGHT_WRITE | ZX_RIGHT_INSPECT | ZX_RIGHT_MANAGE_PROCESS;
    /** Rights of a handle returned by {@code zx_vcpu_create}. */
    public static final int ZX_DEFAULT_VCPU_RIGHTS =
            ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHT_EXECUTE | ZX_RIGHT_SIGNAL;
    /** Rights of a handle returned by {@code zx_vmo_create}. */
    public static final int ZX_DEFAULT_VMO_RIGHTS =
            ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHTS_PROPERTY | ZX_RIGHT_MAP | ZX_RIGHT_SIGNAL;
    /**
     * Default rights of a VMAR handle: the basic rights minus wait (the guest-physical VMAR of
     * {@code zx_guest_create} also gets read, write and execute).
     */
    public static final int ZX_DEFAULT_VMAR_RIGHTS = ZX_RIGHTS_BASIC & ~ZX_RIGHT_WAIT;

    // ---- zx_obj_type_t ---------------------------------------------------------------------
    /** Object type value meaning "no object" (an invalid handle). */
    public static final int ZX_OBJ_TYPE_NONE = 0;
    /** Object type of a process. */
    public static final int ZX_OBJ_TYPE_PROCESS = 1;
    /** Object type of a thread. */
    public static final int ZX_OBJ_TYPE_THREAD = 2;
    /** Object type of a virtual memory object. */
    public static final int ZX_OBJ_TYPE_VMO = 3;
    /** Object type of a channel endpoint. */
    public static final int ZX_OBJ_TYPE_CHANNEL = 4;
    /** Object type of an event. */
    public static final int ZX_OBJ_TYPE_EVENT = 5;
    /** Object type of a port. */
    public static final int ZX_OBJ_TYPE_PORT = 6;
    /** Object type of an interrupt. */
    public static final int ZX_OBJ_TYPE_INTERRUPT = 9;
    /** Object type of a resource. */
    public static final int ZX_OBJ_TYPE_RESOURCE = 15;
    /** Object type of a virtual memory address region. */
    public static final int ZX_OBJ_TYPE_VMAR = 18;
    /** Object type of a hypervisor guest. */
    public static final int ZX_OBJ_TYPE_GUEST = 20;
    /** Object type of a virtual CPU. */
    public static final int ZX_OBJ_TYPE_VCPU = 21;

    // ---- object info -----------------------------------------------------------------------
    /**
     * {@code zx_object_get_info} topic: only checks that the handle is valid; returns no record.
     */
    public static final int ZX_INFO_HANDLE_VALID = 1;
    /** {@code zx_object_get_info} topic: the handle's koid, rights, type and related koid. */
    public static final int ZX_INFO_HANDLE_BASIC = 2;

    // ---- time ------------------------------------------------------------------------------
    /** Deadline that never passes (waits forever). */
    public static final long ZX_TIME_INFINITE = Long.MAX_VALUE;
    /** Deadline that has always passed (the wait only polls). */
    public static final long ZX_TIME_INFINITE_PAST = Long.MIN_VALUE;

    // ---- ports and packets -----------------------------------------------------------------
    /** {@code zx_port_create} option: the port may have interrupts bound to it. */
    public static final int ZX_PORT_BIND_TO_INTERRUPT = 0x1;
    /** Port packet type of a packet queued by {@code zx_port_queue}. */
    public static final int ZX_PKT_TYPE_USER = 0x00;
    /** Port packet type of a signal packet from {@code zx_object_wait_async}. */
    public static final int ZX_PKT_TYPE_SIGNAL_ONE = 0x01;
    /** Port packet type of a guest bell trap (a write to a trapped address). */
    public static final int ZX_PKT_TYPE_GUEST_BELL = 0x03;
    /** Port packet type of a guest memory trap (an access to trapped MMIO). */
    public static final int ZX_PKT_TYPE_GUEST_MEM = 0x04;
    /** Port packet type of a guest I/O port trap. */
    public static final int ZX_PKT_TYPE_GUEST_IO = 0x05;
    /** Port packet type of a VCPU event (interrupt or startup request from the guest). */
    public static final int ZX_PKT_TYPE_GUEST_VCPU = 0x06;
    /** Port packet type of an interrupt bound to the port. */
    public static final int ZX_PKT_TYPE_INTERRUPT = 0x07;
    /** VCPU packet subtype: the guest sent an inter-processor interrupt. */
    public static final int ZX_PKT_GUEST_VCPU_INTERRUPT = 0;
    /** VCPU packet subtype: the guest asked for a secondary VCPU to start. */
    public static final int ZX_PKT_GUEST_VCPU_STARTUP = 1;

    // ---- interrupts ------------------------------------------------------------------------
    /** {@code zx_interrupt_create} option: the vector is a remappable IRQ number. */
    public static final int ZX_INTERRUPT_REMAP_IRQ = 0x1;
    /** Interrupt trigger mode: whatever the platform configured for this vector. */
    public static final int ZX_INTERRUPT_MODE_DEFAULT = 0x0;
    /** Interrupt trigger mode: falling edge. */
    public static final int ZX_INTERRUPT_MODE_EDGE_LOW = 0x2;
    /** Interrupt trigger mode: rising edge. */
    public static final int ZX_INTERRUPT_MODE_EDGE_HIGH = 0x4;
    /** Interrupt trigger mode: active-low level. */
    public static final int ZX_INTERRUPT_MODE_LEVEL_LOW = 0x6;
    /** Interrupt trigger mode: active-high level. */
    public static final int ZX_INTERRUPT_MODE_LEVEL_HIGH = 0x8;
    /** Interrupt trigger mode: both edges. */
    public static final int ZX_INTERRUPT_MODE_EDGE_BOTH = 0xA;
    /** Bits of the interrupt options that hold the trigger mode. */
    public static final int ZX_INTERRUPT_MODE_MASK = 0xE;
    /**
     * {@code zx_interrupt_create} option: a virtual interrupt, triggered only by
     * {@code zx_interrupt_trigger}.
     */
    public static final int ZX_INTERRUPT_VIRTUAL = 0x10;
    /** {@code zx_interrupt_bind} option: bind the interrupt to the port. */
    public static final int ZX_INTERRUPT_BIND = 0;
    /** {@code zx_interrupt_bind} option: unbind the interrupt from the port. */
    public static final int ZX_INTERRUPT_UNBIND = 1;
    /**
     * Interrupt slot number reserved for user-initiated wake-ups (the slot-based interrupt API).
     */
    public static final int ZX_INTERRUPT_SLOT_USER = 62;

    // ---- resources (2021+ numbering) -------------------------------------------------------
    /** Resource kind: a range of physical MMIO addresses. */
    public static final int ZX_RSRC_KIND_MMIO = 0;
    /** Resource kind: a range of interrupt vectors. */
    public static final int ZX_RSRC_KIND_IRQ = 1;
    /** Resource kind: a range of x86 I/O ports. */
    public static final int ZX_RSRC_KIND_IOPORT = 2;
    /** Resource kind: the root resource (2021+ numbering). */
    public static final int ZX_RSRC_KIND_ROOT = 3;
    /** Resource kind: ARM secure monitor call ranges. */
    public static final int ZX_RSRC_KIND_SMC = 4;
    /** Resource kind: system resources, indexed by the {@code ZX_RSRC_SYSTEM_*} bases. */
    public static final int ZX_RSRC_KIND_SYSTEM = 5;
    /** System resource base granting the hypervisor (guest creation). */
    public static final int ZX_RSRC_SYSTEM_HYPERVISOR_BASE = 0;
    /** System resource base granting executable VMOs. */
    public static final int ZX_RSRC_SYSTEM_VMEX_BASE = 1;

    // ---- vmo / vmar ------------------------------------------------------------------------
    /** {@code zx_vmo_create} option: the VMO may be resized later. */
    public static final int ZX_VMO_RESIZABLE = 1 << 1;
    /** Mapping flag: the pages are readable. */
    public static final int ZX_VM_PERM_READ = 1 << 0;
    /** Mapping flag: the pages are writable. */
    public static final int ZX_VM_PERM_WRITE = 1 << 1;
    /** Mapping flag: the pages are executable. */
    public static final int ZX_VM_PERM_EXECUTE = 1 << 2;
    /** Mapping flag: map at exactly the given offset in the VMAR; fail if it is taken. */
    public static final int ZX_VM_SPECIFIC = 1 << 4;
    /** Mapping flag: map at exactly the given offset, replacing mappings already there. */
    public static final int ZX_VM_SPECIFIC_OVERWRITE = 1 << 5;

    // ---- hypervisor ------------------------------------------------------------------------
    /** Guest trap kind: a write to the range queues a bell packet; the VCPU keeps running. */
    public static final int ZX_GUEST_TRAP_BELL = 0;
    /** Guest trap kind: an access to the range stops the VCPU with a memory packet. */
    public static final int ZX_GUEST_TRAP_MEM = 1;
    /** Guest trap kind: an x86 I/O port access in the range stops the VCPU with an I/O packet. */
    public static final int ZX_GUEST_TRAP_IO = 2;
    /** {@code zx_vcpu_read_state}/{@code write_state} kind: the general-purpose register file. */
    public static final int ZX_VCPU_STATE = 0;
    /** {@code zx_vcpu_write_state} kind: the result of a trapped I/O port read. */
    public static final int ZX_VCPU_IO = 1;

    // ---- signals, events, waits, timers (late-2021/2022 values) ----------------------------
    /** Object type of a timer. */
    public static final int ZX_OBJ_TYPE_TIMER = 22;
    /** Rights of a handle returned by {@code zx_event_create}. */
    public static final int ZX_DEFAULT_EVENT_RIGHTS = ZX_RIGHTS_BASIC | ZX_RIGHT_SIGNAL;
    /** Rights of a handle returned by {@code zx_timer_create}. */
    public static final int ZX_DEFAULT_TIMER_RIGHTS = ZX_RIGHTS_BASIC | ZX_RIGHT_WRITE | ZX_RIGHT_SIGNAL;
    /** Signal set with no signals. */
    public static final int ZX_SIGNAL_NONE = 0;
    /** Signal a pending wait observes when the handle it waits on is closed. */
    public static final int ZX_SIGNAL_HANDLE_CLOSED = 1 << 23;
    /** User signal 0, free for applications ({@code zx_object_signal}). */
    public static final int ZX_USER_SIGNAL_0 = 1 << 24;
    /** User signal 1, free for applications. */
    public static final int ZX_USER_SIGNAL_1 = 1 << 25;
    /** User signal 2, free for applications. */
    public static final int ZX_USER_SIGNAL_2 = 1 << 26;
    /** User signal 3, free for applications. */
    public static final int ZX_USER_SIGNAL_3 = 1 << 27;
    /** User signal 4, free for applications. */
    public static final int ZX_USER_SIGNAL_4 = 1 << 28;
    /** User signal 5, free for applications. */
    public static final int ZX_USER_SIGNAL_5 = 1 << 29;
    /** User signal 6, free for applications. */
    public static final int ZX_USER_SIGNAL_6 = 1 << 30;
    /** User signal 7, free for applications. */
    public static final int ZX_USER_SIGNAL_7 = 1 << 31;
    /** All eight user signals. */
    public static final int ZX_USER_SIGNAL_ALL = 0xFF000000;
    /** Signal of an event object, set and cleared by {@code zx_object_signal}. */
    public static final int ZX_EVENT_SIGNALED = 1 << 3;
    /** Signal a timer asserts when its deadline passes. */
    public static final int ZX_TIMER_SIGNALED = 1 << 3;
    /** Signal of a VMO that has no child VMOs. */
    public static final int ZX_VMO_ZERO_CHILDREN = 1 << 3;
    /** {@code zx_object_wait_async} option: deliver one packet, then the wait is gone. */
    public static final int ZX_WAIT_ASYNC_ONCE = 0;
    /** {@code zx_object_wait_async} option: the packet carries the time the signal was seen. */
    public static final int ZX_WAIT_ASYNC_TIMESTAMP = 1;
    /**
     * {@code zx_object_wait_async} option: fire only on a signal becoming set, not when already
     * set.
     */
    public static final int ZX_WAIT_ASYNC_EDGE = 2;
    /** Most items one {@code zx_object_wait_many} call accepts. */
    public static final int ZX_WAIT_MANY_MAX_ITEMS = 64;
    /** Clock id of the monotonic clock (nanoseconds since boot). */
    public static final int ZX_CLOCK_MONOTONIC = 0;
    /** Timer slack mode: the timer may fire up to slack before or after the deadline. */
    public static final int ZX_TIMER_SLACK_CENTER = 0;
    /** Timer slack mode: the timer may fire up to slack before the deadline, never after. */
    public static final int ZX_TIMER_SLACK_EARLY = 1;
    /** Timer slack mode: the timer may fire up to slack after the deadline, never before. */
    public static final int ZX_TIMER_SLACK_LATE = 2;
    /** {@code zx_object_get_info} topic: a timer's options, deadline and slack. */
    public static final int ZX_INFO_TIMER = 25;

    /** Size of a page in bytes (4 KiB on x86-64 and arm64). */
    public static final long PAGE_SIZE = 4096;
}
