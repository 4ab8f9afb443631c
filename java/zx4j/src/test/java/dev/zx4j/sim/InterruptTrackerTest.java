package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The kernel's pending-vector bitmap and its auto-unsignalling event. */
class InterruptTrackerTest {
    private final AtomicInteger stops = new AtomicInteger();
    private final InterruptTracker t = new InterruptTracker(stops::incrementAndGet);

    @Test
    void popTakesTheHighestAndRepeatsMerge() throws Exception {
        for (int v : new int[] {13, 32, 255, 2, 64, 32, 0}) {
            t.interrupt(v);
        }
        assertEquals(7, stops.get(), "every interrupt stops a running CPU");
        t.interrupt(256);
        t.interrupt(-1);
        assertEquals(255, t.pop());
        assertTrue(t.tryPop(2));
        assertFalse(t.tryPop(2));
        assertEquals(64, t.pop());
        assertEquals(32, t.pop(), "a vector raised twice is one bit");
        assertEquals(13, t.pop());
        assertEquals(0, t.pop());
        assertEquals(-1, t.pop());
        assertFalse(t.pending());
    }

    @Test
    void clearTakesAHalfOpenRange() {
        for (int v = 0; v <= 40; v++) {
            t.track(v);
        }
        assertEquals(0, stops.get(), "track does not signal");
        t.clear(0, 2);
        t.clear(3, 21);
        assertTrue(t.isPending(2));
        assertFalse(t.isPending(0));
        assertFalse(t.isPending(20));
        assertTrue(t.isPending(21));
    }

    @Test
    void theEventKeepsItsLastSignalUntilAWaitConsumesIt() throws Exception {
        assertEquals(ZX_ERR_TIMED_OUT, t.awaitSignal(0));
        t.interrupt(40);
        assertEquals(ZX_OK, t.awaitSignal(Long.MAX_VALUE));
        assertEquals(ZX_ERR_TIMED_OUT, t.awaitSignal(1000), "auto-unsignalled");
        t.cancel();
        assertEquals(ZX_ERR_INTERNAL_INTR_RETRY, t.awaitSignal(Long.MAX_VALUE),
                "a kick nobody waited for cancels the next wait");
        t.cancel();
        t.interrupt(41);
        assertEquals(ZX_OK, t.awaitSignal(0), "the last signal wins");
    }
}
