package dev.zx4j.runner;

import dev.zx4j.Guest;
import dev.zx4j.Interrupt;
import dev.zx4j.Kernel;
import dev.zx4j.Port;
import dev.zx4j.PortOptions;
import dev.zx4j.PortPacket;
import dev.zx4j.Resource;
import dev.zx4j.SimulatedPlatform;
import dev.zx4j.Status;
import dev.zx4j.Vcpu;
import dev.zx4j.VcpuController;
import dev.zx4j.VcpuExit;
import dev.zx4j.VmPerms;
import dev.zx4j.Vmo;
import dev.zx4j.ZxException;
import dev.zx4j.sim.SimKernel;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The virtual machine the guest runner drives on the simulated kernel: guest memory with
 * identity page tables, the devices, and one platform thread per VCPU.
 *
 * <h2>Memory</h2>
 * RAM is one VMO mapped at guest-physical 0. The boot VCPU starts in 64-bit mode with CR3 = 0,
 * so the runner writes identity page tables there: the PML4 at 0x0 and the PDPT at 0x1000, with
 * four 1 GiB pages mapping the first 4 GiB. The image is loaded at or above {@link #LOW_LIMIT}.
 *
 * <h2>Devices (the guest's contract)</h2>
 * <ul>
 *   <li><b>UART</b>: IO trap on ports 0x3F8–0x3FF. An OUT to 0x3F8 prints the byte; each VCPU's
 *       output is collected per line and written (flushed) to stdout when the line ends, so
 *       lines from two VCPUs never mix. An IN from 0x3FD (line status) reads 0x60 (transmitter
 *       empty); other INs read 0.</li>
 *   <li><b>Report / done ports</b> (IO trap 0x500–0x501): a 32-bit OUT to {@value #PORT_TICKS}
 *       reports the timer interrupts the VCPU's handler counted (shown in the summary); an OUT to
 *       {@value #PORT_DONE} ends the VCPU's loop, and on the boot VCPU ends the run with the
 *       written byte as the guest's status (0 = success).</li>
 *   <li><b>Timer</b>: a hardware IRQ line of the simulated platform ({@value #TIMER_VECTOR}),
 *       raised by a host thread at the configured rate. Its interrupt object is created from
 *       an IRQ resource and bound to every VCPU with {@code zx_interrupt_bind_vcpu} right after
 *       the VCPU is created, so one edge becomes vector {@value #TIMER_VECTOR} pending on every
 *       VCPU.</li>
 *   <li><b>Doorbell</b>: a BELL trap on the page at {@value #BELL_ADDRESS_HEX}. Guest writes
 *       queue packets on the runner's port while the VCPU keeps running; the port thread counts
 *       and reports them.</li>
 *   <li><b>Control event</b>: a virtual interrupt bound with {@code zx_interrupt_bind} to that
 *       same port. Every way a run ends — the guest's done port, a guest fault, the time limit —
 *       triggers it; the port thread receives its packet, acks it, marks the machine stopping
 *       and kicks every VCPU ({@code zx_vcpu_kick}), whose loops then return.</li>
 *   <li><b>VCPU packets</b>: a STARTUP request from the boot VCPU starts the VCPU with that APIC
 *       ID (at most one per ID, IDs below the VCPU limit) on a new thread; fixed IPIs are
 *       forwarded with {@code zx_vcpu_interrupt}.</li>
 * </ul>
 */
final class GuestMachine implements AutoCloseable {

    /** Page tables occupy guest-physical [0, LOW_LIMIT); images load at or above it. */
    static final long LOW_LIMIT = 0x2000;
    /** The identity map covers this much guest-physical space (four 1 GiB pages). */
    static final long MAPPED = 4L << 30;
    /** The doorbell page. */
    static final long BELL_ADDRESS = 0xF000_0000L;
    static final String BELL_ADDRESS_HEX = "0xF0000000";
    /** Guest RAM must end below the doorbell. */
    static final long MAX_MEMORY = BELL_ADDRESS;
    static final int UART_BASE = 0x3F8;
    static final int PORT_TICKS = 0x500;
    static final int PORT_DONE = 0x501;
    static final int TIMER_VECTOR = 40;

    private static final long KEY_UART = 1;
    private static final long KEY_CONTROL_PORTS = 2;
    private static final long KEY_BELL = 3;
    private static final long KEY_CONTROL_EVENT = 4;

    /** What the runner was asked to do. */
    record Config(long memory, int maxVcpus, int timerHz, Duration timeLimit, boolean trace,
                  boolean quiet) {}

    /** How a run ended. */
    sealed interface Outcome {
        /** The boot VCPU wrote {@code status} to the done port. */
        record Completed(int status) implements Outcome {}

        /** {@code zx_vcpu_enter} failed on a VCPU. */
        record Fault(int apicId, Status status, String detail) implements Outcome {}

        /** The time limit expired first. */
        record TimeLimit(Duration limit) implements Outcome {}

        /** The runner itself failed on a thread. */
        record Internal(String message) implements Outcome {}
    }

    /** Per-VCPU facts gathered for the summary. */
    static final class VcpuRecord {
        final int apicId;
        final long entry;
        volatile long koid;
        volatile long guestReportedTicks = -1;
        volatile boolean finished;

        VcpuRecord(int apicId, long entry) {
            this.apicId = apicId;
            this.entry = entry;
        }
    }

    /** Everything the summary shows. */
    record Result(Outcome outcome, Map<String, Long> exits, long bells, long timerFires,
                  List<VcpuRecord> vcpus, List<SimKernel.VcpuStats> stats, long wallNanos,
                  List<String> stuckThreads) {}

    private final Config config;
    private final PrintStream out;
    private final PrintStream err;
    private final SimKernel sim;
    private final Kernel kernel;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final Guest guest;
    private final Vmo ram;
    private final Port port;
    private final Interrupt control;
    private final Interrupt timer;

    private final AtomicReference<Outcome> outcome = new AtomicReference<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    /** Controllers of the live VCPUs, guarded by itself. */
    private final Map<Integer, VcpuController> live = new LinkedHashMap<>();
    private final Map<Integer, VcpuRecord> records = new ConcurrentHashMap<>();
    private final List<Thread> vcpuThreads = new ArrayList<>();
    private final Map<String, AtomicLong> exits = new LinkedHashMap<>();
    private final AtomicLong bells = new AtomicLong();
    private final AtomicLong timerFires = new AtomicLong();
    private final Object outputLock = new Object();

    GuestMachine(SimKernel sim, Config config, PrintStream out, PrintStream err) {
        this.sim = sim;
        this.config = config;
        this.out = out;
        this.err = err;
        for (String k : new String[] {"io", "mem", "vcpu-packet", "kicked"}) {
            exits.put(k, new AtomicLong());
        }
        kernel = Kernel.simulated(sim);
        try {
            SimulatedPlatform platform = kernel.simulatedPlatform();
            Resource hypervisor = own(platform.hypervisorResource());
            guest = own(kernel.createGuest(hypervisor));
            Resource vmex = own(platform.vmexResource());
            ram = own(kernel.createVmo(config.memory()).replaceAsExecutable(vmex));
            guest.physicalVmar().mapAt(0, ram, VmPerms.READ_WRITE_EXECUTE);
            ram.write(0, identityPageTables());

            guest.setIoTrap(UART_BASE, 8, KEY_UART);
            guest.setIoTrap(PORT_TICKS, 2, KEY_CONTROL_PORTS);
            port = own(kernel.createPort(PortOptions.BIND_TO_INTERRUPT));
            guest.setBellTrap(BELL_ADDRESS, 0x1000, port, KEY_BELL);
            control = own(kernel.createVirtualInterrupt());
            control.bind(port, KEY_CONTROL_EVENT);

            Resource irq = own(platform.irqResource(TIMER_VECTOR, 1));
            timer = own(kernel.createInterrupt(irq, TIMER_VECTOR));
        } catch (ZxException e) {
            close();
            throw new RunnerException(ExitCode.INTERNAL, "setting up the guest failed: "
                    + e.getMessage());
        }
    }

    private <T extends AutoCloseable> T own(T handle) {
        owned.add(handle);
        return handle;
    }

    /** PML4[0] → PDPT at 0x1000; PDPT[0..3] → 1 GiB pages at 0, 1, 2, 3 GiB (P | RW | PS). */
    static byte[] identityPageTables() {
        byte[] t = new byte[(int) LOW_LIMIT];
        put64(t, 0, 0x1000 | 0x3);
        for (int i = 0; i < MAPPED >> 30; i++) {
            put64(t, 0x1000 + 8 * i, ((long) i << 30) | 0x83);
        }
        return t;
    }

    private static void put64(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    /** Copies the image's segments into guest RAM (zero-filling each segment's tail). */
    void load(GuestImage image) {
        for (GuestImage.Segment s : image.segments()) {
            ram.write(s.address(), s.data());
            long tail = s.memSize() - s.data().length;
            if (tail > 0) {
                ram.write(s.address() + s.data().length, new byte[(int) Math.min(tail,
                        Integer.MAX_VALUE - 8)]);
            }
        }
    }

    /**
     * Boots the guest at {@code entry}, waits for the run to end (or the time limit), stops
     * everything and returns what happened. Never leaves a thread running: threads that do
     * not stop within the teardown timeout are reported in {@link Result#stuckThreads()}.
     */
    Result run(long entry) {
        long start = System.nanoTime();
        ThreadFactory daemons = r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        };
        Thread portThread = new Thread(this::portLoop, "zx4j-port");
        portThread.setDaemon(true);
        portThread.start();
        List<Thread> tickerThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = daemons.newThread(r);
            t.setName("zx4j-timer");
            tickerThreads.add(t);
            return t;
        });
        long period = Math.max(1, 1_000_000_000L / config.timerHz());
        ticker.scheduleAtFixedRate(() -> {
            if (!stopping && sim.platform().irqLine(TIMER_VECTOR).fire()) {
                timerFires.incrementAndGet();
            }
        }, period, period, TimeUnit.NANOSECONDS);
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = daemons.newThread(r);
            t.setName("zx4j-progress");
            return t;
        });
        if (!config.quiet()) {
            progress.scheduleAtFixedRate(() -> progressLine(start), 2, 1, TimeUnit.SECONDS);
        }

        startVcpu(0, entry);
        try {
            long limitNanos = saturatedNanos(config.timeLimit());
            if (!stopped.await(limitNanos, TimeUnit.NANOSECONDS)) {
                requestStop(new Outcome.TimeLimit(config.timeLimit()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requestStop(new Outcome.Internal("interrupted while waiting for the guest"));
        }

        // Teardown: every thread gets a bounded time to end.
        List<String> stuck = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            if (!stopped.await(5, TimeUnit.SECONDS)) {
                kickAll(); // the port thread is stuck; stop the VCPUs directly
            }
            List<Thread> threads;
            synchronized (live) {
                threads = new ArrayList<>(vcpuThreads);
            }
            for (Thread t : threads) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (t.isAlive()) {
                    stuck.add(t.getName());
                }
            }
            ticker.shutdownNow();
            progress.shutdownNow();
            portThread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline
                    - System.nanoTime())));
            if (portThread.isAlive()) {
                stuck.add(portThread.getName());
            }
            boolean tickerEnded = ticker.awaitTermination(1, TimeUnit.SECONDS);
            for (Thread t : tickerThreads) { // a terminated pool's thread may still be alive
                t.join(1_000);
                tickerEnded &= !t.isAlive();
            }
            if (!tickerEnded) {
                stuck.add("zx4j-timer");
            }
            progress.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stuck.add("(teardown interrupted)");
        }
        long wall = System.nanoTime() - start;
        Map<String, Long> exitCounts = new LinkedHashMap<>();
        synchronized (exits) {
            exits.forEach((k, v) -> exitCounts.put(k, v.get()));
        }
        List<VcpuRecord> recs = new ArrayList<>(records.values());
        recs.sort((a, b) -> Integer.compare(a.apicId, b.apicId));
        return new Result(outcome.get(), exitCounts, bells.get(), timerFires.get(), recs,
                sim.vcpuStats(), wall, stuck);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    // ---- stopping --------------------------------------------------------------------------

    /**
     * Ends the run with {@code why} (the first reason wins) by triggering the control event;
     * the port thread does the rest. Any thread.
     */
    private void requestStop(Outcome why) {
        outcome.compareAndSet(null, why);
        try {
            control.trigger();
        } catch (RuntimeException e) {
            // The control path itself failed: stop directly so the run cannot hang.
            stopNow();
        }
    }

    /** Marks the machine stopping and kicks every live VCPU. */
    private void stopNow() {
        stopping = true;
        kickAll();
        stopped.countDown();
    }

    private void kickAll() {
        synchronized (live) {
            for (VcpuController c : live.values()) {
                try {
                    c.kick();
                } catch (RuntimeException e) {
                    // closed meanwhile: that VCPU's loop is over anyway
                }
            }
        }
    }

    /** The port thread: doorbells and the control event. */
    private void portLoop() {
        try {
            while (true) {
                PortPacket p;
                try {
                    p = port.waitFor(stopping ? Duration.ZERO : Duration.ofMillis(200));
                } catch (ZxException e) {
                    if (e.status().equals(Status.TIMED_OUT)) {
                        if (stopping) {
                            return; // drained
                        }
                        continue;
                    }
                    throw e;
                }
                if (p instanceof PortPacket.GuestBellPacket bell) {
                    long n = bells.incrementAndGet();
                    if (!config.quiet()) {
                        line(out, "[zx4j] doorbell #" + n + " rung at "
                                + GuestImage.hex(bell.addr()));
                    }
                } else if (p instanceof PortPacket.InterruptPacket ip
                        && ip.key() == KEY_CONTROL_EVENT) {
                    control.ack();
                    trace("control event: stopping (" + describe(outcome.get()) + ")");
                    stopNow();
                } else {
                    trace("port: unexpected packet " + p);
                }
            }
        } catch (RuntimeException e) {
            outcome.compareAndSet(null, new Outcome.Internal("port thread: " + e));
            stopNow();
        }
    }

    private static String describe(Outcome o) {
        if (o instanceof Outcome.Completed c) {
            return "guest done, status " + c.status();
        } else if (o instanceof Outcome.Fault f) {
            return "fault on vcpu-" + f.apicId();
        } else if (o instanceof Outcome.TimeLimit) {
            return "time limit";
        }
        return String.valueOf(o);
    }

    // ---- VCPUs -----------------------------------------------------------------------------

    private void startVcpu(int apicId, long entry) {
        VcpuRecord rec = new VcpuRecord(apicId, entry);
        Thread t = new Thread(() -> vcpuLoop(rec), "vcpu-" + apicId);
        t.setDaemon(true);
        synchronized (live) {
            if (stopping || records.putIfAbsent(apicId, rec) != null) {
                return;
            }
            vcpuThreads.add(t);
        }
        t.start();
    }

    private void vcpuLoop(VcpuRecord rec) {
        String name = "vcpu-" + rec.apicId;
        StringBuilder uartLine = new StringBuilder();
        Vcpu vcpu = null;
        try {
            vcpu = guest.createVcpu(rec.entry);
            rec.koid = vcpu.info().koid();
            timer.bindVcpu(vcpu);
            synchronized (live) {
                if (stopping) {
                    return;
                }
                live.put(rec.apicId, vcpu.controller());
            }
            trace(name + ": created at " + GuestImage.hex(rec.entry)
                    + (rec.apicId == 0 ? " (64-bit boot processor)" : " (real mode)"));
            while (true) {
                VcpuExit exit;
                try {
                    exit = vcpu.enter();
                } catch (ZxException e) {
                    // The simulated kernel explains a failure (RIP, bytes, reason); the real
                    // kernel reports only the status.
                    String detail = e.detail().orElse(null);
                    trace(name + ": enter failed: " + e.getMessage());
                    requestStop(new Outcome.Fault(rec.apicId, e.status(), detail));
                    return;
                }
                if (exit instanceof VcpuExit.IoExit io) {
                    count("io");
                    if (config.trace()) {
                        trace(name + ": io " + (io.input() ? "in" : "out") + " port "
                                + GuestImage.hex(io.port()) + " size " + io.accessSize()
                                + (io.input() ? "" : " data " + GuestImage.hex(io.data())));
                    }
                    if (handleIo(vcpu, rec, io, uartLine)) {
                        return;
                    }
                } else if (exit instanceof VcpuExit.MemExit mem) {
                    count("mem");
                    trace(name + ": mem " + mem);
                    // The runner sets no MEM traps, so this cannot be a device access.
                    requestStop(new Outcome.Internal("unexpected MEM exit on " + name + " at "
                            + GuestImage.hex(mem.addr())));
                    return;
                } else if (exit instanceof VcpuExit.Startup s) {
                    count("vcpu-packet");
                    startup(name, s);
                } else if (exit instanceof VcpuExit.InterruptIpi ipi) {
                    count("vcpu-packet");
                    trace(name + ": ipi vector " + ipi.vector() + " mask 0x"
                            + Long.toHexString(ipi.mask()));
                    synchronized (live) {
                        live.forEach((id, c) -> {
                            if (id < 64 && (ipi.mask() & (1L << id)) != 0) {
                                c.interrupt(ipi.vector());
                            }
                        });
                    }
                } else if (exit instanceof VcpuExit.Kicked) {
                    count("kicked");
                    trace(name + ": kicked");
                    if (stopping) {
                        return;
                    }
                }
            }
        } catch (RuntimeException e) {
            requestStop(new Outcome.Internal(name + ": " + e));
        } finally {
            if (uartLine.length() > 0) {
                emit(uartLine);
            }
            rec.finished = true;
            synchronized (live) {
                live.remove(rec.apicId);
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

    private void startup(String name, VcpuExit.Startup s) {
        long id = s.id();
        if (id <= 0 || id >= config.maxVcpus()) {
            trace(name + ": STARTUP for APIC ID " + id + " ignored (--vcpus "
                    + config.maxVcpus() + ")");
            return;
        }
        if (records.containsKey((int) id)) {
            trace(name + ": STARTUP for APIC ID " + id + " ignored (already started)");
            return;
        }
        trace(name + ": STARTUP for APIC ID " + id + " at " + GuestImage.hex(s.entry()));
        startVcpu((int) id, s.entry());
    }

    /** Emulates one IO access; true when this VCPU is done. */
    private boolean handleIo(Vcpu vcpu, VcpuRecord rec, VcpuExit.IoExit io,
                             StringBuilder uartLine) {
        int p = io.port();
        if (io.input()) {
            vcpu.writeIo(io.accessSize(), p == UART_BASE + 5 ? 0x60 : 0);
            return false;
        }
        if (p == UART_BASE) {
            char c = (char) (io.data() & 0xFF);
            if (c == '\n') {
                emit(uartLine);
            } else if (c != '\r') {
                uartLine.append(c);
            }
            return false;
        }
        if (p == PORT_TICKS) {
            rec.guestReportedTicks = io.data() & 0xFFFF_FFFFL;
            return false;
        }
        if (p == PORT_DONE) {
            trace("vcpu-" + rec.apicId + ": done (status " + (io.data() & 0xFF) + ")");
            if (rec.apicId == 0) {
                requestStop(new Outcome.Completed(io.data() & 0xFF));
            }
            return true;
        }
        return false; // the rest of the UART's registers: writes are accepted and ignored
    }

    private void count(String kind) {
        synchronized (exits) {
            exits.get(kind).incrementAndGet();
        }
    }

    // ---- output ----------------------------------------------------------------------------

    private void emit(StringBuilder uartLine) {
        line(out, uartLine.toString());
        uartLine.setLength(0);
    }

    private void line(PrintStream s, String text) {
        synchronized (outputLock) {
            s.println(text);
            s.flush();
        }
    }

    private void trace(String text) {
        if (config.trace()) {
            line(err, "[trace] " + text);
        }
    }

    private void progressLine(long start) {
        double secs = (System.nanoTime() - start) / 1e9;
        long total;
        synchronized (exits) {
            total = exits.values().stream().mapToLong(AtomicLong::get).sum();
        }
        line(err, String.format(Locale.ROOT,
                "[zx4j] %.0f s: %,d guest instructions, %,d exits, %,d timer edges, %d vcpu(s)",
                secs, sim.guestInstructions(), total, timerFires.get(), records.size()));
    }

    @Override
    public void close() {
        List<AutoCloseable> reversed = new ArrayList<>(owned);
        java.util.Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort: the kernel object goes away with the simulated kernel anyway
            }
        }
        owned.clear();
    }

    /** For tests and messages: the names of the exit kinds the summary counts. */
    static List<String> exitKinds() {
        return Arrays.asList("io", "mem", "vcpu-packet", "kicked");
    }
}
