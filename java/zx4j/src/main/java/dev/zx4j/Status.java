package dev.zx4j;

import dev.zx4j.abi.Zx;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@code zx_status_t}: {@link #OK} or one of the {@code ZX_ERR_*} errors.
 *
 * <p>Every status of the modelled ABI has a constant here and prints its symbolic name
 * ({@code ZX_ERR_BAD_STATE}). A value the library does not know (a newer kernel's) is still
 * representable through {@link #of(int)} and prints as {@code ZX_STATUS(-99)}. Instances are
 * value-based: compare with {@link #equals(Object)} (known statuses are also canonical, so
 * {@code ==} works for them).
 */
public final class Status {

    private static final Map<Integer, Status> KNOWN;

    static {
        Map<Integer, Status> known = new HashMap<>();
        for (Field f : Zx.class.getFields()) {
            String name = f.getName();
            if (f.getType() == int.class && Modifier.isStatic(f.getModifiers())
                    && (name.equals("ZX_OK") || name.startsWith("ZX_ERR_"))) {
                try {
                    int value = f.getInt(null);
                    known.put(value, new Status(value, name));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        KNOWN = Collections.unmodifiableMap(known);
    }

    /** {@code ZX_OK}: the operation succeeded. */
    public static final Status OK = known(Zx.ZX_OK);
    /**
     * {@code ZX_ERR_INTERNAL}: the kernel hit an unexpected condition that no more specific status
     * describes.
     */
    public static final Status INTERNAL = known(Zx.ZX_ERR_INTERNAL);
    /**
     * {@code ZX_ERR_NOT_SUPPORTED}: the operation or option is not implemented or not available on
     * this system.
     */
    public static final Status NOT_SUPPORTED = known(Zx.ZX_ERR_NOT_SUPPORTED);
    /**
     * {@code ZX_ERR_NO_RESOURCES}: a kernel resource other than memory (a handle slot, a port or
     * IRQ slot) ran out.
     */
    public static final Status NO_RESOURCES = known(Zx.ZX_ERR_NO_RESOURCES);
    /** {@code ZX_ERR_NO_MEMORY}: the kernel could not allocate the memory the operation needs. */
    public static final Status NO_MEMORY = known(Zx.ZX_ERR_NO_MEMORY);
    /**
     * {@code ZX_ERR_INTERNAL_INTR_RETRY}: used inside the kernel: the call was interrupted and is
     * restarted; never returned to user space.
     */
    public static final Status INTERNAL_INTR_RETRY = known(Zx.ZX_ERR_INTERNAL_INTR_RETRY);
    /**
     * {@code ZX_ERR_INVALID_ARGS}: an argument is invalid (bad pointer, unknown option bits, size
     * out of bounds).
     */
    public static final Status INVALID_ARGS = known(Zx.ZX_ERR_INVALID_ARGS);
    /**
     * {@code ZX_ERR_BAD_HANDLE}: a handle value does not name a live handle of the calling process.
     */
    public static final Status BAD_HANDLE = known(Zx.ZX_ERR_BAD_HANDLE);
    /**
     * {@code ZX_ERR_WRONG_TYPE}: a handle names an object of another type than the call expects.
     */
    public static final Status WRONG_TYPE = known(Zx.ZX_ERR_WRONG_TYPE);
    /**
     * {@code ZX_ERR_BAD_SYSCALL}: the syscall number is not valid, or the caller may not use it.
     */
    public static final Status BAD_SYSCALL = known(Zx.ZX_ERR_BAD_SYSCALL);
    /**
     * {@code ZX_ERR_OUT_OF_RANGE}: an argument (offset, index, slot, address) lies outside the
     * accepted range.
     */
    public static final Status OUT_OF_RANGE = known(Zx.ZX_ERR_OUT_OF_RANGE);
    /** {@code ZX_ERR_BUFFER_TOO_SMALL}: the caller's buffer cannot hold the result. */
    public static final Status BUFFER_TOO_SMALL = known(Zx.ZX_ERR_BUFFER_TOO_SMALL);
    /**
     * {@code ZX_ERR_BAD_STATE}: the object is not in a state where the operation is allowed
     * (already bound, not armed).
     */
    public static final Status BAD_STATE = known(Zx.ZX_ERR_BAD_STATE);
    /** {@code ZX_ERR_TIMED_OUT}: the deadline passed before the awaited condition became true. */
    public static final Status TIMED_OUT = known(Zx.ZX_ERR_TIMED_OUT);
    /**
     * {@code ZX_ERR_SHOULD_WAIT}: nothing is ready now; the call would have to block (e.g. an empty
     * port with a past deadline).
     */
    public static final Status SHOULD_WAIT = known(Zx.ZX_ERR_SHOULD_WAIT);
    /**
     * {@code ZX_ERR_CANCELED}: the wait was aborted, for example because the object was destroyed
     * or the operation cancelled.
     */
    public static final Status CANCELED = known(Zx.ZX_ERR_CANCELED);
    /** {@code ZX_ERR_PEER_CLOSED}: the other end of a paired object was closed. */
    public static final Status PEER_CLOSED = known(Zx.ZX_ERR_PEER_CLOSED);
    /** {@code ZX_ERR_NOT_FOUND}: the requested item (key, mapping, entry) does not exist. */
    public static final Status NOT_FOUND = known(Zx.ZX_ERR_NOT_FOUND);
    /** {@code ZX_ERR_ALREADY_EXISTS}: the item to be created or inserted is already present. */
    public static final Status ALREADY_EXISTS = known(Zx.ZX_ERR_ALREADY_EXISTS);
    /**
     * {@code ZX_ERR_ALREADY_BOUND}: the object or slot is already bound (e.g. an interrupt already
     * bound to a port or VCPU).
     */
    public static final Status ALREADY_BOUND = known(Zx.ZX_ERR_ALREADY_BOUND);
    /** {@code ZX_ERR_UNAVAILABLE}: the resource exists but cannot be used right now. */
    public static final Status UNAVAILABLE = known(Zx.ZX_ERR_UNAVAILABLE);
    /**
     * {@code ZX_ERR_ACCESS_DENIED}: the handle lacks a right the operation requires, or the policy
     * forbids it.
     */
    public static final Status ACCESS_DENIED = known(Zx.ZX_ERR_ACCESS_DENIED);
    /** {@code ZX_ERR_IO}: an input/output operation failed in the device or transport. */
    public static final Status IO = known(Zx.ZX_ERR_IO);
    /** {@code ZX_ERR_IO_REFUSED}: the device refused the request. */
    public static final Status IO_REFUSED = known(Zx.ZX_ERR_IO_REFUSED);
    /** {@code ZX_ERR_IO_DATA_INTEGRITY}: the data read back failed an integrity check. */
    public static final Status IO_DATA_INTEGRITY = known(Zx.ZX_ERR_IO_DATA_INTEGRITY);
    /** {@code ZX_ERR_IO_DATA_LOSS}: data was lost in the transfer. */
    public static final Status IO_DATA_LOSS = known(Zx.ZX_ERR_IO_DATA_LOSS);
    /** {@code ZX_ERR_IO_NOT_PRESENT}: the device is not present or no longer attached. */
    public static final Status IO_NOT_PRESENT = known(Zx.ZX_ERR_IO_NOT_PRESENT);
    /** {@code ZX_ERR_IO_OVERRUN}: more data arrived than the receiver could take. */
    public static final Status IO_OVERRUN = known(Zx.ZX_ERR_IO_OVERRUN);
    /**
     * {@code ZX_ERR_IO_MISSED_DEADLINE}: the operation could not complete within its time budget.
     */
    public static final Status IO_MISSED_DEADLINE = known(Zx.ZX_ERR_IO_MISSED_DEADLINE);
    /** {@code ZX_ERR_IO_INVALID}: the device reported that the request itself is malformed. */
    public static final Status IO_INVALID = known(Zx.ZX_ERR_IO_INVALID);
    /** {@code ZX_ERR_BAD_PATH}: a path is syntactically invalid. */
    public static final Status BAD_PATH = known(Zx.ZX_ERR_BAD_PATH);
    /** {@code ZX_ERR_NOT_DIR}: a directory was expected but something else was found. */
    public static final Status NOT_DIR = known(Zx.ZX_ERR_NOT_DIR);
    /** {@code ZX_ERR_NOT_FILE}: a regular file was expected but something else was found. */
    public static final Status NOT_FILE = known(Zx.ZX_ERR_NOT_FILE);
    /** {@code ZX_ERR_FILE_BIG}: the file would exceed the maximum size the filesystem supports. */
    public static final Status FILE_BIG = known(Zx.ZX_ERR_FILE_BIG);
    /** {@code ZX_ERR_NO_SPACE}: the storage is full. */
    public static final Status NO_SPACE = known(Zx.ZX_ERR_NO_SPACE);
    /** {@code ZX_ERR_NOT_EMPTY}: the directory (or container) is not empty. */
    public static final Status NOT_EMPTY = known(Zx.ZX_ERR_NOT_EMPTY);
    /** {@code ZX_ERR_STOP}: used by callbacks: stop iterating; not an error. */
    public static final Status STOP = known(Zx.ZX_ERR_STOP);
    /** {@code ZX_ERR_NEXT}: used by callbacks: go on to the next item; not an error. */
    public static final Status NEXT = known(Zx.ZX_ERR_NEXT);
    /** {@code ZX_ERR_ASYNC}: used by callbacks: the work continues asynchronously. */
    public static final Status ASYNC = known(Zx.ZX_ERR_ASYNC);
    /** {@code ZX_ERR_PROTOCOL_NOT_SUPPORTED}: the network protocol is not supported. */
    public static final Status PROTOCOL_NOT_SUPPORTED = known(Zx.ZX_ERR_PROTOCOL_NOT_SUPPORTED);
    /** {@code ZX_ERR_ADDRESS_UNREACHABLE}: the network address cannot be reached. */
    public static final Status ADDRESS_UNREACHABLE = known(Zx.ZX_ERR_ADDRESS_UNREACHABLE);
    /** {@code ZX_ERR_ADDRESS_IN_USE}: the network address is already in use. */
    public static final Status ADDRESS_IN_USE = known(Zx.ZX_ERR_ADDRESS_IN_USE);
    /** {@code ZX_ERR_NOT_CONNECTED}: the socket is not connected. */
    public static final Status NOT_CONNECTED = known(Zx.ZX_ERR_NOT_CONNECTED);
    /** {@code ZX_ERR_CONNECTION_REFUSED}: the remote side refused the connection. */
    public static final Status CONNECTION_REFUSED = known(Zx.ZX_ERR_CONNECTION_REFUSED);
    /** {@code ZX_ERR_CONNECTION_RESET}: the remote side reset the connection. */
    public static final Status CONNECTION_RESET = known(Zx.ZX_ERR_CONNECTION_RESET);
    /** {@code ZX_ERR_CONNECTION_ABORTED}: the connection was aborted locally. */
    public static final Status CONNECTION_ABORTED = known(Zx.ZX_ERR_CONNECTION_ABORTED);

    private final int raw;
    private final String name;

    private Status(int raw, String name) {
        this.raw = raw;
        this.name = name;
    }

    private static Status known(int raw) {
        return KNOWN.get(raw);
    }

    /**
     * The status for a raw {@code zx_status_t}; unknown values get a fresh, printable instance.
     *
     * @param raw the raw status value
     * @return the shared constant for a known value, otherwise a new instance
     */
    public static Status of(int raw) {
        Status s = KNOWN.get(raw);
        return s != null ? s : new Status(raw, null);
    }

    /**
     * The raw {@code zx_status_t}.
     *
     * @return the raw status value
     */
    public int raw() {
        return raw;
    }

    /** {@return whether this is {@link #OK}} */
    public boolean isOk() {
        return raw == Zx.ZX_OK;
    }

    /** {@return whether this value is one of the statuses of the modelled ABI} */
    public boolean isKnown() {
        return name != null;
    }

    /**
     * The symbolic C name ({@code ZX_ERR_TIMED_OUT}), or {@code ZX_STATUS(n)} if unknown.
     *
     * @return the C name
     */
    public String name() {
        return name != null ? name : "ZX_STATUS(" + raw + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Status && ((Status) o).raw == raw;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(raw);
    }

    @Override
    public String toString() {
        return name();
    }
}
