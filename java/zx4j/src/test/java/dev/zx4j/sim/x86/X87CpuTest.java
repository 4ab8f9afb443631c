package dev.zx4j.sim.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The x87 unit wired into the CPU ({@code native/guests/x87.S}): decoding of the escape opcodes
 * with memory operands, results in memory, FNSTSW AX, FCOMIP's RFLAGS, CPUID's FPU bit, and
 * the exceptions delivered through the guest IDT — #MF at the next waiting instruction (also
 * with the guest's CR0.NE cleared, which under VMX changes only its read shadow) and #NM with
 * CR0.TS. The arithmetic itself is checked against the host CPU by the x87 differential tests.
 */
class X87CpuTest {
    GuestHarness g;
    X86Cpu cpu;
    Map<String, Long> sym;

    @BeforeEach
    void setUp() {
        g = new GuestHarness();
        g.identityMap1G();
        sym = g.load("x87", 0x2000);
        cpu = X86Cpu.newBootProcessor(g, 0x2000);
    }

    static int port(VcpuExit e) {
        return assertInstanceOf(VcpuExit.IoExit.class, e).port();
    }

    @Test
    void resultsFlagsAndExceptions() {
        assertEquals(0x10, port(cpu.run(10_000)));
        assertEquals(Double.doubleToRawLongBits(1 + Math.PI), g.read64(sym.get("sum")), "1 + pi as a double");
        long quot = g.read64(sym.get("quot"));
        int quotSe = (int) (g.read64(sym.get("quot") + 8) & 0xFFFF);
        // GNU as spells DE F9 (FDIVP ST(1), ST(0): ST(1) = ST(1) / ST(0)) "fdivrp"
        assertEquals(0x3FFF, quotSe, "exponent of (1 + pi) / 3");
        double v = Math.scalb((double) (quot >>> 11), -52);
        double q = (1 + Math.PI) / 3;
        assertEquals(q, v, 2 * Math.ulp(q), "(1 + pi) / 3 stored as 80 bits");
        assertEquals(1, g.read64(sym.get("isum")) & 0xFFFF_FFFFL, "FISTP of log2(e) rounds to 1");
        assertEquals(X86Cpu.FLAG_CF, g.read64(sym.get("flags_lt")) & (X86Cpu.FLAG_CF | X86Cpu.FLAG_ZF
                | X86Cpu.FLAG_PF), "FCOMIP 0 < 1");

        assertEquals(0x90, port(cpu.run(1000)), "#MF at the FWAIT after the unmasked zero divide");
        int sw = (int) (g.read64(sym.get("sw_zd")) & 0xFFFF);
        assertEquals(0x8084, sw & 0x80FF, "FNSTSW AX: ZE, ES and B set, TOP = 6");
        assertEquals(0x11, port(cpu.run(1000)), "returned after FNCLEX");
        assertEquals(0x90, port(cpu.run(1000)), "#MF also with the guest's CR0.NE cleared");
        assertEquals(0x12, port(cpu.run(1000)));
        VcpuExit nm = cpu.run(1000);
        assertEquals(0x87, port(nm), "#NM with CR0.TS: " + nm);
        assertEquals(0x13, port(cpu.run(1000)), "FLD1 ran after TS was cleared");
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(1000));
        assertEquals(sym.get("done") + 1, cpu.rip());
    }
}
