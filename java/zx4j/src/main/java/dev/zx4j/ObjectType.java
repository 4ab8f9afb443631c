package dev.zx4j;

import java.util.Map;

/**
 * A kernel object type ({@code zx_obj_type_t}) as reported by {@link HandleObject#info()}.
 * Known types print their name ({@code PORT}); others print {@code OBJ_TYPE(n)}.
 */
public final class ObjectType {
    private static final String[] NAMES = new String[36];

    static {
        String[] names = {
            "NONE", "PROCESS", "THREAD", "VMO", "CHANNEL", "EVENT", "PORT", null, null,
            "INTERRUPT", null, "PCI_DEVICE", "DEBUGLOG", null, "SOCKET", "RESOURCE", "EVENTPAIR",
            "JOB", "VMAR", "FIFO", "GUEST", "VCPU", "TIMER", "IOMMU", "BTI", "PROFILE", "PMT",
            "SUSPEND_TOKEN", "PAGER", "EXCEPTION", "CLOCK", "STREAM", "MSI", "IOB", "COUNTER",
            "IOB_SHARED_REGION",
        };
        System.arraycopy(names, 0, NAMES, 0, names.length);
    }

    public static final ObjectType NONE = new ObjectType(0);
    public static final ObjectType PORT = new ObjectType(6);
    public static final ObjectType INTERRUPT = new ObjectType(9);
    public static final ObjectType RESOURCE = new ObjectType(15);
    public static final ObjectType VMO = new ObjectType(3);
    public static final ObjectType VMAR = new ObjectType(18);
    public static final ObjectType GUEST = new ObjectType(20);
    public static final ObjectType VCPU = new ObjectType(21);
    public static final ObjectType EVENT = new ObjectType(5);
    public static final ObjectType TIMER = new ObjectType(22);

    private static final Map<Integer, ObjectType> COMMON = Map.of(
            0, NONE, 6, PORT, 9, INTERRUPT, 15, RESOURCE, 3, VMO, 18, VMAR, 20, GUEST, 21, VCPU,
            5, EVENT, 22, TIMER);

    private final int raw;

    private ObjectType(int raw) {
        this.raw = raw;
    }

    public static ObjectType of(int raw) {
        ObjectType t = COMMON.get(raw);
        return t != null ? t : new ObjectType(raw);
    }

    /** The symbolic name of a raw type ({@code PORT}), or {@code OBJ_TYPE(n)}. */
    public static String nameOf(int raw) {
        String n = raw >= 0 && raw < NAMES.length ? NAMES[raw] : null;
        return n != null ? n : "OBJ_TYPE(" + raw + ")";
    }

    public int raw() {
        return raw;
    }

    public String name() {
        return nameOf(raw);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectType && ((ObjectType) o).raw == raw;
    }

    @Override
    public int hashCode() {
        return raw;
    }

    @Override
    public String toString() {
        return name();
    }
}
