package dev.zx4j;

import java.util.Objects;

/**
 * A virtual memory object: a run of pages, for example a guest's RAM. Create one with
 * {@link Kernel#createVmo(long, VmoOptions...)}, fill it with {@link #write}, and map it into a
 * {@link Vmar} such as a guest's {@linkplain Guest#physicalVmar() physical address space}.
 */
public final class Vmo extends HandleObject<Vmo> {

    Vmo(Kernel kernel, HandleCell cell, boolean owner) {
        super(kernel, cell, owner);
    }

    @Override
    Vmo wrap(HandleCell cell, boolean owner) {
        return new Vmo(kernel, cell, owner);
    }

    /**
     * The size in bytes, a whole number of pages ({@code zx_vmo_get_size}).
     *
     * @return the size in bytes
     */
    public long size() {
        long[] out = new long[1];
        int h = cell.acquire();
        try {
            ZxException.check("zx_vmo_get_size", kernel.syscalls().zx_vmo_get_size(h, out));
        } finally {
            cell.release();
        }
        return out[0];
    }

    /**
     * Fills {@code buffer} from the VMO starting at {@code offset} ({@code zx_vmo_read}; needs
     * {@link Rights#READ}).
     *
     * @param offset the byte offset in the VMO
     * @param buffer receives {@code buffer.length} bytes
     * @throws ZxException with {@link Status#OUT_OF_RANGE} if the range passes the end
     */
    public void read(long offset, byte[] buffer) {
        Objects.requireNonNull(buffer, "buffer");
        int h = cell.acquire();
        try {
            ZxException.check("zx_vmo_read",
                    kernel.syscalls().zx_vmo_read(h, buffer, offset, buffer.length));
        } finally {
            cell.release();
        }
    }

    /**
     * {@code length} bytes read from {@code offset}; see {@link #read(long, byte[])}.
     *
     * @param offset the byte offset in the VMO
     * @param length how many bytes
     * @return a new array with the bytes
     */
    public byte[] read(long offset, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        byte[] b = new byte[length];
        read(offset, b);
        return b;
    }

    /**
     * Writes all of {@code data} at {@code offset} ({@code zx_vmo_write}; needs
     * {@link Rights#WRITE}).
     *
     * @param offset the byte offset in the VMO
     * @param data the bytes to write
     * @throws ZxException with {@link Status#OUT_OF_RANGE} if the range passes the end
     */
    public void write(long offset, byte[] data) {
        Objects.requireNonNull(data, "data");
        int h = cell.acquire();
        try {
            ZxException.check("zx_vmo_write",
                    kernel.syscalls().zx_vmo_write(h, data, offset, data.length));
        } finally {
            cell.release();
        }
    }

    /**
     * Replaces this handle by one that also has {@link Rights#EXECUTE}, authorised by the VMEX
     * {@code vmex} resource ({@code zx_vmo_replace_as_executable}); needed to map the VMO with
     * {@link VmPerms#EXECUTE}. Like {@link #replace(Rights)}, this object stops owning its handle
     * in every case — Zircon consumes the source handle even when it refuses — so it must not be
     * used afterwards.
     *
     * @param vmex the VMEX resource
     * @return the new, executable VMO handle
     * @throws IllegalStateException on a borrowed view, or while other calls are in flight
     * @throws ZxException           if the kernel refuses (the source is gone nonetheless)
     */
    public Vmo replaceAsExecutable(Resource vmex) {
        if (!owner) {
            throw new IllegalStateException("a borrowed view cannot replace " + cell.describe()
                    + "; its owner can");
        }
        int v = vmex.cell.acquire();
        try {
            int h = cell.takeExclusive("replace", "replaced as executable");
            int[] out = new int[1];
            ZxException.check("zx_vmo_replace_as_executable",
                    kernel.syscalls().zx_vmo_replace_as_executable(h, v, out));
            return new Vmo(kernel, new HandleCell(kernel, out[0], cell.kind), true);
        } finally {
            vmex.cell.release();
        }
    }
}
