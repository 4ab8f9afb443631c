package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** kvmclock: the scale factor, the struct written on each entry, the version protocol, errors. */
class KvmClockTest {
    /** 8 pages of RAM at guest-physical 0x10000; nothing else mapped. */
    private final Map<Long, byte[]> ram = new HashMap<>();
    private final GuestPtr.Space memory = (gpa, len) -> {
        long first = gpa >>> 12;
        long last = (gpa + len - 1) >>> 12;
        if (first < 0x10 || first > 0x17) {
            throw new SysErr(ZX_ERR_NOT_FOUND);
        }
        if (last > 0x17) {
            throw new SysErr(ZX_ERR_OUT_OF_RANGE);
        }
        byte[][] pages = new byte[(int) (last - first + 1)][];
        for (int k = 0; k < pages.length; k++) {
            pages[k] = ram.computeIfAbsent(first + k, p -> new byte[4096]);
        }
        return new GuestPtr(gpa, len, pages);
    };

    private ByteBuffer at(long gpa) {
        return ByteBuffer.wrap(ram.get(gpa >>> 12)).order(ByteOrder.LITTLE_ENDIAN)
                .position((int) (gpa & 0xFFF));
    }

    @Test
    void scaleFactorAsTheKernelComputesIt() {
        assertArrayEquals(new int[] {1 << 31, 1}, KvmClock.scale(1_000_000_000L), "1 GHz: x1");
        // 2.5 GHz: 0.4 ns per tick = 0xCCCCCCCC / 2^32 * 2^-1
        assertArrayEquals(new int[] {0xCCCC_CCCC, -1}, KvmClock.scale(2_500_000_000L));
        assertArrayEquals(KvmClock.scale(SimTsc.HZ), KvmClock.SCALE);
        // Linux's pvclock_tsc_khz inverts it back to the TSC frequency.
        for (long hz : new long[] {1_000_000_000L, 2_500_000_000L, 3_000_000_000L, 100_000_000L,
                4_194_304_000L}) {
            int[] s = KvmClock.scale(hz);
            long khz = (1_000_000L << 32) / (s[0] & 0xFFFF_FFFFL);
            khz = s[1] < 0 ? khz << -s[1] : khz >> s[1];
            assertEquals(hz / 1000, khz, 1, "kHz for " + hz);
        }
    }

    @Test
    void systemTimeStructAndVersionProtocol() {
        KvmClock k = new KvmClock(true);
        long gpa = 0x10FF0; // straddles a page boundary, as CreateGuestPtr allows
        ram.computeIfAbsent(0x10L, p -> new byte[4096])[0xFF0] = 0x55; // zeroed on registration
        FakeExit e = FakeExit.wrmsr(KvmClock.MSR_SYSTEM_TIME, gpa | 1);
        assertEquals(ZX_OK, k.write(e, memory));
        assertEquals(1, e.advanced);
        assertTrue(k.enabled());
        assertEquals(0, at(gpa).getInt(), "zeroed");
        for (int round = 1; round <= 3; round++) {
            long now = 123_456_789L * round;
            long tsc = SimTsc.ticksAt(now);
            k.update(now, tsc);
            assertEquals(2 * round, at(gpa).getInt(0xFF0), "version after round " + round);
            ByteBuffer lo = at(gpa);
            assertEquals(0, lo.getInt(0xFF4), "pad");
            assertEquals(tsc, lo.getLong(0xFF8), "tsc_timestamp");
            ByteBuffer hi = at(0x11000);
            assertEquals(now, hi.getLong(0), "system_time");
            assertEquals(0xCCCC_CCCC, hi.getInt(8), "tsc_mul");
            assertEquals(-1, hi.get(12), "tsc_shift");
            assertEquals(1, hi.get(13), "flags: PVCLOCK_TSC_STABLE");
            // the guest's formula: system_time + (tsc' - tsc_timestamp) * mul >> (32 - shift)
            long later = now + 777_777;
            long delta = SimTsc.ticksAt(later) - tsc;
            long guestNs = now + ((delta * 0xCCCC_CCCCL) >>> 33);
            assertEquals(later, guestNs, 1);
        }
        // Re-registering zeroes the struct but keeps the VCPU's counter.
        assertEquals(ZX_OK, k.write(FakeExit.wrmsr(KvmClock.MSR_SYSTEM_TIME_OLD, gpa | 1), memory));
        assertEquals(0, at(gpa).getInt(0xFF0));
        k.update(1, 1);
        assertEquals(8, at(gpa).getInt(0xFF0));
        // Bit 0 clear: no more updates.
        assertEquals(ZX_OK, k.write(FakeExit.wrmsr(KvmClock.MSR_SYSTEM_TIME, gpa), memory));
        assertFalse(k.enabled());
        k.update(2, 2);
        assertEquals(8, at(gpa).getInt(0xFF0));
        KvmClock unstable = new KvmClock(false);
        unstable.write(FakeExit.wrmsr(KvmClock.MSR_SYSTEM_TIME, 0x12000 | 1), memory);
        unstable.update(5, 5);
        assertEquals(0, at(0x12000).get(29), "flags 0 without an invariant TSC");
    }

    @Test
    void wallClockIsZeroed() {
        KvmClock k = new KvmClock(true);
        byte[] page = ram.computeIfAbsent(0x13L, p -> new byte[4096]);
        java.util.Arrays.fill(page, (byte) 0x77);
        for (int msr : new int[] {KvmClock.MSR_WALL_CLOCK, KvmClock.MSR_WALL_CLOCK_OLD}) {
            FakeExit e = FakeExit.wrmsr(msr, 0x13100);
            assertEquals(ZX_OK, k.write(e, memory));
            assertEquals(1, e.advanced);
            for (int b = 0; b < 12; b++) {
                assertEquals(0, page[0x100 + b]);
            }
            assertEquals(0x77, page[0x100 + 12], "only 12 bytes");
            java.util.Arrays.fill(page, (byte) 0x77);
        }
        assertFalse(k.enabled());
    }

    @Test
    void badAddressesEndEnterAfterRipMoved() {
        KvmClock k = new KvmClock(true);
        FakeExit e = FakeExit.wrmsr(KvmClock.MSR_SYSTEM_TIME, 0x5000 | 1);
        assertEquals(ZX_ERR_NOT_FOUND, k.write(e, memory));
        assertEquals(1, e.advanced, "RIP moved before the mapping");
        assertFalse(k.enabled());
        e = FakeExit.wrmsr(KvmClock.MSR_WALL_CLOCK, 0x17FF8);
        assertEquals(ZX_ERR_OUT_OF_RANGE, k.write(e, memory));
    }
}
