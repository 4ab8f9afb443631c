package dev.zx4j;

import dev.zx4j.abi.Zx;

/**
 * Options of {@link Kernel#createInterrupt(Resource, int, InterruptOptions...)}: flags and the
 * trigger mode of a physical interrupt.
 *
 * <p>The {@code MODE_*} values share one field of the C options word: at most one may be given
 * (none means {@code ZX_INTERRUPT_MODE_DEFAULT}). {@link #VIRTUAL} makes a virtual interrupt, for
 * which the kernel ignores the resource and vector; {@link Kernel#createVirtualInterrupt()} is the
 * direct way.
 */
public enum InterruptOptions {
    /** {@code ZX_INTERRUPT_REMAP_IRQ}. */
    REMAP_IRQ(Zx.ZX_INTERRUPT_REMAP_IRQ, false),
    /** {@code ZX_INTERRUPT_MODE_EDGE_LOW}. */
    MODE_EDGE_LOW(Zx.ZX_INTERRUPT_MODE_EDGE_LOW, true),
    /** {@code ZX_INTERRUPT_MODE_EDGE_HIGH}. */
    MODE_EDGE_HIGH(Zx.ZX_INTERRUPT_MODE_EDGE_HIGH, true),
    /** {@code ZX_INTERRUPT_MODE_LEVEL_LOW}. */
    MODE_LEVEL_LOW(Zx.ZX_INTERRUPT_MODE_LEVEL_LOW, true),
    /** {@code ZX_INTERRUPT_MODE_LEVEL_HIGH}. */
    MODE_LEVEL_HIGH(Zx.ZX_INTERRUPT_MODE_LEVEL_HIGH, true),
    /** {@code ZX_INTERRUPT_MODE_EDGE_BOTH}. */
    MODE_EDGE_BOTH(Zx.ZX_INTERRUPT_MODE_EDGE_BOTH, true),
    /** {@code ZX_INTERRUPT_VIRTUAL}: a software-triggered interrupt. */
    VIRTUAL(Zx.ZX_INTERRUPT_VIRTUAL, false);

    private final int bits;
    private final boolean mode;

    InterruptOptions(int bits, boolean mode) {
        this.bits = bits;
        this.mode = mode;
    }

    /** {@return the raw bits of this option in the C options word} */
    public int bits() {
        return bits;
    }

    /** {@return whether this option is a trigger mode (at most one mode per interrupt)} */
    public boolean isMode() {
        return mode;
    }

    /**
     * The C options word for {@code options}.
     *
     * @param options the options to combine
     * @return the {@code ZX_INTERRUPT_*} bits
     * @throws IllegalArgumentException if two different modes are given
     */
    public static int toBits(InterruptOptions... options) {
        int bits = 0;
        InterruptOptions chosenMode = null;
        for (InterruptOptions o : options) {
            if (o.mode) {
                if (chosenMode != null && chosenMode != o) {
                    throw new IllegalArgumentException(
                            "at most one interrupt mode: " + chosenMode + " and " + o);
                }
                chosenMode = o;
            }
            bits |= o.bits;
        }
        return bits;
    }
}
