package dev.zx4j.junit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.zx4j.Kernel;
import dev.zx4j.Port;
import dev.zx4j.Status;
import dev.zx4j.ZxException;
import dev.zx4j.junit.SimulatedZircon;
import dev.zx4j.sim.ManualClock;
import dev.zx4j.sim.SimKernel;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EventType;
import org.junit.platform.testkit.engine.Events;

/**
 * The extension's options: a wait on a manual-clock deadline nothing advances fails the test
 * within a bounded real time, per-class kernels, and backends skipped with the reason where
 * they are unavailable.
 */
class ZirconExtensionOptionsTest {

    private static EngineTestKit.Builder engine(Class<?> fixture) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture));
    }

    // ---- a wait nothing can end --------------------------------------------------------------

    @SimulatedZircon(stallTimeoutMillis = 300)
    static class StalledFixture {
        @Test
        void waitsOnTheManualClockForever(Kernel zx) {
            try (Port port = zx.createPort()) {
                port.waitFor(Duration.ofSeconds(1)); // nobody advances the clock
            }
        }
    }

    @Test
    void aWaitNothingCanEndFailsTheTestWithinBoundedRealTime() {
        long start = System.nanoTime();
        Events events = engine(StalledFixture.class).execute().testEvents();
        long millis = (System.nanoTime() - start) / 1_000_000;
        events.assertThatEvents().haveExactly(1, event(test("waitsOnTheManualClockForever"),
                finishedWithFailure(instanceOf(AssertionError.class),
                        message(m -> m.startsWith("zx_port_wait on thread \"")
                                && m.contains("waits for manual-clock deadline 2,000,000,000 ns")
                                && m.contains("nothing advanced the clock")
                                && m.contains("Advance the ManualClock")))));
        Throwable cause = events.failed().stream().findFirst().orElseThrow().getPayload(
                org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow().getCause();
        ZxException ended = (ZxException) cause;
        assertEquals(Status.CANCELED, ended.status(), "the wait was ended by an interrupt");
        assertTrue(millis < 10_000, "took " + millis + " ms");
    }

    @SimulatedZircon(stallTimeoutMillis = 300)
    static class StalledObjectWaitFixture {
        @Test
        void waitsForASignalUntilAManualDeadline(Kernel zx) {
            try (dev.zx4j.Event event = zx.createEvent()) {
                event.waitOne(dev.zx4j.Signals.EVENT_SIGNALED, zx.deadlineAfter(
                        Duration.ofMillis(5)));
            }
        }
    }

    @Test
    void anObjectWaitNothingCanEndFailsTheTestToo() {
        engine(StalledObjectWaitFixture.class).execute().testEvents().assertThatEvents()
                .haveExactly(1, event(test("waitsForASignalUntilAManualDeadline"),
                        finishedWithFailure(instanceOf(AssertionError.class),
                                message(m -> m.startsWith("zx_object_wait on thread \"")
                                        && m.contains("nothing advanced the clock")))));
    }

    @SimulatedZircon(stallTimeoutMillis = 300)
    static class AdvancedFixture {
        @Test
        void anotherThreadAdvancesTheClock(Kernel zx, ManualClock clock) throws Exception {
            Thread ticker = new Thread(() -> {
                try {
                    for (int i = 0; i < 20; i++) {
                        Thread.sleep(100);
                        clock.advance(100_000_000); // 2 s of clock time in 2 s of real time
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            ticker.start();
            try (Port port = zx.createPort()) {
                ZxException e = assertThrows(ZxException.class,
                        () -> port.waitFor(Duration.ofSeconds(1)));
                assertEquals(Status.TIMED_OUT, e.status());
            } finally {
                ticker.interrupt();
                ticker.join();
            }
        }
    }

    @Test
    void aWaitWhoseClockMovesIsLeftAlone() {
        engine(AdvancedFixture.class).execute().testEvents().assertStatistics(s ->
                s.succeeded(1).failed(0));
    }

    // ---- per-class kernels ------------------------------------------------------------------

    @SimulatedZircon(lifecycle = SimulatedZircon.Lifecycle.PER_CLASS)
    static class PerClassFixture {
        static SimKernel shared;
        static Port port;

        @BeforeAll
        static void open(Kernel zx, SimKernel sim) {
            shared = sim;
            port = zx.createPort(); // lives across tests; closed in @AfterAll
        }

        @Test
        void first(SimKernel sim) {
            assertSame(shared, sim);
            assertEquals(1, sim.liveHandles().size());
        }

        @Test
        void second(SimKernel sim, Kernel zx) {
            assertSame(shared, sim);
            zx.createPort().close();
        }

        @AfterAll
        static void close() {
            port.close();
        }
    }

    @SimulatedZircon(lifecycle = SimulatedZircon.Lifecycle.PER_CLASS)
    static class PerClassLeakFixture {
        @Test
        void leaks(Kernel zx) {
            zx.createPort();
        }
    }

    @Test
    void aPerClassKernelIsSharedAndCheckedForLeaksAfterTheClass() {
        engine(PerClassFixture.class).execute().allEvents().assertStatistics(s ->
                s.failed(0).succeeded(4)); // two tests, the class and the engine
        Events all = engine(PerClassLeakFixture.class).execute().allEvents();
        all.assertStatistics(s -> s.failed(1));
        String msg = all.failed().stream().findFirst().orElseThrow()
                .getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow().getMessage();
        assertTrue(msg.startsWith("1 handle(s) leaked"), msg);
    }

    // ---- backends ---------------------------------------------------------------------------

    @SimulatedZircon(backend = SimulatedZircon.Backend.JNI)
    static class JniFixture {
        @Test
        void throughJni(Kernel zx, SimKernel sim) {
            assertEquals("NativeKernel", zx.syscalls().getClass().getSimpleName());
            try (Port port = zx.createPort()) {
                assertEquals(1, sim.liveHandles().size(), "the port lives in the sim kernel");
                assertNotNull(port);
            }
        }
    }

    @SimulatedZircon(backend = SimulatedZircon.Backend.NATIVE)
    static class NativeFixture {
        @Test
        void onTheRealKernel(Kernel zx) {
            zx.createPort().close();
        }
    }

    @Test
    void theJniBackendRunsWhereTheLibraryLoadsAndIsSkippedWithTheReasonElsewhere() {
        Events events = engine(JniFixture.class).execute().testEvents();
        if (dev.zx4j.jni.NativeKernel.isAvailable()) {
            events.assertStatistics(s -> s.succeeded(1));
        } else {
            events.assertStatistics(s -> s.skipped(1));
        }
    }

    @Test
    void theNativeBackendIsSkippedWithTheReasonOffFuchsia() {
        org.junit.jupiter.api.Assumptions.assumeFalse(Kernel.onFuchsia(), "this is Fuchsia");
        Events all = engine(NativeFixture.class).execute().allEvents();
        all.assertStatistics(s -> s.failed(0).succeeded(1).skipped(1)); // engine ok, class skipped
        String reason = all.filter(e -> e.getType() == EventType.SKIPPED).findFirst()
                .orElseThrow().getPayload(String.class).orElseThrow();
        assertTrue(reason.startsWith("backend NATIVE unavailable: no native kernel"), reason);
    }
}
