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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The kernel's "extended registers" test, SSE part: a guest's XMM registers and MXCSR survive
 * its exits, also while the guest has turned SSE off (CR4.OSFXSR = 0), whatever the host
 * thread computes in between ({@code native/guests/xregs.S}).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExtendedRegistersConformanceTest {
    private static final long MEM = 1L << 20;

    /** One guest running xregs.bin on one VCPU, its ports 0x10–0x12 trapped synchronously. */
    private static final class Run implements AutoCloseable {
        final Syscalls zx;
        final int guest;
        final int vmar;
        final int vmo;
        final int vcpu;

        Run(TestKernel k) throws IOException {
            zx = k.zx();
            int[] out = new int[1];
            int[] out2 = new int[1];
            int rsrc = k.sim().platform().createHypervisorResource();
            assertEquals(ZX_OK, zx.zx_guest_create(rsrc, 0, out, out2));
            guest = out[0];
            vmar = out2[0];
            zx.zx_handle_close(rsrc);
            assertEquals(ZX_OK, zx.zx_vmo_create(MEM, 0, out));
            int vmex = k.sim().platform().createVmexResource();
            assertEquals(ZX_OK, zx.zx_vmo_replace_as_executable(out[0], vmex, out));
            vmo = out[0];
            zx.zx_handle_close(vmex);
            long[] addr = new long[1];
            assertEquals(ZX_OK, zx.zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE
                    | ZX_VM_PERM_EXECUTE | ZX_VM_SPECIFIC, 0, vmo, 0, MEM, addr));
            byte[] tables = new byte[0x2000];
            put64(tables, 0, 0x1000 | 0x3);
            put64(tables, 0x1000, 0x83);
            assertEquals(ZX_OK, zx.zx_vmo_write(vmo, tables, 0, tables.length));
            byte[] image;
            try (InputStream in = getClass().getResourceAsStream("/guests/xregs.bin")) {
                assertNotNull(in, "guest image xregs.bin (built by scripts/build-guests.sh)");
                image = in.readAllBytes();
            }
            assertEquals(ZX_OK, zx.zx_vmo_write(vmo, image, 0x2000, image.length));
            assertEquals(ZX_OK, zx.zx_guest_set_trap(guest, ZX_GUEST_TRAP_IO, 0x10, 3, ZX_HANDLE_INVALID, 0));
            assertEquals(ZX_OK, zx.zx_vcpu_create(guest, 0, 0x2000, out));
            vcpu = out[0];
        }

        /** Enters to the next IO exit and returns its packet. */
        byte[] enter() {
            byte[] p = new byte[PORT_PACKET_SIZE];
            assertEquals(ZX_OK, zx.zx_vcpu_enter(vcpu, p), "zx_vcpu_enter");
            assertEquals(ZX_PKT_TYPE_GUEST_IO, i32(p, PACKET_TYPE));
            return p;
        }

        @Override
        public void close() {
            for (int h : new int[] {vcpu, vmo, vmar, guest}) {
                zx.zx_handle_close(h);
            }
        }
    }

    @KernelTest
    void xmmAndMxcsrSurviveExitsAndSseBeingTurnedOff(TestKernel k) throws Exception {
        try (Run a = new Run(k)) {
            assertEquals(0x10, u16(a.enter(), PACKET_IO_PORT));  // registers loaded
            double hostWork = 0;
            for (int i = 1; i < 1000; i++) {
                hostWork += Math.sqrt(i) / i;                    // the host thread's own SSE use
            }
            assertEquals(0x11, u16(a.enter(), PACKET_IO_PORT));  // SSE turned off
            byte[] p = a.enter();
            assertEquals(0x12, u16(p, PACKET_IO_PORT));
            assertEquals(1, i32(p, PACKET_IO_DATA), "the guest's check (1 = every register kept)");
            assertEquals(true, hostWork > 0);
        }
    }
}
