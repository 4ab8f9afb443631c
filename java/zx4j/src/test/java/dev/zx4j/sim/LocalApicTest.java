package dev.zx4j.sim;

import static dev.zx4j.abi.Layouts.*;
import static dev.zx4j.abi.Zx.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Every row of the kernel's x2APIC register table, {@code IA32_APIC_BASE},
 * {@code IA32_TSC_DEADLINE} and the LVT timer's arithmetic in all three modes, on a manual clock.
 */
class LocalApicTest {
    private static final long START = 1_000_000;
    private final ManualClock clock = new ManualClock(START);
    private final InterruptTracker tracker = new InterruptTracker(() -> {});
    private final LocalApic apic = new LocalApic(3, clock, tracker); // APIC ID 2
    private final byte[] packet = new byte[PORT_PACKET_SIZE];

    private long read(int msr) {
        FakeExit e = FakeExit.rdmsr(msr);
        assertEquals(ZX_OK, apic.read(e), "RDMSR 0x" + Integer.toHexString(msr));
        assertEquals(1, e.advanced, "RDMSR 0x" + Integer.toHexString(msr) + " completes");
        assertEquals(-1, e.regs[ExitState.RDX], "the kernel writes RAX only");
        assertFalse(tracker.pending());
        return e.regs[ExitState.RAX];
    }

    private void readGp(int msr) {
        FakeExit e = FakeExit.rdmsr(msr);
        assertEquals(ZX_OK, apic.read(e));
        assertEquals(0, e.advanced, "#GP leaves RIP at the RDMSR of 0x" + Integer.toHexString(msr));
        assertTrue(tracker.tryPop(13), "#GP queued for RDMSR 0x" + Integer.toHexString(msr));
        assertFalse(tracker.pending());
    }

    private int write(int msr, long value) {
        FakeExit e = FakeExit.wrmsr(msr, value);
        int status = apic.write(e, packet);
        if (status == ZX_OK && !tracker.isPending(13)) {
            assertEquals(1, e.advanced, "WRMSR 0x" + Integer.toHexString(msr) + " completes");
        }
        return status;
    }

    private void writeOk(int msr, long value) {
        assertEquals(ZX_OK, write(msr, value));
        assertFalse(tracker.isPending(13), "no #GP for WRMSR 0x" + Integer.toHexString(msr));
    }

    private void writeGp(int msr, long value) {
        FakeExit e = FakeExit.wrmsr(msr, value);
        assertEquals(ZX_OK, apic.write(e, packet));
        assertEquals(0, e.advanced);
        assertTrue(tracker.tryPop(13), "#GP for WRMSR 0x" + Integer.toHexString(msr));
    }

    @Test
    void registerTableReads() {
        assertEquals(2, read(LocalApic.ID), "x2APIC ID = VPID - 1");
        assertEquals(0x60015, read(LocalApic.VERSION));
        assertEquals(0, read(LocalApic.TPR));
        assertEquals(0, read(LocalApic.LDR));
        assertEquals(0xFF, read(LocalApic.SVR));
        for (int r = 0x810; r <= 0x827; r++) {
            assertEquals(0, read(r), "ISR/TMR/IRR 0x" + Integer.toHexString(r));
        }
        assertEquals(0, read(LocalApic.ESR));
        assertEquals(0x10000, read(LocalApic.LVT_CMCI));
        assertEquals(0x10000, read(LocalApic.LVT_TIMER), "LVT timer resets masked");
        assertEquals(0x10000, read(LocalApic.LVT_THERMAL));
        assertEquals(0, read(LocalApic.LVT_MONITOR));
        assertEquals(0x10000, read(LocalApic.LVT_LINT0));
        assertEquals(0x10000, read(LocalApic.LVT_LINT1));
        for (int r : new int[] {LocalApic.PPR, LocalApic.EOI, LocalApic.ICR, LocalApic.LVT_ERROR,
                LocalApic.TMICT, LocalApic.TMCCT, LocalApic.TDCR, LocalApic.SELF_IPI, 0x800, 0x801,
                0x804, 0x809, 0x80C, 0x80E, 0x829, 0x831, 0x83A, 0x83D}) {
            readGp(r);
        }
    }

    @Test
    void registerTableWrites() {
        for (int r : new int[] {LocalApic.TPR, LocalApic.SVR, LocalApic.LVT_MONITOR,
                LocalApic.LVT_ERROR, LocalApic.LVT_LINT0, LocalApic.LVT_LINT1,
                LocalApic.LVT_THERMAL, LocalApic.LVT_CMCI}) {
            writeOk(r, 0x1FF);
        }
        assertEquals(0, read(LocalApic.TPR), "TPR writes are ignored");
        assertEquals(0xFF, read(LocalApic.SVR), "SVR writes are ignored");
        assertEquals(0x10000, read(LocalApic.LVT_LINT0), "LINT0 writes are ignored");
        writeOk(LocalApic.EOI, 0);
        writeGp(LocalApic.EOI, 1);
        writeOk(LocalApic.ESR, 0);
        writeGp(LocalApic.ESR, 5);
        for (int r : new int[] {LocalApic.ID, LocalApic.VERSION, LocalApic.PPR, LocalApic.LDR,
                0x810, 0x820, LocalApic.TMCCT, 0x800, 0x83A}) {
            writeGp(r, 0);
        }
        // EDX != 0 is #GP everywhere but the ICR, before anything else.
        writeGp(LocalApic.TPR, 1L << 32);
        writeGp(LocalApic.LVT_TIMER, 3L << 17 | 1L << 32); // #GP, not the reserved-mode failure
        writeGp(LocalApic.SELF_IPI, 0x40 | 1L << 32);
        assertFalse(tracker.isPending(0x40));
    }

    @Test
    void selfIpiQueuesTheLowByte() {
        writeOk(LocalApic.SELF_IPI, 0x1234);
        assertTrue(tracker.tryPop(0x34));
        assertFalse(tracker.pending());
    }

    @Test
    void icrWritesAsTheKernelDecodesThem() {
        // fixed to APIC ID 5
        assertEquals(ZX_ERR_NEXT, write(LocalApic.ICR, 5L << 32 | 0x41));
        assertEquals(ZX_PKT_TYPE_GUEST_VCPU, i32(packet, PACKET_TYPE));
        assertEquals(ZX_PKT_GUEST_VCPU_INTERRUPT, u8(packet, PACKET_VCPU_TYPE));
        assertEquals(1L << 5, i64(packet, PACKET_VCPU_INTERRUPT_MASK));
        assertEquals(0x41, u8(packet, PACKET_VCPU_INTERRUPT_VECTOR));
        // shorthand self: the sender's bit (APIC ID 2)
        assertEquals(ZX_ERR_NEXT, write(LocalApic.ICR, 1 << 18 | 0x42));
        assertEquals(1L << 2, i64(packet, PACKET_VCPU_INTERRUPT_MASK));
        // all excluding self: the kernel's 32-bit ~(1u << self)
        assertEquals(ZX_ERR_NEXT, write(LocalApic.ICR, 3 << 18 | 0x43));
        assertEquals(0xFFFF_FFFBL, i64(packet, PACKET_VCPU_INTERRUPT_MASK));
        // NMI to all: vector 2, sender cleared with a sign-extended mask
        assertEquals(ZX_ERR_NEXT, write(LocalApic.ICR, 2 << 18 | 4 << 8 | 0x77));
        assertEquals(~(1L << 2), i64(packet, PACKET_VCPU_INTERRUPT_MASK));
        assertEquals(2, u8(packet, PACKET_VCPU_INTERRUPT_VECTOR));
        // destination 64 and more: nobody; 0xFFFFFFFF: everybody
        assertEquals(ZX_ERR_NEXT, write(LocalApic.ICR, 64L << 32 | 0x45));
        assertEquals(0, i64(packet, PACKET_VCPU_INTERRUPT_MASK));
        assertEquals(ZX_ERR_NEXT, write(LocalApic.ICR, 0xFFFF_FFFFL << 32 | 0x45));
        assertEquals(-1L, i64(packet, PACKET_VCPU_INTERRUPT_MASK));
        // STARTUP
        assertEquals(ZX_ERR_NEXT, write(LocalApic.ICR, 7L << 32 | 6 << 8 | 0x09));
        assertEquals(ZX_PKT_GUEST_VCPU_STARTUP, u8(packet, PACKET_VCPU_TYPE));
        assertEquals(7, i64(packet, PACKET_VCPU_STARTUP_ID));
        assertEquals(0x9000, i64(packet, PACKET_VCPU_STARTUP_ENTRY));
        // INIT ignored; logical mode and other delivery modes end enter
        assertEquals(ZX_OK, write(LocalApic.ICR, 1L << 32 | 5 << 8));
        assertEquals(ZX_ERR_NOT_SUPPORTED, write(LocalApic.ICR, 1L << 32 | 1 << 11 | 0x40));
        for (int mode : new int[] {1, 2, 3, 7}) {
            FakeExit e = FakeExit.wrmsr(LocalApic.ICR, 1L << 32 | mode << 8 | 0x40);
            assertEquals(ZX_ERR_NOT_SUPPORTED, apic.write(e, packet), "delivery mode " + mode);
            assertEquals(0, e.advanced);
        }
    }

    @Test
    void apicBase() {
        FakeExit e = FakeExit.rdmsr(LocalApic.MSR_APIC_BASE);
        assertEquals(ZX_OK, apic.readApicBase(e));
        assertEquals(0xFEE00C00L, e.regs[ExitState.RAX], "not the BSP: no bit 8");
        assertEquals(0, e.regs[ExitState.RDX]);
        LocalApic bsp = new LocalApic(1, clock, tracker);
        e = FakeExit.rdmsr(LocalApic.MSR_APIC_BASE);
        bsp.readApicBase(e);
        assertEquals(0xFEE00D00L, e.regs[ExitState.RAX]);
        for (long same : new long[] {0xFEE00C00L, 0xFEE00D00L}) {
            e = FakeExit.wrmsr(LocalApic.MSR_APIC_BASE, same);
            assertEquals(ZX_OK, apic.writeApicBase(e));
            assertEquals(1, e.advanced);
        }
        for (long other : new long[] {0xFEE00800L, 0xFEE00400L, 0xFED00C00L, 0x1_FEE00C00L}) {
            e = FakeExit.wrmsr(LocalApic.MSR_APIC_BASE, other);
            assertEquals(ZX_ERR_INVALID_ARGS, apic.writeApicBase(e));
            assertEquals(0, e.advanced);
        }
    }

    /** TSC ticks → nanoseconds at 2.5 GHz. */
    private static long ns(long ticks) {
        return SimTsc.nanosOf(ticks);
    }

    @Test
    void oneShotFiresOnceAtTheKernelsDeadline() {
        writeOk(LocalApic.TDCR, 0xB);            // divide by 1: shift (3|1<<2)+1 & 7 = 0
        writeOk(LocalApic.LVT_TIMER, 0x40);      // one-shot, vector 0x40, unmasked
        writeOk(LocalApic.TMICT, 2500);          // 2500 TSC ticks = 1000 ns
        assertEquals(START + 1000, apic.timerDeadline());
        clock.advance(999);
        apic.timer.fireIfDue();
        assertFalse(tracker.pending(), "not yet");
        clock.advance(1);
        apic.timer.fireIfDue();
        assertTrue(tracker.tryPop(0x40));
        clock.advance(1_000_000);
        apic.timer.fireIfDue();
        assertFalse(tracker.pending(), "one-shot");
        assertEquals(-1, apic.timerDeadline());
    }

    @Test
    void divideConfigurationShiftsTheCountAs32Bits() {
        writeOk(LocalApic.LVT_TIMER, 0x40);
        long now = clock.now();
        int[][] cases = {{0x0, 1}, {0x1, 2}, {0x2, 3}, {0x3, 4}, {0x8, 5}, {0x9, 6}, {0xA, 7}, {0xB, 0}};
        for (int[] c : cases) {
            writeOk(LocalApic.TDCR, c[0]);
            writeOk(LocalApic.TMICT, 1000);
            assertEquals(now + ns(1000L << c[1]), apic.timerDeadline(), "TDCR " + c[0]);
        }
        writeOk(LocalApic.TDCR, 0xA);            // shift 7
        writeOk(LocalApic.TMICT, 0x0200_0001);   // << 7 wraps in 32 bits to 0x80
        assertEquals(now + ns(0x80), apic.timerDeadline());
        writeOk(LocalApic.TMICT, 0);             // TMICT = 0 still arms, at now
        assertEquals(now, apic.timerDeadline());
        apic.timer.fireIfDue();
        assertTrue(tracker.tryPop(0x40), "TMICT = 0 fires at once");
    }

    @Test
    void periodicRearmsFromTheFiringTimeAndStopsWhenMasked() {
        writeOk(LocalApic.TDCR, 0xB);
        writeOk(LocalApic.TMICT, 25_000);        // 10 µs
        writeOk(LocalApic.LVT_TIMER, 1 << 17 | 0x30);
        for (int k = 1; k <= 3; k++) {
            clock.advance(10_000);
            apic.timer.fireIfDue();
            assertTrue(tracker.tryPop(0x30), "period " + k);
            assertEquals(clock.now() + 10_000, apic.timerDeadline());
        }
        clock.advance(35_000);                   // late: one expiry, re-armed from now
        apic.timer.fireIfDue();
        assertTrue(tracker.tryPop(0x30));
        assertEquals(clock.now() + 10_000, apic.timerDeadline());
        // Masking is an LVT write, which re-arms from now; at expiry a masked timer injects
        // nothing and a masked periodic timer is not re-armed.
        FakeExit e = FakeExit.wrmsr(LocalApic.LVT_TIMER, 1 << 17 | 1 << 16 | 0x30);
        assertEquals(ZX_OK, apic.write(e, packet));
        clock.advance(10_000);
        apic.timer.fireIfDue();
        assertFalse(tracker.pending(), "masked: no vector");
        assertEquals(-1, apic.timerDeadline(), "masked periodic timer is not re-armed");
        clock.advance(1_000_000);
        apic.timer.fireIfDue();
        assertFalse(tracker.pending());
    }

    @Test
    void tscDeadlineMode() {
        FakeExit e = FakeExit.wrmsr(LocalApic.MSR_TSC_DEADLINE, 5);
        assertEquals(ZX_ERR_INVALID_ARGS, apic.writeTscDeadline(e), "one-shot mode");
        assertEquals(0, e.advanced);
        writeOk(LocalApic.LVT_TIMER, 2 << 17 | 0x50);
        assertEquals(-1, apic.timerDeadline(), "the LVT write gives no deadline in TSC mode");
        long due = SimTsc.ticksAt(START + 5000);
        e = FakeExit.wrmsr(LocalApic.MSR_TSC_DEADLINE, due);
        assertEquals(ZX_OK, apic.writeTscDeadline(e));
        assertEquals(1, e.advanced);
        assertEquals(START + 5000, apic.timerDeadline());
        writeOk(LocalApic.TMICT, 100);           // TMICT in TSC mode: cancels (deadline 0)
        assertEquals(-1, apic.timerDeadline());
        apic.writeTscDeadline(FakeExit.wrmsr(LocalApic.MSR_TSC_DEADLINE, due));
        clock.advance(4999);
        apic.timer.fireIfDue();
        assertFalse(tracker.pending());
        clock.advance(1);
        apic.timer.fireIfDue();
        assertTrue(tracker.tryPop(0x50));
        // a deadline in the past fires at once; one that converts to 0 ns (and 0) disarms
        apic.writeTscDeadline(FakeExit.wrmsr(LocalApic.MSR_TSC_DEADLINE, SimTsc.ticksAt(START)));
        apic.timer.fireIfDue();
        assertTrue(tracker.tryPop(0x50));
        apic.writeTscDeadline(FakeExit.wrmsr(LocalApic.MSR_TSC_DEADLINE, 2));
        assertEquals(-1, apic.timerDeadline(), "TSC 2 is 0 ns: update_timer arms nothing");
        apic.writeTscDeadline(FakeExit.wrmsr(LocalApic.MSR_TSC_DEADLINE, due + 100_000));
        apic.writeTscDeadline(FakeExit.wrmsr(LocalApic.MSR_TSC_DEADLINE, 0));
        assertEquals(-1, apic.timerDeadline());
    }

    @Test
    void reservedTimerModeEndsEnter() {
        FakeExit e = FakeExit.wrmsr(LocalApic.LVT_TIMER, 3 << 17 | 0x40);
        assertEquals(ZX_ERR_INVALID_ARGS, apic.write(e, packet));
        assertEquals(0, e.advanced);
        assertEquals(0x10000, read(LocalApic.LVT_TIMER), "not stored");
    }
}
