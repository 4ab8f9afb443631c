package dev.zx4j.vmm;

/**
 * One 8259A programmable interrupt controller (the PC has two: master at 0x20–0x21, slave at
 * 0xA0–0xA1). It is present so that a guest can find, initialise and mask it, but its INTR output
 * is not wired to the VCPUs: device interrupts reach the guest through the {@link IoApic} only,
 * so IRR and ISR stay 0 and the polled vector is "none".
 *
 * <p>Programming follows the Intel 8259A data sheet: a command-port write with bit 4 set is
 * ICW1 (clears IMR, selects IRR for reads, expects ICW2, ICW3 unless single mode, ICW4 if
 * bit 0); afterwards a data-port write is OCW1 (the IMR), command-port writes with bits 4:3 =
 * 00 are OCW2 (EOIs: nothing in service) and 01 are OCW3 (read IRR / ISR, poll). The IMR starts
 * as 0xFF, as firmware leaves it.
 */
public final class Pic8259 implements IoDevice {

    private final int base;
    private final String name;
    private int imr = 0xFF;
    private int vectorBase;
    private int icw3;
    /** Initialisation words still expected: 2, 3, 4, or 0 when ready. */
    private int expect;
    private boolean needIcw3;
    private boolean needIcw4;
    private boolean readIsr;
    private boolean poll;

    /**
     * A PIC in its power-on state, until the guest sends ICW1.
     *
     * @param base the first of its two I/O ports (0x20 for the master, 0xA0 for the slave)
     * @param name the device's name in summaries
     */
    public Pic8259(int base, String name) {
        this.base = base;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    /** {@return the interrupt mask register} */
    public synchronized int mask() {
        return imr;
    }

    /** {@return the vector base set by ICW2 (bits 7:3)} */
    public synchronized int vectorBase() {
        return vectorBase;
    }

    @Override
    public synchronized int read(int port, int size) {
        if (port == base + 1) {
            return imr;
        }
        if (poll) {
            poll = false;
            return 0; // bit 7 clear: no interrupt requested
        }
        return 0; // IRR or ISR: nothing is ever requested or in service
    }

    @Override
    public synchronized void write(int port, int size, int value) {
        value &= 0xFF;
        if (port == base) {
            if ((value & 0x10) != 0) { // ICW1
                imr = 0;
                readIsr = false;
                needIcw3 = (value & 0x02) == 0;
                needIcw4 = (value & 0x01) != 0;
                expect = 2;
            } else if ((value & 0x18) == 0x08) { // OCW3
                if ((value & 0x02) != 0) {
                    readIsr = (value & 0x01) != 0;
                }
                poll = (value & 0x04) != 0;
            }
            // OCW2: EOI / rotation commands; nothing is in service
            return;
        }
        switch (expect) {
            case 2:
                vectorBase = value & 0xF8;
                expect = needIcw3 ? 3 : needIcw4 ? 4 : 0;
                break;
            case 3:
                icw3 = value;
                expect = needIcw4 ? 4 : 0;
                break;
            case 4:
                expect = 0; // ICW4: 8086 mode, AEOI, buffering: nothing to model
                break;
            default:
                imr = value; // OCW1
        }
    }

    /** Whether the register read from the command port is ISR (else IRR). */
    synchronized boolean readsIsr() {
        return readIsr;
    }

    /** ICW3 as last written (cascade wiring). */
    synchronized int cascade() {
        return icw3;
    }
}
