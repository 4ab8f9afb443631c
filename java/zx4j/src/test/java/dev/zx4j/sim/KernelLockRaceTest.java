package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.ZX_ERR_BAD_HANDLE;
import static dev.zx4j.abi.Zx.ZX_ERR_CANCELED;
import static dev.zx4j.abi.Zx.ZX_ERR_TIMED_OUT;
import static dev.zx4j.abi.Zx.ZX_INTERRUPT_VIRTUAL;
import static dev.zx4j.abi.Zx.ZX_OK;
import static dev.zx4j.abi.Zx.ZX_PKT_TYPE_USER;
import static dev.zx4j.abi.Zx.ZX_RIGHT_SAME_RIGHTS;
import static dev.zx4j.abi.Zx.ZX_TIME_INFINITE;
import static dev.zx4j.abi.Zx.ZX_TIME_INFINITE_PAST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.abi.Layouts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The simulated kernel's per-object locks: ports and interrupts are used without the kernel
 * lock, so these cases race them against each other and against handle closes, and check that
 * every call still returns exactly what the real kernel returns.
 */
class KernelLockRaceTest {

    private static final long WAIT_SECONDS = 30;

    private static byte[] userPacket(long key, long word) {
        byte[] p = new byte[Layouts.PORT_PACKET_SIZE];
        Layouts.put64(p, Layouts.PACKET_KEY, key);
        Layouts.put64(p, Layouts.PACKET_UNION, word);
        return p;
    }

    private static int create(SimKernel k) {
        int[] out = new int[1];
        assertEquals(ZX_OK, k.zx_port_create(0, out));
        return out[0];
    }

    private static Thread start(String name, List<Throwable> failures, ThrowingRunnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failures.add(e);
            }
        }, name);
        t.start();
        return t;
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static void join(Thread t) throws InterruptedException {
        t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertFalse(t.isAlive(), t.getName() + " did not finish");
    }

    @Test
    void twoThreadsOnTheirOwnPortsWhileAThirdClosesOtherHandles() throws Exception {
        SimKernel k = new SimKernel();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        int rounds = 200_000;
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            long key = 100 + w;
            int port = create(k);
            workers.add(start("port-user-" + w, failures, () -> {
                byte[] out = new byte[Layouts.PORT_PACKET_SIZE];
                for (int i = 0; i < rounds; i++) {
                    assertEquals(ZX_OK, k.zx_port_queue(port, userPacket(key, i)));
                    assertEquals(ZX_OK, k.zx_port_wait(port, ZX_TIME_INFINITE_PAST, out));
                    assertEquals(key, Layouts.i64(out, Layouts.PACKET_KEY));
                    assertEquals(i, Layouts.i64(out, Layouts.PACKET_UNION));
                    assertEquals(ZX_PKT_TYPE_USER, Layouts.i32(out, Layouts.PACKET_TYPE));
                }
                assertEquals(ZX_ERR_TIMED_OUT, k.zx_port_wait(port, ZX_TIME_INFINITE_PAST, out));
                assertEquals(ZX_OK, k.zx_handle_close(port));
            }));
        }
        // Creates, duplicates and closes ports and events, so handle-table slots are reused and
        // the table grows while the workers look their handles up without the kernel lock.
        Thread churn = start("closer", failures, () -> {
            int[] out = new int[1];
            List<Integer> held = new ArrayList<>();
            while (!stop.get()) {
                assertEquals(ZX_OK, k.zx_event_create(0, out));
                int event = out[0];
                assertEquals(ZX_OK, k.zx_handle_duplicate(event, ZX_RIGHT_SAME_RIGHTS, out));
                held.add(out[0]);
                assertEquals(ZX_OK, k.zx_handle_close(event));
                int p = create(k);
                assertEquals(ZX_OK, k.zx_port_queue(p, userPacket(9, 9)));
                assertEquals(ZX_OK, k.zx_handle_close(p));
                assertEquals(ZX_ERR_BAD_HANDLE, k.zx_port_queue(p, userPacket(9, 9)));
                if (held.size() == 200) {
                    for (int h : held) {
                        assertEquals(ZX_OK, k.zx_handle_close(h));
                    }
                    held.clear();
                }
            }
            for (int h : held) {
                assertEquals(ZX_OK, k.zx_handle_close(h));
            }
        });
        for (Thread t : workers) {
            join(t);
        }
        stop.set(true);
        join(churn);
        assertTrue(failures.isEmpty(), () -> "failures: " + failures);
        assertTrue(k.liveHandles().isEmpty(), () -> "leaked: " + k.liveHandles());
    }

    @Test
    void queueRacingTheLastCloseIsOkUntilTheCloseThenBadHandle() throws Exception {
        SimKernel k = new SimKernel();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int round = 0; round < 300; round++) {
            int port = create(k);
            CountDownLatch go = new CountDownLatch(1);
            Map<Integer, Integer> seen = new ConcurrentHashMap<>();
            Thread queuer = start("queuer", failures, () -> {
                go.await();
                byte[] p = userPacket(1, 2);
                int status;
                int n = 0;
                while ((status = k.zx_port_queue(port, p)) == ZX_OK) {
                    if (++n == 4000) { // stay under the user-packet limit
                        byte[] out = new byte[Layouts.PORT_PACKET_SIZE];
                        int drained;
                        while ((drained = k.zx_port_wait(port, ZX_TIME_INFINITE_PAST, out))
                                == ZX_OK) {
                            n--;
                        }
                        if (drained == ZX_ERR_BAD_HANDLE) {
                            status = drained;
                            break;
                        }
                        assertEquals(ZX_ERR_TIMED_OUT, drained);
                    }
                }
                seen.merge(status, 1, Integer::sum);
            });
            go.countDown();
            Thread.onSpinWait();
            assertEquals(ZX_OK, k.zx_handle_close(port));
            join(queuer);
            assertEquals(Map.of(ZX_ERR_BAD_HANDLE, 1), seen, "round " + round);
        }
        assertTrue(failures.isEmpty(), () -> "failures: " + failures);
    }

    @Test
    void aQueueThatLookedUpThePortBeforeItsLastCloseGetsBadHandleAfterIt() throws Exception {
        // The window of the race above, made deterministic: the handle was looked up, then the
        // last handle closed (on_zero_handles ran), then the queue reaches the port.
        SimKernel k = new SimKernel();
        PortObject port = new PortObject(k, 0);
        port.queueUser(userPacket(1, 1));
        port.onZeroHandles();
        SysErr e = assertThrows(SysErr.class, () -> port.queueUser(userPacket(1, 2)));
        assertEquals(ZX_ERR_BAD_HANDLE, e.status);
        assertEquals(null, port.take(ZX_TIME_INFINITE_PAST), "the dead port holds no packet");
    }

    @Test
    void aPortWaiterOutlivesTheLastCloseAndTimesOutWhenTheManualClockPassesItsDeadline()
            throws Exception {
        ManualClock clock = new ManualClock(1_000);
        SimKernel k = new SimKernel(clock);
        int port = create(k);
        FutureTask<Integer> wait = new FutureTask<>(
                () -> k.zx_port_wait(port, 5_000, new byte[Layouts.PORT_PACKET_SIZE]));
        Thread waiter = new Thread(wait, "port-waiter");
        waiter.start();
        awaitBlocked(waiter);
        // Closing the last handle frees the queue but does not end a wait already in progress
        // (the waiter holds the port), as on Zircon; the deadline does.
        assertEquals(ZX_OK, k.zx_handle_close(port));
        clock.advance(1_000);
        awaitBlocked(waiter);
        assertFalse(wait.isDone(), "the deadline has not passed yet");
        clock.advance(3_000);
        assertEquals(ZX_ERR_TIMED_OUT, wait.get(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void twoPortWaitersWokenByQueuesFromOtherThreadsWhileTheClockMoves() throws Exception {
        ManualClock clock = new ManualClock(0);
        SimKernel k = new SimKernel(clock);
        int a = create(k);
        int b = create(k);
        List<Future<Integer>> waits = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int port : new int[] {a, b}) {
            FutureTask<Integer> f = new FutureTask<>(() -> {
                byte[] out = new byte[Layouts.PORT_PACKET_SIZE];
                int status = k.zx_port_wait(port, 1_000_000, out);
                return status == ZX_OK ? (int) Layouts.i64(out, Layouts.PACKET_KEY) : status;
            });
            Thread t = new Thread(f, "waiter-" + port);
            t.start();
            threads.add(t);
            waits.add(f);
        }
        for (Thread t : threads) {
            awaitBlocked(t);
        }
        clock.advance(10); // wakes both to re-check the clock; neither deadline has passed
        for (Thread t : threads) {
            awaitBlocked(t);
        }
        assertEquals(ZX_OK, k.zx_port_queue(b, userPacket(22, 0)));
        assertEquals(ZX_OK, k.zx_port_queue(a, userPacket(11, 0)));
        assertEquals(11, waits.get(0).get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(22, waits.get(1).get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(ZX_OK, k.zx_handle_close(a));
        assertEquals(ZX_OK, k.zx_handle_close(b));
    }

    @Test
    void interruptWaitersOnTheirOwnInterruptsAreCanceledByTheCloseWhileOthersTrigger()
            throws Exception {
        SimKernel k = new SimKernel();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        int[] out = new int[1];
        // Two waiters blocked on their own interrupts, to be cancelled by closing the handles.
        int[] closed = new int[2];
        List<FutureTask<Integer>> blocked = new ArrayList<>();
        List<Thread> blockedThreads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            assertEquals(ZX_OK, k.zx_interrupt_create(0, 0, ZX_INTERRUPT_VIRTUAL, out));
            int irq = out[0];
            closed[i] = irq;
            FutureTask<Integer> f = new FutureTask<>(() -> k.zx_interrupt_wait(irq, new long[1]));
            Thread t = new Thread(f, "irq-waiter-" + i);
            t.start();
            blocked.add(f);
            blockedThreads.add(t);
        }
        // Two more pairs of threads trigger and wait on their own interrupts meanwhile.
        List<Thread> busy = new ArrayList<>();
        List<Integer> busyIrqs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            assertEquals(ZX_OK, k.zx_interrupt_create(0, 0, ZX_INTERRUPT_VIRTUAL, out));
            int irq = out[0];
            int rounds = 2_000;
            CountDownLatch[] steps = new CountDownLatch[rounds];
            for (int r = 0; r < rounds; r++) {
                steps[r] = new CountDownLatch(1);
            }
            busy.add(start("irq-wait-loop-" + i, failures, () -> {
                long[] ts = new long[1];
                for (int r = 0; r < rounds; r++) {
                    assertEquals(ZX_OK, k.zx_interrupt_wait(irq, ts));
                    assertEquals(r + 1, ts[0]);
                    steps[r].countDown();
                }
            }));
            busy.add(start("irq-trigger-loop-" + i, failures, () -> {
                for (int r = 0; r < rounds; r++) {
                    assertEquals(ZX_OK, k.zx_interrupt_trigger(irq, 0, r + 1));
                    assertTrue(steps[r].await(WAIT_SECONDS, TimeUnit.SECONDS), "round " + r);
                }
            }));
            busyIrqs.add(irq);
        }
        for (Thread t : blockedThreads) {
            awaitBlocked(t);
        }
        assertEquals(ZX_OK, k.zx_handle_close(closed[0]));
        assertEquals(ZX_OK, k.zx_handle_close(closed[1]));
        for (FutureTask<Integer> f : blocked) {
            assertEquals(ZX_ERR_CANCELED, f.get(WAIT_SECONDS, TimeUnit.SECONDS));
        }
        for (Thread t : busy) {
            join(t);
        }
        assertTrue(failures.isEmpty(), () -> "failures: " + failures);
        for (int irq : busyIrqs) {
            assertEquals(ZX_OK, k.zx_handle_close(irq));
        }
        assertTrue(k.liveHandles().isEmpty(), () -> "leaked: " + k.liveHandles());
    }

    @Test
    void anInterruptWaitEndedByDestroyFromAnotherThreadIsCanceled() throws Exception {
        SimKernel k = new SimKernel();
        int[] out = new int[1];
        assertEquals(ZX_OK, k.zx_interrupt_create(0, 0, ZX_INTERRUPT_VIRTUAL, out));
        int irq = out[0];
        FutureTask<Integer> f = new FutureTask<>(() -> k.zx_interrupt_wait(irq, null));
        Thread t = new Thread(f, "irq-waiter");
        t.start();
        awaitBlocked(t);
        assertEquals(ZX_OK, k.zx_interrupt_destroy(irq));
        assertEquals(ZX_ERR_CANCELED, f.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(ZX_OK, k.zx_handle_close(irq));
    }

    @Test
    void anInfiniteWaitOnAPortIsEndedByAQueueFromAnotherThread() throws Exception {
        SimKernel k = new SimKernel(new ManualClock(0));
        int port = create(k);
        FutureTask<Integer> f = new FutureTask<>(
                () -> k.zx_port_wait(port, ZX_TIME_INFINITE, new byte[Layouts.PORT_PACKET_SIZE]));
        Thread t = new Thread(f, "port-waiter");
        t.start();
        awaitBlocked(t);
        assertEquals(ZX_OK, k.zx_port_queue(port, userPacket(3, 3)));
        assertEquals(ZX_OK, f.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(ZX_OK, k.zx_handle_close(port));
    }

    /** Waits until {@code t} is parked (blocked in the kernel). */
    private static void awaitBlocked(Thread t) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            assertTrue(t.isAlive(), t.getName() + " ended instead of blocking");
            assertTrue(System.nanoTime() < end, t.getName() + " never blocked");
            Thread.sleep(1);
        }
    }
}
