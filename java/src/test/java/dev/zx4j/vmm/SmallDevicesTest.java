package dev.zx4j.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The 8259 pair, the i8042, the ACPI PM registers, the PCI host and the IO bus. */
class SmallDevicesTest {

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

    @Test
    void acpiPmPowersOffOnS5AndCountsTime() {
        AtomicLong now = new AtomicLong(5_000_000_000L);
        List<Integer> sleeps = new ArrayList<>();
        AcpiPm pm = new AcpiPm(now::get, sleeps::add);
        assertEquals(1, pm.read(AcpiPm.PM1_CNT, 2) & 1, "SCI_EN: always ACPI mode");
        pm.write(AcpiPm.PM1_EVT + 2, 2, 0x0100);
        assertEquals(0x0100, pm.read(AcpiPm.PM1_EVT + 2, 2));
        now.addAndGet(1_000_000_000L);
        assertEquals(AcpiPm.TIMER_HZ & 0xFFFFFF, pm.read(AcpiPm.PM_TMR, 4));
        pm.write(AcpiPm.PM1_CNT, 2, 5 << 10);
        assertEquals(List.of(), sleeps, "SLP_TYP without SLP_EN does nothing");
        pm.write(AcpiPm.PM1_CNT, 2, (5 << 10) | 0x2000);
        assertEquals(List.of(5), sleeps);
        assertEquals(0, pm.read(AcpiPm.PM1_CNT, 2) & 0x2000, "SLP_EN reads 0");
    }

    @Test
    void pciHostBridgeAloneOnBusZero() {
        PciHost pci = new PciHost();
        pci.write(0xCF8, 4, 0x8000_0000);
        assertEquals(0x29C0_8086, pci.read(0xCFC, 4));
        pci.write(0xCF8, 4, 0x8000_0008);
        assertEquals(0x0600_0000, pci.read(0xCFC, 4) & 0xFFFF_FF00);
        assertEquals(0x0600, pci.read(0xCFE, 2), "class and subclass at +0xA");
        pci.write(0xCF8, 4, 0x8000_0800);   // device 1
        assertEquals(-1, pci.read(0xCFC, 4));
        pci.write(0xCF8, 4, 0x0000_0000);   // disabled
        assertEquals(-1, pci.read(0xCFC, 4));
        // the type-1 probe: byte writes to 0xCFB do not reach the address register
        pci.write(0xCF8, 4, 0x8000_0000);
        pci.write(0xCFB, 1, 0x01);
        assertEquals(0x8000_0000, pci.read(0xCF8, 4));
        pci.write(0xCF8, 4, 0x8000_0004);
        pci.write(0xCFC, 2, 0xFFFF);
        assertEquals(0x0006, pci.read(0xCFC, 2), "command: only memory and bus master");
    }

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
