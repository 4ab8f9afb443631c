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
    public static final int ZX_OK = 0;
    public static final int ZX_ERR_INTERNAL = -1;
    public static final int ZX_ERR_NOT_SUPPORTED = -2;
    public static final int ZX_ERR_NO_RESOURCES = -3;
    public static final int ZX_ERR_NO_MEMORY = -4;
    public static final int ZX_ERR_INTERNAL_INTR_RETRY = -6;
    public static final int ZX_ERR_INVALID_ARGS = -10;
    public static final int ZX_ERR_BAD_HANDLE = -11;
    public static final int ZX_ERR_WRONG_TYPE = -12;
    public static final int ZX_ERR_BAD_SYSCALL = -13;
    public static final int ZX_ERR_OUT_OF_RANGE = -14;
    public static final int ZX_ERR_BUFFER_TOO_SMALL = -15;
    public static final int ZX_ERR_BAD_STATE = -20;
    public static final int ZX_ERR_TIMED_OUT = -21;
    public static final int ZX_ERR_SHOULD_WAIT = -22;
    public static final int ZX_ERR_CANCELED = -23;
    public static final int ZX_ERR_PEER_CLOSED = -24;
    public static final int ZX_ERR_NOT_FOUND = -25;
    public static final int ZX_ERR_ALREADY_EXISTS = -26;
    public static final int ZX_ERR_ALREADY_BOUND = -27;
    public static final int ZX_ERR_UNAVAILABLE = -28;
    public static final int ZX_ERR_ACCESS_DENIED = -30;
    public static final int ZX_ERR_IO = -40;
    public static final int ZX_ERR_IO_REFUSED = -41;
    public static final int ZX_ERR_IO_DATA_INTEGRITY = -42;
    public static final int ZX_ERR_IO_DATA_LOSS = -43;
    public static final int ZX_ERR_IO_NOT_PRESENT = -44;
    public static final int ZX_ERR_IO_OVERRUN = -45;
    public static final int ZX_ERR_IO_MISSED_DEADLINE = -46;
    public static final int ZX_ERR_IO_INVALID = -47;
    public static final int ZX_ERR_BAD_PATH = -50;
    public static final int ZX_ERR_NOT_DIR = -51;
    public static final int ZX_ERR_NOT_FILE = -52;
    public static final int ZX_ERR_FILE_BIG = -53;
    public static final int ZX_ERR_NO_SPACE = -54;
    public static final int ZX_ERR_NOT_EMPTY = -55;
    public static final int ZX_ERR_STOP = -60;
    public static final int ZX_ERR_NEXT = -61;
    public static final int ZX_ERR_ASYNC = -62;
    public static final int ZX_ERR_PROTOCOL_NOT_SUPPORTED = -70;
    public static final int ZX_ERR_ADDRESS_UNREACHABLE = -71;
    public static final int ZX_ERR_ADDRESS_IN_USE = -72;
    public static final int ZX_ERR_NOT_CONNECTED = -73;
    public static final int ZX_ERR_CONNECTION_REFUSED = -74;
    public static final int ZX_ERR_CONNECTION_RESET = -75;
    public static final int ZX_ERR_CONNECTION_ABORTED = -76;

    // ---- handles ---------------------------------------------------------------------------
    public static final int ZX_HANDLE_INVALID = 0;
    public static final int ZX_HANDLE_FIXED_BITS_MASK = 0x3;

    // ---- zx_rights_t -----------------------------------------------------------------------
    public static final int ZX_RIGHT_NONE = 0;
    public static final int ZX_RIGHT_DUPLICATE = 1 << 0;
    public static final int ZX_RIGHT_TRANSFER = 1 << 1;
    public static final int ZX_RIGHT_READ = 1 << 2;
    public static final int ZX_RIGHT_WRITE = 1 << 3;
    public static final int ZX_RIGHT_EXECUTE = 1 << 4;
    public static final int ZX_RIGHT_MAP = 1 << 5;
    public static final int ZX_RIGHT_GET_PROPERTY = 1 << 6;
    public static final int ZX_RIGHT_SET_PROPERTY = 1 << 7;
    public static final int ZX_RIGHT_ENUMERATE = 1 << 8;
    public static final int ZX_RIGHT_DESTROY = 1 << 9;
    public static final int ZX_RIGHT_SET_POLICY = 1 << 10;
    public static final int ZX_RIGHT_GET_POLICY = 1 << 11;
    public static final int ZX_RIGHT_SIGNAL = 1 << 12;
    public static final int ZX_RIGHT_SIGNAL_PEER = 1 << 13;
    public static final int ZX_RIGHT_WAIT = 1 << 14;
    public static final int ZX_RIGHT_INSPECT = 1 << 15;
    public static final int ZX_RIGHT_MANAGE_JOB = 1 << 16;
    public static final int ZX_RIGHT_MANAGE_PROCESS = 1 << 17;
    public static final int ZX_RIGHT_MANAGE_THREAD = 1 << 18;
    public static final int ZX_RIGHT_APPLY_PROFILE = 1 << 19;
    public static final int ZX_RIGHT_SAME_RIGHTS = 1 << 31;

    public static final int ZX_RIGHTS_BASIC =
            ZX_RIGHT_TRANSFER | ZX_RIGHT_DUPLICATE | ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT;
    public static final int ZX_RIGHTS_IO = ZX_RIGHT_READ | ZX_RIGHT_WRITE;
    public static final int ZX_RIGHTS_PROPERTY = ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY;

    public static final int ZX_DEFAULT_INTERRUPT_RIGHTS = ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHT_SIGNAL;
    public static final int ZX_DEFAULT_PORT_RIGHTS = (ZX_RIGHTS_BASIC & ~ZX_RIGHT_WAIT) | ZX_RIGHTS_IO;
    public static final int ZX_DEFAULT_RESOURCE_RIGHTS =
            ZX_RIGHT_TRANSFER | ZX_RIGHT_DUPLICATE | ZX_RIGHT_WRITE | ZX_RIGHT_INSPECT;
    /** Era modelled: guests carry MANAGE_PROCESS (the right {@code zx_vcpu_create} checks). */
    public static final int ZX_DEFAULT_GUEST_RIGHTS = ZX_RIGHT_TRANSFER | ZX_RIGHT_DUPLICATE
            | ZX_RIGHT_WRITE | ZX_RIGHT_INSPECT | ZX_RIGHT_MANAGE_PROCESS;
    public static final int ZX_DEFAULT_VCPU_RIGHTS =
            ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHT_EXECUTE | ZX_RIGHT_SIGNAL;
    public static final int ZX_DEFAULT_VMO_RIGHTS =
            ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHTS_PROPERTY | ZX_RIGHT_MAP | ZX_RIGHT_SIGNAL;
    public static final int ZX_DEFAULT_VMAR_RIGHTS = ZX_RIGHTS_BASIC & ~ZX_RIGHT_WAIT;

    // ---- zx_obj_type_t ---------------------------------------------------------------------
    public static final int ZX_OBJ_TYPE_NONE = 0;
    public static final int ZX_OBJ_TYPE_PROCESS = 1;
    public static final int ZX_OBJ_TYPE_THREAD = 2;
    public static final int ZX_OBJ_TYPE_VMO = 3;
    public static final int ZX_OBJ_TYPE_CHANNEL = 4;
    public static final int ZX_OBJ_TYPE_EVENT = 5;
    public static final int ZX_OBJ_TYPE_PORT = 6;
    public static final int ZX_OBJ_TYPE_INTERRUPT = 9;
    public static final int ZX_OBJ_TYPE_RESOURCE = 15;
    public static final int ZX_OBJ_TYPE_VMAR = 18;
    public static final int ZX_OBJ_TYPE_GUEST = 20;
    public static final int ZX_OBJ_TYPE_VCPU = 21;

    // ---- object info -----------------------------------------------------------------------
    public static final int ZX_INFO_HANDLE_VALID = 1;
    public static final int ZX_INFO_HANDLE_BASIC = 2;

    // ---- time ------------------------------------------------------------------------------
    public static final long ZX_TIME_INFINITE = Long.MAX_VALUE;
    public static final long ZX_TIME_INFINITE_PAST = Long.MIN_VALUE;

    // ---- ports and packets -----------------------------------------------------------------
    public static final int ZX_PORT_BIND_TO_INTERRUPT = 0x1;
    public static final int ZX_PKT_TYPE_USER = 0x00;
    public static final int ZX_PKT_TYPE_SIGNAL_ONE = 0x01;
    public static final int ZX_PKT_TYPE_GUEST_BELL = 0x03;
    public static final int ZX_PKT_TYPE_GUEST_MEM = 0x04;
    public static final int ZX_PKT_TYPE_GUEST_IO = 0x05;
    public static final int ZX_PKT_TYPE_GUEST_VCPU = 0x06;
    public static final int ZX_PKT_TYPE_INTERRUPT = 0x07;
    public static final int ZX_PKT_GUEST_VCPU_INTERRUPT = 0;
    public static final int ZX_PKT_GUEST_VCPU_STARTUP = 1;

    // ---- interrupts ------------------------------------------------------------------------
    public static final int ZX_INTERRUPT_REMAP_IRQ = 0x1;
    public static final int ZX_INTERRUPT_MODE_DEFAULT = 0x0;
    public static final int ZX_INTERRUPT_MODE_EDGE_LOW = 0x2;
    public static final int ZX_INTERRUPT_MODE_EDGE_HIGH = 0x4;
    public static final int ZX_INTERRUPT_MODE_LEVEL_LOW = 0x6;
    public static final int ZX_INTERRUPT_MODE_LEVEL_HIGH = 0x8;
    public static final int ZX_INTERRUPT_MODE_EDGE_BOTH = 0xA;
    public static final int ZX_INTERRUPT_MODE_MASK = 0xE;
    public static final int ZX_INTERRUPT_VIRTUAL = 0x10;
    public static final int ZX_INTERRUPT_BIND = 0;
    public static final int ZX_INTERRUPT_UNBIND = 1;
    public static final int ZX_INTERRUPT_SLOT_USER = 62;

    // ---- resources (2021+ numbering) -------------------------------------------------------
    public static final int ZX_RSRC_KIND_MMIO = 0;
    public static final int ZX_RSRC_KIND_IRQ = 1;
    public static final int ZX_RSRC_KIND_IOPORT = 2;
    public static final int ZX_RSRC_KIND_ROOT = 3;
    public static final int ZX_RSRC_KIND_SMC = 4;
    public static final int ZX_RSRC_KIND_SYSTEM = 5;
    public static final int ZX_RSRC_SYSTEM_HYPERVISOR_BASE = 0;
    public static final int ZX_RSRC_SYSTEM_VMEX_BASE = 1;

    // ---- vmo / vmar ------------------------------------------------------------------------
    public static final int ZX_VMO_RESIZABLE = 1 << 1;
    public static final int ZX_VM_PERM_READ = 1 << 0;
    public static final int ZX_VM_PERM_WRITE = 1 << 1;
    public static final int ZX_VM_PERM_EXECUTE = 1 << 2;
    public static final int ZX_VM_SPECIFIC = 1 << 4;
    public static final int ZX_VM_SPECIFIC_OVERWRITE = 1 << 5;

    // ---- hypervisor ------------------------------------------------------------------------
    public static final int ZX_GUEST_TRAP_BELL = 0;
    public static final int ZX_GUEST_TRAP_MEM = 1;
    public static final int ZX_GUEST_TRAP_IO = 2;
    public static final int ZX_VCPU_STATE = 0;
    public static final int ZX_VCPU_IO = 1;

    // ---- signals, events, waits, timers (late-2021/2022 values) ----------------------------
    public static final int ZX_OBJ_TYPE_TIMER = 22;
    public static final int ZX_DEFAULT_EVENT_RIGHTS = ZX_RIGHTS_BASIC | ZX_RIGHT_SIGNAL;
    public static final int ZX_DEFAULT_TIMER_RIGHTS = ZX_RIGHTS_BASIC | ZX_RIGHT_WRITE | ZX_RIGHT_SIGNAL;
    public static final int ZX_SIGNAL_NONE = 0;
    public static final int ZX_SIGNAL_HANDLE_CLOSED = 1 << 23;
    public static final int ZX_USER_SIGNAL_0 = 1 << 24;
    public static final int ZX_USER_SIGNAL_1 = 1 << 25;
    public static final int ZX_USER_SIGNAL_2 = 1 << 26;
    public static final int ZX_USER_SIGNAL_3 = 1 << 27;
    public static final int ZX_USER_SIGNAL_4 = 1 << 28;
    public static final int ZX_USER_SIGNAL_5 = 1 << 29;
    public static final int ZX_USER_SIGNAL_6 = 1 << 30;
    public static final int ZX_USER_SIGNAL_7 = 1 << 31;
    public static final int ZX_USER_SIGNAL_ALL = 0xFF000000;
    public static final int ZX_EVENT_SIGNALED = 1 << 3;
    public static final int ZX_TIMER_SIGNALED = 1 << 3;
    public static final int ZX_VMO_ZERO_CHILDREN = 1 << 3;
    public static final int ZX_WAIT_ASYNC_ONCE = 0;
    public static final int ZX_WAIT_ASYNC_TIMESTAMP = 1;
    public static final int ZX_WAIT_ASYNC_EDGE = 2;
    public static final int ZX_WAIT_MANY_MAX_ITEMS = 64;
    public static final int ZX_CLOCK_MONOTONIC = 0;
    public static final int ZX_TIMER_SLACK_CENTER = 0;
    public static final int ZX_TIMER_SLACK_EARLY = 1;
    public static final int ZX_TIMER_SLACK_LATE = 2;
    public static final int ZX_INFO_TIMER = 25;

    public static final long PAGE_SIZE = 4096;
}
