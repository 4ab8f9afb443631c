package dev.zx4j.conformance;

import static dev.zx4j.abi.Layouts.PORT_PACKET_SIZE;
import static dev.zx4j.abi.Zx.*;
import static dev.zx4j.conformance.Zk.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.testing.KernelTest;
import dev.zx4j.testing.TestKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Zircon's own port tests (the core utest suite's PortTest and PortStressTest of the 2021–22
 * tree), rewritten here against the raw surface wherever this surface can express them: every
 * channel becomes an event (channels are not bound), durations are shortened, and the
 * simulated clock is manual. Each keeps the original's name and its assertions.
 *
 * <p>Not ported: the channel-only cases (AsyncWaitChannel*, ChannelAsyncWaitOnExistingState…),
 * and CloseQueueRace (it relies on a blocked zx_port_wait being fed by the same thread).
 * {@code zx_port_cancel_key} does not exist in the modelled era, so there is no cancel-key case.
 */
class ZirconPortTestsConformanceTest {

    private static int drain(Syscalls zx, int port, List<byte[]> into) {
        int n = 0;
        while (true) {
            byte[] p = new byte[PORT_PACKET_SIZE];
            if (zx.zx_port_wait(port, ZX_TIME_INFINITE_PAST, p) != ZX_OK) {
                return n;
            }
            into.add(p);
            n++;
        }
    }

    private static int trigger(byte[] p) {
        return (int) word(p, 0);
    }

    private static int observed(byte[] p) {
        return (int) (word(p, 0) >>> 32);
    }

    @KernelTest
    void eventAsyncSignalWaitSingle(TestKernel k) {
        Syscalls zx = k.zx();
        int port = port(zx, 0);
        int event = event(zx);
        for (int ix = 0; ix != 7; ++ix) {
            waitAsync(zx, event, port, ix, ZX_EVENT_SIGNALED, 0);
        }
        signal(zx, event, 0, ZX_EVENT_SIGNALED);
        long keySum = 0;
        for (int ix = 0; ix != 5; ++ix) {
            byte[] p = take(zx, port);
            keySum += key(p);
            assertEquals(ZX_PKT_TYPE_SIGNAL_ONE, type(p));
            assertEquals(1, word(p, 1), "count");
        }
        // 6+5+4+3+2: the newest observers fire (and queue) first.
        assertEquals(20, keySum);
        close(zx, port, event);
    }

    @KernelTest
    void asyncWaitEventRepeat(TestKernel k) {
        Syscalls zx = k.zx();
        int port = port(zx, 0);
        int event = event(zx);
        long[] count = new long[3];
        for (int ix = 0; ix != 24; ++ix) {
            waitAsync(zx, event, port, 1122, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_2, 0);
            int ub = (ix % 2) != 0 ? 0 : ZX_USER_SIGNAL_2;
            signal(zx, event, 0, ZX_EVENT_SIGNALED | ub);
            signal(zx, event, ZX_EVENT_SIGNALED | ub, 0);
            byte[] p = take(zx, port);
            assertEquals(ZX_PKT_TYPE_SIGNAL_ONE, type(p));
            assertEquals(1, word(p, 1));
            count[0] += (observed(p) & ZX_EVENT_SIGNALED) != 0 ? 1 : 0;
            count[1] += (observed(p) & ZX_USER_SIGNAL_2) != 0 ? 1 : 0;
            count[2] += (observed(p) & ~(ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_2)) != 0 ? 1 : 0;
        }
        assertEquals(24, count[0]);
        assertEquals(12, count[1]);
        assertEquals(0, count[2]);
        close(zx, port, event);
    }

    @KernelTest
    void asyncWaitEventManyAllProcessed(TestKernel k) {
        // One more than the packet arena of the kernels that had one: signal packets never count.
        Syscalls zx = k.zx();
        int n = 16 * 1024 + 1;
        int port = port(zx, 0);
        int[] events = new int[n];
        for (int i = 0; i < n; i++) {
            events[i] = event(zx);
            waitAsync(zx, events[i], port, 6567, ZX_EVENT_SIGNALED, 0);
            signal(zx, events[i], 0, ZX_EVENT_SIGNALED);
        }
        int count = 0;
        byte[] p = new byte[PORT_PACKET_SIZE];
        int status;
        while ((status = zx.zx_port_wait(port, ZX_TIME_INFINITE_PAST, p)) == ZX_OK) {
            assertEquals(6567, key(p));
            assertEquals(ZX_PKT_TYPE_SIGNAL_ONE, type(p));
            assertEquals(ZX_EVENT_SIGNALED, observed(p));
            assertEquals(ZX_EVENT_SIGNALED, trigger(p));
            assertEquals(1, word(p, 1));
            count++;
        }
        assertEquals(ZX_ERR_TIMED_OUT, status);
        assertEquals(n, count);
        close(zx, port);
        close(zx, events);
    }

    @KernelTest
    void asyncWaitInvalidOption(TestKernel k) {
        Syscalls zx = k.zx();
        int port = port(zx, 0);
        int event = event(zx);
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_object_wait_async(event, port, 0, ZX_EVENT_SIGNALED, 20));
        close(zx, port, event);
    }

    @KernelTest
    void asyncWaitCloseOrder(TestKernel k) {
        // The original closes a channel pair and the port in every order; here an event, a
        // duplicate of it (the waited handle) and the port.
        Syscalls zx = k.zx();
        int[][] orders = {{0, 1, 2}, {0, 2, 1}, {1, 2, 0}, {1, 0, 2}, {2, 1, 0}, {2, 0, 1}};
        for (int[] order : orders) {
            int[] h = new int[3];
            h[2] = port(zx, 0);
            h[1] = event(zx);
            h[0] = dup(zx, h[1], ZX_RIGHT_SAME_RIGHTS);
            waitAsync(zx, h[0], h[2], 1122, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_0, 0);
            for (int which : order) {
                assertEquals(ZX_OK, zx.zx_handle_close(h[which]));
            }
        }
        assertEquals(0, k.sim().liveHandles().size());
    }

    @KernelTest
    void cancelEventKey(TestKernel k) {
        Syscalls zx = k.zx();
        int port = port(zx, 0);
        int event = event(zx);
        long[] keys = {128, 13, 7, 13};
        for (long key : keys) {
            waitAsync(zx, event, port, key, ZX_EVENT_SIGNALED, 0);
        }
        assertEquals(ZX_OK, zx.zx_port_cancel(port, event, 13));
        for (int ix = 0; ix != 2; ++ix) {
            signal(zx, event, 0, ZX_EVENT_SIGNALED);
            signal(zx, event, ZX_EVENT_SIGNALED, 0);
        }
        List<byte[]> packets = new ArrayList<>();
        int waitCount = drain(zx, port, packets);
        long keySum = 0;
        for (byte[] p : packets) {
            keySum += key(p);
            assertEquals(ZX_EVENT_SIGNALED, trigger(p));
            assertEquals(ZX_EVENT_SIGNALED, observed(p));
        }
        assertEquals(ZX_ERR_NOT_FOUND, zx.zx_port_cancel(port, event, 128));
        assertEquals(2, waitCount);
        assertEquals(keys[0] + keys[2], keySum);
        close(zx, port, event);
    }

    @KernelTest
    void cancelEventKeyAfter(TestKernel k) {
        Syscalls zx = k.zx();
        int port = port(zx, 0);
        long[] keys = {128, 3, 3};
        int[] ev = new int[3];
        for (int ix = 0; ix != 3; ++ix) {
            ev[ix] = event(zx);
            waitAsync(zx, ev[ix], port, keys[ix], ZX_EVENT_SIGNALED, 0);
        }
        signal(zx, ev[0], 0, ZX_EVENT_SIGNALED);
        signal(zx, ev[1], 0, ZX_EVENT_SIGNALED);
        // One cancel finds a queued packet, the other an armed observer.
        assertEquals(ZX_OK, zx.zx_port_cancel(port, ev[1], 3));
        assertEquals(ZX_OK, zx.zx_port_cancel(port, ev[2], 3));
        signal(zx, ev[2], 0, ZX_EVENT_SIGNALED);
        List<byte[]> packets = new ArrayList<>();
        assertEquals(1, drain(zx, port, packets));
        assertEquals(keys[0], key(packets.get(0)));
        assertEquals(ZX_EVENT_SIGNALED, trigger(packets.get(0)));
        assertEquals(ZX_EVENT_SIGNALED, observed(packets.get(0)));
        close(zx, port);
        close(zx, ev);
    }

    @KernelTest
    void threadEvents(TestKernel k) {
        // Three port waiters, each taking one packet of three waits matched by one signal.
        Syscalls zx = k.zx();
        int port = port(zx, 0);
        int event = event(zx);
        List<Call<Integer>> waiters = new ArrayList<>();
        for (int ix = 0; ix != 3; ++ix) {
            waitAsync(zx, event, port, 500 + ix, ZX_EVENT_SIGNALED, 0);
            waiters.add(start("port-waiter-" + ix,
                    () -> zx.zx_port_wait(port, ZX_TIME_INFINITE, new byte[PORT_PACKET_SIZE])));
        }
        for (Call<Integer> w : waiters) {
            w.awaitBlocked();
        }
        signal(zx, event, 0, ZX_EVENT_SIGNALED);
        for (Call<Integer> w : waiters) {
            assertEquals(ZX_OK, w.result());
        }
        assertEmpty(zx, port);
        close(zx, port, event);
    }

    @KernelTest
    void timestamp(TestKernel k) {
        Syscalls zx = k.zx();
        int port = port(zx, 0);
        int e0 = event(zx);
        int e1 = event(zx);
        waitAsync(zx, e0, port, 1, ZX_EVENT_SIGNALED, ZX_WAIT_ASYNC_TIMESTAMP);
        waitAsync(zx, e1, port, 2, ZX_EVENT_SIGNALED, 0);
        k.clock().advance(100);
        long before = zx.zx_clock_get_monotonic();
        signal(zx, e0, 0, ZX_EVENT_SIGNALED);
        long after = zx.zx_clock_get_monotonic();
        k.clock().advance(100);
        signal(zx, e1, 0, ZX_EVENT_SIGNALED);
        byte[] p0 = take(zx, port);
        byte[] p1 = take(zx, port);
        assertEquals(ZX_EVENT_SIGNALED, trigger(p0));
        assertEquals(ZX_EVENT_SIGNALED, trigger(p1));
        assertTrue(before <= word(p0, 2) && word(p0, 2) <= after);
        assertEquals(0, word(p1, 2));
        // The same with the roles swapped.
        signal(zx, e0, ZX_EVENT_SIGNALED, 0);
        signal(zx, e1, ZX_EVENT_SIGNALED, 0);
        waitAsync(zx, e1, port, 1, ZX_EVENT_SIGNALED, ZX_WAIT_ASYNC_TIMESTAMP);
        waitAsync(zx, e0, port, 2, ZX_EVENT_SIGNALED, 0);
        signal(zx, e0, 0, ZX_EVENT_SIGNALED);
        k.clock().advance(100);
        before = zx.zx_clock_get_monotonic();
        signal(zx, e1, 0, ZX_EVENT_SIGNALED);
        after = zx.zx_clock_get_monotonic();
        p0 = take(zx, port);
        p1 = take(zx, port);
        assertTrue(before <= word(p1, 2) && word(p1, 2) <= after);
        assertEquals(0, word(p0, 2));
        close(zx, port, e0, e1);
    }

    // ---- PortStressTest -------------------------------------------------------------------------

    @KernelTest
    void waitSignalCancel(TestKernel k) {
        // A cancel after wait_one saw the signal must always find the observer or its packet.
        Syscalls zx = k.zx();
        int port = port(zx, 0);
        int event = event(zx);
        AtomicBoolean keepRunning = new AtomicBoolean(true);
        Call<Integer> waiter = start("cancel-stress-waiter", () -> {
            for (int count = 2_000; --count > 0; ) {
                int st = zx.zx_object_wait_async(event, port, 919, ZX_EVENT_SIGNALED, 0);
                if (st != ZX_OK) {
                    return st;
                }
                st = zx.zx_object_wait_one(event, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE, new int[1]);
                if (st != ZX_OK) {
                    return st;
                }
                st = zx.zx_port_cancel(port, event, 919);
                if (st != ZX_OK) {
                    return st;
                }
            }
            return ZX_OK;
        });
        Call<Integer> signaler = start("cancel-stress-signaler", () -> {
            int count = 0;
            int[] spins = {0, 10, 2, 0, 15, 0};
            while (keepRunning.get()) {
                int st = zx.zx_object_signal(event, 0, ZX_EVENT_SIGNALED);
                if (st != ZX_OK) {
                    return st;
                }
                for (int i = spins[count++ % spins.length]; i > 0; i--) {
                    Thread.onSpinWait();
                }
                st = zx.zx_object_signal(event, ZX_EVENT_SIGNALED, 0);
                if (st != ZX_OK) {
                    return st;
                }
            }
            return ZX_OK;
        });
        assertEquals(ZX_OK, waiter.result());
        keepRunning.set(false);
        assertEquals(ZX_OK, signaler.result());
        close(zx, port, event);
    }

    @KernelTest
    void signalCloseWait(TestKernel k) throws Exception {
        Syscalls zx = k.zx();
        int port = port(zx, 0);
        AtomicBoolean keepRunning = new AtomicBoolean(true);
        List<Call<Integer>> drainers = new ArrayList<>();
        List<Call<Integer>> signalers = new ArrayList<>();
        for (int ix = 0; ix < 4; ix++) {
            Random rnd = new Random(4 + ix);
            signalers.add(start("signal-close-" + ix, () -> {
                int event = ZX_HANDLE_INVALID;
                while (keepRunning.get()) {
                    if (event == ZX_HANDLE_INVALID) {
                        int[] out = new int[1];
                        int st = zx.zx_event_create(0, out);
                        if (st != ZX_OK) {
                            return st;
                        }
                        event = out[0];
                        st = zx.zx_object_wait_async(event, port, 0, ZX_EVENT_SIGNALED, 0);
                        if (st != ZX_OK) {
                            return st;
                        }
                    }
                    switch (rnd.nextInt(3)) {
                        case 0 -> Thread.sleep(0, 100_000);
                        case 1 -> {
                            int st = zx.zx_object_signal(event, 0, ZX_EVENT_SIGNALED);
                            if (st != ZX_OK) {
                                return st;
                            }
                        }
                        default -> {
                            int st = zx.zx_object_signal(event, 0, ZX_EVENT_SIGNALED);
                            if (st != ZX_OK) {
                                return st;
                            }
                            zx.zx_handle_close(event);
                            event = ZX_HANDLE_INVALID;
                        }
                    }
                }
                return event == ZX_HANDLE_INVALID ? ZX_OK : zx.zx_handle_close(event);
            }));
        }
        for (int ix = 0; ix < 4; ix++) {
            drainers.add(start("drainer-" + ix, () -> {
                while (true) {
                    byte[] p = new byte[PORT_PACKET_SIZE];
                    int st = zx.zx_port_wait(port, ZX_TIME_INFINITE, p);
                    if (st != ZX_OK) {
                        return st;
                    }
                    if (type(p) == ZX_PKT_TYPE_USER) {
                        return ZX_OK;
                    }
                }
            }));
        }
        Thread.sleep(100);
        keepRunning.set(false);
        for (Call<Integer> s : signalers) {
            assertEquals(ZX_OK, s.result());
        }
        for (int ix = 0; ix < 4; ix++) {
            queueUser(zx, port, 0);
        }
        for (Call<Integer> d : drainers) {
            assertEquals(ZX_OK, d.result());
        }
        close(zx, port);
    }

    @KernelTest
    void closeWaitRace(TestKernel k) throws Exception {
        Syscalls zx = k.zx();
        int event = event(zx);
        AtomicBoolean keepRunning = new AtomicBoolean(true);
        AtomicInteger port = new AtomicInteger(ZX_HANDLE_INVALID);
        List<Call<Integer>> waiters = new ArrayList<>();
        for (int ix = 0; ix < 4; ix++) {
            waiters.add(start("wait-async-" + ix, () -> {
                while (keepRunning.get()) {
                    int st = zx.zx_object_wait_async(event, port.get(), 0, ZX_EVENT_SIGNALED, 0);
                    if (st != ZX_OK && st != ZX_ERR_BAD_HANDLE) {
                        return st;
                    }
                }
                return ZX_OK;
            }));
        }
        Call<Integer> creator = start("create-port", () -> {
            while (keepRunning.get()) {
                int[] out = new int[1];
                int st = zx.zx_port_create(0, out);
                if (st != ZX_OK) {
                    return st;
                }
                port.set(out[0]);
                Thread.sleep(1);
                st = zx.zx_handle_close(out[0]);
                port.set(ZX_HANDLE_INVALID);
                if (st != ZX_OK) {
                    return st;
                }
            }
            return ZX_OK;
        });
        Thread.sleep(100);
        keepRunning.set(false);
        for (Call<Integer> w : waiters) {
            assertEquals(ZX_OK, w.result());
        }
        assertEquals(ZX_OK, creator.result());
        close(zx, event);
    }
}
