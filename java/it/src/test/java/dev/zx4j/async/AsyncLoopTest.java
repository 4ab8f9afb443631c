package dev.zx4j.async;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.Event;
import dev.zx4j.Interrupt;
import dev.zx4j.Kernel;
import dev.zx4j.Signals;
import dev.zx4j.Status;
import dev.zx4j.Timer;
import dev.zx4j.TimerSlack;
import dev.zx4j.WaitAsyncOptions;
import dev.zx4j.demo.ButtonDriver;
import dev.zx4j.testing.KernelTest;
import dev.zx4j.testing.TestKernel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The async dispatcher on both kernels, driven by the test thread and the manual clock. */
class AsyncLoopTest {

    private static Kernel kernel(TestKernel k) {
        return Kernel.of(k.zx());
    }

    @KernelTest
    void waitHandlerRunsOncePerBeginWithThePacket(TestKernel k) {
        Kernel zx = kernel(k);
        List<String> log = new ArrayList<>();
        try (AsyncLoop loop = new AsyncLoop(zx); Event e = zx.createEvent()) {
            AsyncLoop.Wait w = loop.beginWait(e, Signals.USER_0, (l, wait, st, p) -> {
                log.add(st + " " + p.trigger() + " " + p.observed() + " ts=" + (p.timestamp() != 0));
            }, WaitAsyncOptions.TIMESTAMP);
            assertTrue(w.isPending());
            assertEquals(0, loop.runUntilIdle());
            e.signal(Signals.NONE, Signals.USER_0.or(Signals.USER_3));
            assertEquals(1, loop.runUntilIdle());
            assertFalse(w.isPending());
            e.signal(Signals.USER_0, Signals.NONE);
            e.signal(Signals.NONE, Signals.USER_0);
            assertEquals(0, loop.runUntilIdle(), "one packet per begin");
            w.begin();
            assertEquals(1, loop.runUntilIdle(), "level: already asserted");
            assertEquals(List.of(
                    "ZX_OK Signals[USER_0] Signals[USER_0|USER_3] ts=true",
                    "ZX_OK Signals[USER_0] Signals[USER_0|USER_3] ts=true"), log);
            assertThrows(IllegalStateException.class, () -> {
                AsyncLoop.Wait again = loop.beginWait(e, Signals.USER_1, (l, wt, st, p) -> { });
                again.begin();
            });
        }
    }

    @KernelTest
    void cancelBeforeAndAfterDelivery(TestKernel k) {
        Kernel zx = kernel(k);
        List<Integer> ran = new ArrayList<>();
        try (AsyncLoop loop = new AsyncLoop(zx); Event e = zx.createEvent()) {
            AsyncLoop.Wait a = loop.beginWait(e, Signals.USER_0, (l, w, st, p) -> ran.add(1));
            AsyncLoop.Wait b = loop.beginWait(e, Signals.USER_0, (l, w, st, p) -> ran.add(2));
            assertTrue(a.cancel());
            assertFalse(a.cancel());
            e.signal(Signals.NONE, Signals.USER_0); // b's packet is queued now
            assertTrue(b.cancel(), "queued but not dispatched: still cancellable");
            assertEquals(0, loop.runUntilIdle());
            assertEquals(List.of(), ran);
            AsyncLoop.Wait c = loop.beginWait(e, Signals.USER_0, (l, w, st, p) -> ran.add(3));
            assertEquals(1, loop.runUntilIdle());
            assertFalse(c.cancel(), "already dispatched");
            assertEquals(List.of(3), ran);
        }
    }

    @KernelTest
    void tasksRunInDeadlineOrderAsTheClockAdvances(TestKernel k) {
        Kernel zx = kernel(k);
        List<String> ran = new ArrayList<>();
        try (AsyncLoop loop = new AsyncLoop(zx)) {
            loop.postDelayed(Duration.ofMillis(20), (l, t, st) -> ran.add("20ms " + st));
            loop.postDelayed(Duration.ofMillis(5), (l, t, st) -> ran.add("5ms"));
            AsyncLoop.Task gone = loop.postDelayed(Duration.ofMillis(10), (l, t, st) -> ran.add("10ms"));
            loop.postTask((l, t, st) -> ran.add("now-a"));
            loop.postTask((l, t, st) -> ran.add("now-b"));
            assertEquals(2, loop.runUntilIdle());
            assertEquals(List.of("now-a", "now-b"), ran);
            assertTrue(gone.cancel());
            assertFalse(gone.cancel());
            k.clock().advance(Duration.ofMillis(5).toNanos() - 1);
            assertEquals(0, loop.runUntilIdle(), "not yet due");
            k.clock().advance(1);
            assertEquals(1, loop.runUntilIdle());
            k.clock().advance(Duration.ofMillis(100).toNanos());
            // A task posted from a handler for "now" runs in the same idle run.
            loop.postTask((l, t, st) -> l.postTask((l2, t2, st2) -> ran.add("chained")));
            assertEquals(3, loop.runUntilIdle());
            assertEquals(List.of("now-a", "now-b", "5ms", "20ms ZX_OK", "chained"), ran);
        }
    }

    @KernelTest
    void irqHandlersSeeEveryAckedInterrupt(TestKernel k) {
        Kernel zx = kernel(k);
        List<Long> stamps = new ArrayList<>();
        try (AsyncLoop loop = new AsyncLoop(zx); Interrupt irq = zx.createVirtualInterrupt()) {
            AsyncLoop.Irq bound = loop.bindIrq(irq, (l, i, st, ts) -> {
                stamps.add(ts);
                if (ts != 20) {
                    i.ack();
                }
            });
            irq.trigger(10);
            assertEquals(1, loop.runUntilIdle());
            irq.trigger(20);
            assertEquals(1, loop.runUntilIdle());
            irq.trigger(30); // not acked yet: coalesced in the kernel
            assertEquals(0, loop.runUntilIdle());
            bound.ack(); // the pending trigger is delivered now
            assertEquals(1, loop.runUntilIdle());
            assertEquals(List.of(10L, 20L, 30L), stamps);
            assertTrue(bound.unbind());
            assertFalse(bound.unbind());
        }
    }

    @KernelTest
    void shutdownCancelsEveryPendingHandlerOnce(TestKernel k) {
        Kernel zx = kernel(k);
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        Event e = zx.createEvent();
        Interrupt irq = zx.createVirtualInterrupt();
        AsyncLoop loop = new AsyncLoop(zx);
        loop.beginWait(e, Signals.USER_0, (l, w, st, p) -> {
            assertNull(p);
            log.add("wait " + st);
        });
        loop.postDelayed(Duration.ofSeconds(1), (l, t, st) -> log.add("task " + st));
        loop.bindIrq(irq, (l, i, st, ts) -> log.add("irq " + st));
        loop.shutdown();
        loop.shutdown();
        assertEquals(List.of("wait ZX_ERR_CANCELED", "task ZX_ERR_CANCELED", "irq ZX_ERR_CANCELED"), log);
        assertThrows(IllegalStateException.class, () -> loop.postTask((l, t, st) -> { }));
        e.close();
        irq.close();
    }

    @KernelTest
    void loopThreadsDispatchUntilShutdown(TestKernel k) throws Exception {
        Kernel zx = kernel(k);
        int n = 200;
        CountDownLatch done = new CountDownLatch(n);
        try (AsyncLoop loop = new AsyncLoop(zx); Event e = zx.createEvent()) {
            loop.startThreads(2, "loop");
            for (int i = 0; i < n; i++) {
                loop.postTask((l, t, st) -> done.countDown());
            }
            assertTrue(done.await(5, TimeUnit.SECONDS));
            CountDownLatch woke = new CountDownLatch(1);
            loop.beginWait(e, Signals.EVENT_SIGNALED, (l, w, st, p) -> woke.countDown());
            e.signal(Signals.NONE, Signals.EVENT_SIGNALED);
            assertTrue(woke.await(5, TimeUnit.SECONDS));
        }
    }

    @KernelTest
    void aHandlerMayShutTheLoopDown(TestKernel k) throws Exception {
        Kernel zx = kernel(k);
        CountDownLatch cancelled = new CountDownLatch(1);
        AsyncLoop loop = new AsyncLoop(zx);
        loop.postDelayed(Duration.ofSeconds(10), (l, t, st) -> {
            if (st.equals(Status.CANCELED)) {
                cancelled.countDown();
            }
        });
        loop.startThreads(1, "self-stop");
        loop.postTask((l, t, st) -> l.shutdown());
        assertTrue(cancelled.await(5, TimeUnit.SECONDS), "the pending task was cancelled");
        assertThrows(IllegalStateException.class, () -> loop.postTask((l, t, st) -> { }));
    }

    @org.junit.jupiter.api.Test
    void delayedTasksRunOnTheirOwnWithARealClock() throws Exception {
        Kernel zx = Kernel.simulated();
        CountDownLatch ran = new CountDownLatch(1);
        long[] when = new long[2];
        try (AsyncLoop loop = new AsyncLoop(zx)) {
            loop.startThreads(1, "real-clock");
            when[0] = zx.monotonicNow();
            loop.postDelayed(Duration.ofMillis(20), (l, t, st) -> {
                when[1] = zx.monotonicNow();
                ran.countDown();
            });
            assertTrue(ran.await(5, TimeUnit.SECONDS));
        }
        assertTrue(when[1] - when[0] >= 20_000_000, "not before its deadline");
    }

    @KernelTest
    void timersAreWaitableSourcesToo(TestKernel k) {
        Kernel zx = kernel(k);
        List<Signals> seen = new ArrayList<>();
        try (AsyncLoop loop = new AsyncLoop(zx); Timer t = zx.createTimer(TimerSlack.CENTER)) {
            t.set(zx.monotonicNow() + 1_000, Duration.ofNanos(100));
            assertEquals(zx.monotonicNow() + 1_000, t.deadline());
            loop.beginWait(t, Signals.TIMER_SIGNALED, (l, w, st, p) -> seen.add(p.observed()));
            assertEquals(0, loop.runUntilIdle());
            k.clock().advance(1_000);
            assertEquals(1, loop.runUntilIdle());
            assertEquals(List.of(Signals.TIMER_SIGNALED), seen);
            assertEquals(0, t.deadline());
        }
    }

    @KernelTest
    void theExampleDriverDebouncesPresses(TestKernel k) {
        Kernel zx = kernel(k);
        try (AsyncLoop loop = new AsyncLoop(zx); Interrupt button = zx.createVirtualInterrupt();
             ButtonDriver driver = new ButtonDriver(loop, button)) {
            long step = Duration.ofMillis(2).toNanos();
            for (int bounce = 0; bounce < 3; bounce++) { // three edges 2 ms apart: one press
                button.trigger(zx.monotonicNow());
                loop.runUntilIdle();
                k.clock().advance(step);
                loop.runUntilIdle();
            }
            assertEquals(0, driver.presses());
            assertFalse(driver.pressed().signals().containsAny(Signals.USER_0));
            k.clock().advance(ButtonDriver.DEBOUNCE.toNanos());
            loop.runUntilIdle();
            assertEquals(1, driver.presses());
            assertTrue(driver.pressed().signals().containsAll(Signals.USER_0));
            driver.control().signal(Signals.NONE, Signals.USER_1);
            loop.runUntilIdle();
            assertEquals(0, driver.presses(), "reset by the control event");
            assertFalse(driver.control().signals().containsAny(Signals.USER_1));
        }
    }
}
