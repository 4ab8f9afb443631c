package dev.zx4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.junit.SimulatedZircon;
import dev.zx4j.sim.ManualClock;
import dev.zx4j.sim.SimKernel;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Events, timers, signals and async waits through the typed API. */
@SimulatedZircon
class SignalsTypedApiTest {
    SimKernel sim;
    RecordingSyscalls rec;
    Kernel zx;

    @BeforeEach
    void setUp(SimKernel sim) {
        this.sim = sim;
        this.rec = RecordingSyscalls.wrap(sim);
        this.zx = Kernel.of(rec.proxy());
    }

    @Test
    void eventsSignalWaitAndQueueSignalPackets(ManualClock clock) {
        try (Event e = zx.createEvent(); Port port = zx.createPort()) {
            assertEquals(ObjectType.EVENT, e.info().type());
            assertEquals(Signals.NONE, e.signals());
            e.waitAsync(port, 7, Signals.USER_1.or(Signals.EVENT_SIGNALED), WaitAsyncOptions.TIMESTAMP);
            clock.advance(5);
            e.signal(Signals.NONE, Signals.EVENT_SIGNALED.or(Signals.user(4)));
            PortPacket.SignalPacket p = assertInstanceOf(PortPacket.SignalPacket.class,
                    port.waitUntil(0));
            assertEquals(7, p.key());
            assertEquals(Status.OK, p.status());
            assertEquals(Signals.USER_1.or(Signals.EVENT_SIGNALED), p.trigger());
            assertEquals(Signals.EVENT_SIGNALED.or(Signals.USER_4), p.observed());
            assertEquals(1, p.count());
            assertEquals(zx.monotonicNow(), p.timestamp());
            assertEquals("Signals[USER_4|SIGNALED]", p.observed().toString());
            assertTrue(e.waitOne(Signals.USER_4, 0).containsAll(Signals.USER_4));
            ZxException timedOut = assertThrows(ZxException.class, () -> e.waitOne(Signals.USER_0, 0));
            assertEquals(Status.TIMED_OUT, timedOut.status());
            // Kernel-owned bits are refused by the kernel, with the syscall named.
            ZxException bad = assertThrows(ZxException.class,
                    () -> e.signal(Signals.NONE, Signals.HANDLE_CLOSED));
            assertEquals(Status.INVALID_ARGS, bad.status());
            assertTrue(bad.getMessage().contains("zx_object_signal"), bad.getMessage());
            e.waitAsync(port, 8, Signals.USER_0);
            assertTrue(port.cancel(e, 8));
            assertFalse(port.cancel(e, 8));
        }
        assertThrows(IllegalArgumentException.class, () -> Signals.user(8));
        assertTrue(rec.violations.isEmpty(), rec.violations::toString);
        assertTrue(sim.liveHandles().isEmpty());
    }

    @Test
    void timersFireAtTheirDeadline(ManualClock clock) {
        try (Timer t = zx.createTimer(TimerSlack.EARLY)) {
            assertEquals(ObjectType.TIMER, t.info().type());
            assertEquals(0, t.deadline());
            t.setAfter(Duration.ofMillis(3));
            assertEquals(zx.monotonicNow() + 3_000_000, t.deadline());
            assertFalse(t.signals().containsAny(Signals.TIMER_SIGNALED));
            clock.advance(3_000_000);
            assertEquals(Signals.TIMER_SIGNALED, t.signals());
            t.cancel();
            assertEquals(Signals.NONE, t.signals());
            assertThrows(IllegalArgumentException.class, () -> t.set(1, Duration.ofNanos(-1)));
            Timer view = t.borrow();
            t.close();
            assertThrows(ClosedHandleException.class, view::cancel);
        }
        int raw = zx.createEvent().release();
        assertThrows(IllegalArgumentException.class, () -> zx.adopt(raw, Timer.class));
        try (Event adopted = zx.adopt(raw, Event.class)) {
            assertEquals(ObjectType.EVENT, adopted.info().type());
        }
        assertTrue(sim.liveHandles().isEmpty());
        assertTrue(rec.violations.isEmpty(), rec.violations::toString);
    }
}
