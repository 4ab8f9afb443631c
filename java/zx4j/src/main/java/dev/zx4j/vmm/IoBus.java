package dev.zx4j.vmm;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The x86 IO port space of the VMM: devices claim port ranges, and accesses to ports nobody
 * claims behave as on a PC's floating bus — reads return all ones, writes are dropped — and are
 * counted per port (port 0x80, the POST/delay port, is one of these).
 */
public final class IoBus {

    private record Range(int first, int count, IoDevice device) {}

    private final TreeMap<Integer, Range> ranges = new TreeMap<>();
    private final Map<String, AtomicLong> accessesByDevice = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> unclaimed = new ConcurrentHashMap<>();

    /** A port space where every port floats: no device claims any. */
    public IoBus() {
    }

    /**
     * Gives ports [first, first+count) to {@code device}.
     *
     * @param first the first port
     * @param count the number of ports
     * @param device the device that answers them
     */
    public synchronized void claim(int first, int count, IoDevice device) {
        if (first < 0 || count < 1 || first + count > 0x10000) {
            throw new IllegalArgumentException("bad port range " + first + "+" + count);
        }
        Map.Entry<Integer, Range> below = ranges.floorEntry(first + count - 1);
        if (below != null && below.getValue().first + below.getValue().count > first) {
            throw new IllegalArgumentException("ports 0x" + Integer.toHexString(first)
                    + " already claimed by " + below.getValue().device.name());
        }
        ranges.put(first, new Range(first, count, device));
    }

    private IoDevice find(int port) {
        Map.Entry<Integer, Range> e;
        synchronized (this) {
            e = ranges.floorEntry(port);
        }
        if (e == null || port >= e.getValue().first + e.getValue().count) {
            return null;
        }
        return e.getValue().device;
    }

    /**
     * An {@code in}: the device's value, masked to {@code size} bytes.
     *
     * @param port the port
     * @param size the access size: 1, 2 or 4 bytes
     * @return the value
     */
    public int read(int port, int size) {
        IoDevice d = find(port);
        if (d == null) {
            unclaimed.computeIfAbsent(port, p -> new AtomicLong()).incrementAndGet();
            return mask(size);
        }
        accessesByDevice.computeIfAbsent(d.name(), n -> new AtomicLong()).incrementAndGet();
        return d.read(port, size) & mask(size);
    }

    /**
     * An {@code out}.
     *
     * @param port the port
     * @param size the access size: 1, 2 or 4 bytes
     * @param value the value; its low {@code size} bytes are written
     */
    public void write(int port, int size, int value) {
        IoDevice d = find(port);
        if (d == null) {
            unclaimed.computeIfAbsent(port, p -> new AtomicLong()).incrementAndGet();
            return;
        }
        accessesByDevice.computeIfAbsent(d.name(), n -> new AtomicLong()).incrementAndGet();
        d.write(port, size, value & mask(size));
    }

    /** {@return accesses per device name} */
    public Map<String, Long> accessesByDevice() {
        Map<String, Long> m = new TreeMap<>();
        accessesByDevice.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    /** {@return accesses per unclaimed port} */
    public Map<Integer, Long> unclaimedAccesses() {
        Map<Integer, Long> m = new TreeMap<>();
        unclaimed.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    static int mask(int size) {
        return size >= 4 ? -1 : (1 << (8 * size)) - 1;
    }
}
