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

    public static final Status OK = known(Zx.ZX_OK);
    public static final Status INTERNAL = known(Zx.ZX_ERR_INTERNAL);
    public static final Status NOT_SUPPORTED = known(Zx.ZX_ERR_NOT_SUPPORTED);
    public static final Status NO_RESOURCES = known(Zx.ZX_ERR_NO_RESOURCES);
    public static final Status NO_MEMORY = known(Zx.ZX_ERR_NO_MEMORY);
    public static final Status INTERNAL_INTR_RETRY = known(Zx.ZX_ERR_INTERNAL_INTR_RETRY);
    public static final Status INVALID_ARGS = known(Zx.ZX_ERR_INVALID_ARGS);
    public static final Status BAD_HANDLE = known(Zx.ZX_ERR_BAD_HANDLE);
    public static final Status WRONG_TYPE = known(Zx.ZX_ERR_WRONG_TYPE);
    public static final Status BAD_SYSCALL = known(Zx.ZX_ERR_BAD_SYSCALL);
    public static final Status OUT_OF_RANGE = known(Zx.ZX_ERR_OUT_OF_RANGE);
    public static final Status BUFFER_TOO_SMALL = known(Zx.ZX_ERR_BUFFER_TOO_SMALL);
    public static final Status BAD_STATE = known(Zx.ZX_ERR_BAD_STATE);
    public static final Status TIMED_OUT = known(Zx.ZX_ERR_TIMED_OUT);
    public static final Status SHOULD_WAIT = known(Zx.ZX_ERR_SHOULD_WAIT);
    public static final Status CANCELED = known(Zx.ZX_ERR_CANCELED);
    public static final Status PEER_CLOSED = known(Zx.ZX_ERR_PEER_CLOSED);
    public static final Status NOT_FOUND = known(Zx.ZX_ERR_NOT_FOUND);
    public static final Status ALREADY_EXISTS = known(Zx.ZX_ERR_ALREADY_EXISTS);
    public static final Status ALREADY_BOUND = known(Zx.ZX_ERR_ALREADY_BOUND);
    public static final Status UNAVAILABLE = known(Zx.ZX_ERR_UNAVAILABLE);
    public static final Status ACCESS_DENIED = known(Zx.ZX_ERR_ACCESS_DENIED);
    public static final Status IO = known(Zx.ZX_ERR_IO);
    public static final Status IO_REFUSED = known(Zx.ZX_ERR_IO_REFUSED);
    public static final Status IO_DATA_INTEGRITY = known(Zx.ZX_ERR_IO_DATA_INTEGRITY);
    public static final Status IO_DATA_LOSS = known(Zx.ZX_ERR_IO_DATA_LOSS);
    public static final Status IO_NOT_PRESENT = known(Zx.ZX_ERR_IO_NOT_PRESENT);
    public static final Status IO_OVERRUN = known(Zx.ZX_ERR_IO_OVERRUN);
    public static final Status IO_MISSED_DEADLINE = known(Zx.ZX_ERR_IO_MISSED_DEADLINE);
    public static final Status IO_INVALID = known(Zx.ZX_ERR_IO_INVALID);
    public static final Status BAD_PATH = known(Zx.ZX_ERR_BAD_PATH);
    public static final Status NOT_DIR = known(Zx.ZX_ERR_NOT_DIR);
    public static final Status NOT_FILE = known(Zx.ZX_ERR_NOT_FILE);
    public static final Status FILE_BIG = known(Zx.ZX_ERR_FILE_BIG);
    public static final Status NO_SPACE = known(Zx.ZX_ERR_NO_SPACE);
    public static final Status NOT_EMPTY = known(Zx.ZX_ERR_NOT_EMPTY);
    public static final Status STOP = known(Zx.ZX_ERR_STOP);
    public static final Status NEXT = known(Zx.ZX_ERR_NEXT);
    public static final Status ASYNC = known(Zx.ZX_ERR_ASYNC);
    public static final Status PROTOCOL_NOT_SUPPORTED = known(Zx.ZX_ERR_PROTOCOL_NOT_SUPPORTED);
    public static final Status ADDRESS_UNREACHABLE = known(Zx.ZX_ERR_ADDRESS_UNREACHABLE);
    public static final Status ADDRESS_IN_USE = known(Zx.ZX_ERR_ADDRESS_IN_USE);
    public static final Status NOT_CONNECTED = known(Zx.ZX_ERR_NOT_CONNECTED);
    public static final Status CONNECTION_REFUSED = known(Zx.ZX_ERR_CONNECTION_REFUSED);
    public static final Status CONNECTION_RESET = known(Zx.ZX_ERR_CONNECTION_RESET);
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

    /** The status for a raw {@code zx_status_t}; unknown values get a fresh, printable instance. */
    public static Status of(int raw) {
        Status s = KNOWN.get(raw);
        return s != null ? s : new Status(raw, null);
    }

    /** The raw {@code zx_status_t}. */
    public int raw() {
        return raw;
    }

    public boolean isOk() {
        return raw == Zx.ZX_OK;
    }

    /** {@return whether this value is one of the statuses of the modelled ABI} */
    public boolean isKnown() {
        return name != null;
    }

    /** The symbolic C name ({@code ZX_ERR_TIMED_OUT}), or {@code ZX_STATUS(n)} if unknown. */
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
