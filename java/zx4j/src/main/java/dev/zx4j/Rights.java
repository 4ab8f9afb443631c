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

    public static final Rights NONE = new Rights(0);
    public static final Rights DUPLICATE = new Rights(1 << 0);
    public static final Rights TRANSFER = new Rights(1 << 1);
    public static final Rights READ = new Rights(1 << 2);
    public static final Rights WRITE = new Rights(1 << 3);
    public static final Rights EXECUTE = new Rights(1 << 4);
    public static final Rights MAP = new Rights(1 << 5);
    public static final Rights GET_PROPERTY = new Rights(1 << 6);
    public static final Rights SET_PROPERTY = new Rights(1 << 7);
    public static final Rights ENUMERATE = new Rights(1 << 8);
    public static final Rights DESTROY = new Rights(1 << 9);
    public static final Rights SET_POLICY = new Rights(1 << 10);
    public static final Rights GET_POLICY = new Rights(1 << 11);
    public static final Rights SIGNAL = new Rights(1 << 12);
    public static final Rights SIGNAL_PEER = new Rights(1 << 13);
    public static final Rights WAIT = new Rights(1 << 14);
    public static final Rights INSPECT = new Rights(1 << 15);
    public static final Rights MANAGE_JOB = new Rights(1 << 16);
    public static final Rights MANAGE_PROCESS = new Rights(1 << 17);
    public static final Rights MANAGE_THREAD = new Rights(1 << 18);
    public static final Rights APPLY_PROFILE = new Rights(1 << 19);
    public static final Rights MANAGE_SOCKET = new Rights(1 << 20);
    public static final Rights OP_CHILDREN = new Rights(1 << 21);
    public static final Rights RESIZE = new Rights(1 << 22);
    public static final Rights ATTACH_VMO = new Rights(1 << 23);
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

    /** The rights whose bits are {@code bits} (any pattern is accepted, unknown bits kept). */
    public static Rights fromBits(int bits) {
        return new Rights(bits);
    }

    /** The union of {@code rights}; {@link #NONE} for none. */
    public static Rights of(Rights... rights) {
        int bits = 0;
        for (Rights r : rights) {
            bits |= r.bits;
        }
        return new Rights(bits);
    }

    /** The raw {@code zx_rights_t}. */
    public int bits() {
        return bits;
    }

    /** Whether every right of {@code other} is in this set. */
    public boolean contains(Rights other) {
        return (bits & other.bits) == other.bits;
    }

    public Rights union(Rights other) {
        return new Rights(bits | other.bits);
    }

    public Rights intersect(Rights other) {
        return new Rights(bits & other.bits);
    }

    /** This set without the rights of {@code other}. */
    public Rights minus(Rights other) {
        return new Rights(bits & ~other.bits);
    }

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
