package dev.zx4j;

import dev.zx4j.abi.Layouts;
import dev.zx4j.abi.Zx;
import java.time.Duration;

/**
 * A port: a queue of {@linkplain PortPacket packets} from user code ({@link #queue}) and from
 * kernel objects bound to it (interrupts, guest traps). Create one with
 * {@link Kernel#createPort(PortOptions...)}.
 *
 * <p>Deadlines are absolute times of the kernel's monotonic clock in nanoseconds
 * ({@link Kernel#monotonicNow()}); {@link Zx#ZX_TIME_INFINITE} waits forever. A port wait is the
 * way to bound a blocking call: closing the port does not wake a waiter (see
 * {@link HandleObject}).
 */
public final class Port extends HandleObject<Port> {

    Port(Kernel kernel, HandleCell cell, boolean owner) {
        super(kernel, cell, owner);
    }

    @Override
    Port wrap(HandleCell cell, boolean owner) {
        return new Port(kernel, cell, owner);
    }

    /**
     * Queues a user packet ({@code zx_port_queue}; needs {@link Rights#WRITE}). Fails with
     * {@link Status#SHOULD_WAIT} when too many user packets are outstanding.
     *
     * @param packet the packet to queue
     */
    public void queue(PortPacket.UserPacket packet) {
        byte[] buf = packet.toBytes();
        int h = cell.acquire();
        try {
            ZxException.check("zx_port_queue", kernel.syscalls().zx_port_queue(h, buf));
        } finally {
            cell.release();
        }
    }

    /**
     * Dequeues the next packet, blocking until {@code deadline} ({@code zx_port_wait}; needs
     * {@link Rights#READ}). A deadline in the past polls.
     *
     * @param deadline the absolute monotonic deadline in nanoseconds
     * @return the packet
     * @throws ZxException with {@link Status#TIMED_OUT} when the deadline passes first
     */
    public PortPacket waitUntil(long deadline) {
        byte[] buf = new byte[Layouts.PORT_PACKET_SIZE];
        int h = cell.acquire();
        try {
            ZxException.check("zx_port_wait", kernel.syscalls().zx_port_wait(h, deadline, buf));
        } finally {
            cell.release();
        }
        return PortPacket.parse(buf);
    }

    /**
     * Dequeues the next packet, waiting at most {@code timeout} from now (zero or negative
     * polls; overflow waits forever). Named {@code waitFor}, not {@code wait}, so that it
     * cannot be mistaken for {@link Object#wait(long)}: {@code port.waitFor(1000)} does not
     * compile.
     *
     * @param timeout how long to wait at most
     * @return the packet dequeued
     * @throws ZxException with {@link Status#TIMED_OUT} when nothing arrives in time
     */
    public PortPacket waitFor(Duration timeout) {
        return waitUntil(kernel.deadlineAfter(timeout));
    }

    /** {@return dequeues the next packet, waiting as long as it takes} */
    public PortPacket waitForever() {
        return waitUntil(Zx.ZX_TIME_INFINITE);
    }

    /**
     * Cancels async waits of {@code source} registered with {@code key} and removes their queued
     * packets ({@code zx_port_cancel}; port needs {@link Rights#WRITE}, source
     * {@link Rights#WAIT}).
     *
     * @param source the object whose waits are cancelled
     * @param key the key the waits were registered with
     * @return true if something was cancelled, false if there was nothing to cancel
     */
    public boolean cancel(HandleObject<?> source, long key) {
        int h = cell.acquire();
        try {
            int s = source.cell.acquire();
            try {
                int status = kernel.syscalls().zx_port_cancel(h, s, key);
                if (status == Zx.ZX_ERR_NOT_FOUND) {
                    return false;
                }
                ZxException.check("zx_port_cancel", status);
                return true;
            } finally {
                source.cell.release();
            }
        } finally {
            cell.release();
        }
    }
}
