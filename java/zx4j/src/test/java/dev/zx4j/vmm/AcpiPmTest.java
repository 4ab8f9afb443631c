package dev.zx4j.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The ACPI PM1 registers and PM timer. */
class AcpiPmTest {

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
}
