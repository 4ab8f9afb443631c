package dev.zx4j.vmm;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * An IO-APIC (82093AA register model, version 0x20) with {@value #PINS} inputs at
 * {@value #BASE_HEX}: IOREGSEL at +0x00, IOWIN at +0x10, the EOI register at +0x40; indirect
 * registers ID (0x00), VER (0x01 = 0x00170020), ARB (0x02) and the redirection table (0x10 +
 * 2n, 0x11 + 2n).
 *
 * <p>Delivery: an unmasked input that goes high sends its entry's vector to the destination
 * through {@link Router} (which the VMM implements with {@code zx_vcpu_interrupt}). Physical
 * destination mode: bits 63:56 are an APIC ID, 0xFF all of them; logical mode: they are a
 * bitmask of APIC IDs (flat model). Fixed mode sends to every VCPU of the destination, lowest
 * priority to the lowest-numbered one (priorities are not visible to the VMM), NMI sends
 * vector 2; SMI, INIT and ExtINT entries deliver nothing.
 *
 * <p>As in Fuchsia's VMM every input behaves as edge-triggered: the local APIC lives in the
 * kernel and the VMM never sees its EOIs, so a level-triggered entry's remote IRR could never
 * be cleared (it reads 0). What remains of level semantics: an input that is still high when
 * its entry is unmasked delivers then. The polarity bit is stored but not applied: devices drive
 * their lines as asserted / not asserted.
 */
public final class IoApic {

    /** Guest-physical address of the IO-APIC's MMIO page. */
    public static final long BASE = 0xFEC0_0000L;
    static final String BASE_HEX = "0xFEC00000";
    /** Number of interrupt inputs (GSIs 0–23). */
    public static final int PINS = 24;
    static final int VERSION = ((PINS - 1) << 16) | 0x20;
    static final long MASKED = 1L << 16;

    /** Where interrupts go: the VMM's VCPUs. */
    public interface Router {
        /**
         * Sends {@code vector} to the VCPUs whose APIC IDs are set in {@code apicMask}.
         *
         * @param apicMask the destination VCPUs, one bit per APIC ID
         * @param vector the interrupt vector
         */
        void deliver(long apicMask, int vector);
    }

    private final Router router;
    private int select;
    private int id;
    private final long[] redirection = new long[PINS];
    private final boolean[] level = new boolean[PINS];
    private final AtomicLongArray delivered = new AtomicLongArray(PINS);

    /**
     * An IO-APIC with every input masked.
     *
     * @param id the IO-APIC's ID (the MADT's)
     * @param router where interrupts go
     */
    public IoApic(int id, Router router) {
        this.id = id;
        this.router = router;
        for (int i = 0; i < PINS; i++) {
            redirection[i] = MASKED;
        }
    }

    /**
     * The IRQ line of input {@code pin}.
     *
     * @param pin the input, 0 to {@value #PINS} − 1
     * @return the line that drives it
     */
    public IrqLine line(int pin) {
        if (pin < 0 || pin >= PINS) {
            throw new IllegalArgumentException("no IO-APIC input " + pin);
        }
        return high -> setLevel(pin, high);
    }

    /**
     * Interrupts delivered from input {@code pin} so far.
     *
     * @param pin the input
     * @return the count
     */
    public long delivered(int pin) {
        return delivered.get(pin);
    }

    /**
     * Drives input {@code pin}.
     *
     * @param pin the input
     * @param high the new level
     */
    public void setLevel(int pin, boolean high) {
        long entry;
        synchronized (this) {
            boolean rising = high && !level[pin];
            level[pin] = high;
            entry = redirection[pin];
            if (!rising || (entry & MASKED) != 0) {
                return;
            }
        }
        send(pin, entry);
    }

    private void send(int pin, long entry) {
        int vector = (int) (entry & 0xFF);
        int mode = (int) ((entry >>> 8) & 7);
        boolean logical = (entry & (1L << 11)) != 0;
        int dest = (int) (entry >>> 56);
        long mask;
        if (logical) {
            mask = dest;
        } else {
            mask = dest == 0xFF ? -1L : 1L << dest;
        }
        switch (mode) {
            case 0: // fixed
                break;
            case 1: // lowest priority: the lowest-numbered destination
                mask = Long.lowestOneBit(mask);
                break;
            case 4: // NMI
                vector = 2;
                break;
            default: // SMI, INIT, ExtINT, reserved
                return;
        }
        if (mode != 4 && vector < 16) {
            return; // an illegal vector: the APIC refuses it
        }
        delivered.incrementAndGet(pin);
        router.deliver(mask, vector);
    }

    /**
     * A read of {@code size} bytes at {@code offset} into the MMIO page.
     *
     * @param offset the byte offset in the page
     * @param size the access size in bytes
     * @return the value read
     */
    public synchronized int read(long offset, int size) {
        if (offset == 0x00) {
            return select;
        }
        if (offset == 0x10) {
            return readRegister(select);
        }
        return 0;
    }

    /**
     * A write at {@code offset} into the MMIO page.
     *
     * @param offset the byte offset in the page
     * @param size the access size in bytes
     * @param value the value written
     */
    public void write(long offset, int size, int value) {
        int pin = -1;
        long entry = 0;
        synchronized (this) {
            if (offset == 0x00) {
                select = value & 0xFF;
            } else if (offset == 0x10) {
                pin = writeRegister(select, value);
                if (pin >= 0) {
                    entry = redirection[pin];
                }
            }
            // 0x40 EOI: nothing to clear (see the class comment)
        }
        if (pin >= 0) {
            send(pin, entry);
        }
    }

    private int readRegister(int reg) {
        if (reg == 0x00) {
            return id << 24;
        }
        if (reg == 0x01) {
            return VERSION;
        }
        if (reg == 0x02) {
            return id << 24;
        }
        if (reg >= 0x10 && reg < 0x10 + 2 * PINS) {
            long e = redirection[(reg - 0x10) >> 1];
            return (int) ((reg & 1) == 0 ? e : e >>> 32);
        }
        return 0;
    }

    /** Returns the pin to deliver now (unmasked while its input is high), or -1. */
    private int writeRegister(int reg, int value) {
        if (reg == 0x00) {
            id = (value >>> 24) & 0x0F;
            return -1;
        }
        if (reg < 0x10 || reg >= 0x10 + 2 * PINS) {
            return -1; // VER and ARB are read-only
        }
        int pin = (reg - 0x10) >> 1;
        long old = redirection[pin];
        long e;
        if ((reg & 1) == 0) {
            // bits 12 (delivery status) and 14 (remote IRR) are read-only, and read 0 here
            e = (old & 0xFFFF_FFFF_0000_0000L) | (value & 0xFFFF_AFFFL);
        } else {
            e = (old & 0xFFFF_FFFFL) | ((long) (value & 0xFF00_0000) << 32 & 0xFF00_0000_0000_0000L);
        }
        redirection[pin] = e;
        boolean unmasked = (old & MASKED) != 0 && (e & MASKED) == 0;
        return unmasked && level[pin] ? pin : -1;
    }
}
