package dev.zx4j.vmm;

import static dev.zx4j.vmm.TestImages.get;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The zero page, e820 map, placements and entry of the 64-bit boot protocol. */
class LinuxBootTest {

    static final long MEM = 256L << 20;

    private static LinuxBoot.Placement find(LinuxBoot.Plan p, String what) {
        return p.placements().stream().filter(x -> x.what().equals(what)).findFirst()
                .orElseThrow();
    }

    @Test
    void zeroPageFollowsTheBootProtocol() throws Exception {
        byte[] file = TestImages.bzImage(0x020F, 27, 8192);
        byte[] initrd = new byte[100_000];
        LinuxBoot.Plan p = LinuxBoot.plan(BzImage.parse(file), initrd, "console=ttyS0", MEM,
                AcpiTables.build(2), List.of());
        byte[] zp = find(p, "zero page").data();
        assertEquals(LinuxBoot.ZERO_PAGE, find(p, "zero page").address());
        assertEquals(4096, zp.length);
        // setup header copied to 0x1F1, everything before it zero (screen_info, sentinel...)
        assertArrayEquals(Arrays.copyOfRange(file, 0x1F1, 0x210),
                Arrays.copyOfRange(zp, 0x1F1, 0x210));
        for (int i = 0; i < 0x1E8; i++) {
            if (i < 0x070 || i >= 0x078) {
                assertEquals(0, zp[i], "byte " + Integer.toHexString(i));
            }
        }
        assertEquals(0xFF, zp[0x210] & 0xFF, "type_of_loader");
        assertEquals(LinuxBoot.CMDLINE, get(zp, 0x228, 4), "cmd_line_ptr");
        assertEquals(0, get(zp, 0x0C8, 4), "ext_cmd_line_ptr");
        assertEquals(p.initrdAddress(), get(zp, 0x218, 4), "ramdisk_image");
        assertEquals(initrd.length, get(zp, 0x21C, 4), "ramdisk_size");
        assertEquals(AcpiTables.BASE, get(zp, 0x070, 8), "acpi_rsdp_addr");
        // the initrd is page-aligned at the top of RAM
        assertEquals(0, p.initrdAddress() % 4096);
        assertTrue(p.initrdAddress() + initrd.length <= MEM);
        assertTrue(p.initrdAddress() + initrd.length > MEM - 4096);
        // kernel at pref_address, entry at +0x200
        assertEquals(0x100_0000, p.kernelAddress());
        assertEquals(0x100_0200, p.entry());
        assertEquals(0x100_0000, find(p, "kernel").address());
        // command line, NUL-terminated
        byte[] cmd = find(p, "command line").data();
        assertEquals("console=ttyS0\0", new String(cmd, StandardCharsets.US_ASCII));
    }

    @Test
    void e820MapsLowAndHighRamAroundTheBiosArea() throws Exception {
        LinuxBoot.Plan p = LinuxBoot.plan(BzImage.parse(TestImages.bzImage(0x020F, 4, 4096)),
                null, "", MEM, AcpiTables.build(1),
                List.of(new LinuxBoot.E820Entry(IoApic.BASE, 0x1000, LinuxBoot.E820_RESERVED)));
        byte[] zp = find(p, "zero page").data();
        assertEquals(4, zp[0x1E8]);
        long[][] want = {{0, 0x9FC00, 1}, {0x9FC00, 0x60400, 2}, {0x100000, MEM - 0x100000, 1},
            {IoApic.BASE, 0x1000, 2}};
        for (int i = 0; i < want.length; i++) {
            int off = 0x2D0 + 20 * i;
            assertEquals(want[i][0], get(zp, off, 8), "entry " + i + " address");
            assertEquals(want[i][1], get(zp, off + 8, 8), "entry " + i + " size");
            assertEquals(want[i][2], get(zp, off + 16, 4), "entry " + i + " type");
        }
        assertEquals(0, get(zp, 0x218, 4), "no initrd");
    }

    @Test
    void identityPageTablesMapFourGiB() {
        byte[] t = LinuxBoot.identityPageTables();
        assertEquals(0x1003, get(t, 0, 8));
        for (int i = 0; i < 4; i++) {
            assertEquals(((long) i << 30) | 0x83, get(t, 0x1000 + 8 * i, 8));
        }
    }

    @Test
    void refusesWhatDoesNotFit() throws Exception {
        BzImage img = BzImage.parse(TestImages.bzImage(0x020F, 4, 4096));
        assertThrows(LinuxBoot.DoesNotFitException.class, () -> LinuxBoot.plan(img, null, "",
                32L << 20, AcpiTables.build(1), List.of()));
        assertThrows(LinuxBoot.DoesNotFitException.class, () -> LinuxBoot.plan(img,
                new byte[(int) (MEM - (40L << 20))], "", MEM, AcpiTables.build(1), List.of()));
        assertThrows(IllegalArgumentException.class, () -> LinuxBoot.plan(img, null,
                "x".repeat(0x800), MEM, AcpiTables.build(1), List.of()));
    }
}
