package dev.zx4j.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The 8042: controller commands and the reset line. */
class I8042Test {

    @Test
    void i8042SelfTestAndReset() {
        AtomicInteger resets = new AtomicInteger();
        I8042 k = new I8042(resets::incrementAndGet);
        assertEquals(0x04, k.read(0x64, 1) & 0x05, "system flag, empty");
        k.write(0x64, 1, 0xAA);
        assertEquals(0x01, k.read(0x64, 1) & 0x01);
        assertEquals(0x55, k.read(0x60, 1));
        k.write(0x64, 1, 0x20);
        int ccb = k.read(0x60, 1);
        k.write(0x64, 1, 0x60);
        k.write(0x60, 1, ccb | 0x10);
        k.write(0x64, 1, 0x20);
        assertEquals(ccb | 0x10, k.read(0x60, 1));
        assertEquals(0, resets.get());
        k.write(0x64, 1, 0xFE);
        assertEquals(1, resets.get());
        k.write(0x64, 1, 0xD1);
        k.write(0x60, 1, 0x02);     // output port bit 0 low: reset
        assertEquals(2, resets.get());
        assertEquals(2, k.resets());
    }
}
