package dev.zx4j.vmm;

/**
 * A device behind x86 IO ports. The VMM calls it from the VCPU thread that executed the
 * {@code in} or {@code out}; several VCPUs may call at once, so implementations synchronise.
 */
public interface IoDevice {

    /**
     * The value an {@code in} of {@code size} bytes (1, 2 or 4) from {@code port} reads.
     *
     * @param port the port, inside the device's range
     * @param size the access size in bytes
     * @return the value; only its low {@code size} bytes count
     */
    int read(int port, int size);

    /**
     * An {@code out} of the low {@code size} bytes of {@code value} to {@code port}.
     *
     * @param port the port, inside the device's range
     * @param size the access size in bytes
     * @param value the value
     */
    void write(int port, int size, int value);

    /**
     * The device's name in summaries and traces.
     *
     * @return the name
     */
    String name();
}
