package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Timers and deadlines of the signal syscalls on a kernel whose clock follows real time. */
class SignalRealClockTest {

    @Test
    void aTimerFiresOnItsOwnAndWakesAWaiter() {
        SimKernel k = new SimKernel();
        int[] t = new int[1];
        assertEquals(ZX_OK, k.zx_timer_create(ZX_TIMER_SLACK_CENTER, ZX_CLOCK_MONOTONIC, t));
        long start = k.zx_clock_get_monotonic();
        assertEquals(ZX_OK, k.zx_timer_set(t[0], start + 20_000_000, 0));
        int[] observed = new int[1];
        assertEquals(ZX_OK, k.zx_object_wait_one(t[0], ZX_TIMER_SIGNALED,
                start + 5_000_000_000L, observed));
        long waited = k.zx_clock_get_monotonic() - start;
        assertEquals(ZX_TIMER_SIGNALED, observed[0]);
        assertTrue(waited >= 20_000_000, "not before the deadline: " + waited);
        assertTrue(waited < 2_000_000_000L, "fired in time: " + waited);
        assertEquals(ZX_OK, k.zx_handle_close(t[0]));
    }

    @Test
    void waitOneTimesOutAtARealDeadline() {
        SimKernel k = new SimKernel();
        int[] e = new int[1];
        assertEquals(ZX_OK, k.zx_event_create(0, e));
        long start = k.zx_clock_get_monotonic();
        assertEquals(ZX_ERR_TIMED_OUT, k.zx_object_wait_one(e[0], ZX_USER_SIGNAL_0,
                start + 10_000_000, null));
        assertTrue(k.zx_clock_get_monotonic() - start >= 10_000_000);
        assertEquals(ZX_OK, k.zx_handle_close(e[0]));
    }

    @Test
    void aJavaInterruptEndsABlockedWaitWithCanceled() throws Exception {
        SimKernel k = new SimKernel();
        int[] e = new int[1];
        assertEquals(ZX_OK, k.zx_event_create(0, e));
        int[] result = new int[1];
        Thread waiter = new Thread(() -> result[0] = k.zx_object_wait_one(e[0], ZX_USER_SIGNAL_0,
                ZX_TIME_INFINITE, null));
        waiter.start();
        long end = System.nanoTime() + 5_000_000_000L;
        while (waiter.getState() != Thread.State.WAITING
                && waiter.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        waiter.interrupt();
        waiter.join(5_000);
        assertEquals(ZX_ERR_CANCELED, result[0]);
        assertTrue(waiter.isInterrupted() || !waiter.isAlive());
        // The kernel goes on normally: the interrupted wait left nothing behind.
        assertEquals(ZX_OK, k.zx_object_signal(e[0], 0, ZX_USER_SIGNAL_0));
        assertEquals(ZX_OK, k.zx_object_wait_one(e[0], ZX_USER_SIGNAL_0, 0, null));
        assertEquals(ZX_OK, k.zx_handle_close(e[0]));
    }
}
