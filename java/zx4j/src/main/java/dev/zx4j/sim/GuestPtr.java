package dev.zx4j.sim;

/**
 * The kernel's long-lived view of a few bytes of guest-physical memory ({@code
 * hypervisor::GuestPtr}, made by {@code GuestPhysicalAspace::CreateGuestPtr}): the guest RAM
 * pages under {@code [gpa, gpa + length)}, held directly so that writes through it (kvmclock on
 * every VM entry) need no lookup. Little-endian stores; a range may straddle pages.
 */
final class GuestPtr {
    private final byte[][] pages;
    private final int offset;
    final long gpa;
    final int length;

    GuestPtr(long gpa, int length, byte[][] pages) {
        this.gpa = gpa;
        this.length = length;
        this.pages = pages;
        this.offset = (int) (gpa & (VmoObject.PAGE - 1));
    }

    /** Stores the {@code size} low bytes of {@code value} at byte {@code at} of the range. */
    void put(int at, int size, long value) {
        for (int k = 0; k < size; k++) {
            int o = offset + at + k;
            pages[o / VmoObject.PAGE][o % VmoObject.PAGE] = (byte) (value >>> (8 * k));
        }
    }

    /** The byte at {@code at} of the range (for tests). */
    int get8(int at) {
        int o = offset + at;
        return pages[o / VmoObject.PAGE][o % VmoObject.PAGE] & 0xFF;
    }

    /** Zeroes the whole range. */
    void zero() {
        for (int k = 0; k < length; k++) {
            put(k, 1, 0);
        }
    }

    /** A guest-physical address space that hands out {@link GuestPtr}s. */
    interface Space {
        /**
         * {@code CreateGuestPtr}: the range's pages, or the kernel's failure — {@code
         * ZX_ERR_INVALID_ARGS} when the page-rounded range leaves the guest-physical address
         * space, {@code ZX_ERR_NOT_FOUND} when nothing is mapped at its first page,
         * {@code ZX_ERR_OUT_OF_RANGE} when it is not inside one mapping (or its VMO).
         */
        GuestPtr map(long gpa, int length) throws SysErr;
    }
}
