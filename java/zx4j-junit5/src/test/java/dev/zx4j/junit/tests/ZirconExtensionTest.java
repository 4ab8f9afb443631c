package dev.zx4j.junit.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.zx4j.Interrupt;
import dev.zx4j.Kernel;
import dev.zx4j.Port;
import dev.zx4j.PortOptions;
import dev.zx4j.Resource;
import dev.zx4j.Status;
import dev.zx4j.ZxException;
import dev.zx4j.junit.FaultInjector;
import dev.zx4j.junit.InjectZircon;
import dev.zx4j.junit.SimulatedZircon;
import dev.zx4j.sim.ManualClock;
import dev.zx4j.sim.SimKernel;
import dev.zx4j.sim.SimPlatform;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs small fixture classes through the JUnit engine and checks the outcome. The fixtures are
 * static nested classes, which Surefire does not run on its own.
 */
class ZirconExtensionTest {

    private static Events run(Class<?> fixture) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute()
                .testEvents();
    }

    // ---- fixtures --------------------------------------------------------------------------

    @SimulatedZircon
    static class LeakyFixture {
        @Test
        void leaksAPort(Kernel zx) {
            zx.createPort(); // LEAK LINE
        }

        @Test
        void leaksAnInterruptAndAResource(Kernel zx, SimPlatform platform) {
            Resource irqs = zx.adopt(platform.createIrqResource(32, 1), Resource.class);
            Interrupt irq = zx.createInterrupt(irqs, 32);
            irq.duplicate(dev.zx4j.Rights.of(dev.zx4j.Rights.WAIT));
        }
    }

    static final List<SimKernel> SEEN = new CopyOnWriteArrayList<>();

    @SimulatedZircon
    static class CleanFixture {
        @InjectZircon SimKernel sim;
        @InjectZircon Kernel zx;
        @InjectZircon ManualClock clock;
        Kernel fromBeforeEach;

        @BeforeEach
        void setUp(Kernel zx) {
            fromBeforeEach = zx;
        }

        @Test
        void getsOneKernelEverywhere(SimKernel sim, Kernel zx, ManualClock clock,
                                     SimPlatform platform) {
            assertSame(this.sim, sim);
            assertSame(this.zx, zx);
            assertSame(fromBeforeEach, zx);
            assertSame(this.clock, clock);
            assertSame(sim.clock(), clock);
            assertSame(sim.platform(), platform);
            assertSame(sim, zx.syscalls());
            assertEquals(1_000_000_000L, zx.monotonicNow());
            assertTrue(sim.liveHandles().isEmpty());
            SEEN.add(sim);
            try (Port port = zx.createPort()) {
                port.queue(new dev.zx4j.PortPacket.UserPacket(1));
            }
        }

        @Test
        void getsAFreshKernelPerTest(SimKernel sim) {
            assertTrue(sim.liveHandles().isEmpty());
            SEEN.add(sim);
            Port kept = zx.createPort();
            kept.close();
        }

        @Test
        void canInjectFaults(Kernel zx, FaultInjector faults) {
            faults.failNext("zx_port_create", Status.NO_MEMORY, 2);
            assertEquals(Status.NO_MEMORY,
                    assertThrows(ZxException.class, () -> zx.createPort()).status());
            assertEquals(Status.NO_MEMORY, assertThrows(ZxException.class,
                    () -> zx.createPort(PortOptions.BIND_TO_INTERRUPT)).status());
            zx.createPort().close();
            assertThrows(IllegalArgumentException.class,
                    () -> faults.failNext("zx_no_such_call", Status.NO_MEMORY));
        }

        @Test
        void advancesTheClock(Kernel zx, ManualClock clock) {
            try (Port port = zx.createPort()) {
                long deadline = zx.deadlineAfter(Duration.ofMillis(10));
                clock.advance(Duration.ofMillis(10).toNanos());
                assertThrows(ZxException.class, () -> port.waitUntil(deadline));
            }
        }
    }

    @SimulatedZircon(clock = SimulatedZircon.ClockKind.SYSTEM)
    static class SystemClockFixture {
        @Test
        void wantsAManualClock(ManualClock clock) {
        }

        @Test
        void runsOnRealTime(Kernel zx) throws InterruptedException {
            long a = zx.monotonicNow();
            Thread.sleep(2);
            assertTrue(zx.monotonicNow() > a);
        }
    }

    @SimulatedZircon(failOnLeaks = false)
    static class LeaksAllowedFixture {
        @Test
        void leaks(Kernel zx) {
            zx.createPort();
        }
    }

    // ---- tests -----------------------------------------------------------------------------

    @Test
    void aLeakingTestFailsListingTypeRightsAndOrigin() throws Exception {
        Events events = run(LeakyFixture.class);
        events.assertStatistics(s -> s.started(2).succeeded(0).failed(2));
        int leakLine = lineOf("zx.createPort(); // LEAK LINE");
        events.assertThatEvents().haveExactly(1, event(test("leaksAPort"), finishedWithFailure(
                instanceOf(AssertionError.class),
                message(m -> m.startsWith("1 handle(s) leaked")
                        && m.matches("(?s).*\\n  PORT handle 0x[0-9a-f]{8} "
                                + "Rights\\[DUPLICATE\\|TRANSFER\\|READ\\|WRITE\\|INSPECT\\] "
                                + "koid \\d+, created at dev\\.zx4j\\.junit\\.tests\\."
                                + "ZirconExtensionTest\\$LeakyFixture\\.leaksAPort\\("
                                + "ZirconExtensionTest\\.java:" + leakLine + "\\)")))));
        events.assertThatEvents().haveExactly(1, event(test("leaksAnInterruptAndAResource"),
                finishedWithFailure(message(m -> m.startsWith("3 handle(s) leaked")
                        && m.contains("RESOURCE handle")
                        && m.contains("Rights[DUPLICATE|TRANSFER|WRITE|INSPECT]")
                        && m.contains("INTERRUPT handle")
                        && m.contains("Rights[WAIT]")
                        && m.contains("created at dev.zx4j.junit.tests.ZirconExtensionTest"
                                + "$LeakyFixture.leaksAnInterruptAndAResource(")))));
    }

    @Test
    void cleanTestsPassWithAFreshKernelEach() {
        SEEN.clear();
        Events events = run(CleanFixture.class);
        events.assertStatistics(s -> s.started(4).succeeded(4).failed(0));
        assertEquals(2, SEEN.size());
        assertNotSame(SEEN.get(0), SEEN.get(1));
    }

    @Test
    void aManualClockIsRefusedUnderTheSystemClock() {
        Events events = run(SystemClockFixture.class);
        events.assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        events.assertThatEvents().haveExactly(1, event(test("wantsAManualClock"),
                finishedWithFailure(instanceOf(ParameterResolutionException.class),
                        message(m -> m.contains("clock = SYSTEM")))));
    }

    @Test
    void leakChecksCanBeTurnedOff() {
        run(LeaksAllowedFixture.class).assertStatistics(s -> s.started(1).succeeded(1));
    }

    private static int lineOf(String text) throws Exception {
        List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(
                "java/zx4j-junit5/src/test/java/dev/zx4j/junit/tests/ZirconExtensionTest.java"));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text) && !lines.get(i).contains("lineOf(")) {
                return i + 1;
            }
        }
        throw new AssertionError("line not found: " + text);
    }
}
