package dev.zx4j.conformance;

import static dev.zx4j.abi.Zx.*;
import static dev.zx4j.conformance.Zk.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.sim.SimPlatform;
import dev.zx4j.testing.KernelTest;
import dev.zx4j.testing.TestKernel;

/**
 * zx_interrupt_create / bind / ack / trigger / wait / destroy (reference §1.0–1.7, era notes in
 * era-research.md §7: late-V, 2021–22).
 */
class InterruptConformanceTest {

    private static int bound(Syscalls zx, int irq, int port, long key) {
        assertEquals(ZX_OK, zx.zx_interrupt_bind(irq, port, key, ZX_INTERRUPT_BIND));
        return irq;
    }

    private static int create(Syscalls zx, int src, int num, int options) {
        int[] out = new int[1];
        assertEquals(ZX_OK, zx.zx_interrupt_create(src, num, options, out));
        return out[0];
    }

    // ---- create: virtual ----------------------------------------------------------------

    @KernelTest
    void virtualCreateIgnoresSourceObjectAndNumber(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        int stale = port(zx, 0);
        close(zx, stale);
        for (int src : new int[] {ZX_HANDLE_INVALID, 0x7FFFFFFF, stale, p}) {
            int irq = create(zx, src, 12345, ZX_INTERRUPT_VIRTUAL);
            assertEquals(ZX_OBJ_TYPE_INTERRUPT, typeOf(zx, irq));
            assertEquals(ZX_DEFAULT_INTERRUPT_RIGHTS, rightsOf(zx, irq));
            close(zx, irq);
        }
        close(zx, p);
    }

    @KernelTest
    void virtualCreateWithExtraOptionBitsIsInvalidArgs(TestKernel k) {
        Syscalls zx = k.zx();
        int[] out = {42};
        for (int opts : new int[] {ZX_INTERRUPT_SLOT_USER, ZX_INTERRUPT_VIRTUAL | ZX_INTERRUPT_REMAP_IRQ,
                ZX_INTERRUPT_VIRTUAL | ZX_INTERRUPT_MODE_EDGE_HIGH, ZX_INTERRUPT_VIRTUAL | 0x40,
                ZX_INTERRUPT_VIRTUAL | 0x80000000}) {
            // No resource check for VIRTUAL: the bad handle is not what is reported.
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_interrupt_create(ZX_HANDLE_INVALID, 0, opts, out),
                    "options 0x" + Integer.toHexString(opts));
        }
        assertEquals(42, out[0]);
    }

    @KernelTest
    void createFaultingOutPointer(TestKernel k) {
        Syscalls zx = k.zx();
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_interrupt_create(0, 0, ZX_INTERRUPT_VIRTUAL, null));
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_interrupt_create(0, 0, ZX_INTERRUPT_VIRTUAL, new int[0]));
        // A physical interrupt whose handle could not be returned releases its vector.
        int rsrc = k.sim().platform().createIrqResource(5, 1);
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_interrupt_create(rsrc, 5, 0, null));
        int irq = create(zx, rsrc, 5, 0);
        close(zx, irq, rsrc);
    }

    // ---- create: physical ---------------------------------------------------------------

    @KernelTest
    void physicalCreateResourceChecks(TestKernel k) {
        Syscalls zx = k.zx();
        SimPlatform pf = k.sim().platform();
        int irqRsrc = pf.createIrqResource(10, 4); // vectors 10..13
        int mmio = pf.createResource(ZX_RSRC_KIND_MMIO, 10, 4);
        int p = port(zx, 0);
        int[] out = new int[1];
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_interrupt_create(ZX_HANDLE_INVALID, 10, 0, out));
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_interrupt_create(p, 10, 0, out), "not a resource");
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_interrupt_create(mmio, 10, 0, out), "wrong kind");
        assertEquals(ZX_ERR_OUT_OF_RANGE, zx.zx_interrupt_create(irqRsrc, 9, 0, out));
        assertEquals(ZX_ERR_OUT_OF_RANGE, zx.zx_interrupt_create(irqRsrc, 14, 0, out));
        assertEquals(ZX_ERR_OUT_OF_RANGE, zx.zx_interrupt_create(irqRsrc, -1, 0, out), "src_num is unsigned");
        // The resource is checked before the options.
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_interrupt_create(ZX_HANDLE_INVALID, 10, 0x100, out));
        assertEquals(ZX_ERR_OUT_OF_RANGE, zx.zx_interrupt_create(irqRsrc, 14, 0x100, out));
        // No right is needed on the resource.
        int weak = dup(zx, irqRsrc, ZX_RIGHT_NONE);
        int a = create(zx, weak, 13, ZX_INTERRUPT_MODE_EDGE_HIGH);
        int b = create(zx, irqRsrc, 10, ZX_INTERRUPT_MODE_LEVEL_HIGH | ZX_INTERRUPT_REMAP_IRQ);
        assertEquals(ZX_DEFAULT_INTERRUPT_RIGHTS, rightsOf(zx, a));
        assertEquals(ZX_OBJ_TYPE_INTERRUPT, typeOf(zx, b));
        close(zx, a, b, weak, irqRsrc, mmio, p);
    }

    @KernelTest
    void physicalCreateOptionAndVectorChecks(TestKernel k) {
        Syscalls zx = k.zx();
        int root = k.sim().platform().createRootResource();
        int[] out = new int[1];
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_interrupt_create(root, 1, 0x100, out), "unknown bit");
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_interrupt_create(root, 1, 0xC, out), "bad mode");
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_interrupt_create(root, 1, 0xE, out), "bad mode");
        assertEquals(ZX_ERR_INVALID_ARGS,
                zx.zx_interrupt_create(root, SimPlatform.IRQ_VECTORS, 0, out), "no such vector");
        int any = create(zx, root, SimPlatform.IRQ_VECTORS - 1, ZX_INTERRUPT_MODE_EDGE_BOTH);
        // A physical interrupt cannot be triggered from user space.
        assertEquals(ZX_ERR_BAD_STATE, zx.zx_interrupt_trigger(any, 0, 1));
        close(zx, any, root);
    }

    @KernelTest
    void secondInterruptOnTheSameVectorIsAlreadyBound(TestKernel k) {
        // register_int_handler refuses a second handler with ZX_ERR_ALREADY_BOUND (pdev
        // interrupt.cc), and InterruptEventDispatcher::Create propagates it.
        Syscalls zx = k.zx();
        int rsrc = k.sim().platform().createIrqResource(20, 2);
        int first = create(zx, rsrc, 20, 0);
        int[] out = {42};
        assertEquals(ZX_ERR_ALREADY_BOUND, zx.zx_interrupt_create(rsrc, 20, 0, out));
        assertEquals(42, out[0]);
        int other = create(zx, rsrc, 21, 0);
        // Destroy unregisters the handler: the vector is free again while `first` still exists.
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(first));
        int second = create(zx, rsrc, 20, 0);
        // Closing the last handle unregisters too.
        close(zx, second);
        int third = create(zx, rsrc, 20, 0);
        close(zx, first, other, third, rsrc);
    }

    @KernelTest
    void firedLineQueuesAPacketWithTheClockTime(TestKernel k) {
        Syscalls zx = k.zx();
        int rsrc = k.sim().platform().createIrqResource(30, 1);
        int irq = create(zx, rsrc, 30, ZX_INTERRUPT_MODE_EDGE_HIGH);
        int p = irqPort(zx);
        bound(zx, irq, p, 0x30);
        k.clock().advance(5_000);
        long t = zx.zx_clock_get_monotonic();
        assertTrue(k.sim().platform().irqLine(30).fire());
        k.clock().advance(7_000);
        assertInterruptPacket(take(zx, p), 0x30, t);
        assertEquals(ZX_OK, zx.zx_interrupt_ack(irq));
        long t2 = zx.zx_clock_get_monotonic();
        assertTrue(k.sim().platform().irqLine(30).fire());
        assertInterruptPacket(take(zx, p), 0x30, t2);
        assertEquals(ZX_ERR_NOT_FOUND, zx.zx_interrupt_destroy(irq), "packet already read");
        assertFalse(k.sim().platform().irqLine(30).fire(), "no handler after destroy");
        assertEmpty(zx, p);
        close(zx, irq, p, rsrc);
    }

    @KernelTest
    void firedLineWakesInterruptWait(TestKernel k) {
        Syscalls zx = k.zx();
        int rsrc = k.sim().platform().createIrqResource(40, 1);
        int irq = create(zx, rsrc, 40, 0);
        Call<long[]> w = irqWaitAsync(zx, irq).awaitBlocked();
        k.clock().advance(123);
        long t = zx.zx_clock_get_monotonic();
        assertTrue(k.sim().platform().irqLine(40).fire());
        assertEquals(ZX_OK, w.result()[0]);
        assertEquals(t, w.result()[1]);
        // Fired while nobody waits: the next wait returns at once with that time.
        k.clock().advance(1);
        long t2 = zx.zx_clock_get_monotonic();
        assertTrue(k.sim().platform().irqLine(40).fire());
        long[] ts = new long[1];
        assertEquals(ZX_OK, zx.zx_interrupt_wait(irq, ts));
        assertEquals(t2, ts[0]);
        close(zx, irq, rsrc);
    }

    // ---- bind / unbind ------------------------------------------------------------------

    @KernelTest
    void bindOptionsAreCheckedFirst(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int irq = virtualIrq(zx);
        for (int opts : new int[] {2, 3, -1, 0x100}) {
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_interrupt_bind(irq, p, 0, opts));
            assertEquals(ZX_ERR_INVALID_ARGS,
                    zx.zx_interrupt_bind(ZX_HANDLE_INVALID, ZX_HANDLE_INVALID, 0, opts));
        }
        close(zx, irq, p);
    }

    @KernelTest
    void bindHandleChecksInterruptThenPort(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int plain = port(zx, 0);
        int irq = virtualIrq(zx);
        int irqNoRead = dup(zx, irq, ZX_DEFAULT_INTERRUPT_RIGHTS & ~ZX_RIGHT_READ);
        int portNoRights = dup(zx, p, ZX_RIGHT_NONE);
        int portNoWrite = dup(zx, p, ZX_DEFAULT_PORT_RIGHTS & ~ZX_RIGHT_WRITE);
        for (int opts : new int[] {ZX_INTERRUPT_BIND, ZX_INTERRUPT_UNBIND}) {
            assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_interrupt_bind(ZX_HANDLE_INVALID, p, 0, opts));
            assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_interrupt_bind(p, p, 0, opts));
            assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_interrupt_bind(portNoRights, p, 0, opts), "type before rights");
            assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_interrupt_bind(irqNoRead, p, 0, opts));
            assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_interrupt_bind(irqNoRead, ZX_HANDLE_INVALID, 0, opts),
                    "interrupt before port");
            assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_interrupt_bind(irq, ZX_HANDLE_INVALID, 0, opts));
            assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_interrupt_bind(irq, irq, 0, opts));
            assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_interrupt_bind(irq, portNoWrite, 0, opts));
            // A port without ZX_PORT_BIND_TO_INTERRUPT is the wrong kind of port.
            assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_interrupt_bind(irq, plain, 0, opts));
        }
        close(zx, p, plain, irq, irqNoRead, portNoRights, portNoWrite);
    }

    @KernelTest
    void bindTwiceIsAlreadyBound(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int q = irqPort(zx);
        int irq = bound(zx, virtualIrq(zx), p, 1);
        assertEquals(ZX_ERR_ALREADY_BOUND, zx.zx_interrupt_bind(irq, p, 1, ZX_INTERRUPT_BIND));
        assertEquals(ZX_ERR_ALREADY_BOUND, zx.zx_interrupt_bind(irq, q, 2, ZX_INTERRUPT_BIND));
        // After unbinding it may be bound again, to another port.
        assertEquals(ZX_OK, zx.zx_interrupt_bind(irq, p, 99, ZX_INTERRUPT_UNBIND));
        bound(zx, irq, q, 2);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 5));
        assertInterruptPacket(take(zx, q), 2, 5);
        assertEmpty(zx, p);
        close(zx, irq, p, q);
    }

    @KernelTest
    void bindAfterDestroyIsCanceledBeforeAlreadyBound(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int irq = virtualIrq(zx);
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(irq));
        assertEquals(ZX_ERR_CANCELED, zx.zx_interrupt_bind(irq, p, 0, ZX_INTERRUPT_BIND));
        int b = bound(zx, virtualIrq(zx), p, 0);
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(b));
        assertEquals(ZX_ERR_CANCELED, zx.zx_interrupt_bind(b, p, 0, ZX_INTERRUPT_BIND));
        close(zx, irq, b, p);
    }

    @KernelTest
    void bindWhileAThreadWaitsIsBadState(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int irq = virtualIrq(zx);
        Call<long[]> w = irqWaitAsync(zx, irq).awaitBlocked();
        assertEquals(ZX_ERR_BAD_STATE, zx.zx_interrupt_bind(irq, p, 0, ZX_INTERRUPT_BIND));
        // UNBIND looks at the binding only: nothing bound → NOT_FOUND.
        assertEquals(ZX_ERR_NOT_FOUND, zx.zx_interrupt_bind(irq, p, 0, ZX_INTERRUPT_UNBIND));
        w.assertStillBlocked();
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 3));
        assertEquals(ZX_OK, w.result()[0]);
        close(zx, irq, p);
    }

    @KernelTest
    void bindWhileTriggeredSendsThePacketAtOnce(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int irq = virtualIrq(zx);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 111));
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 222)); // coalesced, first kept
        assertEmpty(zx, p);
        bound(zx, irq, p, 0x77);
        assertInterruptPacket(take(zx, p), 0x77, 111);
        // Now NEEDACK: a trigger is held until ack.
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 333));
        assertEmpty(zx, p);
        assertEquals(ZX_OK, zx.zx_interrupt_ack(irq));
        assertInterruptPacket(take(zx, p), 0x77, 333);
        close(zx, irq, p);
    }

    @KernelTest
    void unbindNotFound(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int q = irqPort(zx);
        int irq = virtualIrq(zx);
        assertEquals(ZX_ERR_NOT_FOUND, zx.zx_interrupt_bind(irq, p, 0, ZX_INTERRUPT_UNBIND), "not bound");
        bound(zx, irq, p, 0);
        assertEquals(ZX_ERR_NOT_FOUND, zx.zx_interrupt_bind(irq, q, 0, ZX_INTERRUPT_UNBIND), "other port");
        // A duplicate handle of the bound port names the same port.
        int pDup = dup(zx, p, ZX_RIGHT_WRITE);
        assertEquals(ZX_OK, zx.zx_interrupt_bind(irq, pDup, 12345, ZX_INTERRUPT_UNBIND), "key ignored");
        assertEquals(ZX_ERR_NOT_FOUND, zx.zx_interrupt_bind(irq, p, 0, ZX_INTERRUPT_UNBIND), "already unbound");
        close(zx, irq, p, q, pDup);
    }

    @KernelTest
    void unbindNotFoundComesBeforeCanceled(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int q = irqPort(zx);
        int unboundIrq = virtualIrq(zx);
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(unboundIrq));
        assertEquals(ZX_ERR_NOT_FOUND, zx.zx_interrupt_bind(unboundIrq, p, 0, ZX_INTERRUPT_UNBIND));
        int boundIrq = bound(zx, virtualIrq(zx), p, 0);
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(boundIrq));
        assertEquals(ZX_ERR_NOT_FOUND, zx.zx_interrupt_bind(boundIrq, q, 0, ZX_INTERRUPT_UNBIND));
        // Destroy keeps the binding, so the bound port is found and then CANCELED is reported.
        assertEquals(ZX_ERR_CANCELED, zx.zx_interrupt_bind(boundIrq, p, 0, ZX_INTERRUPT_UNBIND));
        close(zx, unboundIrq, boundIrq, p, q);
    }

    @KernelTest
    void unbindRemovesTheQueuedPacketAndAllowsWaiting(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int irq = bound(zx, virtualIrq(zx), p, 0);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 50));
        assertEquals(ZX_ERR_BAD_STATE, zx.zx_interrupt_wait(irq, new long[1]), "bound: no wait");
        // Late-V: unbind just removes the queued packet (the newest kernels' "packet survives
        // unbind" is not modelled).
        assertEquals(ZX_OK, zx.zx_interrupt_bind(irq, p, 0, ZX_INTERRUPT_UNBIND));
        assertEmpty(zx, p);
        assertEquals(ZX_ERR_BAD_STATE, zx.zx_interrupt_ack(irq), "ack needs a port");
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 60));
        long[] ts = new long[1];
        assertEquals(ZX_OK, zx.zx_interrupt_wait(irq, ts));
        assertEquals(60, ts[0]);
        assertEmpty(zx, p);
        close(zx, irq, p);
    }

    // ---- ack ----------------------------------------------------------------------------

    @KernelTest
    void ackHandleChecks(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int irq = bound(zx, virtualIrq(zx), p, 0);
        int noWrite = dup(zx, irq, ZX_DEFAULT_INTERRUPT_RIGHTS & ~ZX_RIGHT_WRITE);
        int portNoRights = dup(zx, p, ZX_RIGHT_NONE);
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_interrupt_ack(ZX_HANDLE_INVALID));
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_interrupt_ack(p));
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_interrupt_ack(portNoRights));
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_interrupt_ack(noWrite));
        assertEquals(ZX_OK, zx.zx_interrupt_ack(irq), "IDLE: a no-op");
        assertEmpty(zx, p);
        close(zx, irq, p, noWrite, portNoRights);
    }

    @KernelTest
    void ackBadStateIsCheckedBeforeCanceled(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int unbound = virtualIrq(zx);
        assertEquals(ZX_ERR_BAD_STATE, zx.zx_interrupt_ack(unbound));
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(unbound));
        assertEquals(ZX_ERR_BAD_STATE, zx.zx_interrupt_ack(unbound), "not bound wins over destroyed");
        int b = bound(zx, virtualIrq(zx), p, 0);
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(b));
        assertEquals(ZX_ERR_CANCELED, zx.zx_interrupt_ack(b), "destroy keeps the port binding");
        close(zx, unbound, b, p);
    }

    @KernelTest
    void ackResendsThePendingTriggerWithTheFirstTimestamp(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int irq = bound(zx, virtualIrq(zx), p, 9);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 1));
        assertInterruptPacket(take(zx, p), 9, 1);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 2));
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 3));
        assertEmpty(zx, p); // NEEDACK: held back
        assertEquals(ZX_OK, zx.zx_interrupt_ack(irq));
        assertInterruptPacket(take(zx, p), 9, 2);
        assertEmpty(zx, p); // 3 was coalesced into 2
        assertEquals(ZX_OK, zx.zx_interrupt_ack(irq)); // nothing pending → IDLE
        assertEmpty(zx, p);
        assertEquals(ZX_OK, zx.zx_interrupt_ack(irq)); // IDLE: no-op
        assertEmpty(zx, p);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 4));
        assertInterruptPacket(take(zx, p), 9, 4);
        close(zx, irq, p);
    }

    @KernelTest
    void ackBeforeReadingWithATriggerPendingIsBadState(TestKernel k) {
        // Reference §1.4 edge case (a).
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int irq = bound(zx, virtualIrq(zx), p, 9);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 10));
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 20));
        assertEquals(ZX_ERR_BAD_STATE, zx.zx_interrupt_ack(irq));
        // The queued packet keeps its own timestamp; the pending one was consumed and dropped.
        assertInterruptPacket(take(zx, p), 9, 10);
        assertEmpty(zx, p);
        assertEquals(ZX_OK, zx.zx_interrupt_ack(irq));
        assertEmpty(zx, p);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 30));
        assertInterruptPacket(take(zx, p), 9, 30);
        close(zx, irq, p);
    }

    @KernelTest
    void ackBeforeReadingWithNothingPendingDropsTheNextTrigger(TestKernel k) {
        // Reference §1.4 edge case (b).
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int irq = bound(zx, virtualIrq(zx), p, 9);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 10));
        assertEquals(ZX_OK, zx.zx_interrupt_ack(irq)); // → IDLE, packet still queued
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 20)); // cannot queue a second packet
        assertInterruptPacket(take(zx, p), 9, 10);
        assertEmpty(zx, p);
        assertEquals(ZX_OK, zx.zx_interrupt_ack(irq)); // NEEDACK, nothing pending → IDLE
        assertEmpty(zx, p);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 30));
        assertInterruptPacket(take(zx, p), 9, 30);
        close(zx, irq, p);
    }

    // ---- trigger ------------------------------------------------------------------------

    @KernelTest
    void triggerOptionsAreCheckedBeforeTheHandle(TestKernel k) {
        Syscalls zx = k.zx();
        int irq = virtualIrq(zx);
        for (int opts : new int[] {1, 2, -1}) {
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_interrupt_trigger(irq, opts, 1));
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_interrupt_trigger(ZX_HANDLE_INVALID, opts, 1));
        }
        // Nothing was recorded by the rejected calls.
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 7));
        long[] ts = new long[1];
        assertEquals(ZX_OK, zx.zx_interrupt_wait(irq, ts));
        assertEquals(7, ts[0]);
        close(zx, irq);
    }

    @KernelTest
    void triggerHandleChecksThenStateChecks(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        int irq = virtualIrq(zx);
        int noSignal = dup(zx, irq, ZX_DEFAULT_INTERRUPT_RIGHTS & ~ZX_RIGHT_SIGNAL);
        int portNoRights = dup(zx, p, ZX_RIGHT_NONE);
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_interrupt_trigger(ZX_HANDLE_INVALID, 0, 1));
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_interrupt_trigger(p, 0, 1));
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_interrupt_trigger(portNoRights, 0, 1));
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_interrupt_trigger(noSignal, 0, 1));
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(irq));
        assertEquals(ZX_ERR_CANCELED, zx.zx_interrupt_trigger(irq, 0, 1));
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_interrupt_trigger(noSignal, 0, 1), "rights before state");
        // Not virtual is reported before destroyed.
        int rsrc = k.sim().platform().createIrqResource(3, 1);
        int phys = create(zx, rsrc, 3, 0);
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(phys));
        assertEquals(ZX_ERR_BAD_STATE, zx.zx_interrupt_trigger(phys, 0, 1));
        close(zx, p, irq, noSignal, portNoRights, phys, rsrc);
    }

    @KernelTest
    void unboundTriggersCoalesceKeepingTheFirstTimestamp(TestKernel k) {
        Syscalls zx = k.zx();
        int irq = virtualIrq(zx);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 100));
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 200));
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 300));
        long[] ts = new long[1];
        assertEquals(ZX_OK, zx.zx_interrupt_wait(irq, ts));
        assertEquals(100, ts[0]);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 400));
        assertEquals(ZX_OK, zx.zx_interrupt_wait(irq, ts));
        assertEquals(400, ts[0], "the consumed trigger does not linger");
        close(zx, irq);
    }

    // ---- wait ---------------------------------------------------------------------------

    @KernelTest
    void waitHandleAndStateChecks(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int irq = virtualIrq(zx);
        int noWait = dup(zx, irq, ZX_DEFAULT_INTERRUPT_RIGHTS & ~ZX_RIGHT_WAIT);
        int portNoRights = dup(zx, p, ZX_RIGHT_NONE);
        long[] ts = {42};
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_interrupt_wait(ZX_HANDLE_INVALID, ts));
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_interrupt_wait(p, ts));
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_interrupt_wait(portNoRights, ts));
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_interrupt_wait(noWait, ts));
        bound(zx, irq, p, 0);
        assertEquals(ZX_ERR_BAD_STATE, zx.zx_interrupt_wait(irq, ts));
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(irq));
        assertEquals(ZX_ERR_BAD_STATE, zx.zx_interrupt_wait(irq, ts), "bound is checked before destroyed");
        int other = virtualIrq(zx);
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(other));
        assertEquals(ZX_ERR_CANCELED, zx.zx_interrupt_wait(other, ts));
        assertEquals(42, ts[0]);
        close(zx, p, irq, noWait, portNoRights, other);
    }

    @KernelTest
    void waitReturnsAtOnceAfterATrigger(TestKernel k) {
        Syscalls zx = k.zx();
        int irq = virtualIrq(zx);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 0x1234_5678_9ABCL));
        long[] ts = new long[1];
        assertEquals(ZX_OK, zx.zx_interrupt_wait(irq, ts));
        assertEquals(0x1234_5678_9ABCL, ts[0]);
        // NULL out_timestamp is explicitly allowed.
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 5));
        assertEquals(ZX_OK, zx.zx_interrupt_wait(irq, null));
        close(zx, irq);
    }

    @KernelTest
    void waitWithFaultingTimestampPointerConsumesTheTrigger(TestKernel k) {
        Syscalls zx = k.zx();
        int irq = virtualIrq(zx);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 5));
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_interrupt_wait(irq, new long[0]));
        // The trigger was consumed (state NEEDACK, no timestamp pending): a new trigger's own
        // timestamp is what the next wait reports.
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 6));
        long[] ts = new long[1];
        assertEquals(ZX_OK, zx.zx_interrupt_wait(irq, ts));
        assertEquals(6, ts[0]);
        close(zx, irq);
    }

    @KernelTest
    void blockedWaitIsWokenByATriggerFromAnotherThread(TestKernel k) {
        Syscalls zx = k.zx();
        int irq = virtualIrq(zx);
        for (long t = 1; t <= 3; t++) { // also after NEEDACK: the next wait is the ack
            Call<long[]> w = irqWaitAsync(zx, irq).awaitBlocked();
            assertEquals(ZX_ERR_BAD_STATE, zx.zx_interrupt_wait(irq, new long[1]), "second waiter");
            w.assertStillBlocked();
            assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 1000 * t));
            assertEquals(ZX_OK, w.result()[0]);
            assertEquals(1000 * t, w.result()[1]);
        }
        close(zx, irq);
    }

    @KernelTest
    void destroyWakesTheWaiterWithCanceled(TestKernel k) {
        Syscalls zx = k.zx();
        int irq = virtualIrq(zx);
        Call<long[]> w = irqWaitAsync(zx, irq).awaitBlocked();
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(irq));
        assertEquals(ZX_ERR_CANCELED, w.result()[0]);
        assertEquals(ZX_ERR_CANCELED, zx.zx_interrupt_wait(irq, null));
        close(zx, irq);
    }

    @KernelTest
    void closingTheLastHandleWakesTheWaiterWithCanceled(TestKernel k) {
        Syscalls zx = k.zx();
        int irq = virtualIrq(zx);
        int second = dup(zx, irq, ZX_RIGHT_SAME_RIGHTS);
        Call<long[]> w = irqWaitAsync(zx, irq).awaitBlocked();
        close(zx, second);
        w.assertStillBlocked(); // not the last handle
        close(zx, irq);
        assertEquals(ZX_ERR_CANCELED, w.result()[0]);
    }

    // ---- destroy ------------------------------------------------------------------------

    @KernelTest
    void destroyHandleChecksNeedNoRights(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_interrupt_destroy(ZX_HANDLE_INVALID));
        assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_interrupt_destroy(p));
        int irq = virtualIrq(zx);
        int none = dup(zx, irq, ZX_RIGHT_NONE);
        // The kernel checks only the type (the FIDL docs' WRITE requirement is not enforced).
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(none));
        assertEquals(ZX_ERR_CANCELED, zx.zx_interrupt_trigger(irq, 0, 1));
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(irq), "repeat destroy");
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(none), "repeat destroy");
        close(zx, p, irq, none);
    }

    @KernelTest
    void destroyBoundIdleOrQueuedIsOkAndRemovesThePacket(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int idle = bound(zx, virtualIrq(zx), p, 1);
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(idle));
        int queued = bound(zx, virtualIrq(zx), p, 2);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(queued, 0, 22));
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(queued));
        assertEmpty(zx, p);
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(queued), "repeat destroy");
        close(zx, idle, queued, p);
    }

    @KernelTest
    void destroyAfterThePacketWasReadIsNotFound(TestKernel k) {
        Syscalls zx = k.zx();
        int p = irqPort(zx);
        int irq = bound(zx, virtualIrq(zx), p, 1);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 11));
        assertInterruptPacket(take(zx, p), 1, 11);
        assertEquals(ZX_ERR_NOT_FOUND, zx.zx_interrupt_destroy(irq));
        // It is destroyed all the same.
        assertEquals(ZX_ERR_CANCELED, zx.zx_interrupt_trigger(irq, 0, 12));
        assertEquals(ZX_ERR_CANCELED, zx.zx_interrupt_ack(irq));
        assertEquals(ZX_ERR_CANCELED, zx.zx_interrupt_bind(irq, p, 1, ZX_INTERRUPT_UNBIND));
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(irq), "repeat destroy");
        assertEmpty(zx, p);
        close(zx, irq, p);
    }
}
