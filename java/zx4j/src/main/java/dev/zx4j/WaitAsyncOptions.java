package dev.zx4j;

import dev.zx4j.abi.Zx;

/** Options of {@link HandleObject#waitAsync} ({@code zx_object_wait_async}). */
public enum WaitAsyncOptions {
    /** The packet carries the monotonic time of the match ({@code ZX_WAIT_ASYNC_TIMESTAMP}). */
    TIMESTAMP(Zx.ZX_WAIT_ASYNC_TIMESTAMP),
    /**
     * Ignore signals asserted at the call; fire on a later change that leaves one of the
     * signals asserted ({@code ZX_WAIT_ASYNC_EDGE}).
     */
    EDGE(Zx.ZX_WAIT_ASYNC_EDGE);

    private final int bits;

    WaitAsyncOptions(int bits) {
        this.bits = bits;
    }

    /** {@return the raw {@code ZX_WAIT_ASYNC_*} bit} */
    public int bits() {
        return bits;
    }

    static int toBits(WaitAsyncOptions... options) {
        int b = 0;
        for (WaitAsyncOptions o : options) {
            b |= o.bits;
        }
        return b;
    }
}
