package dev.zx4j.sim.x86;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiled C guest built by {@code scripts/build-c-guests.sh} ({@code /guests/c-<workload>-<variant>.bin})
 * loaded into a {@link GuestHarness} on a boot VCPU. Each run writes N to {@code zx4j_n}, restarts
 * at {@code _start} (the block cache of the VCPU is kept between runs) and collects the exits:
 * the stub reports {@code work(N)} as OUT 0xF0 (low 32 bits), OUT 0xF1 (high 32 bits), then HLT.
 * Public so the JMH benchmarks in {@code dev.zx4j.bench} can use it.
 */
public final class CompiledGuest {
    /** Guest-physical load address of every compiled guest image. */
    public static final long LOAD_ADDRESS = 0x2000;
    public static final int PORT_LOW = 0xF0;
    public static final int PORT_HIGH = 0xF1;

    /** One built guest: its resource name and the N values of {@code params.txt}. */
    public record Variant(String name, long testN, long benchN) {}

    /** A host-CPU result of {@code work(n)} for the same object file (the hardware reference). */
    public record Expected(String name, long n, long result) {}

    /**
     * One run: the exits in order (at most three; the run stops at the first unexpected one),
     * the value assembled from the two OUTs (valid only if {@link #completed()}), and the guest
     * instructions retired by the run.
     */
    public record Run(List<VcpuExit> exits, long value, long instructions) {
        /** True if the exits were exactly OUT 0xF0 (4 bytes), OUT 0xF1 (4 bytes), HLT. */
        public boolean completed() {
            return exits.size() == 3
                    && exits.get(0) instanceof VcpuExit.IoExit lo && lo.port() == PORT_LOW
                    && lo.accessSize() == 4 && !lo.input()
                    && exits.get(1) instanceof VcpuExit.IoExit hi && hi.port() == PORT_HIGH
                    && hi.accessSize() == 4 && !hi.input()
                    && exits.get(2) instanceof VcpuExit.HaltExit;
        }
    }

    private final String name;
    private final GuestHarness bus = new GuestHarness();
    private final X86Cpu cpu;
    private final long entry;
    private final long nAddress;

    public CompiledGuest(String name) {
        this.name = name;
        bus.identityMap1G();
        Map<String, Long> syms = bus.load(name, LOAD_ADDRESS);
        entry = symbol(syms, "_start");
        nAddress = symbol(syms, "zx4j_n");
        cpu = X86Cpu.newBootProcessor(bus, entry);
    }

    private long symbol(Map<String, Long> syms, String s) {
        Long v = syms.get(s);
        if (v == null) {
            throw new IllegalStateException(name + ".sym has no symbol " + s);
        }
        return v;
    }

    /**
     * Sets how hot a block must run before it is translated to JVM bytecode (see
     * {@code Translator}): a number of runs, 0 for at once, negative for never (compiled ops only).
     */
    public CompiledGuest translateAfter(int runs) {
        cpu.translateAfter = runs;
        return this;
    }

    public String name() {
        return name;
    }

    /** Runs {@code work(n)} from {@code _start} with at most {@code budget} instructions in all. */
    public Run run(long n, long budget) {
        bus.write64(nAddress, n);
        cpu.setRip(entry);
        long start = cpu.instructionsRetired();
        List<VcpuExit> exits = new ArrayList<>(3);
        long value = 0;
        for (int k = 0; k < 3; k++) {
            long left = budget - (cpu.instructionsRetired() - start);
            VcpuExit e = cpu.run(Math.max(left, 1));
            exits.add(e);
            if (k < 2 && e instanceof VcpuExit.IoExit io && !io.input()) {
                value |= (io.data() & 0xFFFF_FFFFL) << (32 * k);
            } else if (!(k == 2 && e instanceof VcpuExit.HaltExit)) {
                break;
            }
        }
        return new Run(List.copyOf(exits), value, cpu.instructionsRetired() - start);
    }

    /** The guests built, in build order ({@code /guests/c-variants.txt}). */
    public static List<Variant> variants() {
        List<Variant> out = new ArrayList<>();
        for (String[] f : lines("c-variants.txt")) {
            out.add(new Variant(f[0], Long.parseUnsignedLong(f[1]), Long.parseUnsignedLong(f[2])));
        }
        return out;
    }

    /** Native results of the same objects for the Ns of {@code params.txt} ({@code c-expected.txt}). */
    public static List<Expected> expected() {
        List<Expected> out = new ArrayList<>();
        for (String[] f : lines("c-expected.txt")) {
            out.add(new Expected(f[0], Long.parseUnsignedLong(f[1]), Long.parseUnsignedLong(f[2])));
        }
        return out;
    }

    /** Variants the build skipped, with the reason ({@code c-skipped.txt}). */
    public static Map<String, String> skipped() {
        Map<String, String> out = new LinkedHashMap<>();
        String text = new String(GuestHarness.resource("c-skipped.txt"), StandardCharsets.US_ASCII);
        for (String line : text.split("\n")) {
            String t = line.trim();
            if (!t.isEmpty()) {
                int sp = t.indexOf(' ');
                out.put(t.substring(0, sp), t.substring(sp + 1));
            }
        }
        return out;
    }

    private static List<String[]> lines(String resource) {
        List<String[]> out = new ArrayList<>();
        String text = new String(GuestHarness.resource(resource), StandardCharsets.US_ASCII);
        for (String line : text.split("\n")) {
            String t = line.trim();
            if (!t.isEmpty()) {
                out.add(t.split("\\s+"));
            }
        }
        return out;
    }
}
