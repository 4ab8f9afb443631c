package dev.zx4j.sim.x86;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A tiny guest for CPU tests: 16 MiB of RAM at guest-physical 0 (pages allocated on first use),
 * trap pages placed by the test, identity page tables like the Zircon test harness (§5.1), and
 * loading of the guests assembled by {@code scripts/build-guests.sh}.
 */
final class GuestHarness implements GuestPhysicalBus {
    static final long RAM_SIZE = 16L << 20;
    /** MEM trap page used by tests (as in the Zircon hypervisor tests). */
    static final long MEM_TRAP = 0xFFF000L;
    /** BELL trap page used by tests. */
    static final long BELL_TRAP = 0xFFE000L;

    private final Map<Long, byte[]> pages = new HashMap<>();
    private final Map<Long, Trap> traps = new HashMap<>();

    GuestHarness() {
        traps.put(MEM_TRAP >>> 12, Trap.MEM);
        traps.put(BELL_TRAP >>> 12, Trap.BELL);
    }

    @Override
    public byte[] ramPage(long pageNumber) {
        if (pageNumber >= RAM_SIZE >>> 12 || traps.containsKey(pageNumber)) {
            return null;
        }
        return pages.computeIfAbsent(pageNumber, k -> new byte[PAGE_SIZE]);
    }

    /** When set, a page never written reads as {@link GuestPhysicalBus#ZERO_PAGE} (nothing committed). */
    boolean lazyCommit;

    @Override
    public byte[] ramPageForRead(long pageNumber) {
        if (lazyCommit && pageNumber < RAM_SIZE >>> 12 && !traps.containsKey(pageNumber)
                && !pages.containsKey(pageNumber)) {
            return ZERO_PAGE;
        }
        return ramPage(pageNumber);
    }

    @Override
    public Trap trapAt(long gpa) {
        return traps.getOrDefault(gpa >>> 12, Trap.NONE);
    }

    void setTrap(long gpa, Trap t) {
        traps.put(gpa >>> 12, t);
    }

    // ---- physical memory helpers -----------------------------------------------------------

    void write(long gpa, byte[] data) {
        for (int k = 0; k < data.length; k++) {
            ramPage((gpa + k) >>> 12)[(int) ((gpa + k) & 0xFFF)] = data[k];
        }
    }

    void write64(long gpa, long v) {
        ByteBuffer.wrap(ramPage(gpa >>> 12)).order(ByteOrder.LITTLE_ENDIAN).putLong((int) (gpa & 0xFFF), v);
    }

    long read64(long gpa) {
        return ByteBuffer.wrap(ramPage(gpa >>> 12)).order(ByteOrder.LITTLE_ENDIAN).getLong((int) (gpa & 0xFFF));
    }

    int read8(long gpa) {
        return ramPage(gpa >>> 12)[(int) (gpa & 0xFFF)] & 0xFF;
    }

    /** PML4 at 0x0 → PDPT at 0x1000 whose entry 0 is a 1 GiB page at 0 (P|RW|U|PS), as §5.1. */
    void identityMap1G() {
        write64(0x0, 0x1000 | 0x7);
        write64(0x1000, 0x0 | 0x87);
    }

    // ---- guest images -----------------------------------------------------------------------

    /**
     * A guest file: a class-path resource under {@code /guests/}, else a file in the directory
     * named by {@code zx4j.guests.dir} (default {@code target/coremark/guests}, where
     * scripts/bench-coremark.sh puts CoreMark, which is not part of the build).
     */
    static byte[] resource(String name) {
        try (InputStream in = GuestHarness.class.getResourceAsStream("/guests/" + name)) {
            if (in == null) {
                java.nio.file.Path p = java.nio.file.Path.of(
                        System.getProperty("zx4j.guests.dir", "target/coremark/guests"), name);
                if (java.nio.file.Files.isRegularFile(p)) {
                    return java.nio.file.Files.readAllBytes(p);
                }
            }
            assertNotNull(in, "guest resource " + name + " (built by scripts/build-guests.sh)");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads {@code <name>.bin} at {@code gpa}; returns the symbol table of {@code <name>.sym}. */
    Map<String, Long> load(String name, long gpa) {
        write(gpa, resource(name + ".bin"));
        return symbols(name);
    }

    static Map<String, Long> symbols(String name) {
        Map<String, Long> syms = new HashMap<>();
        for (String line : new String(resource(name + ".sym"), StandardCharsets.US_ASCII).split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length == 2) {
                syms.put(f[1], Long.parseUnsignedLong(f[0], 16));
            }
        }
        return syms;
    }
}
