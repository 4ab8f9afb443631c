package dev.zx4j.sim.x86;

import static dev.zx4j.abi.Zx.ZX_ERR_NOT_SUPPORTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Far transfers from the boot VCPU's 64-bit mode (native/guests/far.S): RETF, far JMP and CALL
 * (immediate and m16:32/m16:64), IRETQ and interrupts, into and out of compatibility mode, with
 * code segments loaded from the GDT — and the faults bad selectors raise.
 */
class X86FarTransferTest {
    static final long STACK = 0x80000;
    /** Access rights (VMX format) of the GDT's code segments once loaded (accessed bit set). */
    static final int CODE64 = 0xA09B, CODE32 = 0xC09B, CODE16 = 0x009B;

    GuestHarness g;
    X86Cpu cpu;
    Map<String, Long> sym;

    @BeforeEach
    void setUp() {
        g = new GuestHarness();
        g.identityMap1G();
        sym = g.load("far", 0x2000);
        cpu = X86Cpu.newBootProcessor(g, 0x2000);
        assertEquals(0x10, port(cpu.run(10_000)));
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(100));
    }

    static int port(VcpuExit e) {
        return assertInstanceOf(VcpuExit.IoExit.class, e, "expected an OUT, got " + e).port();
    }

    /** Runs entry {@code name} on a fresh stack; returns the first exit. */
    VcpuExit start(String name) {
        Long at = sym.get(name);
        assertNotNull(at, name);
        cpu.setRip(at);
        cpu.setReg(X86Cpu.RSP, STACK);
        return cpu.run(1000);
    }

    void assertMode(int codeSize, int csSelector, int csAttributes) {
        assertEquals(codeSize, cpu.codeSize(), "code size");
        assertEquals(X86Cpu.EFER_LMA, cpu.efer() & X86Cpu.EFER_LMA, "still in IA-32e mode");
        assertEquals(csSelector, cpu.segment(X86Cpu.CS).selector(), "CS selector");
        assertEquals(csAttributes, cpu.segment(X86Cpu.CS).attributes(), "CS from the GDT");
    }

    void assertHalted() {
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(100));
    }

    @Test
    void loadGdtReloadsCsFromTheGdt() {
        assertMode(64, 0x08, CODE64);
        assertEquals(0x10, cpu.segment(X86Cpu.SS).selector());
        assertEquals(0xC093, cpu.segment(X86Cpu.SS).attributes(), "SS: data, B = 1, accessed");
        assertEquals(0xFFFFFFFFL, cpu.segment(X86Cpu.SS).limit(), "4 KiB granularity");
        long gdt = sym.get("gdt64"); // the GDT load_gdt loaded CS from
        assertEquals(0x9B, g.read8(gdt + 8 + 5), "the CPU set the accessed bit in the GDT");
        assertEquals(0x9A, g.read8(gdt + 0x20 + 5), "an unused descriptor is left alone");
    }

    @Test
    void retfIntoCompatibilityModeAndBack() {
        assertEquals(0x20, port(start("lret_compat")));
        assertMode(32, 0x18, CODE32);
        assertEquals(0x21, port(cpu.run(100)));
        assertMode(64, 0x08, CODE64);
        assertEquals(1, cpu.reg(X86Cpu.RBX), "0x41 was INC ECX in compatibility mode");
        assertEquals(STACK, cpu.reg(X86Cpu.RSP), "RETF (REX.W) then RETF (32-bit) popped 32 bytes");
        assertHalted();
    }

    @Test
    void farJmpThroughMemoryAndImmediate() {
        assertEquals(0x22, port(start("ljmp_compat")));
        assertMode(32, 0x18, CODE32);
        assertEquals(sym.get("compat_j") + 2, cpu.rip());
        assertEquals(0x23, port(cpu.run(100)));
        assertMode(64, 0x08, CODE64);
        assertEquals(STACK, cpu.reg(X86Cpu.RSP), "JMP pushes nothing");
        assertHalted();
    }

    @Test
    void farCallM1664PushesQuadwordsAndRetfqReturns() {
        assertEquals(0x24, port(start("lcall_64")));
        assertMode(64, 0x08, CODE64);
        assertEquals(sym.get("after_lcall_64"), cpu.reg(8), "return RIP pushed");
        assertEquals(0x08, cpu.reg(9), "CS pushed as a quadword");
        assertEquals(STACK - 16, cpu.reg(X86Cpu.RSP));
        assertEquals(0x25, port(cpu.run(100)));
        assertEquals(STACK, cpu.reg(X86Cpu.RSP));
        assertHalted();
    }

    @Test
    void farCallPtr1632AndRetfImm16InCompatibilityMode() {
        assertEquals(0x26, port(start("lcall_compat")));
        assertMode(32, 0x18, CODE32);
        assertEquals(0x18, cpu.reg(X86Cpu.RBP), "CS pushed in a 32-bit slot");
        assertEquals(0x5A5A, cpu.reg(X86Cpu.RSI), "the argument above the return address");
        long ret = cpu.reg(X86Cpu.RDI);
        assertEquals(0x27, port(cpu.run(100)));
        assertEquals(ret + 2, cpu.rip(), "returned after the CALL, to the OUT");
        assertEquals(STACK, cpu.reg(X86Cpu.RSP), "RETF 4 released the argument");
        assertEquals(0x28, port(cpu.run(100)));
        assertMode(64, 0x08, CODE64);
        assertHalted();
    }

    @Test
    void sixteenBitCodeSegmentInCompatibilityMode() {
        assertEquals(0x29, port(start("code16")));
        assertMode(16, 0x20, CODE16);
        assertEquals((cpu.reg(X86Cpu.RAX) - 2) & 0xFFFFFFFFL, cpu.reg(X86Cpu.RBX),
                "PUSH with 16-bit operand size");
        assertEquals(0x1234, cpu.reg(X86Cpu.RCX) & 0xFFFF);
        assertEquals(0x2A, port(cpu.run(100)));
        assertMode(64, 0x08, CODE64);
        assertHalted();
    }

    @Test
    void iretqToCompatibilityModeAndAnInterruptTakenThere() {
        assertEquals(0x2B, port(start("iret_compat")));
        assertMode(32, 0x18, CODE32);
        assertEquals(0x10, cpu.segment(X86Cpu.SS).selector(), "SS loaded by IRETQ");
        assertEquals(STACK, cpu.reg(X86Cpu.RSP), "RSP from the frame");
        assertEquals(0x2C, port(cpu.run(100)));
        assertMode(64, 0x08, CODE64);
        long frame = cpu.reg(12);
        assertEquals(0, (frame + 40) & 0xF, "the 64-bit frame starts 16-byte aligned");
        assertEquals(0x18, g.read64(frame + 8), "interrupted CS: the compatibility-mode segment");
        assertEquals(STACK, g.read64(frame + 24), "RSP");
        assertEquals(0x10, g.read64(frame + 32), "SS");
        assertEquals(0x2D, port(cpu.run(100)));
        assertMode(32, 0x18, CODE32);
        assertEquals(0x2E, port(cpu.run(100)));
        assertMode(64, 0x08, CODE64);
        assertHalted();
    }

    void assertFault(String entry, String insn, int vector, int errorCode) {
        assertEquals(0x8F, port(start(entry)), entry);
        assertEquals(vector, cpu.reg(14), entry + ": vector");
        assertEquals(errorCode, cpu.reg(15), entry + ": error code");
        assertEquals(sym.get(insn), cpu.reg(13), entry + ": a fault: RIP of the instruction");
        assertMode(64, 0x08, CODE64);
    }

    void assertFault(String entry, int vector, int errorCode) {
        assertFault(entry, entry, vector, errorCode);
    }

    @Test
    void badCodeSegmentsFault() {
        assertFault("jmp_data_sel", 13, 0x10);
        assertFault("jmp_null_sel", 13, 0);
        assertFault("jmp_past_gdt", 13, 0x48);
        assertFault("jmp_not_present", 11, 0x28);
        assertFault("jmp_long_and_d", 13, 0x30);
        assertFault("jmp_dpl3", 13, 0x38);
        assertFault("jmp_rpl3", 13, 0x18);
        assertFault("retf_data_sel", "retf_data_sel_insn", 13, 0x10);
        assertEquals(STACK - 16, g.read64(cpu.reg(X86Cpu.RSP) + 24), "the faulting RETF popped nothing");
        assertFault("int_to_compat", 13, 0x18); // a fault delivering INT n points at the INT
        assertFault("iret_null_ss_compat", "iret_null_ss_insn", 13, 0);
    }

    @Test
    void callGatesEndTheRun() {
        cpu.setRip(sym.get("jmp_call_gate"));
        VcpuExit.ErrorExit e = assertInstanceOf(VcpuExit.ErrorExit.class, cpu.run(100));
        assertEquals(ZX_ERR_NOT_SUPPORTED, e.status());
        assertTrue(e.detail().contains("call gate"), e.detail());
    }
}
