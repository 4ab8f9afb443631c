package dev.zx4j.sim.x86;

import static dev.zx4j.abi.Zx.ZX_ERR_INTERNAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** 4-level page walks (2 MiB and 4 KiB pages, TLB), the real-mode AP, the AP's way to long mode, and fuzzing. */
class X86PagingAndModesTest {

    @Test
    void pageWalkWith2MiBAnd4KiBPagesAndTlb() {
        GuestHarness g = new GuestHarness();
        Map<String, Long> sym = g.load("paging", 0x2000);
        long pml4 = 0x10000, pdpt = 0x11000, pd = 0x12000, pt0 = 0x13000, pt2 = 0x14000;
        g.write64(pml4, pdpt | 3);
        g.write64(pdpt, pd | 3);
        g.write64(pd, pt0 | 3);                    // 0..2 MiB through 4 KiB pages (identity)
        for (int k = 0; k < 512; k++) {
            g.write64(pt0 + 8L * k, (0x1000L * k) | 3);
        }
        g.write64(pd + 8, 0x400000 | 0x83);        // VA 2 MiB -> PA 4 MiB, 2 MiB page
        g.write64(pd + 16, pt2 | 3);
        g.write64(pt2, 0x300000 | 3);              // VA 4 MiB -> PA 3 MiB, 4 KiB page
        g.write64(0x400010, 0xAAAA);
        g.write64(0x300020, 0xBBBB);
        g.write64(0x301020, 0xCCCC);

        X86Cpu cpu = X86Cpu.newBootProcessor(g, 0x2000);
        cpu.setCr3(pml4);
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(100));
        assertEquals(0xAAAA, cpu.reg(X86Cpu.RAX));
        assertEquals(0xBBBB, cpu.reg(X86Cpu.RBX));
        assertEquals(0x77, g.read64(0x300028), "store went through the 4 KiB mapping");
        assertEquals(0x3 | 0x20 | 0x40, g.read64(pt2) & 0x63, "accessed and dirty bits set");
        assertEquals(0x20, g.read64(pd + 8) & 0x60, "2 MiB page accessed, not dirty");

        g.write64(pt2, 0x301000 | 3);              // remap without telling the CPU
        assertEquals(sym.get("second"), cpu.rip());
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(100));
        assertEquals(0xBBBB, cpu.reg(X86Cpu.RCX), "stale TLB entry before INVLPG");
        assertEquals(0xCCCC, cpu.reg(X86Cpu.RDX), "new mapping after INVLPG");
    }

    @Test
    void realModeApplicationProcessorPrintsAndHalts() {
        GuestHarness g = new GuestHarness();
        g.load("ap", 0x8000);
        X86Cpu cpu = X86Cpu.newApplicationProcessor(g, 0x8000, 1);
        assertEquals(16, cpu.codeSize());
        assertEquals(0x800, cpu.segment(X86Cpu.CS).selector());
        assertEquals(0x8000, cpu.segment(X86Cpu.CS).base());
        assertEquals(0, cpu.rip());
        assertEquals(0, cpu.cr0() & X86Cpu.CR0_PE);
        StringBuilder sb = new StringBuilder();
        VcpuExit e;
        while ((e = cpu.run(10_000)) instanceof VcpuExit.IoExit io && io.port() == 0xE9) {
            assertEquals(1, io.accessSize());
            sb.append((char) io.data());
        }
        assertEquals("AP ok", sb.toString());
        assertEquals(new VcpuExit.IoExit(0xEB, 4, false, 0x12345678), e, "0x66 prefix: 32-bit OUT");
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(1000));
        assertEquals(0xBEEF, cpu.reg(X86Cpu.RBX), "near CALL/RET in 16-bit mode");
        assertEquals(0x7000, cpu.reg(X86Cpu.RSP));
    }

    @Test
    void realModeInterruptThroughTheIvt() {
        GuestHarness g = new GuestHarness();
        g.load("ap", 0x8000);
        X86Cpu cpu = X86Cpu.newApplicationProcessor(g, 0x8000, 1);
        // IVT entry 0x40 -> 0800:0023 (the HLT at the end of the main program, then RET...)
        long hltOff = GuestHarness.symbols("ap").get("sub16") - 1;
        g.write(0x40 * 4, new byte[] {(byte) hltOff, (byte) (hltOff >> 8), 0x00, 0x08});
        cpu.setReg(X86Cpu.RSP, 0x7000);
        cpu.setRflags(0x202);
        cpu.injectVector(0x40);
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(100));
        assertEquals(hltOff + 1, cpu.rip());
        assertEquals(0x7000 - 6, cpu.reg(X86Cpu.RSP), "FLAGS, CS, IP pushed");
        assertEquals(0, read16(g, 0x7000 - 6), "pushed IP");
        assertEquals(0x800, read16(g, 0x7000 - 4), "pushed CS");
        assertEquals(0x202, read16(g, 0x7000 - 2), "pushed FLAGS");
        assertEquals(0, cpu.rflags() & X86Cpu.FLAG_IF);
    }

    /**
     * native/guests/ap-longmode.S on bare CPUs: the boot VCPU's INIT and STARTUP, then the AP's
     * trampoline step by step, real mode to 64-bit mode, and the IPIs both ways.
     */
    @Test
    void applicationProcessorTrampolineReachesLongMode() {
        GuestHarness g = new GuestHarness();
        g.identityMap1G();
        Map<String, Long> sym = g.load("ap-longmode", 0x2000);
        X86Cpu bsp = X86Cpu.newBootProcessor(g, 0x2000);
        // ICR writes are WRMSR exits for the kernel, which completes each one (nextRip).
        assertEquals(new VcpuExit.Wrmsr(0x830, 0x1_0000_4500L), bsp.run(10_000), "INIT to APIC ID 1");
        bsp.nextRip();
        VcpuExit.Wrmsr sipi = assertInstanceOf(VcpuExit.Wrmsr.class, bsp.run(1000));
        bsp.nextRip();
        assertEquals(0x1_0000_4600L | (sym.get("ap_start") >> 12), sipi.value(), "STARTUP to APIC ID 1");
        assertInstanceOf(VcpuExit.HaltExit.class, bsp.run(1000));

        X86Cpu ap = X86Cpu.newApplicationProcessor(g, (sipi.value() & 0xFF) << 12, 1);
        assertEquals(16, ap.codeSize());
        assertEquals(X86Cpu.CR0_ET | X86Cpu.CR0_NE | X86Cpu.CR0_WP, ap.cr0());
        assertEquals(0, ap.efer() & (X86Cpu.EFER_LME | X86Cpu.EFER_LMA));

        assertEquals(new VcpuExit.IoExit(0x52, 4, false, 1), ap.run(1000));
        assertEquals(32, ap.codeSize(), "32-bit protected mode");
        assertEquals(new X86Cpu.SegmentRegister(0x18, 0, 0xFFFFFFFFL, 0xC09B), ap.segment(X86Cpu.CS));
        assertEquals(0x10, ap.segment(X86Cpu.SS).selector());
        assertEquals(0, ap.cr0() & X86Cpu.CR0_PG);

        assertEquals(new VcpuExit.IoExit(0x52, 4, false, 2), ap.run(1000));
        assertEquals(sym.get("ap_compat") + 7, ap.rip(), "past MOV $2 and the OUT");
        assertEquals(X86Cpu.EFER_LME | X86Cpu.EFER_LMA, ap.efer() & (X86Cpu.EFER_LME | X86Cpu.EFER_LMA),
                "CR0.PG with EFER.LME and CR4.PAE: IA-32e mode");
        assertEquals(32, ap.codeSize(), "compatibility mode: the code segment is still 32-bit");
        assertFalse(ap.is64BitMode());
        assertEquals(0, ap.cr3());

        assertEquals(new VcpuExit.IoExit(0x52, 4, false, 3), ap.run(1000));
        assertTrue(ap.is64BitMode(), "RETF to a code segment with L = 1");
        assertEquals(new X86Cpu.SegmentRegister(0x08, 0, 0xFFFFFFFFL, 0xA09B), ap.segment(X86Cpu.CS));

        long result = Long.rotateLeft(0x0123456789ABCDEFL, 16) * 3;
        assertEquals(new VcpuExit.IoExit(0x53, 4, false, (int) result), ap.run(1000));
        assertEquals(new VcpuExit.IoExit(0x54, 4, false, (int) (result >>> 32)), ap.run(1000));
        assertEquals(new VcpuExit.IoExit(0x55, 4, false, 1), ap.run(1000), "initial APIC ID = VPID - 1");
        assertEquals(new VcpuExit.Wrmsr(0x830, (1L << 18) | 0x41), ap.run(1000), "a self IPI");
        ap.nextRip();
        assertInstanceOf(VcpuExit.HaltExit.class, ap.run(1000));
        assertTrue(ap.canTakeExternalInterrupt());
        ap.injectVector(0x41);
        assertEquals(new VcpuExit.Wrmsr(0x80B, 0), ap.run(1000), "the handler's EOI");
        ap.nextRip();
        assertEquals(new VcpuExit.IoExit(0x56, 4, false, 1), ap.run(1000), "taken through the IDT");
        assertEquals(new VcpuExit.Wrmsr(0x830, 0x40), ap.run(1000), "an IPI to APIC ID 0");
        ap.nextRip();
        assertInstanceOf(VcpuExit.HaltExit.class, ap.run(1000));

        bsp.injectVector(0x40);
        assertEquals(new VcpuExit.Wrmsr(0x80B, 0), bsp.run(1000), "the handler's EOI");
        bsp.nextRip();
        assertEquals(new VcpuExit.IoExit(0x50, 4, false, (int) result), bsp.run(1000));
        assertEquals(new VcpuExit.IoExit(0x51, 4, false, 1), bsp.run(1000));
        assertEquals(0x5F, assertInstanceOf(VcpuExit.IoExit.class, bsp.run(1000)).port());
    }

    static int read16(GuestHarness g, long gpa) {
        return g.read8(gpa) | (g.read8(gpa + 1) << 8);
    }

    /** Random bytes never escape as Java exceptions and always end in an exit within the budget. */
    @Test
    void fuzzRandomBytesAlwaysExit() {
        Random rnd = new Random(12345);
        int[] kinds = new int[8];
        // Fewer iterations where every block is translated to bytecode (each one a class).
        int iterations = Integer.getInteger("zx4j.fuzz.iterations", 4000);
        for (int iter = 0; iter < iterations; iter++) {
            GuestHarness g = new GuestHarness();
            boolean real = iter % 4 == 3;
            byte[] code = new byte[64 + rnd.nextInt(64)];
            rnd.nextBytes(code);
            X86Cpu cpu;
            if (real) {
                g.write(0x8000, code);
                cpu = X86Cpu.newApplicationProcessor(g, 0x8000, 1);
            } else {
                g.identityMap1G();
                g.write(0x2000, code);
                cpu = X86Cpu.newBootProcessor(g, 0x2000);
                for (int r = 0; r < 16; r++) {
                    cpu.setReg(r, rnd.nextInt(4) == 0 ? rnd.nextLong() : rnd.nextInt(1 << 20));
                }
                if (rnd.nextBoolean()) {
                    cpu.setRflags(0x2 | (rnd.nextLong() & 0xCD5));
                }
            }
            for (int step = 0; step < 4; step++) {
                VcpuExit e = cpu.run(2000);
                assertNotNull(e);
                if (e instanceof VcpuExit.ErrorExit err) {
                    assertNotEquals(ZX_ERR_INTERNAL, err.status(), "iteration " + iter + ": " + err.detail());
                    kinds[0]++;
                    break;
                }
                kinds[e instanceof VcpuExit.IoExit ? 1 : e instanceof VcpuExit.MemExit ? 2
                        : e instanceof VcpuExit.HaltExit ? 3 : e instanceof VcpuExit.Stopped ? 4 : 5]++;
            }
        }
        assertTrue(kinds[0] > iterations / 40 && kinds[1] > iterations / 40 && kinds[3] > iterations / 400,
                "a mix of exits: " + java.util.Arrays.toString(kinds));
    }
}
