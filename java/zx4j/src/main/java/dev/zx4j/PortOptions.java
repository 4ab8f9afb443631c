package dev.zx4j;

/** Options of {@link Kernel#createPort(PortOptions...)}. */
public enum PortOptions {
    /** {@code ZX_PORT_BIND_TO_INTERRUPT}: interrupts may be bound to the port. */
    BIND_TO_INTERRUPT(0x1);

    private final int bits;

    PortOptions(int bits) {
        this.bits = bits;
    }

    /** {@return the raw option bit} */
    public int bits() {
        return bits;
    }

    static int toBits(PortOptions... options) {
        int bits = 0;
        for (PortOptions o : options) {
            bits |= o.bits;
        }
        return bits;
    }
}
