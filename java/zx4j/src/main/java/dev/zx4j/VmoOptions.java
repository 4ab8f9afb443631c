package dev.zx4j;

import dev.zx4j.abi.Zx;

/** Options of {@link Kernel#createVmo(long, VmoOptions...)}. */
public enum VmoOptions {
    /** {@code ZX_VMO_RESIZABLE}: the VMO may be resized later. */
    RESIZABLE(Zx.ZX_VMO_RESIZABLE);

    private final int bits;

    VmoOptions(int bits) {
        this.bits = bits;
    }

    /** {@return the raw option bit} */
    public int bits() {
        return bits;
    }

    static int toBits(VmoOptions... options) {
        int bits = 0;
        for (VmoOptions o : options) {
            bits |= o.bits;
        }
        return bits;
    }
}
