package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.ZX_ERR_NO_MEMORY;
import static dev.zx4j.abi.Zx.ZX_OBJ_TYPE_VMO;

/**
 * A virtual memory object: page-granular memory, zero-filled, committed lazily. Pages are
 * {@code byte[4096]} arrays so a software VCPU can cache them directly.
 *
 * <p>As in Zircon, only a write commits a page: reading a page never written sees
 * {@link #ZERO_PAGE}, one shared page of zeros, and commits nothing. Every commit (and the VMO's
 * page table) is charged to the kernel's {@link MemoryBudget}; a commit beyond it fails with
 * {@code ZX_ERR_NO_MEMORY}.
 */
final class VmoObject extends KernelObject {
    static final int PAGE = 4096;
    private static final int CHUNK = 512; // pages per second-level array

    /** Largest VMO the simulator accepts: 64 GiB. */
    static final long MAX_SIZE = 1L << 36;

    /**
     * The page every uncommitted page reads as. Shared by all VMOs of all kernels: nothing may
     * ever write into it.
     */
    static final byte[] ZERO_PAGE = dev.zx4j.sim.x86.GuestPhysicalBus.ZERO_PAGE;

    /** Rough Java heap cost of one committed page (array header included). */
    private static final long PAGE_COST = PAGE + 16;
    /** Rough Java heap cost of one second-level array of page references. */
    private static final long CHUNK_COST = CHUNK * 8L + 16;

    final long size;
    private final byte[][][] chunks;
    private final MemoryBudget.Account account;

    private VmoObject(SimKernel kernel, long size, byte[][][] chunks,
                      MemoryBudget.Account account) {
        super(kernel);
        this.size = size;
        this.chunks = chunks;
        this.account = account;
    }

    /**
     * A new VMO of {@code size} bytes (a multiple of {@link #PAGE}), its page table charged to
     * the kernel's budget.
     *
     * @throws SysErr {@code ZX_ERR_NO_MEMORY} when the budget cannot hold its page table
     */
    static VmoObject create(SimKernel kernel, long size) throws SysErr {
        long pages = size / PAGE;
        int chunkCount = (int) ((pages + CHUNK - 1) / CHUNK);
        Object owner = new Object();
        MemoryBudget.Account account = kernel.memory.open(owner);
        if (!account.charge(chunkCount * 8L + 16)) {
            throw new SysErr(ZX_ERR_NO_MEMORY);
        }
        VmoObject vmo = new VmoObject(kernel, size, new byte[chunkCount][][], account);
        vmo.keepAlive = owner; // the account is released when the VMO becomes unreachable
        return vmo;
    }

    /** Reachable exactly as long as this VMO; its cleaner releases the VMO's charges. */
    @SuppressWarnings("unused")
    private Object keepAlive;

    @Override
    int type() {
        return ZX_OBJ_TYPE_VMO;
    }

    @Override
    boolean waitable() {
        return true;
    }

    /** No VMO of this kernel ever has a child: ZX_VMO_ZERO_CHILDREN stays asserted. */
    @Override
    int initialSignals() {
        return dev.zx4j.abi.Zx.ZX_VMO_ZERO_CHILDREN;
    }

    /**
     * The page at {@code pageIndex} for writing, committed (zero-filled) on first use.
     * Thread-safe.
     *
     * @return the page, or null when committing it would exceed the kernel's memory budget
     */
    byte[] page(long pageIndex) {
        int c = (int) (pageIndex / CHUNK);
        int i = (int) (pageIndex % CHUNK);
        synchronized (chunks) {
            byte[][] chunk = chunks[c];
            if (chunk == null) {
                if (!account.charge(CHUNK_COST)) {
                    return null;
                }
                chunk = chunks[c] = new byte[CHUNK][];
            }
            byte[] page = chunk[i];
            if (page == null) {
                if (!account.charge(PAGE_COST)) {
                    return null;
                }
                page = chunk[i] = new byte[PAGE];
            }
            return page;
        }
    }

    /**
     * The page at {@code pageIndex} for reading: the committed page, or {@link #ZERO_PAGE} (which
     * must not be written) when it was never written. Commits nothing. Thread-safe.
     */
    byte[] pageForRead(long pageIndex) {
        int c = (int) (pageIndex / CHUNK);
        int i = (int) (pageIndex % CHUNK);
        synchronized (chunks) {
            byte[][] chunk = chunks[c];
            byte[] page = chunk == null ? null : chunk[i];
            return page == null ? ZERO_PAGE : page;
        }
    }

    /** Whether the page at {@code pageIndex} has been committed. */
    boolean committed(long pageIndex) {
        return pageForRead(pageIndex) != ZERO_PAGE;
    }

    void read(long offset, byte[] dst, int dstOff, int len) {
        while (len > 0) {
            int in = (int) (offset % PAGE);
            int n = Math.min(len, PAGE - in);
            System.arraycopy(pageForRead(offset / PAGE), in, dst, dstOff, n);
            offset += n;
            dstOff += n;
            len -= n;
        }
    }

    /**
     * Writes {@code len} bytes at {@code offset}, committing pages as needed.
     *
     * @throws SysErr {@code ZX_ERR_NO_MEMORY} when a page cannot be committed (the pages before
     *                it have been written)
     */
    void write(long offset, byte[] src, int srcOff, int len) throws SysErr {
        while (len > 0) {
            int in = (int) (offset % PAGE);
            int n = Math.min(len, PAGE - in);
            byte[] page = page(offset / PAGE);
            if (page == null) {
                throw new SysErr(ZX_ERR_NO_MEMORY);
            }
            System.arraycopy(src, srcOff, page, in, n);
            offset += n;
            srcOff += n;
            len -= n;
        }
    }
}
