package dev.zx4j.conformance;

import static dev.zx4j.abi.Layouts.INFO_TIMER_DEADLINE;
import static dev.zx4j.abi.Layouts.INFO_TIMER_OPTIONS;
import static dev.zx4j.abi.Layouts.INFO_TIMER_SIZE;
import static dev.zx4j.abi.Layouts.INFO_TIMER_SLACK;
import static dev.zx4j.abi.Layouts.i32;
import static dev.zx4j.abi.Layouts.i64;
import static dev.zx4j.abi.Zx.*;
import static dev.zx4j.conformance.Zk.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.testing.KernelTest;
import dev.zx4j.testing.TestKernel;

/** {@code zx_timer_create}, {@code zx_timer_set}, {@code zx_timer_cancel}, {@code ZX_INFO_TIMER} (async notes §8). */
class TimerConformanceTest {

    private static byte[] info(Syscalls zx, int t) {
        byte[] b = new byte[INFO_TIMER_SIZE];
        assertEquals(ZX_OK, zx.zx_object_get_info(t, ZX_INFO_TIMER, b, INFO_TIMER_SIZE, null, null));
        return b;
    }

    @KernelTest
    void createChecks(TestKernel k) {
        Syscalls zx = k.zx();
        int[] out = {42};
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_timer_create(0, 1, out), "only the monotonic clock");
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_timer_create(3, ZX_CLOCK_MONOTONIC, out));
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_timer_create(-1, ZX_CLOCK_MONOTONIC, out));
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_timer_create(0, ZX_CLOCK_MONOTONIC, null));
        assertEquals(42, out[0]);
        for (int mode : new int[] {ZX_TIMER_SLACK_CENTER, ZX_TIMER_SLACK_EARLY, ZX_TIMER_SLACK_LATE}) {
            int t = timer(zx, mode);
            assertEquals(ZX_DEFAULT_TIMER_RIGHTS, rightsOf(zx, t));
            assertEquals(mode, i32(info(zx, t), INFO_TIMER_OPTIONS));
            assertEquals(0, signalsOf(zx, t));
            close(zx, t);
        }
        assertEquals(0, k.sim().liveHandles().size());
    }

    @KernelTest
    void setAndCancelChecks(TestKernel k) {
        Syscalls zx = k.zx();
        int t = timer(zx, 0);
        int e = event(zx);
        int noWrite = dup(zx, t, ZX_DEFAULT_TIMER_RIGHTS & ~ZX_RIGHT_WRITE);
        // Negative slack is refused before the handle is looked at.
        assertEquals(ZX_ERR_OUT_OF_RANGE, zx.zx_timer_set(ZX_HANDLE_INVALID, 1, -1));
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_timer_set(ZX_HANDLE_INVALID, 1, 0));
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_timer_set(e, 1, 0));
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_timer_set(noWrite, 1, 0));
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_timer_cancel(ZX_HANDLE_INVALID));
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_timer_cancel(e));
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_timer_cancel(noWrite));
        assertEquals(ZX_OK, zx.zx_timer_cancel(t), "cancel before set is harmless");
        close(zx, t, e, noWrite);
    }

    @KernelTest
    void firesOnceAtTheDeadline(TestKernel k) {
        Syscalls zx = k.zx();
        int t = timer(zx, ZX_TIMER_SLACK_LATE);
        long d = zx.zx_clock_get_monotonic() + 10_000;
        assertEquals(ZX_OK, zx.zx_timer_set(t, d, 300));
        byte[] i = info(zx, t);
        assertEquals(d, i64(i, INFO_TIMER_DEADLINE));
        assertEquals(300, i64(i, INFO_TIMER_SLACK));
        Call<int[]> w = start("wait_one", () -> {
            int[] obs = new int[1];
            int st = zx.zx_object_wait_one(t, ZX_TIMER_SIGNALED, ZX_TIME_INFINITE, obs);
            return new int[] {st, obs[0]};
        }).awaitBlocked();
        k.clock().advance(9_999);
        w.assertStillBlocked();
        k.clock().advance(1);
        assertArrayEquals(new int[] {ZX_OK, ZX_TIMER_SIGNALED}, w.result());
        assertEquals(0, i64(info(zx, t), INFO_TIMER_DEADLINE), "the deadline is forgotten");
        // Stays asserted until cancelled or set again; never re-fires by itself.
        k.clock().advance(1_000_000);
        assertEquals(ZX_TIMER_SIGNALED, signalsOf(zx, t));
        assertEquals(ZX_OK, zx.zx_timer_cancel(t));
        assertEquals(0, signalsOf(zx, t));
        close(zx, t);
    }

    @KernelTest
    void pastOrZeroDeadlineSignalsAtOnce(TestKernel k) {
        Syscalls zx = k.zx();
        int t = timer(zx, 0);
        assertEquals(ZX_OK, zx.zx_timer_set(t, 0, 0));
        assertEquals(ZX_TIMER_SIGNALED, signalsOf(zx, t));
        assertEquals(0, i64(info(zx, t), INFO_TIMER_DEADLINE), "nothing armed");
        assertEquals(ZX_OK, zx.zx_timer_set(t, zx.zx_clock_get_monotonic(), 0));
        assertEquals(ZX_TIMER_SIGNALED, signalsOf(zx, t));
        // Setting a future deadline first clears the signal.
        assertEquals(ZX_OK, zx.zx_timer_set(t, zx.zx_clock_get_monotonic() + 5, 0));
        assertEquals(0, signalsOf(zx, t));
        close(zx, t);
    }

    @KernelTest
    void settingAgainRestartsAndClears(TestKernel k) {
        // set() cancels first, and the cancel clears the signal: an edge waiter on the timer sees
        // the clear-then-set of an immediate re-set as a change with the signal asserted.
        Syscalls zx = k.zx();
        int t = timer(zx, 0);
        int p = port(zx, 0);
        assertEquals(ZX_OK, zx.zx_timer_set(t, 0, 0));
        waitAsync(zx, t, p, 1, ZX_TIMER_SIGNALED, ZX_WAIT_ASYNC_EDGE);
        assertEmpty(zx, p);
        assertEquals(ZX_OK, zx.zx_timer_set(t, 0, 0));
        assertSignalPacket(take(zx, p), 1, ZX_TIMER_SIGNALED, ZX_TIMER_SIGNALED, 0);
        long now = zx.zx_clock_get_monotonic();
        assertEquals(ZX_OK, zx.zx_timer_set(t, now + 100, 0));
        assertEquals(ZX_OK, zx.zx_timer_set(t, now + 200, 0));
        k.clock().advance(150);
        assertEquals(0, signalsOf(zx, t), "the first deadline was replaced");
        k.clock().advance(50);
        assertEquals(ZX_TIMER_SIGNALED, signalsOf(zx, t));
        assertEquals(ZX_OK, zx.zx_timer_set(t, now + 1_000, 0));
        assertEquals(ZX_OK, zx.zx_timer_cancel(t));
        k.clock().advance(10_000);
        assertEquals(0, signalsOf(zx, t), "a cancelled timer does not fire");
        close(zx, t, p);
    }

    @KernelTest
    void closingAnArmedTimerCancelsIt(TestKernel k) {
        Syscalls zx = k.zx();
        int t = timer(zx, 0);
        assertEquals(ZX_OK, zx.zx_timer_set(t, zx.zx_clock_get_monotonic() + 10, 0));
        close(zx, t);
        k.clock().advance(100); // nothing to fire; no failure
    }

    @KernelTest
    void infoTimerChecks(TestKernel k) {
        Syscalls zx = k.zx();
        int t = timer(zx, 0);
        int e = event(zx);
        int noInspect = dup(zx, t, ZX_DEFAULT_TIMER_RIGHTS & ~ZX_RIGHT_INSPECT);
        byte[] b = new byte[INFO_TIMER_SIZE];
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_object_get_info(e, ZX_INFO_TIMER, b, b.length, null, null));
        assertEquals(ZX_ERR_ACCESS_DENIED,
                zx.zx_object_get_info(noInspect, ZX_INFO_TIMER, b, b.length, null, null));
        long[] actual = {9};
        long[] avail = {9};
        assertEquals(ZX_ERR_BUFFER_TOO_SMALL,
                zx.zx_object_get_info(t, ZX_INFO_TIMER, b, INFO_TIMER_SIZE - 1, actual, avail));
        assertEquals(0, actual[0]);
        assertEquals(1, avail[0]);
        close(zx, t, e, noInspect);
    }
}
