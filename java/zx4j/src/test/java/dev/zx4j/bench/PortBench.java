package dev.zx4j.bench;

import dev.zx4j.Kernel;
import dev.zx4j.Port;
import dev.zx4j.PortPacket;
import dev.zx4j.abi.Layouts;
import dev.zx4j.abi.Zx;
import dev.zx4j.sim.SimKernel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * One thread queues a user packet on a port and dequeues it again (deadline in the past, so the
 * wait never blocks): through the typed API (handle bracketing, packet records) and through the
 * raw {@code Syscalls} of the simulated kernel.
 *
 * <p>Scaling: {@link #ownPortOneThread} and {@link #ownPortTwoThreads} run the raw round trip
 * on one shared kernel, each thread on its own port, in throughput mode (JMH adds the threads'
 * throughput): their ratio is how well the kernel's locking lets two threads on separate
 * objects run at once. {@link #controlOneThread} and {@link #controlTwoThreads} do the same
 * work with no kernel (copy the packet, queue it on a thread-private locked deque, take it back):
 * their ratio is what the machine itself allows at that moment, so a loaded machine is not
 * mistaken for contention in the kernel. Run all four in one JMH run, e.g.
 * {@code -Djmh.include='PortBench.(ownPort|control)'}. On a machine shared with other work the
 * threads may not get a core each; the {@link CpuMeter} counters ({@code cpuNanos}, {@code calls})
 * give the CPU time each round trip took, which shows contention (lock hand-offs, cache lines
 * moving between cores) even when the wall-clock ratio is set by the machine's load.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class PortBench {

    private SimKernel sim;
    private Port port;
    private int rawPort;
    private final PortPacket.UserPacket packet = PortPacket.UserPacket.ofWords(7, 1, 2, 3, 4);
    private final byte[] rawIn = packet.toBytes();
    private final byte[] rawOut = new byte[Layouts.PORT_PACKET_SIZE];

    @Setup(Level.Trial)
    public void setUp() {
        sim = new SimKernel();
        port = Kernel.simulated(sim).createPort();
        int[] out = new int[1];
        if (sim.zx_port_create(0, out) != Zx.ZX_OK) {
            throw new IllegalStateException("zx_port_create failed");
        }
        rawPort = out[0];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        port.close();
        sim.zx_handle_close(rawPort);
    }

    @Benchmark
    public PortPacket typedQueueWait() {
        port.queue(packet);
        return port.waitUntil(Zx.ZX_TIME_INFINITE_PAST);
    }

    @Benchmark
    public byte[] rawQueueWait() {
        if (sim.zx_port_queue(rawPort, rawIn) != Zx.ZX_OK
                || sim.zx_port_wait(rawPort, Zx.ZX_TIME_INFINITE_PAST, rawOut) != Zx.ZX_OK) {
            throw new IllegalStateException("raw round trip failed");
        }
        return rawOut;
    }

    /** One simulated kernel shared by every thread of a scaling benchmark. */
    @State(Scope.Benchmark)
    public static class SharedKernel {
        /** The kernel all threads call. */
        SimKernel sim;

        /** Creates the kernel. */
        @Setup(Level.Trial)
        public void setUp() {
            sim = new SimKernel();
        }
    }

    /** A port of the shared kernel that only one benchmark thread uses. */
    @State(Scope.Thread)
    public static class OwnPort {
        private SimKernel sim;
        private int port;
        private final byte[] in = PortPacket.UserPacket.ofWords(7, 1, 2, 3, 4).toBytes();
        private final byte[] out = new byte[Layouts.PORT_PACKET_SIZE];

        /**
         * Creates this thread's port on the shared kernel.
         *
         * @param kernel the shared kernel
         */
        @Setup(Level.Trial)
        public void setUp(SharedKernel kernel) {
            sim = kernel.sim;
            int[] h = new int[1];
            if (sim.zx_port_create(0, h) != Zx.ZX_OK) {
                throw new IllegalStateException("zx_port_create failed");
            }
            port = h[0];
        }

        /** Closes the port. */
        @TearDown(Level.Trial)
        public void tearDown() {
            sim.zx_handle_close(port);
        }

        byte[] roundTrip() {
            if (sim.zx_port_queue(port, in) != Zx.ZX_OK
                    || sim.zx_port_wait(port, Zx.ZX_TIME_INFINITE_PAST, out) != Zx.ZX_OK) {
                throw new IllegalStateException("raw round trip failed");
            }
            return out;
        }
    }

    /**
     * One thread: queue + wait on its own port of a shared kernel.
     *
     * @param own   the thread's port
     * @param meter the thread's CPU meter
     * @return the packet read back
     */
    @Benchmark
    @Threads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public byte[] ownPortOneThread(OwnPort own, CpuMeter meter) {
        meter.calls++;
        return own.roundTrip();
    }

    /**
     * Two threads, each doing queue + wait on its own port of one shared kernel.
     *
     * @param own   the thread's port
     * @param meter the thread's CPU meter
     * @return the packet read back
     */
    @Benchmark
    @Threads(2)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public byte[] ownPortTwoThreads(OwnPort own, CpuMeter meter) {
        meter.calls++;
        return own.roundTrip();
    }

    /** A thread-private locked deque: the port round trip's work without any kernel. */
    @State(Scope.Thread)
    public static class PrivateQueue {
        private final ReentrantLock lock = new ReentrantLock();
        private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
        private final byte[] in = PortPacket.UserPacket.ofWords(7, 1, 2, 3, 4).toBytes();
        private final byte[] out = new byte[Layouts.PORT_PACKET_SIZE];

        byte[] roundTrip() {
            byte[] copy = Arrays.copyOf(in, Layouts.PORT_PACKET_SIZE);
            lock.lock();
            try {
                queue.add(copy);
            } finally {
                lock.unlock();
            }
            byte[] taken;
            lock.lock();
            try {
                taken = queue.poll();
            } finally {
                lock.unlock();
            }
            System.arraycopy(taken, 0, out, 0, Layouts.PORT_PACKET_SIZE);
            return out;
        }
    }

    /**
     * Control, one thread: the round trip's work on a thread-private deque.
     *
     * @param q     the thread's deque
     * @param meter the thread's CPU meter
     * @return the copied packet
     */
    @Benchmark
    @Threads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public byte[] controlOneThread(PrivateQueue q, CpuMeter meter) {
        meter.calls++;
        return q.roundTrip();
    }

    /**
     * Control, two threads: the round trip's work, each thread on its own private deque.
     *
     * @param q     the thread's deque
     * @param meter the thread's CPU meter
     * @return the copied packet
     */
    @Benchmark
    @Threads(2)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public byte[] controlTwoThreads(PrivateQueue q, CpuMeter meter) {
        meter.calls++;
        return q.roundTrip();
    }

    /**
     * Per-thread CPU time and call count of each measured iteration (JMH adds the threads'):
     * {@code cpuNanos / calls} is the CPU cost of one round trip.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuMeter {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private long start;
        /** CPU nanoseconds the thread used in the iteration. */
        public long cpuNanos;
        /** Round trips the thread made in the iteration. */
        public long calls;

        /** Starts the iteration's count. */
        @Setup(Level.Iteration)
        public void begin() {
            cpuNanos = 0;
            calls = 0;
            start = THREADS.getCurrentThreadCpuTime();
        }

        /** Ends the iteration's count. */
        @TearDown(Level.Iteration)
        public void end() {
            cpuNanos = THREADS.getCurrentThreadCpuTime() - start;
        }
    }
}
