package dev.zx4j.bench;

import static dev.zx4j.abi.Layouts.*;
import static dev.zx4j.abi.Zx.*;

import dev.zx4j.sim.SimKernel;
import dev.zx4j.sim.SimTsc;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Wake-up latency of a halted VCPU woken by its own local APIC timer, next to the JDK's floor for
 * a thread that sleeps until a deadline, in one run.
 *
 * <ul>
 *   <li>{@code vcpuTimerWake}: one operation is one {@code zx_vcpu_enter} of the
 *       {@code timer_wake} guest ({@code native/guests/lapic.S}) on a simulated kernel with the
 *       real-time clock: the guest arms its TSC-deadline timer {@code periodMicros} ahead, HLTs,
 *       takes the timer's interrupt and exits through an OUT.</li>
 *   <li>{@code parkNanosFloor}: one {@code LockSupport.parkNanos(periodMicros)}.</li>
 * </ul>
 * In sample-time mode the wake-up latency is an operation's time minus the period, for both.
 *
 * <p>Run: {@code mvn -q -Pbench test-compile exec:exec -Djmh.include=TimerWakeBench}
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class TimerWakeBench {

    @Param({"100"})
    public int periodMicros;

    private SimKernel kernel;
    private int guest, vmar, vmo, vcpu;
    private final byte[] packet = new byte[PORT_PACKET_SIZE];

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = TimerWakeBench.class.getResourceAsStream("/guests/" + name)) {
            if (in == null) {
                throw new IOException("guest resource " + name + " (built by scripts/build-guests.sh)");
            }
            return in.readAllBytes();
        }
    }

    private static long symbol(String name) throws IOException {
        for (String line : new String(resource("lapic.sym"), StandardCharsets.US_ASCII).split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length == 2 && f[1].equals(name)) {
                return Long.parseUnsignedLong(f[0], 16);
            }
        }
        throw new IOException("no symbol " + name);
    }

    private static void check(int status, String what) {
        if (status != ZX_OK) {
            throw new IllegalStateException(what + ": " + status);
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        kernel = new SimKernel();
        int[] out = new int[1];
        int[] out2 = new int[1];
        int rsrc = kernel.platform().createHypervisorResource();
        check(kernel.zx_guest_create(rsrc, 0, out, out2), "guest");
        guest = out[0];
        vmar = out2[0];
        kernel.zx_handle_close(rsrc);
        long mem = 16L << 20;
        check(kernel.zx_vmo_create(mem, 0, out), "vmo");
        int vmex = kernel.platform().createVmexResource();
        check(kernel.zx_vmo_replace_as_executable(out[0], vmex, out2), "vmex");
        vmo = out2[0];
        kernel.zx_handle_close(vmex);
        long[] addr = new long[1];
        check(kernel.zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE
                | ZX_VM_SPECIFIC, 0, vmo, 0, mem, addr), "map");
        byte[] tables = new byte[0x2000];
        put64(tables, 0, 0x1000 | 0x3);
        put64(tables, 0x1000, 0x83);
        check(kernel.zx_vmo_write(vmo, tables, 0, tables.length), "tables");
        byte[] image = resource("lapic.bin");
        check(kernel.zx_vmo_write(vmo, image, 0x2000, image.length), "image");
        check(kernel.zx_guest_set_trap(guest, ZX_GUEST_TRAP_IO, 0x18, 1, ZX_HANDLE_INVALID, 1),
                "trap");
        check(kernel.zx_vcpu_create(guest, 0, symbol("timer_wake"), out), "vcpu");
        vcpu = out[0];
        byte[] state = new byte[VCPU_STATE_SIZE];
        put64(state, 4 * 8, 0x80000);
        put64(state, 8 * 8, SimTsc.ticksAt(periodMicros * 1000L)); // R8: the period in TSC ticks
        check(kernel.zx_vcpu_write_state(vcpu, ZX_VCPU_STATE, state, state.length), "state");
        vcpuTimerWake(); // first round: sets up the IDT and the timer
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (int h : new int[] {vcpu, vmo, vmar, guest}) {
            kernel.zx_handle_close(h);
        }
    }

    @Benchmark
    public int vcpuTimerWake() {
        int status = kernel.zx_vcpu_enter(vcpu, packet);
        if (status != ZX_OK || u16(packet, PACKET_IO_PORT) != 0x18) {
            throw new IllegalStateException("enter: " + status);
        }
        return status;
    }

    @Benchmark
    public void parkNanosFloor() {
        LockSupport.parkNanos(periodMicros * 1000L);
    }
}
