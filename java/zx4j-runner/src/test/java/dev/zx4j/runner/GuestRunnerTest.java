package dev.zx4j.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end: the runner, in-process through {@link GuestRunner#execute}, boots the bundled demo
 * guest on two VCPUs, and every kind of bad input ends with its exit code and one line on
 * stderr. After each run no thread of the runner is left.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GuestRunnerTest {

    @TempDir
    Path dir;

    /** The result of one run: exit code and captured streams. */
    record Run(int code, String out, String err) {
        List<String> outLines() {
            return out.lines().collect(Collectors.toList());
        }

        List<String> errLines() {
            return err.lines().collect(Collectors.toList());
        }
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = GuestRunner.execute(o, e, args);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }

    @AfterEach
    void noThreadLeft() {
        List<String> left = Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("vcpu-") || n.startsWith("zx4j-"))
                .collect(Collectors.toList());
        assertEquals(List.of(), left, "runner threads still alive after the run");
    }

    private static void assertOneLineError(Run r, int code, String fragment) {
        assertEquals(code, r.code(), () -> "exit code; stderr: " + r.err());
        String last = r.errLines().get(r.errLines().size() - 1);
        assertTrue(last.startsWith("zx4j-run: ") && last.contains(fragment),
                () -> "last stderr line: " + last);
        assertFalse(r.err().contains("\tat "), () -> "stack trace on stderr: " + r.err());
        assertFalse(r.err().contains("Exception"), () -> "exception on stderr: " + r.err());
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static byte[] demoElf() throws IOException {
        try (InputStream in = GuestRunnerTest.class.getResourceAsStream("/guests/demo.elf")) {
            return in.readAllBytes();
        }
    }

    // ---- the demo --------------------------------------------------------------------------

    @Test
    void demoGuestBootsOnTwoVcpusAndPrintsTheSummary() {
        Run r = run();
        assertEquals(0, r.code(), () -> "stdout:\n" + r.out() + "\nstderr:\n" + r.err());
        List<String> out = r.outLines();
        for (String expected : List.of(
                "boot cpu: hello from 64-bit long mode",
                "boot cpu: sent INIT + STARTUP to cpu 1",
                "ap cpu: hello from real mode",
                "ap cpu: counted 3 timer ticks",
                "ap cpu: done",
                "boot cpu: counted 5 timer ticks",
                "boot cpu: rang the doorbell",
                "[zx4j] doorbell #1 rung at 0xf0000000",
                "boot cpu: done, halting")) {
            assertTrue(out.contains(expected), () -> "missing '" + expected + "' in\n" + r.out());
        }
        // The guest's output comes first, the summary last.
        int summary = out.indexOf("---- zx4j guest runner summary ----");
        assertTrue(summary > out.indexOf("boot cpu: done, halting"), r.out());
        assertTrue(out.get(summary + 1).matches("result: +guest halted cleanly"), r.out());
        assertTrue(r.out().matches("(?s).*\nexits: +\\d+ \\(io \\d+, mem 0, vcpu-packet 1, "
                + "kicked \\d+\\); doorbell packets 1\n.*"), r.out());
        assertTrue(r.out().contains("\nvcpus:        2 started\n"), r.out());

        // Interrupts on both VCPUs: injected by the kernel and counted by the guest's handlers.
        Matcher m = Pattern.compile("vcpu-(\\d) (\\d+) injected, guest counted (\\d+)")
                .matcher(r.out());
        int seen = 0;
        while (m.find()) {
            seen++;
            long injected = Long.parseLong(m.group(2));
            long counted = Long.parseLong(m.group(3));
            assertTrue(counted >= (m.group(1).equals("0") ? 5 : 3), r.out());
            assertEquals(injected, counted, "the demo counts every timer vector it is given");
        }
        assertEquals(2, seen, r.out());
        assertTrue(r.out().matches("(?s).*\ntimer: +IRQ line 40 fired \\d+ times at 100 Hz.*"),
                r.out());
        Matcher inst = Pattern.compile("instructions: ([\\d,]+) \\(vcpu-0 ([\\d,]+), vcpu-1 "
                + "([\\d,]+)\\)").matcher(r.out());
        assertTrue(inst.find(), r.out());
        assertTrue(Long.parseLong(inst.group(2).replace(",", "")) > 100);
        assertTrue(Long.parseLong(inst.group(3).replace(",", "")) > 50);
        assertTrue(r.out().matches("(?s).*\nguest MIPS: +\\d+\\.\\d\\d\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\nwall time: +\\d+\\.\\d{3} s\n"), r.out());
        assertFalse(r.err().contains("zx4j-run:"), r.err());
    }

    @Test
    void traceShowsEveryExitAndQuietHidesHostLines() {
        Run r = run("--trace", "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("[trace] vcpu-0: io out port 0x3f8 size 1 data 0x62"), r.err());
        assertTrue(r.err().contains("[trace] vcpu-0: STARTUP for APIC ID 1 at 0x3000"), r.err());
        assertTrue(r.err().contains("[trace] vcpu-1: created at 0x3000 (real mode)"), r.err());
        assertTrue(r.err().contains("[trace] control event: stopping (guest done, status 0)"),
                r.err());
        assertFalse(r.out().contains("[zx4j]"), r.out());
        assertFalse(r.err().contains("[zx4j]"), r.err());
        assertTrue(r.out().contains("boot cpu: done, halting"), r.out());
    }

    @Test
    void theDemoAlsoRunsAsAFlatBinaryGivenOnTheCommandLine() throws IOException {
        byte[] bin;
        try (InputStream in = GuestRunnerTest.class.getResourceAsStream("/guests/demo.bin")) {
            bin = in.readAllBytes();
        }
        Run r = run(file("demo.bin", bin).toString(), "--timer-hz", "200", "-q");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("ap cpu: done"), r.out());
        assertTrue(r.out().contains("at 200 Hz"), r.out());
    }

    // ---- bad input -------------------------------------------------------------------------

    @Test
    void missingImage() {
        Run r = run(dir.resolve("nope.elf").toString());
        assertOneLineError(r, ExitCode.IMAGE_MISSING, "nope.elf: no such file");
        assertEquals("", r.out());
    }

    @Test
    void garbageImage() throws IOException {
        byte[] junk = new byte[4096];
        new Random(7).nextBytes(junk);
        junk[0] = 0x13;
        Path p = file("junk.dat", junk);
        assertOneLineError(run(p.toString()), ExitCode.IMAGE_INVALID, "not an ELF file");
        assertOneLineError(run("--format", "elf", p.toString()), ExitCode.IMAGE_INVALID,
                "no \\x7fELF magic");
        assertOneLineError(run(file("empty.bin", new byte[0]).toString()),
                ExitCode.IMAGE_INVALID, "image is empty");
    }

    @Test
    void elfForAnotherMachineOrTruncated() throws IOException {
        byte[] elf = demoElf();
        byte[] arm = elf.clone();
        arm[18] = (byte) 183; // EM_AARCH64
        assertOneLineError(run(file("arm.elf", arm).toString()), ExitCode.IMAGE_INVALID,
                "not an x86-64 ELF file (e_machine 183)");
        assertOneLineError(run(file("cut.elf", Arrays.copyOf(elf, 100)).toString()),
                ExitCode.IMAGE_INVALID, "program headers lie outside the file");
    }

    @Test
    void imageLargerThanGuestMemory() throws IOException {
        Path big = file("big.bin", new byte[64 * 1024]);
        assertOneLineError(run("--memory", "32K", big.toString()), ExitCode.IMAGE_TOO_LARGE,
                "larger than guest memory (32 KiB; try --memory)");
        // An ELF whose segment ends past the end of RAM.
        assertOneLineError(run("--memory", "12K", file("demo.elf", demoElf()).toString()),
                ExitCode.IMAGE_TOO_LARGE, "does not fit in guest memory");
        // A flat image loaded over the page tables.
        assertOneLineError(run("--load-address", "0x1000", file("low.bin", new byte[16])
                .toString()), ExitCode.IMAGE_INVALID, "overlaps the page tables");
    }

    @Test
    void imagesThatAreNotRegularFilesAreRefusedWithoutReading() throws Exception {
        assertOneLineError(run(dir.toString()), ExitCode.IMAGE_MISSING, ": is a directory");
        Path zero = Path.of("/dev/zero");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(zero), "no /dev/zero here");
        assertOneLineError(run("--format", "flat", zero.toString()), ExitCode.IMAGE_MISSING,
                "/dev/zero: is not a regular file (a FIFO, device or socket)");
        Path fifo = dir.resolve("guest.fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mk.waitFor() == 0,
                "mkfifo is not available to make a FIFO");
        long start = System.nanoTime();
        assertOneLineError(run(fifo.toString()), ExitCode.IMAGE_MISSING,
                "guest.fifo: is not a regular file");
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "the FIFO was opened");
    }

    @Test
    void readingTheImageStopsOneByteAfterGuestMemory() throws IOException {
        Path p = file("grown.elf", new byte[48 * 1024]);
        assertEquals(32 * 1024 + 1, GuestRunner.readCapped(p, 32 * 1024 + 1).length);
        assertOneLineError(run("--memory", "32K", p.toString()), ExitCode.IMAGE_TOO_LARGE,
                "grown.elf: image file is larger than guest memory (32 KiB; try --memory)");
    }

    @Test
    void guestExecutingAnUnsupportedInstructionFaults() throws IOException {
        // nop; rep insb (string I/O, which the kernel does not emulate); hlt
        Path p = file("strio.bin", new byte[] {(byte) 0x90, (byte) 0xF3, 0x6C, (byte) 0xF4});
        assertOneLineError(run("-q", p.toString()), ExitCode.GUEST_FAULT,
                "guest fault on vcpu-0: ZX_ERR_NOT_SUPPORTED");
        // the one line names the instruction's address (and, with --trace, so does the trace)
        assertOneLineError(run("-q", p.toString()), ExitCode.GUEST_FAULT,
                "at RIP 0x2001 (bytes f3 6c f4 00");
        Run traced = run("-q", "--trace", p.toString());
        assertOneLineError(traced, ExitCode.GUEST_FAULT, "at RIP 0x2001");
        assertTrue(traced.err().contains("[trace] vcpu-0: enter failed: zx_vcpu_enter: "
                + "ZX_ERR_NOT_SUPPORTED"), traced.err());
    }

    @Test
    void guestJumpingToMemoryWithoutRamFaults() throws IOException {
        // mov $0x40000000, %eax; jmp *%rax — mapped by the page tables, but there is no RAM.
        Path p = file("wild.bin", new byte[] {(byte) 0xB8, 0, 0, 0, 0x40, (byte) 0xFF,
            (byte) 0xE0});
        Run r = run("-q", p.toString());
        assertOneLineError(r, ExitCode.GUEST_FAULT, "guest fault on vcpu-0: ZX_ERR_");
        assertTrue(r.out().contains("result:       guest fault on vcpu-0"), r.out());
    }

    @Test
    void spinningGuestIsStoppedAtTheTimeLimit() throws IOException {
        Path p = file("spin.bin", new byte[] {(byte) 0xEB, (byte) 0xFE}); // 1: jmp 1b
        long t0 = System.nanoTime();
        Run r = run("-q", "--time-limit", "1s", p.toString());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertOneLineError(r, ExitCode.TIME_LIMIT, "time limit exceeded: the guest was still"
                + " running after 1s");
        assertTrue(ms < 6000, "took " + ms + " ms");
        assertTrue(r.out().contains("result:       stopped at the time limit (1s)"), r.out());
        assertTrue(r.out().matches("(?s).*kicked 1\\).*"), r.out());
    }

    @Test
    void longRunsShowProgressOnStderr() throws IOException {
        Path p = file("spin.bin", new byte[] {(byte) 0xEB, (byte) 0xFE});
        Run r = run("--time-limit", "2300ms", p.toString());
        assertEquals(ExitCode.TIME_LIMIT, r.code(), r.err());
        assertTrue(r.err().matches("(?s).*\\[zx4j\\] 2 s: [\\d,]+ guest instructions, \\d+ exits, "
                + "[\\d,]+ timer edges, 1 vcpu\\(s\\)\n.*"), r.err());
        assertTrue(r.out().contains("result:       stopped at the time limit (2300ms)"), r.out());
    }

    @Test
    void guestReportingFailure() throws IOException {
        // mov $0x501, %dx; mov $3, %al; out %al, (%dx); hlt
        Path p = file("fail.bin", new byte[] {0x66, (byte) 0xBA, 0x01, 0x05, (byte) 0xB0, 0x03,
            (byte) 0xEE, (byte) 0xF4});
        assertOneLineError(run("-q", p.toString()), ExitCode.GUEST_FAILED, "status 3");
    }

    @Test
    void usageErrors() {
        assertOneLineError(run("--memory", "banana"), ExitCode.USAGE, "is not a size");
        assertOneLineError(run("--time-limit", "soon"), ExitCode.USAGE, "is not a duration");
        assertOneLineError(run("--format", "exe"), ExitCode.USAGE, "--format");
        assertOneLineError(run("--vcpus", "0"), ExitCode.USAGE, "--vcpus must be 1..64");
        assertOneLineError(run("a.bin", "b.bin"), ExitCode.USAGE, "b.bin");
    }

    @Test
    void nativeKernelOffFuchsia() {
        Run r = run("--kernel", "native");
        assertOneLineError(r, ExitCode.NATIVE_UNAVAILABLE, "--kernel native: no native kernel");
        assertEquals("", r.out());
    }

    @Test
    void helpListsTheExitCodes() {
        Run r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("--time-limit=DURATION"), r.out());
        assertTrue(r.out().matches("(?s).*\n +7 +time limit exceeded\n.*"), r.out());
    }
}
