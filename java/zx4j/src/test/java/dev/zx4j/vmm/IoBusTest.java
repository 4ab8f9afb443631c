package dev.zx4j.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The IO port space: claims and the floating bus. */
class IoBusTest {

    @Test
    void ioBusFloatsUnclaimedPorts() {
        IoBus bus = new IoBus();
        Pic8259 pic = new Pic8259(0x20, "pic");
        bus.claim(0x20, 2, pic);
        assertEquals(0xFF, bus.read(0x80, 1));
        assertEquals(0xFFFF, bus.read(0x80, 2));
        assertEquals(-1, bus.read(0x80, 4));
        bus.write(0x80, 1, 0);
        assertEquals(3L, bus.unclaimedAccesses().get(0x80) - 1);
        assertEquals(0xFF, bus.read(0x21, 1));
        assertEquals(1L, bus.accessesByDevice().get("pic"));
        assertThrows(IllegalArgumentException.class, () -> bus.claim(0x21, 1, pic));
    }
}
