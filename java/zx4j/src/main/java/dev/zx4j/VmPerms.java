package dev.zx4j;

import dev.zx4j.abi.Zx;
import java.util.ArrayList;
import java.util.List;

/**
 * An immutable set of mapping permissions ({@code ZX_VM_PERM_*}) for
 * {@link Vmar#map(long, Vmo, long, long, VmPerms, MapOptions...)}.
 *
 * <p>Prints symbolically: {@code VmPerms[READ|WRITE]}. The kernel refuses WRITE without READ
 * and any permission the VMAR or VMO handle lacks the right for (EXECUTE needs a VMO made
 * {@linkplain Vmo#replaceAsExecutable executable}).
 */
public final class VmPerms {
    /** The empty set: no access. */
    public static final VmPerms NONE = new VmPerms(0);
    /** {@code ZX_VM_PERM_READ}: the pages may be read. */
    public static final VmPerms READ = new VmPerms(Zx.ZX_VM_PERM_READ);
    /** {@code ZX_VM_PERM_WRITE}: the pages may be written. */
    public static final VmPerms WRITE = new VmPerms(Zx.ZX_VM_PERM_WRITE);
    /** {@code ZX_VM_PERM_EXECUTE}: the pages may be executed. */
    public static final VmPerms EXECUTE = new VmPerms(Zx.ZX_VM_PERM_EXECUTE);
    /** READ | WRITE. */
    public static final VmPerms READ_WRITE = READ.union(WRITE);
    /** READ | WRITE | EXECUTE: what guest RAM holding code is usually mapped with. */
    public static final VmPerms READ_WRITE_EXECUTE = READ_WRITE.union(EXECUTE);

    private static final int ALL =
            Zx.ZX_VM_PERM_READ | Zx.ZX_VM_PERM_WRITE | Zx.ZX_VM_PERM_EXECUTE;

    private final int bits;

    private VmPerms(int bits) {
        this.bits = bits;
    }

    /**
     * The union of {@code perms}; {@link #NONE} for none.
     *
     * @param perms the permissions to combine
     * @return their union
     */
    public static VmPerms of(VmPerms... perms) {
        int bits = 0;
        for (VmPerms p : perms) {
            bits |= p.bits;
        }
        return new VmPerms(bits);
    }

    /**
     * The permissions whose {@code ZX_VM_PERM_*} bits are {@code bits}.
     *
     * @param bits the {@code ZX_VM_PERM_*} bits
     * @return the permissions
     * @throws IllegalArgumentException for bits that are not permissions
     */
    public static VmPerms fromBits(int bits) {
        if ((bits & ~ALL) != 0) {
            throw new IllegalArgumentException(String.format(
                    "not ZX_VM_PERM_* bits: 0x%x", bits & ~ALL));
        }
        return new VmPerms(bits);
    }

    /**
     * The raw {@code ZX_VM_PERM_*} bits.
     *
     * @return the bits
     */
    public int bits() {
        return bits;
    }

    /**
     * The permissions in this set or in {@code other}.
     *
     * @param other the permissions to add
     * @return the union
     */
    public VmPerms union(VmPerms other) {
        return new VmPerms(bits | other.bits);
    }

    /**
     * Whether every permission of {@code other} is in this set.
     *
     * @param other the permissions to look for
     * @return true if all of them are present
     */
    public boolean contains(VmPerms other) {
        return (bits & other.bits) == other.bits;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VmPerms && ((VmPerms) o).bits == bits;
    }

    @Override
    public int hashCode() {
        return bits;
    }

    @Override
    public String toString() {
        if (bits == 0) {
            return "VmPerms[NONE]";
        }
        List<String> parts = new ArrayList<>();
        if ((bits & Zx.ZX_VM_PERM_READ) != 0) {
            parts.add("READ");
        }
        if ((bits & Zx.ZX_VM_PERM_WRITE) != 0) {
            parts.add("WRITE");
        }
        if ((bits & Zx.ZX_VM_PERM_EXECUTE) != 0) {
            parts.add("EXECUTE");
        }
        return "VmPerms[" + String.join("|", parts) + "]";
    }
}
