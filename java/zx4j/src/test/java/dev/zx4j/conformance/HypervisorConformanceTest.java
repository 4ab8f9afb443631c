package dev.zx4j.conformance;

import static dev.zx4j.abi.Zx.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.zx4j.abi.Layouts;
import dev.zx4j.abi.Syscalls;
import dev.zx4j.testing.KernelTest;
import dev.zx4j.testing.TestKernel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Guests, guest memory, traps and VCPUs: statuses and check order of the modelled era
 * (reference §1.12–1.20), for everything that does not need guest code to run.
 */
class HypervisorConformanceTest {

    private static final long MEM = 16L << 20;

    /** A guest with its VMAR; closes both. */
    private record Guest(Syscalls zx, int guest, int vmar) implements AutoCloseable {
        static Guest create(TestKernel k) {
            int rsrc = k.sim().platform().createHypervisorResource();
            int[] g = new int[1];
            int[] v = new int[1];
            assertEquals(ZX_OK, k.zx().zx_guest_create(rsrc, 0, g, v));
            assertEquals(ZX_OK, k.zx().zx_handle_close(rsrc));
            return new Guest(k.zx(), g[0], v[0]);
        }

        int vcpu(long entry) {
            int[] out = new int[1];
            assertEquals(ZX_OK, zx.zx_vcpu_create(guest, 0, entry, out));
            return out[0];
        }

        @Override
        public void close() {
            zx.zx_handle_close(vmar);
            zx.zx_handle_close(guest);
        }
    }

    private static int create(Syscalls zx, int[] out, int status) {
        assertEquals(ZX_OK, status);
        return out[0];
    }

    private static int[] basic(Syscalls zx, int handle) {
        byte[] info = new byte[Layouts.INFO_HANDLE_BASIC_SIZE];
        assertEquals(ZX_OK, zx.zx_object_get_info(handle, ZX_INFO_HANDLE_BASIC, info,
                info.length, null, null));
        return new int[] {Layouts.i32(info, Layouts.INFO_HANDLE_BASIC_TYPE),
                Layouts.i32(info, Layouts.INFO_HANDLE_BASIC_RIGHTS)};
    }

    /** Runs {@code body} on a fresh thread and returns its result (bounded). */
    private static int onOtherThread(java.util.function.IntSupplier body) throws Exception {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        Thread t = new Thread(() -> f.complete(body.getAsInt()));
        t.start();
        return f.get(10, TimeUnit.SECONDS);
    }

    // ---- zx_guest_create -------------------------------------------------------------------

    @KernelTest
    void guestCreateGivesGuestAndVmarWithTheirRights(TestKernel k) {
        try (Guest g = Guest.create(k)) {
            assertEquals(ZX_OBJ_TYPE_GUEST, basic(k.zx(), g.guest())[0]);
            assertEquals(0x2800B, basic(k.zx(), g.guest())[1]);
            assertEquals(ZX_OBJ_TYPE_VMAR, basic(k.zx(), g.vmar())[0]);
            assertEquals(0x801F, basic(k.zx(), g.vmar())[1]);
        }
    }

    @KernelTest
    void guestCreateChecksOptionsBeforeTheResource(TestKernel k) {
        int[] g = new int[1];
        int[] v = new int[1];
        assertEquals(ZX_ERR_INVALID_ARGS, k.zx().zx_guest_create(0x7777, 1, g, v));
        assertEquals(ZX_ERR_BAD_HANDLE, k.zx().zx_guest_create(0x7777, 0, g, v));
    }

    @KernelTest
    void guestCreateNeedsTheHypervisorResource(TestKernel k) {
        int[] g = new int[1];
        int[] v = new int[1];
        int port = create(k.zx(), g, k.zx().zx_port_create(0, g));
        assertEquals(ZX_ERR_WRONG_TYPE, k.zx().zx_guest_create(port, 0, g, v));
        int irq = k.sim().platform().createIrqResource(0, 8);
        assertEquals(ZX_ERR_WRONG_TYPE, k.zx().zx_guest_create(irq, 0, g, v));
        int vmex = k.sim().platform().createVmexResource();
        assertEquals(ZX_ERR_OUT_OF_RANGE, k.zx().zx_guest_create(vmex, 0, g, v));
        int root = k.sim().platform().createRootResource();
        assertEquals(ZX_OK, k.zx().zx_guest_create(root, 0, g, v));
        for (int h : new int[] {port, irq, vmex, root, g[0], v[0]}) {
            assertEquals(ZX_OK, k.zx().zx_handle_close(h));
        }
    }

    @KernelTest
    void guestCreateWithBadOutPointerFails(TestKernel k) {
        int rsrc = k.sim().platform().createHypervisorResource();
        assertEquals(ZX_ERR_INVALID_ARGS, k.zx().zx_guest_create(rsrc, 0, null, new int[1]));
        assertEquals(ZX_ERR_INVALID_ARGS, k.zx().zx_guest_create(rsrc, 0, new int[1], null));
        assertEquals(ZX_OK, k.zx().zx_handle_close(rsrc));
        assertEquals(0, k.sim().liveHandles().size());
    }

    // ---- guest memory ----------------------------------------------------------------------

    @KernelTest
    void guestMemoryIsMappedAndReadBack(TestKernel k) {
        Syscalls zx = k.zx();
        try (Guest g = Guest.create(k)) {
            int[] out = new int[1];
            int vmo = create(zx, out, zx.zx_vmo_create(MEM, 0, out));
            byte[] data = {1, 2, 3, 4, 5};
            assertEquals(ZX_OK, zx.zx_vmo_write(vmo, data, 0x2000, data.length));
            byte[] back = new byte[5];
            assertEquals(ZX_OK, zx.zx_vmo_read(vmo, back, 0x2000, back.length));
            assertEquals(java.util.Arrays.toString(data), java.util.Arrays.toString(back));
            assertEquals(ZX_ERR_OUT_OF_RANGE, zx.zx_vmo_read(vmo, back, MEM - 2, back.length));
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_vmo_read(vmo, new byte[2], 0, 5));

            long[] addr = new long[1];
            // Not executable yet: mapping with EXECUTE is denied.
            assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_vmar_map(g.vmar(),
                    ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE | ZX_VM_SPECIFIC,
                    0, vmo, 0, MEM, addr));
            // A bad vmex fails, but only after the source handle was taken: it is gone.
            int doomed = create(zx, out, zx.zx_handle_duplicate(vmo, ZX_RIGHT_SAME_RIGHTS, out));
            int notVmex = k.sim().platform().createIrqResource(0, 1);
            assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_vmo_replace_as_executable(doomed, notVmex, out));
            assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_handle_close(doomed));
            assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_vmo_replace_as_executable(0x7777, notVmex, out));
            assertEquals(ZX_OK, zx.zx_handle_close(notVmex));
            int vmex = k.sim().platform().createVmexResource();
            // A source that is not a VMO: WRONG_TYPE, and the source is consumed too.
            int port = create(zx, out, zx.zx_port_create(0, out));
            assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_vmo_replace_as_executable(port, vmex, out));
            assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_handle_close(port));
            int exec = create(zx, out, zx.zx_vmo_replace_as_executable(vmo, vmex, out));
            assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_handle_close(vmo));
            assertEquals(ZX_OK, zx.zx_vmar_map(g.vmar(),
                    ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE | ZX_VM_SPECIFIC,
                    0, exec, 0, MEM, addr));
            assertEquals(0, addr[0]);
            assertEquals(ZX_ERR_ALREADY_EXISTS, zx.zx_vmar_map(g.vmar(),
                    ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0x1000, exec, 0, 0x1000, addr));
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_vmar_map(g.vmar(),
                    ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0x1001, exec, 0, 0x1000, addr));
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_vmar_map(g.vmar(),
                    ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, MEM, exec, 0, 0x1000, addr));
            assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_vmar_map(exec, ZX_VM_PERM_READ, 0, exec, 0,
                    0x1000, addr));
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_vmar_unmap(g.vmar(), 0x123, 0x1000));
            assertEquals(ZX_OK, zx.zx_vmar_unmap(g.vmar(), 0, MEM));
            for (int h : new int[] {vmex, exec}) {
                assertEquals(ZX_OK, zx.zx_handle_close(h));
            }
        }
    }

    // ---- zx_guest_set_trap -----------------------------------------------------------------

    @KernelTest
    void setTrapChecksHandlesThenKindThenAlignmentThenRange(TestKernel k) {
        Syscalls zx = k.zx();
        try (Guest g = Guest.create(k)) {
            int[] out = new int[1];
            int port = create(zx, out, zx.zx_port_create(0, out));
            int readOnlyPort = create(zx, out, zx.zx_handle_duplicate(port, ZX_RIGHT_READ, out));
            int noWriteGuest = create(zx, out,
                    zx.zx_handle_duplicate(g.guest(), ZX_RIGHT_INSPECT | ZX_RIGHT_DUPLICATE, out));

            assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_guest_set_trap(0x7777, 99, 1, 0, port, 0));
            assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_guest_set_trap(port, 99, 1, 0, port, 0));
            assertEquals(ZX_ERR_ACCESS_DENIED,
                    zx.zx_guest_set_trap(noWriteGuest, 99, 1, 0, port, 0));
            assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_guest_set_trap(g.guest(), 99, 1, 0, 0x7777, 0));
            assertEquals(ZX_ERR_WRONG_TYPE,
                    zx.zx_guest_set_trap(g.guest(), 99, 1, 0, g.guest(), 0));
            assertEquals(ZX_ERR_ACCESS_DENIED,
                    zx.zx_guest_set_trap(g.guest(), 99, 1, 0, readOnlyPort, 0));
            // kind rules
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_guest_set_trap(g.guest(), 99, 0, 0x1000, 0, 0));
            assertEquals(ZX_ERR_INVALID_ARGS,
                    zx.zx_guest_set_trap(g.guest(), ZX_GUEST_TRAP_MEM, 0, 0x1000, port, 0));
            assertEquals(ZX_ERR_INVALID_ARGS,
                    zx.zx_guest_set_trap(g.guest(), ZX_GUEST_TRAP_BELL, 0, 0x1000, 0, 0));
            assertEquals(ZX_ERR_INVALID_ARGS,
                    zx.zx_guest_set_trap(g.guest(), ZX_GUEST_TRAP_IO, 0x3F8, 8, port, 0));
            // alignment, then the VMAR unmap, then InsertTrap's range and overlap checks
            assertEquals(ZX_ERR_INVALID_ARGS,
                    zx.zx_guest_set_trap(g.guest(), ZX_GUEST_TRAP_MEM, 0x1001, 0x1000, 0, 0));
            assertEquals(ZX_ERR_INVALID_ARGS,
                    zx.zx_guest_set_trap(g.guest(), ZX_GUEST_TRAP_MEM, 0x1000, 0x10, 0, 0));
            assertEquals(ZX_ERR_INVALID_ARGS,
                    zx.zx_guest_set_trap(g.guest(), ZX_GUEST_TRAP_MEM, 0x1000, 0, 0, 0));
            assertEquals(ZX_ERR_OUT_OF_RANGE,
                    zx.zx_guest_set_trap(g.guest(), ZX_GUEST_TRAP_IO, 0x10, 0, 0, 0));
            assertEquals(ZX_ERR_OUT_OF_RANGE,
                    zx.zx_guest_set_trap(g.guest(), ZX_GUEST_TRAP_IO, 0xFFFF, 1, 0, 0));
            assertEquals(ZX_OK,
                    zx.zx_guest_set_trap(g.guest(), ZX_GUEST_TRAP_IO, 0x3F8, 8, 0, 1));
            assertEquals(ZX_ERR_ALREADY_EXISTS,
                    zx.zx_guest_set_trap(g.guest(), ZX_GUEST_TRAP_IO, 0x3FF, 1, 0, 1));
            assertEquals(ZX_OK,
                    zx.zx_guest_set_trap(g.guest(), ZX_GUEST_TRAP_MEM, 0x10000, 0x1000, 0, 2));
            // BELL and MEM share one address space
            assertEquals(ZX_ERR_ALREADY_EXISTS, zx.zx_guest_set_trap(g.guest(),
                    ZX_GUEST_TRAP_BELL, 0x10000, 0x2000, port, 3));
            assertEquals(ZX_OK, zx.zx_guest_set_trap(g.guest(),
                    ZX_GUEST_TRAP_BELL, 0x11000, 0x1000, port, 3));
            // IO has its own space: port 0x10000 would be memory, 0x3F8 is taken only for IO
            assertEquals(ZX_OK,
                    zx.zx_guest_set_trap(g.guest(), ZX_GUEST_TRAP_MEM, 0x3000, 0x1000, 0, 4));
            for (int h : new int[] {port, readOnlyPort, noWriteGuest}) {
                assertEquals(ZX_OK, zx.zx_handle_close(h));
            }
        }
    }

    // ---- zx_vcpu_create --------------------------------------------------------------------

    @KernelTest
    void vcpuCreateChecksOptionsHandleRightsEntryAndThread(TestKernel k) throws Exception {
        Syscalls zx = k.zx();
        try (Guest g = Guest.create(k)) {
            int[] out = new int[1];
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_vcpu_create(0x7777, 1, 0, out));
            assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_vcpu_create(0x7777, 0, 0, out));
            assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_vcpu_create(g.vmar(), 0, 0, out));
            int weak = create(zx, out, zx.zx_handle_duplicate(g.guest(), ZX_RIGHT_WRITE, out));
            assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_vcpu_create(weak, 0, 0, out));
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_vcpu_create(g.guest(), 0, 1L << 48, out));

            int vcpu = g.vcpu(0x2000);
            int[] info = basic(zx, vcpu);
            assertEquals(ZX_OBJ_TYPE_VCPU, info[0]);
            assertEquals(ZX_DEFAULT_VCPU_RIGHTS, info[1]);
            // One VCPU per thread.
            assertEquals(ZX_ERR_BAD_STATE, zx.zx_vcpu_create(g.guest(), 0, 0x2000, out));
            // Another thread may create one; closing it from here frees that thread's slot.
            int[] other = new int[1];
            assertEquals(ZX_OK, onOtherThread(() -> zx.zx_vcpu_create(g.guest(), 0, 0, other)));
            assertEquals(ZX_OK, zx.zx_handle_close(vcpu));
            int again = g.vcpu(0x2000);
            assertNotEquals(vcpu, again);
            for (int h : new int[] {weak, again, other[0]}) {
                assertEquals(ZX_OK, zx.zx_handle_close(h));
            }
        }
    }

    @KernelTest
    void vcpuCreateRunsOutOfVpids(TestKernel k) throws Exception {
        Syscalls zx = k.zx();
        try (Guest g = Guest.create(k)) {
            java.util.List<Integer> vcpus = new java.util.ArrayList<>();
            for (int i = 0; i < 63; i++) {
                int[] out = new int[1];
                assertEquals(ZX_OK, onOtherThread(() -> zx.zx_vcpu_create(g.guest(), 0, 0, out)));
                vcpus.add(out[0]);
            }
            int[] out = new int[1];
            assertEquals(ZX_ERR_NO_RESOURCES, zx.zx_vcpu_create(g.guest(), 0, 0, out));
            assertEquals(ZX_OK, zx.zx_handle_close(vcpus.remove(0)));
            assertEquals(ZX_OK, zx.zx_vcpu_create(g.guest(), 0, 0, out));
            vcpus.add(out[0]);
            for (int h : vcpus) {
                assertEquals(ZX_OK, zx.zx_handle_close(h));
            }
        }
    }

    // ---- thread-confined calls -------------------------------------------------------------

    @KernelTest
    void onlyTheCreatingThreadMayEnterOrTouchState(TestKernel k) throws Exception {
        Syscalls zx = k.zx();
        try (Guest g = Guest.create(k)) {
            int vcpu = g.vcpu(0x2000);
            byte[] packet = new byte[Layouts.PORT_PACKET_SIZE];
            byte[] state = new byte[Layouts.VCPU_STATE_SIZE];
            assertEquals(ZX_ERR_BAD_STATE, onOtherThread(() -> zx.zx_vcpu_enter(vcpu, packet)));
            assertEquals(ZX_ERR_BAD_STATE, onOtherThread(
                    () -> zx.zx_vcpu_read_state(vcpu, ZX_VCPU_STATE, state, state.length)));
            assertEquals(ZX_ERR_BAD_STATE, onOtherThread(
                    () -> zx.zx_vcpu_write_state(vcpu, ZX_VCPU_STATE, state, state.length)));
            // kind and size are checked before the thread
            assertEquals(ZX_ERR_INVALID_ARGS, onOtherThread(
                    () -> zx.zx_vcpu_read_state(vcpu, ZX_VCPU_IO, state, state.length)));
            assertEquals(ZX_ERR_INVALID_ARGS, onOtherThread(
                    () -> zx.zx_vcpu_read_state(vcpu, ZX_VCPU_STATE, state, 8)));
            assertEquals(ZX_ERR_INVALID_ARGS, onOtherThread(
                    () -> zx.zx_vcpu_write_state(vcpu, 7, state, state.length)));
            // kick and interrupt work from any thread
            assertEquals(ZX_OK, onOtherThread(() -> zx.zx_vcpu_kick(vcpu)));
            assertEquals(ZX_OK, onOtherThread(() -> zx.zx_vcpu_interrupt(vcpu, 40)));
            // the kick is consumed by exactly one enter, on the owner thread
            assertEquals(ZX_ERR_CANCELED, zx.zx_vcpu_enter(vcpu, packet));
            assertEquals(ZX_OK, zx.zx_handle_close(vcpu));
        }
    }

    @KernelTest
    void stateReadWriteRules(TestKernel k) {
        Syscalls zx = k.zx();
        try (Guest g = Guest.create(k)) {
            int vcpu = g.vcpu(0x2000);
            byte[] state = new byte[Layouts.VCPU_STATE_SIZE];
            assertEquals(ZX_OK, zx.zx_vcpu_read_state(vcpu, ZX_VCPU_STATE, state, state.length));
            // RFLAGS reads are masked to the user-controllable bits: the always-one bit 1 is not.
            assertEquals(0, Layouts.i64(state, Layouts.VCPU_STATE_RFLAGS));
            Layouts.put64(state, 0, 0x1122334455667788L); // rax
            Layouts.put64(state, Layouts.VCPU_STATE_RFLAGS, 0); // bit 1 clear: RFLAGS untouched
            assertEquals(ZX_OK, zx.zx_vcpu_write_state(vcpu, ZX_VCPU_STATE, state, state.length));
            byte[] back = new byte[Layouts.VCPU_STATE_SIZE];
            assertEquals(ZX_OK, zx.zx_vcpu_read_state(vcpu, ZX_VCPU_STATE, back, back.length));
            assertEquals(0x1122334455667788L, Layouts.i64(back, 0));
            assertEquals(0, Layouts.i64(back, Layouts.VCPU_STATE_RFLAGS));
            Layouts.put64(state, Layouts.VCPU_STATE_RFLAGS, 0x2 | 0x1 | 0x40); // CF, ZF
            assertEquals(ZX_OK, zx.zx_vcpu_write_state(vcpu, ZX_VCPU_STATE, state, state.length));
            assertEquals(ZX_OK, zx.zx_vcpu_read_state(vcpu, ZX_VCPU_STATE, back, back.length));
            assertEquals(0x41, Layouts.i64(back, Layouts.VCPU_STATE_RFLAGS));

            byte[] io = new byte[Layouts.VCPU_IO_SIZE];
            io[0] = 3;
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_vcpu_write_state(vcpu, ZX_VCPU_IO, io, 8));
            io[0] = 2;
            Layouts.put32(io, Layouts.VCPU_IO_DATA, 0xBEEF);
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_vcpu_write_state(vcpu, ZX_VCPU_IO, io, 4));
            assertEquals(ZX_OK, zx.zx_vcpu_write_state(vcpu, ZX_VCPU_IO, io, 8));
            assertEquals(ZX_OK, zx.zx_vcpu_read_state(vcpu, ZX_VCPU_STATE, back, back.length));
            assertEquals(0x112233445566BEEFL, Layouts.i64(back, 0));
            assertEquals(ZX_ERR_INVALID_ARGS,
                    zx.zx_vcpu_read_state(vcpu, ZX_VCPU_STATE, null, state.length));
            assertEquals(ZX_OK, zx.zx_handle_close(vcpu));
        }
    }

    @KernelTest
    void kickAndInterruptNeedTheirRights(TestKernel k) {
        Syscalls zx = k.zx();
        try (Guest g = Guest.create(k)) {
            int vcpu = g.vcpu(0x2000);
            int[] out = new int[1];
            int weak = create(zx, out, zx.zx_handle_duplicate(vcpu, ZX_RIGHT_READ, out));
            assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_vcpu_kick(weak));
            assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_vcpu_interrupt(weak, 32));
            assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_vcpu_enter(weak, new byte[48]));
            assertEquals(ZX_ERR_ACCESS_DENIED,
                    zx.zx_vcpu_write_state(weak, ZX_VCPU_STATE, new byte[136], 136));
            assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_vcpu_kick(g.guest()));
            assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_vcpu_interrupt(0x7777, 32));
            // Out-of-range vectors are dropped silently in this era.
            assertEquals(ZX_OK, zx.zx_vcpu_interrupt(vcpu, 256));
            assertEquals(ZX_OK, zx.zx_handle_close(weak));
            assertEquals(ZX_OK, zx.zx_handle_close(vcpu));
        }
    }

    // ---- zx_interrupt_bind_vcpu ------------------------------------------------------------

    @KernelTest
    void bindVcpuRules(TestKernel k) throws Exception {
        Syscalls zx = k.zx();
        int[] out = new int[1];
        int irqRsrc = k.sim().platform().createIrqResource(32, 16);
        try (Guest g = Guest.create(k); Guest other = Guest.create(k)) {
            int vcpu = g.vcpu(0x2000);
            int[] o = new int[1];
            assertEquals(ZX_OK, onOtherThread(() -> zx.zx_vcpu_create(g.guest(), 0, 0, o)));
            int sibling = o[0];
            assertEquals(ZX_OK, onOtherThread(() -> zx.zx_vcpu_create(other.guest(), 0, 0, o)));
            int stranger = o[0];

            int virt = create(zx, out, zx.zx_interrupt_create(0, 0, ZX_INTERRUPT_VIRTUAL, out));
            int phys = create(zx, out, zx.zx_interrupt_create(irqRsrc, 40, 0, out));
            int weakVcpu = create(zx, out, zx.zx_handle_duplicate(vcpu, ZX_RIGHT_READ, out));
            int weakIrq = create(zx, out, zx.zx_handle_duplicate(phys, ZX_RIGHT_WRITE, out));

            assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_interrupt_bind_vcpu(0x7777, vcpu, 0));
            assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_interrupt_bind_vcpu(vcpu, vcpu, 0));
            assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_interrupt_bind_vcpu(weakIrq, vcpu, 0));
            assertEquals(ZX_ERR_BAD_HANDLE, zx.zx_interrupt_bind_vcpu(phys, 0x7777, 0));
            assertEquals(ZX_ERR_WRONG_TYPE, zx.zx_interrupt_bind_vcpu(phys, g.guest(), 0));
            assertEquals(ZX_ERR_ACCESS_DENIED, zx.zx_interrupt_bind_vcpu(phys, weakVcpu, 0));
            assertEquals(ZX_ERR_NOT_SUPPORTED, zx.zx_interrupt_bind_vcpu(virt, vcpu, 0));

            // options are never looked at; the same VCPU twice is fine
            assertEquals(ZX_OK, zx.zx_interrupt_bind_vcpu(phys, vcpu, 0x1234));
            assertEquals(ZX_OK, zx.zx_interrupt_bind_vcpu(phys, vcpu, 0));
            assertEquals(ZX_OK, zx.zx_interrupt_bind_vcpu(phys, sibling, 0));
            assertEquals(ZX_ERR_INVALID_ARGS, zx.zx_interrupt_bind_vcpu(phys, stranger, 0));

            // VCPU-bound: wait, ack, trigger are BAD_STATE; port bind ALREADY_BOUND
            int port = create(zx, out, zx.zx_port_create(ZX_PORT_BIND_TO_INTERRUPT, out));
            assertEquals(ZX_ERR_ALREADY_BOUND, zx.zx_interrupt_bind(phys, port, 1, ZX_INTERRUPT_BIND));
            assertEquals(ZX_ERR_NOT_FOUND, zx.zx_interrupt_bind(phys, port, 1, ZX_INTERRUPT_UNBIND));
            assertEquals(ZX_ERR_BAD_STATE, zx.zx_interrupt_wait(phys, null));
            assertEquals(ZX_ERR_BAD_STATE, zx.zx_interrupt_ack(phys));
            assertEquals(ZX_ERR_BAD_STATE, zx.zx_interrupt_trigger(phys, 0, 5));

            // port-bound first → ALREADY_BOUND for VCPUs
            int phys2 = create(zx, out, zx.zx_interrupt_create(irqRsrc, 41, 0, out));
            assertEquals(ZX_OK, zx.zx_interrupt_bind(phys2, port, 1, ZX_INTERRUPT_BIND));
            assertEquals(ZX_ERR_ALREADY_BOUND, zx.zx_interrupt_bind_vcpu(phys2, vcpu, 0));

            // destroyed → CANCELED
            assertEquals(ZX_OK, zx.zx_interrupt_destroy(phys2));
            int phys3 = create(zx, out, zx.zx_interrupt_create(irqRsrc, 42, 0, out));
            assertEquals(ZX_OK, zx.zx_interrupt_destroy(phys3));
            assertEquals(ZX_ERR_CANCELED, zx.zx_interrupt_bind_vcpu(phys3, vcpu, 0));

            // destroy of a VCPU-bound interrupt is OK
            assertEquals(ZX_OK, zx.zx_interrupt_destroy(phys));
            for (int h : new int[] {virt, phys, phys2, phys3, weakVcpu, weakIrq, port, vcpu,
                    sibling, stranger}) {
                assertEquals(ZX_OK, zx.zx_handle_close(h));
            }
        } finally {
            zx.zx_handle_close(irqRsrc);
        }
    }
}
