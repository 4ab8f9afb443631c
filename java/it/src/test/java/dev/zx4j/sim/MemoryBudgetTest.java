package dev.zx4j.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.Guest;
import dev.zx4j.Kernel;
import dev.zx4j.Port;
import dev.zx4j.Resource;
import dev.zx4j.Status;
import dev.zx4j.Vcpu;
import dev.zx4j.VcpuExit;
import dev.zx4j.VcpuFaultException;
import dev.zx4j.VmPerms;
import dev.zx4j.Vmo;
import dev.zx4j.ZxException;
import dev.zx4j.abi.Layouts;
import dev.zx4j.junit.SimulatedZircon;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Kernel memory as Zircon bounds it: untouched VMO pages read as zeros without committing
 * anything, every allocation is charged to a configurable budget, and exhaustion is
 * {@code ZX_ERR_NO_MEMORY} from the syscall, never an {@link OutOfMemoryError}.
 */
@SimulatedZircon(clock = SimulatedZircon.ClockKind.SYSTEM)
class MemoryBudgetTest {

    static final long ENTRY = 0x2000;

    @Test
    void readingUntouchedPagesOfAHugeVmoCommitsNothing(Kernel zx, SimKernel sim) {
        try (Vmo vmo = zx.createVmo(64L << 30)) { // 64 GiB
            long before = sim.memoryCharged();
            byte[] one = new byte[1];
            for (long page = 0; page < (64L << 30) / 4096; page += 4096) { // every 16 MiB
                vmo.read(page * 4096, one);
                assertEquals(0, one[0]);
            }
            assertEquals(before, sim.memoryCharged(), "reads committed pages");
            vmo.write(12345, new byte[] {7});
            assertEquals(before + 4096 + 16 + 512 * 8 + 16, sim.memoryCharged(),
                    "one write commits one page (and its second-level table)");
            assertEquals(7, vmo.read(12345, 1)[0]);
        }
    }

    @Test
    void everyAllocationPastTheBudgetIsNoMemory(Kernel zx, SimKernel sim) {
        sim.setMemoryBudget(sim.memoryCharged() + 64 * 1024);
        assertEquals(Status.NO_MEMORY, assertThrows(ZxException.class,
                () -> zx.createVmo(64L << 30)).status(), "a page table of 128 KiB");
        try (Vmo vmo = zx.createVmo(1 << 20)) {
            ZxException e = assertThrows(ZxException.class, () -> vmo.write(0, new byte[1 << 20]));
            assertEquals(Status.NO_MEMORY, e.status());
            assertEquals("zx_vmo_write", e.syscall());
            sim.setMemoryBudget(sim.memoryCharged());
            assertEquals(Status.NO_MEMORY, assertThrows(ZxException.class,
                    () -> zx.createPort()).status());
            try (Resource hv = zx.simulatedPlatform().hypervisorResource()) {
                assertEquals(Status.NO_MEMORY, assertThrows(ZxException.class,
                        () -> zx.createGuest(hv)).status());
                sim.setMemoryBudget(sim.memoryCharged() + SimKernel.GUEST_COST);
                try (Guest guest = zx.createGuest(hv)) {
                    assertEquals(Status.NO_MEMORY, assertThrows(ZxException.class,
                            () -> guest.createVcpu(ENTRY)).status());
                }
            }
        }
        sim.setMemoryBudget(Long.MAX_VALUE);
        zx.createPort().close(); // with room again, the same calls succeed
    }

    /** Runs {@code code} at ENTRY of a guest with {@code ramSize} bytes of RAM at 0. */
    static <T> T onVcpu(Kernel zx, long ramSize, byte[] code, Function<Vcpu, T> body)
            throws Exception {
        try (Resource hv = zx.simulatedPlatform().hypervisorResource();
             Guest guest = zx.createGuest(hv);
             Vmo ram = zx.createVmo(ramSize)) {
            guest.physicalVmar().mapAt(0, ram, VmPerms.READ_WRITE);
            byte[] e = new byte[8];
            Layouts.put64(e, 0, 0x1000 | 0x7);   // PML4[0] -> PDPT at 0x1000
            ram.write(0, e);
            for (int i = 0; i < 64; i++) {       // PDPT[i] -> 1 GiB page at i GiB
                Layouts.put64(e, 0, ((long) i << 30) | 0x87);
                ram.write(0x1000 + 8 * i, e);
            }
            ram.write(ENTRY, code);
            guest.setIoTrap(0x10, 1, 1);
            CompletableFuture<T> result = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try (Vcpu vcpu = guest.createVcpu(ENTRY)) {
                    result.complete(body.apply(vcpu));
                } catch (Throwable x) {
                    result.completeExceptionally(x);
                }
            }, "vcpu-0");
            t.start();
            try {
                return result.get(60, TimeUnit.SECONDS);
            } finally {
                t.join(10_000);
            }
        }
    }

    @Test
    void aGuestReadingEveryPageOfAHugeVmoCommitsNothing(Kernel zx, SimKernel sim)
            throws Exception {
        // rsi = 1 GiB; rcx = 3 GiB / 4 KiB; L: mov al, [rsi]; add rsi, 4096; dec rcx; jnz L;
        // out 0x10, al -- one byte of each of 786,432 pages never written
        byte[] code = {
            (byte) 0xBE, 0x00, 0x00, 0x00, 0x40,            // mov esi, 0x40000000
            (byte) 0xB9, 0x00, 0x00, 0x0C, 0x00,            // mov ecx, 0xC0000
            (byte) 0x8A, 0x06,                              // L: mov al, [rsi]
            0x48, (byte) 0x81, (byte) 0xC6, 0x00, 0x10, 0x00, 0x00, // add rsi, 4096
            (byte) 0xFF, (byte) 0xC9,                       // dec ecx
            0x75, (byte) 0xF3,                              // jnz L
            (byte) 0xE6, 0x10,                              // out 0x10, al
        };
        long[] charged = new long[2];
        VcpuExit exit = onVcpu(zx, 4L << 30, code, vcpu -> {
            charged[0] = sim.memoryCharged();
            sim.setMemoryBudget(charged[0] + (1 << 20)); // a commit per page would exceed this
            VcpuExit e = vcpu.enter();
            charged[1] = sim.memoryCharged();
            return e;
        });
        assertEquals(0x10, ((VcpuExit.IoExit) exit).port(), exit.toString());
        assertEquals(charged[0], charged[1], "reads committed pages");
    }

    @Test
    void aWriteAfterAReadOfTheZeroPageIsSeenByTheNextRead(Kernel zx, SimKernel sim)
            throws Exception {
        // mov bl, [0x300000]; mov byte [0x300000], 0x5A; mov al, [0x300000]; add al, bl;
        // out 0x10, al
        byte[] code = {
            (byte) 0x8A, 0x1C, 0x25, 0x00, 0x00, 0x30, 0x00,
            (byte) 0xC6, 0x04, 0x25, 0x00, 0x00, 0x30, 0x00, 0x5A,
            (byte) 0x8A, 0x04, 0x25, 0x00, 0x00, 0x30, 0x00,
            0x00, (byte) 0xD8,
            (byte) 0xE6, 0x10,
        };
        VcpuExit exit = onVcpu(zx, 16L << 20, code, Vcpu::enter);
        assertEquals(new VcpuExit.IoExit(1, 0x10, 1, false, 0x5A), exit);
    }

    @Test
    void aGuestWritingPastTheBudgetGetsNoMemoryFromEnter(Kernel zx, SimKernel sim)
            throws Exception {
        // rdi = 16 MiB; loop: mov [rdi], al; add rdi, 4096; jmp loop (one new page per write)
        byte[] code = {
            (byte) 0xBF, 0x00, 0x00, 0x00, 0x01,            // mov edi, 0x1000000
            (byte) 0x88, 0x07,                              // L: mov [rdi], al
            0x48, (byte) 0x81, (byte) 0xC7, 0x00, 0x10, 0x00, 0x00, // add rdi, 4096
            (byte) 0xEB, (byte) 0xF5,                       // jmp L
        };
        VcpuFaultException e = onVcpu(zx, 1L << 30, code, vcpu -> {
            sim.setMemoryBudget(sim.memoryCharged() + (1 << 20)); // room for ~250 pages
            return assertThrows(VcpuFaultException.class, vcpu::enter);
        });
        assertEquals(Status.NO_MEMORY, e.status());
        assertTrue(e.reason().contains("kernel memory budget"), e.reason());
    }

    @Test
    void tenThousandGuestsLeaveTheHeapFlat(Kernel zx, SimKernel sim) throws Exception {
        // ~4,000 instructions: ecx = 1000; L: dec ecx; jnz L; out 0x10, al
        byte[] code = {
            (byte) 0xB9, (byte) 0xE8, 0x03, 0x00, 0x00,     // mov ecx, 1000
            (byte) 0xFF, (byte) 0xC9,                       // L: dec ecx
            0x75, (byte) 0xFC,                              // jnz L
            (byte) 0xE6, 0x10,                              // out 0x10, al
        };
        Resource hv = zx.simulatedPlatform().hypervisorResource();
        CompletableFuture<long[]> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                long[] heap = new long[2];
                for (int i = 0; i < 10_000; i++) {
                    try (Guest guest = zx.createGuest(hv);
                         Vmo ram = zx.createVmo(64 * 1024)) {
                        guest.physicalVmar().mapAt(0, ram, VmPerms.READ_WRITE);
                        byte[] e = new byte[8];
                        Layouts.put64(e, 0, 0x1000 | 0x7);
                        ram.write(0, e);
                        Layouts.put64(e, 0, 0x87);
                        ram.write(0x1000, e);
                        ram.write(ENTRY, code);
                        guest.setIoTrap(0x10, 1, 1);
                        try (Vcpu vcpu = guest.createVcpu(ENTRY)) {
                            VcpuExit exit = vcpu.enter();
                            if (!(exit instanceof VcpuExit.IoExit)) {
                                throw new AssertionError("cycle " + i + ": " + exit);
                            }
                        }
                    }
                    if (i == 999) {
                        heap[0] = usedHeap();
                    }
                }
                heap[1] = usedHeap();
                result.complete(heap);
            } catch (Throwable x) {
                result.completeExceptionally(x);
            }
        }, "cycles");
        t.start();
        long[] heap = result.get(300, TimeUnit.SECONDS);
        t.join();
        hv.close();
        long grown = heap[1] - heap[0];
        System.out.printf("heap after 1,000 cycles %,d B, after 10,000 %,d B (%+,d B)%n",
                heap[0], heap[1], grown);
        // 9,000 more cycles: a leak of even 1 KiB per cycle would show as ~9 MiB
        assertTrue(grown < (4 << 20), "heap grew by " + grown + " bytes over 9,000 cycles");
        assertTrue(sim.vcpuStats().size() <= SimKernel.CLOSED_STATS_KEPT);
        assertTrue(sim.guestInstructions() >= 10_000L * 2_000, "" + sim.guestInstructions());
        assertTrue(sim.memoryCharged() < (8 << 20), "charges of closed objects not released: "
                + sim.memoryCharged());
    }

    static long usedHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
            best = Math.min(best, rt.totalMemory() - rt.freeMemory());
        }
        return best;
    }
}
