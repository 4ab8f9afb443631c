package dev.zx4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.abi.Zx;
import dev.zx4j.junit.FaultInjector;
import dev.zx4j.junit.SimulatedZircon;
import dev.zx4j.sim.LiveHandle;
import dev.zx4j.sim.SimKernel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@SimulatedZircon
class HandleOwnershipTest {

    SimKernel sim;
    RecordingSyscalls rec;
    Kernel zx;

    @BeforeEach
    void setUp(SimKernel sim) {
        this.sim = sim;
        this.rec = RecordingSyscalls.wrap(sim);
        this.zx = Kernel.of(rec.proxy());
    }

    private List<Integer> liveValues() {
        return sim.liveHandles().stream().map(LiveHandle::value).toList();
    }

    @Test
    void closeClosesExactlyOnceAndTwiceIsHarmless() {
        Port port = zx.createPort();
        assertEquals(1, sim.liveHandles().size());
        port.close();
        port.close();
        assertTrue(port.isClosed());
        assertEquals(1, rec.count("zx_handle_close"));
        assertTrue(sim.liveHandles().isEmpty());
        assertTrue(rec.violations.isEmpty(), rec.violations::toString);
    }

    @Test
    void useAfterCloseNamesTheHandleAndWhereItWasClosedWithoutCallingTheKernel() {
        Port port = zx.createPort();
        int value = sim.liveHandles().get(0).value();
        port.close();
        int callsBefore = rec.calls.values().stream().mapToInt(a -> a.get()).sum();
        ClosedHandleException e = assertThrows(ClosedHandleException.class,
                () -> port.queue(new PortPacket.UserPacket(1)));
        assertTrue(e.getMessage().startsWith(String.format("Port handle 0x%08x was closed at ", value)
                + "dev.zx4j.HandleOwnershipTest."
                + "useAfterCloseNamesTheHandleAndWhereItWasClosedWithoutCallingTheKernel("
                + "HandleOwnershipTest.java:"), e.getMessage());
        assertThrows(ClosedHandleException.class, port::info);
        assertThrows(ClosedHandleException.class, () -> port.duplicate(Rights.SAME_RIGHTS));
        assertThrows(ClosedHandleException.class, port::borrow);
        assertThrows(ClosedHandleException.class, port::release);
        assertEquals(callsBefore, rec.calls.values().stream().mapToInt(a -> a.get()).sum());
    }

    @Test
    @SuppressWarnings("try") // closes the owner explicitly inside try-with-resources
    void borrowedViewWorksCannotCloseOrGiveAwayAndDiesWithItsOwner() {
        try (Port owner = zx.createPort()) {
            Port view = owner.borrow();
            assertFalse(view.isOwner());
            view.close(); // does nothing
            assertFalse(owner.isClosed());
            view.queue(PortPacket.UserPacket.ofWords(5, 42));
            assertEquals(42, ((PortPacket.UserPacket) owner.waitFor(Duration.ZERO)).word(0));
            IllegalStateException r = assertThrows(IllegalStateException.class, view::release);
            assertTrue(r.getMessage().contains("borrowed view cannot release"), r.getMessage());
            assertThrows(IllegalStateException.class, () -> view.replace(Rights.SAME_RIGHTS));
            assertEquals(1, sim.liveHandles().size());
            owner.close();
            assertTrue(view.isClosed());
            ClosedHandleException e = assertThrows(ClosedHandleException.class, view::info);
            assertTrue(e.getMessage().contains("was closed at"), e.getMessage());
        }
        assertEquals(1, rec.count("zx_handle_close"));
    }

    @Test
    void replaceGivesNewRightsAndInvalidatesTheSource() {
        Port port = zx.createPort();
        Port readOnly = port.replace(Rights.of(Rights.READ, Rights.TRANSFER));
        assertTrue(port.isClosed());
        ClosedHandleException e = assertThrows(ClosedHandleException.class, port::info);
        assertTrue(e.getMessage().contains("was replaced at"), e.getMessage());
        assertEquals(Rights.of(Rights.READ, Rights.TRANSFER), readOnly.info().rights());
        assertEquals(1, sim.liveHandles().size());
        port.close(); // harmless: already consumed
        ZxException denied = assertThrows(ZxException.class,
                () -> readOnly.queue(new PortPacket.UserPacket(1)));
        assertEquals(Status.ACCESS_DENIED, denied.status());
        readOnly.close();
        assertTrue(sim.liveHandles().isEmpty());
        assertTrue(rec.violations.isEmpty(), rec.violations::toString);
    }

    @Test
    void replaceInvalidatesTheSourceAlsoWhenTheKernelFails() {
        Port port = zx.createPort();
        Port readOnly = port.replace(Rights.READ);
        ZxException e = assertThrows(ZxException.class, () -> readOnly.replace(Rights.IO));
        assertEquals(Status.INVALID_ARGS, e.status());
        assertEquals("zx_handle_replace: ZX_ERR_INVALID_ARGS", e.getMessage());
        assertTrue(readOnly.isClosed());
        assertThrows(ClosedHandleException.class, readOnly::info);
        readOnly.close();
        // The kernel closed the source too: nothing is left, and nothing was closed twice.
        assertTrue(sim.liveHandles().isEmpty());
        assertEquals(0, rec.count("zx_handle_close"));
        assertTrue(rec.violations.isEmpty(), rec.violations::toString);
    }

    @Test
    void duplicateKeepsTheTypeAndTakesSubsetsOfRights() {
        try (Interrupt irq = zx.createVirtualInterrupt();
             Interrupt same = irq.duplicate(Rights.SAME_RIGHTS);
             Interrupt signalOnly = irq.duplicate(Rights.of(Rights.SIGNAL))) {
            HandleInfo a = irq.info();
            HandleInfo b = same.info();
            assertEquals(a.koid(), b.koid());
            assertEquals(Rights.DEFAULT_INTERRUPT, b.rights());
            assertEquals(ObjectType.INTERRUPT, b.type());
            assertEquals(Rights.SIGNAL, signalOnly.info().rights());
            assertEquals(3, sim.liveHandles().size());
            ZxException e = assertThrows(ZxException.class,
                    () -> signalOnly.duplicate(Rights.SIGNAL));
            assertEquals(Status.ACCESS_DENIED, e.status()); // no DUPLICATE right
            ZxException more = assertThrows(ZxException.class,
                    () -> irq.duplicate(Rights.of(Rights.MANAGE_JOB)));
            assertEquals("zx_handle_duplicate: ZX_ERR_INVALID_ARGS", more.getMessage());
        }
        assertTrue(sim.liveHandles().isEmpty());
    }

    @Test
    void infoReportsKoidTypeAndRights() {
        try (Port port = zx.createPort()) {
            HandleInfo info = port.info();
            assertEquals(ObjectType.PORT, info.type());
            assertEquals("PORT", info.type().toString());
            assertEquals(Rights.DEFAULT_PORT, info.rights());
            assertEquals(Zx.ZX_DEFAULT_PORT_RIGHTS, info.rights().bits());
            assertTrue(info.koid() > 0);
        }
    }

    @Test
    void releaseGivesUpOwnershipAndAdoptTakesItBack() {
        Port port = zx.createPort();
        int raw = port.release();
        assertTrue(port.isClosed());
        port.close(); // must not close the released value
        assertEquals(List.of(raw), liveValues());
        Handle generic = zx.adopt(raw);
        assertEquals(ObjectType.PORT, generic.info().type());
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> generic.into(Interrupt.class));
        assertTrue(wrong.getMessage().contains("is a PORT, not a INTERRUPT"), wrong.getMessage());
        try (Port again = generic.into(Port.class)) {
            assertThrows(ClosedHandleException.class, generic::info);
            again.queue(new PortPacket.UserPacket(3));
            assertEquals(3, again.waitForever().key());
        }
        assertTrue(sim.liveHandles().isEmpty());
        assertEquals(1, rec.count("zx_handle_close"));
    }

    @Test
    void adoptWithTypeChecksTheObjectType() {
        int raw = sim.platform().createIrqResource(0, 16);
        assertThrows(IllegalArgumentException.class, () -> zx.adopt(raw, Port.class));
        try (Resource irqs = zx.adopt(raw, Resource.class)) {
            assertEquals(ObjectType.RESOURCE, irqs.info().type());
        }
        assertThrows(IllegalArgumentException.class, () -> zx.adopt(Zx.ZX_HANDLE_INVALID));
    }

    @Test
    void closeDuringABlockedWaitIsDeferredToTheWaitersReturn() throws Exception {
        Port port = zx.createPort();
        Port other = port.duplicate(Rights.SAME_RIGHTS);
        int portValue = sim.liveHandles().get(0).value();
        CompletableFuture<PortPacket> waiter = CompletableFuture.supplyAsync(port::waitForever);
        awaitInFlight(port);
        port.close(); // returns at once; the waiter is still in the kernel with the value
        assertTrue(port.isClosed());
        assertTrue(liveValues().contains(portValue));
        assertEquals(0, rec.count("zx_handle_close"));
        other.queue(new PortPacket.UserPacket(77)); // wakes the waiter by its own means
        assertEquals(77, waiter.get(10, TimeUnit.SECONDS).key());
        // The waiter's return performed the one kernel close.
        assertEquals(1, rec.count("zx_handle_close"));
        assertFalse(liveValues().contains(portValue));
        other.close();
        assertTrue(rec.violations.isEmpty(), rec.violations::toString);
    }

    @Test
    void releaseAndReplaceAreRefusedWhileCallsAreInFlight() throws Exception {
        try (Port port = zx.createPort(); Port other = port.duplicate(Rights.SAME_RIGHTS)) {
            CompletableFuture<PortPacket> waiter = CompletableFuture.supplyAsync(port::waitForever);
            awaitInFlight(port);
            IllegalStateException e = assertThrows(IllegalStateException.class, port::release);
            assertTrue(e.getMessage().contains("1 call(s) in flight"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> port.replace(Rights.READ));
            assertFalse(port.isClosed());
            other.queue(new PortPacket.UserPacket(1));
            waiter.get(10, TimeUnit.SECONDS);
            int raw = port.release();
            zx.adopt(raw).close();
        }
        assertTrue(sim.liveHandles().isEmpty());
    }

    @Test
    void destroyWakesAnInterruptWaiterButCloseDoesNot() throws Exception {
        Interrupt irq = zx.createVirtualInterrupt();
        Interrupt controller = irq.duplicate(Rights.SAME_RIGHTS);
        CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(irq::waitForInterrupt);
        awaitInFlight(irq);
        irq.close();
        Thread.sleep(50);
        assertFalse(waiter.isDone(), "close must not wake (or cancel) a blocked call");
        assertEquals(2, sim.liveHandles().size());
        controller.destroy();
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> waiter.get(10, TimeUnit.SECONDS));
        ZxException e = (ZxException) failed.getCause();
        assertEquals(Status.CANCELED, e.status());
        assertEquals("zx_interrupt_wait: ZX_ERR_CANCELED", e.getMessage());
        assertEquals(1, sim.liveHandles().size()); // irq's handle closed by the waiter's return
        controller.close();
        assertTrue(rec.violations.isEmpty(), rec.violations::toString);
    }

    @Test
    void injectedFaultsSurfaceAsZxExceptionWithTheSyscallName(FaultInjector faults) {
        faults.failNext("zx_port_create", Status.NO_MEMORY);
        ZxException e = assertThrows(ZxException.class, () -> zx.createPort());
        assertEquals("zx_port_create: ZX_ERR_NO_MEMORY", e.getMessage());
        assertEquals("zx_port_create", e.syscall());
        assertTrue(sim.liveHandles().isEmpty());
        try (Port port = zx.createPort()) {
            faults.failNext("zx_port_wait", Status.of(-99));
            ZxException odd = assertThrows(ZxException.class, () -> port.waitFor(Duration.ZERO));
            assertEquals("zx_port_wait: ZX_STATUS(-99)", odd.getMessage());
            ZxException timeout = assertThrows(ZxException.class, () -> port.waitFor(Duration.ZERO));
            assertEquals(Status.TIMED_OUT, timeout.status());
        }
    }

    @Test
    void aFailedCloseIsReportedToTheCallerOrTheDeferredCloseListener(FaultInjector faults)
            throws Exception {
        Port port = zx.createPort();
        faults.failNext("zx_handle_close", Status.INTERNAL);
        ZxException now = assertThrows(ZxException.class, port::close);
        assertEquals("zx_handle_close: ZX_ERR_INTERNAL", now.getMessage());
        assertTrue(port.isClosed());
        port.close(); // exactly once: no second attempt
        assertEquals(1, rec.count("zx_handle_close"));
        sim.zx_handle_close(sim.liveHandles().get(0).value()); // the injected failure left it open

        List<String> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        zx.onDeferredCloseFailure((handle, e) -> reported.add(handle + " " + e.getMessage()));
        Port waited = zx.createPort();
        Port other = waited.duplicate(Rights.SAME_RIGHTS);
        CompletableFuture<PortPacket> waiter = CompletableFuture.supplyAsync(waited::waitForever);
        awaitInFlight(waited);
        waited.close(); // deferred: nothing thrown here
        faults.failNext("zx_handle_close", Status.INTERNAL);
        other.queue(new PortPacket.UserPacket(1));
        assertEquals(1, waiter.get(10, TimeUnit.SECONDS).key()); // the call itself succeeded
        assertEquals(1, reported.size(), reported::toString);
        assertTrue(reported.get(0).matches("Port handle 0x[0-9a-f]{8} zx_handle_close: "
                + "ZX_ERR_INTERNAL"), reported::toString);
        other.close();
        for (LiveHandle h : sim.liveHandles()) {
            sim.zx_handle_close(h.value());
        }
    }

    @Test
    void toStringShowsTypeValueAndState() {
        Port port = zx.createPort();
        int value = sim.liveHandles().get(0).value();
        assertEquals(String.format("Port[0x%08x]", value), port.toString());
        assertEquals(String.format("Port[0x%08x, borrowed]", value), port.borrow().toString());
        port.close();
        assertEquals(String.format("Port[0x%08x, closed]", value), port.toString());
        assertNotEquals(0, value);
    }

    /** Waits until a call on {@code h} is inside the kernel (and blocked there). */
    static void awaitInFlight(HandleObject<?> h) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (h.cell.inFlight() == 0) {
            if (System.nanoTime() > end) {
                throw new AssertionError("no call became in flight on " + h);
            }
            Thread.sleep(1);
        }
        Thread.sleep(20); // let it get past the lookup and block
    }
}
