package dev.zx4j;

import dev.zx4j.abi.Zx;

/**
 * Placement options of {@link Vmar#map(long, Vmo, long, long, VmPerms, MapOptions...)}. Without
 * {@link #SPECIFIC} the kernel chooses the address and the VMAR offset argument is ignored.
 */
public enum MapOptions {
    /** {@code ZX_VM_SPECIFIC}: map at exactly the given offset; fails if it is taken. */
    SPECIFIC(Zx.ZX_VM_SPECIFIC),
    /**
     * {@code ZX_VM_SPECIFIC_OVERWRITE}: map at exactly the given offset, replacing what is there.
     * (The simulated kernel refuses it with {@link Status#INVALID_ARGS}.)
     */
    SPECIFIC_OVERWRITE(Zx.ZX_VM_SPECIFIC_OVERWRITE);

    private final int bits;

    MapOptions(int bits) {
        this.bits = bits;
    }

    /**
     * The raw {@code ZX_VM_*} bit.
     *
     * @return the bit
     */
    public int bits() {
        return bits;
    }

    static int toBits(MapOptions... options) {
        int bits = 0;
        for (MapOptions o : options) {
            bits |= o.bits;
        }
        return bits;
    }
}
