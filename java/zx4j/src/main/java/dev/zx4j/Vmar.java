package dev.zx4j;

import java.util.Objects;

/**
 * A virtual memory address region. zx4j meets VMARs as a guest's physical address space
 * ({@link Guest#physicalVmar()}): mapping a {@link Vmo} there gives the guest RAM, at
 * guest-physical addresses equal to the offsets in the region.
 */
public final class Vmar extends HandleObject<Vmar> {

    Vmar(Kernel kernel, HandleCell cell, boolean owner) {
        super(kernel, cell, owner);
    }

    @Override
    Vmar wrap(HandleCell cell, boolean owner) {
        return new Vmar(kernel, cell, owner);
    }

    /**
     * Maps {@code len} bytes of {@code vmo} from {@code vmoOffset} ({@code zx_vmar_map}) and
     * returns the address of the mapping. With {@link MapOptions#SPECIFIC} it goes at
     * {@code vmarOffset}; otherwise the kernel chooses (and {@code vmarOffset} must be 0).
     * The VMO handle needs {@link Rights#MAP}; each permission needs the matching right on both
     * handles.
     *
     * @param vmarOffset the offset in this VMAR with {@link MapOptions#SPECIFIC}, else 0
     * @param vmo the VMO to map
     * @param vmoOffset the page-aligned offset in the VMO
     * @param len the length in bytes
     * @param perms the access the mapping allows
     * @param options placement options such as {@link MapOptions#SPECIFIC}
     * @return the address of the mapping
     */
    public long map(long vmarOffset, Vmo vmo, long vmoOffset, long len, VmPerms perms,
                    MapOptions... options) {
        Objects.requireNonNull(perms, "perms");
        int bits = perms.bits() | MapOptions.toBits(options);
        long[] out = new long[1];
        int h = cell.acquire();
        try {
            int m = vmo.cell.acquire();
            try {
                ZxException.check("zx_vmar_map", kernel.syscalls().zx_vmar_map(
                        h, bits, vmarOffset, m, vmoOffset, len, out));
            } finally {
                vmo.cell.release();
            }
        } finally {
            cell.release();
        }
        return out[0];
    }

    /**
     * Maps all of {@code vmo} at exactly {@code addr} with {@code perms} — for a guest, its RAM
     * at guest-physical {@code addr}. Returns {@code addr}.
     *
     * @param addr the address (for a guest, the guest-physical address)
     * @param vmo the VMO to map, whole
     * @param perms the access the mapping allows
     * @return {@code addr}
     */
    public long mapAt(long addr, Vmo vmo, VmPerms perms) {
        return map(addr, vmo, 0, vmo.size(), perms, MapOptions.SPECIFIC);
    }

    /**
     * Removes the mappings in [{@code addr}, {@code addr + len}) ({@code zx_vmar_unmap}).
     *
     * @param addr the page-aligned start address
     * @param len the length in bytes
     */
    public void unmap(long addr, long len) {
        int h = cell.acquire();
        try {
            ZxException.check("zx_vmar_unmap", kernel.syscalls().zx_vmar_unmap(h, addr, len));
        } finally {
            cell.release();
        }
    }
}
