package dev.zx4j.conformance;

import static dev.zx4j.abi.Layouts.*;
import static dev.zx4j.abi.Zx.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.sim.SimTsc;
import dev.zx4j.testing.KernelTest;
import dev.zx4j.testing.TestKernel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * What the kernel does inside {@code zx_vcpu_enter} without the VMM: interrupt injection and
 * its priorities (Zircon's VcpuInterrupt, VcpuInterruptPriority, VcpuNmi, VcpuNmiPriority,
 * VcpuException, VcpuHlt, VcpuReadWriteState and CpuidFeatures tests, ported), the local APIC
 * timer in its three modes on the manual clock, kvmclock, the MSRs it answers, and the statuses
 * that end {@code enter}. Guest programs: {@code native/guests/lapic.S}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LocalApicConformanceTest {
    private static final long MEM = 16L << 20;
    private static final long MEM_TRAP = 0x1000000;
    private static final long PVTI = 0x90000;
    private static final Map<String, Long> SYMS = symbols();

    private static byte[] resource(String name) {
        try (InputStream in = LocalApicConformanceTest.class.getResourceAsStream("/guests/" + name)) {
            if (in == null) {
                throw new AssertionError("guest resource " + name + " (built by scripts/build-guests.sh)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Long> symbols() {
        Map<String, Long> syms = new HashMap<>();
        for (String line : new String(resource("lapic.sym"), StandardCharsets.US_ASCII).split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length == 2) {
                syms.put(f[1], Long.parseUnsignedLong(f[0], 16));
            }
        }
        return syms;
    }

    /** One exit as the test sees it. */
    record Exit(int status, int type, int port, long data, long now) {
        static Exit io(int port, long data) {
            return new Exit(ZX_OK, ZX_PKT_TYPE_GUEST_IO, port, data, -1);
        }

        boolean is(int p, long d) {
            return status == ZX_OK && type == ZX_PKT_TYPE_GUEST_IO && port == p && data == d;
        }
    }

    /** A guest with lapic.bin at 0x2000, identity page tables, IO traps 0x10–0x17, a MEM trap. */
    private static final class World implements AutoCloseable {
        final TestKernel k;
        final Syscalls zx;
        final int guest;
        final int vmar;
        final int vmo;
        int vcpu;

        World(TestKernel k) {
            this.k = k;
            zx = k.zx();
            int[] out = new int[1];
            int[] out2 = new int[1];
            int rsrc = k.sim().platform().createHypervisorResource();
            assertEquals(ZX_OK, zx.zx_guest_create(rsrc, 0, out, out2));
            guest = out[0];
            vmar = out2[0];
            assertEquals(ZX_OK, zx.zx_handle_close(rsrc));
            assertEquals(ZX_OK, zx.zx_vmo_create(MEM, 0, out));
            int plain = out[0];
            int vmex = k.sim().platform().createVmexResource();
            assertEquals(ZX_OK, zx.zx_vmo_replace_as_executable(plain, vmex, out));
            vmo = out[0];
            assertEquals(ZX_OK, zx.zx_handle_close(vmex));
            long[] addr = new long[1];
            assertEquals(ZX_OK, zx.zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE
                    | ZX_VM_PERM_EXECUTE | ZX_VM_SPECIFIC, 0, vmo, 0, MEM, addr));
            byte[] tables = new byte[0x2000];
            put64(tables, 0, 0x1000 | 0x3);
            put64(tables, 0x1000, 0x83);
            write(0, tables);
            write(0x2000, resource("lapic.bin"));
            assertEquals(ZX_OK, zx.zx_guest_set_trap(guest, ZX_GUEST_TRAP_IO, 0x10, 8,
                    ZX_HANDLE_INVALID, 1));
            assertEquals(ZX_OK, zx.zx_guest_set_trap(guest, ZX_GUEST_TRAP_MEM, MEM_TRAP, 0x1000,
                    ZX_HANDLE_INVALID, 2));
        }

        void write(long gpa, byte[] data) {
            assertEquals(ZX_OK, zx.zx_vmo_write(vmo, data, gpa, data.length));
        }

        byte[] read(long gpa, int len) {
            byte[] b = new byte[len];
            assertEquals(ZX_OK, zx.zx_vmo_read(vmo, b, gpa, len));
            return b;
        }

        /** Creates the VCPU at {@code symbol} on this thread, with registers from {@code regs}. */
        World start(String symbol, long... regs) {
            int[] out = new int[1];
            assertEquals(ZX_OK, zx.zx_vcpu_create(guest, 0, SYMS.get(symbol), out));
            vcpu = out[0];
            if (regs.length == 0) {
                regs = new long[] {0, 0, 0, 0, 0x80000}; // RSP
            }
            {
                byte[] state = new byte[VCPU_STATE_SIZE];
                for (int i = 0; i < regs.length; i++) {
                    put64(state, i * 8, regs[i]);
                }
                assertEquals(ZX_OK, zx.zx_vcpu_write_state(vcpu, ZX_VCPU_STATE, state, state.length));
            }
            return this;
        }

        Exit enter() {
            byte[] p = new byte[PORT_PACKET_SIZE];
            int status = zx.zx_vcpu_enter(vcpu, p);
            long now = k.clock().now();
            if (status != ZX_OK) {
                return new Exit(status, 0, 0, 0, now);
            }
            int type = i32(p, PACKET_TYPE);
            if (type == ZX_PKT_TYPE_GUEST_IO) {
                long data = u8(p, PACKET_IO_ACCESS_SIZE) == 4 ? i32(p, PACKET_IO_DATA) & 0xFFFF_FFFFL
                        : u8(p, PACKET_IO_DATA);
                return new Exit(ZX_OK, type, u16(p, PACKET_IO_PORT), data, now);
            }
            if (type == ZX_PKT_TYPE_GUEST_MEM) {
                return new Exit(ZX_OK, type, 0, i64(p, PACKET_MEM_ADDR), now);
            }
            return new Exit(ZX_OK, type, 0, 0, now);
        }

        void expect(int port, long data) {
            Exit e = enter();
            assertTrue(e.is(port, data), "expected OUT 0x" + Integer.toHexString(port) + " = 0x"
                    + Long.toHexString(data) + ", got " + e);
        }

        long reg(int index) {
            byte[] state = new byte[VCPU_STATE_SIZE];
            assertEquals(ZX_OK, zx.zx_vcpu_read_state(vcpu, ZX_VCPU_STATE, state, state.length));
            return i64(state, index * 8);
        }

        /** Kicks the VCPU from another thread once this thread blocks in HLT; enter → CANCELED. */
        void expectHaltedUntilKicked() throws Exception {
            CompletableFuture<Integer> kicker = whenHalted(() -> zx.zx_vcpu_kick(vcpu));
            assertEquals(ZX_ERR_CANCELED, enter().status(), "the guest stays halted");
            assertEquals(ZX_OK, kicker.get(10, TimeUnit.SECONDS));
        }

        @Override
        public void close() {
            if (vcpu != 0) {
                zx.zx_handle_close(vcpu);
            }
            for (int h : new int[] {vmo, vmar, guest}) {
                assertEquals(ZX_OK, zx.zx_handle_close(h));
            }
        }
    }

    /** Runs {@code action} on another thread once the calling thread is blocked (in HLT). */
    private static <T> CompletableFuture<T> whenHalted(java.util.function.Supplier<T> action) {
        Thread vcpuThread = Thread.currentThread();
        return CompletableFuture.supplyAsync(() -> {
            awaitBlocked(vcpuThread);
            return action.get();
        });
    }

    /**
     * Waits until {@code t} blocks in the kernel's HLT wait (not merely on some lock: another
     * thread advancing the clock takes the kernel lock too).
     */
    private static void awaitBlocked(Thread t) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!halted(t) && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    private static boolean halted(Thread t) {
        if (t.getState() != Thread.State.WAITING) {
            return false;
        }
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getMethodName().equals("waitForInterrupt")) {
                return t.getState() == Thread.State.WAITING;
            }
        }
        return false;
    }

    // ---- interrupts: Zircon's hypervisor tests --------------------------------------------

    @KernelTest
    void vcpuInterrupt(TestKernel k) throws Exception {
        try (World w = new World(k).start("irq_wait")) {
            w.expect(0x10, 1);
            assertEquals(ZX_OK, w.zx.zx_vcpu_interrupt(w.vcpu, 32));
            w.expect(0x12, 32);
            w.expectHaltedUntilKicked(); // the handler returned to the HLT
        }
    }

    @KernelTest
    void vcpuInterruptPriorityAndTheExceptionIsDiscarded(TestKernel k) throws Exception {
        try (World w = new World(k).start("irq_wait")) {
            w.expect(0x10, 1);
            assertEquals(ZX_OK, w.zx.zx_vcpu_interrupt(w.vcpu, 16));
            assertEquals(ZX_OK, w.zx.zx_vcpu_interrupt(w.vcpu, 32));
            w.expect(0x12, 32);   // interrupts before exceptions
            w.expectHaltedUntilKicked(); // vector 16 was discarded with the injection
        }
    }

    @KernelTest
    void vcpuNmiAndItsPriority(TestKernel k) throws Exception {
        try (World w = new World(k).start("irq_wait")) {
            w.expect(0x10, 1);
            assertEquals(ZX_OK, w.zx.zx_vcpu_interrupt(w.vcpu, 2));
            w.expect(0x12, 2);
            assertEquals(ZX_OK, w.zx.zx_vcpu_interrupt(w.vcpu, 48));
            assertEquals(ZX_OK, w.zx.zx_vcpu_interrupt(w.vcpu, 2));
            w.expect(0x12, 2);    // NMI first
            w.expect(0x12, 48);   // the interrupt stayed queued (taken once IRETQ sets IF)
            w.expectHaltedUntilKicked();
        }
    }

    @KernelTest
    void vcpuException(TestKernel k) throws Exception {
        try (World w = new World(k).start("irq_wait")) {
            w.expect(0x10, 1);
            assertEquals(ZX_OK, w.zx.zx_vcpu_interrupt(w.vcpu, 16));
            w.expect(0x12, 16);
        }
    }

    @KernelTest
    void vcpuHltWakesOnAnInterruptFromAnotherThread(TestKernel k) throws Exception {
        try (World w = new World(k).start("irq_wait")) {
            w.expect(0x10, 1);
            CompletableFuture<Integer> other = whenHalted(() -> w.zx.zx_vcpu_interrupt(w.vcpu, 48));
            w.expect(0x12, 48);
            assertEquals(ZX_OK, other.get(10, TimeUnit.SECONDS));
        }
    }

    @KernelTest
    void aKickNobodyWaitedForMakesTheNextHltReturn(TestKernel k) throws Exception {
        try (World w = new World(k).start("irq_wait")) {
            w.expect(0x10, 1);
            assertEquals(ZX_OK, w.zx.zx_vcpu_kick(w.vcpu));
            assertEquals(ZX_ERR_CANCELED, w.enter().status());
            // The kick also signalled the tracker's event: the HLT returns at once (the kernel
            // retries the syscall, which re-enters the guest past the HLT).
            w.expect(0x14, 1);
            w.expectHaltedUntilKicked();
        }
    }

    @KernelTest
    void vectors21To31FailEnterOnce(TestKernel k) {
        try (World w = new World(k).start("bad_vector_wait")) {
            w.expect(0x10, 1);
            assertEquals(ZX_OK, w.zx.zx_vcpu_interrupt(w.vcpu, 21));
            assertEquals(ZX_ERR_NOT_SUPPORTED, w.enter().status());
            assertEquals(ZX_OK, w.zx.zx_vcpu_interrupt(w.vcpu, 32));
            w.expect(0x12, 32);
        }
    }

    /**
     * After an exit for an instruction in an STI shadow, the kernel's {@code next_rip} clears
     * the STI blocking: the interrupt raised meanwhile is taken before the next instruction, and
     * external vectors win over exceptions.
     */
    @KernelTest
    void afterAnExitInAnStiShadowTheHighestVectorGoesFirst(TestKernel k) {
        try (World w = new World(k).start("sti_then_mem_trap")) {
            w.expect(0x10, 1);
            Exit mem = w.enter();
            assertEquals(ZX_PKT_TYPE_GUEST_MEM, mem.type());
            assertEquals(MEM_TRAP, mem.data());
            assertEquals(ZX_OK, w.zx.zx_vcpu_interrupt(w.vcpu, 16));
            assertEquals(ZX_OK, w.zx.zx_vcpu_interrupt(w.vcpu, 32));
            w.expect(0x12, 32);
            w.expect(0x10, 2);
        }
    }

    @KernelTest
    void cpuidFeatures(TestKernel k) {
        try (World w = new World(k).start("cpuid_features")) {
            w.expect(0x10, 1);
        }
    }

    @KernelTest
    void vcpuReadWriteState(TestKernel k) {
        long[] regs = new long[17];
        for (int i = 0; i < 16; i++) {
            regs[i] = i + 1;
        }
        try (World w = new World(k).start("read_write_state", regs)) {
            w.expect(0x10, 2);
            for (int i = 0; i < 16; i++) {
                assertEquals(2L * (i + 1), w.reg(i), "register " + i);
            }
            assertEquals((1L << 18) | 1, w.reg(16), "RFLAGS = CF | AC");
        }
    }

    // ---- the LVT timer on the manual clock ------------------------------------------------

    /** Advances the clock from another thread, each step once the VCPU is halted again. */
    private static CompletableFuture<Void> advanceWhenHalted(TestKernel k, long... steps) {
        Thread vcpuThread = Thread.currentThread();
        return CompletableFuture.runAsync(() -> {
            for (long step : steps) {
                awaitBlocked(vcpuThread);
                k.clock().advance(step);
            }
        });
    }

    /**
     * Once the VCPU halts, advances the clock by {@code steps} from another thread, gives a
     * wrongly injected vector 50 ms to show up as an exit, then kicks: enter must end CANCELED.
     */
    private static void expectNoMoreTicks(TestKernel k, World w, long... steps) throws Exception {
        CompletableFuture<Integer> f = whenHalted(() -> {
            for (long step : steps) {
                k.clock().advance(step);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return w.zx.zx_vcpu_kick(w.vcpu);
        });
        Exit e = w.enter();
        assertEquals(ZX_ERR_CANCELED, e.status(), "no further timer interrupt: " + e);
        assertEquals(ZX_OK, f.get(10, TimeUnit.SECONDS));
    }

    @KernelTest
    void oneShotTimerFiresAtItsDeadline(TestKernel k) throws Exception {
        long t0 = k.clock().now();
        long r8 = 25_000; // TSC ticks at 2.5 GHz = 10 µs, divide by 1
        try (World w = new World(k).start("oneshot_timer", 0, 0, 0, 0, 0x80000, 0, 0, 0, r8)) {
            w.expect(0x10, 1);
            CompletableFuture<Void> clock = advanceWhenHalted(k, 9_999, 1);
            Exit e = w.enter();
            assertTrue(e.is(0x12, 0x40), e.toString());
            assertEquals(t0 + 10_000, e.now(), "the vector arrives at the deadline, not before");
            clock.get(10, TimeUnit.SECONDS);
            w.expect(0x14, 1);
            expectNoMoreTicks(k, w, 1_000_000); // one-shot
        }
    }

    @KernelTest
    void periodicTimerTicksAndStopsWhenMasked(TestKernel k) throws Exception {
        long t0 = k.clock().now();
        long tmict = 5_000; // divide by 2: 10,000 ticks = 4 µs
        try (World w = new World(k).start("periodic_timer", 0, 0, 0, 0, 0x80000, 0, 0, 0, tmict)) {
            w.expect(0x10, 1);
            List<Long> at = new ArrayList<>();
            // Each step waits for the test to have taken the previous tick (two expiries while
            // the vector is still pending would merge into one, as on the kernel).
            java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();
            Thread vcpuThread = Thread.currentThread();
            CompletableFuture<Void> clock = CompletableFuture.runAsync(() -> {
                for (int step = 0; step < 3; step++) {
                    while (taken.get() < step) {
                        Thread.onSpinWait();
                    }
                    awaitBlocked(vcpuThread);
                    k.clock().advance(4_000);
                }
            });
            for (int tick = 0; tick < 3; tick++) {
                Exit e = w.enter();
                assertTrue(e.is(0x12, 0x41), e.toString());
                at.add(e.now() - t0);
                taken.incrementAndGet();
            }
            assertEquals(List.of(4_000L, 8_000L, 12_000L), at);
            // The third tick's handler masked the timer (re-armed from then, but masked): the
            // next expiry injects nothing and the timer stays off.
            clock.get(10, TimeUnit.SECONDS);
            expectNoMoreTicks(k, w, 4_000, 40_000);
        }
    }

    @KernelTest
    void tscDeadlineTimerFiresAtTheDeadline(TestKernel k) throws Exception {
        long t0 = k.clock().now();
        long ticks = 25_000;
        try (World w = new World(k).start("tsc_deadline_timer", 0, 0, 0, 0, 0x80000, 0, 0, 0, ticks)) {
            Exit lo = w.enter();
            Exit hi = w.enter();
            long deadline = lo.data() | hi.data() << 32;
            assertEquals(SimTsc.ticksAt(t0) + ticks, deadline, "RDTSC reads the clock's TSC");
            CompletableFuture<Void> clock = advanceWhenHalted(k, 9_999, 1);
            Exit e = w.enter();
            assertTrue(e.is(0x12, 0x40), e.toString());
            assertEquals(t0 + 10_000, e.now());
            clock.get(10, TimeUnit.SECONDS);
        }
    }

    // ---- kvmclock -------------------------------------------------------------------------

    @KernelTest
    void kvmclockIsRewrittenBeforeEveryEntry(TestKernel k) {
        try (World w = new World(k).start("kvmclock_register")) {
            long t0 = k.clock().now();
            w.expect(0x10, 1);
            byte[] s = w.read(PVTI, 32);
            assertEquals(2, i32(s, 0), "version: one update since the WRMSR");
            assertEquals(SimTsc.ticksAt(t0), i64(s, 8), "tsc_timestamp");
            assertEquals(t0, i64(s, 16), "system_time");
            assertEquals(0xCCCC_CCCC, i32(s, 24), "tsc_mul for 2.5 GHz");
            assertEquals(-1, s[28], "tsc_shift");
            k.clock().advance(1_000_000);
            w.expect(0x10, 1);
            s = w.read(PVTI, 32);
            assertEquals(4, i32(s, 0));
            assertEquals(t0 + 1_000_000, i64(s, 16));
            assertEquals(SimTsc.ticksAt(t0 + 1_000_000), i64(s, 8));
        }
    }

    @KernelTest
    void aGuestCalibratesItsTscAgainstKvmclock(TestKernel k) {
        try (World w = new World(k).start("kvmclock_calibrate")) {
            w.expect(0x16, SimTsc.HZ / 1000);   // from tsc_mul and tsc_shift, as Linux does
            w.expect(0x10, 1);
            k.clock().advance(3_000_000);
            w.expect(0x16, SimTsc.HZ / 1000);   // measured between two entries
        }
    }

    // ---- MSRs and the statuses that end enter ---------------------------------------------

    /** Runs wrmsr_then_report with ECX = msr, EDX:EAX = value. */
    private static World wrmsr(TestKernel k, int msr, long value) {
        return new World(k).start("wrmsr_then_report", 0, 0, 0, 0, 0x80000, 0, 0, 0, 0, msr,
                value & 0xFFFF_FFFFL, value >>> 32);
    }

    @KernelTest
    void wrmsrFailuresEndEnterWithTheKernelsStatus(TestKernel k) {
        record Case(String what, int msr, long value, int status) {}
        for (Case c : List.of(
                new Case("reserved LVT timer mode", 0x832, 3 << 17, ZX_ERR_INVALID_ARGS),
                new Case("TSC deadline outside TSC-deadline mode", 0x6E0, 1000, ZX_ERR_INVALID_ARGS),
                new Case("IA32_APIC_BASE: x2APIC off", 0x1B, 0xFEE00900L, ZX_ERR_INVALID_ARGS),
                new Case("IA32_APIC_BASE: moved", 0x1B, 0xFEF00D00L, ZX_ERR_INVALID_ARGS),
                new Case("kvmclock outside guest RAM", 0x4B564D01, 0x2000001, ZX_ERR_NOT_FOUND),
                new Case("kvmclock over the end of RAM", 0x4B564D01, MEM - 16 + 1,
                        ZX_ERR_OUT_OF_RANGE),
                new Case("kvmclock beyond the guest-physical space", 0x4B564D01, 1L << 48 | 1,
                        ZX_ERR_INVALID_ARGS),
                new Case("wall clock outside guest RAM", 0x4B564D00, 0x3000000, ZX_ERR_NOT_FOUND),
                new Case("ICR, logical destination", 0x830, 1L << 32 | 0x840, ZX_ERR_NOT_SUPPORTED))) {
            try (World w = wrmsr(k, c.msr, c.value)) {
                assertEquals(c.status, w.enter().status(), c.what);
            }
        }
        for (long same : new long[] {0xFEE00C00L, 0xFEE00D00L}) {
            try (World w = wrmsr(k, 0x1B, same)) {
                w.expect(0x10, 1);
            }
        }
    }

    @KernelTest
    void msrsTheKernelRefusesInjectGp(TestKernel k) {
        for (int msr : new int[] {0x10, 0x6E0, 0x4B564D01, 0x80A, 0x839, 0x3A, 0xCE}) {
            try (World w = new World(k).start("rdmsr_then_report", 0, 0, 0, 0, 0x80000, 0, 0, 0,
                    0, msr)) {
                w.expect(0x12, 13);
                w.expect(0x10, 1);
            }
        }
        try (World w = wrmsr(k, 0x10, 5)) { // IA32_TSC is not writable either
            w.expect(0x12, 13);
            w.expect(0x10, 1);
        }
    }

    @KernelTest
    void x2apicReadsSetRaxOnly(TestKernel k) {
        try (World w = new World(k).start("rdmsr_then_report", 0, 0, 0, 0, 0x80000, 0, 0, 0, 0,
                0x803)) {
            w.expect(0x10, 1);
            assertEquals(0x60015, w.reg(14), "the version register");
            assertEquals(0x2222222222222222L, w.reg(2), "RDX is left alone by the kernel");
        }
        try (World w = new World(k).start("rdmsr_then_report", 0, 0, 0, 0, 0x80000, 0, 0, 0, 0,
                0x1B)) {
            w.expect(0x10, 1);
            assertEquals(0xFEE00D00L, w.reg(14), "IA32_APIC_BASE of the boot VCPU");
            assertEquals(0, w.reg(2), "EDX:EAX for other MSRs");
        }
    }

    @KernelTest
    void tripleFaultEndsEnterWithNotSupported(TestKernel k) {
        try (World w = new World(k).start("triple_fault")) {
            assertEquals(ZX_ERR_NOT_SUPPORTED, w.enter().status());
        }
    }
}
