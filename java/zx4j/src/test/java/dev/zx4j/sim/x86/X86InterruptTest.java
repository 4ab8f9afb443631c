package dev.zx4j.sim.x86;

import static dev.zx4j.abi.Zx.ZX_ERR_NOT_SUPPORTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Event delivery through the guest's 64-bit IDT (native/guests/irq.S). */
class X86InterruptTest {
    GuestHarness g;
    X86Cpu cpu;
    Map<String, Long> sym;

    @BeforeEach
    void setUp() {
        g = new GuestHarness();
        g.identityMap1G();
        sym = g.load("irq", 0x2000);
        cpu = X86Cpu.newBootProcessor(g, 0x2000);
    }

    static VcpuExit out(int port) {
        return new VcpuExit.IoExit(port, 1, false, 0);
    }

    static int port(VcpuExit e) {
        return assertInstanceOf(VcpuExit.IoExit.class, e).port();
    }

    @Test
    void externalInterruptAndExceptionsThroughTheIdt() {
        assertEquals(0x10, port(cpu.run(10_000)));
        assertFalse(cpu.canTakeExternalInterrupt());
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(1000)); // sti; hlt
        assertTrue(cpu.canTakeExternalInterrupt(), "IF = 1 and the STI shadow ended with HLT");
        assertEquals(sym.get("after_irq"), cpu.rip());

        cpu.injectVector(32);
        assertEquals(0xA0, port(cpu.run(1000)));
        assertEquals(0, cpu.rflags() & X86Cpu.FLAG_IF, "interrupt gate clears IF");
        long frame = cpu.reg(13);
        assertEquals(0x80000 - 40, frame, "five quadwords pushed on the 16-byte aligned stack");
        assertEquals(sym.get("after_irq"), g.read64(frame), "RIP");
        assertEquals(8, g.read64(frame + 8), "CS (load_gdt reloaded it with selector 8)");
        assertEquals(0x202, g.read64(frame + 16) & ~X86Cpu.FLAGS_ARITH, "RFLAGS with IF");
        assertEquals(0x80000, g.read64(frame + 24), "RSP");
        assertEquals(0x10, g.read64(frame + 32), "SS");
        assertEquals(8, cpu.segment(X86Cpu.CS).selector(), "CS selector from the gate");
        assertEquals(0xA09B, cpu.segment(X86Cpu.CS).attributes(),
                "CS attributes from the GDT descriptor, accessed bit set");

        assertEquals(0x11, port(cpu.run(1000)), "IRETQ back after the HLT");
        assertEquals(X86Cpu.FLAG_IF, cpu.rflags() & X86Cpu.FLAG_IF, "IRETQ restored IF");
        assertEquals(0x80000, cpu.reg(X86Cpu.RSP));

        assertEquals(0x80, port(cpu.run(1000)), "#DE handler");
        assertEquals(0x12, port(cpu.run(1000)), "returned past the DIV");
        assertEquals(0x86, port(cpu.run(1000)), "#UD handler for UD2");
        assertEquals(0x13, port(cpu.run(1000)));
        assertEquals(0x8E, port(cpu.run(1000)), "#PF handler");
        assertEquals(0x40000000L, cpu.reg(14), "CR2 read by the handler");
        assertEquals(0x40000000L, cpu.cr2());
        assertEquals(0, cpu.reg(15), "error code: not present, read, supervisor");
        assertEquals(0x14, port(cpu.run(1000)));
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(1000));
    }

    @Test
    void injectedExceptionWithErrorCodeAndHighVector() {
        assertEquals(0x10, port(cpu.run(10_000)));
        cpu.injectVector(14); // exceptions are delivered regardless of IF; #PF pushes error code 0
        assertEquals(0x8E, port(cpu.run(1000)));
        assertEquals(0, cpu.reg(15));
        cpu.setRflags(0x202);
        cpu.injectVector(200);
        assertEquals(0xC8, port(cpu.run(1000)));
        assertThrows(IllegalArgumentException.class, () -> cpu.injectVector(21));
        assertThrows(IllegalArgumentException.class, () -> cpu.injectVector(256));
    }

    @Test
    void interruptWindowHonoursTheStiShadow() {
        assertEquals(0x10, port(cpu.run(10_000)));
        cpu.setInterruptWindowExiting(true);
        assertFalse(cpu.canTakeExternalInterrupt());
        // STI opens the window only after the next instruction (HLT), which still executes.
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(1000));
        assertEquals(new VcpuExit.Stopped(VcpuExit.StopReason.INTERRUPT_WINDOW), cpu.run(1000));
        cpu.setInterruptWindowExiting(false);
    }

    @Test
    void doubleFault() {
        cpu.setRip(sym.get("_start"));
        assertEquals(0x10, port(cpu.run(10_000))); // builds the IDT
        cpu.setRip(sym.get("double_fault"));
        assertEquals(0x88, port(cpu.run(1000)), "#DE with a not-present gate escalates to #DF");
        assertEquals(0, cpu.reg(15), "#DF error code 0");
    }

    @Test
    void tripleFaultIsNotSupported() {
        cpu.setRip(sym.get("triple_fault"));
        VcpuExit.ErrorExit e = assertInstanceOf(VcpuExit.ErrorExit.class, cpu.run(1000));
        assertEquals(ZX_ERR_NOT_SUPPORTED, e.status(), e.detail());
        assertEquals(ZX_ERR_NOT_SUPPORTED, assertInstanceOf(VcpuExit.ErrorExit.class, cpu.run(1000)).status());
    }
}
