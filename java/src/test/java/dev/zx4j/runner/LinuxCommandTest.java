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
        for (String s : List.of(r.err())) {
            assertFalse(s.contains("\tat "), s);
        }
    }
}
