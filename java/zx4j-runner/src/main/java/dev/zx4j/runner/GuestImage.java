package dev.zx4j.runner;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A guest program ready to be copied into guest-physical memory: its segments and its entry
 * point. Made from a flat binary ({@link #flat}) or an x86-64 ELF executable ({@link #elf}), and
 * checked against the guest's memory layout ({@link #checkFits}).
 *
 * @param name     where the image came from, for messages
 * @param segments the bytes to copy and where (each followed by zeroes up to its memory size)
 * @param entry    the guest-physical address the boot VCPU starts at
 */
public record GuestImage(String name, List<Segment> segments, long entry) {

    /** The first four bytes of every ELF file. */
    private static final byte[] ELF_MAGIC = {0x7F, 'E', 'L', 'F'};
    private static final int EM_X86_64 = 62;
    private static final int PT_LOAD = 1;

    /**
     * One loadable piece.
     *
     * @param address  guest-physical load address
     * @param data     the bytes stored in the image
     * @param memSize  bytes the segment occupies in memory ({@code >= data.length}; the rest is
     *                 zero, an ELF {@code .bss})
     */
    public record Segment(long address, byte[] data, long memSize) {
        /** {@return the first address after the segment} */
        public long end() {
            return address + memSize;
        }
    }

    /**
     * Copies the segment list.
     *
     * @param name where the image came from, for messages
     * @param segments the bytes to copy and where
     * @param entry the guest-physical address the boot VCPU starts at
     */
    public GuestImage {
        segments = List.copyOf(segments);
    }

    /**
     * Whether {@code bytes} start like an ELF file.
     *
     * @param bytes the file's contents
     * @return true if they start with the ELF magic
     */
    public static boolean looksLikeElf(byte[] bytes) {
        if (bytes.length < ELF_MAGIC.length) {
            return false;
        }
        for (int i = 0; i < ELF_MAGIC.length; i++) {
            if (bytes[i] != ELF_MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * A flat binary: copied as is to {@code loadAddress}; entry defaults to that address.
     *
     * @param name the image's name, for messages
     * @param bytes the binary
     * @param loadAddress the guest-physical load address
     * @return the image
     */
    public static GuestImage flat(String name, byte[] bytes, long loadAddress) {
        if (bytes.length == 0) {
            throw new RunnerException(ExitCode.IMAGE_INVALID, name + ": image is empty");
        }
        return new GuestImage(name, List.of(new Segment(loadAddress, bytes, bytes.length)),
                loadAddress);
    }

    /**
     * An ELF64 little-endian x86-64 executable: its {@code PT_LOAD} segments at their physical
     * addresses ({@code p_paddr}; the runner's page tables are an identity map), entry
     * {@code e_entry}.
     *
     * @param name the image's name, for messages
     * @param b the ELF file's contents
     * @return the image
     * @throws RunnerException {@link ExitCode#IMAGE_INVALID} for anything else or a malformed file
     */
    public static GuestImage elf(String name, byte[] b) {
        if (!looksLikeElf(b)) {
            throw invalid(name, "not an ELF file (no \\x7fELF magic)");
        }
        if (b.length < 64) {
            throw invalid(name, "truncated ELF header (" + b.length + " bytes)");
        }
        if (b[4] != 2) {
            throw invalid(name, "not a 64-bit ELF file (EI_CLASS " + b[4] + ")");
        }
        if (b[5] != 1) {
            throw invalid(name, "not a little-endian ELF file (EI_DATA " + b[5] + ")");
        }
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int machine = Short.toUnsignedInt(h.getShort(18));
        if (machine != EM_X86_64) {
            throw invalid(name, "not an x86-64 ELF file (e_machine " + machine + ")");
        }
        long entry = h.getLong(24);
        long phoff = h.getLong(32);
        int phentsize = Short.toUnsignedInt(h.getShort(54));
        int phnum = Short.toUnsignedInt(h.getShort(56));
        if (phnum == 0) {
            throw invalid(name, "ELF file has no program headers");
        }
        if (phentsize < 56 || phoff < 0 || phoff > b.length
                || (long) phentsize * phnum > b.length - phoff) {
            throw invalid(name, "ELF program headers lie outside the file");
        }
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int p = (int) (phoff + (long) i * phentsize);
            if (h.getInt(p) != PT_LOAD) {
                continue;
            }
            long offset = h.getLong(p + 8);
            long paddr = h.getLong(p + 24);
            long filesz = h.getLong(p + 32);
            long memsz = h.getLong(p + 40);
            if (offset < 0 || filesz < 0 || offset > b.length || filesz > b.length - offset) {
                throw invalid(name, "ELF segment " + i + " lies outside the file");
            }
            if (memsz < filesz || memsz < 0) {
                throw invalid(name, "ELF segment " + i + " has p_memsz < p_filesz");
            }
            if (memsz == 0) {
                continue;
            }
            byte[] data = new byte[(int) filesz];
            System.arraycopy(b, (int) offset, data, 0, data.length);
            segments.add(new Segment(paddr, data, memsz));
        }
        if (segments.isEmpty()) {
            throw invalid(name, "ELF file has no loadable segment");
        }
        return new GuestImage(name, segments, entry);
    }

    /**
     * This image with another entry point.
     *
     * @param newEntry the guest-physical entry address
     * @return the copy
     */
    public GuestImage withEntry(long newEntry) {
        return new GuestImage(name, segments, newEntry);
    }

    /**
     * Checks that every segment lies in guest RAM [{@code low}, {@code memory}) — below
     * {@code low} are the runner's page tables — and that the entry is inside a segment.
     *
     * @param low the first guest-physical address free for the image
     * @param memory the guest RAM size in bytes
     * @throws RunnerException {@link ExitCode#IMAGE_TOO_LARGE} for a segment past the end of
     *                         memory, {@link ExitCode#IMAGE_INVALID} for one over the page
     *                         tables or an entry outside the image
     */
    public void checkFits(long low, long memory) {
        for (Segment s : segments) {
            if (s.address() < 0 || s.end() < s.address() || s.end() > memory) {
                throw new RunnerException(ExitCode.IMAGE_TOO_LARGE, String.format(Locale.ROOT,
                        "%s: image does not fit in guest memory: %d bytes at %s end at %s,"
                                + " past the %s of guest memory (try --memory)",
                        name, s.memSize(), hex(s.address()), hex(s.end()), size(memory)));
            }
            if (s.address() < low) {
                throw invalid(name, "a segment at " + hex(s.address())
                        + " overlaps the page tables the runner builds at 0x0-" + hex(low - 1)
                        + " (load it at " + hex(low) + " or above)");
            }
        }
        boolean entryInside = segments.stream()
                .anyMatch(s -> entry >= s.address() && entry < s.address() + s.data().length);
        if (!entryInside) {
            throw invalid(name, "the entry point " + hex(entry) + " is not inside the image");
        }
    }

    /** {@return total bytes of memory the segments occupy} */
    public long size() {
        return segments.stream().mapToLong(Segment::memSize).sum();
    }

    private static RunnerException invalid(String name, String why) {
        return new RunnerException(ExitCode.IMAGE_INVALID, name + ": " + why);
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** A byte count as people write it: 16 MiB, 64 KiB, 1000 bytes. */
    static String size(long bytes) {
        if (bytes >= (1L << 30) && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= (1L << 20) && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= (1L << 10) && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
    }
}
