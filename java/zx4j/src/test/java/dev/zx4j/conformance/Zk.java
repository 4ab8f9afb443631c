package dev.zx4j.conformance;

import static dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_KOID;
import static dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_RIGHTS;
import static dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_SIZE;
import static dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_TYPE;
import static dev.zx4j.abi.Layouts.PACKET_KEY;
import static dev.zx4j.abi.Layouts.PACKET_STATUS;
import static dev.zx4j.abi.Layouts.PACKET_TYPE;
import static dev.zx4j.abi.Layouts.PACKET_UNION;
import static dev.zx4j.abi.Layouts.PORT_PACKET_SIZE;
import static dev.zx4j.abi.Layouts.i32;
import static dev.zx4j.abi.Layouts.i64;
import static dev.zx4j.abi.Layouts.put32;
import static dev.zx4j.abi.Layouts.put64;
import static dev.zx4j.abi.Zx.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.zx4j.abi.Syscalls;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Small helpers for the conformance suite. Everything goes through the raw syscall surface
 * ({@link Syscalls}); nothing here touches simulator internals.
 */
final class Zk {
    private Zk() {}

    /** Upper bound for anything a test waits for; far above what a passing run needs. */
    static final long BOUND_MS = 5_000;

    // ---- objects ------------------------------------------------------------------------

    static int port(Syscalls zx, int options) {
        int[] out = new int[1];
        assertEquals(ZX_OK, zx.zx_port_create(options, out), "zx_port_create");
        return out[0];
    }

    static int irqPort(Syscalls zx) {
        return port(zx, ZX_PORT_BIND_TO_INTERRUPT);
    }

    static int virtualIrq(Syscalls zx) {
        int[] out = new int[1];
        assertEquals(ZX_OK, zx.zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, out),
                "zx_interrupt_create(VIRTUAL)");
        return out[0];
    }

    static int event(Syscalls zx) {
        int[] out = new int[1];
        assertEquals(ZX_OK, zx.zx_event_create(0, out), "zx_event_create");
        return out[0];
    }

    static int timer(Syscalls zx, int slackMode) {
        int[] out = new int[1];
        assertEquals(ZX_OK, zx.zx_timer_create(slackMode, ZX_CLOCK_MONOTONIC, out),
                "zx_timer_create");
        return out[0];
    }

    static void signal(Syscalls zx, int handle, int clear, int set) {
        assertEquals(ZX_OK, zx.zx_object_signal(handle, clear, set), "zx_object_signal");
    }

    static void waitAsync(Syscalls zx, int handle, int port, long key, int signals, int options) {
        assertEquals(ZX_OK, zx.zx_object_wait_async(handle, port, key, signals, options),
                "zx_object_wait_async");
    }

    /** The object's current signal word, read with a polling zx_object_wait_one. */
    static int signalsOf(Syscalls zx, int handle) {
        int[] observed = new int[1];
        int st = zx.zx_object_wait_one(handle, 0, ZX_TIME_INFINITE_PAST, observed);
        assertEquals(ZX_ERR_TIMED_OUT, st, "poll with no trigger signals");
        return observed[0];
    }

    /** Asserts {@code p} is a signal packet with these fields (count 1, reserved1 0). */
    static void assertSignalPacket(byte[] p, long key, int trigger, int observed, long timestamp) {
        assertEquals(key, key(p), "key");
        assertEquals(ZX_PKT_TYPE_SIGNAL_ONE, type(p), "type");
        assertEquals(ZX_OK, status(p), "status");
        assertEquals(trigger, i32(p, PACKET_UNION), "signal.trigger");
        assertEquals(observed, i32(p, PACKET_UNION + 4), "signal.observed");
        assertEquals(1, word(p, 1), "signal.count");
        assertEquals(timestamp, word(p, 2), "signal.timestamp");
        assertEquals(0, word(p, 3), "signal.reserved1");
    }

    static int dup(Syscalls zx, int handle, int rights) {
        int[] out = new int[1];
        assertEquals(ZX_OK, zx.zx_handle_duplicate(handle, rights, out), "zx_handle_duplicate");
        return out[0];
    }

    static void close(Syscalls zx, int... handles) {
        for (int h : handles) {
            assertEquals(ZX_OK, zx.zx_handle_close(h), "zx_handle_close");
        }
    }

    // ---- object info --------------------------------------------------------------------

    static byte[] basicInfo(Syscalls zx, int handle) {
        byte[] info = new byte[INFO_HANDLE_BASIC_SIZE];
        assertEquals(ZX_OK, zx.zx_object_get_info(handle, ZX_INFO_HANDLE_BASIC, info,
                INFO_HANDLE_BASIC_SIZE, null, null), "ZX_INFO_HANDLE_BASIC");
        return info;
    }

    static int rightsOf(Syscalls zx, int handle) {
        return i32(basicInfo(zx, handle), INFO_HANDLE_BASIC_RIGHTS);
    }

    static int typeOf(Syscalls zx, int handle) {
        return i32(basicInfo(zx, handle), INFO_HANDLE_BASIC_TYPE);
    }

    static long koidOf(Syscalls zx, int handle) {
        return i64(basicInfo(zx, handle), INFO_HANDLE_BASIC_KOID);
    }

    static int validity(Syscalls zx, int handle) {
        return zx.zx_object_get_info(handle, ZX_INFO_HANDLE_VALID, null, 0, null, null);
    }

    // ---- packets ------------------------------------------------------------------------

    static byte[] userPacket(long key, int type, int status, long... payload) {
        byte[] p = new byte[PORT_PACKET_SIZE];
        put64(p, PACKET_KEY, key);
        put32(p, PACKET_TYPE, type);
        put32(p, PACKET_STATUS, status);
        for (int i = 0; i < payload.length; i++) {
            put64(p, PACKET_UNION + 8 * i, payload[i]);
        }
        return p;
    }

    static void queueUser(Syscalls zx, int port, long key) {
        assertEquals(ZX_OK, zx.zx_port_queue(port, userPacket(key, ZX_PKT_TYPE_USER, 0)),
                "zx_port_queue");
    }

    /** Dequeues one packet without blocking, failing when none is there. */
    static byte[] take(Syscalls zx, int port) {
        byte[] p = new byte[PORT_PACKET_SIZE];
        int st = zx.zx_port_wait(port, ZX_TIME_INFINITE_PAST, p);
        if (st != ZX_OK) {
            fail("expected a queued packet, zx_port_wait returned " + st);
        }
        return p;
    }

    /** Asserts the port holds no packet (a poll times out). */
    static void assertEmpty(Syscalls zx, int port) {
        assertEquals(ZX_ERR_TIMED_OUT, zx.zx_port_wait(port, ZX_TIME_INFINITE_PAST,
                new byte[PORT_PACKET_SIZE]), "port should be empty");
    }

    static long key(byte[] p) { return i64(p, PACKET_KEY); }

    static int type(byte[] p) { return i32(p, PACKET_TYPE); }

    static int status(byte[] p) { return i32(p, PACKET_STATUS); }

    static long word(byte[] p, int i) { return i64(p, PACKET_UNION + 8 * i); }

    /** Asserts {@code p} is an interrupt packet with this key and timestamp, rest zero. */
    static void assertInterruptPacket(byte[] p, long key, long timestamp) {
        assertEquals(key, key(p), "key");
        assertEquals(ZX_PKT_TYPE_INTERRUPT, type(p), "type");
        assertEquals(ZX_OK, status(p), "status");
        assertEquals(timestamp, word(p, 0), "interrupt.timestamp");
        assertEquals(0, word(p, 1), "interrupt.reserved0");
        assertEquals(0, word(p, 2), "interrupt.reserved1");
        assertEquals(0, word(p, 3), "interrupt.reserved2");
    }

    // ---- threads ------------------------------------------------------------------------

    /** A call running in its own daemon thread, so a kernel that never returns cannot hang the build. */
    static final class Call<T> {
        final Thread thread;
        private final FutureTask<T> task;

        private Call(Callable<T> body, String name) {
            task = new FutureTask<>(body);
            thread = new Thread(task, name);
            thread.setDaemon(true);
            thread.start();
        }

        /** The call's result, failing the test if it does not return within the bound. */
        T result() {
            try {
                return task.get(BOUND_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                thread.interrupt();
                return fail(thread.getName() + " did not return within " + BOUND_MS + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return fail(e);
            } catch (ExecutionException e) {
                return fail(e.getCause());
            }
        }

        boolean isDone() {
            return task.isDone();
        }

        /**
         * Waits until the thread is parked inside the kernel. In these tests no other thread holds
         * the kernel while we poll, so a parked caller thread is blocked in the syscall's wait.
         */
        Call<T> awaitBlocked() {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOUND_MS);
            while (System.nanoTime() < end) {
                Thread.State s = thread.getState();
                if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) {
                    return this;
                }
                if (s == Thread.State.TERMINATED) {
                    fail(thread.getName() + " returned instead of blocking: " + result());
                }
                Thread.onSpinWait();
            }
            return fail(thread.getName() + " never blocked");
        }

        /** Asserts the call is still blocked after a short grace period. */
        void assertStillBlocked() {
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (task.isDone()) {
                fail(thread.getName() + " returned early: " + result());
            }
            awaitBlocked();
        }
    }

    static <T> Call<T> start(String name, Callable<T> body) {
        return new Call<>(body, name);
    }

    /** {@code zx_port_wait} in another thread; the result is the status and the packet. */
    static Call<Object[]> portWaitAsync(Syscalls zx, int port, long deadline) {
        return start("port_wait", () -> {
            byte[] p = new byte[PORT_PACKET_SIZE];
            int st = zx.zx_port_wait(port, deadline, p);
            return new Object[] {st, p};
        });
    }

    /** {@code zx_interrupt_wait} in another thread; the result is {status, timestamp}. */
    static Call<long[]> irqWaitAsync(Syscalls zx, int irq) {
        return start("interrupt_wait", () -> {
            long[] ts = new long[1];
            int st = zx.zx_interrupt_wait(irq, ts);
            return new long[] {st, ts[0]};
        });
    }
}
