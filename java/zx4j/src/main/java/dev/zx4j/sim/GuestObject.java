package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.ZX_ERR_ALREADY_EXISTS;
import static dev.zx4j.abi.Zx.ZX_ERR_INVALID_ARGS;
import static dev.zx4j.abi.Zx.ZX_ERR_NOT_FOUND;
import static dev.zx4j.abi.Zx.ZX_ERR_NO_RESOURCES;
import static dev.zx4j.abi.Zx.ZX_ERR_OUT_OF_RANGE;
import static dev.zx4j.abi.Zx.ZX_GUEST_TRAP_IO;
import static dev.zx4j.abi.Zx.ZX_OBJ_TYPE_GUEST;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;

/**
 * A guest: a guest-physical address space (its root VMAR), the traps set on it, and the VPIDs
 * of its VCPUs. Lives while it has handles or VCPUs.
 */
final class GuestObject extends KernelObject implements GuestPtr.Space {
    /** Size of the guest-physical address space (x86: 2^48). */
    static final long PHYS_SIZE = 1L << 48;
    /** Highest VPID; VPIDs 1..63 are handed out by a rotating allocator. */
    static final int MAX_VPID = 63;
    /** Packets each BELL trap may have in flight before the VCPU that rings it blocks. */
    static final int BELL_POOL = 256;

    /** A trap over [addr, addr+size) of one kind. */
    final class Trap implements PortObject.PacketSource {
        final int kind;
        final long addr;
        final long size;
        final PortObject port;
        final long key;
        int inFlight;

        Trap(int kind, long addr, long size, PortObject port, long key) {
            this.kind = kind;
            this.addr = addr;
            this.size = size;
            this.port = port;
            this.key = key;
        }

        @Override
        public void released() {
            inFlight--;
            poolFreed.signalAll();
        }
    }

    final VmarObject vmar;
    private final TreeMap<Long, Trap> memTraps = new TreeMap<>(); // BELL and MEM share one space
    private final TreeMap<Long, Trap> ioTraps = new TreeMap<>();
    final Condition poolFreed;
    private final boolean[] vpidUsed = new boolean[MAX_VPID + 1];
    private int lastVpid;
    int liveVcpus;
    private boolean destroyed;

    GuestObject(SimKernel kernel) {
        super(kernel);
        this.vmar = new VmarObject(kernel, PHYS_SIZE, this);
        this.poolFreed = kernel.lock.newCondition();
    }

    @Override
    int type() {
        return ZX_OBJ_TYPE_GUEST;
    }

    /** {@code TrapMap::InsertTrap}: range checks, then overlap within the kind's space. */
    void insertTrap(int kind, long addr, long size, PortObject port, long key) throws SysErr {
        long end = addr + size;
        if (size == 0 || Long.compareUnsigned(end, addr) < 0
                || (kind == ZX_GUEST_TRAP_IO && Long.compareUnsigned(end, 0xFFFF) > 0)) {
            throw new SysErr(ZX_ERR_OUT_OF_RANGE);
        }
        TreeMap<Long, Trap> space = kind == ZX_GUEST_TRAP_IO ? ioTraps : memTraps;
        Map.Entry<Long, Trap> below = space.floorEntry(addr);
        Map.Entry<Long, Trap> above = space.ceilingEntry(addr);
        if ((below != null && below.getValue().addr + below.getValue().size - addr > 0)
                || (above != null && Long.compareUnsigned(above.getKey(), end) < 0)) {
            throw new SysErr(ZX_ERR_ALREADY_EXISTS);
        }
        space.put(addr, new Trap(kind, addr, size, port, key));
    }

    /** The trap of the IO space ({@code io}) or memory space containing {@code addr}, or null. */
    Trap findTrap(boolean io, long addr) {
        Map.Entry<Long, Trap> e = (io ? ioTraps : memTraps).floorEntry(addr);
        if (e == null) {
            return null;
        }
        Trap t = e.getValue();
        return Long.compareUnsigned(addr - t.addr, t.size) < 0 ? t : null;
    }

    /**
     * {@code GuestPhysicalAspace::CreateGuestPtr} (hypervisor/aspace.cc, 2022): the page-rounded
     * range must lie in the guest-physical space (else INVALID_ARGS), start in a mapping (else
     * NOT_FOUND) and stay inside that one mapping and its VMO (else OUT_OF_RANGE, the pinning
     * failure).
     */
    @Override
    public GuestPtr map(long gpa, int length) throws SysErr {
        long begin = gpa & -VmoObject.PAGE;
        long end = (gpa + length + VmoObject.PAGE - 1) & -VmoObject.PAGE;
        if (Long.compareUnsigned(begin, end) > 0 || Long.compareUnsigned(end, PHYS_SIZE) > 0) {
            throw new SysErr(ZX_ERR_INVALID_ARGS);
        }
        kernel.lock.lock();
        try {
            VmarObject.Mapping m = vmar.find(begin);
            if (m == null) {
                throw new SysErr(ZX_ERR_NOT_FOUND);
            }
            long offset = m.vmoOffset() + (begin - m.base());
            if (end - m.base() > m.size() || offset + (end - begin) > m.vmo().size) {
                throw new SysErr(ZX_ERR_OUT_OF_RANGE);
            }
            byte[][] pages = new byte[(int) ((end - begin) / VmoObject.PAGE)][];
            for (int k = 0; k < pages.length; k++) {
                pages[k] = m.vmo().page(offset / VmoObject.PAGE + k);
            }
            return new GuestPtr(gpa, length, pages);
        } finally {
            kernel.lock.unlock();
        }
    }

    /** Allocates a VPID, continuing after the last one handed out. */
    int allocVpid() throws SysErr {
        for (int i = 1; i <= MAX_VPID; i++) {
            int v = (lastVpid + i - 1) % MAX_VPID + 1;
            if (!vpidUsed[v]) {
                vpidUsed[v] = true;
                lastVpid = v;
                return v;
            }
        }
        throw new SysErr(ZX_ERR_NO_RESOURCES);
    }

    void freeVpid(int vpid) {
        vpidUsed[vpid] = false;
    }

    void vcpuGone() {
        liveVcpus--;
        maybeDestroy();
    }

    @Override
    void onZeroHandles() {
        maybeDestroy();
    }

    /** Once neither handles nor VCPUs hold the guest: its traps' queued packets are cancelled. */
    private void maybeDestroy() {
        if (destroyed || handleCount > 0 || liveVcpus > 0) {
            return;
        }
        destroyed = true;
        for (Trap t : memTraps.values()) {
            if (t.port != null) {
                t.port.removeFrom(t);
            }
        }
    }
}
