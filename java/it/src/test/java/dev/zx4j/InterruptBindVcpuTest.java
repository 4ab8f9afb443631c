package dev.zx4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.abi.Layouts;
import dev.zx4j.junit.SimulatedZircon;
import dev.zx4j.sim.SimKernel;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Interrupt#bindVcpu(Vcpu)}: a hardware line bound to a VCPU becomes a vector in the
 * guest, counted by {@link SimKernel#vcpuStats()}; the kernel's refusals arrive as statuses.
 */
@SimulatedZircon(clock = SimulatedZircon.ClockKind.SYSTEM)
class InterruptBindVcpuTest {

    private static final int LINE = 40;

    /**
     * 64-bit guest at 0x2000 (stack at 0x80000): a GDT whose selector 8 is a 64-bit code segment
     * (the CPU loads the gate's code segment from it), IDT gate 40 → handler that does
     * {@code out %al, $0x40}.
     */
    private static byte[] guest() {
        byte[] code = new byte[0x110 + 41 * 16];
        byte[] prog = {
            (byte) 0xBC, 0x00, 0x00, 0x08, 0x00,                // mov $0x80000, %esp
            0x0F, 0x01, 0x14, 0x25, (byte) 0xD0, 0x20, 0x00, 0x00, // lgdt [0x20D0]
            0x0F, 0x01, 0x1C, 0x25, 0x00, 0x21, 0x00, 0x00,   // lidt [0x2100]
            (byte) 0xFB,                                        // sti
            (byte) 0xF4,                                        // hlt
            (byte) 0xEB, (byte) 0xFD,                           // jmp back to hlt
        };
        System.arraycopy(prog, 0, code, 0, prog.length);
        byte[] handler = {(byte) 0xE6, 0x40, 0x48, (byte) 0xCF}; // out %al,$0x40; iretq (REX.W CF)
        System.arraycopy(handler, 0, code, 0x80, handler.length);
        Layouts.put64(code, 0xC8, 0x00AF9A000000FFFFL);          // GDT at 0x20C0: 8 = 64-bit code
        Layouts.put16(code, 0xD0, 15);                           // GDTR: limit, base 0x20C0
        Layouts.put64(code, 0xD2, 0x20C0);
        Layouts.put16(code, 0x100, 41 * 16 - 1);                 // IDTR: limit, base 0x2110
        Layouts.put64(code, 0x102, 0x2110);
        int gate = 0x110 + LINE * 16;                            // gate 40 at 0x2110 + 640
        Layouts.put16(code, gate, 0x2080);
        Layouts.put16(code, gate + 2, 8);
        Layouts.put16(code, gate + 4, 0x8E00);
        return code;
    }

    @Test
    void aBoundLineInterruptsTheGuestAndIsCounted(Kernel zx, SimKernel sim) throws Exception {
        try (Resource hypervisor = zx.adopt(sim.platform().createHypervisorResource(),
                Resource.class);
             Resource irqs = zx.adopt(sim.platform().createIrqResource(LINE, 1), Resource.class);
             Guest guest = zx.createGuest(hypervisor);
             Vmo ram = zx.createVmo(1L << 20);
             Interrupt line = zx.createInterrupt(irqs, LINE)) {
            guest.physicalVmar().mapAt(0, ram, VmPerms.READ_WRITE);
            byte[] tables = new byte[0x2000];
            Layouts.put64(tables, 0, 0x1000 | 0x3);
            Layouts.put64(tables, 0x1000, 0x83);
            ram.write(0, tables);
            ram.write(0x2000, guest());
            guest.setIoTrap(0x40, 1, 5);
            Object[] result = new Object[2];
            Thread t = new Thread(() -> {
                try (Vcpu vcpu = guest.createVcpu(0x2000)) {
                    line.bindVcpu(vcpu);
                    line.bindVcpu(vcpu); // binding twice is no error
                    result[1] = vcpu.info().koid();
                    assertTrue(sim.platform().irqLine(LINE).fire());
                    result[0] = vcpu.enter();
                } catch (Throwable e) {
                    result[0] = e;
                }
            }, "vcpu-0");
            t.start();
            t.join(10_000);
            VcpuExit.IoExit io = assertInstanceOf(VcpuExit.IoExit.class, result[0],
                    () -> String.valueOf(result[0]));
            assertEquals(0x40, io.port());
            List<SimKernel.VcpuStats> stats = sim.vcpuStats();
            assertEquals(1, stats.size());
            assertEquals(result[1], stats.get(0).koid());
            assertEquals(0, stats.get(0).apicId());
            assertEquals(1, stats.get(0).interruptsInjected());
            assertTrue(stats.get(0).instructions() >= 3);
            assertEquals(stats.get(0).instructions(), sim.guestInstructions());
        }
    }

    @Test
    void aVirtualInterruptCannotBeBoundToAVcpu(Kernel zx, SimKernel sim) throws Exception {
        try (Resource hypervisor = zx.adopt(sim.platform().createHypervisorResource(),
                Resource.class);
             Guest guest = zx.createGuest(hypervisor);
             Interrupt virtual = zx.createVirtualInterrupt()) {
            Throwable[] thrown = new Throwable[1];
            Thread t = new Thread(() -> {
                try (Vcpu vcpu = guest.createVcpu(0x2000)) {
                    thrown[0] = assertThrows(ZxException.class, () -> virtual.bindVcpu(vcpu));
                }
            }, "vcpu-0");
            t.start();
            t.join(10_000);
            ZxException e = assertInstanceOf(ZxException.class, thrown[0]);
            assertEquals(Status.NOT_SUPPORTED, e.status());
            assertEquals("zx_interrupt_bind_vcpu", e.syscall());
        }
    }
}
