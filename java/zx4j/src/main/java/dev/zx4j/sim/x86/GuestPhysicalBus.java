package dev.zx4j.sim.x86;

/**
 * The guest-physical address space as the kernel sees it, implemented by the simulated guest.
 * Called only from the thread running {@link X86Cpu#run(long)}.
 */
public interface GuestPhysicalBus {
    /** Page size of guest-physical memory. */
    int PAGE_SIZE = 4096;

    /** What lies at a guest-physical address that is not RAM. */
    enum Trap {
        /** Nothing: an access is an error ({@code ZX_ERR_OUT_OF_RANGE}). */
        NONE,
        /** Synchronous MEM trap: the access exits with a {@link VcpuExit.MemExit}. */
        MEM,
        /** Asynchronous BELL trap: writes exit with {@link VcpuExit.BellExit}, reads fail. */
        BELL
    }

    /**
     * The RAM page containing guest-physical page {@code pageNumber} ({@code gpa >>> 12}), as a
     * {@link #PAGE_SIZE}-byte array that the CPU reads and writes in place, or {@code null} when
     * that page is not RAM (unmapped or trapped). The same array must be returned for the same page
     * for as long as the mapping exists, since the CPU caches it.
     *
     * @param pageNumber the guest-physical page number
     * @return the page's bytes, or null
     */
    byte[] ramPage(long pageNumber);

    /**
     * The one page of zeros that {@link #ramPageForRead} may return for RAM never written. The
     * CPU never writes into it and never caches it, so the first write to such a page (through
     * {@link #ramPage}) is seen by every later read.
     */
    byte[] ZERO_PAGE = new byte[PAGE_SIZE];

    /**
     * The RAM page for a read or an instruction fetch: like {@link #ramPage}, except that a page
     * never written may come back as {@link #ZERO_PAGE} without being committed (as Zircon maps
     * its shared zero page on a read fault).
     *
     * @param pageNumber the guest-physical page number
     * @return the page's bytes, {@link #ZERO_PAGE}, or null
     */
    default byte[] ramPageForRead(long pageNumber) {
        return ramPage(pageNumber);
    }

    /**
     * Classifies a guest-physical address for which {@link #ramPage} returned {@code null}.
     *
     * @param gpa the guest-physical address
     * @return what lies there
     */
    Trap trapAt(long gpa);
}
