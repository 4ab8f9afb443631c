package dev.zx4j.vmm;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Lays out guest memory for a Linux kernel entered through the 64-bit boot protocol, as
 * Fuchsia's VMM does: the boot VCPU starts in 64-bit mode with paging on (identity page tables
 * at guest-physical 0, CR3 = 0), RIP = load address + 0x200 and RSI = the zero page.
 *
 * <h2>Guest-physical layout</h2>
 * <table>
 *   <caption>What {@link #plan} places where</caption>
 *   <tr><th>address</th><th>contents</th><th>e820</th></tr>
 *   <tr><td>0x0</td><td>PML4, then the PDPT at 0x1000 mapping 0–4 GiB with 1 GiB pages</td>
 *       <td>RAM (Linux reserves the low 1 MiB itself)</td></tr>
 *   <tr><td>{@value #ZERO_PAGE_HEX}</td><td>boot_params (the zero page)</td><td>RAM</td></tr>
 *   <tr><td>{@value #CMDLINE_HEX}</td><td>the command line, NUL-terminated</td><td>RAM</td></tr>
 *   <tr><td>0x9FC00–0x100000</td><td>ACPI tables at {@value AcpiTables#BASE_HEX}</td>
 *       <td>reserved</td></tr>
 *   <tr><td>pref_address (16 MiB)</td><td>the protected-mode kernel; it decompresses
 *       itself within [load, load + init_size)</td><td>RAM</td></tr>
 *   <tr><td>top of RAM</td><td>the initrd, page-aligned, below initrd_addr_max</td>
 *       <td>RAM</td></tr>
 * </table>
 *
 * <p>boot_params is built as boot.rst asks of a 64-bit loader (not patched in place as Fuchsia
 * does): zeroed, the image's setup header copied to 0x1F1, then {@code type_of_loader} = 0xFF,
 * the command line, initrd, e820 map and (protocol 2.14+) {@code acpi_rsdp_addr} filled in.
 */
public final class LinuxBoot {

    /** Guest-physical address of boot_params (the "zero page"), which RSI points to at entry. */
    public static final long ZERO_PAGE = 0x7000;
    static final String ZERO_PAGE_HEX = "0x7000";
    /** Guest-physical address of the kernel command line. */
    public static final long CMDLINE = 0x20000;
    static final String CMDLINE_HEX = "0x20000";
    /** Bytes below 1 MiB that are RAM; the rest up to 1 MiB is reserved (BIOS area, ACPI). */
    public static final long LOW_RAM_END = 0x9FC00;
    /** Guest-physical start of RAM above the low megabyte (1 MiB). */
    public static final long HIGH_RAM_START = 0x10_0000;
    /** Identity-mapped guest-physical space. */
    public static final long MAPPED = 4L << 30;

    // boot_params offsets (Linux Documentation/x86/zero-page.rst)
    static final int BP_ACPI_RSDP_ADDR = 0x070;
    static final int BP_EXT_RAMDISK_IMAGE = 0x0C0;
    static final int BP_EXT_RAMDISK_SIZE = 0x0C4;
    static final int BP_EXT_CMD_LINE_PTR = 0x0C8;
    static final int BP_E820_ENTRIES = 0x1E8;
    static final int BP_TYPE_OF_LOADER = 0x210;
    static final int BP_RAMDISK_IMAGE = 0x218;
    static final int BP_RAMDISK_SIZE = 0x21C;
    static final int BP_CMD_LINE_PTR = 0x228;
    static final int BP_E820_TABLE = 0x2D0;
    static final int E820_MAX = 128;

    /** e820 entry types. */
    public static final int E820_RAM = 1;
    /** e820 type 2: reserved, not to be used by the OS. */
    public static final int E820_RESERVED = 2;

    /**
     * One e820 range.
     *
     * @param address the range's guest-physical start
     * @param size the range's length in bytes
     * @param type {@link #E820_RAM} or {@link #E820_RESERVED}
     */
    public record E820Entry(long address, long size, int type) {}

    /**
     * Bytes to copy into guest memory at an address.
     *
     * @param what a name for messages ("kernel", "initrd"…)
     * @param address the guest-physical address
     * @param data the bytes
     */
    public record Placement(String what, long address, byte[] data) {}

    /**
     * Everything the VMM must write before starting the boot VCPU.
     *
     * @param placements what to copy where
     * @param entry the guest-physical address of the 64-bit entry point
     * @param zeroPage the guest-physical address of boot_params, for RSI
     * @param kernelAddress where the protected-mode kernel is loaded
     * @param initrdAddress where the initrd is loaded (0 without one)
     * @param e820 the memory map given to the kernel
     */
    public record Plan(List<Placement> placements, long entry, long zeroPage, long kernelAddress,
                       long initrdAddress, List<E820Entry> e820) {}

    /** Thrown when the kernel, initrd and tables do not fit in the guest's memory. */
    public static final class DoesNotFitException extends Exception {
        private static final long serialVersionUID = 1L;

        DoesNotFitException(String message) {
            super(message, null, false, false);
        }
    }

    private LinuxBoot() {}

    /**
     * Plans the boot of {@code image} with {@code initrd} (may be null) in {@code memory} bytes
     * of RAM at guest-physical 0.
     *
     * @param reserved extra ranges (device MMIO) to list as reserved in the e820 map
     * @param image the kernel
     * @param initrd the initial RAM disk, or null
     * @param cmdline the kernel command line
     * @param memory the guest RAM size in bytes
     * @param acpiTables the ACPI tables to place at {@link AcpiTables#BASE}
     * @return the plan
     * @throws DoesNotFitException      when something does not fit
     * @throws IllegalArgumentException when the command line is longer than the kernel accepts
     */
    public static Plan plan(BzImage image, byte[] initrd, String cmdline, long memory,
                            byte[] acpiTables, List<E820Entry> reserved) throws DoesNotFitException {
        byte[] cmd = cmdline.getBytes(StandardCharsets.US_ASCII);
        long maxCmd = Math.min(image.cmdlineSize(), 0xFFFF);
        if (cmd.length > maxCmd) {
            throw new IllegalArgumentException("the command line has " + cmd.length
                    + " bytes; this kernel takes at most " + maxCmd);
        }
        long align = image.kernelAlignment();
        long load = Math.max(image.preferredAddress(), HIGH_RAM_START);
        load = (load + align - 1) & -align;
        long kernelEnd = load + Math.max(image.initSize(), image.protectedModeSize());
        if (kernelEnd > memory) {
            throw new DoesNotFitException("the kernel needs guest memory up to "
                    + Long.toHexString(kernelEnd) + "h (load address 0x" + Long.toHexString(load)
                    + " + init_size); give the guest more than " + (memory >> 20) + " MiB");
        }
        long initrdAddr = 0;
        if (initrd != null) {
            long top = Math.min(memory, image.initrdAddrMax() + 1);
            initrdAddr = (top - initrd.length) & ~0xFFFL;
            if (initrdAddr < kernelEnd) {
                throw new DoesNotFitException("the initrd (" + initrd.length + " bytes) does not"
                        + " fit between the kernel (up to 0x" + Long.toHexString(kernelEnd)
                        + ") and the end of RAM 0x" + Long.toHexString(top)
                        + "; give the guest more memory");
            }
        }
        List<E820Entry> e820 = new ArrayList<>();
        e820.add(new E820Entry(0, LOW_RAM_END, E820_RAM));
        e820.add(new E820Entry(LOW_RAM_END, HIGH_RAM_START - LOW_RAM_END, E820_RESERVED));
        e820.add(new E820Entry(HIGH_RAM_START, memory - HIGH_RAM_START, E820_RAM));
        e820.addAll(reserved);

        byte[] zp = new byte[0x1000];
        byte[] header = image.setupHeader();
        System.arraycopy(header, 0, zp, BzImage.SETUP_HEADER, header.length);
        zp[BP_TYPE_OF_LOADER] = (byte) 0xFF;
        put32(zp, BP_CMD_LINE_PTR, CMDLINE);
        put32(zp, BP_EXT_CMD_LINE_PTR, CMDLINE >>> 32);
        if (initrd != null) {
            put32(zp, BP_RAMDISK_IMAGE, initrdAddr);
            put32(zp, BP_RAMDISK_SIZE, initrd.length);
            put32(zp, BP_EXT_RAMDISK_IMAGE, initrdAddr >>> 32);
            put32(zp, BP_EXT_RAMDISK_SIZE, 0);
        }
        if (image.protocol() >= 0x020E) {
            put32(zp, BP_ACPI_RSDP_ADDR, AcpiTables.BASE);
            put32(zp, BP_ACPI_RSDP_ADDR + 4, 0);
        }
        if (e820.size() > E820_MAX) {
            throw new IllegalArgumentException("too many e820 entries: " + e820.size());
        }
        zp[BP_E820_ENTRIES] = (byte) e820.size();
        for (int i = 0; i < e820.size(); i++) {
            E820Entry e = e820.get(i);
            int off = BP_E820_TABLE + 20 * i;
            put32(zp, off, e.address());
            put32(zp, off + 4, e.address() >>> 32);
            put32(zp, off + 8, e.size());
            put32(zp, off + 12, e.size() >>> 32);
            put32(zp, off + 16, e.type());
        }
        byte[] cmdz = new byte[cmd.length + 1];
        System.arraycopy(cmd, 0, cmdz, 0, cmd.length);

        List<Placement> out = new ArrayList<>();
        out.add(new Placement("page tables", 0, identityPageTables()));
        out.add(new Placement("zero page", ZERO_PAGE, zp));
        out.add(new Placement("command line", CMDLINE, cmdz));
        out.add(new Placement("ACPI tables", AcpiTables.BASE, acpiTables));
        out.add(new Placement("kernel", load, image.protectedModeKernel()));
        if (initrd != null) {
            out.add(new Placement("initrd", initrdAddr, initrd));
        }
        return new Plan(out, load + BzImage.ENTRY_64_OFFSET, ZERO_PAGE, load, initrdAddr, e820);
    }

    /** PML4[0] → PDPT at 0x1000; PDPT[0..3] → 1 GiB pages at 0–3 GiB (P | RW | PS). */
    static byte[] identityPageTables() {
        byte[] t = new byte[0x2000];
        put32(t, 0, 0x1000 | 0x3);
        for (int i = 0; i < MAPPED >> 30; i++) {
            long e = ((long) i << 30) | 0x83;
            put32(t, 0x1000 + 8 * i, e);
            put32(t, 0x1000 + 8 * i + 4, e >>> 32);
        }
        return t;
    }

    static void put32(byte[] b, int off, long v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }
}
