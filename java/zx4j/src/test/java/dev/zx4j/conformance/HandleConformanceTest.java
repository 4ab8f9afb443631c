package dev.zx4j.conformance;

import static dev.zx4j.abi.Zx.*;
import static dev.zx4j.conformance.Zk.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.testing.KernelTest;
import dev.zx4j.testing.TestKernel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** zx_handle_close / zx_handle_duplicate / zx_handle_replace (reference §1.0, §1.21). */
class HandleConformanceTest {

    /**
     * A virtual interrupt bound to a fresh port with one packet queued. Closing the interrupt's
     * last handle destroys it, which removes that packet: an observable "the object died".
     */
    private static int[] irqWithQueuedPacket(Syscalls zx) {
        int port = irqPort(zx);
        int irq = virtualIrq(zx);
        assertEquals(ZX_OK, zx.zx_interrupt_bind(irq, port, 7, ZX_INTERRUPT_BIND));
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq, 0, 123));
        return new int[] {irq, port};
    }

    // ---- close --------------------------------------------------------------------------

    @KernelTest
    void closeInvalidHandleIsANoOp(TestKernel k) {
        assertEquals(ZX_OK, k.zx().zx_handle_close(ZX_HANDLE_INVALID));
    }

    @KernelTest
    void closeUnknownValuesIsBadHandle(TestKernel k) {
        Syscalls zx = k.zx();
        for (int v : new int[] {1, 2, 3, 0x7FFFFFFF, 0xFFFFFFFF, 0x12345677}) {
            assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_handle_close(v), "value " + Integer.toHexString(v));
        }
    }

    @KernelTest
    void closeTwiceIsBadHandle(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        assertEquals(ZX_OK, zx.zx_handle_close(p));
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_handle_close(p));
    }

    @KernelTest
    void closeNeedsNoRights(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        int none = dup(zx, p, ZX_RIGHT_NONE);
        assertEquals(0, rightsOf(zx, none));
        assertEquals(ZX_OK, zx.zx_handle_close(none));
        close(zx, p);
    }

    @KernelTest
    void closingOneOfTwoHandlesKeepsTheObject(TestKernel k) {
        Syscalls zx = k.zx();
        int[] o = irqWithQueuedPacket(zx);
        int second = dup(zx, o[0], ZX_RIGHT_SAME_RIGHTS);
        close(zx, o[0]);
        assertInterruptPacket(take(zx, o[1]), 7, 123); // not destroyed: packet still queued
        close(zx, second, o[1]);
    }

    @KernelTest
    void closingTheLastHandleDestroysTheObject(TestKernel k) {
        Syscalls zx = k.zx();
        int[] o = irqWithQueuedPacket(zx);
        close(zx, o[0]);
        assertEmpty(zx, o[1]); // interrupt destroyed: its queued packet was removed
        close(zx, o[1]);
    }

    @KernelTest
    void staleHandleValueNeverNamesAnotherObject(TestKernel k) {
        Syscalls zx = k.zx();
        int stalePort = port(zx, 0);
        int staleIrq = virtualIrq(zx);
        close(zx, stalePort, staleIrq);
        List<Integer> live = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            int h = (i % 2 == 0) ? port(zx, 0) : virtualIrq(zx);
            assertNotEquals(stalePort, h);
            assertNotEquals(staleIrq, h);
            live.add(h);
            if (i % 3 == 0) { // churn: free slots so a naive table would reuse them
                close(zx, live.remove(0));
            }
            assertEquals(ZX_ERR_BAD_HANDLE, validity(zx, stalePort));
        }
        assertEquals(ZX_ERR_BAD_HANDLE, validity(zx, staleIrq));
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_port_queue(stalePort, userPacket(1, 0, 0)));
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_interrupt_trigger(staleIrq, 0, 1));
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_handle_close(stalePort));
        for (int h : live) {
            close(zx, h);
        }
    }

    @KernelTest
    void handleValuesHaveTheFixedBitsSetAndAreDistinct(TestKernel k) {
        Syscalls zx = k.zx();
        Set<Integer> seen = new HashSet<>();
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(port(zx, i % 2));
            all.add(virtualIrq(zx));
        }
        int d = dup(zx, all.get(0), ZX_RIGHT_SAME_RIGHTS);
        all.add(d);
        int[] out = new int[1];
        assertEquals(ZX_OK, zx.zx_handle_replace(all.get(1), ZX_RIGHT_SAME_RIGHTS, out));
        all.set(1, out[0]);
        for (int h : all) {
            assertEquals(ZX_HANDLE_FIXED_BITS_MASK, h & ZX_HANDLE_FIXED_BITS_MASK,
                    Integer.toHexString(h));
            assertTrue(seen.add(h), "duplicate handle value " + Integer.toHexString(h));
        }
        for (int h : all) {
            close(zx, h);
        }
    }

    // ---- duplicate ----------------------------------------------------------------------

    @KernelTest
    void duplicateBadHandle(TestKernel k) {
        Syscalls zx = k.zx();
        int[] out = {42};
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_handle_duplicate(ZX_HANDLE_INVALID, ZX_RIGHT_SAME_RIGHTS, out));
        int p = port(zx, 0);
        close(zx, p);
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_handle_duplicate(p, ZX_RIGHT_SAME_RIGHTS, out));
        assertEquals(42, out[0], "out untouched on failure");
        // The handle is checked before the out pointer and before the rights.
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_handle_duplicate(p, 0xFFFF, null));
    }

    @KernelTest
    void duplicateNeedsDuplicateRight(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        int noDup = dup(zx, p, ZX_DEFAULT_PORT_RIGHTS & ~ZX_RIGHT_DUPLICATE);
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_handle_duplicate(noDup, ZX_RIGHT_SAME_RIGHTS, new int[1]));
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_handle_duplicate(noDup, ZX_RIGHT_NONE, new int[1]));
        // Missing DUPLICATE is reported before rights that are not a subset.
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_handle_duplicate(noDup, ZX_RIGHT_SIGNAL, new int[1]));
        close(zx, noDup, p);
    }

    @KernelTest
    void duplicateRightsMustBeASubset(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        int[] out = new int[1];
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_handle_duplicate(p, ZX_RIGHT_WAIT, out));
        assertEquals(ZX_ERR_INVALID_ARGS,
                zx.zx_handle_duplicate(p, ZX_RIGHT_SAME_RIGHTS | ZX_RIGHT_READ, out));
        int reduced = dup(zx, p, ZX_RIGHT_DUPLICATE | ZX_RIGHT_READ);
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_handle_duplicate(reduced, ZX_RIGHT_WRITE, out));
        close(zx, reduced, p);
    }

    @KernelTest
    void duplicateSameRightsAndSubset(TestKernel k) {
        Syscalls zx = k.zx();
        int irq = virtualIrq(zx);
        int same = dup(zx, irq, ZX_RIGHT_SAME_RIGHTS);
        assertNotEquals(irq, same);
        assertEquals(ZX_DEFAULT_INTERRUPT_RIGHTS, rightsOf(zx, same));
        assertEquals(koidOf(zx, irq), koidOf(zx, same));
        int sub = dup(zx, irq, ZX_RIGHT_DUPLICATE | ZX_RIGHT_WAIT);
        assertEquals(ZX_RIGHT_DUPLICATE | ZX_RIGHT_WAIT, rightsOf(zx, sub));
        int subSame = dup(zx, sub, ZX_RIGHT_SAME_RIGHTS);
        assertEquals(ZX_RIGHT_DUPLICATE | ZX_RIGHT_WAIT, rightsOf(zx, subSame));
        // The rights are enforced on the new handle: no SIGNAL → trigger is denied.
        assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_interrupt_trigger(sub, 0, 1));
        close(zx, irq, same, sub, subSame);
    }

    @KernelTest
    void duplicateWithFaultingOutPointerLeaksNoHandle(TestKernel k) {
        Syscalls zx = k.zx();
        int[] o = irqWithQueuedPacket(zx);
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_handle_duplicate(o[0], ZX_RIGHT_SAME_RIGHTS, null));
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_handle_duplicate(o[0], ZX_RIGHT_SAME_RIGHTS, new int[0]));
        close(zx, o[0]);
        assertEmpty(zx, o[1]); // no hidden duplicate kept the interrupt alive
        close(zx, o[1]);
    }

    // ---- replace ------------------------------------------------------------------------

    @KernelTest
    void replaceBadHandle(TestKernel k) {
        Syscalls zx = k.zx();
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_handle_replace(ZX_HANDLE_INVALID, ZX_RIGHT_SAME_RIGHTS, new int[1]));
        int p = port(zx, 0);
        close(zx, p);
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_handle_replace(p, ZX_RIGHT_SAME_RIGHTS, new int[1]));
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_handle_replace(p, 0xFFFF, null));
    }

    @KernelTest
    void replaceSucceedsAndInvalidatesTheSource(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        long koid = koidOf(zx, p);
        int[] out = new int[1];
        assertEquals(ZX_OK, zx.zx_handle_replace(p, ZX_RIGHT_READ | ZX_RIGHT_TRANSFER, out));
        assertEquals(ZX_ERR_BAD_HANDLE, validity(zx, p));
        assertEquals(ZX_RIGHT_READ | ZX_RIGHT_TRANSFER, rightsOf(zx, out[0]));
        assertEquals(koid, koidOf(zx, out[0]));
        int[] again = new int[1];
        assertEquals(ZX_OK, zx.zx_handle_replace(out[0], ZX_RIGHT_SAME_RIGHTS, again));
        assertEquals(ZX_ERR_BAD_HANDLE, validity(zx, out[0]));
        assertEquals(ZX_RIGHT_READ | ZX_RIGHT_TRANSFER, rightsOf(zx, again[0]));
        close(zx, again[0]);
    }

    @KernelTest
    void replaceNeedsNoDuplicateRight(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        int noDup = dup(zx, p, ZX_RIGHT_READ | ZX_RIGHT_WRITE);
        int[] out = new int[1];
        assertEquals(ZX_OK, zx.zx_handle_replace(noDup, ZX_RIGHT_READ, out));
        assertEquals(ZX_RIGHT_READ, rightsOf(zx, out[0]));
        close(zx, out[0], p);
    }

    @KernelTest
    void replaceWithWiderRightsFailsButClosesTheSource(TestKernel k) {
        Syscalls zx = k.zx();
        int p = port(zx, 0);
        int narrow = dup(zx, p, ZX_RIGHT_READ);
        int[] out = {42};
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_handle_replace(narrow, ZX_RIGHT_READ | ZX_RIGHT_WRITE, out));
        assertEquals(42, out[0]);
        assertEquals(ZX_ERR_BAD_HANDLE, validity(zx, narrow));
        assertEquals(ZX_OK, validity(zx, p));
        close(zx, p);
    }

    @KernelTest
    void failedReplaceOfTheLastHandleDestroysTheObject(TestKernel k) {
        Syscalls zx = k.zx();
        int[] o = irqWithQueuedPacket(zx);
        int narrow = dup(zx, o[0], ZX_RIGHT_READ);
        close(zx, o[0]);
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_handle_replace(narrow, ZX_RIGHT_WRITE, new int[1]));
        assertEquals(ZX_ERR_BAD_HANDLE, validity(zx, narrow));
        assertEmpty(zx, o[1]);
        close(zx, o[1]);
    }

    @KernelTest
    void replaceWithFaultingOutPointerLosesTheObject(TestKernel k) {
        Syscalls zx = k.zx();
        int[] o = irqWithQueuedPacket(zx);
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_handle_replace(o[0], ZX_RIGHT_SAME_RIGHTS, null));
        assertEquals(ZX_ERR_BAD_HANDLE, validity(zx, o[0]));
        assertEmpty(zx, o[1]);
        close(zx, o[1]);
    }
}
