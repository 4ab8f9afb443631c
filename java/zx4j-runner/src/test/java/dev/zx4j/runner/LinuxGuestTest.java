package dev.zx4j.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * End-to-end: the runner boots Debian's cloud kernel with the busybox initramfs that
 * {@code scripts/fetch-linux-guest.sh} puts in {@code target/linux/}, types commands into the
 * console UART, checks their output, and the guest powers off (exit code 0).
 *
 * <p>Without the fetched files (no network or no Debian package client) it is skipped, saying
 * so. Otherwise every way of not reaching the shell — a guest fault, a panic, a reboot, the time
 * limit, a VMM failure — fails it, with the exit code and the console.
 */
class LinuxGuestTest {

    static final Path DIR = Path.of(System.getProperty("zx4j.linuxDir", "target/linux"));
    static final String SHA256_ZX4J =
            "2bb684f88fef467dd1ef270bce0637e79420382290a522578cf418ebca477eb1";

    @AfterEach
    void noVcpuThreadLeft() {
        List<String> left = Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("vcpu-") || n.equals("zx4j-timers"))
                .collect(Collectors.toList());
        assertEquals(List.of(), left, "VMM threads still alive after the run");
    }

    /**
     * The boot as the runner makes it (only the hottest code translated), once without
     * translation and once with the general threshold.
     */
    @ParameterizedTest(name = "{0} vcpu(s), --jit-threshold {1}")
    @CsvSource({"1, default", "2, default", "1, off", "1, 2000"})
    void bootsToAShellRunsCommandsAndPowersOff(int vcpus, String jit) throws Exception {
        Path kernel = DIR.resolve("vmlinuz");
        Path initrd = DIR.resolve("initrd.gz");
        assumeTrue(Files.isRegularFile(kernel) && Files.isRegularFile(initrd),
                "no Linux guest in " + DIR + ": scripts/fetch-linux-guest.sh could not obtain"
                        + " the Debian packages (linux-image-cloud-amd64, busybox-static) or did"
                        + " not run");
        assumeTrue(vcpus == 1 || dev.zx4j.sim.x86.X86Cpu.lockedOperationsAtomicAcrossVcpus(),
                "this JVM has no compare-and-set on byte-array views (JDK 22+), so a guest's"
                        + " spinlock release can be lost against another VCPU's LOCK CMPXCHG"
                        + " and an SMP boot can deadlock");
        PipedOutputStream typed = new PipedOutputStream();
        PipedInputStream console = new PipedInputStream(typed, 1 << 16);
        String commands = String.join("\n",
                "uname -a",
                "echo cpus=$(grep -c ^processor /proc/cpuinfo)",
                "awk 'BEGIN { s = 0; for (i = 1; i <= 100; i++) s += i * i; print \"awk-sum\", s }'",
                "printf zx4j > /tmp/f; sha256sum /tmp/f",
                "poweroff -f", "");
        typed.write(commands.getBytes(StandardCharsets.US_ASCII));
        typed.flush();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            List<String> args = new java.util.ArrayList<>(List.of("--linux", kernel.toString(),
                    "--initrd", initrd.toString(), "--vcpus", Integer.toString(vcpus),
                    "--time-limit", "300s", "--cmdline", "console=ttyS0 quiet panic=-1", "-q"));
            if (!jit.equals("default")) {
                args.addAll(List.of("--jit-threshold", jit));
            }
            code = GuestRunner.execute(console, o, e, args.toArray(String[]::new));
        } finally {
            typed.close();
            console.close();
        }
        String o = out.toString(StandardCharsets.UTF_8).replace("\r", "");
        String e = err.toString(StandardCharsets.UTF_8);
        String all = "exit " + code + "\n--- stdout\n" + o + "\n--- stderr\n" + e;
        assertEquals(ExitCode.OK, code, all);
        assertTrue(o.contains("zx4j-init: userspace up"), all);
        assertTrue(Pattern.compile("(?m)^Linux \\S+ 6\\.\\d+\\.\\d+\\S* #1 SMP .* x86_64 .*Linux$")
                .matcher(o).find(), "uname -a\n" + all);
        Matcher cpus = Pattern.compile("(?m)^cpus=(\\d+)$").matcher(o);
        assertTrue(cpus.find(), all);
        assertEquals(vcpus, Integer.parseInt(cpus.group(1)), "processors in /proc/cpuinfo");
        assertTrue(o.contains("awk-sum 338350"), all);
        assertTrue(o.contains(SHA256_ZX4J + "  /tmp/f"), all);
        assertTrue(o.contains("result:       guest powered off (ACPI S5)"), all);
    }

}
