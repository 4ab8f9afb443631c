package dev.zx4j.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --linux} without Linux: tiny bzImages whose 64-bit entry code talks to the VMM's
 * devices (UART, ACPI PM1 control, i8042) check the boot state (RSI = zero page), every way a
 * run ends and its exit code, and the handling of bad inputs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LinuxCommandTest {

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = GuestRunner.execute(new ByteArrayInputStream(new byte[0]), o, e, args);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }

    @AfterEach
    void noThreadLeft() {
        List<String> left = Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("vcpu-") || n.equals("zx4j-timers"))
                .collect(Collectors.toList());
        assertEquals(List.of(), left);
    }

    /** x86-64 code that prints {@code text} on COM1. */
    static void print(ByteArrayOutputStream code, String text) {
        code.writeBytes(new byte[] {0x66, (byte) 0xBA, (byte) 0xF8, 0x03}); // mov dx, 0x3f8
        for (char c : text.toCharArray()) {
            code.writeBytes(new byte[] {(byte) 0xB0, (byte) c, (byte) 0xEE}); // mov al, c; out
        }
    }

    static final byte[] POWEROFF = {0x66, (byte) 0xBA, 0x04, 0x06,   // mov dx, 0x604
        0x66, (byte) 0xB8, 0x00, 0x34,                                 // mov ax, SLP_TYP 5 | SLP_EN
        0x66, (byte) 0xEF, (byte) 0xF4};                               // out dx, ax; hlt
    static final byte[] RESET = {(byte) 0xB0, (byte) 0xFE, (byte) 0xE6, 0x64, (byte) 0xF4};
    static final byte[] SPIN = {(byte) 0xEB, (byte) 0xFE};

    /** A bzImage whose 64-bit entry checks RSI, prints, then runs {@code end}. */
    Path kernel(String text, byte[] end) throws IOException {
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        // cmp esi, 0x7000; je +N (skip the complaint)
        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        print(bad, "bad rsi\n");
        bad.writeBytes(RESET);
        code.writeBytes(new byte[] {(byte) 0x81, (byte) 0xFE, 0x00, 0x70, 0x00, 0x00,
            0x74, (byte) bad.size()});
        code.writeBytes(bad.toByteArray());
        print(code, text);
        code.writeBytes(end);
        byte[] img = dev.zx4j.vmm.TestImagesAccess.bzImage(0x020F, 4, 0x1000);
        byte[] c = code.toByteArray();
        System.arraycopy(c, 0, img, 5 * 512 + 0x200, c.length);
        Path p = dir.resolve("bzImage");
        Files.write(p, img);
        return p;
    }

    @Test
    void poweroffEndsWithZeroAndASummary() throws IOException {
        Path k = kernel("hello from the entry\n", POWEROFF);
        Run r = run("--linux", k.toString(), "--memory", "64M", "--vcpus", "1", "-q");
        assertEquals(ExitCode.OK, r.code(), r.out() + r.err());
        assertTrue(r.out().startsWith("hello from the entry\n"), r.out());
        assertTrue(r.out().contains("result:       guest powered off (ACPI S5)"), r.out());
        assertTrue(r.out().contains("userspace:    first output after"), r.out());
        assertTrue(r.out().contains("io accesses:  acpi-pm 1, uart 21"), r.out());
        assertFalse(r.out().contains("bad rsi"));
    }

    @Test
    void everyTranslationThresholdBootsTheSame() throws IOException {
        Path k = kernel("hello from the entry\n", POWEROFF);
        for (String t : List.of("0", "2000", "off")) {
            Run r = run("--linux", k.toString(), "--memory", "64M", "--vcpus", "1", "-q",
                    "--jit-threshold", t);
            assertEquals(ExitCode.OK, r.code(), t + ": " + r.out() + r.err());
            assertTrue(r.out().startsWith("hello from the entry\n"), r.out());
        }
    }

    @Test
    void ioApicRegistersThroughMemTrapExits() throws IOException {
        byte[] code = {
            (byte) 0xBA, 0x00, 0x00, (byte) 0xC0, (byte) 0xFE,   // mov edx, 0xFEC00000
            (byte) 0xB8, 0x01, 0x00, 0x00, 0x00,                 // mov eax, 1 (VER)
            (byte) 0x89, 0x02,                                   // mov [rdx], eax (IOREGSEL)
            (byte) 0x8B, 0x42, 0x10,                             // mov eax, [rdx+0x10] (IOWIN)
            (byte) 0x89, (byte) 0xC1,                            // mov ecx, eax
            0x04, 0x21,                                          // add al, 0x21: 0x20 -> 'A'
            0x66, (byte) 0xBA, (byte) 0xF8, 0x03, (byte) 0xEE,   // mov dx, 0x3f8; out dx, al
            (byte) 0x89, (byte) 0xC8,                            // mov eax, ecx
            (byte) 0xC1, (byte) 0xE8, 0x10,                      // shr eax, 16
            0x04, 0x2A,                                          // add al, 0x2A: 0x17 -> 'A'
            (byte) 0xEE, (byte) 0xB0, '\n', (byte) 0xEE};        // out; mov al, 10; out
        byte[] all = new byte[code.length + POWEROFF.length];
        System.arraycopy(code, 0, all, 0, code.length);
        System.arraycopy(POWEROFF, 0, all, code.length, POWEROFF.length);
        Run r = run("--linux", kernel("", all).toString(), "--memory", "64M", "-q");
        assertEquals(ExitCode.OK, r.code(), r.out() + r.err());
        assertTrue(r.out().startsWith("AA\n"), "IO-APIC version 0x20, 24 entries: " + r.out());
        assertTrue(r.out().contains("exits:        ") && r.out().contains("mem 2"), r.out());
    }

    /** Linux's {@code pit_calibrate_tsc} loop: PIT channel 2 gated on, mode 0, 10 ms. */
    static final byte[] PIT_CALIBRATION = {
        (byte) 0xB0, 0x01, (byte) 0xE6, 0x61,                   // gate high: out 0x61, 1
        (byte) 0xB0, (byte) 0xB0, (byte) 0xE6, 0x43,            // ch2, LSB+MSB, mode 0
        (byte) 0xB0, (byte) 0x9B, (byte) 0xE6, 0x42,            // 11931 = 10 ms: LSB
        (byte) 0xB0, 0x2E, (byte) 0xE6, 0x42,                   // MSB
        0x0F, 0x31, 0x41, (byte) 0x89, (byte) 0xC0,             // rdtsc; mov r8d, eax
        0x48, (byte) 0xC1, (byte) 0xE2, 0x20, 0x49, 0x09, (byte) 0xD0, // r8 |= rdx << 32
        (byte) 0xE4, 0x61, (byte) 0xA8, 0x20, 0x74, (byte) 0xFA, // until OUT2: in al, 0x61
        0x0F, 0x31, 0x48, (byte) 0xC1, (byte) 0xE2, 0x20,       // rdtsc
        0x48, 0x09, (byte) 0xD0, 0x4C, 0x29, (byte) 0xC0,       // rax = tsc - r8
        0x48, (byte) 0xC7, (byte) 0xC1, 0x10, 0, 0, 0,          // print rax in hex
        0x48, (byte) 0x89, (byte) 0xC3,
        0x48, (byte) 0xC1, (byte) 0xC3, 0x04, (byte) 0x88, (byte) 0xD8, 0x24, 0x0F, 0x04, 0x30,
        0x3C, 0x39, 0x76, 0x02, 0x04, 0x07, 0x66, (byte) 0xBA, (byte) 0xF8, 0x03, (byte) 0xEE,
        0x48, (byte) 0xFF, (byte) 0xC9, 0x75, (byte) 0xE6,
        (byte) 0xB0, 0x0A, (byte) 0xEE};

    @Test
    void pitChannelTwoTimesTenMillisecondsOfTscAsLinuxCalibratesIt() throws IOException {
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) {
            code.writeBytes(PIT_CALIBRATION);
        }
        code.writeBytes(POWEROFF);
        Run r = run("--linux", kernel("", code.toByteArray()).toString(), "--memory", "64M",
                "-q");
        assertEquals(ExitCode.OK, r.code(), r.out() + r.err());
        List<Long> cycles = r.out().lines().limit(3).map(l -> Long.parseUnsignedLong(l, 16))
                .collect(Collectors.toList());
        // The TSC counts host nanoseconds. A measurement can come out short by the host time
        // between the VMM starting the count and the guest's next RDTSC (exit return, block
        // translation, scheduling on a loaded machine), so the longest of three is checked:
        // OUT2 must not rise well before 10 ms (11931 ticks at 1.193182 MHz = 9.9992 ms);
        // the upper bound only catches a PIT that never fires.
        long longest = cycles.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertTrue(longest >= 9_500_000 && longest < 2_000_000_000L, "TSC cycles: " + cycles);
    }

    @Test
    void secondVcpuStartsFromInitAndStartupIpis() throws IOException {
        // AP, real mode at 0x8000: mov dx, 0x3f8; mov al, 'A'; out dx, al;
        // mov byte [0x9000], 1; hlt
        int[] ap = {0xBA, 0xF8, 0x03, 0xB0, 'A', 0xEE, 0xC6, 0x06, 0x00, 0x90, 0x01, 0xF4};
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        for (int d = 0; d < 3; d++) {                       // mov dword [0x8000 + 4d], imm32
            code.writeBytes(new byte[] {(byte) 0xC7, 0x04, 0x25, (byte) (4 * d), (byte) 0x80,
                0, 0, (byte) ap[4 * d], (byte) ap[4 * d + 1], (byte) ap[4 * d + 2],
                (byte) ap[4 * d + 3]});
        }
        code.writeBytes(new byte[] {
            (byte) 0xB9, 0x30, 0x08, 0, 0,                  // mov ecx, 0x830 (x2APIC ICR)
            (byte) 0xBA, 0x01, 0, 0, 0,                     // mov edx, 1 (destination)
            (byte) 0xB8, 0x00, 0x45, 0, 0, 0x0F, 0x30,      // INIT, assert: wrmsr
            (byte) 0xB8, 0x08, 0x46, 0, 0, 0x0F, 0x30,      // STARTUP vector 8: wrmsr
            0x0F, 0x30,                                     // a second STARTUP, as Linux sends
            (byte) 0x80, 0x3C, 0x25, 0x00, (byte) 0x90, 0, 0, 0x01, // cmp byte [0x9000], 1
            0x75, (byte) 0xF6});                            // jne back
        print(code, "S\n");
        code.writeBytes(POWEROFF);
        Path k = kernel("", code.toByteArray());
        Run r = run("--linux", k.toString(), "--memory", "64M", "--vcpus", "2", "-q");
        assertEquals(ExitCode.OK, r.code(), r.out() + r.err());
        assertTrue(r.out().startsWith("AS\n"), r.out());
        assertTrue(r.out().contains("vcpus:        2 started"), r.out());
        assertTrue(r.out().contains("startup 2"), r.out());
        // with one VCPU in the MADT the STARTUP is ignored and the boot VCPU waits forever
        r = run("--linux", k.toString(), "--memory", "64M", "--vcpus", "1", "-q",
                "--time-limit", "500ms");
        assertEquals(ExitCode.TIME_LIMIT, r.code(), r.out() + r.err());
    }

    @Test
    void rebootAndPanicHaveTheirOwnCodesAndShowTheLastLines() throws IOException {
        Run r = run("--linux", kernel("going down\n", RESET).toString(), "--memory", "64M");
        assertEquals(ExitCode.GUEST_REBOOTED, r.code(), r.err());
        assertTrue(r.err().contains("zx4j-run: the guest rebooted; last console lines:\n"
                + "    going down"), r.err());
        r = run("--linux", kernel("[    1.000000] Kernel panic - not syncing: test\n", RESET)
                .toString(), "--memory", "64M");
        assertEquals(ExitCode.GUEST_PANICKED, r.code(), r.err());
        assertTrue(r.err().contains("zx4j-run: the kernel panicked; last console lines:"),
                r.err());
    }

    @Test
    void timeLimitBoundsTheRun() throws IOException {
        Run r = run("--linux", kernel("spinning\n", SPIN).toString(), "--memory", "64M",
                "--time-limit", "300ms");
        assertEquals(ExitCode.TIME_LIMIT, r.code(), r.err());
        assertTrue(r.err().contains("still running after 300ms"), r.err());
    }

    @Test
    void badInputs() throws IOException {
        Path notKernel = dir.resolve("notes.txt");
        Files.writeString(notKernel, "not a kernel\n".repeat(100));
        Run r = run("--linux", notKernel.toString());
        assertEquals(ExitCode.NOT_BZIMAGE, r.code());
        assertTrue(r.err().startsWith("zx4j-run: " + notKernel + ": not a Linux bzImage"),
                r.err());
        byte[] old = dev.zx4j.vmm.TestImagesAccess.bzImage(0x0206, 4, 0x1000);
        Path oldKernel = dir.resolve("old");
        Files.write(oldKernel, old);
        r = run("--linux", oldKernel.toString());
        assertEquals(ExitCode.NOT_BZIMAGE, r.code());
        assertTrue(r.err().contains("boot protocol 2.06 is too old"), r.err());
        r = run("--linux", dir.resolve("missing").toString());
        assertEquals(ExitCode.IMAGE_MISSING, r.code());
        assertTrue(r.err().contains("no such file"), r.err());
        Path k = kernel("x", POWEROFF);
        r = run("--linux", k.toString(), "--initrd", dir.resolve("nope").toString());
        assertEquals(ExitCode.IMAGE_MISSING, r.code());
        r = run("--linux", k.toString(), "--memory", "8M");
        assertEquals(ExitCode.USAGE, r.code());
        r = run("--linux", k.toString(), "--memory", "20M");
        assertEquals(ExitCode.IMAGE_TOO_LARGE, r.code(), r.err());
        r = run("--initrd", k.toString());
        assertEquals(ExitCode.USAGE, r.code());
        r = run("--linux", k.toString(), "--cmdline", "x".repeat(5000));
        assertEquals(ExitCode.USAGE, r.code());
        r = run("--linux", k.toString(), k.toString());
        assertEquals(ExitCode.USAGE, r.code());
        r = run("--linux", k.toString(), "--jit-threshold", "soon");
        assertEquals(ExitCode.USAGE, r.code());
        assertTrue(r.err().contains("--jit-threshold must be a number of runs or off, not soon"), r.err());
        r = run("--linux", k.toString(), "--jit-threshold", "-3");
        assertEquals(ExitCode.USAGE, r.code());
        for (String s : List.of(r.err())) {
            assertFalse(s.contains("\tat "), s);
        }
    }
}
