package dev.zx4j.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CmosRtcTest {

    // 2026-12-04 17:30:45 UTC, a Friday
    final AtomicLong wall = new AtomicLong(LocalDateTime.of(2026, 12, 4, 17, 30, 45)
            .toInstant(ZoneOffset.UTC).toEpochMilli());
    final CmosRtc rtc = new CmosRtc(wall::get);

    int reg(int i) {
        rtc.write(0x70, 1, i | 0x80); // NMI-mask bit set, as Linux writes it
        return rtc.read(0x71, 1);
    }

    void set(int i, int v) {
        rtc.write(0x70, 1, i);
        rtc.write(0x71, 1, v);
    }

    @Test
    void readsTheHostClockInBcd() {
        assertEquals(0x45, reg(0));
        assertEquals(0x30, reg(2));
        assertEquals(0x17, reg(4));
        assertEquals(6, reg(6), "Friday = 6 (Sunday = 1)");
        assertEquals(0x04, reg(7));
        assertEquals(0x12, reg(8));
        assertEquals(0x26, reg(9));
        assertEquals(0x20, reg(0x32));
        assertEquals(0x02, reg(0x0B));
        assertEquals(0x80, reg(0x0D));
        assertEquals(0x26, reg(0x0A));
    }

    @Test
    void binaryAndTwelveHourModes() {
        set(0x0B, 0x04); // binary, 12-hour
        assertEquals(45, reg(0));
        assertEquals(0x80 | 5, reg(4), "5 PM");
    }

    @Test
    void updateInProgressInTheLastMillisecondOfASecond() {
        wall.addAndGet(999 - 0);
        assertEquals(0x80, reg(0x0A) & 0x80);
        wall.addAndGet(1);
        assertEquals(0, reg(0x0A) & 0x80);
    }

    @Test
    void settingTheTimeKeepsItRunning() {
        set(0x0B, 0x82); // SET
        set(4, 0x08);
        set(2, 0x00);
        set(0, 0x00);
        set(0x0B, 0x02);
        wall.addAndGet(61_000);
        assertEquals(0x08, reg(4));
        assertEquals(0x01, reg(2));
        assertEquals(0x01, reg(0));
    }

    @Test
    void storesTheRestOfCmos() {
        set(0x40, 0x5A);
        assertEquals(0x5A, reg(0x40));
        set(0x0C, 0xFF);
        assertEquals(0, reg(0x0C), "C reads 0: no interrupt flags");
    }
}
