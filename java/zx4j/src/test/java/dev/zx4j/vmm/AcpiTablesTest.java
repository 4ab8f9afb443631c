package dev.zx4j.vmm;

import static dev.zx4j.vmm.TestImages.get;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Layout and checksums of the tables, read the way an OS's ACPI code walks them. */
class AcpiTablesTest {

    private static int at(long physical) {
        return (int) (physical - AcpiTables.BASE);
    }

    private static String sig(byte[] t, int off) {
        return new String(t, off, 4, StandardCharsets.US_ASCII);
    }

    private static int sum(byte[] t, int off, int len) {
        int s = 0;
        for (int i = 0; i < len; i++) {
            s += t[off + i];
        }
        return s & 0xFF;
    }

    @Test
    void rsdpPointsAtXsdtAndEveryTableChecksums() {
        byte[] t = AcpiTables.build(3);
        assertEquals("RSD PTR ", new String(t, 0, 8, StandardCharsets.US_ASCII));
        assertEquals(0, sum(t, 0, 20));
        assertEquals(0, sum(t, 0, 36));
        assertEquals(2, t[15]);
        int rsdt = at(get(t, 16, 4));
        int xsdt = at(get(t, 24, 8));
        assertEquals("RSDT", sig(t, rsdt));
        assertEquals("XSDT", sig(t, xsdt));
        int n = (int) (get(t, xsdt + 4, 4) - 36) / 8;
        assertEquals(2, n);
        String[] found = new String[n];
        for (int i = 0; i < n; i++) {
            int table = at(get(t, xsdt + 36 + 8 * i, 8));
            found[i] = sig(t, table);
            assertEquals(0, sum(t, table, (int) get(t, table + 4, 4)), found[i] + " checksum");
            assertEquals(get(t, xsdt + 36 + 8 * i, 8), get(t, rsdt + 36 + 4 * i, 4));
        }
        assertArrayEquals(new String[] {"FACP", "APIC"}, found);
        assertEquals(0, sum(t, xsdt, (int) get(t, xsdt + 4, 4)));
        assertEquals(0, sum(t, rsdt, (int) get(t, rsdt + 4, 4)));
    }

    @Test
    void fadtDescribesThePmBlocksResetAndDsdt() {
        byte[] t = AcpiTables.build(1);
        int f = at(get(t, 24 + 12, 8)) == 0 ? 0 : AcpiTables.FADT_OFF;
        assertEquals("FACP", sig(t, f));
        assertEquals(276, get(t, f + 4, 4));
        assertEquals(6, t[f + 8]);
        assertEquals(AcpiTables.SCI_IRQ, get(t, f + 46, 2));
        assertEquals(0, get(t, f + 48, 4), "no SMI_CMD: always ACPI mode");
        assertEquals(AcpiPm.PM1_EVT, get(t, f + 56, 4));
        assertEquals(AcpiPm.PM1_CNT, get(t, f + 64, 4));
        assertEquals(AcpiPm.PM_TMR, get(t, f + 76, 4));
        assertEquals(4, t[f + 88]);
        assertEquals(2, t[f + 89]);
        assertEquals(4, t[f + 91]);
        assertEquals(0x32, t[f + 108], "RTC century register");
        assertEquals(1 << 10, get(t, f + 112, 4) & (1 << 10), "RESET_REG_SUP");
        assertEquals(1 << 19, get(t, f + 112, 4) & (1 << 19), "physical APIC destinations");
        assertEquals(1, t[f + 116], "reset register in system IO");
        assertEquals(0x64, get(t, f + 120, 8));
        assertEquals(0xFE, t[f + 128] & 0xFF);
        int dsdt = at(get(t, f + 140, 8));
        assertEquals(get(t, f + 40, 4), get(t, f + 140, 8));
        assertEquals("DSDT", sig(t, dsdt));
        int len = (int) get(t, dsdt + 4, 4);
        assertEquals(0, sum(t, dsdt, len));
        // Name(_S5_, Package(4){5, 5, 0, 0})
        byte[] aml = Arrays.copyOfRange(t, dsdt + 36, dsdt + len);
        assertArrayEquals(new byte[] {0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0A, 5, 0x0A,
            5, 0, 0}, aml);
    }

    @Test
    void madtHasALocalApicPerVcpuAndOneIoApic() {
        for (int vcpus : new int[] {1, 2, 8}) {
            byte[] t = AcpiTables.build(vcpus);
            int m = AcpiTables.MADT_OFF;
            assertEquals("APIC", sig(t, m));
            assertEquals(0xFEE00000L, get(t, m + 36, 4));
            assertEquals(1, get(t, m + 40, 4), "PCAT_COMPAT");
            int end = m + (int) get(t, m + 4, 4);
            int lapics = 0;
            int ioapics = 0;
            int overrides = 0;
            for (int p = m + 44; p < end; p += t[p + 1]) {
                switch (t[p]) {
                    case 0 -> {
                        assertEquals(lapics, t[p + 2], "processor id");
                        assertEquals(lapics, t[p + 3], "apic id");
                        assertEquals(1, get(t, p + 4, 4), "enabled");
                        lapics++;
                    }
                    case 1 -> {
                        assertEquals(vcpus, t[p + 2], "IO-APIC id after the CPUs'");
                        assertEquals(IoApic.BASE, get(t, p + 4, 4));
                        assertEquals(0, get(t, p + 8, 4), "GSI base");
                        ioapics++;
                    }
                    case 2 -> overrides++;
                    case 4 -> assertEquals(1, t[p + 5], "NMI on LINT1");
                    default -> throw new AssertionError("entry type " + t[p]);
                }
            }
            assertEquals(vcpus, lapics);
            assertEquals(1, ioapics);
            assertEquals(2, overrides);
        }
    }
}
