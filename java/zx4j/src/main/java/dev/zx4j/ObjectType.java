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

    /** {@code ZX_OBJ_TYPE_NONE}: no object (the type reported for an invalid handle). */
    public static final ObjectType NONE = new ObjectType(0);
    /** {@code ZX_OBJ_TYPE_PORT}: a port. */
    public static final ObjectType PORT = new ObjectType(6);
    /** {@code ZX_OBJ_TYPE_INTERRUPT}: an interrupt. */
    public static final ObjectType INTERRUPT = new ObjectType(9);
    /** {@code ZX_OBJ_TYPE_RESOURCE}: a resource. */
    public static final ObjectType RESOURCE = new ObjectType(15);
    /** {@code ZX_OBJ_TYPE_VMO}: a virtual memory object. */
    public static final ObjectType VMO = new ObjectType(3);
    /** {@code ZX_OBJ_TYPE_VMAR}: a virtual memory address region. */
    public static final ObjectType VMAR = new ObjectType(18);
    /** {@code ZX_OBJ_TYPE_GUEST}: a hypervisor guest. */
    public static final ObjectType GUEST = new ObjectType(20);
    /** {@code ZX_OBJ_TYPE_VCPU}: a virtual CPU. */
    public static final ObjectType VCPU = new ObjectType(21);
    /** {@code ZX_OBJ_TYPE_EVENT}: an event. */
    public static final ObjectType EVENT = new ObjectType(5);
    /** {@code ZX_OBJ_TYPE_TIMER}: a timer. */
    public static final ObjectType TIMER = new ObjectType(22);

    private static final Map<Integer, ObjectType> COMMON = Map.of(
            0, NONE, 6, PORT, 9, INTERRUPT, 15, RESOURCE, 3, VMO, 18, VMAR, 20, GUEST, 21, VCPU,
            5, EVENT, 22, TIMER);

    private final int raw;

    private ObjectType(int raw) {
        this.raw = raw;
    }

    /**
     * The type for a raw {@code zx_obj_type_t}; values without a constant get a fresh instance.
     *
     * @param raw the raw type value
     * @return the type
     */
    public static ObjectType of(int raw) {
        ObjectType t = COMMON.get(raw);
        return t != null ? t : new ObjectType(raw);
    }

    /**
     * The symbolic name of a raw type ({@code PORT}), or {@code OBJ_TYPE(n)}.
     *
     * @param raw the raw type value
     * @return the name
     */
    public static String nameOf(int raw) {
        String n = raw >= 0 && raw < NAMES.length ? NAMES[raw] : null;
        return n != null ? n : "OBJ_TYPE(" + raw + ")";
    }

    /** {@return the raw {@code zx_obj_type_t}} */
    public int raw() {
        return raw;
    }

    /** {@return the symbolic name, as {@link #nameOf(int)} gives it} */
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
