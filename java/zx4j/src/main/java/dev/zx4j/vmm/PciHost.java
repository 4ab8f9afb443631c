package dev.zx4j.vmm;

/**
 * PCI configuration space through configuration mechanism #1 (PCI Local Bus 3.0 §3.2.2.3.2):
 * the 32-bit address register at 0xCF8 (bit 31 enable, bus 23:16, device 15:11, function
 * 10:8, register 7:2) and the data window 0xCFC–0xCFF. Only a host bridge sits on the bus, at
 * 00:00.0 (vendor 0x8086, device 0x29C0 — as in Fuchsia's VMM —, class 06/00/00, no BARs); every
 * other function reads all ones (no device) and ignores writes. Of the host bridge's header
 * only the command register and the interrupt line are writable.
 *
 * <p>Byte and word accesses to 0xCF8–0xCFB do not reach the address register (on PC chipsets
 * they are other registers): reads return all ones and writes are dropped.
 */
public final class PciHost implements IoDevice {

    /** I/O port of the configuration address register (CONFIG_ADDRESS). */
    public static final int ADDRESS_PORT = 0xCF8;
    /** First I/O port of the configuration data window (CONFIG_DATA, 4 ports). */
    public static final int DATA_PORT = 0xCFC;

    private final byte[] bridge = new byte[256];
    private int address;

    /** A bus with one device, the host bridge at 00:00.0. */
    public PciHost() {
        put16(0x00, 0x8086);          // vendor
        put16(0x02, 0x29C0);          // device
        put16(0x04, 0x0006);          // command: memory and bus master
        put16(0x06, 0x0000);          // status
        bridge[0x08] = 0;             // revision
        bridge[0x0B] = 0x06;          // class: bridge
        bridge[0x0A] = 0x00;          // subclass: host
        bridge[0x09] = 0x00;          // programming interface
        bridge[0x0E] = 0x00;          // header type 0, single function
    }

    @Override
    public String name() {
        return "pci";
    }

    private void put16(int off, int v) {
        bridge[off] = (byte) v;
        bridge[off + 1] = (byte) (v >> 8);
    }

    @Override
    public synchronized int read(int port, int size) {
        if (port < DATA_PORT) {
            return port == ADDRESS_PORT && size == 4 ? address : -1;
        }
        if ((address & 0x8000_0000) == 0 || (address & 0x00FF_FF00) != 0) {
            return -1; // disabled, or not bus 0 device 0 function 0
        }
        int reg = (address & 0xFC) + (port - DATA_PORT);
        int v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | (reg + i < 256 ? bridge[reg + i] & 0xFF : 0xFF);
        }
        return v;
    }

    @Override
    public synchronized void write(int port, int size, int value) {
        if (port < DATA_PORT) {
            if (port == ADDRESS_PORT && size == 4) {
                address = value & 0x80FF_FFFC;
            }
            return;
        }
        if ((address & 0x8000_0000) == 0 || (address & 0x00FF_FF00) != 0) {
            return;
        }
        int reg = (address & 0xFC) + (port - DATA_PORT);
        for (int i = 0; i < size; i++) {
            int r = reg + i;
            int b = (value >>> (8 * i)) & 0xFF;
            if (r == 0x04) {
                bridge[r] = (byte) (b & 0x06); // memory space, bus master (no IO decode)
            } else if (r == 0x3C) {
                bridge[r] = (byte) b;          // interrupt line: scratch for software
            }
        }
    }

    /** {@return the current address register} */
    public synchronized int addressRegister() {
        return address;
    }
}
