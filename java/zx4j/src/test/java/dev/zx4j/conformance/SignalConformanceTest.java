package dev.zx4j.conformance;

import static dev.zx4j.abi.Layouts.WAIT_ITEM_SIZE;
import static dev.zx4j.abi.Layouts.i32;
import static dev.zx4j.abi.Layouts.put32;
import static dev.zx4j.abi.Zx.*;
import static dev.zx4j.conformance.Zk.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.testing.KernelTest;
import dev.zx4j.testing.TestKernel;

/**
 * Events, user signals and synchronous waits: {@code zx_event_create}, {@code zx_object_signal},
 * {@code zx_object_wait_one}, {@code zx_object_wait_many} (late-2021/2022 rules; the async notes
 * §2–§5, §10). Several cases follow Zircon's own event and wait tests, rewritten here.
 */
class SignalConformanceTest {

    // ---- zx_event_create --------------------------------------------------------------------

    @KernelTest
    void eventCreate(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        assertEquals(ZX_OBJ_TYPE_EVENT, typeOf(zx, e));
        assertEquals(0xD003, rightsOf(zx, e));
        assertEquals(ZX_DEFAULT_EVENT_RIGHTS, rightsOf(zx, e));
        assertEquals(0, signalsOf(zx, e), "an event starts with no signal");
        int[] out = {42};
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_event_create(1, out));
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_event_create(0x80000000, out));
        assertEquals(42, out[0]);
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_event_create(0, null));
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_event_create(0, new int[0]));
        close(zx, e);
        assertEquals(0, k.sim().liveHandles().size(), "a faulting out pointer leaks no handle");
    }

    // ---- zx_object_signal -------------------------------------------------------------------

    @KernelTest
    void signalClearsThenSets(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        signal(zx, e, 0, ZX_USER_SIGNAL_0 | ZX_EVENT_SIGNALED);
        assertEquals(ZX_USER_SIGNAL_0 | ZX_EVENT_SIGNALED, signalsOf(zx, e));
        signal(zx, e, ZX_USER_SIGNAL_0, ZX_USER_SIGNAL_7);
        assertEquals(ZX_USER_SIGNAL_7 | ZX_EVENT_SIGNALED, signalsOf(zx, e));
        // A bit in both masks ends up set: clear first, then set.
        signal(zx, e, ZX_USER_SIGNAL_7, ZX_USER_SIGNAL_7);
        assertEquals(ZX_USER_SIGNAL_7 | ZX_EVENT_SIGNALED, signalsOf(zx, e));
        signal(zx, e, ZX_USER_SIGNAL_ALL | ZX_EVENT_SIGNALED, 0);
        assertEquals(0, signalsOf(zx, e));
        close(zx, e);
    }

    @KernelTest
    void signalChecks(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        int p = port(zx, 0);
        int noSignal = dup(zx, e, ZX_DEFAULT_EVENT_RIGHTS & ~ZX_RIGHT_SIGNAL);
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_object_signal(ZX_HANDLE_INVALID, 0, 0));
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_object_signal(noSignal, 0, ZX_USER_SIGNAL_0));
        // Rights come before the mask check, and ports have no SIGNAL right.
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_object_signal(noSignal, 0, 1));
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_object_signal(p, 0, ZX_USER_SIGNAL_0));
        // Kernel-owned bits cannot be set or cleared by the user.
        for (int bad : new int[] {1, 2, 4, 0x10, ZX_SIGNAL_HANDLE_CLOSED, 0x00FFFFF7}) {
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_object_signal(e, 0, bad), "set " + bad);
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_object_signal(e, bad, 0), "clear " + bad);
        }
        assertEquals(0, signalsOf(zx, e), "a refused call changes nothing");
        close(zx, e, p, noSignal);
    }

    @KernelTest
    void userSignalsOnEveryWaitableObject(TestKernel k) {
        Syscalls zx = k.zx();
        int irq = virtualIrq(zx);
        int[] vmo = new int[1];
        assertEquals(ZX_OK, zx.zx_vmo_create(4096, 0, vmo));
        int t = timer(zx, ZX_TIMER_SLACK_CENTER);
        for (int h : new int[] {irq, vmo[0], t}) {
            int before = signalsOf(zx, h);
            signal(zx, h, 0, ZX_USER_SIGNAL_3);
            assertEquals(before | ZX_USER_SIGNAL_3, signalsOf(zx, h));
            // Only events accept bit 3 from the user: the timer's and the VMO's are the kernel's.
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_object_signal(h, 0, ZX_EVENT_SIGNALED));
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_object_signal(h, ZX_EVENT_SIGNALED, 0));
            signal(zx, h, ZX_USER_SIGNAL_3, 0);
            assertEquals(before, signalsOf(zx, h));
        }
        assertEquals(0, signalsOf(zx, irq), "interrupts assert no signal of their own in this era");
        assertEquals(ZX_VMO_ZERO_CHILDREN, signalsOf(zx, vmo[0]), "a VMO without children");
        close(zx, irq, vmo[0], t);
    }

    // ---- zx_object_wait_one -----------------------------------------------------------------

    @KernelTest
    void waitOneChecks(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        int p = port(zx, 0);
        int noWait = dup(zx, e, ZX_DEFAULT_EVENT_RIGHTS & ~ZX_RIGHT_WAIT);
        int[] obs = {7};
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_object_wait_one(ZX_HANDLE_INVALID, 1, 0, obs));
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_object_wait_one(noWait, 1, 0, obs));
        // Ports lack WAIT in their default rights: denied before "not waitable" is looked at.
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_object_wait_one(p, 1, 0, obs));
        assertEquals(7, obs[0], "nothing written on an early failure");
        close(zx, e, p, noWait);
    }

    @KernelTest
    void waitOneAlreadySignaledReturnsEvenPastDeadline(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        signal(zx, e, 0, ZX_USER_SIGNAL_1 | ZX_EVENT_SIGNALED);
        int[] obs = new int[1];
        assertEquals(ZX_OK, zx.zx_object_wait_one(e, ZX_USER_SIGNAL_1, ZX_TIME_INFINITE_PAST, obs));
        assertEquals(ZX_USER_SIGNAL_1 | ZX_EVENT_SIGNALED, obs[0], "the whole word");
        assertEquals(ZX_OK, zx.zx_object_wait_one(e, ZX_USER_SIGNAL_1, 0, null), "NULL observed");
        // Not signaled: a past deadline polls and times out, still writing observed.
        obs[0] = 0;
        assertEquals(ZX_ERR_TIMED_OUT, zx.zx_object_wait_one(e, ZX_USER_SIGNAL_2, 0, obs));
        assertEquals(ZX_USER_SIGNAL_1 | ZX_EVENT_SIGNALED, obs[0]);
        // A faulting observed pointer is reported for every outcome.
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_object_wait_one(e, ZX_USER_SIGNAL_1, 0, new int[0]));
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_object_wait_one(e, ZX_USER_SIGNAL_2, 0, new int[0]));
        close(zx, e);
    }

    @KernelTest
    void waitOneWakesOnSignal(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        Call<int[]> w = start("wait_one", () -> {
            int[] obs = new int[1];
            int st = zx.zx_object_wait_one(e, ZX_USER_SIGNAL_5, ZX_TIME_INFINITE, obs);
            return new int[] {st, obs[0]};
        }).awaitBlocked();
        signal(zx, e, 0, ZX_USER_SIGNAL_4);
        w.assertStillBlocked();
        signal(zx, e, 0, ZX_USER_SIGNAL_5);
        assertArrayEquals(new int[] {ZX_OK, ZX_USER_SIGNAL_4 | ZX_USER_SIGNAL_5}, w.result());
        close(zx, e);
    }

    @KernelTest
    void waitOneTimesOutWhenTheClockPasses(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        long deadline = zx.zx_clock_get_monotonic() + 1_000_000;
        Call<int[]> w = start("wait_one", () -> {
            int[] obs = new int[1];
            int st = zx.zx_object_wait_one(e, ZX_USER_SIGNAL_0, deadline, obs);
            return new int[] {st, obs[0]};
        }).awaitBlocked();
        signal(zx, e, 0, ZX_USER_SIGNAL_1);
        k.clock().advance(999_999);
        w.assertStillBlocked();
        k.clock().advance(1);
        assertArrayEquals(new int[] {ZX_ERR_TIMED_OUT, ZX_USER_SIGNAL_1}, w.result());
        close(zx, e);
    }

    @KernelTest
    void closingTheHandleCancelsTheWait(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        int other = dup(zx, e, ZX_RIGHT_SAME_RIGHTS);
        signal(zx, e, 0, ZX_USER_SIGNAL_2);
        Call<int[]> w = start("wait_one", () -> {
            int[] obs = new int[1];
            int st = zx.zx_object_wait_one(e, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE, obs);
            return new int[] {st, obs[0]};
        }).awaitBlocked();
        close(zx, other); // another handle to the same event: the wait goes on
        w.assertStillBlocked();
        close(zx, e);
        assertArrayEquals(new int[] {ZX_ERR_CANCELED, ZX_USER_SIGNAL_2 | ZX_SIGNAL_HANDLE_CLOSED},
                w.result());
    }

    // ---- zx_object_wait_many ----------------------------------------------------------------

    private static byte[] items(int... handleAndWaitfor) {
        byte[] b = new byte[handleAndWaitfor.length / 2 * WAIT_ITEM_SIZE];
        for (int i = 0; i < handleAndWaitfor.length / 2; i++) {
            put32(b, i * WAIT_ITEM_SIZE, handleAndWaitfor[2 * i]);
            put32(b, i * WAIT_ITEM_SIZE + 4, handleAndWaitfor[2 * i + 1]);
            put32(b, i * WAIT_ITEM_SIZE + 8, 0x5A5A5A5A);
        }
        return b;
    }

    private static int pending(byte[] items, int i) {
        return i32(items, i * WAIT_ITEM_SIZE + 8);
    }

    @KernelTest
    void waitManyChecksInOrder(TestKernel k) {
        Syscalls zx = k.zx();
        int a = event(zx);
        int p = port(zx, 0);
        int noWait = dup(zx, a, ZX_RIGHT_DUPLICATE);
        assertEquals(ZX_ERR_TIMED_OUT, zx.zx_object_wait_many(null, 0, 0), "0 items sleeps, times out");
        assertEquals(ZX_ERR_OUT_OF_RANGE, zx.zx_object_wait_many(null, 65, 0), "count before pointer");
        assertEquals(ZX_ERR_OUT_OF_RANGE, zx.zx_object_wait_many(null, -1, 0));
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_object_wait_many(null, 1, 0));
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_object_wait_many(new byte[11], 1, 0));
        byte[] it = items(a, ZX_USER_SIGNAL_0, ZX_HANDLE_INVALID, 1);
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_object_wait_many(it, 2, 0));
        assertEquals(0x5A5A5A5A, pending(it, 0), "nothing written back on a bad item");
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_object_wait_many(items(noWait, 1, ZX_HANDLE_INVALID, 1), 2, 0),
                "first bad item wins");
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_object_wait_many(items(a, 1, p, 1), 2, 0));
        // 64 items are accepted.
        int[] many = new int[128];
        for (int i = 0; i < 64; i++) {
            many[2 * i] = a;
            many[2 * i + 1] = ZX_USER_SIGNAL_0;
        }
        assertEquals(ZX_ERR_TIMED_OUT, zx.zx_object_wait_many(items(many), 64, 0));
        close(zx, a, p, noWait);
    }

    @KernelTest
    void waitManyReportsEveryItem(TestKernel k) {
        Syscalls zx = k.zx();
        int a = event(zx);
        int b = event(zx);
        int t = timer(zx, ZX_TIMER_SLACK_LATE);
        signal(zx, b, 0, ZX_USER_SIGNAL_6);
        byte[] it = items(a, ZX_USER_SIGNAL_0, b, ZX_USER_SIGNAL_1, t, ZX_TIMER_SIGNALED);
        assertEquals(ZX_ERR_TIMED_OUT, zx.zx_object_wait_many(it, 3, 0));
        assertEquals(0, pending(it, 0));
        assertEquals(ZX_USER_SIGNAL_6, pending(it, 1));
        assertEquals(0, pending(it, 2));
        byte[] blocked = items(a, ZX_USER_SIGNAL_0, b, ZX_USER_SIGNAL_1, t, ZX_TIMER_SIGNALED);
        long deadline = zx.zx_clock_get_monotonic() + 500;
        assertEquals(ZX_OK, zx.zx_timer_set(t, deadline, 0));
        Call<Integer> w = start("wait_many",
                () -> zx.zx_object_wait_many(blocked, 3, ZX_TIME_INFINITE)).awaitBlocked();
        k.clock().advance(500);
        assertEquals(ZX_OK, w.result());
        assertEquals(0, pending(blocked, 0));
        assertEquals(ZX_USER_SIGNAL_6, pending(blocked, 1));
        assertEquals(ZX_TIMER_SIGNALED, pending(blocked, 2));
        close(zx, a, b, t);
    }

    @KernelTest
    void waitManyCanceledByAClose(TestKernel k) {
        Syscalls zx = k.zx();
        int a = event(zx);
        int b = event(zx);
        byte[] it = items(a, ZX_USER_SIGNAL_0, b, ZX_USER_SIGNAL_0);
        Call<Integer> w = start("wait_many",
                () -> zx.zx_object_wait_many(it, 2, ZX_TIME_INFINITE)).awaitBlocked();
        close(zx, b);
        assertEquals(ZX_ERR_CANCELED, w.result());
        assertEquals(0, pending(it, 0));
        assertEquals(ZX_SIGNAL_HANDLE_CLOSED, pending(it, 1));
        close(zx, a);
    }

    // ---- zx_object_get_info on the new types ------------------------------------------------

    @KernelTest
    void handleBasicOfEventsAndTimers(TestKernel k) {
        Syscalls zx = k.zx();
        int e = event(zx);
        int t = timer(zx, ZX_TIMER_SLACK_EARLY);
        assertEquals(ZX_OBJ_TYPE_TIMER, typeOf(zx, t));
        assertEquals(0xD00B, rightsOf(zx, t));
        assertEquals(koidOf(zx, e) + 1, koidOf(zx, t), "koids increase");
        close(zx, e, t);
    }
}
