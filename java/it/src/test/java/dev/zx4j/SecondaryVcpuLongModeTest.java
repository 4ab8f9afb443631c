package dev.zx4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.abi.Layouts;
import dev.zx4j.junit.SimulatedZircon;
import dev.zx4j.sim.SimKernel;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A secondary VCPU all the way to 64-bit mode, through the simulated kernel and the typed API
 * (native/guests/ap-longmode.S): the boot VCPU's STARTUP reaches its VMM thread as a packet, the
 * VMM creates the AP's VCPU on a new thread as a Fuchsia VMM does, the AP's trampoline goes real
 * → protected → compatibility → 64-bit mode, reports, takes an interrupt and sends an IPI that
 * the VMM forwards to the boot VCPU.
 */
@SimulatedZircon(clock = SimulatedZircon.ClockKind.SYSTEM)
class SecondaryVcpuLongModeTest {

    private static final long ENTRY = 0x2000;
    private static final long IO_KEY = 5;

    /** A VMM: one thread per VCPU, IPIs forwarded by APIC ID (VPID − 1). */
    private static final class Vmm {
        final Guest guest;
        final Map<Long, VcpuController> byApicId = new ConcurrentHashMap<>();
        final Map<Long, List<VcpuExit>> exits = new ConcurrentHashMap<>();
        final Map<Long, Thread> threads = new ConcurrentHashMap<>();
        final CompletableFuture<Void> bootDone = new CompletableFuture<>();
        final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());

        Vmm(Guest guest) {
            this.guest = guest;
        }

        void start(long apicId, long entry) {
            Thread t = new Thread(() -> run(apicId, entry), "vcpu-" + apicId);
            threads.put(apicId, t);
            t.start();
        }

        private void run(long apicId, long entry) {
            List<VcpuExit> mine = Collections.synchronizedList(new ArrayList<>());
            exits.put(apicId, mine);
            try (Vcpu vcpu = guest.createVcpu(entry)) {
                byApicId.put(apicId, vcpu.controller());
                while (true) {
                    VcpuExit exit = vcpu.enter();
                    mine.add(exit);
                    if (exit instanceof VcpuExit.Startup s) {
                        start(s.id(), s.entry());
                    } else if (exit instanceof VcpuExit.InterruptIpi ipi) {
                        for (long id = 0; id < 64; id++) {
                            if ((ipi.mask() & (1L << id)) != 0 && byApicId.containsKey(id)) {
                                byApicId.get(id).interrupt(ipi.vector());
                            }
                        }
                    } else if (exit instanceof VcpuExit.Kicked) {
                        return;
                    } else if (exit instanceof VcpuExit.IoExit io && io.port() == 0x5F) {
                        bootDone.complete(null);
                        return;
                    }
                }
            } catch (Throwable e) {
                failures.add(e);
                bootDone.completeExceptionally(e);
            }
        }
    }

    private static byte[] image() throws IOException {
        try (InputStream in = SecondaryVcpuLongModeTest.class.getResourceAsStream(
                "/guests/ap-longmode.bin")) {
            assertNotNull(in, "guest image ap-longmode.bin (built by scripts/build-guests.sh)");
            return in.readAllBytes();
        }
    }

    private static VcpuExit.IoExit out(int port, int value) {
        return new VcpuExit.IoExit(IO_KEY, port, 4, false, value);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void theApReachesLongModeOnItsOwnThreadAndReports(Kernel zx, SimKernel sim) throws Exception {
        try (Resource hypervisor = zx.adopt(sim.platform().createHypervisorResource(),
                Resource.class);
             Guest guest = zx.createGuest(hypervisor);
             Vmo ram = zx.createVmo(16L << 20)) {
            guest.physicalVmar().mapAt(0, ram, VmPerms.READ_WRITE);
            // The VMM's identity page tables at guest-physical 0 (CR3 = 0 for every VCPU).
            byte[] entry = new byte[8];
            Layouts.put64(entry, 0, 0x1000 | 0x3);
            ram.write(0, entry);
            Layouts.put64(entry, 0, 0x83);
            ram.write(0x1000, entry);
            ram.write(ENTRY, image());
            guest.setIoTrap(0x50, 0x10, IO_KEY);

            Vmm vmm = new Vmm(guest);
            vmm.start(0, ENTRY);
            vmm.bootDone.get(20, TimeUnit.SECONDS);
            vmm.threads.get(0L).join(10_000);
            // The AP halts for good once it has signalled the boot VCPU: stop it.
            assertTrue(vmm.byApicId.containsKey(1L), "the AP was started");
            vmm.byApicId.get(1L).kick();
            vmm.threads.get(1L).join(10_000);
            assertTrue(vmm.failures.isEmpty(), () -> "VMM threads failed: " + vmm.failures);

            long result = Long.rotateLeft(0x0123456789ABCDEFL, 16) * 3;
            List<VcpuExit> boot = vmm.exits.get(0L);
            assertEquals(4, boot.size(), boot.toString());
            VcpuExit.Startup startup = assertInstanceOf(VcpuExit.Startup.class, boot.get(0),
                    "INIT is ignored by the kernel; STARTUP becomes a packet");
            assertEquals(1, startup.id());
            assertEquals(0x3000, startup.entry());
            assertEquals(out(0x50, (int) result), boot.get(1), "the boot VCPU read the AP's result");
            assertEquals(out(0x51, 1), boot.get(2), "the AP's IPI, forwarded by the VMM");
            assertEquals(0x5F, assertInstanceOf(VcpuExit.IoExit.class, boot.get(3)).port());

            List<VcpuExit> ap = vmm.exits.get(1L);
            assertEquals(List.of(
                    out(0x52, 1),                               // 32-bit protected mode
                    out(0x52, 2),                               // compatibility mode
                    out(0x52, 3),                               // 64-bit mode
                    out(0x53, (int) result),
                    out(0x54, (int) (result >>> 32)),
                    out(0x55, 1),                               // CPUID initial APIC ID
                    new VcpuExit.InterruptIpi(0, 1L << 1, 0x41), // the self IPI
                    out(0x56, 1),                               // taken through its IDT
                    new VcpuExit.InterruptIpi(0, 1L, 0x40),     // the IPI to the boot VCPU
                    new VcpuExit.Kicked()), ap);
            assertEquals(vmm.threads.get(1L).getName(), "vcpu-1");
        }
    }
}
