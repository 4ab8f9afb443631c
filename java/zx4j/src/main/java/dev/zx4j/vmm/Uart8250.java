package dev.zx4j.vmm;

import java.util.ArrayDeque;
import java.util.function.IntConsumer;

/**
 * A 16550A UART (the PC's COM ports, Linux's {@code ttyS}) with transmit, receive, the 16-byte
 * FIFOs, interrupts, the divisor latch, the scratch register and loopback.
 *
 * <p>Register behaviour follows the TI/National PC16550D data sheet: IIR reports the highest
 * pending source (receiver line status 0x06, received data 0x04, transmitter empty 0x02, modem
 * status 0x00; 0x01 = none; bits 7:6 set while the FIFOs are enabled); reading IIR while it
 * reports "transmitter empty" clears that source, writing THR clears it; LSR, MSR reads clear
 * their error and delta bits. The interrupt output is the PC's: the pending condition gated by
 * MCR.OUT2.
 *
 * <p>Transmission is instantaneous: each byte written to THR goes to the {@code output} consumer
 * at once and THR is empty again (THRE and TEMT stay set). Received bytes come from the host
 * ({@link #receive}) through a host-side queue into the 16-byte receive FIFO; the host side
 * honours flow control and moves bytes into the FIFO only while the guest asserts RTS (MCR bit
 * 1), as a terminal with hardware flow control would, so nothing typed ahead is lost before the
 * guest opens the port. In loopback mode (MCR bit 4) transmitted bytes go to the receive FIFO
 * instead and MSR's upper bits mirror MCR.
 */
public final class Uart8250 implements IoDevice {

    static final int RBR_THR = 0;
    static final int IER = 1;
    static final int IIR_FCR = 2;
    static final int LCR = 3;
    static final int MCR = 4;
    static final int LSR = 5;
    static final int MSR = 6;
    static final int SCR = 7;

    static final int IER_RDI = 0x01;
    static final int IER_THRI = 0x02;
    static final int IER_RLSI = 0x04;
    static final int IER_MSI = 0x08;
    static final int IIR_NONE = 0x01;
    static final int LCR_DLAB = 0x80;
    static final int MCR_DTR = 0x01;
    static final int MCR_RTS = 0x02;
    static final int MCR_OUT2 = 0x08;
    static final int MCR_LOOP = 0x10;
    static final int LSR_DR = 0x01;
    static final int LSR_OE = 0x02;
    static final int LSR_THRE = 0x20;
    static final int LSR_TEMT = 0x40;
    static final int FIFO_SIZE = 16;

    private final int base;
    private final String name;
    private final IntConsumer output;
    private final IrqLine irq;

    private final ArrayDeque<Integer> rxFifo = new ArrayDeque<>();
    private final ArrayDeque<Integer> hostInput = new ArrayDeque<>();
    private int ier;
    private int lcr;
    private int mcr;
    private int scr;
    private int dll = 12; // 9600 baud until the guest programs it
    private int dlm;
    private boolean fifos;
    private boolean overrun;
    private boolean thrInterrupt;
    private int msrDelta;
    private boolean irqLevel;
    private long transmitted;
    private long received;

    /**
     * A UART with empty FIFOs and interrupts disabled.
     *
     * @param base   the first of the 8 ports (0x3F8 for COM1)
     * @param output receives each transmitted byte (0–255)
     * @param irq    the interrupt output (IRQ 4 for COM1)
     * @param name the device's name in summaries
     */
    public Uart8250(int base, String name, IntConsumer output, IrqLine irq) {
        this.base = base;
        this.name = name;
        this.output = output;
        this.irq = irq;
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Queues bytes typed on the host for the guest to receive. Any thread.
     *
     * @param bytes the bytes
     */
    public void receive(byte[] bytes) {
        synchronized (this) {
            for (byte b : bytes) {
                hostInput.add(b & 0xFF);
            }
            refill();
        }
        updateIrq();
    }

    /** {@return bytes still waiting on the host side (not yet in the receive FIFO)} */
    public synchronized int pendingInput() {
        return hostInput.size();
    }

    /** {@return bytes transmitted by the guest so far} */
    public synchronized long transmitted() {
        return transmitted;
    }

    /** {@return bytes the guest read from the receive buffer so far} */
    public synchronized long received() {
        return received;
    }

    @Override
    public int read(int port, int size) {
        int v;
        synchronized (this) {
            v = readRegister(port - base);
        }
        updateIrq();
        return v;
    }

    @Override
    public void write(int port, int size, int value) {
        int tx = -1;
        synchronized (this) {
            tx = writeRegister(port - base, value & 0xFF);
        }
        if (tx >= 0) {
            output.accept(tx);
        }
        updateIrq();
    }

    private int readRegister(int reg) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch (reg) {
            case RBR_THR:
                if (dlab) {
                    return dll;
                }
                Integer b = rxFifo.poll();
                if (b == null) {
                    return 0;
                }
                received++;
                refill();
                return b;
            case IER:
                return dlab ? dlm : ier;
            case IIR_FCR: {
                int iir = pendingSource();
                if (iir == 0x02) {
                    thrInterrupt = false;
                }
                return iir | (fifos ? 0xC0 : 0);
            }
            case LCR:
                return lcr;
            case MCR:
                return mcr;
            case LSR: {
                int lsr = LSR_THRE | LSR_TEMT | (rxFifo.isEmpty() ? 0 : LSR_DR)
                        | (overrun ? LSR_OE : 0);
                overrun = false;
                return lsr;
            }
            case MSR: {
                int msr = modemStatus() | msrDelta;
                msrDelta = 0;
                return msr;
            }
            default:
                return scr;
        }
    }

    /** Returns the byte to transmit, or -1. */
    private int writeRegister(int reg, int v) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch (reg) {
            case RBR_THR:
                if (dlab) {
                    dll = v;
                    return -1;
                }
                transmitted++;
                thrInterrupt = true; // emptied again at once
                if ((mcr & MCR_LOOP) != 0) {
                    pushRx(v);
                    return -1;
                }
                return v;
            case IER:
                if (dlab) {
                    dlm = v;
                } else {
                    if ((v & IER_THRI) != 0 && (ier & IER_THRI) == 0) {
                        thrInterrupt = true; // THR is empty: enabling the source raises it
                    }
                    ier = v & 0x0F;
                }
                return -1;
            case IIR_FCR:
                fifos = (v & 0x01) != 0;
                if ((v & 0x02) != 0 || !fifos) {
                    rxFifo.clear();
                }
                refill();
                return -1;
            case LCR:
                lcr = v;
                return -1;
            case MCR: {
                int before = modemStatus();
                mcr = v & 0x1F;
                int after = modemStatus();
                // delta bits: CTS, DSR changed; RI trailing edge; DCD changed
                int changed = (before ^ after) >> 4;
                msrDelta |= changed & 0x0B;
                if ((before & 0x40) != 0 && (after & 0x40) == 0) {
                    msrDelta |= 0x04;
                }
                refill();
                return -1;
            }
            case SCR:
                scr = v;
                return -1;
            default:
                return -1; // LSR and MSR are read-only
        }
    }

    /** MSR bits 7:4: in loopback they mirror OUT2, OUT1, DTR, RTS; else CTS, DSR, DCD set. */
    private int modemStatus() {
        if ((mcr & MCR_LOOP) != 0) {
            return ((mcr & MCR_RTS) != 0 ? 0x10 : 0) | ((mcr & MCR_DTR) != 0 ? 0x20 : 0)
                    | ((mcr & 0x04) != 0 ? 0x40 : 0) | ((mcr & MCR_OUT2) != 0 ? 0x80 : 0);
        }
        return 0x10 | 0x20 | 0x80;
    }

    private void pushRx(int b) {
        if (rxFifo.size() >= (fifos ? FIFO_SIZE : 1)) {
            overrun = true;
            return;
        }
        rxFifo.add(b);
    }

    /** Moves host bytes into the FIFO while the guest asserts RTS (and not in loopback). */
    private void refill() {
        if ((mcr & MCR_RTS) == 0 || (mcr & MCR_LOOP) != 0) {
            return;
        }
        int cap = fifos ? FIFO_SIZE : 1;
        while (rxFifo.size() < cap && !hostInput.isEmpty()) {
            rxFifo.add(hostInput.poll());
        }
    }

    /** The IIR identification of the highest-priority pending interrupt. */
    private int pendingSource() {
        if ((ier & IER_RLSI) != 0 && overrun) {
            return 0x06;
        }
        if ((ier & IER_RDI) != 0 && !rxFifo.isEmpty()) {
            return 0x04;
        }
        if ((ier & IER_THRI) != 0 && thrInterrupt) {
            return 0x02;
        }
        if ((ier & IER_MSI) != 0 && msrDelta != 0) {
            return 0x00;
        }
        return IIR_NONE;
    }

    /** Drives the output line; under the lock, so level changes reach the line in order. */
    private synchronized void updateIrq() {
        boolean level = (mcr & MCR_OUT2) != 0 && pendingSource() != IIR_NONE;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }
}
