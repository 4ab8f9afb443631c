package dev.zx4j.jni;

import static dev.zx4j.abi.Zx.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.abi.Layouts;
import dev.zx4j.abi.Syscalls;
import dev.zx4j.testing.KernelTest;
import dev.zx4j.testing.TestKernel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Behaviour that crosses the JNI boundary in interesting ways — out-parameters, bad user pointers
 * after side effects, blocking calls woken from another thread, thread-confined calls — run on
 * every kernel, so the hosted JNI path must answer exactly as the simulated kernel does.
 */
class ThroughJniKernelTest {

    private static int port(Syscalls zx, int options) {
        int[] out = new int[1];
        assertEquals(ZX_OK, zx.zx_port_create(options, out));
        assertNotEquals(ZX_HANDLE_INVALID, out[0]);
        return out[0];
    }

    @KernelTest
    void aUserPacketRoundTripsWithItsTypeForcedToUser(TestKernel k) {
        Syscalls zx = k.zx();
        int port = port(zx, 0);
        byte[] p = new byte[Layouts.PORT_PACKET_SIZE];
        Layouts.put64(p, Layouts.PACKET_KEY, 0xFEED_FACE_CAFE_BEEFL);
        Layouts.put32(p, Layouts.PACKET_TYPE, ZX_PKT_TYPE_USER + 5);
        Layouts.put32(p, Layouts.PACKET_STATUS, -3);
        for (int i = 0; i < Layouts.PACKET_UNION_SIZE; i++) {
            p[Layouts.PACKET_UNION + i] = (byte) (0x80 + i);
        }
        assertEquals(ZX_OK, zx.zx_port_queue(port, p));
        byte[] got = new byte[Layouts.PORT_PACKET_SIZE + 3];
        got[Layouts.PORT_PACKET_SIZE] = 42;
        assertEquals(ZX_OK, zx.zx_port_wait(port, ZX_TIME_INFINITE, got));
        assertEquals(0xFEED_FACE_CAFE_BEEFL, Layouts.i64(got, Layouts.PACKET_KEY));
        assertEquals(ZX_PKT_TYPE_USER, Layouts.i32(got, Layouts.PACKET_TYPE));
        assertEquals(-3, Layouts.i32(got, Layouts.PACKET_STATUS));
        for (int i = 0; i < Layouts.PACKET_UNION_SIZE; i++) {
            assertEquals((byte) (0x80 + i), got[Layouts.PACKET_UNION + i]);
        }
        assertEquals(42, got[Layouts.PORT_PACKET_SIZE], "bytes past the packet are untouched");
        assertEquals(ZX_OK, zx.zx_handle_close(port));
    }

    @KernelTest
    void aBadPacketPointerLosesTheDequeuedPacket(TestKernel k) {
        Syscalls zx = k.zx();
        int port = port(zx, 0);
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_port_queue(port, null));
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_port_queue(port, new byte[47]));
        byte[] p = new byte[48];
        assertEquals(ZX_OK, zx.zx_port_queue(port, p));
        assertEquals(ZX_OK, zx.zx_port_queue(port, p));
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_port_wait(port, 0, null));
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_port_wait(port, 0, new byte[47]));
        assertEquals(ZX_ERR_TIMED_OUT, zx.zx_port_wait(port, 0, p), "both packets were consumed");
        assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_port_wait(port + 4, 0, null), "handle before pointer");
    }

    @KernelTest
    void outParametersAndHandleInfo(TestKernel k) {
        Syscalls zx = k.zx();
        int port = port(zx, ZX_PORT_BIND_TO_INTERRUPT);
        int[] dup = {0x5555};
        assertEquals(ZX_OK, zx.zx_handle_duplicate(port, ZX_RIGHT_SAME_RIGHTS, dup));
        assertNotEquals(0x5555, dup[0]);
        assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_handle_duplicate(port, ZX_RIGHT_SAME_RIGHTS, new int[0]));
        byte[] info = new byte[Layouts.INFO_HANDLE_BASIC_SIZE];
        long[] actual = {-1};
        long[] avail = {-1};
        assertEquals(ZX_OK, zx.zx_object_get_info(dup[0], ZX_INFO_HANDLE_BASIC, info, info.length,
                actual, avail));
        assertEquals(1, actual[0]);
        assertEquals(1, avail[0]);
        assertEquals(ZX_OBJ_TYPE_PORT, Layouts.i32(info, Layouts.INFO_HANDLE_BASIC_TYPE));
        assertEquals(ZX_DEFAULT_PORT_RIGHTS, Layouts.i32(info, Layouts.INFO_HANDLE_BASIC_RIGHTS));
        assertEquals(ZX_OK, zx.zx_object_get_info(dup[0], ZX_INFO_HANDLE_VALID, null, 0, null, null));
        assertEquals(ZX_OK, zx.zx_handle_close(dup[0]));
        assertEquals(ZX_ERR_BAD_HANDLE,
                zx.zx_object_get_info(dup[0], ZX_INFO_HANDLE_VALID, null, 0, null, null));
    }

    @KernelTest
    void theClockIsTheSimulatedClock(TestKernel k) {
        long t0 = k.zx().zx_clock_get_monotonic();
        k.clock().advance(1234);
        assertEquals(t0 + 1234, k.zx().zx_clock_get_monotonic());
    }

    @KernelTest
    void aWaitBlockedInsideJniIsCanceledFromAnotherThread(TestKernel k) throws Exception {
        Syscalls zx = k.zx();
        int[] irq = new int[1];
        assertEquals(ZX_OK, zx.zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, irq));
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq[0], 0, 77));
        long[] ts = {0};
        assertEquals(ZX_OK, zx.zx_interrupt_wait(irq[0], ts));
        assertEquals(77, ts[0]);
        assertEquals(ZX_OK, zx.zx_interrupt_trigger(irq[0], 0, 78));
        assertEquals(ZX_OK, zx.zx_interrupt_wait(irq[0], null), "a NULL timestamp is allowed");

        long[] late = {-1};
        CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> zx.zx_interrupt_wait(irq[0], late));
        // Give the waiter time to block inside the kernel (behind JNI on the jni kernel). Should it
        // be late, the destroyed interrupt answers its wait with CANCELED all the same.
        Thread.sleep(100);
        assertEquals(ZX_OK, zx.zx_interrupt_destroy(irq[0]));
        assertEquals(ZX_ERR_CANCELED, waiter.get(10, TimeUnit.SECONDS));
        assertEquals(-1, late[0], "no timestamp on failure");
    }

    @KernelTest
    void vcpuCallsSeeTheRealCallingThread(TestKernel k) throws Exception {
        Syscalls zx = k.zx();
        int resource = k.sim().platform().createHypervisorResource();
        int[] guest = new int[1];
        int[] vmar = new int[1];
        assertEquals(ZX_OK, zx.zx_guest_create(resource, 0, guest, vmar));
        int[] vcpu = new int[1];
        assertEquals(ZX_OK, zx.zx_vcpu_create(guest[0], 0, 0, vcpu));
        assertEquals(ZX_ERR_BAD_STATE, zx.zx_vcpu_create(guest[0], 0, 0, new int[1]),
                "one VCPU per thread");
        byte[] state = new byte[Layouts.VCPU_STATE_SIZE];
        assertEquals(ZX_OK, zx.zx_vcpu_read_state(vcpu[0], ZX_VCPU_STATE, state, state.length));
        AtomicInteger other = new AtomicInteger();
        Thread t = new Thread(() -> other.set(
                zx.zx_vcpu_read_state(vcpu[0], ZX_VCPU_STATE, new byte[136], 136)));
        t.start();
        t.join();
        assertEquals(ZX_ERR_BAD_STATE, other.get(), "wrong thread");
        assertEquals(ZX_OK, zx.zx_vcpu_kick(vcpu[0]));
        assertEquals(ZX_ERR_CANCELED, zx.zx_vcpu_enter(vcpu[0], new byte[48]));
        assertEquals(ZX_ERR_INVALID_ARGS,
                zx.zx_vcpu_read_state(vcpu[0], ZX_VCPU_STATE, new byte[135], 136));
        assertEquals(ZX_OK, zx.zx_handle_close(vcpu[0]));
        int[] again = new int[1];
        assertEquals(ZX_OK, zx.zx_vcpu_create(guest[0], 0, 0, again), "thread free again");
        assertEquals(ZX_OK, zx.zx_handle_close(again[0]));
    }
}
