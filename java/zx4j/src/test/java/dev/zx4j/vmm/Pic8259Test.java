package dev.zx4j.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The 8259A: initialisation words, mask register, OCW3 (Intel 8259A data sheet). */
class Pic8259Test {

    @Test
    void pic8259InitialisesAndMasks() {
        Pic8259 pic = new Pic8259(0x20, "pic");
        assertEquals(0xFF, pic.read(0x21, 1), "masked as firmware leaves it");
        pic.write(0x20, 1, 0x11);   // ICW1: edge, cascade, ICW4
        assertEquals(0x00, pic.read(0x21, 1), "ICW1 clears the IMR");
        pic.write(0x21, 1, 0x30);   // ICW2
        pic.write(0x21, 1, 0x04);   // ICW3
        pic.write(0x21, 1, 0x01);   // ICW4
        assertEquals(0x30, pic.vectorBase());
        assertEquals(0x04, pic.cascade());
        pic.write(0x21, 1, 0xFB);   // OCW1
        assertEquals(0xFB, pic.read(0x21, 1));
        pic.write(0x20, 1, 0x0B);   // OCW3: read ISR
        assertEquals(true, pic.readsIsr());
        assertEquals(0, pic.read(0x20, 1));
        pic.write(0x20, 1, 0x20);   // OCW2: EOI
        assertEquals(0xFB, pic.mask());
    }
}
