package dev.zx4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.zx4j.abi.Layouts;
import dev.zx4j.junit.SimulatedZircon;
import dev.zx4j.sim.SimKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The typed API running real guest code on the simulated kernel's x86 CPU: a VCPU on its own
 * named thread, IO and MEM exits, an IN completed with {@code writeIo}, and a kick stopping a
 * guest that spins forever.
 */
@SimulatedZircon(clock = SimulatedZircon.ClockKind.SYSTEM)
class VcpuRunTest {

    private static final long ENTRY = 0x2000;
    private static final long MEM_TRAP = 0xFFF000;

    /** The guest: 64-bit code at {@link #ENTRY}. */
    private static final byte[] CODE = {
        (byte) 0xB0, 0x41,                               // mov al, 0x41
        (byte) 0xE6, 0x11,                               // out 0x11, al
        (byte) 0xE4, 0x12,                               // in al, 0x12
        (byte) 0x88, 0x04, 0x25, 0x00, (byte) 0xF0, (byte) 0xFF, 0x00, // mov [0xFFF000], al
        (byte) 0xEB, (byte) 0xFE,                        // jmp $
    };

    @Test
    void aVmmLoopOnItsOwnThreadSeesIoAndMemExitsAndStopsOnAKick(Kernel zx, SimKernel sim)
            throws Exception {
        try (Resource hypervisor = zx.adopt(sim.platform().createHypervisorResource(),
                Resource.class);
             Guest guest = zx.createGuest(hypervisor);
             Vmo ram = zx.createVmo(16L << 20)) {
            guest.physicalVmar().mapAt(0, ram, VmPerms.READ_WRITE);
            // Identity page tables as in the Zircon hypervisor tests: PML4 at 0, PDPT at 0x1000
            // mapping the first GiB with one large page.
            byte[] tables = new byte[8];
            Layouts.put64(tables, 0, 0x1000 | 0x7);
            ram.write(0, tables);
            Layouts.put64(tables, 0, 0x87);
            ram.write(0x1000, tables);
            ram.write(ENTRY, CODE);
            guest.setIoTrap(0x11, 2, 7);
            guest.setMemTrap(MEM_TRAP, 0x1000, 8);

            List<VcpuExit> exits = new ArrayList<>();
            CompletableFuture<VcpuController> started = new CompletableFuture<>();
            CompletableFuture<X86Registers> finalState = new CompletableFuture<>();
            CountDownLatch spinning = new CountDownLatch(1);
            Thread vcpuThread = new Thread(() -> {
                try (Vcpu vcpu = guest.createVcpu(ENTRY)) {
                    started.complete(vcpu.controller());
                    while (true) {
                        VcpuExit exit = vcpu.enter();
                        exits.add(exit);
                        if (exit instanceof VcpuExit.IoExit io && io.input()) {
                            vcpu.writeIo(io.accessSize(), 0x5A);
                        } else if (exit instanceof VcpuExit.MemExit) {
                            spinning.countDown(); // the next enter runs "jmp $" until kicked
                        } else if (exit instanceof VcpuExit.Kicked) {
                            finalState.complete(vcpu.readState());
                            return;
                        }
                    }
                } catch (Throwable e) {
                    started.completeExceptionally(e);
                    finalState.completeExceptionally(e);
                }
            }, "vcpu-0");
            vcpuThread.start();
            VcpuController controller = started.get(10, TimeUnit.SECONDS);
            spinning.await(10, TimeUnit.SECONDS);
            controller.kick();
            X86Registers state = finalState.get(10, TimeUnit.SECONDS);
            vcpuThread.join(10_000);

            assertEquals(4, exits.size(), exits.toString());
            assertEquals(new VcpuExit.IoExit(7, 0x11, 1, false, 0x41), exits.get(0));
            assertEquals(new VcpuExit.IoExit(7, 0x12, 1, true, 0), exits.get(1));
            VcpuExit.MemExit mem = assertInstanceOf(VcpuExit.MemExit.class, exits.get(2));
            assertEquals(8, mem.key());
            assertEquals(MEM_TRAP, mem.addr());
            assertArrayEquals(new byte[] {(byte) 0x88, 0x04, 0x25, 0x00, (byte) 0xF0,
                    (byte) 0xFF, 0x00}, mem.instructionBytes());
            assertEquals(4, mem.defaultOperandSize());
            assertInstanceOf(VcpuExit.Kicked.class, exits.get(3));
            assertEquals(0x5A, state.rax() & 0xFF, "the IN got the value given to writeIo");
        }
    }
}
