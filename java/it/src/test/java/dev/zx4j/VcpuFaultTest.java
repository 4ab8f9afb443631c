package dev.zx4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.abi.Layouts;
import dev.zx4j.junit.SimulatedZircon;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A failed {@code zx_vcpu_enter} on the simulated kernel explains itself: the typed API throws
 * {@link VcpuFaultException} with the guest's RIP, the instruction bytes there and the reason.
 */
@SimulatedZircon(clock = SimulatedZircon.ClockKind.SYSTEM)
class VcpuFaultTest {

    private static final long ENTRY = 0x2000;

    /** Runs {@code code} at {@link #ENTRY}, with or without identity page tables. */
    private static VcpuFaultException fault(Kernel zx, byte[] code, boolean pageTables)
            throws Exception {
        try (Resource hypervisor = zx.simulatedPlatform().hypervisorResource();
             Guest guest = zx.createGuest(hypervisor);
             Vmo ram = zx.createVmo(1L << 20)) {
            guest.physicalVmar().mapAt(0, ram, VmPerms.READ_WRITE);
            if (pageTables) {
                byte[] e = new byte[8];
                Layouts.put64(e, 0, 0x1000 | 0x7);
                ram.write(0, e);
                Layouts.put64(e, 0, 0x87);
                ram.write(0x1000, e);
            }
            ram.write(ENTRY, code);
            CompletableFuture<VcpuFaultException> result = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try (Vcpu vcpu = guest.createVcpu(ENTRY)) {
                    VcpuExit exit = vcpu.enter();
                    result.completeExceptionally(new AssertionError("no fault: " + exit));
                } catch (VcpuFaultException e) {
                    result.complete(e);
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            }, "vcpu-0");
            t.start();
            VcpuFaultException e = result.get(20, TimeUnit.SECONDS);
            t.join(10_000);
            return e;
        }
    }

    @Test
    void aGuestWithoutPageTablesTripleFaultsAndSaysWhere(Kernel zx) throws Exception {
        VcpuFaultException e = fault(zx, new byte[] {(byte) 0x90, (byte) 0xF4}, false);
        // The kernel's exit handler has no case for TRIPLE_FAULT: NOT_SUPPORTED.
        assertEquals(Status.NOT_SUPPORTED, e.status());
        assertEquals("zx_vcpu_enter", e.syscall());
        assertTrue(e.reason().contains("triple fault"), e.reason());
        assertEquals(ENTRY, e.rip());
        assertTrue(e.getMessage().startsWith("zx_vcpu_enter: ZX_ERR_NOT_SUPPORTED: triple fault"),
                e.getMessage());
        assertTrue(e.getMessage().contains("at RIP 0x2000"), e.getMessage());
        assertTrue(e.detail().isPresent());
        // paging is on and the PML4 is empty: the bytes at RIP cannot be fetched
        assertArrayEquals(new byte[0], e.instruction());
        assertTrue(e.getMessage().endsWith("(instruction bytes unreadable)"), e.getMessage());
    }

    @Test
    void anUnsupportedInstructionCarriesItsBytes(Kernel zx) throws Exception {
        // rep insb: string I/O, which the kernel does not emulate
        byte[] code = {(byte) 0x90, (byte) 0xF3, 0x6C, (byte) 0xF4};
        VcpuFaultException e = fault(zx, code, true);
        assertEquals(Status.NOT_SUPPORTED, e.status());
        assertEquals(ENTRY + 1, e.rip());
        byte[] bytes = e.instruction();
        assertEquals(15, bytes.length, "15 bytes, as far as a fetch reaches");
        assertArrayEquals(new byte[] {(byte) 0xF3, 0x6C, (byte) 0xF4, 0},
                java.util.Arrays.copyOf(bytes, 4));
        assertTrue(e.getMessage().contains("at RIP 0x2001 (bytes f3 6c f4 00"), e.getMessage());
    }
}
