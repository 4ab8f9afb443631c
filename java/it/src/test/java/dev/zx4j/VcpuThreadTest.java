package dev.zx4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zx4j.junit.SimulatedZircon;
import dev.zx4j.sim.SimKernel;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * VCPU thread rules enforced in Java: owner-thread calls refused from other threads (naming both
 * threads, with no syscall made), owner check before liveness, one VCPU per thread, no VCPU on a
 * virtual thread, and the calls allowed from anywhere.
 */
@SimulatedZircon
class VcpuThreadTest {

    private static final long ENTRY = 0x2000;

    private RecordingSyscalls rec;
    private Kernel zx;
    private Guest guest;

    @BeforeEach
    void setUp(SimKernel sim) {
        rec = RecordingSyscalls.wrap(sim);
        zx = Kernel.of(rec.proxy());
        try (Resource hypervisor = zx.adopt(sim.platform().createHypervisorResource(),
                Resource.class)) {
            guest = zx.createGuest(hypervisor);
        }
    }

    @AfterEach
    void tearDown() {
        guest.close();
    }

    /** Runs {@code task} on a new platform thread called {@code name} and returns its result. */
    private static <T> T onThread(String name, Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, name);
        t.start();
        try {
            return result.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        } finally {
            t.join(10_000);
        }
    }

    /** What {@code call} threw when run on a thread named {@code name}. */
    private static Throwable thrownOn(String name, Runnable call) throws Exception {
        return onThread(name, () -> {
            try {
                call.run();
            } catch (Throwable e) {
                return e;
            }
            throw new AssertionError("no exception");
        });
    }

    private static String describe(Thread t) {
        return VcpuThreadException.describe(t);
    }

    @Test
    void ownerOnlyCallsFromAnotherThreadAreRefusedInJavaNamingBothThreads() throws Exception {
        try (Vcpu vcpu = guest.createVcpu(ENTRY)) {
            Thread me = Thread.currentThread();
            List<String> syscalls = List.of("zx_vcpu_enter", "zx_vcpu_read_state",
                    "zx_vcpu_write_state");
            List<Consumer<Vcpu>> calls = List.of(Vcpu::enter, Vcpu::readState,
                    v -> v.writeState(X86Registers.ZERO), v -> v.writeIo(1, 0x41));
            List<String> operations = List.of("enter()", "readState()", "writeState()",
                    "writeIo()");
            for (int i = 0; i < calls.size(); i++) {
                Consumer<Vcpu> call = calls.get(i);
                Throwable t = thrownOn("intruder-" + i, () -> call.accept(vcpu));
                VcpuThreadException e = assertInstanceOf(VcpuThreadException.class, t);
                String m = e.getMessage();
                assertTrue(m.contains("belongs to thread " + describe(me)), m);
                assertTrue(m.contains(operations.get(i) + " called from 'intruder-" + i
                        + "' (id "), m);
                assertTrue(m.contains(String.format("Vcpu handle 0x%08x", handleValue(vcpu))),
                        m);
                assertEquals(me.getName(), e.ownerName());
                assertEquals(VcpuThreadException.id(me), e.ownerId());
                assertEquals("intruder-" + i, e.callerName());
                assertTrue(e.callerId() != e.ownerId());
            }
            for (String s : syscalls) {
                assertEquals(0, rec.count(s), s + " reached the kernel");
            }
        }
    }

    private static int handleValue(Vcpu vcpu) {
        return vcpu.cell.value;
    }

    @Test
    void theOwnerCheckComesBeforeTheLivenessCheck() throws Exception {
        Vcpu vcpu = guest.createVcpu(ENTRY);
        vcpu.close();
        assertInstanceOf(VcpuThreadException.class, thrownOn("other", vcpu::enter));
        assertThrows(ClosedHandleException.class, vcpu::enter); // the owner hears it is closed
        assertEquals(0, rec.count("zx_vcpu_enter"));
    }

    @Test
    void aVcpuOwnedByAThreadThatEndedNamesItAsTerminated() throws Exception {
        Vcpu vcpu = onThread("short-lived", () -> guest.createVcpu(ENTRY));
        try {
            VcpuThreadException e = assertThrows(VcpuThreadException.class, vcpu::readState);
            assertTrue(e.getMessage().contains("'short-lived'"), e.getMessage());
            assertTrue(e.getMessage().contains("terminated"), e.getMessage());
            vcpu.interrupt(40); // still allowed, as on Zircon
        } finally {
            vcpu.close();
        }
    }

    @Test
    void kickAndInterruptWorkFromOtherThreadsAndAKickMakesEnterReturnKicked() throws Exception {
        try (Vcpu vcpu = guest.createVcpu(ENTRY)) {
            VcpuController controller = vcpu.controller();
            onThread("kicker", () -> {
                controller.interrupt(40);
                vcpu.interrupt(41);
                controller.kick();
                vcpu.kick(); // collapses with the first
                return null;
            });
            assertEquals(2, rec.count("zx_vcpu_interrupt"));
            assertEquals(2, rec.count("zx_vcpu_kick"));
            VcpuExit exit = vcpu.enter();
            assertInstanceOf(VcpuExit.Kicked.class, exit);
            assertEquals(Status.CANCELED, VcpuExit.Kicked.STATUS);
        }
    }

    @Test
    void aSecondVcpuOnTheSameThreadIsRefusedInJava() {
        try (Vcpu first = guest.createVcpu(ENTRY)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> guest.createVcpu(ENTRY));
            assertTrue(e.getMessage().contains("already owns Vcpu handle"), e.getMessage());
            assertTrue(e.getMessage().contains(describe(Thread.currentThread())), e.getMessage());
            assertTrue(e.getMessage().contains("one VCPU per thread"), e.getMessage());
            assertEquals(1, rec.count("zx_vcpu_create"));
            assertSame(Thread.currentThread(), first.ownerThread().orElseThrow());
        }
    }

    @Test
    void closingTheVcpuFromAnotherThreadFreesItsThread() throws Exception {
        Vcpu first = guest.createVcpu(ENTRY);
        onThread("closer", () -> {
            first.close();
            return null;
        });
        try (Vcpu second = guest.createVcpu(ENTRY)) {
            assertNotNull(second);
            assertEquals(2, rec.count("zx_vcpu_create"));
        }
        try (Vcpu third = guest.createVcpu(ENTRY)) {
            assertFalse(third.isClosed());
        }
    }

    @Test
    void theThreadStaysBoundUntilEveryDuplicateIsClosed() {
        Vcpu first = guest.createVcpu(ENTRY);
        Vcpu dup = first.duplicate(Rights.SAME_RIGHTS);
        first.close();
        assertThrows(IllegalStateException.class, () -> guest.createVcpu(ENTRY));
        Vcpu replaced = dup.replace(Rights.SAME_RIGHTS);
        assertThrows(IllegalStateException.class, () -> guest.createVcpu(ENTRY));
        replaced.readState(); // the replacement keeps the binding to this thread
        replaced.close();
        assertEquals(1, rec.count("zx_vcpu_create"));
        guest.createVcpu(ENTRY).close();
        assertEquals(2, rec.count("zx_vcpu_create"));
    }

    @Test
    void anotherThreadMayOwnItsOwnVcpuMeanwhile() throws Exception {
        try (Vcpu mine = guest.createVcpu(ENTRY)) {
            Vcpu theirs = onThread("vcpu-1", () -> guest.createVcpu(ENTRY));
            try {
                assertEquals("vcpu-1", theirs.ownerThread().orElseThrow().getName());
                assertFalse(mine.isClosed());
            } finally {
                theirs.close();
            }
        }
    }

    @Test
    void anAdoptedVcpuLeavesTheThreadCheckToTheKernel() throws Exception {
        try (Vcpu vcpu = guest.createVcpu(ENTRY);
             Vcpu adopted = zx.adopt(vcpu.duplicate(Rights.SAME_RIGHTS).release(), Vcpu.class)) {
            assertTrue(adopted.ownerThread().isEmpty());
            Throwable t = thrownOn("other", adopted::readState);
            ZxException e = assertInstanceOf(ZxException.class, t);
            assertEquals(Status.BAD_STATE, e.status());
            assertEquals(1, rec.count("zx_vcpu_read_state"));
        }
    }

    @Test
    void writeIoChecksTheAccessSizeInJava() {
        try (Vcpu vcpu = guest.createVcpu(ENTRY)) {
            assertThrows(IllegalArgumentException.class, () -> vcpu.writeIo(3, 0));
            assertEquals(0, rec.count("zx_vcpu_write_state"));
            vcpu.writeIo(4, 0x12345678); // accepted by the kernel (the CPU is not needed)
            assertEquals(1, rec.count("zx_vcpu_write_state"));
        }
    }

    @Test
    void aVcpuCannotBeCreatedOnAVirtualThread() throws Exception {
        Method ofVirtual;
        try {
            ofVirtual = Thread.class.getMethod("ofVirtual");
        } catch (NoSuchMethodException e) {
            ofVirtual = null;
        }
        assumeTrue(ofVirtual != null, "virtual threads need Java 21+; running on Java "
                + Runtime.version().feature());
        Object builder = ofVirtual.invoke(null);
        Method start = Class.forName("java.lang.Thread$Builder").getMethod("start",
                Runnable.class);
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread t = (Thread) start.invoke(builder, (Runnable) () -> {
            try {
                guest.createVcpu(ENTRY).close();
                thrown.complete(null);
            } catch (Throwable e) {
                thrown.complete(e);
            }
        });
        t.join(10_000);
        IllegalStateException e = assertInstanceOf(IllegalStateException.class,
                thrown.get(10, TimeUnit.SECONDS));
        assertTrue(e.getMessage().contains("virtual thread"), e.getMessage());
        assertEquals(0, rec.count("zx_vcpu_create"));
        assertTrue(Vcpu.isVirtual(t));
        assertFalse(Vcpu.isVirtual(Thread.currentThread()));
    }
}
