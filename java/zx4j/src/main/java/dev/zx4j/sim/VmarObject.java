package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.ZX_ERR_ALREADY_EXISTS;
import static dev.zx4j.abi.Zx.ZX_ERR_INVALID_ARGS;
import static dev.zx4j.abi.Zx.ZX_ERR_NO_RESOURCES;
import static dev.zx4j.abi.Zx.ZX_OBJ_TYPE_VMAR;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A virtual memory address region. The simulator has exactly one kind: the root region of a
 * guest-physical address space, [0, size), into which a VMM maps VMOs as guest RAM.
 * Mappings are kept sorted by base; lookups are by guest-physical address.
 */
final class VmarObject extends KernelObject {
    static final long PAGE = VmoObject.PAGE;

    /** A VMO mapped at [base, base+size), starting at {@code vmoOffset} in the VMO. */
    record Mapping(long base, long size, VmoObject vmo, long vmoOffset, int perms) {
        boolean contains(long addr) {
            return addr - base >= 0 && addr - base < size;
        }
    }

    final long size;
    final GuestObject guest;
    private final TreeMap<Long, Mapping> mappings = new TreeMap<>();

    VmarObject(SimKernel kernel, long size, GuestObject guest) {
        super(kernel);
        this.size = size;
        this.guest = guest;
    }

    @Override
    int type() {
        return ZX_OBJ_TYPE_VMAR;
    }

    @Override
    long relatedKoid() {
        return guest.koid;
    }

    /** The mapping containing {@code addr}, or null. Called under the kernel lock. */
    Mapping find(long addr) {
        Map.Entry<Long, Mapping> e = mappings.floorEntry(addr);
        return e != null && e.getValue().contains(addr) ? e.getValue() : null;
    }

    private boolean free(long base, long len) {
        Map.Entry<Long, Mapping> below = mappings.floorEntry(base + len - 1);
        return below == null || below.getValue().base + below.getValue().size <= base;
    }

    /**
     * Maps {@code vmo}; the length is rounded up to whole pages. With {@code specific} the
     * mapping goes at {@code offset}, else at the lowest free gap.
     */
    long map(boolean specific, long offset, VmoObject vmo, long vmoOffset, long len, int perms)
            throws SysErr {
        if (vmoOffset % PAGE != 0) {
            throw new SysErr(ZX_ERR_INVALID_ARGS);
        }
        long pages = Long.divideUnsigned(len + PAGE - 1, PAGE);
        long bytes = pages * PAGE;
        if (len == 0 || Long.compareUnsigned(len, size) > 0 || bytes == 0) {
            throw new SysErr(ZX_ERR_INVALID_ARGS);
        }
        long base;
        if (specific) {
            if (offset % PAGE != 0 || Long.compareUnsigned(offset, size) >= 0
                    || Long.compareUnsigned(bytes, size - offset) > 0) {
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            if (!free(offset, bytes)) {
                throw new SysErr(ZX_ERR_ALREADY_EXISTS);
            }
            base = offset;
        } else {
            base = 0;
            for (Mapping m : mappings.values()) {
                if (m.base - base >= bytes) {
                    break;
                }
                base = m.base + m.size;
            }
            if (Long.compareUnsigned(bytes, size - base) > 0) {
                throw new SysErr(ZX_ERR_NO_RESOURCES);
            }
        }
        mappings.put(base, new Mapping(base, bytes, vmo, vmoOffset, perms));
        return base;
    }

    /** Unmaps [addr, addr+len) (rounded up to pages), splitting mappings that straddle it. */
    void unmap(long addr, long len) throws SysErr {
        long bytes = Long.divideUnsigned(len + PAGE - 1, PAGE) * PAGE;
        if (addr % PAGE != 0 || bytes == 0 || Long.compareUnsigned(addr, size) >= 0
                || Long.compareUnsigned(bytes, size - addr) > 0) {
            throw new SysErr(ZX_ERR_INVALID_ARGS);
        }
        long end = addr + bytes;
        List<Mapping> hit = new ArrayList<>();
        Map.Entry<Long, Mapping> first = mappings.floorEntry(addr);
        long from = first != null ? first.getKey() : addr;
        for (Mapping m : mappings.subMap(from, true, end, false).values()) {
            if (m.base + m.size > addr) {
                hit.add(m);
            }
        }
        for (Mapping m : hit) {
            mappings.remove(m.base);
            if (m.base < addr) {
                mappings.put(m.base, new Mapping(m.base, addr - m.base, m.vmo, m.vmoOffset, m.perms));
            }
            long mEnd = m.base + m.size;
            if (mEnd > end) {
                mappings.put(end, new Mapping(end, mEnd - end, m.vmo,
                        m.vmoOffset + (end - m.base), m.perms));
            }
        }
    }
}
