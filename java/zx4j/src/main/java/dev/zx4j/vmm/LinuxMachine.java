package dev.zx4j.vmm;

import dev.zx4j.Guest;
import dev.zx4j.Kernel;
import dev.zx4j.Resource;
import dev.zx4j.Status;
import dev.zx4j.Vcpu;
import dev.zx4j.VcpuController;
import dev.zx4j.VcpuExit;
import dev.zx4j.VmPerms;
import dev.zx4j.Vmo;
import dev.zx4j.X86Registers;
import dev.zx4j.ZxException;
import dev.zx4j.sim.SimKernel;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A PC-like virtual machine that boots a Linux bzImage on a Zircon guest through the typed API
 * ({@link Kernel}, {@link Guest}, {@link Vcpu}): RAM at guest-physical 0, the boot layout of
 * {@link LinuxBoot}, the {@link AcpiTables}, and these devices —
 *
 * <table>
 *   <caption>Devices</caption>
 *   <tr><th>device</th><th>ports / address</th><th>interrupt</th></tr>
 *   <tr><td>{@link Uart8250} COM1 (the console)</td><td>0x3F8–0x3FF</td><td>IRQ 4</td></tr>
 *   <tr><td>{@link Pit8254} and port B</td><td>0x40–0x43, 0x61</td><td>IRQ 0 (GSI 2)</td></tr>
 *   <tr><td>{@link CmosRtc}</td><td>0x70–0x71</td><td>—</td></tr>
 *   <tr><td>{@link I8042} (reset line)</td><td>0x60, 0x64</td><td>—</td></tr>
 *   <tr><td>{@link Pic8259} master, slave (masked)</td><td>0x20–0x21, 0xA0–0xA1</td><td>—</td></tr>
 *   <tr><td>{@link AcpiPm} PM1 event, control, timer</td><td>0x600–0x60B</td><td>—</td></tr>
 *   <tr><td>{@link PciHost} (host bridge only)</td><td>0xCF8–0xCFF</td><td>—</td></tr>
 *   <tr><td>{@link IoApic}</td><td>MEM trap 0xFEC00000</td><td>routes GSIs 0–23</td></tr>
 * </table>
 *
 * One IO trap covers the whole port space, so every port exits to the VMM's {@link IoBus}; ports
 * no device claims read all ones. The IO-APIC sends its interrupts to the VCPUs with
 * {@code zx_vcpu_interrupt} ({@link VcpuController#interrupt}); inter-processor interrupts
 * arrive as {@link VcpuExit.InterruptIpi} and are forwarded the same way, and a STARTUP IPI
 * ({@link VcpuExit.Startup}) creates the next VCPU on a thread of its own. Each VCPU runs on a
 * platform thread named {@code vcpu-N}.
 */
public final class LinuxMachine implements AutoCloseable {

    static final long KEY_IO = 1;
    static final long KEY_IOAPIC = 2;
    /** First I/O port of the console UART (COM1). */
    public static final int COM1 = 0x3F8;
    /** IO-APIC input (GSI) of the console UART's interrupt. */
    public static final int COM1_IRQ = 4;
    /** IO-APIC input (GSI) of the PIT's channel 0 (ISA IRQ 0, redirected as on PCs). */
    public static final int PIT_GSI = 2;

    /**
     * What the VMM is asked to run.
     *
     * @param memory the guest RAM in bytes
     * @param vcpus the number of VCPUs
     * @param cmdline the kernel command line
     * @param timeLimit how long the run may take before it is stopped
     * @param trace whether to print VCPU and device events to the error stream
     */
    public record Config(long memory, int vcpus, String cmdline, Duration timeLimit,
                         boolean trace) {}

    /** How a run ended. */
    public sealed interface Outcome {
        /** The guest entered ACPI S5. */
        record PowerOff() implements Outcome {}

        /**
         * The guest pulsed the reset line; {@code panicked} if it had announced a panic.
         *
         * @param panicked whether the guest had printed a kernel panic
         */
        record Reboot(boolean panicked) implements Outcome {}

        /**
         * The guest asked for a sleep state the VMM does not have.
         *
         * @param slpTyp the SLP_TYP value written to PM1 control
         */
        record SleepUnsupported(int slpTyp) implements Outcome {}

        /**
         * {@code zx_vcpu_enter} failed; {@code detail} is the kernel's explanation where it
         * gives one (the simulated kernel does: RIP, instruction, reason), else null.
         *
         * @param apicId the APIC ID of the faulting VCPU
         * @param status the status {@code zx_vcpu_enter} returned
         * @param detail the kernel's explanation, or null
         * @param registers the VCPU's registers when it failed, or null if they could not be read
         */
        record Fault(int apicId, Status status, String detail, X86Registers registers)
                implements Outcome {}

        /**
         * The VMM could not emulate a device access.
         *
         * @param apicId the APIC ID of the VCPU that made the access
         * @param message what could not be emulated
         */
        record DeviceError(int apicId, String message) implements Outcome {}

        /**
         * The time limit expired first.
         *
         * @param limit the limit that expired
         */
        record TimeLimit(Duration limit) implements Outcome {}

        /**
         * The VMM itself failed.
         *
         * @param message what failed
         */
        record Internal(String message) implements Outcome {}
    }

    /**
     * What the summary reports.
     *
     * @param outcome how the run ended
     * @param wallNanos the run's wall-clock time in nanoseconds
     * @param firstUserspaceNanos nanoseconds from the start to the first userspace console line, or
     *        -1
     * @param exits VCPU exits by kind
     * @param interrupts interrupts delivered, by source
     * @param ioByDevice I/O port accesses by device
     * @param vcpus the simulated kernel's statistics per VCPU
     * @param lastLines the console's last lines
     * @param stuckThreads threads that did not end at teardown, described
     */
    public record Result(Outcome outcome, long wallNanos, long firstUserspaceNanos,
                         Map<String, Long> exits, Map<String, Long> interrupts,
                         Map<String, Long> ioByDevice, List<SimKernel.VcpuStats> vcpus,
                         List<String> lastLines, List<String> stuckThreads) {}

    private final SimKernel sim;
    private final Config config;
    private final PrintStream err;
    private final Kernel kernel;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final Guest guest;
    private final Vmo ram;
    private final ScheduledExecutorService timers;
    /** The timer pool's threads, joined at teardown (a terminated pool's thread may still be alive). */
    private final java.util.List<Thread> timerThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final IoBus bus = new IoBus();
    private final IoApic ioApic;
    private final Uart8250 uart;
    private final Pit8254 pit;
    private final Console console;

    private final AtomicReference<Outcome> outcome = new AtomicReference<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private final Map<Integer, VcpuController> live = new LinkedHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private int started;
    private final Map<String, AtomicLong> exits = new ConcurrentHashMap<>();
    private final AtomicLong ipis = new AtomicLong();
    private volatile java.util.function.BiConsumer<Integer, Status> faultHook;

    /**
     * Creates the guest, its memory and devices on {@code sim}. The console's output goes to
     * {@code consoleOut}; traces and progress to {@code err}.
     *
     * @param sim the simulated kernel to run on
     * @param config what to run
     * @param consoleOut receives the guest's console output
     * @param err receives traces and progress
     */
    public LinuxMachine(SimKernel sim, Config config, OutputStream consoleOut, PrintStream err) {
        this.sim = sim;
        this.config = config;
        this.err = err;
        this.kernel = Kernel.simulated(sim);
        this.timers = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "zx4j-timers");
            t.setDaemon(true);
            timerThreads.add(t);
            return t;
        });
        try {
            Resource hypervisor = own(kernel.simulatedPlatform().hypervisorResource());
            guest = own(kernel.createGuest(hypervisor));
            Resource vmex = own(kernel.simulatedPlatform().vmexResource());
            ram = own(kernel.createVmo(config.memory()).replaceAsExecutable(vmex));
            guest.physicalVmar().mapAt(0, ram, VmPerms.READ_WRITE_EXECUTE);
            guest.setIoTrap(0, 0xFFFF, KEY_IO);
            guest.setMemTrap(IoApic.BASE, 0x1000, KEY_IOAPIC);
        } catch (ZxException e) {
            close();
            throw new IllegalStateException("setting up the guest failed: " + e.getMessage(), e);
        }
        console = new Console(consoleOut, System::nanoTime);
        ioApic = new IoApic(config.vcpus(), this::deliver);
        uart = new Uart8250(COM1, "uart", console::write, ioApic.line(COM1_IRQ));
        pit = new Pit8254(System::nanoTime, timers, ioApic.line(PIT_GSI));
        bus.claim(COM1, 8, uart);
        bus.claim(0x40, 4, pit);
        bus.claim(0x61, 1, pit);
        bus.claim(0x70, 2, new CmosRtc(System::currentTimeMillis));
        I8042 kbc = new I8042(() -> requestStop(new Outcome.Reboot(console.panicked())));
        bus.claim(I8042.DATA_PORT, 1, kbc);
        bus.claim(I8042.COMMAND_PORT, 1, kbc);
        bus.claim(0x20, 2, new Pic8259(0x20, "pic-master"));
        bus.claim(0xA0, 2, new Pic8259(0xA0, "pic-slave"));
        bus.claim(AcpiPm.PM1_EVT, AcpiPm.portCount(), new AcpiPm(System::nanoTime, typ ->
                requestStop(typ == AcpiPm.SLP_TYP_S5 ? new Outcome.PowerOff()
                        : new Outcome.SleepUnsupported(typ))));
        bus.claim(PciHost.ADDRESS_PORT, 8, new PciHost());
    }

    private <T extends AutoCloseable> T own(T handle) {
        owned.add(handle);
        return handle;
    }

    /**
     * Called with the APIC ID and status when a VCPU faults, before the run stops.
     *
     * @param hook receives the APIC ID and the status
     */
    public void onFault(java.util.function.BiConsumer<Integer, Status> hook) {
        this.faultHook = hook;
    }

    /**
     * Writes the boot plan into guest memory.
     *
     * @param plan the plan from {@link LinuxBoot#plan}
     */
    public void load(LinuxBoot.Plan plan) {
        for (LinuxBoot.Placement p : plan.placements()) {
            ram.write(p.address(), p.data());
        }
    }

    /** Guest RAM (for diagnostics in tests). */
    Vmo ram() {
        return ram;
    }

    /** {@return the console UART (to feed it input)} */
    public Uart8250 uart() {
        return uart;
    }

    /**
     * Feeds {@code in} to the console UART on a daemon thread until it ends. {@code escape}:
     * a Ctrl-A followed by 'x' stops the run (for a raw terminal, where Ctrl-C goes to the guest).
     *
     * @param in the host's input
     * @param escape whether Ctrl-A x stops the run
     */
    public void attachInput(InputStream in, boolean escape) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[256];
            boolean ctrlA = false;
            try {
                int n;
                while (!stopping && (n = in.read(buf)) > 0) {
                    if (escape) {
                        for (int i = 0; i < n; i++) {
                            if (ctrlA && (buf[i] == 'x' || buf[i] == 'X')) {
                                requestStop(new Outcome.Internal("stopped from the terminal "
                                        + "(Ctrl-A x)"));
                                return;
                            }
                            ctrlA = buf[i] == 1;
                        }
                    }
                    uart.receive(java.util.Arrays.copyOf(buf, n));
                }
            } catch (java.io.IOException e) {
                // the host's input is gone: the console simply gets no more input
            }
        }, "zx4j-console-input");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Boots at {@code plan}'s entry and returns when the run ends.
     *
     * @param plan the plan that was loaded
     * @return the summary
     */
    public Result run(LinuxBoot.Plan plan) {
        long start = System.nanoTime();
        console.markStart();
        timers.scheduleAtFixedRate(console::flush, 50, 50, TimeUnit.MILLISECONDS);
        if (config.trace()) {
            timers.scheduleAtFixedRate(() -> progress(start), 2, 2, TimeUnit.SECONDS);
        }
        startVcpu(0, plan.entry(), plan.zeroPage());
        try {
            if (!stopped.await(saturatedNanos(config.timeLimit()), TimeUnit.NANOSECONDS)) {
                requestStop(new Outcome.TimeLimit(config.timeLimit()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requestStop(new Outcome.Internal("interrupted"));
        }
        pit.stop();
        List<String> stuck = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<Thread> ts;
        synchronized (live) {
            ts = new ArrayList<>(threads);
        }
        for (Thread t : ts) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                stuck.add(t.getName());
            }
        }
        timers.shutdownNow();
        try {
            if (!timers.awaitTermination(2, TimeUnit.SECONDS) || !joined(timerThreads, 2_000)) {
                stuck.add("zx4j-timers");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        console.flush();
        long wall = System.nanoTime() - start;
        Map<String, Long> ex = new java.util.TreeMap<>();
        exits.forEach((k, v) -> ex.put(k, v.get()));
        Map<String, Long> irqs = new LinkedHashMap<>();
        irqs.put("timer (PIT, GSI " + PIT_GSI + ")", ioApic.delivered(PIT_GSI));
        irqs.put("uart (GSI " + COM1_IRQ + ")", ioApic.delivered(COM1_IRQ));
        long other = 0;
        for (int pin = 0; pin < IoApic.PINS; pin++) {
            if (pin != PIT_GSI && pin != COM1_IRQ) {
                other += ioApic.delivered(pin);
            }
        }
        irqs.put("other GSIs", other);
        irqs.put("IPIs", ipis.get());
        return new Result(outcome.get(), wall, console.firstUserspaceNanos(), ex, irqs,
                bus.accessesByDevice(), sim.vcpuStats(), console.lastLines(15), stuck);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Ends the run (the first reason wins) and kicks every VCPU. Any thread. */
    void requestStop(Outcome why) {
        outcome.compareAndSet(null, why);
        stopping = true;
        synchronized (live) {
            for (VcpuController c : live.values()) {
                try {
                    c.kick();
                } catch (RuntimeException e) {
                    // closed meanwhile
                }
            }
        }
        stopped.countDown();
    }

    /** The IO-APIC's and the IPIs' way to the VCPUs: {@code zx_vcpu_interrupt}. */
    private void deliver(long mask, int vector) {
        synchronized (live) {
            live.forEach((id, c) -> {
                if (id < 64 && (mask & (1L << id)) != 0) {
                    try {
                        c.interrupt(vector);
                    } catch (RuntimeException e) {
                        // that VCPU is gone
                    }
                }
            });
        }
    }

    private void count(String kind) {
        exits.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    // ---- VCPUs -----------------------------------------------------------------------------

    private void startVcpu(int apicId, long entry, long rsi) {
        Thread t = new Thread(() -> vcpuLoop(apicId, entry, rsi), "vcpu-" + apicId);
        t.setDaemon(true);
        synchronized (live) {
            if (stopping) {
                return;
            }
            threads.add(t);
            started++;
        }
        t.start();
    }

    private void vcpuLoop(int apicId, long entry, long rsi) {
        String name = "vcpu-" + apicId;
        Vcpu vcpu = null;
        try {
            vcpu = guest.createVcpu(entry);
            if (apicId == 0) {
                vcpu.writeState(X86Registers.ZERO.withRsi(rsi));
            }
            synchronized (live) {
                if (stopping) {
                    return;
                }
                live.put(apicId, vcpu.controller());
            }
            trace(name + ": started at 0x" + Long.toHexString(entry));
            while (true) {
                VcpuExit exit;
                try {
                    exit = vcpu.enter();
                } catch (ZxException e) {
                    X86Registers regs = null;
                    try {
                        regs = vcpu.readState();
                    } catch (RuntimeException ignored) {
                        // no registers to show
                    }
                    java.util.function.BiConsumer<Integer, Status> hook = faultHook;
                    if (hook != null) {
                        hook.accept(apicId, e.status());
                    }
                    requestStop(new Outcome.Fault(apicId, e.status(), e.detail().orElse(null),
                            regs));
                    return;
                }
                if (exit instanceof VcpuExit.IoExit io) {
                    count("io");
                    if (io.input()) {
                        vcpu.writeIo(io.accessSize(), bus.read(io.port(), io.accessSize()));
                    } else {
                        bus.write(io.port(), io.accessSize(), io.data());
                    }
                } else if (exit instanceof VcpuExit.MemExit mem) {
                    count("mem");
                    if (!mmio(vcpu, apicId, mem)) {
                        return;
                    }
                } else if (exit instanceof VcpuExit.Startup s) {
                    count("startup");
                    startup(name, s);
                } else if (exit instanceof VcpuExit.InterruptIpi ipi) {
                    count("ipi");
                    ipis.incrementAndGet();
                    deliver(ipi.mask(), ipi.vector());
                } else if (exit instanceof VcpuExit.Kicked) {
                    count("kicked");
                    if (stopping) {
                        return;
                    }
                }
            }
        } catch (RuntimeException e) {
            requestStop(new Outcome.Internal(name + ": " + e));
        } finally {
            synchronized (live) {
                live.remove(apicId);
            }
            if (vcpu != null) {
                try {
                    vcpu.close();
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
        }
    }

    /** Emulates an IO-APIC access; false when the run must stop. */
    private boolean mmio(Vcpu vcpu, int apicId, VcpuExit.MemExit mem) {
        MmioInstruction insn;
        try {
            insn = MmioInstruction.decode(mem.instructionBytes(), mem.defaultOperandSize());
        } catch (MmioInstruction.UnsupportedException e) {
            requestStop(new Outcome.DeviceError(apicId, e.getMessage() + " at 0x"
                    + Long.toHexString(mem.addr())));
            return false;
        }
        long offset = mem.addr() - IoApic.BASE;
        X86Registers regs = vcpu.readState();
        if (insn.write()) {
            ioApic.write(offset, insn.size(), (int) insn.storeValue(regs));
        } else {
            long v = ioApic.read(offset, insn.size()) & 0xFFFF_FFFFL;
            vcpu.writeState(insn.load(regs, v).withRflags(0));
        }
        return true;
    }

    private void startup(String name, VcpuExit.Startup s) {
        long id = s.id();
        synchronized (live) {
            if (id != started || id >= config.vcpus()) {
                // Repeated STARTUPs for a running VCPU are ignored, as by Fuchsia's VMM; VPIDs
                // (so APIC IDs) follow creation order, so only the next ID can be started.
                trace(name + ": STARTUP for APIC ID " + id + " ignored");
                return;
            }
        }
        trace(name + ": STARTUP for APIC ID " + id + " at 0x" + Long.toHexString(s.entry()));
        startVcpu((int) id, s.entry(), 0);
    }

    private void trace(String text) {
        if (config.trace()) {
            synchronized (err) {
                err.println("[trace] " + text);
                err.flush();
            }
        }
    }

    private void progress(long start) {
        trace(String.format(java.util.Locale.ROOT, "%.0f s: %,d instructions, %,d console bytes,"
                + " unclaimed ports %s", (System.nanoTime() - start) / 1e9,
                sim.guestInstructions(), console.bytes(), bus.unclaimedAccesses()));
    }

    /** {@return accesses to ports no device claims, by port (for traces and tests)} */
    public Map<Integer, Long> unclaimedPorts() {
        return bus.unclaimedAccesses();
    }

    @Override
    public void close() {
        timers.shutdownNow();
        List<AutoCloseable> reversed = new ArrayList<>(owned);
        Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        owned.clear();
    }

    /** Joins each thread within {@code millis} in all; true when every one has ended. */
    private static boolean joined(java.util.List<Thread> threads, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
    }
}
