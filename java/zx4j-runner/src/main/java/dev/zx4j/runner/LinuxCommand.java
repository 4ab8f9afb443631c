package dev.zx4j.runner;

import dev.zx4j.sim.SimKernel;
import dev.zx4j.vmm.AcpiTables;
import dev.zx4j.vmm.BzImage;
import dev.zx4j.vmm.LinuxBoot;
import dev.zx4j.vmm.LinuxMachine;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The runner's second mode, {@code --linux}: boots a Linux bzImage with an initrd on
 * {@link LinuxMachine}, streams its console, feeds it the runner's input, and ends with a
 * summary and an exit code that says how the guest ended (see {@link ExitCode}).
 */
final class LinuxCommand {

    /** The command line used when none is given. */
    static final String DEFAULT_CMDLINE = "console=ttyS0 panic=-1";
    /** Guest RAM when --memory is not given. */
    static final long DEFAULT_MEMORY = 256L << 20;
    /** Largest guest RAM: below the 32-bit device area (IO-APIC, local APIC). */
    static final long MAX_MEMORY = 3L << 30;

    /** jitThreshold: runs before translation to JVM bytecode, negative off, null the default. */
    record Options(Path kernel, Path initrd, String cmdline, long memory, int vcpus,
                   Duration timeLimit, boolean trace, boolean quiet, Integer jitThreshold) {}

    private LinuxCommand() {}

    static int run(Options o, InputStream in, boolean terminal, PrintStream out,
                   PrintStream err) {
        if (o.memory() > MAX_MEMORY || o.memory() < (16L << 20) || o.memory() % 0x1000 != 0) {
            throw new RunnerException(ExitCode.USAGE, "--memory with --linux must be a multiple"
                    + " of 4 KiB from 16M to 3G, not " + o.memory());
        }
        byte[] kernelBytes = readFile(o.kernel(), "kernel");
        BzImage image;
        try {
            image = BzImage.parse(kernelBytes);
        } catch (BzImage.InvalidImageException e) {
            throw new RunnerException(ExitCode.NOT_BZIMAGE, o.kernel() + ": " + e.getMessage());
        }
        byte[] initrd = o.initrd() == null ? null : readFile(o.initrd(), "initrd");
        LinuxBoot.Plan plan;
        try {
            plan = LinuxBoot.plan(image, initrd, o.cmdline(), o.memory(),
                    AcpiTables.build(o.vcpus()), List.of());
        } catch (LinuxBoot.DoesNotFitException e) {
            throw new RunnerException(ExitCode.IMAGE_TOO_LARGE, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new RunnerException(ExitCode.USAGE, "--cmdline: " + e.getMessage());
        }
        if (!o.quiet()) {
            err.println(String.format(Locale.ROOT, "[zx4j] booting Linux %s (boot protocol "
                    + "%d.%02d, %s) at 0x%x%s with %s of RAM, %d VCPU(s); command line \"%s\"%s",
                    o.kernel(), image.protocol() >> 8, image.protocol() & 0xFF,
                    GuestImage.size(kernelBytes.length), plan.kernelAddress(),
                    initrd == null ? "" : ", initrd " + GuestImage.size(initrd.length) + " at 0x"
                            + Long.toHexString(plan.initrdAddress()),
                    GuestImage.size(o.memory()), o.vcpus(), o.cmdline(),
                    terminal ? "; Ctrl-A x quits" : ""));
        }
        LinuxMachine.Result r;
        SimKernel sim = new SimKernel();
        if (o.jitThreshold() != null) {
            sim.setTranslationThreshold(o.jitThreshold());
        }
        try (LinuxMachine m = new LinuxMachine(sim, new LinuxMachine.Config(
                o.memory(), o.vcpus(), o.cmdline(), o.timeLimit(), o.trace()), out, err)) {
            m.load(plan);
            if (in != null) {
                m.attachInput(in, terminal);
            }
            r = m.run(plan);
        } catch (IllegalStateException e) {
            throw new RunnerException(ExitCode.INTERNAL, e.getMessage());
        }
        out.flush();
        print(out, r);
        return verdict(r);
    }

    private static byte[] readFile(Path p, String what) {
        try {
            if (Files.isDirectory(p)) {
                throw new RunnerException(ExitCode.IMAGE_MISSING, p + ": is a directory, not "
                        + "a " + what);
            }
            if (Files.size(p) > Integer.MAX_VALUE - 8) {
                throw new RunnerException(ExitCode.IMAGE_TOO_LARGE, p + ": too large for a "
                        + what);
            }
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new RunnerException(ExitCode.IMAGE_MISSING, p + ": no such file (the "
                    + what + "; scripts/fetch-linux-guest.sh fetches one into target/linux/)");
        } catch (AccessDeniedException e) {
            throw new RunnerException(ExitCode.IMAGE_MISSING, p + ": permission denied");
        } catch (IOException e) {
            throw new RunnerException(ExitCode.IMAGE_MISSING, p + ": cannot read: " + e);
        }
    }

    static void print(PrintStream out, LinuxMachine.Result r) {
        StringBuilder b = new StringBuilder();
        b.append("\n---- zx4j Linux summary ----\n");
        row(b, "result", result(r.outcome()));
        row(b, "userspace", r.firstUserspaceNanos() < 0 ? "no userspace output seen"
                : String.format(Locale.ROOT, "first output after %.3f s",
                        r.firstUserspaceNanos() / 1e9));
        long total = r.exits().values().stream().mapToLong(Long::longValue).sum();
        row(b, "exits", total + " (" + join(r.exits()) + ")");
        row(b, "io accesses", join(r.ioByDevice()));
        row(b, "interrupts", join(r.interrupts()));
        long inst = 0;
        StringJoiner per = new StringJoiner(", ");
        for (SimKernel.VcpuStats s : r.vcpus()) {
            inst += s.instructions();
            per.add(String.format(Locale.ROOT, "vcpu-%d %,d", s.apicId(), s.instructions()));
        }
        row(b, "vcpus", r.vcpus().size() + " started");
        row(b, "instructions", String.format(Locale.ROOT, "%,d (%s)", inst, per));
        double secs = r.wallNanos() / 1e9;
        row(b, "guest MIPS", String.format(Locale.ROOT, "%.2f", secs > 0 ? inst / secs / 1e6
                : 0.0));
        row(b, "wall time", String.format(Locale.ROOT, "%.3f s", secs));
        synchronized (out) {
            out.print(b);
            out.flush();
        }
    }

    private static String join(Map<String, Long> m) {
        StringJoiner j = new StringJoiner(", ");
        m.forEach((k, v) -> j.add(k + " " + v));
        return j.toString();
    }

    private static void row(StringBuilder b, String name, String value) {
        b.append(String.format(Locale.ROOT, "%-13s %s%n", name + ":", value));
    }

    static String result(LinuxMachine.Outcome o) {
        if (o instanceof LinuxMachine.Outcome.PowerOff) {
            return "guest powered off (ACPI S5)";
        } else if (o instanceof LinuxMachine.Outcome.Reboot rb) {
            return rb.panicked() ? "kernel panic, then reboot" : "guest rebooted";
        } else if (o instanceof LinuxMachine.Outcome.SleepUnsupported s) {
            return "guest asked for sleep type " + s.slpTyp() + ", which the VMM does not have";
        } else if (o instanceof LinuxMachine.Outcome.Fault f) {
            return "guest fault on vcpu-" + f.apicId() + ": " + f.status().name();
        } else if (o instanceof LinuxMachine.Outcome.DeviceError d) {
            return "device emulation failed on vcpu-" + d.apicId() + ": " + d.message();
        } else if (o instanceof LinuxMachine.Outcome.TimeLimit t) {
            return "stopped at the time limit (" + Summary.duration(t.limit()) + ")";
        } else if (o instanceof LinuxMachine.Outcome.Internal i) {
            return "runner error: " + i.message();
        }
        return "unknown";
    }

    private static String lastLines(LinuxMachine.Result r) {
        if (r.lastLines().stream().allMatch(String::isBlank)) {
            return "; no console output";
        }
        return "; last console lines:\n    " + String.join("\n    ", r.lastLines());
    }

    static int verdict(LinuxMachine.Result r) {
        if (!r.stuckThreads().isEmpty()) {
            throw new RunnerException(ExitCode.TEARDOWN_FAILED, "threads did not stop within "
                    + "5 s after the run ended: " + String.join(", ", r.stuckThreads()));
        }
        LinuxMachine.Outcome o = r.outcome();
        if (o instanceof LinuxMachine.Outcome.PowerOff) {
            return ExitCode.OK;
        }
        if (o instanceof LinuxMachine.Outcome.Reboot rb) {
            throw new RunnerException(rb.panicked() ? ExitCode.GUEST_PANICKED
                    : ExitCode.GUEST_REBOOTED, (rb.panicked() ? "the kernel panicked"
                    : "the guest rebooted") + lastLines(r));
        }
        if (o instanceof LinuxMachine.Outcome.Fault f) {
            throw new RunnerException(ExitCode.GUEST_FAULT, "guest fault on vcpu-" + f.apicId()
                    + ": " + f.status().name() + " (" + (f.detail() != null ? f.detail()
                    : GuestRunner.explain(f.status())) + ")" + lastLines(r));
        }
        if (o instanceof LinuxMachine.Outcome.DeviceError || o
                instanceof LinuxMachine.Outcome.SleepUnsupported) {
            throw new RunnerException(ExitCode.GUEST_FAULT, result(o) + lastLines(r));
        }
        if (o instanceof LinuxMachine.Outcome.TimeLimit t) {
            throw new RunnerException(ExitCode.TIME_LIMIT, "time limit exceeded: the guest was"
                    + " still running after " + Summary.duration(t.limit())
                    + " (raise --time-limit)" + lastLines(r));
        }
        if (o instanceof LinuxMachine.Outcome.Internal i) {
            throw new RunnerException(ExitCode.INTERNAL, "internal error: " + i.message());
        }
        throw new RunnerException(ExitCode.INTERNAL, "the run ended without an outcome");
    }
}
