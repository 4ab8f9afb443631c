package dev.zx4j.vmm;

import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * The ACPI fixed-hardware registers the FADT points at (ACPI 6.x §4.8): the PM1a event block
 * at {@value #PM1_EVT_HEX} (PM1_STS at +0, PM1_EN at +2), the PM1a control block at
 * {@value #PM1_CNT_HEX} and the 24-bit power-management timer at {@value #PM_TMR_HEX}, counting
 * at {@value #TIMER_HZ} Hz of host time.
 *
 * <p>PM1_STS bits are write-1-to-clear and nothing sets them (no fixed events: no power button,
 * no timer overflow interrupt). PM1_CNT reads with SCI_EN set — the platform has no SMI command
 * port and is always in ACPI mode. Writing PM1_CNT with SLP_EN (bit 13) set enters the sleep
 * state SLP_TYP (bits 12:10): {@value #SLP_TYP_S5} (the DSDT's {@code \_S5}) powers the machine
 * off through the {@code sleep} callback; other types are passed to it too, and the VMM treats
 * them as unsupported (it has no S1–S4).
 */
public final class AcpiPm implements IoDevice {

    /** First I/O port of the PM1 event block (status, then enable; 2 bytes each). */
    public static final int PM1_EVT = 0x600;
    static final String PM1_EVT_HEX = "0x600";
    /** I/O port of the PM1 control register (SCI_EN, SLP_TYP, SLP_EN). */
    public static final int PM1_CNT = 0x604;
    static final String PM1_CNT_HEX = "0x604";
    /** I/O port of the 24-bit ACPI power-management timer. */
    public static final int PM_TMR = 0x608;
    static final String PM_TMR_HEX = "0x608";
    /** The SLP_TYP value of the S5 (soft-off) state, as the DSDT's {@code \_S5} declares it. */
    public static final byte SLP_TYP_S5 = 5;
    /** Frequency of the power-management timer in Hz (3.579545 MHz). */
    public static final long TIMER_HZ = 3_579_545;
    static final int SCI_EN = 0x0001;
    static final int SLP_EN = 0x2000;

    private final LongSupplier nanoClock;
    private final IntConsumer sleep;
    private final long epoch;
    private int status;
    private int enable;
    private int control = SCI_EN;

    /**
     * The PM registers, with the timer counting from now.
     *
     * @param nanoClock host time in ns
     * @param sleep     called with SLP_TYP when the guest sets SLP_EN
     */
    public AcpiPm(LongSupplier nanoClock, IntConsumer sleep) {
        this.nanoClock = nanoClock;
        this.sleep = sleep;
        this.epoch = nanoClock.getAsLong();
    }

    @Override
    public String name() {
        return "acpi-pm";
    }

    /**
     * The ports: event block (4), control block (2), timer (4), from {@link #PM1_EVT}.
     *
     * @return the number of ports from {@link #PM1_EVT}
     */
    public static int portCount() {
        return PM_TMR + 4 - PM1_EVT;
    }

    @Override
    public int read(int port, int size) {
        int off = port - PM1_EVT;
        synchronized (this) {
            if (off >= PM_TMR - PM1_EVT) {
                long d = nanoClock.getAsLong() - epoch;
                long ticks = d / 1_000_000_000L * TIMER_HZ + d % 1_000_000_000L * TIMER_HZ
                        / 1_000_000_000L;
                int v = (int) (ticks & 0xFF_FFFF);
                return (v >>> (8 * (port - PM_TMR))) & IoBus.mask(size);
            }
            long regs = (status & 0xFFFFL) | (long) (enable & 0xFFFF) << 16
                    | (long) (control & 0xFFFF) << 32;
            return (int) (regs >>> (8 * off)) & IoBus.mask(size);
        }
    }

    @Override
    public void write(int port, int size, int value) {
        int off = port - PM1_EVT;
        int sleepType = -1;
        synchronized (this) {
            for (int i = 0; i < size; i++) {
                int b = (value >>> (8 * i)) & 0xFF;
                int at = off + i;
                if (at < 2) {
                    status &= ~(b << (8 * at));
                } else if (at < 4) {
                    enable = (enable & ~(0xFF << (8 * (at - 2)))) | b << (8 * (at - 2));
                } else if (at < 6) {
                    int shift = 8 * (at - 4);
                    control = (control & ~(0xFF << shift)) | b << shift;
                }
                // the timer is read-only
            }
            if ((control & SLP_EN) != 0) {
                sleepType = (control >> 10) & 7;
                control &= ~SLP_EN; // SLP_EN is write-only and reads 0
            }
            control |= SCI_EN;
        }
        if (sleepType >= 0) {
            sleep.accept(sleepType);
        }
    }
}
