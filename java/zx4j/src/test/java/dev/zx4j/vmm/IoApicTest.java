package dev.zx4j.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IoApicTest {

    record Sent(long mask, int vector) {}

    final List<Sent> sent = new ArrayList<>();
    final IoApic a = new IoApic(2, (m, v) -> sent.add(new Sent(m, v)));

    int reg(int r) {
        a.write(0x00, 4, r);
        return a.read(0x10, 4);
    }

    void set(int r, int v) {
        a.write(0x00, 4, r);
        a.write(0x10, 4, v);
    }

    @Test
    void identifiesItself() {
        assertEquals(2 << 24, reg(0));
        assertEquals(0x00170020, reg(1));
        set(1, 0);
        assertEquals(0x00170020, reg(1), "VER is read-only");
        assertEquals(0x10000, reg(0x10), "entries start masked");
    }

    @Test
    void deliversEdgesOfUnmaskedInputsToTheirDestination() {
        set(0x10 + 2 * 4, 0x31);           // pin 4: vector 0x31, fixed, physical, unmasked
        set(0x11 + 2 * 4, 1 << 24);        // to APIC ID 1
        assertEquals(0x31, reg(0x18));
        assertEquals(1 << 24, reg(0x19));
        IrqLine line = a.line(4);
        line.set(true);
        line.set(true);                    // no new edge
        line.set(false);
        line.pulse();
        assertEquals(List.of(new Sent(2, 0x31), new Sent(2, 0x31)), sent);
        assertEquals(2, a.delivered(4));
    }

    @Test
    void maskedInputsDeliverWhenUnmaskedWhileStillHigh() {
        set(0x10 + 2 * 2, 0x10030);        // pin 2 masked
        a.line(2).set(true);
        assertEquals(List.of(), sent);
        set(0x10 + 2 * 2, 0x0030);         // unmask: still asserted
        assertEquals(List.of(new Sent(1, 0x30)), sent);
        a.line(2).set(false);
        set(0x10 + 2 * 2, 0x10030);
        set(0x10 + 2 * 2, 0x0030);         // unmask while low: nothing
        assertEquals(1, sent.size());
    }

    @Test
    void destinationModesAndNmi() {
        set(0x10, 0x0840);                 // logical
        set(0x11, 0x06 << 24);
        a.line(0).pulse();
        set(0x10, 0x0141);                 // lowest priority, physical broadcast
        set(0x11, 0xFF << 24);
        a.line(0).pulse();
        set(0x10, 0x0400);                 // NMI
        set(0x11, 0);
        a.line(0).pulse();
        set(0x10, 0x0700);                 // ExtINT: nothing
        a.line(0).pulse();
        assertEquals(List.of(new Sent(6, 0x40), new Sent(1, 0x41), new Sent(1, 2)), sent);
    }
}
