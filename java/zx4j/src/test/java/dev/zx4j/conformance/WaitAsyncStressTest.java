package dev.zx4j.conformance;

import static dev.zx4j.abi.Zx.*;
import static dev.zx4j.conformance.Zk.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.testing.KernelTest;
import dev.zx4j.testing.TestKernel;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Races between delivery and cancellation, in the spirit of Zircon's port cancel stress tests:
 * one thread toggles an event's signal, one arms and cancels async waits, one drains the port.
 * For every wait exactly one of "its packet was dequeued" and "zx_port_cancel returned OK" holds —
 * never both (a packet after a successful cancel), never neither (a lost wait).
 */
class WaitAsyncStressTest {

    private static final int WAITS = 3_000;

    @KernelTest
    void cancelVersusDelivery(TestKernel k) throws Exception {
        Syscalls zx = k.zx();
        int e = event(zx);
        int p = port(zx, 0);
        AtomicBoolean stop = new AtomicBoolean();
        BitSet delivered = new BitSet(WAITS);
        BitSet cancelled = new BitSet(WAITS);
        Call<Integer> toggler = start("toggler", () -> {
            int n = 0;
            while (!stop.get()) {
                zx.zx_object_signal(e, 0, ZX_USER_SIGNAL_0);
                zx.zx_object_signal(e, ZX_USER_SIGNAL_0, 0);
                n++;
            }
            return n;
        });
        Call<Integer> drainer = start("drainer", () -> {
            byte[] pk = new byte[48];
            int n = 0;
            while (true) {
                int st = zx.zx_port_wait(p, zx.zx_clock_get_monotonic(), pk);
                if (st == ZX_OK) {
                    long key = key(pk);
                    if (key == Long.MAX_VALUE) {
                        return n;
                    }
                    synchronized (delivered) {
                        if (delivered.get((int) key)) {
                            throw new AssertionError("two packets for wait " + key);
                        }
                        delivered.set((int) key);
                    }
                    n++;
                } else if (st != ZX_ERR_TIMED_OUT) {
                    throw new AssertionError("zx_port_wait: " + st);
                } else {
                    Thread.onSpinWait();
                }
            }
        });
        for (int i = 0; i < WAITS; i++) {
            assertEquals(ZX_OK, zx.zx_object_wait_async(e, p, i,
                    ZX_USER_SIGNAL_0, (i & 1) == 0 ? 0 : ZX_WAIT_ASYNC_EDGE));
            if ((i & 3) == 0) {
                Thread.yield();
            }
            int st = zx.zx_port_cancel(p, e, i);
            assertTrue(st == ZX_OK || st == ZX_ERR_NOT_FOUND, "zx_port_cancel: " + st);
            if (st == ZX_OK) {
                cancelled.set(i);
            }
        }
        stop.set(true);
        toggler.result();
        queueUser(zx, p, Long.MAX_VALUE);
        int n = drainer.result();
        BitSet both = (BitSet) delivered.clone();
        both.and(cancelled);
        assertEquals(new BitSet(), both, "a packet arrived for a wait whose cancel succeeded");
        BitSet either = (BitSet) delivered.clone();
        either.or(cancelled);
        assertEquals(WAITS, either.cardinality(), "every wait was delivered or cancelled");
        assertEquals(n, delivered.cardinality());
        close(zx, e, p);
    }

    @KernelTest
    void closeVersusSignalInWaitOne(TestKernel k) {
        Syscalls zx = k.zx();
        for (int i = 0; i < 200; i++) {
            int e = event(zx);
            Call<int[]> w = start("wait_one", () -> {
                int[] obs = new int[1];
                int st = zx.zx_object_wait_one(e, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE, obs);
                return new int[] {st, obs[0]};
            });
            if ((i & 1) == 0) {
                w.awaitBlocked();
            }
            signal(zx, e, 0, ZX_USER_SIGNAL_0);
            close(zx, e);
            int[] r = w.result();
            // Either the wait saw the signal, or it started after the close and found no handle.
            if (r[0] == ZX_OK) {
                assertEquals(ZX_USER_SIGNAL_0, r[1] & ZX_USER_SIGNAL_0);
            } else {
                assertEquals(ZX_ERR_BAD_HANDLE, r[0], "wait " + i);
            }
        }
    }
}
