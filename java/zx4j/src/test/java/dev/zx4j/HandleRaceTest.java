package dev.zx4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.abi.Zx;
import dev.zx4j.sim.SimKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Close racing in-flight calls: many threads use one port while another thread closes it and a
 * background thread keeps creating and closing handles so table slots are recycled. No call may
 * reach the kernel with a closed value, and every call either succeeds or reports use after close.
 */
class HandleRaceTest {

    private static final int ROUNDS = 300;
    private static final int WORKERS = 4;
    private static final int MAX_QUEUES_PER_WORKER = 500; // stays below the 4096-packet limit

    @Test
    void closeRacingCallsNeverLetsAClosedValueReachTheKernel() throws Exception {
        SimKernel sim = new SimKernel();
        RecordingSyscalls rec = RecordingSyscalls.wrap(sim);
        Syscalls raw = rec.proxy();
        Kernel zx = Kernel.of(raw);
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        AtomicLong succeeded = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicBoolean stopRecycler = new AtomicBoolean();

        Thread recycler = new Thread(() -> {
            int[] out = new int[1];
            while (!stopRecycler.get()) {
                if (raw.zx_port_create(0, out) == Zx.ZX_OK) {
                    raw.zx_handle_close(out[0]);
                }
            }
        }, "recycler");
        recycler.start();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                Port port = zx.createPort();
                CountDownLatch start = new CountDownLatch(1);
                List<Thread> workers = new ArrayList<>();
                for (int w = 0; w < WORKERS; w++) {
                    Thread t = new Thread(() -> {
                        try {
                            start.await();
                            int queued = 0;
                            for (int i = 0; ; i++) {
                                try {
                                    switch (i % 3) {
                                        case 0:
                                            if (queued++ < MAX_QUEUES_PER_WORKER) {
                                                port.queue(new PortPacket.UserPacket(i));
                                            }
                                            break;
                                        case 1:
                                            port.info();
                                            break;
                                        default:
                                            port.duplicate(Rights.SAME_RIGHTS).close();
                                            break;
                                    }
                                    succeeded.incrementAndGet();
                                } catch (ClosedHandleException e) {
                                    refused.incrementAndGet();
                                    return;
                                }
                            }
                        } catch (Throwable t2) {
                            unexpected.add(t2);
                        }
                    }, "worker-" + w);
                    t.start();
                    workers.add(t);
                }
                start.countDown();
                // Let the workers get going, then close from this thread.
                long spin = ThreadLocalRandom.current().nextLong(20_000, 200_000);
                long until = System.nanoTime() + spin;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                port.close();
                for (Thread t : workers) {
                    t.join(30_000);
                    assertTrue(!t.isAlive(), t.getName() + " did not finish");
                }
            }
        } finally {
            stopRecycler.set(true);
            recycler.join(30_000);
        }

        assertTrue(unexpected.isEmpty(), () -> "calls failed otherwise than by use after close: "
                + unexpected);
        assertTrue(rec.violations.isEmpty(), () -> rec.violations.size()
                + " closed values reached the kernel, e.g. " + rec.violations.get(0));
        assertEquals(ROUNDS * WORKERS, refused.get(), "each worker ends on a refused call");
        assertTrue(succeeded.get() > ROUNDS, "the race was exercised: " + succeeded.get());
        assertTrue(sim.liveHandles().isEmpty(), () -> "leaked: " + sim.liveHandles());
    }
}
