package dev.zx4j.conformance;

import static dev.zx4j.abi.Layouts.PORT_PACKET_SIZE;
import static dev.zx4j.abi.Zx.*;
import static dev.zx4j.conformance.Zk.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.testing.KernelTest;
import dev.zx4j.testing.TestKernel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** zx_port_create / queue / wait / cancel (reference §1.8–1.11, §3.1–3.2). */
class PortConformanceTest {

    // ---- create -------------------------------------------------------------------------

    @KernelTest
    void createOptions(TestKernel k) {
        Syscalls zx = k.zx();
        int p0 = port(zx, 0);
        int p1 = port(zx, ZX_PORT_BIND_TO_INTERRUPT);
        assertEquals(ZX_DEFAULT_PORT_RIGHTS, rightsOf(zx, p0));
        assertEquals(ZX_DEFAULT_PORT_RIGHTS, rightsOf(zx, p1));
        assertEquals(ZX_OBJ_TYPE_PORT, typeOf(zx, p0));
        int[] out = {42};
        for (int bad : new int[] {2, 3, 0x1234, 0x80000000, -1}) {
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_port_create(bad, out), "options " + bad);
        }
        assertEquals(42, out[0]);
        // Bad options are reported before the out pointer is used.
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_port_create(2, null));
        close(zx, p0, p1);
    }

    @KernelTest
    void createFaultingOutPointer(TestKernel k) {
        Syscalls zx = k.zx();
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_port_create(0, null));
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_port_create(0, new int[0]));
    }

    // ---- queue --------------------------------------------------------------------------

    @KernelTest
    void queueHandleChecks(TestKernel k) {
        Syscalls zx = k.zx();
        byte[] pkt = userPacket(1, 0, 0);
        int p = port(zx, 0);
        int irq = virtualIrq(zx);
        int noWrite = dup(zx, p, ZX_DEFAULT_PORT_RIGHTS & ~ZX_RIGHT_WRITE);
        int irqNoRights = dup(zx, irq, ZX_RIGHT_NONE);
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_port_queue(ZX_HANDLE_INVALID, pkt));
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_port_queue(irq, pkt));
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_port_queue(irqNoRights, pkt), "type before rights");
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_port_queue(noWrite, pkt));
        // Handle checks come before the packet is copied in.
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_port_queue(ZX_HANDLE_INVALID, null));
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_port_queue(noWrite, null));
        assertEmpty(zx, p);
        close(zx, p, irq, noWrite, irqNoRights);
    }

    @KernelTest
    void queueFaultingPacketPointer(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_port_queue(p, null));
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_port_queue(p, new byte[PORT_PACKET_SIZE - 1]));
        assertEmpty(zx, p);
        close(zx, p);
    }

    @KernelTest
    void queuedUserPacketKeepsEverythingButType(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        long[] payload = {0x0102030405060708L, -1L, 0x8000000000000000L, 0x1122334455667788L};
        byte[] sent = userPacket(0xFEEDFACECAFEBEEFL, ZX_PKT_TYPE_USER + 5, -3, payload);
        byte[] sentCopy = sent.clone();
        assertEquals(ZX_OK, zx.zx_port_queue(p, sent));
        assertArrayEquals(sentCopy, sent, "the caller's buffer is only read");
        byte[] got = take(zx, p);
        assertEquals(0xFEEDFACECAFEBEEFL, key(got));
        assertEquals(ZX_PKT_TYPE_USER, type(got), "type forced to USER");
        assertEquals(-3, status(got));
        for (int i = 0; i < 4; i++) {
            assertEquals(payload[i], word(got, i), "user.u64[" + i + "]");
        }
        // A type that looks like an interrupt packet is forced to USER as well.
        assertEquals(ZX_OK, zx.zx_port_queue(p, userPacket(9, ZX_PKT_TYPE_INTERRUPT, 0, 77)));
        byte[] g2 = take(zx, p);
        assertEquals(ZX_PKT_TYPE_USER, type(g2));
        assertEquals(77, word(g2, 0));
        close(zx, p);
    }

    @KernelTest
    void userPacketLimit(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        // The kernel tests "count > 4096" before inserting: 4097 fit, the 4098th fails.
        for (int i = 0; i < 4097; i++) {
            assertEquals(ZX_OK, zx.zx_port_queue(p, userPacket(i, 0, 0)), "packet " + i);
        }
        assertEquals(ZX_ERR_SHOULD_WAIT, zx.zx_port_queue(p, userPacket(9999, 0, 0)));
        assertEquals(ZX_ERR_SHOULD_WAIT, zx.zx_port_queue(p, userPacket(9999, 0, 0)));
        // Kernel packets do not count: an interrupt packet still arrives, and first.
        int irq = virtualIrq(zx);
        assertEquals(ZX_OK, zx.zx_interrupt_bind(irq, p, 555, ZX_INTERRUPT_BIND));
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 31));
        assertInterruptPacket(take(zx, p), 555, 31);
        // Taking one user packet makes room for exactly one more.
        assertEquals(0, key(take(zx, p)));
        assertEquals(ZX_OK, zx.zx_port_queue(p, userPacket(4097, 0, 0)));
        assertEquals(ZX_ERR_SHOULD_WAIT, zx.zx_port_queue(p, userPacket(9999, 0, 0)));
        for (int i = 1; i <= 4097; i++) {
            assertEquals(i, key(take(zx, p)), "FIFO, nothing from the failed queues");
        }
        assertEmpty(zx, p);
        close(zx, irq, p);
    }

    @KernelTest
    void portsHaveIndependentLimits(TestKernel k) {
        Syscalls zx = k.zx();
        int a = port(zx, 0);
        int b = port(zx, 0);
        for (int i = 0; i < 4097; i++) {
            assertEquals(ZX_OK, zx.zx_port_queue(a, userPacket(i, 0, 0)));
        }
        assertEquals(ZX_ERR_SHOULD_WAIT, zx.zx_port_queue(a, userPacket(0, 0, 0)));
        assertEquals(ZX_OK, zx.zx_port_queue(b, userPacket(0, 0, 0)));
        close(zx, a, b);
    }

    // ---- wait ---------------------------------------------------------------------------

    @KernelTest
    void waitHandleChecks(TestKernel k) {
        Syscalls zx = k.zx();
        byte[] pkt = new byte[PORT_PACKET_SIZE];
        int p = port(zx, 0);
        queueUser(zx, p, 1);
        int irq = virtualIrq(zx);
        int noRead = dup(zx, p, ZX_DEFAULT_PORT_RIGHTS & ~ZX_RIGHT_READ);
        int irqNoRights = dup(zx, irq, ZX_RIGHT_NONE);
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_port_wait(ZX_HANDLE_INVALID, 0, pkt));
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_port_wait(irq, 0, pkt));
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_port_wait(irqNoRights, 0, pkt), "type before rights");
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_port_wait(noRead, 0, pkt));
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_port_wait(noRead, 0, null));
        assertEquals(1, key(take(zx, p)), "failed waits consumed nothing");
        close(zx, p, irq, noRead, irqNoRights);
    }

    @KernelTest
    void pastDeadlinePolls(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        long now = zx.zx_clock_get_monotonic();
        for (long d : new long[] {ZX_TIME_INFINITE_PAST, 0, now - 1, now}) {
            assertEquals(ZX_ERR_TIMED_OUT, zx.zx_port_wait(p, d, new byte[PORT_PACKET_SIZE]), "deadline " + d);
        }
        queueUser(zx, p, 5);
        byte[] got = new byte[PORT_PACKET_SIZE];
        assertEquals(ZX_OK, zx.zx_port_wait(p, now - 1, got), "a past deadline still returns a queued packet");
        assertEquals(5, key(got));
        close(zx, p);
    }

    @KernelTest
    void userPacketsAreFifo(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        for (int i = 0; i < 50; i++) {
            queueUser(zx, p, 1000 + i);
        }
        for (int i = 0; i < 50; i++) {
            assertEquals(1000 + i, key(take(zx, p)));
        }
        assertEmpty(zx, p);
        close(zx, p);
    }

    @KernelTest
    void interruptPacketsAreDrainedBeforeUserPackets(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int a = virtualIrq(zx);
        int b = virtualIrq(zx);
        assertEquals(ZX_OK, zx.zx_interrupt_bind(a, p, 0xA, ZX_INTERRUPT_BIND));
        assertEquals(ZX_OK, zx.zx_interrupt_bind(b, p, 0xB, ZX_INTERRUPT_BIND));
        queueUser(zx, p, 1);
        queueUser(zx, p, 2);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(b, 0, 200));
        queueUser(zx, p, 3);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(a, 0, 100));
        assertInterruptPacket(take(zx, p), 0xB, 200); // interrupt packets FIFO among themselves
        assertInterruptPacket(take(zx, p), 0xA, 100);
        assertEquals(1, key(take(zx, p)));
        assertEquals(ZX_OK, zx.zx_interrupt_ack(a));
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(a, 0, 101));
        assertInterruptPacket(take(zx, p), 0xA, 101); // jumps ahead of the remaining user packets
        assertEquals(2, key(take(zx, p)));
        assertEquals(3, key(take(zx, p)));
        assertEmpty(zx, p);
        close(zx, a, b, p);
    }

    @KernelTest
    void faultingPacketPointerLosesThePacket(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        queueUser(zx, p, 1);
        queueUser(zx, p, 2);
        queueUser(zx, p, 3);
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_port_wait(p, ZX_TIME_INFINITE, null));
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_port_wait(p, 0, new byte[PORT_PACKET_SIZE - 1]));
        assertEquals(3, key(take(zx, p)), "packets 1 and 2 were dequeued and lost");
        // With nothing queued the deadline comes first: no fault is reported.
        assertEquals(ZX_ERR_TIMED_OUT, zx.zx_port_wait(p, 0, null));
        // Interrupt packets are lost the same way, and the interrupt stays in NEEDACK.
        int ip = irqPort(zx);
        int irq = virtualIrq(zx);
        assertEquals(ZX_OK, zx.zx_interrupt_bind(irq, ip, 4, ZX_INTERRUPT_BIND));
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 44));
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_port_wait(ip, 0, null));
        assertEmpty(zx, ip);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 45)); // coalesced: still NEEDACK
        assertEmpty(zx, ip);
        assertEquals(ZX_OK, zx.zx_interrupt_ack(irq));
        assertInterruptPacket(take(zx, ip), 4, 45);
        close(zx, p, irq, ip);
    }

    @KernelTest
    void waiterWithFutureDeadlineTimesOutWhenTheClockPassesIt(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        long deadline = zx.zx_clock_get_monotonic() + 1_000_000;
        Call<Object[]> w = portWaitAsync(zx, p, deadline).awaitBlocked();
        k.clock().advance(999_999);
        w.assertStillBlocked();
        k.clock().advance(1);
        assertEquals(ZX_ERR_TIMED_OUT, w.result()[0]);
        close(zx, p);
    }

    @KernelTest
    void infiniteWaiterIgnoresTheClockAndWakesOnQueue(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        Call<Object[]> w = portWaitAsync(zx, p, ZX_TIME_INFINITE).awaitBlocked();
        k.clock().advance(1_000_000_000_000L);
        w.assertStillBlocked();
        assertEquals(ZX_OK, zx.zx_port_queue(p, userPacket(77, 0, -5, 1, 2)));
        Object[] r = w.result();
        assertEquals(ZX_OK, r[0]);
        byte[] got = (byte[]) r[1];
        assertEquals(77, key(got));
        assertEquals(-5, status(got));
        assertEquals(2, word(got, 1));
        assertEmpty(zx, p);
        close(zx, p);
    }

    @KernelTest
    void blockedWaiterIsWokenByAnInterruptPacket(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int irq = virtualIrq(zx);
        assertEquals(ZX_OK, zx.zx_interrupt_bind(irq, p, 3, ZX_INTERRUPT_BIND));
        Call<Object[]> w = portWaitAsync(zx, p, zx.zx_clock_get_monotonic() + 10).awaitBlocked();
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 9));
        Object[] r = w.result();
        assertEquals(ZX_OK, r[0]);
        assertInterruptPacket((byte[]) r[1], 3, 9);
        close(zx, irq, p);
    }

    @KernelTest
    void severalWaitersEachGetADistinctPacket(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        List<Call<Object[]>> waiters = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waiters.add(portWaitAsync(zx, p, ZX_TIME_INFINITE).awaitBlocked());
        }
        for (int i = 0; i < 4; i++) {
            queueUser(zx, p, 100 + i);
        }
        Set<Long> keys = new HashSet<>();
        for (Call<Object[]> w : waiters) {
            Object[] r = w.result();
            assertEquals(ZX_OK, r[0]);
            keys.add(key((byte[]) r[1]));
        }
        assertEquals(Set.of(100L, 101L, 102L, 103L), keys);
        assertEmpty(zx, p);
        close(zx, p);
    }

    // ---- cancel -------------------------------------------------------------------------

    @KernelTest
    void cancelHandleChecks(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        int irq = virtualIrq(zx);
        int noWrite = dup(zx, p, ZX_DEFAULT_PORT_RIGHTS & ~ZX_RIGHT_WRITE);
        int irqNoRights = dup(zx, irq, ZX_RIGHT_NONE);
        int irqNoWait = dup(zx, irq, ZX_DEFAULT_INTERRUPT_RIGHTS & ~ZX_RIGHT_WAIT);
        // The port first.
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_port_cancel(ZX_HANDLE_INVALID, irq, 1));
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_port_cancel(ZX_HANDLE_INVALID, ZX_HANDLE_INVALID, 1));
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_port_cancel(irq, irq, 1));
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_port_cancel(irqNoRights, ZX_HANDLE_INVALID, 1));
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_port_cancel(noWrite, ZX_HANDLE_INVALID, 1));
        // Then the source: it must exist and have WAIT.
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_port_cancel(p, ZX_HANDLE_INVALID, 1));
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_port_cancel(p, irqNoWait, 1));
        // A port's default rights lack WAIT (ports are not waitable).
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_port_cancel(p, p, 1));
        // A resource's default rights lack WAIT as well.
        int rsrc = k.sim().platform().createIrqResource(0, 1);
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_port_cancel(p, rsrc, 1));
        close(zx, p, irq, noWrite, irqNoRights, irqNoWait, rsrc);
    }

    @KernelTest
    void cancelWithNothingObservedIsNotFound(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int irq = virtualIrq(zx);
        // An interrupt is waitable in this era (SoloDispatcher::is_waitable() is
        // "default rights include WAIT"), so the source is accepted; nothing observes it.
        assertEquals(ZX_ERR_NOT_FOUND, zx.zx_port_cancel(p, irq, 1));
        // Cancel touches neither user packets with that key nor interrupt bindings.
        queueUser(zx, p, 8);
        assertEquals(ZX_OK, zx.zx_interrupt_bind(irq, p, 8, ZX_INTERRUPT_BIND));
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 80));
        assertEquals(ZX_ERR_NOT_FOUND, zx.zx_port_cancel(p, irq, 8));
        assertInterruptPacket(take(zx, p), 8, 80);
        assertEquals(8, key(take(zx, p)));
        close(zx, irq, p);
    }
}
