package dev.zx4j.sim.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

/**
 * The base instructions real kernels still use (XLAT, PUSH/POP FS/GS in 64-bit mode, SMSW,
 * MOVNTI, SGDT/SIDT after LGDT), and VMCALL's KVM_HC_CLOCK_PAIRING as the modelled kernel
 * implements it. Each case runs raw instruction bytes followed by HLT in 64-bit mode at CPL 0.
 */
class BaseAndHypercallInstructionTest {
    static final long CODE = 0x3000;
    static final long DATA = 0x5000;

    final GuestHarness g = new GuestHarness();
    final X86Cpu cpu;

    BaseAndHypercallInstructionTest() {
        g.identityMap1G();
        cpu = X86Cpu.newBootProcessor(g, CODE);
        cpu.setReg(X86Cpu.RSP, 0x8000);
    }

    void run(int... bytes) {
        byte[] b = new byte[bytes.length + 1];
        for (int k = 0; k < bytes.length; k++) {
            b[k] = (byte) bytes[k];
        }
        b[bytes.length] = (byte) 0xF4;
        g.write(CODE, b);
        cpu.invalidateAllCode();
        cpu.setRip(CODE);
        VcpuExit e = cpu.run(1000);
        assertInstanceOf(VcpuExit.HaltExit.class, e, "ran to the HLT: " + e);
    }

    @Test
    void xlatReadsTheTableByAl() {
        g.write(DATA, new byte[] {10, 11, 12, 13, 14, 15});
        cpu.setReg(X86Cpu.RBX, DATA);
        cpu.setReg(X86Cpu.RAX, 0x1234_5604L);
        run(0xD7);                                   // xlat
        assertEquals(0x1234_560EL, cpu.reg(X86Cpu.RAX), "AL = [RBX + AL], the rest kept");
    }

    @Test
    void pushAndPopFsGsIn64BitMode() {
        cpu.setSegment(X86Cpu.FS, new X86Cpu.SegmentRegister(0, 0x1234_5678_9000L, 0, 0x10000));
        run(0x0F, 0xA0);                             // push fs
        assertEquals(0x8000 - 8, cpu.reg(X86Cpu.RSP), "8 bytes pushed");
        assertEquals(0, g.read64(0x8000 - 8));
        run(0x0F, 0xA9);                             // pop gs (null selector)
        assertEquals(0x8000, cpu.reg(X86Cpu.RSP));
        assertEquals(0, cpu.segment(X86Cpu.GS).selector());
        assertEquals(0, cpu.segment(X86Cpu.GS).base(), "a null selector load zeroes the base (Intel)");
    }

    @Test
    void smswReadsCr0AsTheGuestSeesIt() {
        cpu.setReg(X86Cpu.RAX, -1);
        run(0x48, 0x0F, 0x01, 0xE0);                 // smsw rax
        assertEquals(0x80010011L, cpu.reg(X86Cpu.RAX), "CR0 of the boot VCPU, shadowed bits as written");
        g.write64(DATA, -1);
        cpu.setReg(7, DATA);
        run(0x0F, 0x01, 0x27);                       // smsw [rdi]
        assertEquals(0xFFFF_FFFF_FFFF_0011L, g.read64(DATA), "a 16-bit store");
    }

    @Test
    void movntiStores() {
        cpu.setReg(X86Cpu.RAX, 0x0102_0304_0506_0708L);
        cpu.setReg(7, DATA);
        run(0x48, 0x0F, 0xC3, 0x07);                 // movnti [rdi], rax
        assertEquals(0x0102_0304_0506_0708L, g.read64(DATA));
    }

    @Test
    void vmcallClockPairing() {
        cpu.setTimeStampCounter(() -> 3_000_000_123L);
        cpu.setReg(X86Cpu.RAX, 9);
        cpu.setReg(X86Cpu.RBX, DATA);
        cpu.setReg(X86Cpu.RCX, 0);
        g.write64(DATA + 24, -1);
        run(0x0F, 0x01, 0xC1);                       // vmcall
        assertEquals(0, cpu.reg(X86Cpu.RAX), "KVM_HC_CLOCK_PAIRING succeeded");
        assertEquals(3, g.read64(DATA), "seconds");
        assertEquals(123, g.read64(DATA + 8), "nanoseconds");
        assertEquals(0, g.read64(DATA + 24) & 0xFFFFFFFFL, "flags = 0");
        assertEquals(CODE + 3, cpu.rip() - 1, "RIP advanced past the VMCALL");

        cpu.setReg(X86Cpu.RAX, 9);
        cpu.setReg(X86Cpu.RCX, 1);
        run(0x0F, 0x01, 0xC1);
        assertEquals(-95, cpu.reg(X86Cpu.RAX), "clock type other than 0");

        cpu.setReg(X86Cpu.RAX, 9);
        cpu.setReg(X86Cpu.RCX, 0);
        cpu.setReg(X86Cpu.RBX, 0x4000_0000L);        // past RAM
        run(0x0F, 0x01, 0xC1);
        assertEquals(-14, cpu.reg(X86Cpu.RAX), "an address that is not RAM");

        cpu.setReg(X86Cpu.RAX, 0x1234);
        run(0x0F, 0x01, 0xC1);
        assertEquals(-1000, cpu.reg(X86Cpu.RAX), "an unknown hypercall");
    }
}
