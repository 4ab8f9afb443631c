package dev.zx4j;

import java.util.ArrayList;
import java.util.List;

/**
 * An immutable set of handle rights ({@code zx_rights_t}).
 *
 * <p>Constants follow {@code zircon/rights.h}; groups ({@link #BASIC}, {@link #IO},
 * {@link #PROPERTY}, {@link #POLICY}) and the per-object defaults are unions of them.
 * {@link #SAME_RIGHTS} is not a right but the request "keep the source's rights" understood by
 * {@link HandleObject#duplicate(Rights)} and {@link HandleObject#replace(Rights)}; it cannot be
 * combined with anything. Rights print symbolically: {@code Rights[READ|WRITE]}.
 */
public final class Rights {

    private static final String[] NAMES = {
        "DUPLICATE", "TRANSFER", "READ", "WRITE", "EXECUTE", "MAP", "GET_PROPERTY", "SET_PROPERTY",
        "ENUMERATE", "DESTROY", "SET_POLICY", "GET_POLICY", "SIGNAL", "SIGNAL_PEER", "WAIT",
        "INSPECT", "MANAGE_JOB", "MANAGE_PROCESS", "MANAGE_THREAD", "APPLY_PROFILE",
        "MANAGE_SOCKET", "OP_CHILDREN", "RESIZE", "ATTACH_VMO", "MANAGE_VMO",
    };

    /** {@code ZX_RIGHT_NONE}: right set with no rights at all. */
    public static final Rights NONE = new Rights(0);
    /** {@code ZX_RIGHT_DUPLICATE}: right to duplicate the handle ({@code zx_handle_duplicate}). */
    public static final Rights DUPLICATE = new Rights(1 << 0);
    /** {@code ZX_RIGHT_TRANSFER}: right to send the handle over a channel to another process. */
    public static final Rights TRANSFER = new Rights(1 << 1);
    /**
     * {@code ZX_RIGHT_READ}: right to read the object's data or state (VMO contents, port packets,
     * VCPU registers).
     */
    public static final Rights READ = new Rights(1 << 2);
    /**
     * {@code ZX_RIGHT_WRITE}: right to modify the object's data or state (VMO contents, port queue,
     * VCPU registers, traps).
     */
    public static final Rights WRITE = new Rights(1 << 3);
    /** {@code ZX_RIGHT_EXECUTE}: right to execute: map a VMO executable, or resume a VCPU. */
    public static final Rights EXECUTE = new Rights(1 << 4);
    /** {@code ZX_RIGHT_MAP}: right to map a VMO into a VMAR. */
    public static final Rights MAP = new Rights(1 << 5);
    /**
     * {@code ZX_RIGHT_GET_PROPERTY}: right to read object properties
     * ({@code zx_object_get_property}).
     */
    public static final Rights GET_PROPERTY = new Rights(1 << 6);
    /**
     * {@code ZX_RIGHT_SET_PROPERTY}: right to change object properties
     * ({@code zx_object_set_property}).
     */
    public static final Rights SET_PROPERTY = new Rights(1 << 7);
    /**
     * {@code ZX_RIGHT_ENUMERATE}: right to list an object's children (job and process objects).
     */
    public static final Rights ENUMERATE = new Rights(1 << 8);
    /** {@code ZX_RIGHT_DESTROY}: right to destroy the object (e.g. a VMAR or an interrupt). */
    public static final Rights DESTROY = new Rights(1 << 9);
    /** {@code ZX_RIGHT_SET_POLICY}: right to set a job's policy. */
    public static final Rights SET_POLICY = new Rights(1 << 10);
    /** {@code ZX_RIGHT_GET_POLICY}: right to read a job's policy. */
    public static final Rights GET_POLICY = new Rights(1 << 11);
    /**
     * {@code ZX_RIGHT_SIGNAL}: right to set or clear the object's user signals
     * ({@code zx_object_signal}).
     */
    public static final Rights SIGNAL = new Rights(1 << 12);
    /** {@code ZX_RIGHT_SIGNAL_PEER}: right to signal the peer of a paired object. */
    public static final Rights SIGNAL_PEER = new Rights(1 << 13);
    /**
     * {@code ZX_RIGHT_WAIT}: right to wait on the object's signals ({@code zx_object_wait_one},
     * {@code wait_async}).
     */
    public static final Rights WAIT = new Rights(1 << 14);
    /** {@code ZX_RIGHT_INSPECT}: right to query the object ({@code zx_object_get_info}). */
    public static final Rights INSPECT = new Rights(1 << 15);
    /** {@code ZX_RIGHT_MANAGE_JOB}: right to create and manage child jobs. */
    public static final Rights MANAGE_JOB = new Rights(1 << 16);
    /**
     * {@code ZX_RIGHT_MANAGE_PROCESS}: right to manage processes; in this era also what
     * {@code zx_vcpu_create} checks on a guest.
     */
    public static final Rights MANAGE_PROCESS = new Rights(1 << 17);
    /** {@code ZX_RIGHT_MANAGE_THREAD}: right to manage threads (suspend, read their state). */
    public static final Rights MANAGE_THREAD = new Rights(1 << 18);
    /** {@code ZX_RIGHT_APPLY_PROFILE}: right to apply a scheduling profile. */
    public static final Rights APPLY_PROFILE = new Rights(1 << 19);
    /** {@code ZX_RIGHT_MANAGE_SOCKET}: right to change a socket's options and disposition. */
    public static final Rights MANAGE_SOCKET = new Rights(1 << 20);
    /** {@code ZX_RIGHT_OP_CHILDREN}: right to apply an operation to a VMO's children as well. */
    public static final Rights OP_CHILDREN = new Rights(1 << 21);
    /** {@code ZX_RIGHT_RESIZE}: right to change a VMO's size. */
    public static final Rights RESIZE = new Rights(1 << 22);
    /** {@code ZX_RIGHT_ATTACH_VMO}: right to attach a VMO to a pager or stream. */
    public static final Rights ATTACH_VMO = new Rights(1 << 23);
    /** {@code ZX_RIGHT_MANAGE_VMO}: right to manage a VMO's pages (pager operations). */
    public static final Rights MANAGE_VMO = new Rights(1 << 24);
    /** "Same rights as the source" for duplicate/replace (0x80000000); not a right itself. */
    public static final Rights SAME_RIGHTS = new Rights(1 << 31);

    /** TRANSFER | DUPLICATE | WAIT | INSPECT. */
    public static final Rights BASIC = of(TRANSFER, DUPLICATE, WAIT, INSPECT);
    /** READ | WRITE. */
    public static final Rights IO = of(READ, WRITE);
    /** GET_PROPERTY | SET_PROPERTY. */
    public static final Rights PROPERTY = of(GET_PROPERTY, SET_PROPERTY);
    /** SET_POLICY | GET_POLICY. */
    public static final Rights POLICY = of(SET_POLICY, GET_POLICY);

    /** Rights of a new port: (BASIC − WAIT) | IO. */
    public static final Rights DEFAULT_PORT = BASIC.minus(WAIT).union(IO);
    /** Rights of a new interrupt: BASIC | IO | SIGNAL. */
    public static final Rights DEFAULT_INTERRUPT = BASIC.union(IO).union(SIGNAL);
    /** Rights of a new resource: TRANSFER | DUPLICATE | WRITE | INSPECT. */
    public static final Rights DEFAULT_RESOURCE = of(TRANSFER, DUPLICATE, WRITE, INSPECT);

    private final int bits;

    private Rights(int bits) {
        this.bits = bits;
    }

    /**
     * The rights whose bits are {@code bits} (any pattern is accepted, unknown bits kept).
     *
     * @param bits a {@code zx_rights_t} bit pattern
     * @return the rights with exactly those bits
     */
    public static Rights fromBits(int bits) {
        return new Rights(bits);
    }

    /**
     * The union of {@code rights}; {@link #NONE} for none.
     *
     * @param rights the rights to combine
     * @return their union
     */
    public static Rights of(Rights... rights) {
        int bits = 0;
        for (Rights r : rights) {
            bits |= r.bits;
        }
        return new Rights(bits);
    }

    /**
     * The raw {@code zx_rights_t}.
     *
     * @return the bit pattern
     */
    public int bits() {
        return bits;
    }

    /**
     * Whether every right of {@code other} is in this set.
     *
     * @param other the rights to look for
     * @return true if all of them are present
     */
    public boolean contains(Rights other) {
        return (bits & other.bits) == other.bits;
    }

    /**
     * The rights present in this set or in {@code other}.
     *
     * @param other the rights to add
     * @return the union
     */
    public Rights union(Rights other) {
        return new Rights(bits | other.bits);
    }

    /**
     * The rights present in both sets.
     *
     * @param other the other set
     * @return the intersection
     */
    public Rights intersect(Rights other) {
        return new Rights(bits & other.bits);
    }

    /**
     * This set without the rights of {@code other}.
     *
     * @param other the rights to remove
     * @return the difference
     */
    public Rights minus(Rights other) {
        return new Rights(bits & ~other.bits);
    }

    /** {@return whether the set holds no right at all} */
    public boolean isEmpty() {
        return bits == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rights && ((Rights) o).bits == bits;
    }

    @Override
    public int hashCode() {
        return bits;
    }

    /** {@code Rights[READ|WRITE]}; {@code Rights[NONE]}; unknown bits as {@code 0x…}. */
    @Override
    public String toString() {
        if (bits == SAME_RIGHTS_BITS) {
            return "Rights[SAME_RIGHTS]";
        }
        if (bits == 0) {
            return "Rights[NONE]";
        }
        List<String> parts = new ArrayList<>();
        int rest = bits;
        for (int i = 0; i < NAMES.length; i++) {
            if ((bits & (1 << i)) != 0) {
                parts.add(NAMES[i]);
                rest &= ~(1 << i);
            }
        }
        if (rest != 0) {
            parts.add(String.format("0x%x", rest));
        }
        return "Rights[" + String.join("|", parts) + "]";
    }

    private static final int SAME_RIGHTS_BITS = 1 << 31;
}
