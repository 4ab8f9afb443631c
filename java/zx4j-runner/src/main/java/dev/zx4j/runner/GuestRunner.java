package dev.zx4j.runner;

import dev.zx4j.Kernel;
import dev.zx4j.NativeKernelUnavailableException;
import dev.zx4j.sim.SimKernel;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The guest runner: boots an x86-64 guest on the simulated kernel (or, on Fuchsia, the native
 * one) with a UART, a timer on a hardware IRQ line bound to the VCPUs, a doorbell and a control
 * event, and prints the guest's output as it happens followed by a summary.
 *
 * <pre>
 * mvn -q compile exec:java                                   # the bundled demo guest
 * mvn -q compile exec:java -Dexec.args="--trace"             # ... printing every exit
 * mvn -q compile exec:java -Dexec.args="my.elf --time-limit 30s"
 * </pre>
 *
 * <p>Without an image it runs the demo guest bundled on the class path ({@code /guests/demo.elf},
 * assembled from {@code native/guests/demo.S} by the build). See {@link GuestMachine} for the
 * devices a guest sees and {@link ExitCode} for the exit codes. Every failure ends with one line
 * on stderr and its own exit code; the runner never prints a stack trace and stops every thread
 * it started.
 */
@Command(name = "zx4j-run", mixinStandardHelpOptions = true, version = "zx4j guest runner 0.1",
        sortOptions = false,
        description = "Boots an x86-64 guest on the zx4j simulated Zircon kernel and prints its "
                + "output and a summary.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:guest halted cleanly (status 0 on the done port; --linux: powered off)",
            "1:internal error",
            "2:bad command line",
            "3:image missing, unreadable or not a regular file",
            "4:image invalid (not ELF/x86-64, malformed, overlaps the page tables)",
            "5:image larger than guest memory",
            "6:guest fault (a VCPU stopped with an error status)",
            "7:time limit exceeded",
            "8:native kernel unavailable",
            "9:a thread did not stop at teardown",
            "10:guest reported failure (non-zero status on the done port)",
            "11:--linux: not a bzImage, or a boot protocol older than 2.12",
            "12:--linux: the guest rebooted",
            "13:--linux: the kernel panicked"})
public final class GuestRunner implements Callable<Integer> {

    /** The bundled demo guest (an ELF executable built from native/guests/demo.S). */
    static final String DEMO_RESOURCE = "/guests/demo.elf";

    /** Image formats. */
    enum Format { auto, flat, elf }

    @Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE",
            description = "Guest image: an x86-64 ELF executable or a flat binary "
                    + "(default: the bundled demo guest).")
    Path image;

    @Option(names = "--format", defaultValue = "auto", paramLabel = "auto|flat|elf",
            description = "Image format. auto: ELF if the file starts with the ELF magic, flat "
                    + "if its name ends in .bin, .img or .raw, else refused (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--load-address", defaultValue = "0x2000", paramLabel = "ADDR",
            converter = AddressConverter.class,
            description = "Where a flat image is loaded (default: ${DEFAULT-VALUE}; at least 0x2000,"
                    + " the page tables are below).")
    long loadAddress;

    @Option(names = "--entry", paramLabel = "ADDR", converter = AddressConverter.class,
            description = "Entry point of the boot VCPU (default: the ELF entry, or the load "
                    + "address of a flat image).")
    Long entry;

    @Option(names = "--memory", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Guest RAM at guest-physical 0: bytes, or with K, M or G "
                    + "(default: 16M; with --linux 256M).")
    Long memoryOption;

    long memory;

    @Option(names = "--vcpus", defaultValue = "2", paramLabel = "N",
            description = "Most VCPUs the guest may have: the boot VCPU plus N-1 started by "
                    + "STARTUP IPIs (default: ${DEFAULT-VALUE}).")
    int vcpus;

    @Option(names = "--timer-hz", defaultValue = "100", paramLabel = "HZ",
            description = "Rate of the timer interrupt, IRQ line 40 (default: ${DEFAULT-VALUE}).")
    int timerHz;

    @Option(names = "--time-limit", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Stop the guest after this long: 500ms, 10s, 2m "
                    + "(default: 10s; with --linux none).")
    Duration timeLimit;

    @Option(names = "--linux", paramLabel = "BZIMAGE",
            description = "Boot this Linux kernel (a bzImage, e.g. target/linux/vmlinuz) on the "
                    + "PC-like VMM instead of a flat or ELF guest; its console is the terminal.")
    Path linux;

    @Option(names = "--initrd", paramLabel = "FILE",
            description = "With --linux: the initial RAM disk (e.g. target/linux/initrd.gz).")
    Path initrd;

    @Option(names = "--cmdline", paramLabel = "TEXT",
            description = "With --linux: the kernel command line (default: \"console=ttyS0 "
                    + "panic=-1\").")
    String cmdline;

    @Option(names = "--kernel", defaultValue = "sim", paramLabel = "sim|native",
            description = "sim: the pure-Java simulated kernel; native: the real kernel "
                    + "(Fuchsia only) (default: ${DEFAULT-VALUE}).")
    String kernel;

    @Option(names = "--jit-threshold", paramLabel = "N|off",
            description = "Runs of a 64-bit block before it is translated to JVM bytecode; 0 "
                    + "translates every block, off never (default: -Dzx4j.jit.threshold, else "
                    + "2000; with --linux 50000, as a boot runs most kernel code only a few "
                    + "times and only its hottest loops repay their compilation).")
    String jitThreshold;

    @Option(names = "--trace", description = "Print every VCPU exit (on stderr).")
    boolean trace;

    @Option(names = {"-q", "--quiet"},
            description = "No progress lines and no doorbell lines: only the guest's output, "
                    + "the summary and errors.")
    boolean quiet;

    private PrintStream out = System.out;
    private PrintStream err = System.err;
    private InputStream in;

    /** A runner with the default options; picocli fills them from the command line. */
    public GuestRunner() {
    }

    /**
     * The translation threshold of --linux when neither the option nor the system property sets
     * one. Measured on Debian's kernel (1 VCPU, idle machine): boot to power-off in 6.6–6.9 s at
     * 50,000 runs, 6.7–7.2 s at 20,000, 8.8–9.3 s with no translation, with the same CPU time;
     * at the general default of 2,000 the compilations of thousands of translated units cost
     * more than they save.
     */
    static final int LINUX_JIT_THRESHOLD = 50_000;

    /**
     * The translation threshold for --linux: the option, else the system property when set, else
     * {@link #LINUX_JIT_THRESHOLD}.
     */
    private Integer linuxJitThreshold() {
        String v = jitThreshold;
        if (v == null) {
            return System.getProperty("zx4j.jit.threshold") != null ? null : LINUX_JIT_THRESHOLD;
        }
        if (v.equalsIgnoreCase("off")) {
            return -1;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the usage error below
        }
        throw new RunnerException(ExitCode.USAGE,
                "--jit-threshold must be a number of runs or off, not " + v);
    }

    /**
     * Runs the runner and exits the JVM with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        int code = execute(System.in, System.out, System.err, args);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /**
     * Runs the runner in-process with the given streams and returns its exit code (see
     * {@link ExitCode}). All threads it started have ended (or were reported as stuck, with
     * {@link ExitCode#TEARDOWN_FAILED}) when it returns.
     *
     * @param out standard output
     * @param err standard error
     * @param args the command line
     * @return the exit code
     */
    public static int execute(PrintStream out, PrintStream err, String... args) {
        return execute(null, out, err, args);
    }

    /**
     * As {@link #execute(PrintStream, PrintStream, String...)}, with {@code in} as the Linux
     * guest's console input (null: none).
     *
     * @param in the console input, or null
     * @param out standard output
     * @param err standard error
     * @param args the command line
     * @return the exit code
     */
    public static int execute(InputStream in, PrintStream out, PrintStream err, String... args) {
        GuestRunner runner = new GuestRunner();
        runner.out = out;
        runner.err = err;
        runner.in = in;
        CommandLine cl = new CommandLine(runner);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("zx4j-run: " + ex.getMessage() + " (see --help)");
            return ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof RunnerException re) {
                err.println("zx4j-run: " + re.getMessage());
                return re.exitCode();
            }
            err.println("zx4j-run: internal error: " + ex);
            return ExitCode.INTERNAL;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        if (vcpus < 1 || vcpus > 64) {
            throw new RunnerException(ExitCode.USAGE, "--vcpus must be 1..64, not " + vcpus);
        }
        if (linux != null) {
            return callLinux();
        }
        if (initrd != null || cmdline != null) {
            throw new RunnerException(ExitCode.USAGE, "--initrd and --cmdline need --linux");
        }
        memory = memoryOption != null ? memoryOption : 16L << 20;
        if (timeLimit == null) {
            timeLimit = Duration.ofSeconds(10);
        }
        if (timerHz < 1 || timerHz > 10_000) {
            throw new RunnerException(ExitCode.USAGE, "--timer-hz must be 1..10000, not "
                    + timerHz);
        }
        if (memory < GuestMachine.LOW_LIMIT + 0x1000 || memory % 0x1000 != 0
                || memory > GuestMachine.MAX_MEMORY) {
            throw new RunnerException(ExitCode.USAGE, "--memory must be a multiple of 4 KiB"
                    + " from 12 KiB to " + GuestImage.size(GuestMachine.MAX_MEMORY) + ", not "
                    + memory);
        }
        if (timeLimit.isNegative() || timeLimit.isZero()) {
            throw new RunnerException(ExitCode.USAGE, "--time-limit must be positive");
        }
        SimKernel sim = chooseKernel();
        GuestImage img = loadImage();
        if (entry != null) {
            img = img.withEntry(entry);
        }
        img.checkFits(GuestMachine.LOW_LIMIT, memory);

        GuestMachine.Config config = new GuestMachine.Config(memory, vcpus, timerHz, timeLimit,
                trace, quiet);
        GuestMachine.Result result;
        try (GuestMachine machine = new GuestMachine(sim, config, out, err)) {
            machine.load(img);
            if (!quiet) {
                err.println("[zx4j] booting " + img.name() + " (" + GuestImage.size(img.size())
                        + ", entry " + GuestImage.hex(img.entry()) + ") with "
                        + GuestImage.size(memory) + " of RAM on the simulated kernel");
            }
            result = machine.run(img.entry());
        }
        Summary.print(out, result, timerHz);
        return verdict(result);
    }

    private int callLinux() {
        if (image != null) {
            throw new RunnerException(ExitCode.USAGE, "--linux takes the kernel; no IMAGE "
                    + "argument as well");
        }
        if (timeLimit != null && (timeLimit.isNegative() || timeLimit.isZero())) {
            throw new RunnerException(ExitCode.USAGE, "--time-limit must be positive");
        }
        if (!kernel.equalsIgnoreCase("sim")) {
            chooseKernel(); // refuses native with its reason
        }
        boolean terminal = in == System.in && System.console() != null;
        LinuxCommand.Options o = new LinuxCommand.Options(linux, initrd,
                cmdline != null ? cmdline : LinuxCommand.DEFAULT_CMDLINE,
                memoryOption != null ? memoryOption : LinuxCommand.DEFAULT_MEMORY, vcpus,
                timeLimit != null ? timeLimit : Duration.ofSeconds(Long.MAX_VALUE / 2), trace,
                quiet, linuxJitThreshold());
        if (!terminal) {
            return LinuxCommand.run(o, in, false, out, err);
        }
        try (TerminalMode raw = TerminalMode.raw()) {
            return LinuxCommand.run(o, in, raw.active(), out, err);
        }
    }

    private SimKernel chooseKernel() {
        switch (kernel.toLowerCase(Locale.ROOT)) {
            case "sim":
                return new SimKernel();
            case "native":
                try {
                    Kernel.nativeKernel();
                } catch (NativeKernelUnavailableException e) {
                    // The message says why; drop the Java class name of the cause it quotes.
                    String why = e.getMessage();
                    if (e.getCause() != null) {
                        why = why.replace(e.getCause().getClass().getName() + ": ", "");
                    }
                    throw new RunnerException(ExitCode.NATIVE_UNAVAILABLE, "--kernel native: "
                            + why);
                }
                throw new RunnerException(ExitCode.NATIVE_UNAVAILABLE, "the native kernel "
                        + "loaded, but the runner cannot obtain the hypervisor, VMEX and IRQ "
                        + "resources from Fuchsia yet; use --kernel sim");
            default:
                throw new RunnerException(ExitCode.USAGE, "--kernel must be sim or native, not '"
                        + kernel + "'");
        }
    }

    private GuestImage loadImage() {
        String name;
        byte[] bytes;
        if (image == null) {
            name = "demo guest";
            try (InputStream in = GuestRunner.class.getResourceAsStream(DEMO_RESOURCE)) {
                if (in == null) {
                    throw new RunnerException(ExitCode.IMAGE_MISSING, "the bundled demo guest "
                            + DEMO_RESOURCE + " is not on the class path (build with mvn compile;"
                            + " it needs GNU binutils)");
                }
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new RunnerException(ExitCode.IMAGE_MISSING, "cannot read the demo guest: "
                        + e);
            }
        } else {
            name = image.toString();
            try {
                // Only a regular file is an image: a FIFO would block the read before any time
                // limit applies, a device (/dev/zero) never ends. Reading the attributes opens
                // nothing, so it cannot block.
                BasicFileAttributes attrs = Files.readAttributes(image, BasicFileAttributes.class);
                if (attrs.isDirectory()) {
                    throw new RunnerException(ExitCode.IMAGE_MISSING, name
                            + ": is a directory, not an image");
                }
                if (!attrs.isRegularFile()) {
                    throw new RunnerException(ExitCode.IMAGE_MISSING, name + ": is not a regular"
                            + " file (a FIFO, device or socket); give an image file");
                }
                long size = attrs.size();
                boolean flat = format == Format.flat
                        || (format == Format.auto && hasFlatExtension(name));
                if (flat && size > memory) {
                    throw new RunnerException(ExitCode.IMAGE_TOO_LARGE, name + ": image of "
                            + size + " bytes is larger than guest memory ("
                            + GuestImage.size(memory) + "; try --memory)");
                }
                if (size > Integer.MAX_VALUE - 8) {
                    throw new RunnerException(ExitCode.IMAGE_TOO_LARGE, name
                            + ": image file of " + size + " bytes is too large");
                }
                bytes = readCapped(image, memory + 1);
                if (bytes.length > memory) {
                    // the file grew, or is an ELF file larger than all of guest memory
                    throw new RunnerException(ExitCode.IMAGE_TOO_LARGE, name + ": image file is "
                            + "larger than guest memory (" + GuestImage.size(memory)
                            + "; try --memory)");
                }
            } catch (NoSuchFileException e) {
                throw new RunnerException(ExitCode.IMAGE_MISSING, name + ": no such file");
            } catch (AccessDeniedException e) {
                throw new RunnerException(ExitCode.IMAGE_MISSING, name + ": permission denied");
            } catch (IOException e) {
                throw new RunnerException(ExitCode.IMAGE_MISSING, name + ": cannot read: " + e);
            }
        }
        switch (format) {
            case elf:
                return GuestImage.elf(name, bytes);
            case flat:
                return GuestImage.flat(name, bytes, loadAddress);
            default:
                if (GuestImage.looksLikeElf(bytes)) {
                    return GuestImage.elf(name, bytes);
                }
                if (hasFlatExtension(name)) {
                    return GuestImage.flat(name, bytes, loadAddress);
                }
                throw new RunnerException(ExitCode.IMAGE_INVALID, name + ": not an ELF file and"
                        + " not named *.bin, *.img or *.raw; pass --format flat to load it as a"
                        + " flat binary");
        }
    }

    /** At most {@code limit} bytes of {@code file}: a file that grows cannot exhaust the heap. */
    static byte[] readCapped(Path file, long limit) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 8));
        }
    }

    private static boolean hasFlatExtension(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".bin") || n.endsWith(".img") || n.endsWith(".raw");
    }

    private static int verdict(GuestMachine.Result r) {
        if (!r.stuckThreads().isEmpty()) {
            throw new RunnerException(ExitCode.TEARDOWN_FAILED, "threads did not stop within "
                    + "5 s after the run ended: " + String.join(", ", r.stuckThreads()));
        }
        GuestMachine.Outcome o = r.outcome();
        if (o instanceof GuestMachine.Outcome.Completed c) {
            if (c.status() != 0) {
                throw new RunnerException(ExitCode.GUEST_FAILED, "guest reported failure: "
                        + "status " + c.status() + " on the done port");
            }
            return ExitCode.OK;
        }
        if (o instanceof GuestMachine.Outcome.Fault f) {
            throw new RunnerException(ExitCode.GUEST_FAULT, "guest fault on vcpu-" + f.apicId()
                    + ": " + f.status().name() + " (" + (f.detail() != null ? f.detail()
                            : explain(f.status())) + ")");
        }
        if (o instanceof GuestMachine.Outcome.TimeLimit t) {
            throw new RunnerException(ExitCode.TIME_LIMIT, "time limit exceeded: the guest was"
                    + " still running after " + Summary.duration(t.limit())
                    + " (raise --time-limit)");
        }
        if (o instanceof GuestMachine.Outcome.Internal i) {
            throw new RunnerException(ExitCode.INTERNAL, "internal error: " + i.message());
        }
        throw new RunnerException(ExitCode.INTERNAL, "the run ended without an outcome");
    }

    /** What a {@code zx_vcpu_enter} status means for a guest. */
    static String explain(dev.zx4j.Status s) {
        String n = s.name();
        return switch (n) {
            case "ZX_ERR_NOT_SUPPORTED" -> "an instruction the kernel cannot execute, or a "
                    + "reserved vector";
            case "ZX_ERR_NOT_FOUND", "ZX_ERR_OUT_OF_RANGE" -> "an access to guest-physical "
                    + "memory that is neither RAM nor a trap, or an IO port without a trap";
            case "ZX_ERR_BAD_STATE" -> "the VCPU is in shutdown (triple fault) or cannot run";
            case "ZX_ERR_INTERNAL" -> "the kernel failed to emulate the guest";
            default -> "zx_vcpu_enter failed";
        };
    }

    // ---- option converters -----------------------------------------------------------------

    /** Decimal or 0x-hex addresses. */
    static final class AddressConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String v) {
            String s = v.trim().toLowerCase(Locale.ROOT).replace("_", "");
            try {
                long n = s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16)
                        : Long.parseLong(s);
                if (n < 0) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + v
                        + "' is not an address (decimal or 0x-hex)");
            }
        }
    }

    /** Sizes: 65536, 0x10000, 64K, 16M, 1G (binary units). */
    static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        private static final Pattern P = Pattern.compile("(\\d+)\\s*([kmg]?)(i?b)?");

        @Override
        public Long convert(String v) {
            String s = v.trim().toLowerCase(Locale.ROOT);
            if (s.startsWith("0x")) {
                return new AddressConverter().convert(s);
            }
            Matcher m = P.matcher(s);
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException("'" + v
                        + "' is not a size (e.g. 16M, 64K, 1G, 65536)");
            }
            int shift = switch (m.group(2)) {
                case "k" -> 10;
                case "m" -> 20;
                case "g" -> 30;
                default -> 0;
            };
            try {
                long n = Long.parseLong(m.group(1));
                if (n > (Long.MAX_VALUE >> shift)) {
                    throw new NumberFormatException();
                }
                return n << shift;
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + v + "' is too large");
            }
        }
    }

    /** Durations: 500ms, 10s, 2m, 1h, or an ISO-8601 duration (PT10S). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern P = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

        @Override
        public Duration convert(String v) {
            String s = v.trim().toLowerCase(Locale.ROOT);
            Matcher m = P.matcher(s);
            try {
                if (m.matches()) {
                    long n = Long.parseLong(m.group(1));
                    return switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        default -> Duration.ofHours(n);
                    };
                }
                return Duration.parse(v.trim().toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("'" + v
                        + "' is not a duration (e.g. 500ms, 10s, 2m)");
            }
        }
    }
}
