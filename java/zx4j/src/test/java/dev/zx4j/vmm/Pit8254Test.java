package dev.zx4j.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The 8254 against a manual clock: 1,193,182 ticks per second. */
class Pit8254Test {

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final Pit8254 pit = new Pit8254(now::get, null, IrqLine.NONE);

    void advanceTicks(long ticks) {
        now.addAndGet(ticks * 1_000_000_000L / Pit8254.FREQUENCY_HZ + 1);
    }

    int read16(int port) {
        return pit.read(port, 1) | pit.read(port, 1) << 8;
    }

    @Test
    void channelTwoOneShotAsACalibrationLoopUsesIt() {
        pit.write(0x61, 1, (pit.read(0x61, 1) & ~0x02) | 0x01); // gate high, speaker off
        pit.write(0x43, 1, 0xB0);                                // ch2, LSB+MSB, mode 0
        pit.write(0x42, 1, 1000 & 0xFF);
        pit.write(0x42, 1, 1000 >> 8);
        assertEquals(0, pit.read(0x61, 1) & 0x20, "OUT2 low while counting");
        advanceTicks(400);
        int c = read16(0x42);
        assertTrue(c <= 600 && c >= 598, "count " + c);
        advanceTicks(600);
        assertEquals(0x20, pit.read(0x61, 1) & 0x20, "OUT2 high at terminal count");
    }

    @Test
    void latchAndReadBackFreezeTheCount() {
        pit.write(0x43, 1, 0x34);                                // ch0, LSB+MSB, mode 2
        pit.write(0x40, 1, 0x00);
        pit.write(0x40, 1, 0x10);                                // 4096
        advanceTicks(96);
        pit.write(0x43, 1, 0x00);                                // latch ch0
        advanceTicks(1000);
        assertEquals(4000, read16(0x40), "latched value");
        int live = read16(0x40);
        assertTrue(live < 4000 && live > 2900, "live value " + live);
        pit.write(0x43, 1, 0xC2);                                // read-back count+status ch0
        int status = pit.read(0x40, 1);
        assertEquals(0x34 & 0x3F, status & 0x3F, "status: access and mode");
        assertEquals(0, status & 0x40, "null count clear after loading");
    }

    @Test
    void modeTwoWrapsAtTheReload() {
        pit.write(0x43, 1, 0x14);                                // ch0, LSB only, mode 2
        pit.write(0x40, 1, 100);
        advanceTicks(250);
        int c = pit.read(0x40, 1);
        assertTrue(c <= 50 && c >= 48, "count " + c);
    }

    @Test
    void gateLowStopsChannelTwo() {
        pit.write(0x61, 1, 0x01);
        pit.write(0x43, 1, 0xB0);
        pit.write(0x42, 1, 0xFF);
        pit.write(0x42, 1, 0xFF);
        advanceTicks(100);
        pit.write(0x61, 1, 0x00);
        int held = read16(0x42);
        advanceTicks(5000);
        assertEquals(held, read16(0x42));
    }

    @Test
    void channelZeroPeriodicModeRaisesIrqZero() throws Exception {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor();
        AtomicLong edges = new AtomicLong();
        Pit8254 p = new Pit8254(System::nanoTime, s, high -> {
            if (high) {
                edges.incrementAndGet();
            }
        });
        try {
            p.write(0x43, 1, 0x34);
            int count = (int) (Pit8254.FREQUENCY_HZ / 1000);   // 1 kHz
            long t0 = System.nanoTime();
            p.write(0x40, 1, count & 0xFF);
            p.write(0x40, 1, count >> 8);
            Thread.sleep(200);
            p.stop();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long n = edges.get();
            // a fixed-rate host timer: never more than the elapsed milliseconds (plus one),
            // and on a loaded machine at least a fair share of them
            assertTrue(n >= 20 && n <= ms + 1, "edges in " + ms + " ms at 1 kHz: " + n);
            assertEquals(n, p.irqPulses());
        } finally {
            s.shutdownNow();
        }
    }
}
