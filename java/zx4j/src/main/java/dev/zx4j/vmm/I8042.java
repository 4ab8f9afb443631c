package dev.zx4j.vmm;

import java.util.ArrayDeque;

/**
 * The 8042 keyboard controller (data port 0x60, status/command port {@value #COMMAND_PORT}),
 * with no keyboard or mouse behind it: kept for its system functions — the CPU reset line
 * (command {@value #CMD_RESET_HEX}, or output-port bit 0 cleared through command 0xD1) and the
 * controller's own commands, which firmware and kernels use to find it.
 *
 * <p>Commands (IBM PC/AT technical reference): 0x20 read / 0x60 write the command byte, 0xA7 /
 * 0xA8 disable / enable the aux port, 0xA9 and 0xAB port tests (0x00 = passed), 0xAA
 * self-test (0x55), 0xAD / 0xAE disable / enable the keyboard, 0xD0 read / 0xD1 write the output
 * port, 0xF0–0xFF pulse output lines (bit 0 low = reset). Status: bit 0 output buffer full,
 * bit 2 system flag (set after the self-test passed, as firmware leaves it), bit 3 the last
 * write went to the command port. Bytes written to the data port for a device are dropped (no
 * device answers).
 */
public final class I8042 implements IoDevice {

    /** I/O port of the controller's data register. */
    public static final int DATA_PORT = 0x60;
    /** I/O port of the controller's command (write) and status (read) register. */
    public static final int COMMAND_PORT = 0x64;
    /** Controller command that pulses the CPU reset line (how Linux reboots). */
    public static final int CMD_RESET = 0xFE;
    static final String CMD_RESET_HEX = "0xFE";

    private final Runnable reset;
    private final ArrayDeque<Integer> output = new ArrayDeque<>();
    private int commandByte = 0x45; // translation, system flag, keyboard interrupt
    private int outputPort = 0x03; // A20 on, reset line not asserted
    private int pending = -1; // a command waiting for its data byte
    private boolean lastWasCommand;
    private long resets;

    /**
     * A controller after its self-test, with no keyboard or mouse attached.
     *
     * @param reset called when the guest pulses the reset line
     */
    public I8042(Runnable reset) {
        this.reset = reset;
    }

    @Override
    public String name() {
        return "i8042";
    }

    /** {@return times the guest pulsed the reset line} */
    public synchronized long resets() {
        return resets;
    }

    @Override
    public synchronized int read(int port, int size) {
        if (port == DATA_PORT) {
            Integer b = output.poll();
            return b == null ? 0 : b;
        }
        return (output.isEmpty() ? 0 : 0x01) | 0x04 | (lastWasCommand ? 0x08 : 0);
    }

    @Override
    public void write(int port, int size, int value) {
        boolean doReset;
        synchronized (this) {
            doReset = writeLocked(port, value & 0xFF);
            if (doReset) {
                resets++;
            }
        }
        if (doReset) {
            reset.run();
        }
    }

    private boolean writeLocked(int port, int v) {
        if (port == DATA_PORT) {
            lastWasCommand = false;
            int cmd = pending;
            pending = -1;
            if (cmd == 0x60) {
                commandByte = v;
            } else if (cmd == 0xD1) {
                outputPort = v;
                return (v & 0x01) == 0;
            }
            return false; // a byte for the keyboard: nobody is there
        }
        lastWasCommand = true;
        switch (v) {
            case 0x20:
                output.add(commandByte);
                break;
            case 0x60:
            case 0xD1:
                pending = v;
                break;
            case 0xA7:
                commandByte |= 0x20;
                break;
            case 0xA8:
                commandByte &= ~0x20;
                break;
            case 0xA9:
            case 0xAB:
                output.add(0x00);
                break;
            case 0xAA:
                output.add(0x55);
                break;
            case 0xAD:
                commandByte |= 0x10;
                break;
            case 0xAE:
                commandByte &= ~0x10;
                break;
            case 0xD0:
                output.add(outputPort);
                break;
            default:
                if (v >= 0xF0) {
                    return (v & 0x01) == 0; // pulse the lines whose bits are 0
                }
        }
        return false;
    }
}
