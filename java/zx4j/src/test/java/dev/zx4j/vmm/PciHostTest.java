package dev.zx4j.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** PCI configuration mechanism #1 with only the host bridge. */
class PciHostTest {

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
}
