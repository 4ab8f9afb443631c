package dev.zx4j.conformance;

import static dev.zx4j.abi.Layouts.PORT_PACKET_SIZE;
import static dev.zx4j.abi.Zx.*;
import static dev.zx4j.conformance.Zk.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.testing.KernelTest;
import dev.zx4j.testing.TestKernel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Many threads on virtual interrupts: no interrupt packet may be lost or duplicated.
 *
 * <p>Every trigger carries a unique timestamp, and every call is bracketed by ticks of one global
 * counter, so "A finished before B started" is observable. From the state machine (reference
 * §1.4–1.5), with consumers that always read a packet before acking it:
 * <ul>
 *   <li>a timestamp is sent at most once (the pending slot is cleared when sent), so no timestamp
 *       is delivered twice, and each delivered one belongs to a trigger that returned OK;</li>
 *   <li>a trigger is either delivered or coalesced, and it can only be coalesced while another
 *       trigger Y is pending; Y is then the next packet, re-sent by the ack of the packet W in
 *       flight. So every undelivered trigger X needs a delivered Y with predecessor W such that
 *       Y began before X ended and W's ack ended after X began. A lost trigger or a lost re-send
 *       has no such Y.</li>
 * </ul>
 */
class InterruptStressTest {

    private static final AtomicLong TICK = new AtomicLong();

    private record Trigger(int irq, long ts, long begin, long end, int status) {}

    private record Delivery(long ts, long dequeued, long ackBegin, long ackEnd, int ackStatus) {}

    private static long tsOf(int producer, long seq) {
        return ((long) (producer + 1) << 40) | seq;
    }

    private static int producerOf(long ts) {
        return (int) (ts >>> 40) - 1;
    }

    private static void join(List<Thread> threads, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOUND_MS);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
            if (t.isAlive()) {
                fail(what + ": thread " + t.getName() + " did not return (state " + t.getState() + ")");
            }
        }
    }

    private static Thread spawn(String name, ConcurrentLinkedQueue<Throwable> errors, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                errors.add(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @KernelTest
    void boundInterruptsLoseAndDuplicateNothing(TestKernel k) throws Exception {
        Syscalls zx = k.zx();
        final int irqs = 2, producers = 3, perProducer = 3000, consumers = 2;
        int port = irqPort(zx);
        int[] irq = new int[irqs];
        for (int i = 0; i < irqs; i++) {
            irq[i] = virtualIrq(zx);
            assertEquals(ZX_OK, zx.zx_interrupt_bind(irq[i], port, i, ZX_INTERRUPT_BIND));
        }
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Trigger> triggers = new ConcurrentLinkedQueue<>();
        List<List<Delivery>> delivered = new ArrayList<>();
        for (int i = 0; i < irqs; i++) {
            delivered.add(Collections.synchronizedList(new ArrayList<>()));
        }

        List<Thread> consumerThreads = new ArrayList<>();
        for (int c = 0; c < consumers; c++) {
            consumerThreads.add(spawn("consumer-" + c, errors, () -> {
                byte[] p = new byte[PORT_PACKET_SIZE];
                while (true) {
                    int st = zx.zx_port_wait(port, ZX_TIME_INFINITE, p);
                    long dq = TICK.incrementAndGet();
                    assertEquals(ZX_OK, st, "port_wait");
                    if (type(p) == ZX_PKT_TYPE_USER) {
                        return;
                    }
                    assertEquals(ZX_PKT_TYPE_INTERRUPT, type(p));
                    int i = (int) key(p);
                    // Only one packet of an interrupt is out at a time and the next one can only
                    // be sent by the ack below, so this list is in delivery order.
                    List<Delivery> list = delivered.get(i);
                    int index = list.size();
                    list.add(null);
                    long ab = TICK.incrementAndGet();
                    int ack = zx.zx_interrupt_ack(irq[i]);
                    long ae = TICK.incrementAndGet();
                    list.set(index, new Delivery(word(p, 0), dq, ab, ae, ack));
                }
            }));
        }
        List<Thread> producerThreads = new ArrayList<>();
        for (int pr = 0; pr < producers; pr++) {
            final int id = pr;
            producerThreads.add(spawn("producer-" + pr, errors, () -> {
                for (long s = 1; s <= perProducer; s++) {
                    int i = (int) ((s * 7 + id) % irqs);
                    long ts = tsOf(id, s);
                    long b = TICK.incrementAndGet();
                    int st = zx.zx_interrupt_trigger(irq[i], 0, ts);
                    long e = TICK.incrementAndGet();
                    triggers.add(new Trigger(i, ts, b, e, st));
                    if (s % 4 == 0) {
                        LockSupport.parkNanos(20_000); // let consumers in: mix of both paths
                    }
                }
            }));
        }
        join(producerThreads, "producers");

        // Drain: fire sentinels until one per interrupt gets through (a sentinel may itself be
        // coalesced into a trigger that is still pending), and its ack has completed.
        final int sentinel = producers; // producer id of the main thread
        long seq = 0;
        for (int i = 0; i < irqs; i++) {
            boolean through = false;
            for (int attempt = 0; attempt < 50 && !through; attempt++) {
                long ts = tsOf(sentinel, ++seq);
                long b = TICK.incrementAndGet();
                int st = zx.zx_interrupt_trigger(irq[i], 0, ts);
                triggers.add(new Trigger(i, ts, b, TICK.incrementAndGet(), st));
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
                while (!through && System.nanoTime() < end) {
                    synchronized (delivered.get(i)) {
                        for (Delivery d : delivered.get(i)) {
                            through |= d != null && d.ts == ts;
                        }
                    }
                    Thread.onSpinWait();
                }
            }
            assertTrue(through, "interrupt " + i + " never delivered a sentinel");
        }
        for (int c = 0; c < consumers; c++) {
            queueUser(zx, port, 0xD0DE);
        }
        join(consumerThreads, "consumers");
        if (!errors.isEmpty()) {
            throw new AssertionError("worker failed", errors.peek());
        }
        assertEmpty(zx, port);

        long total = 0, coalesced = 0, deliveredCount = 0;
        for (int i = 0; i < irqs; i++) {
            List<Delivery> ds = delivered.get(i);
            Map<Long, Trigger> accepted = new HashMap<>();
            for (Trigger t : triggers) {
                if (t.irq == i) {
                    assertEquals(ZX_OK, t.status, "trigger on a live interrupt");
                    accepted.put(t.ts, t);
                }
            }
            Set<Long> seen = new HashSet<>();
            long[] lastOfProducer = new long[producers + 1];
            for (Delivery d : ds) {
                assertEquals(ZX_OK, d.ackStatus, "ack after reading");
                assertTrue(seen.add(d.ts), "timestamp delivered twice: " + Long.toHexString(d.ts));
                assertTrue(accepted.containsKey(d.ts), "invented timestamp " + Long.toHexString(d.ts));
                int pr = producerOf(d.ts);
                assertTrue(d.ts > lastOfProducer[pr], "a producer's triggers delivered out of order");
                lastOfProducer[pr] = d.ts;
            }
            for (Trigger x : accepted.values()) {
                if (seen.contains(x.ts)) {
                    continue;
                }
                boolean justified = false;
                for (int j = 1; j < ds.size() && !justified; j++) {
                    Trigger y = accepted.get(ds.get(j).ts);
                    justified = y.begin <= x.end && x.begin <= ds.get(j - 1).ackEnd;
                }
                assertTrue(justified, "trigger " + Long.toHexString(x.ts) + " on interrupt " + i
                        + " was neither delivered nor coalesced into a pending trigger: lost");
                coalesced++;
            }
            total += accepted.size();
            deliveredCount += ds.size();
        }
        assertEquals(total, deliveredCount + coalesced);
        assertTrue(deliveredCount >= irqs && coalesced > 0,
                "the run must exercise both paths: delivered " + deliveredCount + ", coalesced " + coalesced);

        for (int i = 0; i < irqs; i++) {
            int st = zx.zx_interrupt_destroy(irq[i]);
            assertEquals(ZX_OK, st, "every packet was read and acked: the interrupts are IDLE");
        }
        close(zx, irq);
        close(zx, port);
    }

    @KernelTest
    void bindUnbindWaitAndDestroyChurn(TestKernel k) throws Exception {
        Syscalls zx = k.zx();
        int port = irqPort(zx);
        int irq = virtualIrq(zx);
        final int producers = 2, consumers = 2, perProducer = 4000;
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> accepted = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> got = new ConcurrentLinkedQueue<>();
        AtomicBoolean destroyed = new AtomicBoolean();
        AtomicLong waitCanceled = new AtomicLong();

        List<Thread> all = new ArrayList<>();
        List<Thread> producerThreads = new ArrayList<>();
        for (int pr = 0; pr < producers; pr++) {
            final int id = pr;
            producerThreads.add(spawn("producer-" + pr, errors, () -> {
                for (long s = 1; s <= perProducer; s++) {
                    long ts = tsOf(id, s);
                    int st = zx.zx_interrupt_trigger(irq, 0, ts);
                    if (s % 4 == 0) {
                        LockSupport.parkNanos(20_000);
                    }
                    if (st == ZX_OK) {
                        accepted.add(ts);
                    } else {
                        assertEquals(ZX_ERR_CANCELED, st, "trigger");
                        return;
                    }
                }
            }));
        }
        all.addAll(producerThreads);
        for (int c = 0; c < consumers; c++) {
            all.add(spawn("consumer-" + c, errors, () -> {
                byte[] p = new byte[PORT_PACKET_SIZE];
                while (true) {
                    assertEquals(ZX_OK, zx.zx_port_wait(port, ZX_TIME_INFINITE, p));
                    if (type(p) == ZX_PKT_TYPE_USER) {
                        return;
                    }
                    got.add(word(p, 0));
                    int st = zx.zx_interrupt_ack(irq);
                    assertTrue(st == ZX_OK || st == ZX_ERR_BAD_STATE || st == ZX_ERR_CANCELED,
                            "ack " + st);
                }
            }));
        }
        all.add(spawn("binder", errors, () -> {
            long key = 1;
            while (true) {
                int b = zx.zx_interrupt_bind(irq, port, key++, ZX_INTERRUPT_BIND);
                assertTrue(b == ZX_OK || b == ZX_ERR_BAD_STATE || b == ZX_ERR_ALREADY_BOUND
                        || b == ZX_ERR_CANCELED, "bind " + b);
                // Unbind may have dropped a packet and left NEEDACK behind: re-arm.
                int a = zx.zx_interrupt_ack(irq);
                assertTrue(a == ZX_OK || a == ZX_ERR_BAD_STATE || a == ZX_ERR_CANCELED, "ack " + a);
                Thread.yield();
                int u = zx.zx_interrupt_bind(irq, port, 0, ZX_INTERRUPT_UNBIND);
                assertTrue(u == ZX_OK || u == ZX_ERR_NOT_FOUND || u == ZX_ERR_CANCELED, "unbind " + u);
                if (b == ZX_ERR_CANCELED || u == ZX_ERR_CANCELED || destroyed.get()) {
                    return;
                }
            }
        }));
        Thread waiter = spawn("waiter", errors, () -> {
            long[] ts = new long[1];
            while (true) {
                int st = zx.zx_interrupt_wait(irq, ts);
                if (st == ZX_OK) {
                    got.add(ts[0]);
                } else if (st == ZX_ERR_CANCELED) {
                    waitCanceled.incrementAndGet();
                    return;
                } else {
                    assertEquals(ZX_ERR_BAD_STATE, st, "wait"); // bound right now
                    if (destroyed.get()) {
                        return; // destroyed while bound: wait reports BAD_STATE forever
                    }
                    Thread.yield();
                }
            }
        });
        all.add(waiter);

        join(producerThreads, "producers");
        int d = zx.zx_interrupt_destroy(irq);
        assertTrue(d == ZX_OK || d == ZX_ERR_NOT_FOUND, "destroy " + d);
        destroyed.set(true);
        assertEquals(ZX_ERR_CANCELED, zx.zx_interrupt_trigger(irq, 0, 1));
        for (int c = 0; c < consumers; c++) {
            queueUser(zx, port, 0xD0DE);
        }
        join(all, "after destroy");
        if (!errors.isEmpty()) {
            throw new AssertionError("worker failed", errors.peek());
        }
        assertEmpty(zx, port);

        Set<Long> acceptedSet = new HashSet<>(accepted);
        Set<Long> seen = new HashSet<>();
        for (long ts : got) {
            assertTrue(seen.add(ts), "timestamp delivered twice: " + Long.toHexString(ts));
            assertTrue(acceptedSet.contains(ts), "invented timestamp " + Long.toHexString(ts));
        }
        assertTrue(!got.isEmpty(), "something must have been delivered");
        int w = zx.zx_interrupt_wait(irq, null);
        assertTrue(w == ZX_ERR_CANCELED || w == ZX_ERR_BAD_STATE, "wait after destroy " + w);
        close(zx, irq, port);
    }
}
