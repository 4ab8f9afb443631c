package dev.zx4j.sim;

import static dev.zx4j.abi.Layouts.INFO_TIMER_DEADLINE;
import static dev.zx4j.abi.Layouts.INFO_TIMER_OPTIONS;
import static dev.zx4j.abi.Layouts.INFO_TIMER_SIZE;
import static dev.zx4j.abi.Layouts.INFO_TIMER_SLACK;
import static dev.zx4j.abi.Layouts.WAIT_ITEM_HANDLE;
import static dev.zx4j.abi.Layouts.WAIT_ITEM_PENDING;
import static dev.zx4j.abi.Layouts.WAIT_ITEM_SIZE;
import static dev.zx4j.abi.Layouts.WAIT_ITEM_WAITFOR;
import static dev.zx4j.abi.Layouts.i32;
import static dev.zx4j.abi.Layouts.put32;
import static dev.zx4j.abi.Layouts.put64;
import static dev.zx4j.abi.Layouts.valid;
import static dev.zx4j.abi.Zx.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * The bodies of the signal syscalls of {@link SimKernel}: events, {@code zx_object_signal},
 * {@code zx_object_wait_one}, {@code zx_object_wait_many}, {@code zx_object_wait_async}, the
 * waitable-source half of {@code zx_port_cancel}, timers and {@code ZX_INFO_TIMER}. Each method
 * runs inside SimKernel's syscall frame, under the kernel lock, and checks in the order of the
 * late-2021/2022 kernel (see the async notes and {@code fidl/object.fidl}, {@code fidl/timer.fidl}).
 *
 * <p>Each blocked call sleeps on its own condition of the kernel lock, woken only by a match or
 * cancellation of one of its own observers, and by every change of a manual clock; armed timers
 * fire from the clock listener (a manual clock) or from one shared daemon thread (real time).
 */
final class SignalSyscalls {

    /** One daemon thread for the real-time expiry of every simulated timer. */
    private static final ScheduledThreadPoolExecutor TIMER_THREAD = newTimerThread();

    private static ScheduledThreadPoolExecutor newTimerThread() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "zx4j-sim-timers");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    private final SimKernel kernel;
    private final HandleTable handles;
    /** The conditions of the calls blocked now, woken by every change of a manual clock. */
    private final Set<Condition> sleeping = new LinkedHashSet<>();
    private final Set<TimerObject> armed = new LinkedHashSet<>();

    SignalSyscalls(SimKernel kernel, HandleTable handles) {
        this.kernel = kernel;
        this.handles = handles;
        kernel.clock.addListener(this::clockChanged);
    }

    // ---- clock and timers ---------------------------------------------------------------

    private void clockChanged() {
        kernel.lock.lock();
        try {
            expireDue();
            for (Condition c : sleeping) {
                c.signalAll();
            }
        } finally {
            kernel.lock.unlock();
        }
    }

    /** Fires every armed timer whose deadline has come, earliest first. */
    private void expireDue() {
        long now = kernel.clock.now();
        List<TimerObject> due = new ArrayList<>();
        for (TimerObject t : armed) {
            if (t.deadline != 0 && t.deadline <= now) {
                due.add(t);
            }
        }
        due.sort((a, b) -> Long.compare(a.deadline, b.deadline));
        for (TimerObject t : due) {
            t.expire();
        }
    }

    void arm(TimerObject t) {
        armed.add(t);
        schedule(t, t.generation);
    }

    void disarm(TimerObject t) {
        armed.remove(t);
    }

    private void schedule(TimerObject t, long generation) {
        long nanos = kernel.clock.realNanosUntil(t.deadline);
        if (nanos == Long.MAX_VALUE) {
            return; // a manual clock: the listener fires it
        }
        TIMER_THREAD.schedule(() -> realTimeWake(t, generation), Math.max(0, nanos),
                TimeUnit.NANOSECONDS);
    }

    private void realTimeWake(TimerObject t, long generation) {
        kernel.lock.lock();
        try {
            if (t.generation != generation || t.deadline == 0) {
                return;
            }
            if (t.deadline <= kernel.clock.now()) {
                t.expire();
            } else {
                schedule(t, generation);
            }
        } finally {
            kernel.lock.unlock();
        }
    }

    /**
     * Blocks (releasing the kernel lock) until woken or the deadline may have passed; false once
     * it has passed.
     */
    private boolean await(Condition woken, long deadline) throws InterruptedException {
        if (kernel.clock.now() >= deadline) {
            return false;
        }
        long nanos = kernel.clock.realNanosUntil(deadline);
        boolean finite = deadline != ZX_TIME_INFINITE;
        if (finite) {
            kernel.clock.waitStarted("zx_object_wait", deadline); // stall detection
        }
        sleeping.add(woken);
        try {
            if (nanos == Long.MAX_VALUE) {
                woken.await();
            } else {
                woken.awaitNanos(nanos);
            }
        } finally {
            sleeping.remove(woken);
            if (finite) {
                kernel.clock.waitEnded();
            }
        }
        return true;
    }

    // ---- events and user signals ---------------------------------------------------------

    int eventCreate(int options, int[] out, SimKernel.Publisher publish) throws SysErr {
        if (options != 0) {
            throw new SysErr(ZX_ERR_INVALID_ARGS);
        }
        return publish.publish(new EventObject(kernel), ZX_DEFAULT_EVENT_RIGHTS, out);
    }

    int objectSignal(int handle, int clearMask, int setMask) throws SysErr {
        HandleTable.Handle h = handles.lookup(handle);
        if ((h.rights & ZX_RIGHT_SIGNAL) == 0) {
            throw new SysErr(ZX_ERR_ACCESS_DENIED);
        }
        if (!h.object.waitable()) {
            throw new SysErr(ZX_ERR_NOT_SUPPORTED);
        }
        int allowed = ZX_USER_SIGNAL_ALL | h.object.extraUserSignals();
        if ((setMask & ~allowed) != 0 || (clearMask & ~allowed) != 0) {
            throw new SysErr(ZX_ERR_INVALID_ARGS);
        }
        h.object.signalState().update(clearMask, setMask);
        return ZX_OK;
    }

    // ---- synchronous waits ---------------------------------------------------------------

    /** A thread's wait (WaitSignalObserver): records the state at match, cancel or removal. */
    private final class Waiter extends SignalObserver {
        final SignalState target;
        /** The blocked call's own condition (one per call, shared by a wait_many's items). */
        final Condition woken;
        boolean done;
        int state;

        Waiter(SignalState target, Condition woken) {
            this.target = target;
            this.woken = woken;
        }

        @Override
        void onMatch(int signals) {
            done = true;
            state = signals;
            woken.signal();
        }

        @Override
        void onCancel(int signals) {
            done = true;
            state = signals | ZX_SIGNAL_HANDLE_CLOSED;
            woken.signal();
        }

        /** End(): still queued → removed, the state is the word at removal. */
        int end() {
            if (!done && target.remove(this)) {
                state = target.signals();
            }
            done = true;
            return state;
        }
    }

    /** Looks up a wait target: bad handle → no WAIT right → not waitable (from AddObserver). */
    private HandleTable.Handle waitable(int handle) throws SysErr {
        HandleTable.Handle h = handles.lookup(handle);
        if ((h.rights & ZX_RIGHT_WAIT) == 0) {
            throw new SysErr(ZX_ERR_ACCESS_DENIED);
        }
        if (!h.object.waitable()) {
            throw new SysErr(ZX_ERR_NOT_SUPPORTED);
        }
        return h;
    }

    int waitOne(int handle, int signals, long deadline, int[] observed)
            throws SysErr, InterruptedException {
        HandleTable.Handle h = waitable(handle);
        SignalState s = h.object.signalState();
        Waiter w = new Waiter(s, kernel.lock.newCondition());
        s.add(w, h, signals, false);
        int result = ZX_OK;
        int state;
        try {
            while (!w.done) {
                if (!await(w.woken, deadline)) {
                    result = ZX_ERR_TIMED_OUT;
                    break;
                }
            }
        } finally {
            state = w.end();
        }
        if (observed != null) {
            if (!valid(observed)) {
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            observed[0] = state;
        }
        if ((state & ZX_SIGNAL_HANDLE_CLOSED) != 0) {
            return ZX_ERR_CANCELED;
        }
        return result;
    }

    int waitMany(byte[] items, long count, long deadline) throws SysErr, InterruptedException {
        if (count == 0) {
            Condition alone = kernel.lock.newCondition();
            while (await(alone, deadline)) {
                // sleep until the deadline; nothing can wake this wait early
            }
            return ZX_ERR_TIMED_OUT;
        }
        if (Long.compareUnsigned(count, ZX_WAIT_MANY_MAX_ITEMS) > 0) {
            throw new SysErr(ZX_ERR_OUT_OF_RANGE);
        }
        int n = (int) count;
        if (!valid(items, (long) n * WAIT_ITEM_SIZE)) {
            throw new SysErr(ZX_ERR_INVALID_ARGS);
        }
        Waiter[] waiters = new Waiter[n];
        Condition woken = kernel.lock.newCondition();
        boolean any = false;
        int result = ZX_OK;
        try {
            for (int i = 0; i < n; i++) {
                HandleTable.Handle h = waitable(i32(items, i * WAIT_ITEM_SIZE + WAIT_ITEM_HANDLE));
                SignalState s = h.object.signalState();
                waiters[i] = new Waiter(s, woken);
                s.add(waiters[i], h, i32(items, i * WAIT_ITEM_SIZE + WAIT_ITEM_WAITFOR), false);
            }
            while (!(any = anyDone(waiters))) {
                if (!await(woken, deadline)) {
                    result = ZX_ERR_TIMED_OUT;
                    break;
                }
            }
        } finally {
            for (Waiter w : waiters) {
                if (w != null) {
                    w.end();
                }
            }
        }
        boolean closed = false;
        for (int i = 0; i < n; i++) {
            put32(items, i * WAIT_ITEM_SIZE + WAIT_ITEM_PENDING, waiters[i].state);
            closed |= (waiters[i].state & ZX_SIGNAL_HANDLE_CLOSED) != 0;
        }
        if (closed) {
            return ZX_ERR_CANCELED;
        }
        return any ? ZX_OK : result;
    }

    private static boolean anyDone(Waiter[] waiters) {
        for (Waiter w : waiters) {
            if (w.done) {
                return true;
            }
        }
        return false;
    }

    // ---- async waits -----------------------------------------------------------------------

    int waitAsync(int handle, int port, long key, int signals, int options) throws SysErr {
        if ((options & ~(ZX_WAIT_ASYNC_TIMESTAMP | ZX_WAIT_ASYNC_EDGE)) != 0) {
            throw new SysErr(ZX_ERR_INVALID_ARGS);
        }
        PortObject p = handles.lookup(port, PortObject.class, ZX_RIGHT_WRITE);
        HandleTable.Handle h = waitable(handle);
        AsyncWait w = new AsyncWait(p, h.object, h, key, signals, options);
        p.addObserver(w);
        h.object.signalState().add(w, h, signals, (options & ZX_WAIT_ASYNC_EDGE) != 0);
        return ZX_OK;
    }

    /** The waitable-source half of {@code zx_port_cancel}, after the port and source checks. */
    int portCancel(PortObject port, HandleTable.Handle source, long key) {
        boolean hadObserver = source.object.signalState().cancelByKey(source, port, key);
        boolean packetRemoved = port.cancelQueued(source, key);
        return hadObserver || packetRemoved ? ZX_OK : ZX_ERR_NOT_FOUND;
    }

    /** Closing {@code h}: its observers are cancelled before the object may see zero handles. */
    void handleClosing(HandleTable.Handle h) {
        if (h.object.hasSignalState()) {
            h.object.signalState().cancel(h);
        }
    }

    // ---- timers -----------------------------------------------------------------------------

    int timerCreate(int options, int clockId, int[] out, SimKernel.Publisher publish)
            throws SysErr {
        if (clockId != ZX_CLOCK_MONOTONIC) {
            throw new SysErr(ZX_ERR_INVALID_ARGS);
        }
        if (options != ZX_TIMER_SLACK_CENTER && options != ZX_TIMER_SLACK_EARLY
                && options != ZX_TIMER_SLACK_LATE) {
            throw new SysErr(ZX_ERR_INVALID_ARGS);
        }
        return publish.publish(new TimerObject(kernel, this, options), ZX_DEFAULT_TIMER_RIGHTS,
                out);
    }

    int timerSet(int handle, long deadline, long slack) throws SysErr {
        if (slack < 0) {
            throw new SysErr(ZX_ERR_OUT_OF_RANGE);
        }
        handles.lookup(handle, TimerObject.class, ZX_RIGHT_WRITE).set(deadline, slack);
        return ZX_OK;
    }

    int timerCancel(int handle) throws SysErr {
        handles.lookup(handle, TimerObject.class, ZX_RIGHT_WRITE).cancel();
        return ZX_OK;
    }

    /** {@code ZX_INFO_TIMER}: the timer's options, armed deadline (0 if none) and slack. */
    int infoTimer(int handle, byte[] buffer, long bufferSize, long[] actual, long[] avail)
            throws SysErr {
        TimerObject t = handles.lookup(handle, TimerObject.class, ZX_RIGHT_INSPECT);
        long records = 0;
        if (bufferSize >= INFO_TIMER_SIZE) {
            if (!valid(buffer, INFO_TIMER_SIZE)) {
                throw new SysErr(ZX_ERR_INVALID_ARGS);
            }
            Arrays.fill(buffer, 0, INFO_TIMER_SIZE, (byte) 0);
            put32(buffer, INFO_TIMER_OPTIONS, t.slackMode);
            put64(buffer, INFO_TIMER_DEADLINE, t.deadline);
            put64(buffer, INFO_TIMER_SLACK, t.slack);
            records = 1;
        }
        copyOut(actual, records);
        copyOut(avail, 1);
        return records == 0 ? ZX_ERR_BUFFER_TOO_SMALL : ZX_OK;
    }

    private static void copyOut(long[] out, long value) throws SysErr {
        if (out == null) {
            return;
        }
        if (!valid(out)) {
            throw new SysErr(ZX_ERR_INVALID_ARGS);
        }
        out[0] = value;
    }
}
