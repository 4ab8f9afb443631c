package dev.zx4j.vmm;

import java.nio.charset.StandardCharsets;

/**
 * The ACPI tables the VMM gives a guest, built as one block placed at {@value #BASE_HEX} (inside
 * the e820-reserved BIOS area, where a guest also finds the RSDP by scanning):
 *
 * <ul>
 *   <li><b>RSDP</b> (ACPI 2.0+ layout, revision 2) pointing at both the RSDT and the XSDT;</li>
 *   <li><b>RSDT / XSDT</b> listing the FADT and the MADT;</li>
 *   <li><b>FADT</b> (revision 6): the PM1a event block at {@value AcpiPm#PM1_EVT_HEX} (4 bytes),
 *       the PM1a control block at {@value AcpiPm#PM1_CNT_HEX} (2 bytes: S5 power-off with
 *       SLP_TYP {@value AcpiPm#SLP_TYP_S5}), the 24-bit PM timer at
 *       {@value AcpiPm#PM_TMR_HEX}, SCI on IRQ {@value #SCI_IRQ}, no SMI command port (the
 *       platform is always in ACPI mode), the reset register = IO port 0x64 value 0xFE (the
 *       i8042 reset line), the RTC century register 0x32, and IA-PC boot flags "legacy devices"
 *       and "no VGA" (no 8042 flag: there is no keyboard or mouse behind the controller), and the
 *       flag that forces physical APIC destination mode (the kernel's local APIC refuses
 *       logical-destination IPIs);</li>
 *   <li><b>DSDT</b>: only {@code \_S5} = {5, 5, 0, 0}, hand-assembled AML;</li>
 *   <li><b>MADT</b>: local APIC address 0xFEE00000, PCAT_COMPAT (the 8259 pair is present,
 *       masked), one enabled local APIC per VCPU (processor ID = APIC ID = i), one IO-APIC with
 *       ID = the VCPU count at {@value IoApic#BASE_HEX}, GSI base 0, the PC's interrupt source
 *       overrides (ISA IRQ 0 → GSI 2; IRQ 9, the SCI, level-triggered active-high) and the
 *       local APIC NMI on LINT1 of every processor.</li>
 * </ul>
 *
 * Table layouts and field offsets: ACPI 6.x specification, sections 5.2.5–5.2.12.
 */
public final class AcpiTables {

    /** Guest-physical address of the RSDP; the other tables follow it. */
    public static final long BASE = 0xE0000;
    static final String BASE_HEX = "0xE0000";
    /** ISA IRQ (and GSI) of the ACPI system control interrupt. */
    public static final int SCI_IRQ = 9;
    /** Guest-physical address of the local APICs, as the MADT reports it. */
    public static final long LOCAL_APIC_BASE = 0xFEE0_0000L;

    static final int RSDP_OFF = 0x00;
    static final int RSDT_OFF = 0x40;
    static final int XSDT_OFF = 0x80;
    static final int FADT_OFF = 0x100;
    static final int FADT_LEN = 276;
    static final int DSDT_OFF = 0x280;
    static final int MADT_OFF = 0x300;

    private AcpiTables() {}

    /**
     * The tables for a guest with {@code vcpus} processors, to be placed at {@link #BASE}.
     *
     * @param vcpus the number of processors listed in the MADT
     * @return the tables' bytes
     */
    public static byte[] build(int vcpus) {
        if (vcpus < 1 || vcpus > 64) {
            throw new IllegalArgumentException("vcpus must be 1..64, not " + vcpus);
        }
        int madtLen = 44 + 8 * vcpus + 12 + 10 * 2 + 6;
        byte[] t = new byte[MADT_OFF + madtLen];

        // RSDP
        ascii(t, RSDP_OFF, "RSD PTR ");
        ascii(t, RSDP_OFF + 9, "ZX4J  ");
        t[RSDP_OFF + 15] = 2;
        put32(t, RSDP_OFF + 16, BASE + RSDT_OFF);
        put32(t, RSDP_OFF + 20, 36);
        put64(t, RSDP_OFF + 24, BASE + XSDT_OFF);
        t[RSDP_OFF + 8] = checksum(t, RSDP_OFF, 20);
        t[RSDP_OFF + 32] = checksum(t, RSDP_OFF, 36);

        // RSDT and XSDT
        header(t, RSDT_OFF, "RSDT", 36 + 2 * 4, 1);
        put32(t, RSDT_OFF + 36, BASE + FADT_OFF);
        put32(t, RSDT_OFF + 40, BASE + MADT_OFF);
        finish(t, RSDT_OFF);
        header(t, XSDT_OFF, "XSDT", 36 + 2 * 8, 1);
        put64(t, XSDT_OFF + 36, BASE + FADT_OFF);
        put64(t, XSDT_OFF + 44, BASE + MADT_OFF);
        finish(t, XSDT_OFF);

        // FADT
        int f = FADT_OFF;
        header(t, f, "FACP", FADT_LEN, 6);
        put32(t, f + 40, BASE + DSDT_OFF);              // DSDT
        put16(t, f + 46, SCI_IRQ);                      // SCI_INT
        put32(t, f + 56, AcpiPm.PM1_EVT);               // PM1a_EVT_BLK
        put32(t, f + 64, AcpiPm.PM1_CNT);               // PM1a_CNT_BLK
        put32(t, f + 76, AcpiPm.PM_TMR);                // PM_TMR_BLK
        t[f + 88] = 4;                                  // PM1_EVT_LEN
        t[f + 89] = 2;                                  // PM1_CNT_LEN
        t[f + 91] = 4;                                  // PM_TMR_LEN
        put16(t, f + 96, 101);                          // P_LVL2_LAT > 100: no C2
        put16(t, f + 98, 1001);                         // P_LVL3_LAT > 1000: no C3
        t[f + 108] = CmosRtc.CENTURY;                   // CENTURY
        put16(t, f + 109, 0x0001 | 0x0004);             // IAPC_BOOT_ARCH: legacy devices, no VGA
        // Flags: WBINVD; PWR_BUTTON and SLP_BUTTON (no fixed-feature buttons); RESET_REG_SUP;
        // FORCE_APIC_PHYSICAL_DESTINATION_MODE, because the kernel's local APIC refuses
        // logical-destination IPIs (ZX_ERR_NOT_SUPPORTED), so the guest must use physical mode.
        put32(t, f + 112, (1 << 0) | (1 << 4) | (1 << 5) | (1 << 10) | (1 << 19));
        gas(t, f + 116, 1, 8, I8042.COMMAND_PORT);      // RESET_REG: system IO, 8 bits
        t[f + 128] = (byte) I8042.CMD_RESET;            // RESET_VALUE
        put64(t, f + 140, BASE + DSDT_OFF);             // X_DSDT
        gas(t, f + 148, 1, 32, AcpiPm.PM1_EVT);         // X_PM1a_EVT_BLK
        gas(t, f + 172, 1, 16, AcpiPm.PM1_CNT);         // X_PM1a_CNT_BLK
        gas(t, f + 208, 1, 32, AcpiPm.PM_TMR);          // X_PM_TMR_BLK
        finish(t, f);

        // DSDT: Name (_S5, Package (4) {5, 5, 0, 0})
        byte[] aml = {0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
            0x0A, AcpiPm.SLP_TYP_S5, 0x0A, AcpiPm.SLP_TYP_S5, 0x00, 0x00};
        header(t, DSDT_OFF, "DSDT", 36 + aml.length, 2);
        System.arraycopy(aml, 0, t, DSDT_OFF + 36, aml.length);
        finish(t, DSDT_OFF);

        // MADT
        int m = MADT_OFF;
        header(t, m, "APIC", madtLen, 4);
        put32(t, m + 36, LOCAL_APIC_BASE);
        put32(t, m + 40, 1);                            // PCAT_COMPAT
        int p = m + 44;
        for (int i = 0; i < vcpus; i++) {
            t[p] = 0;                                   // processor local APIC
            t[p + 1] = 8;
            t[p + 2] = (byte) i;
            t[p + 3] = (byte) i;
            put32(t, p + 4, 1);                         // enabled
            p += 8;
        }
        t[p] = 1;                                       // IO-APIC
        t[p + 1] = 12;
        t[p + 2] = (byte) vcpus;
        put32(t, p + 4, IoApic.BASE);
        put32(t, p + 8, 0);
        p += 12;
        p = override(t, p, 0, 2, 0);                    // ISA IRQ 0 → GSI 2, bus defaults
        p = override(t, p, SCI_IRQ, SCI_IRQ, 0x000D);   // SCI: active high, level
        t[p] = 4;                                       // local APIC NMI
        t[p + 1] = 6;
        t[p + 2] = (byte) 0xFF;                         // all processors
        put16(t, p + 3, 0);
        t[p + 5] = 1;                                   // LINT1
        finish(t, m);
        return t;
    }

    private static int override(byte[] t, int p, int source, int gsi, int flags) {
        t[p] = 2;
        t[p + 1] = 10;
        t[p + 2] = 0;                                   // ISA
        t[p + 3] = (byte) source;
        put32(t, p + 4, gsi);
        put16(t, p + 8, flags);
        return p + 10;
    }

    private static void header(byte[] t, int off, String sig, int len, int rev) {
        ascii(t, off, sig);
        put32(t, off + 4, len);
        t[off + 8] = (byte) rev;
        ascii(t, off + 10, "ZX4J  ");
        ascii(t, off + 16, "ZX4JVMM ");
        put32(t, off + 24, 1);                          // OEM revision
        ascii(t, off + 28, "ZX4J");                     // creator ID
        put32(t, off + 32, 1);                          // creator revision
    }

    private static void finish(byte[] t, int off) {
        int len = (int) get32(t, off + 4);
        t[off + 9] = 0;
        t[off + 9] = checksum(t, off, len);
    }

    /** Generic address structure: space, bit width, offset 0, access size (byte/word/dword). */
    private static void gas(byte[] t, int off, int space, int bits, long address) {
        t[off] = (byte) space;
        t[off + 1] = (byte) bits;
        t[off + 2] = 0;
        t[off + 3] = (byte) (bits == 8 ? 1 : bits == 16 ? 2 : 3);
        put64(t, off + 4, address);
    }

    /** The byte that makes {@code t[off, off+len)} sum to 0 (mod 256), given its current bytes. */
    static byte checksum(byte[] t, int off, int len) {
        int sum = 0;
        for (int i = 0; i < len; i++) {
            sum += t[off + i];
        }
        return (byte) -sum;
    }

    private static void ascii(byte[] t, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, t, off, b.length);
    }

    static void put16(byte[] b, int off, long v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    static void put32(byte[] b, int off, long v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    static void put64(byte[] b, int off, long v) {
        put32(b, off, v);
        put32(b, off + 4, v >>> 32);
    }

    static long get32(byte[] b, int off) {
        long v = 0;
        for (int i = 3; i >= 0; i--) {
            v = v << 8 | (b[off + i] & 0xFF);
        }
        return v;
    }
}
