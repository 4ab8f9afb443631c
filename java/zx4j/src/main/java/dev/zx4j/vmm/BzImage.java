package dev.zx4j.vmm;

import java.util.Arrays;

/**
 * A Linux x86 kernel image in bzImage format, checked against the x86 boot protocol
 * (Linux {@code Documentation/x86/boot.rst}): the real-mode setup sectors with the setup header
 * at offset 0x1F1, followed by the protected-mode kernel. Only what a 64-bit boot loader needs is
 * read; {@link #parse} refuses everything else with a message saying what is wrong.
 *
 * <p>Required: boot flag 0xAA55 at 0x1FE, the "HdrS" magic at 0x202, boot protocol 2.12 or
 * newer (the first with {@code xloadflags}), {@code XLF_KERNEL_64} (the image has the 64-bit
 * entry at load address + 0x200), {@code LOADED_HIGH} and a relocatable kernel whose alignment
 * is a power of two.
 */
public final class BzImage {

    /** Oldest boot protocol accepted: 2.12 introduced xloadflags and XLF_KERNEL_64. */
    public static final int MIN_PROTOCOL = 0x020C;
    /** Offset of the setup header in the image and in boot_params. */
    public static final int SETUP_HEADER = 0x1F1;
    /** The 64-bit entry point's offset from the protected-mode kernel's load address. */
    public static final int ENTRY_64_OFFSET = 0x200;

    static final int OFF_SETUP_SECTS = 0x1F1;
    static final int OFF_BOOT_FLAG = 0x1FE;
    static final int OFF_JUMP = 0x200;
    static final int OFF_HEADER = 0x202;
    static final int OFF_VERSION = 0x206;
    static final int OFF_LOADFLAGS = 0x211;
    static final int OFF_INITRD_ADDR_MAX = 0x22C;
    static final int OFF_KERNEL_ALIGNMENT = 0x230;
    static final int OFF_RELOCATABLE = 0x234;
    static final int OFF_XLOADFLAGS = 0x236;
    static final int OFF_CMDLINE_SIZE = 0x238;
    static final int OFF_PREF_ADDRESS = 0x258;
    static final int OFF_INIT_SIZE = 0x260;

    static final int LOADED_HIGH = 0x01;
    static final int XLF_KERNEL_64 = 0x01;

    /** Thrown for a file that is not a bootable bzImage; the message says why. */
    public static final class InvalidImageException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidImageException(String message) {
            super(message, null, false, false);
        }
    }

    private final byte[] file;
    private final int setupSects;
    private final int protocol;
    private final int headerEnd;

    private BzImage(byte[] file, int setupSects, int protocol, int headerEnd) {
        this.file = file;
        this.setupSects = setupSects;
        this.protocol = protocol;
        this.headerEnd = headerEnd;
    }

    /**
     * Checks {@code file} and returns the image.
     *
     * @param file the bzImage file's contents
     * @return the image
     * @throws InvalidImageException when it is not a bzImage a 64-bit boot loader can start
     */
    public static BzImage parse(byte[] file) throws InvalidImageException {
        if (file.length < 0x264) {
            throw new InvalidImageException("not a Linux bzImage: " + file.length
                    + " bytes is too short for a setup header");
        }
        if (u16(file, OFF_BOOT_FLAG) != 0xAA55 || u32(file, OFF_HEADER) != 0x53726448) {
            throw new InvalidImageException("not a Linux bzImage: no boot flag 0xAA55 at 0x1FE"
                    + " and \"HdrS\" at 0x202 (an ELF vmlinux or a compressed file? pass the"
                    + " /boot/vmlinuz-* file)");
        }
        int protocol = u16(file, OFF_VERSION);
        if (protocol < MIN_PROTOCOL) {
            throw new InvalidImageException(String.format("Linux boot protocol %d.%02d is too"
                    + " old: the 64-bit entry needs 2.12 or newer (Linux 3.8+)",
                    protocol >> 8, protocol & 0xFF));
        }
        if ((u16(file, OFF_XLOADFLAGS) & XLF_KERNEL_64) == 0) {
            throw new InvalidImageException("the kernel has no 64-bit entry point "
                    + "(XLF_KERNEL_64 clear in xloadflags): a 32-bit kernel?");
        }
        if ((file[OFF_LOADFLAGS] & LOADED_HIGH) == 0) {
            throw new InvalidImageException("not a bzImage: LOADED_HIGH is clear (a zImage)");
        }
        if (file[OFF_RELOCATABLE] == 0) {
            throw new InvalidImageException("the kernel is not relocatable");
        }
        long align = u32(file, OFF_KERNEL_ALIGNMENT);
        if (align == 0 || Long.bitCount(align) != 1) {
            throw new InvalidImageException("kernel_alignment 0x" + Long.toHexString(align)
                    + " is not a power of two");
        }
        int setupSects = file[OFF_SETUP_SECTS] & 0xFF;
        if (setupSects == 0) {
            setupSects = 4; // the boot protocol's rule for ancient images
        }
        int kernelOffset = (setupSects + 1) * 512;
        if (kernelOffset + ENTRY_64_OFFSET >= file.length) {
            throw new InvalidImageException("truncated bzImage: " + file.length + " bytes, but "
                    + setupSects + " setup sectors and the kernel should follow");
        }
        int headerEnd = OFF_JUMP + 2 + (file[OFF_JUMP + 1] & 0xFF);
        if (headerEnd > kernelOffset || headerEnd < OFF_INIT_SIZE + 4) {
            throw new InvalidImageException("malformed setup header (it would end at 0x"
                    + Integer.toHexString(headerEnd) + ")");
        }
        return new BzImage(file, setupSects, protocol, headerEnd);
    }

    /** {@return the boot protocol version, e.g. 0x020F for 2.15} */
    public int protocol() {
        return protocol;
    }

    /** {@return setup sectors (after the boot sector) before the protected-mode kernel} */
    public int setupSects() {
        return setupSects;
    }

    /**

     * {@return the setup header bytes [0x1F1, end), end = 0x202 + the byte at 0x201 (boot.rst)}

     */
    public byte[] setupHeader() {
        return Arrays.copyOfRange(file, SETUP_HEADER, headerEnd);
    }

    /** {@return the protected-mode kernel: the file after the setup sectors} */
    public byte[] protectedModeKernel() {
        return Arrays.copyOfRange(file, (setupSects + 1) * 512, file.length);
    }

    /** {@return bytes of the protected-mode kernel} */
    public long protectedModeSize() {
        return file.length - (setupSects + 1) * 512L;
    }

    /** {@return memory the kernel needs from its load address while it decompresses and starts} */
    public long initSize() {
        return u32(file, OFF_INIT_SIZE);
    }

    /** {@return the load address the kernel was linked for} */
    public long preferredAddress() {
        return u64(file, OFF_PREF_ADDRESS);
    }

    /** {@return required alignment of the load address} */
    public long kernelAlignment() {
        return u32(file, OFF_KERNEL_ALIGNMENT);
    }

    /** {@return highest address the initrd may occupy (inclusive)} */
    public long initrdAddrMax() {
        return u32(file, OFF_INITRD_ADDR_MAX);
    }

    /** {@return longest command line, without the NUL} */
    public long cmdlineSize() {
        return u32(file, OFF_CMDLINE_SIZE);
    }

    static int u16(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8;
    }

    static long u32(byte[] b, int off) {
        return (u16(b, off) | (long) u16(b, off + 2) << 16) & 0xFFFF_FFFFL;
    }

    static long u64(byte[] b, int off) {
        return u32(b, off) | u32(b, off + 4) << 32;
    }
}
