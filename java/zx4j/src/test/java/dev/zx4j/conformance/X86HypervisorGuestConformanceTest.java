package dev.zx4j.conformance;

import static dev.zx4j.abi.Layouts.*;
import static dev.zx4j.abi.Zx.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.testing.KernelTest;
import dev.zx4j.testing.TestKernel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The x86 tests of Zircon's hypervisor suite that exercise system calls, VMCALL and VCPU state
 * (VcpuSyscall, VcpuSysenter, VcpuSysenterCompat, VcpuVmcallInvalidNumber,
 * VcpuVmcallInvalidCpl, VcpuReadWriteState), on every kernel: the guest ({@code
 * native/guests/hvtests.S}) runs from the boot VCPU to a clean exit, a write to a MEM trap, and
 * the registers are then read back with {@code zx_vcpu_read_state}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class X86HypervisorGuestConformanceTest {
    private static final long MEM = 16L << 20;
    private static final long EXIT_ADDR = 0x1000000;

    static byte[] resource(String name) {
        try (InputStream in = X86HypervisorGuestConformanceTest.class.getResourceAsStream(
                "/guests/" + name)) {
            assertNotNull(in, "guest image " + name + " (built by scripts/build-guests.sh)");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Long> symbols() {
        Map<String, Long> m = new HashMap<>();
        String text = new String(resource("hvtests.sym"), StandardCharsets.US_ASCII);
        for (String line : text.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length == 2) {
                m.put(f[1], Long.parseUnsignedLong(f[0], 16));
            }
        }
        return m;
    }

    /** Runs the test function {@code name} to its clean exit; returns the VCPU state bytes. */
    static byte[] runToCleanExit(TestKernel k, String name, byte[] initialState) {
        Syscalls zx = k.zx();
        int[] out = new int[1];
        int[] out2 = new int[1];
        int rsrc = k.sim().platform().createHypervisorResource();
        assertEquals(ZX_OK, zx.zx_guest_create(rsrc, 0, out, out2));
        int guest = out[0];
        int vmar = out2[0];
        zx.zx_handle_close(rsrc);
        assertEquals(ZX_OK, zx.zx_vmo_create(MEM, 0, out));
        int plain = out[0];
        int vmex = k.sim().platform().createVmexResource();
        assertEquals(ZX_OK, zx.zx_vmo_replace_as_executable(plain, vmex, out));
        int vmo = out[0];
        zx.zx_handle_close(vmex);
        long[] addr = new long[1];
        assertEquals(ZX_OK, zx.zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE
                | ZX_VM_PERM_EXECUTE | ZX_VM_SPECIFIC, 0, vmo, 0, MEM, addr));
        byte[] tables = new byte[0x2000];
        put64(tables, 0, 0x1000 | 0x7);            // PML4[0] → PDPT: P | RW | U
        put64(tables, 0x1000, 0x87);               // PDPT[0]: 1 GiB page, P | RW | U | PS
        assertEquals(ZX_OK, zx.zx_vmo_write(vmo, tables, 0, tables.length));
        byte[] image = resource("hvtests.bin");
        assertEquals(ZX_OK, zx.zx_vmo_write(vmo, image, 0x2000, image.length));
        assertEquals(ZX_OK, zx.zx_guest_set_trap(guest, ZX_GUEST_TRAP_MEM, EXIT_ADDR, 0x1000,
                ZX_HANDLE_INVALID, 0));
        long entry = symbols().get(name);
        assertEquals(ZX_OK, zx.zx_vcpu_create(guest, 0, entry, out));
        int vcpu = out[0];
        try {
            if (initialState != null) {
                assertEquals(ZX_OK, zx.zx_vcpu_write_state(vcpu, ZX_VCPU_STATE, initialState,
                        initialState.length));
            }
            byte[] p = new byte[PORT_PACKET_SIZE];
            assertEquals(ZX_OK, zx.zx_vcpu_enter(vcpu, p), name + ": zx_vcpu_enter");
            assertEquals(ZX_PKT_TYPE_GUEST_MEM, i32(p, PACKET_TYPE), name + ": a clean exit");
            assertEquals(EXIT_ADDR, i64(p, PACKET_MEM_ADDR), name + ": the exit address");
            byte[] state = new byte[VCPU_STATE_SIZE];
            assertEquals(ZX_OK, zx.zx_vcpu_read_state(vcpu, ZX_VCPU_STATE, state, state.length));
            return state;
        } finally {
            for (int h : new int[] {vcpu, vmo, vmar, guest}) {
                zx.zx_handle_close(h);
            }
        }
    }

    @KernelTest
    void vcpuSyscall(TestKernel k) {
        runToCleanExit(k, "hv_syscall", null);
    }

    @KernelTest
    void vcpuSysenter(TestKernel k) {
        runToCleanExit(k, "hv_sysenter", null);
    }

    @KernelTest
    void vcpuSysenterCompat(TestKernel k) {
        runToCleanExit(k, "hv_sysenter_compat", null);
    }

    @KernelTest
    void vcpuVmcallInvalidNumber(TestKernel k) {
        byte[] s = runToCleanExit(k, "hv_vmcall_invalid_number", null);
        assertEquals(-1000L, i64(s, 0), "RAX: unknown hypercall");
    }

    @KernelTest
    void vcpuVmcallInvalidCpl(TestKernel k) {
        byte[] s = runToCleanExit(k, "hv_vmcall_invalid_cpl", null);
        assertEquals(-1L, i64(s, 0), "RAX: not permitted from CPL 3");
    }

    @KernelTest
    void vcpuReadWriteState(TestKernel k) {
        byte[] in = new byte[VCPU_STATE_SIZE];
        for (int r = 0; r < 16; r++) {
            put64(in, 8 * r, 0x1000L * (r + 1));
        }
        put64(in, VCPU_STATE_RFLAGS, 0);
        byte[] s = runToCleanExit(k, "hv_read_write_state", in);
        // zx_vcpu_state_t order: rax rcx rdx rbx rsp rbp rsi rdi r8..r15; each got + (index + 1).
        for (int r = 0; r < 16; r++) {
            assertEquals(0x1000L * (r + 1) + r + 1, i64(s, 8 * r), "register " + r);
        }
        assertEquals(1L, i64(s, VCPU_STATE_RFLAGS) & 1, "CF set by the guest's STC");
    }
}
