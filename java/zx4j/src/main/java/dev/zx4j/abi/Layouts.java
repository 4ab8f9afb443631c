package dev.zx4j.abi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * C struct layouts of the modelled ABI (LP64, little-endian), as sizes and byte offsets, plus
 * little-endian accessors for the {@code byte[]} buffers of the raw surface.
 *
 * <p>Offsets inside a packet's 32-byte union are given relative to the packet start.
 */
public final class Layouts {
    private Layouts() {}

    // ---- zx_port_packet_t (48 bytes, alignment 8) ------------------------------------------
    /** Size of {@code zx_port_packet_t} in bytes. */
    public static final int PORT_PACKET_SIZE = 48;
    /** Offset of the packet's 64-bit key. */
    public static final int PACKET_KEY = 0;          // uint64
    /** Offset of the packet's 32-bit type ({@code ZX_PKT_TYPE_*}). */
    public static final int PACKET_TYPE = 8;         // uint32
    /** Offset of the packet's 32-bit status. */
    public static final int PACKET_STATUS = 12;      // int32
    /** Offset of the 32-byte type-specific union. */
    public static final int PACKET_UNION = 16;       // 32 bytes
    /** Size of the type-specific union in bytes. */
    public static final int PACKET_UNION_SIZE = 32;

    /** zx_packet_interrupt_t: timestamp, then three reserved u64. */
    public static final int PACKET_INTERRUPT_TIMESTAMP = PACKET_UNION;

    /** zx_packet_guest_bell_t: guest-physical address, then three reserved u64. */
    public static final int PACKET_BELL_ADDR = PACKET_UNION;

    /** zx_packet_guest_io_t. */
    public static final int PACKET_IO_PORT = PACKET_UNION;            // uint16
    /** Offset of the I/O access width in bytes (1, 2 or 4; uint8). */
    public static final int PACKET_IO_ACCESS_SIZE = PACKET_UNION + 2; // uint8
    /** Offset of the I/O direction flag (bool: 1 for IN, 0 for OUT). */
    public static final int PACKET_IO_INPUT = PACKET_UNION + 3;       // bool
    /** Offset of the I/O data bytes (uint8[4]; the value written by an OUT). */
    public static final int PACKET_IO_DATA = PACKET_UNION + 4;        // uint8[4]

    /**
     * zx_packet_guest_mem_t, x86-64, in the layout of the modelled era: addr, the trapping
     * instruction's length and bytes, the default operand size.
     */
    public static final int PACKET_MEM_ADDR = PACKET_UNION;                       // uint64
    /** Offset of the trapping instruction's length in bytes (uint8). */
    public static final int PACKET_MEM_INST_LEN = PACKET_UNION + 8;               // uint8
    /** Offset of the trapping instruction's bytes (uint8[15]). */
    public static final int PACKET_MEM_INST_BUF = PACKET_UNION + 9;               // uint8[15]
    /** Capacity of the instruction byte buffer (the x86 maximum instruction length). */
    public static final int PACKET_MEM_INST_BUF_SIZE = 15;
    /** Offset of the guest's default operand size in bytes (uint8: 2 or 4). */
    public static final int PACKET_MEM_DEFAULT_OPERAND_SIZE = PACKET_UNION + 24;  // uint8

    /**
     * zx_packet_guest_vcpu_t in the layout of the modelled era: a 16-byte union first
     * (interrupt {mask, vector} or startup {id, entry}), then a uint8 type.
     */
    public static final int PACKET_VCPU_INTERRUPT_MASK = PACKET_UNION;     // uint64
    /** Offset of the IPI vector (uint8). */
    public static final int PACKET_VCPU_INTERRUPT_VECTOR = PACKET_UNION + 8; // uint8
    /** Offset of the id of the VCPU to start (uint64). */
    public static final int PACKET_VCPU_STARTUP_ID = PACKET_UNION;         // uint64
    /** Offset of the guest-physical entry address of the VCPU to start. */
    public static final int PACKET_VCPU_STARTUP_ENTRY = PACKET_UNION + 8;  // zx_gpaddr_t
    /** Offset of the VCPU packet subtype ({@code ZX_PKT_GUEST_VCPU_*}, uint8). */
    public static final int PACKET_VCPU_TYPE = PACKET_UNION + 16;          // uint8

    // ---- zx_info_handle_basic_t (32 bytes) -------------------------------------------------
    /** Size of {@code zx_info_handle_basic_t} in bytes. */
    public static final int INFO_HANDLE_BASIC_SIZE = 32;
    /** Offset of the object's kernel object id (koid). */
    public static final int INFO_HANDLE_BASIC_KOID = 0;          // zx_koid_t
    /** Offset of the handle's rights. */
    public static final int INFO_HANDLE_BASIC_RIGHTS = 8;        // zx_rights_t
    /** Offset of the object type ({@code ZX_OBJ_TYPE_*}). */
    public static final int INFO_HANDLE_BASIC_TYPE = 12;         // zx_obj_type_t
    /** Offset of the related object's koid (the peer, or 0). */
    public static final int INFO_HANDLE_BASIC_RELATED_KOID = 16; // zx_koid_t
    /** Offset of the reserved field (uint32 plus 4 bytes of padding). */
    public static final int INFO_HANDLE_BASIC_RESERVED = 24;     // uint32 + 4 bytes padding

    // ---- zx_packet_signal_t (in the packet union), zx_wait_item_t, zx_info_timer_t --------
    /** Offset of the signals the wait was armed for. */
    public static final int PACKET_SIGNAL_TRIGGER = PACKET_UNION;        // zx_signals_t
    /** Offset of the signals the object had when the packet was queued. */
    public static final int PACKET_SIGNAL_OBSERVED = PACKET_UNION + 4;   // zx_signals_t
    /** Offset of the count field (uint64; 1 for a one-shot wait). */
    public static final int PACKET_SIGNAL_COUNT = PACKET_UNION + 8;      // uint64
    /** Offset of the time the signal was seen (with {@code ZX_WAIT_ASYNC_TIMESTAMP}). */
    public static final int PACKET_SIGNAL_TIMESTAMP = PACKET_UNION + 16; // zx_time_t
    /** Offset of the reserved trailing u64. */
    public static final int PACKET_SIGNAL_RESERVED1 = PACKET_UNION + 24; // uint64
    /** Size of {@code zx_wait_item_t} in bytes. */
    public static final int WAIT_ITEM_SIZE = 12;
    /** Offset of the handle to wait on. */
    public static final int WAIT_ITEM_HANDLE = 0;   // zx_handle_t
    /** Offset of the signals to wait for. */
    public static final int WAIT_ITEM_WAITFOR = 4;  // zx_signals_t
    /** Offset of the signals pending when the wait returned (written by the kernel). */
    public static final int WAIT_ITEM_PENDING = 8;  // zx_signals_t
    /** Size of {@code zx_info_timer_t} in bytes. */
    public static final int INFO_TIMER_SIZE = 24;
    /** Offset of the timer's creation options (uint32 plus 4 bytes of padding). */
    public static final int INFO_TIMER_OPTIONS = 0;   // uint32 + 4 bytes padding
    /** Offset of the armed deadline (0 when not armed). */
    public static final int INFO_TIMER_DEADLINE = 8;  // zx_time_t
    /** Offset of the armed slack in nanoseconds. */
    public static final int INFO_TIMER_SLACK = 16;    // zx_duration_t

    // ---- zx_vcpu_state_t (x86-64, 136 bytes) and zx_vcpu_io_t (8 bytes) ------------------
    /** Size of the x86-64 {@code zx_vcpu_state_t} in bytes (16 registers, then RFLAGS). */
    public static final int VCPU_STATE_SIZE = 136;
    /** Offset of RFLAGS; the 16 general-purpose registers precede it, 8 bytes each. */
    public static final int VCPU_STATE_RFLAGS = 128;
    /** Size of {@code zx_vcpu_io_t} in bytes. */
    public static final int VCPU_IO_SIZE = 8;
    /** Offset of the access width in bytes (uint8). */
    public static final int VCPU_IO_ACCESS_SIZE = 0; // uint8
    /** Offset of the data bytes (uint8[4]). */
    public static final int VCPU_IO_DATA = 4;        // uint8[4]

    // ---- little-endian accessors -----------------------------------------------------------
    private static final VarHandle I16 =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * Reads an unsigned byte.
     *
     * @param b the buffer
     * @param off the byte offset
     * @return the byte at {@code off}, 0..255
     */
    public static int u8(byte[] b, int off) { return b[off] & 0xFF; }

    /**
     * Reads an unsigned little-endian 16-bit value.
     *
     * @param b the buffer
     * @param off the byte offset
     * @return the value, 0..65535
     */
    public static int u16(byte[] b, int off) { return ((short) I16.get(b, off)) & 0xFFFF; }

    /**
     * Reads a little-endian 32-bit value.
     *
     * @param b the buffer
     * @param off the byte offset
     * @return the value
     */
    public static int i32(byte[] b, int off) { return (int) I32.get(b, off); }

    /**
     * Reads a little-endian 64-bit value.
     *
     * @param b the buffer
     * @param off the byte offset
     * @return the value
     */
    public static long i64(byte[] b, int off) { return (long) I64.get(b, off); }

    /**
     * Writes the low byte of {@code v}.
     *
     * @param b the buffer
     * @param off the byte offset
     * @param v the value; only its low 8 bits are stored
     */
    public static void put8(byte[] b, int off, int v) { b[off] = (byte) v; }

    /**
     * Writes the low 16 bits of {@code v}, little-endian.
     *
     * @param b the buffer
     * @param off the byte offset
     * @param v the value; only its low 16 bits are stored
     */
    public static void put16(byte[] b, int off, int v) { I16.set(b, off, (short) v); }

    /**
     * Writes a 32-bit value, little-endian.
     *
     * @param b the buffer
     * @param off the byte offset
     * @param v the value
     */
    public static void put32(byte[] b, int off, int v) { I32.set(b, off, v); }

    /**
     * Writes a 64-bit value, little-endian.
     *
     * @param b the buffer
     * @param off the byte offset
     * @param v the value
     */
    public static void put64(byte[] b, int off, long v) { I64.set(b, off, v); }

    /**
     * Whether a user buffer can stand for a C object of {@code size} bytes: non-null and long
     * enough. Anything else is a faulting user pointer.
     *
     * @param buffer the user buffer, possibly null
     * @param size the size of the C object in bytes
     * @return true if the buffer is non-null and at least {@code size} bytes long
     */
    public static boolean valid(byte[] buffer, long size) {
        return buffer != null && size >= 0 && buffer.length >= size;
    }

    /**
     * Whether a one-element out-parameter array is a valid user pointer.
     *
     * @param out the out-parameter array, possibly null
     * @return true if it is non-null and has at least one element
     */
    public static boolean valid(int[] out) { return out != null && out.length >= 1; }

    /**
     * Whether a one-element out-parameter array is a valid user pointer.
     *
     * @param out the out-parameter array, possibly null
     * @return true if it is non-null and has at least one element
     */
    public static boolean valid(long[] out) { return out != null && out.length >= 1; }
}
