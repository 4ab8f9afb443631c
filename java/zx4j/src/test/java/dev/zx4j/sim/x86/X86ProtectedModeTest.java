package dev.zx4j.sim.x86;

import static dev.zx4j.abi.Zx.ZX_ERR_NOT_SUPPORTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An application processor from real mode into 32-bit protected mode (native/guests/prot.S):
 * the switch itself, event delivery through a 32-bit IDT with IRET, far calls, ENTER, and
 * 32-bit and PAE paging.
 */
class X86ProtectedModeTest {
    static final long ENTRY = 0x8000;

    GuestHarness g;
    X86Cpu cpu;
    Map<String, Long> sym;

    @BeforeEach
    void setUp() {
        g = new GuestHarness();
        sym = g.load("prot", ENTRY);
        cpu = X86Cpu.newApplicationProcessor(g, ENTRY, 1);
    }

    int next() {
        VcpuExit e = cpu.run(10_000);
        return assertInstanceOf(VcpuExit.IoExit.class, e, "expected an OUT, got " + e).port();
    }

    long reg(int r) {
        return cpu.reg(r) & 0xFFFFFFFFL;
    }

    long read32(long gpa) {
        return g.read64(gpa) & 0xFFFFFFFFL;
    }

    /** Runs to the HLT that waits for the first interrupt, in protected mode with the IDT built. */
    void toProtectedMode() {
        assertEquals(0x30, next());
        assertEquals(0x31, next());
        assertEquals(0x32, next());
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(10_000));
    }

    @Test
    void realModeToProtectedMode() {
        assertEquals(0x30, next());
        assertEquals(16, cpu.codeSize());
        assertEquals(0x1234, reg(X86Cpu.RBX) & 0xFFFF, "far CALL and RETF in real mode");
        assertEquals(sym.get("rm_stack_top") - ENTRY, reg(X86Cpu.RSP), "RETF popped IP and CS");
        assertEquals(0x800, cpu.segment(X86Cpu.CS).selector());

        assertEquals(0x31, next());
        assertEquals(X86Cpu.CR0_PE, cpu.cr0() & X86Cpu.CR0_PE);
        assertEquals(16, cpu.codeSize(), "PE alone does not change the code segment");
        assertEquals(ENTRY, cpu.segment(X86Cpu.CS).base());
        assertEquals(sym.get("gdt64"), cpu.gdtr().base(), "16-bit LGDT: a 24-bit base");
        assertEquals(39, cpu.gdtr().limit());

        assertEquals(0x32, next());
        assertEquals(32, cpu.codeSize());
        assertEquals(new X86Cpu.SegmentRegister(0x18, 0, 0xFFFFFFFFL, 0xC09B), cpu.segment(X86Cpu.CS));
        for (int s : new int[] {X86Cpu.DS, X86Cpu.ES, X86Cpu.SS}) {
            assertEquals(new X86Cpu.SegmentRegister(0x10, 0, 0xFFFFFFFFL, 0xC093), cpu.segment(s));
        }
        assertEquals(0, cpu.efer() & X86Cpu.EFER_LMA);
        assertEquals(sym.get("stack_top"), reg(X86Cpu.RSP));
    }

    @Test
    void eventsThroughA32BitIdt() {
        toProtectedMode();
        assertTrue(cpu.canTakeExternalInterrupt());
        cpu.injectVector(0x20);
        assertEquals(0xA0, next());
        assertEquals(0, cpu.rflags() & X86Cpu.FLAG_IF, "an interrupt gate clears IF");
        long frame = reg(X86Cpu.RSI);
        assertEquals(sym.get("stack_top") - 12, frame, "EFLAGS, CS, EIP: three doublewords");
        assertEquals(sym.get("after_irq"), read32(frame), "EIP");
        assertEquals(0x18, read32(frame + 4), "CS");
        assertEquals(X86Cpu.FLAG_IF, read32(frame + 8) & X86Cpu.FLAG_IF, "EFLAGS with IF");
        assertEquals(0x33, next());
        assertEquals(X86Cpu.FLAG_IF, cpu.rflags() & X86Cpu.FLAG_IF, "IRET restored IF");
        assertEquals(sym.get("stack_top"), reg(X86Cpu.RSP));

        assertEquals(0xA1, next());
        assertEquals(X86Cpu.FLAG_IF, reg(X86Cpu.RSI) & X86Cpu.FLAG_IF, "a trap gate keeps IF");
        assertEquals(0x34, next());

        assertEquals(0xA2, next());
        assertEquals(16, cpu.codeSize(), "a 16-bit gate to the 16-bit code segment");
        assertEquals(0x20, cpu.segment(X86Cpu.CS).selector());
        assertEquals(0, cpu.rflags() & X86Cpu.FLAG_IF);
        long f16 = reg(X86Cpu.RSI) & 0xFFFF;
        assertEquals(sym.get("stack_top") - 6, f16, "FLAGS, CS, IP: three words");
        assertEquals(0x18, g.read8(f16 + 2) | (g.read8(f16 + 3) << 8), "CS");
        assertEquals(0x35, next());
        assertEquals(32, cpu.codeSize(), "16-bit IRET back to the 32-bit code segment");
        assertEquals(sym.get("stack_top"), reg(X86Cpu.RSP));

        assertEquals(0x80, next(), "#DE");
        assertEquals(0x36, next());
        assertEquals(0x8D, next(), "#GP");
        assertEquals(0x48, reg(X86Cpu.RDI), "error code: the selector");
        assertEquals(0x37, next());
        assertEquals(0x10, cpu.segment(X86Cpu.DS).selector(), "DS unchanged");
        assertEquals(0x86, next(), "#UD");
        assertEquals(0x38, next());
        assertEquals(sym.get("stack_top"), reg(X86Cpu.RSP), "each IRET popped its frame (and #GP's error code)");

        assertEquals(0x39, next());
        assertEquals(7, reg(X86Cpu.RBX), "far CALL ptr16:32: the argument above EIP and CS");
        assertEquals(reg(X86Cpu.RDX), reg(X86Cpu.RSP), "RETF 4 released it");

        assertEquals(0x3A, next());
        long sp = reg(X86Cpu.RDX);
        assertEquals(sp - 4, reg(X86Cpu.RBX), "ENTER: EBP = the frame");
        assertEquals(sp - 8 - 16, reg(X86Cpu.RCX), "ENTER $16, $1: frame pointer pushed, 16 allocated");
        assertEquals(sp - 4, reg(X86Cpu.RAX));
        assertEquals(0x1111, reg(X86Cpu.RSI));
        assertEquals(0x1111, reg(X86Cpu.RBP), "LEAVE");
        assertEquals(sp, reg(X86Cpu.RSP));
    }

    @Test
    void legacyAndPaePaging() {
        toProtectedMode();
        cpu.injectVector(0x20);
        for (int p : new int[] {0xA0, 0x33, 0xA1, 0x34, 0xA2, 0x35, 0x80, 0x36, 0x8D, 0x37, 0x86,
                0x38, 0x39, 0x3A}) {
            assertEquals(p, next());
        }
        assertEquals(0x3B, next());
        assertEquals(X86Cpu.CR0_PG, cpu.cr0() & X86Cpu.CR0_PG);
        assertEquals(0, cpu.efer() & X86Cpu.EFER_LMA, "32-bit paging, not long mode");
        assertEquals(0xCAFE0001L, reg(X86Cpu.RBX), "VA 4 MiB through a 4 KiB page to PA 0x30000");
        assertEquals(0x20, read32(0x20000) & 0x60, "4 MiB PDE accessed, not dirty");
        assertEquals(0x20, read32(0x21000) & 0x60, "PTE accessed, not dirty");

        assertEquals(0x8E, next(), "#PF: write to a read-only page");
        assertEquals(3, reg(X86Cpu.RDI), "error code: present, write");
        assertEquals(0x400000, reg(X86Cpu.RDX), "CR2");
        assertEquals(0x400000, cpu.cr2());
        cpu.setRip(sym.get("pf_absent"));
        assertEquals(0x8E, next(), "#PF: not present");
        assertEquals(0, reg(X86Cpu.RDI));
        assertEquals(0x800000, reg(X86Cpu.RDX));
        cpu.setRip(sym.get("paging_off"));

        assertEquals(0x3C, next());
        assertEquals(X86Cpu.CR4_PAE, cpu.cr4() & X86Cpu.CR4_PAE);
        assertEquals(0xBEEF0002L, reg(X86Cpu.RBX), "PAE: VA 4 MiB through a 4 KiB page to PA 0x31000");
        assertEquals(0x8E, next(), "#PF: instruction fetch from an NX page");
        assertEquals(0x11, reg(X86Cpu.RDI), "error code: present, instruction fetch");
        assertEquals(0x400004, reg(X86Cpu.RDX));
        cpu.setRip(sym.get("pae_off"));
        assertEquals(0x3D, next());
        assertEquals(0, cpu.cr0() & X86Cpu.CR0_PG);

        assertEquals(0x88, next(), "#DE with a not-present gate: #NP, then #DF");
        assertEquals(0, reg(X86Cpu.RDI), "#DF error code 0");
    }

    @Test
    void taskGatesEndTheRun() {
        toProtectedMode();
        cpu.setRip(sym.get("task_gate"));
        VcpuExit.ErrorExit e = assertInstanceOf(VcpuExit.ErrorExit.class, cpu.run(100));
        assertEquals(ZX_ERR_NOT_SUPPORTED, e.status());
        assertTrue(e.detail().contains("task"), e.detail());
    }

    @Test
    void tripleFaultInProtectedMode() {
        toProtectedMode();
        cpu.setRip(sym.get("triple_fault"));
        VcpuExit.ErrorExit e = assertInstanceOf(VcpuExit.ErrorExit.class, cpu.run(100));
        assertEquals(ZX_ERR_NOT_SUPPORTED, e.status(), e.detail());
        assertEquals(ZX_ERR_NOT_SUPPORTED, assertInstanceOf(VcpuExit.ErrorExit.class, cpu.run(100)).status());
    }
}
