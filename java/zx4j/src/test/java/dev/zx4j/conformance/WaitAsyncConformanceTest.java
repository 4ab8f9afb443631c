package dev.zx4j.conformance;

import static dev.zx4j.abi.Zx.*;
import static dev.zx4j.conformance.Zk.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.testing.KernelTest;
import dev.zx4j.testing.TestKernel;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code zx_object_wait_async} and {@code zx_port_cancel} with real waitable sources: the
 * observer model of the late-2021/2022 kernel (async notes §1, §6, §7). Ports of the cases of
 * Zircon's port tests that this surface can express — async waits, repeats, edge, timestamps,
 * cancel by key before and after delivery, many observers, closing the handle or the port —
 * written anew against events, interrupts and timers (there are no channels here).
 */
class WaitAsyncConformanceTest {

    private static final long KEY = 0x1234_5678_9ABC_DEF0L;

    @KernelTest
    void checkOrder(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        int p = port(zx, 0);
        int p2 = port(zx, 0);
        int noWrite = dup(zx, p, ZX_DEFAULT_PORT_RIGHTS & ~ZX_RIGHT_WRITE);
        int noWait = dup(zx, e, ZX_DEFAULT_EVENT_RIGHTS & ~ZX_RIGHT_WAIT);
        // 1. options first, before any handle.
        for (int bad : new int[] {4, 8, 0x80000000, -1, ZX_WAIT_ASYNC_EDGE | 4}) {
            assertEquals(ZX_ERR_INVALID_ARGS,
                    zx.zx_object_wait_async(ZX_HANDLE_INVALID, ZX_HANDLE_INVALID, 0, 0, bad));
        }
        // 2. the port before the object.
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_object_wait_async(ZX_HANDLE_INVALID, ZX_HANDLE_INVALID, 0, 1, 0));
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_object_wait_async(ZX_HANDLE_INVALID, e, 0, 1, 0));
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_object_wait_async(ZX_HANDLE_INVALID, noWrite, 0, 1, 0));
        // 3. then the object.
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_object_wait_async(ZX_HANDLE_INVALID, p, 0, 1, 0));
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_object_wait_async(noWait, p, 0, 1, 0));
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_object_wait_async(p2, p, 0, 1, 0), "ports lack WAIT");
        // Every combination of TIMESTAMP and EDGE is valid in this era.
        for (int ok : new int[] {0, ZX_WAIT_ASYNC_TIMESTAMP, ZX_WAIT_ASYNC_EDGE,
                ZX_WAIT_ASYNC_TIMESTAMP | ZX_WAIT_ASYNC_EDGE}) {
            waitAsync(zx, e, p, ok, ZX_USER_SIGNAL_0, ok);
        }
        assertEmpty(zx, p);
        close(zx, e, p, p2, noWrite, noWait);
    }

    @KernelTest
    void onePacketPerWaitThenReArm(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        int p = port(zx, 0);
        waitAsync(zx, e, p, KEY, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1, 0);
        assertEmpty(zx, p);
        signal(zx, e, 0, ZX_USER_SIGNAL_1 | ZX_EVENT_SIGNALED);
        assertSignalPacket(take(zx, p), KEY, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1,
                ZX_USER_SIGNAL_1 | ZX_EVENT_SIGNALED, 0);
        // One-shot: more changes queue nothing.
        signal(zx, e, ZX_USER_SIGNAL_1, 0);
        signal(zx, e, 0, ZX_USER_SIGNAL_0);
        assertEmpty(zx, p);
        // Re-armed while asserted (level): the packet is queued during the call.
        waitAsync(zx, e, p, KEY + 1, ZX_USER_SIGNAL_0, 0);
        assertSignalPacket(take(zx, p), KEY + 1, ZX_USER_SIGNAL_0,
                ZX_USER_SIGNAL_0 | ZX_EVENT_SIGNALED, 0);
        // The repeat loop of Zircon's event test: wait, signal, clear, 5 times.
        for (int i = 0; i < 5; i++) {
            waitAsync(zx, e, p, i, ZX_USER_SIGNAL_2, 0);
            signal(zx, e, 0, ZX_USER_SIGNAL_2);
            signal(zx, e, ZX_USER_SIGNAL_2, 0);
        }
        for (int i = 0; i < 5; i++) {
            byte[] pk = take(zx, p);
            assertEquals(i, key(pk));
            assertEquals(ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_2 | ZX_EVENT_SIGNALED,
                    Zk.word(pk, 0) >>> 32 & 0xFFFFFFFFL, "observed at the match");
        }
        assertEmpty(zx, p);
        close(zx, e, p);
    }

    @KernelTest
    void zeroSignalsNeverFire(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        int p = port(zx, 0);
        waitAsync(zx, e, p, 1, 0, 0);
        signal(zx, e, 0, ZX_USER_SIGNAL_ALL | ZX_EVENT_SIGNALED);
        assertEmpty(zx, p);
        assertEquals(ZX_OK, zx.zx_port_cancel(p, e, 1), "still armed");
        close(zx, e, p);
    }

    @KernelTest
    void timestampOption(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        int p = port(zx, 0);
        long t0 = zx.zx_clock_get_monotonic();
        waitAsync(zx, e, p, 1, ZX_USER_SIGNAL_0, ZX_WAIT_ASYNC_TIMESTAMP);
        waitAsync(zx, e, p, 2, ZX_USER_SIGNAL_0, 0);
        k.clock().advance(12_345);
        signal(zx, e, 0, ZX_USER_SIGNAL_0);
        // Observers fire newest first: key 2 was registered last.
        assertSignalPacket(take(zx, p), 2, ZX_USER_SIGNAL_0, ZX_USER_SIGNAL_0, 0);
        assertSignalPacket(take(zx, p), 1, ZX_USER_SIGNAL_0, ZX_USER_SIGNAL_0, t0 + 12_345);
        // Level match at call time: stamped with the time of the call.
        k.clock().advance(5);
        waitAsync(zx, e, p, 3, ZX_USER_SIGNAL_0, ZX_WAIT_ASYNC_TIMESTAMP);
        assertSignalPacket(take(zx, p), 3, ZX_USER_SIGNAL_0, ZX_USER_SIGNAL_0, t0 + 12_350);
        close(zx, e, p);
    }

    @KernelTest
    void edgeIgnoresWhatIsAlreadyAsserted(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        int p = port(zx, 0);
        signal(zx, e, 0, ZX_USER_SIGNAL_0);
        waitAsync(zx, e, p, 1, ZX_USER_SIGNAL_0, ZX_WAIT_ASYNC_EDGE);
        assertEmpty(zx, p);
        // Setting an asserted bit again changes nothing, so nothing fires.
        signal(zx, e, 0, ZX_USER_SIGNAL_0);
        assertEmpty(zx, p);
        // Dropping the trigger bit is a change, but no trigger bit is asserted after it.
        signal(zx, e, ZX_USER_SIGNAL_0, 0);
        assertEmpty(zx, p);
        signal(zx, e, 0, ZX_USER_SIGNAL_0);
        assertSignalPacket(take(zx, p), 1, ZX_USER_SIGNAL_0, ZX_USER_SIGNAL_0, 0);
        assertEmpty(zx, p);
        close(zx, e, p);
    }

    @KernelTest
    void edgeFiresOnAnyChangeWhileTheTriggerStaysAsserted(TestKernel k) {
        // This era's UpdateState fires every observer whose trigger intersects the new word
        // whenever the word changes at all.
        Syscalls zx = k.zx();
        int e = event(zx);
        int p = port(zx, 0);
        signal(zx, e, 0, ZX_USER_SIGNAL_0);
        waitAsync(zx, e, p, 1, ZX_USER_SIGNAL_0, ZX_WAIT_ASYNC_EDGE | ZX_WAIT_ASYNC_TIMESTAMP);
        k.clock().advance(7);
        signal(zx, e, 0, ZX_USER_SIGNAL_5);
        assertSignalPacket(take(zx, p), 1, ZX_USER_SIGNAL_0, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_5,
                zx.zx_clock_get_monotonic());
        close(zx, e, p);
    }

    @KernelTest
    void manyObserversOnOneObject(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        int p1 = port(zx, 0);
        int p2 = port(zx, 0);
        for (int i = 0; i < 60; i++) {
            waitAsync(zx, e, (i & 1) == 0 ? p1 : p2, i, ZX_USER_SIGNAL_0 << (i % 3), 0);
        }
        signal(zx, e, 0, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_2);
        Set<Long> seen = new HashSet<>();
        for (int port : new int[] {p1, p2}) {
            long last = Long.MAX_VALUE;
            byte[] pk = new byte[48];
            while (zx.zx_port_wait(port, 0, pk) == ZX_OK) {
                long key = key(pk);
                assertEquals(true, seen.add(key), "one packet per wait");
                assertEquals(true, key < last, "observers fire newest first");
                assertEquals((key & 1) == 0 ? p1 : p2, port, "each on its own port");
                last = key;
            }
        }
        Set<Long> expected = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            if (i % 3 != 1) {
                expected.add((long) i);
            }
        }
        assertEquals(expected, seen);
        // The bit-1 observers are still armed, each cancellable once.
        for (int i = 1; i < 60; i += 3) {
            assertEquals(ZX_OK, zx.zx_port_cancel((i & 1) == 0 ? p1 : p2, e, i));
        }
        signal(zx, e, 0, ZX_USER_SIGNAL_1);
        assertEmpty(zx, p1);
        assertEmpty(zx, p2);
        close(zx, e, p1, p2);
    }

    @KernelTest
    void levelMatchAtCallTimeIsQueuedBeforeLaterPackets(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        int p = port(zx, 0);
        queueUser(zx, p, 10);
        signal(zx, e, 0, ZX_EVENT_SIGNALED);
        waitAsync(zx, e, p, 11, ZX_EVENT_SIGNALED, 0);
        queueUser(zx, p, 12);
        assertEquals(10, key(take(zx, p)));
        assertEquals(11, key(take(zx, p)));
        assertEquals(12, key(take(zx, p)));
        close(zx, e, p);
    }

    // ---- cancel --------------------------------------------------------------------------

    @KernelTest
    void cancelBeforeDelivery(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        int p = port(zx, 0);
        waitAsync(zx, e, p, 1, ZX_USER_SIGNAL_0, 0);
        waitAsync(zx, e, p, 2, ZX_USER_SIGNAL_0, 0);
        assertEquals(ZX_OK, zx.zx_port_cancel(p, e, 1));
        assertEquals(ZX_ERR_NOT_FOUND, zx.zx_port_cancel(p, e, 1));
        signal(zx, e, 0, ZX_USER_SIGNAL_0);
        assertEquals(2, key(take(zx, p)));
        assertEmpty(zx, p);
        close(zx, e, p);
    }

    @KernelTest
    void cancelAfterDeliveryRemovesQueuedPackets(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        int p = port(zx, 0);
        queueUser(zx, p, 1); // user packets never match a cancel
        waitAsync(zx, e, p, 1, ZX_USER_SIGNAL_0, 0);
        waitAsync(zx, e, p, 2, ZX_USER_SIGNAL_0, 0);
        signal(zx, e, 0, ZX_USER_SIGNAL_0);
        waitAsync(zx, e, p, 1, ZX_USER_SIGNAL_0, 0); // a second queued packet with key 1
        assertEquals(ZX_OK, zx.zx_port_cancel(p, e, 1), "both key-1 packets go");
        assertEquals(ZX_ERR_NOT_FOUND, zx.zx_port_cancel(p, e, 1));
        byte[] u = take(zx, p);
        assertEquals(ZX_PKT_TYPE_USER, type(u));
        assertEquals(2, key(take(zx, p)));
        assertEmpty(zx, p);
        close(zx, e, p);
    }

    @KernelTest
    void cancelMatchesTheHandleNotTheObject(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        int e2 = dup(zx, e, ZX_RIGHT_SAME_RIGHTS);
        int p = port(zx, 0);
        int other = port(zx, 0);
        waitAsync(zx, e, p, 1, ZX_USER_SIGNAL_0, 0);
        assertEquals(ZX_ERR_NOT_FOUND, zx.zx_port_cancel(p, e2, 1), "another handle");
        assertEquals(ZX_ERR_NOT_FOUND, zx.zx_port_cancel(other, e, 1), "another port");
        assertEquals(ZX_ERR_NOT_FOUND, zx.zx_port_cancel(p, e, 2), "another key");
        signal(zx, e, 0, ZX_USER_SIGNAL_0);
        assertEquals(ZX_ERR_NOT_FOUND, zx.zx_port_cancel(p, e2, 1));
        assertEquals(ZX_OK, zx.zx_port_cancel(p, e, 1));
        assertEmpty(zx, p);
        close(zx, e, e2, p, other);
    }

    @KernelTest
    void cancelOfAnInterruptsAsyncWait(TestKernel k) {
        Syscalls zx = k.zx();
        int irq = virtualIrq(zx);
        int p = port(zx, 0);
        waitAsync(zx, irq, p, 9, ZX_USER_SIGNAL_0, 0);
        assertEquals(ZX_OK, zx.zx_port_cancel(p, irq, 9));
        assertEquals(ZX_ERR_NOT_FOUND, zx.zx_port_cancel(p, irq, 9));
        close(zx, irq, p);
    }

    // ---- closing ----------------------------------------------------------------------------

    @KernelTest
    void closingTheWaitedHandleRemovesTheWaitSilently(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        int keep = dup(zx, e, ZX_RIGHT_SAME_RIGHTS);
        int p = port(zx, 0);
        waitAsync(zx, e, p, 1, ZX_USER_SIGNAL_0, 0);
        waitAsync(zx, keep, p, 2, ZX_USER_SIGNAL_0, 0);
        waitAsync(zx, e, p, 3, ZX_USER_SIGNAL_1, 0);
        signal(zx, e, 0, ZX_USER_SIGNAL_1); // key 3 is delivered before the close
        close(zx, e);
        assertEquals(3, key(take(zx, p)), "a queued packet survives the close");
        assertEmpty(zx, p);
        signal(zx, keep, 0, ZX_USER_SIGNAL_0);
        assertEquals(2, key(take(zx, p)), "the duplicate's wait is not affected");
        assertEmpty(zx, p);
        close(zx, keep, p);
    }

    @KernelTest
    void closingThePortDropsItsWaitsAndPackets(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        int p = port(zx, 0);
        int p2 = port(zx, 0);
        waitAsync(zx, e, p, 1, ZX_USER_SIGNAL_0, 0);
        waitAsync(zx, e, p, 2, ZX_USER_SIGNAL_1, ZX_WAIT_ASYNC_EDGE);
        waitAsync(zx, e, p2, 3, ZX_USER_SIGNAL_0, 0);
        close(zx, p);
        signal(zx, e, 0, ZX_USER_SIGNAL_0 | ZX_USER_SIGNAL_1);
        assertEquals(3, key(take(zx, p2)));
        assertEmpty(zx, p2);
        close(zx, e, p2);
    }

    @KernelTest
    void replacingTheHandleCancelsItsWaits(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        int p = port(zx, 0);
        waitAsync(zx, e, p, 1, ZX_USER_SIGNAL_0, 0);
        int[] out = new int[1];
        assertEquals(ZX_OK, zx.zx_handle_replace(e, ZX_RIGHT_SAME_RIGHTS, out));
        signal(zx, out[0], 0, ZX_USER_SIGNAL_0);
        assertEmpty(zx, p);
        close(zx, out[0], p);
    }

    // ---- kernel-asserted sources ------------------------------------------------------------

    @KernelTest
    void timerSignalThroughAPort(TestKernel k) {
        Syscalls zx = k.zx();
        int t = timer(zx, ZX_TIMER_SLACK_CENTER);
        int p = port(zx, 0);
        long now = zx.zx_clock_get_monotonic();
        waitAsync(zx, t, p, 5, ZX_TIMER_SIGNALED, ZX_WAIT_ASYNC_TIMESTAMP);
        assertEquals(ZX_OK, zx.zx_timer_set(t, now + 1_000, 0));
        Call<Object[]> w = portWaitAsync(zx, p, ZX_TIME_INFINITE).awaitBlocked();
        k.clock().advance(999);
        w.assertStillBlocked();
        k.clock().advance(1);
        Object[] r = w.result();
        assertEquals(ZX_OK, r[0]);
        assertSignalPacket((byte[]) r[1], 5, ZX_TIMER_SIGNALED, ZX_TIMER_SIGNALED, now + 1_000);
        close(zx, t, p);
    }

    @KernelTest
    void interruptBoundToThePortAndAsyncWaitsShareIt(TestKernel k) {
        // An IRQ handler and a wait handler on one port: interrupt packets come first.
        Syscalls zx = k.zx();
        int irq = virtualIrq(zx);
        int e = event(zx);
        int p = irqPort(zx);
        assertEquals(ZX_OK, zx.zx_interrupt_bind(irq, p, 77, ZX_INTERRUPT_BIND));
        waitAsync(zx, e, p, 78, ZX_EVENT_SIGNALED, 0);
        signal(zx, e, 0, ZX_EVENT_SIGNALED);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 4242));
        assertInterruptPacket(take(zx, p), 77, 4242);
        assertSignalPacket(take(zx, p), 78, ZX_EVENT_SIGNALED, ZX_EVENT_SIGNALED, 0);
        assertEquals(0, signalsOf(zx, irq), "a triggered interrupt asserts no signal");
        close(zx, irq, e, p);
    }
}
