package dev.zx4j.sim;

import static dev.zx4j.abi.Layouts.PORT_PACKET_SIZE;
import static dev.zx4j.abi.Zx.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The RDMSR/WRMSR exit handlers' dispatch: answered, ignored, and #GP MSRs. */
class MsrExitsTest {
    private final InterruptTracker tracker = new InterruptTracker(() -> {});
    private final LocalApic apic = new LocalApic(1, new ManualClock(1), tracker);
    private final MsrExits msrs = new MsrExits(apic, new KvmClock(true), tracker,
            (gpa, len) -> { throw new SysErr(ZX_ERR_NOT_FOUND); });
    private final byte[] packet = new byte[PORT_PACKET_SIZE];

    private void readGives(int msr, long value) {
        FakeExit e = FakeExit.rdmsr(msr);
        assertEquals(ZX_OK, msrs.read(e));
        assertEquals(1, e.advanced, Integer.toHexString(msr));
        assertEquals(value & 0xFFFF_FFFFL, e.regs[ExitState.RAX], Integer.toHexString(msr));
        assertEquals(value >>> 32, e.regs[ExitState.RDX], Integer.toHexString(msr));
    }

    private void gp(FakeExit e, int status) {
        assertEquals(ZX_OK, status);
        assertEquals(0, e.advanced);
        assertTrue(tracker.tryPop(13));
        assertFalse(tracker.pending());
    }

    @Test
    void reads() {
        readGives(0x1B, 0xFEE00D00L);
        readGives(0x1A0, 1);
        for (int msr : new int[] {0x17, 0x34, 0x8B, 0xFE, 0x179, 0x17A, 0x1A2, 0x200, 0x213, 0x250,
                0x258, 0x259, 0x268, 0x26F, 0x2FF, 0x606, 0x611, 0x618, 0x619, 0x638, 0x639, 0x640,
                0x641, 0x64D, 0x64E, 0x65C}) {
            readGives(msr, 0);
        }
        for (int msr : new int[] {0x10, 0x6E0, 0x4B564D00, 0x4B564D01, 0x11, 0x12, 0xCE, 0x10A,
                0x48, 0x49, 0xC0000083, 0x214, 0x3A, 0x199}) {
            FakeExit e = FakeExit.rdmsr(msr);
            gp(e, msrs.read(e));
        }
    }

    @Test
    void writes() {
        for (int msr : new int[] {0xFE, 0x2FF, 0x250, 0x258, 0x259, 0x268, 0x26F, 0x200, 0x213, 0x8B,
                0x618, 0x638, 0x640, 0x65C, 0x48, 0x49, 0xC0000083}) {
            FakeExit e = FakeExit.wrmsr(msr, 0x1234_5678_9ABCL);
            assertEquals(ZX_OK, msrs.write(e, packet));
            assertEquals(1, e.advanced, Integer.toHexString(msr));
            assertFalse(tracker.pending());
        }
        for (int msr : new int[] {0x10, 0x17, 0x34, 0x1A0, 0x179, 0x606, 0x611, 0x3A, 0x1D9}) {
            FakeExit e = FakeExit.wrmsr(msr, 0);
            gp(e, msrs.write(e, packet));
        }
        FakeExit e = FakeExit.wrmsr(0x6E0, 5);
        assertEquals(ZX_ERR_INVALID_ARGS, msrs.write(e, packet), "TSC deadline outside mode 2");
        assertEquals(0, e.advanced);
        e = FakeExit.wrmsr(0x1B, 0xFEE00C00L);
        assertEquals(ZX_OK, msrs.write(e, packet));
        e = FakeExit.wrmsr(0x4B564D01, 0x5001);
        assertEquals(ZX_ERR_NOT_FOUND, msrs.write(e, packet), "kvmclock at an unmapped address");
        assertEquals(1, e.advanced);
    }
}
