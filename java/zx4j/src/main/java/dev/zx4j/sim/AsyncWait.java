package dev.zx4j.sim;

import static dev.zx4j.abi.Layouts.PACKET_KEY;
import static dev.zx4j.abi.Layouts.PACKET_SIGNAL_COUNT;
import static dev.zx4j.abi.Layouts.PACKET_SIGNAL_OBSERVED;
import static dev.zx4j.abi.Layouts.PACKET_SIGNAL_TIMESTAMP;
import static dev.zx4j.abi.Layouts.PACKET_SIGNAL_TRIGGER;
import static dev.zx4j.abi.Layouts.PACKET_STATUS;
import static dev.zx4j.abi.Layouts.PACKET_TYPE;
import static dev.zx4j.abi.Layouts.PORT_PACKET_SIZE;
import static dev.zx4j.abi.Layouts.put32;
import static dev.zx4j.abi.Layouts.put64;
import static dev.zx4j.abi.Zx.ZX_OK;
import static dev.zx4j.abi.Zx.ZX_PKT_TYPE_SIGNAL_ONE;
import static dev.zx4j.abi.Zx.ZX_WAIT_ASYNC_TIMESTAMP;

/**
 * One {@code zx_object_wait_async}: a port observer that queues exactly one
 * {@code ZX_PKT_TYPE_SIGNAL_ONE} packet when it fires, then is gone (re-arm by waiting again).
 *
 * <p>Packet (port_dispatcher.cc, late 2021): {@code key}; {@code status} OK;
 * {@code signal.trigger} = the signals waited for; {@code signal.observed} = the whole signal word
 * at the match; {@code signal.count} = 1; {@code signal.timestamp} = the monotonic time of the
 * match with {@code ZX_WAIT_ASYNC_TIMESTAMP}, else 0. Signal packets do not count against the
 * port's user-packet limit. A cancelled observer (its handle closed, {@code zx_port_cancel})
 * queues nothing; packets already queued stay until dequeued or cancelled.
 */
final class AsyncWait extends SignalObserver implements PortObject.PacketSource {
    final PortObject port;
    final KernelObject source;
    /** The handle {@code zx_object_wait_async} was called with: its packets carry it. */
    final HandleTable.Handle origin;
    final long key;
    final int signals;
    final int options;

    AsyncWait(PortObject port, KernelObject source, HandleTable.Handle origin, long key,
              int signals, int options) {
        this.port = port;
        this.source = source;
        this.origin = origin;
        this.key = key;
        this.signals = signals;
        this.options = options;
    }

    @Override
    void onMatch(int observed) {
        byte[] p = new byte[PORT_PACKET_SIZE];
        put64(p, PACKET_KEY, key);
        put32(p, PACKET_TYPE, ZX_PKT_TYPE_SIGNAL_ONE);
        put32(p, PACKET_STATUS, ZX_OK);
        put32(p, PACKET_SIGNAL_TRIGGER, signals);
        put32(p, PACKET_SIGNAL_OBSERVED, observed);
        put64(p, PACKET_SIGNAL_COUNT, 1);
        if ((options & ZX_WAIT_ASYNC_TIMESTAMP) != 0) {
            put64(p, PACKET_SIGNAL_TIMESTAMP, port.kernel.clock.now());
        }
        port.queueSignal(this, p);
        port.observerDone(this);
    }

    @Override
    void onCancel(int observed) {
        port.observerDone(this);
    }

    @Override
    boolean matchesKey(PortObject p, long k) {
        return p == port && k == key;
    }

    @Override
    public void released() {
        // The packet is part of the observer: nothing to return anywhere.
    }

    @Override
    public boolean wantsRelease() {
        return false;
    }
}
