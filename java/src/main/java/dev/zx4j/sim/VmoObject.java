package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.ZX_OBJ_TYPE_VMO;

/**
 * A virtual memory object: page-granular memory, allocated lazily, zero-filled. Pages are
 * {@code byte[4096]} arrays so a software VCPU can cache them directly.
 */
final class VmoObject extends KernelObject {
    static final int PAGE = 4096;
    private static final int CHUNK = 512; // pages per second-level array

    /** Largest VMO the simulator accepts: 64 GiB. */
    static final long MAX_SIZE = 1L << 36;

    final long size;
    private final byte[][][] chunks;

    VmoObject(SimKernel kernel, long size) {
        super(kernel);
        this.size = size;
        long pages = size / PAGE;
        this.chunks = new byte[(int) ((pages + CHUNK - 1) / CHUNK)][][];
    }

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

    /** The page at {@code pageIndex}, allocated on first use. Thread-safe. */
    byte[] page(long pageIndex) {
        int c = (int) (pageIndex / CHUNK);
        int i = (int) (pageIndex % CHUNK);
        synchronized (chunks) {
            byte[][] chunk = chunks[c];
            if (chunk == null) {
                chunk = chunks[c] = new byte[CHUNK][];
            }
            byte[] page = chunk[i];
            if (page == null) {
                page = chunk[i] = new byte[PAGE];
            }
            return page;
        }
    }

    void read(long offset, byte[] dst, int dstOff, int len) {
        while (len > 0) {
            int in = (int) (offset % PAGE);
            int n = Math.min(len, PAGE - in);
            System.arraycopy(page(offset / PAGE), in, dst, dstOff, n);
            offset += n;
            dstOff += n;
            len -= n;
        }
    }

    void write(long offset, byte[] src, int srcOff, int len) {
        while (len > 0) {
            int in = (int) (offset % PAGE);
            int n = Math.min(len, PAGE - in);
            System.arraycopy(src, srcOff, page(offset / PAGE), in, n);
            offset += n;
            srcOff += n;
            len -= n;
        }
    }
}
