package dev.zx4j.sim.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * CPUID reports exactly what the CPU implements: every feature bit it advertises in leaves 1,
 * 7.0 and 0x80000001 has an entry here that runs an instruction (or a control-register or MSR
 * write) depending on that feature and checks it worked. A new bit in {@code Cpuid} without an
 * entry here fails the test; so does an entry whose bit is no longer advertised.
 */
class CpuidFeatureTest {
    static final long CODE = 0x3000;
    static final long DATA = 0x5000;

    record Bit(int leaf, char reg, int bit) {
        @Override
        public String toString() {
            return String.format("CPUID.%X:%cX[%d]", leaf, Character.toUpperCase(reg), bit);
        }
    }

    GuestHarness g = new GuestHarness();
    X86Cpu cpu;

    CpuidFeatureTest() {
        g.identityMap1G();
        cpu = X86Cpu.newBootProcessor(g, CODE);
    }

    /** Runs {@code bytes} followed by HLT at CODE; expects to reach the HLT. */
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

    long[] cpuid(int leaf, int sub) {
        cpu.setReg(X86Cpu.RAX, leaf);
        cpu.setReg(X86Cpu.RCX, sub);
        run(0x0F, 0xA2);
        return new long[] {cpu.reg(X86Cpu.RAX), cpu.reg(X86Cpu.RBX), cpu.reg(X86Cpu.RCX),
            cpu.reg(X86Cpu.RDX)};
    }

    long rdmsr(int msr) {
        cpu.setReg(X86Cpu.RCX, msr);
        run(0x0F, 0x32);
        return (cpu.reg(X86Cpu.RDX) << 32) | cpu.reg(X86Cpu.RAX);
    }

    void setCr4Bit(long bit) {
        run(0x0F, 0x20, 0xE0,                       // mov rax, cr4
                0x48, 0x0D, (int) bit, (int) (bit >>> 8), (int) (bit >>> 16), (int) (bit >>> 24),
                0x0F, 0x22, 0xE0);                  // or rax, imm32; mov cr4, rax
        assertEquals(bit, cpu.cr4() & bit, "CR4 bit 0x" + Long.toHexString(bit) + " set");
    }

    /** RDMSR of {@code msr} leaves the processor as a VM exit for the kernel's handlers. */
    void msrExitsToKernel(int msr) {
        g.write(CODE, new byte[] {0x0F, 0x32, (byte) 0xF4});
        cpu.invalidateAllCode();
        cpu.setRip(CODE);
        cpu.setReg(X86Cpu.RCX, msr);
        VcpuExit e = cpu.run(100);
        assertEquals(new VcpuExit.Rdmsr(msr), e, "RDMSR 0x" + Integer.toHexString(msr));
    }

    /** Sets XMMn to (lo, hi). */
    void xmm(int n, long lo, long hi) {
        cpu.fpu.xmm[2 * n] = lo;
        cpu.fpu.xmm[2 * n + 1] = hi;
    }

    /** One byte of CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as CRC32 r32, r/m8 computes it. */
    static long crc32cStep(long crc, int b) {
        long c = (crc ^ (b & 0xFF)) & 0xFFFFFFFFL;
        for (int k = 0; k < 8; k++) {
            c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78L : c >>> 1;
        }
        return c;
    }

    Map<Bit, Consumer<CpuidFeatureTest>> checks() {
        Map<Bit, Consumer<CpuidFeatureTest>> m = new LinkedHashMap<>();
        m.put(new Bit(1, 'd', 0), t -> { // FPU: 1 + 1 on the x87, stored as an integer
            t.cpu.setReg(7, DATA);
            t.run(0xDB, 0xE3, 0xD9, 0xE8, 0xD9, 0xE8, 0xDE, 0xC1, 0xDB, 0x1F); // fninit; fld1; fld1; faddp; fistp [rdi]
            assertEquals(2, t.g.read64(DATA) & 0xFFFF_FFFFL);
        });
        m.put(new Bit(1, 'd', 2), t -> { // DE: CR4.DE, then DR4 is reserved (#UD)
            t.setCr4Bit(X86Cpu.CR4_DE);
            t.cpu.setReg(X86Cpu.RAX, 0);
            t.run(0x0F, 0x21, 0xF8);                 // mov rax, dr7
            assertEquals(0x400, t.cpu.reg(X86Cpu.RAX));
        });
        m.put(new Bit(1, 'd', 3), t -> t.setCr4Bit(X86Cpu.CR4_PSE));
        m.put(new Bit(1, 'd', 4), t -> {
            t.run(0x0F, 0x31);
            assertTrue(t.cpu.reg(X86Cpu.RAX) != 0 || t.cpu.reg(X86Cpu.RDX) != 0, "RDTSC");
        });
        m.put(new Bit(1, 'd', 5), t -> assertEquals(X86Cpu.EFER_LMA,
                t.rdmsr(X86Cpu.MSR_EFER) & X86Cpu.EFER_LMA, "RDMSR of EFER"));
        m.put(new Bit(1, 'd', 6), t -> assertEquals(X86Cpu.CR4_PAE, t.cpu.cr4() & X86Cpu.CR4_PAE,
                "running on PAE (4-level) paging"));
        m.put(new Bit(1, 'd', 8), t -> {
            t.g.write64(DATA, 0x1111_2222_3333_4444L);
            t.cpu.setReg(X86Cpu.RAX, 0x3333_4444L);
            t.cpu.setReg(X86Cpu.RDX, 0x1111_2222L);
            t.cpu.setReg(X86Cpu.RBX, 5);
            t.cpu.setReg(X86Cpu.RCX, 6);
            t.cpu.setReg(7, DATA);
            t.run(0x0F, 0xC7, 0x0F);                 // cmpxchg8b [rdi]
            assertEquals(0x0000_0006_0000_0005L, t.g.read64(DATA));
        });
        // APIC and x2APIC: the local APIC lives on the kernel side (dev.zx4j.sim.LocalApic,
        // checked by LocalApicConformanceTest); the processor hands its MSRs to the kernel.
        m.put(new Bit(1, 'd', 9), t -> t.msrExitsToKernel(0x1B));
        m.put(new Bit(1, 'd', 11), t -> { // SEP
            t.cpu.sysenterCs = 0x08;
            t.cpu.sysenterEip = CODE + 0x100;
            t.cpu.sysenterEsp = 0x7000;
            t.g.write(CODE + 0x100, new byte[] {(byte) 0xF4});
            t.g.write(CODE, new byte[] {0x0F, 0x34});
            t.cpu.invalidateAllCode();
            t.cpu.setRip(CODE);
            assertInstanceOf(VcpuExit.HaltExit.class, t.cpu.run(100));
            assertEquals(CODE + 0x101, t.cpu.rip());
            assertEquals(0x7000, t.cpu.reg(X86Cpu.RSP));
        });
        m.put(new Bit(1, 'd', 13), t -> t.setCr4Bit(X86Cpu.CR4_PGE));
        m.put(new Bit(1, 'd', 15), t -> {
            t.cpu.setReg(X86Cpu.RAX, 1);
            t.cpu.setReg(X86Cpu.RCX, 2);
            t.run(0x48, 0x39, 0xC0, 0x48, 0x0F, 0x44, 0xC1); // cmp rax, rax; cmove rax, rcx
            assertEquals(2, t.cpu.reg(X86Cpu.RAX));
        });
        m.put(new Bit(1, 'd', 16), t -> assertNotEquals(0, t.rdmsr(0x277), "IA32_PAT"));
        m.put(new Bit(1, 'd', 19), t -> {
            t.cpu.setReg(7, DATA);
            t.run(0x0F, 0xAE, 0x3F);                 // clflush [rdi]
        });
        m.put(new Bit(1, 'c', 13), t -> {
            t.g.write64(DATA, 1);
            t.g.write64(DATA + 8, 2);
            t.cpu.setReg(X86Cpu.RAX, 1);
            t.cpu.setReg(X86Cpu.RDX, 2);
            t.cpu.setReg(X86Cpu.RBX, 7);
            t.cpu.setReg(X86Cpu.RCX, 8);
            t.cpu.setReg(7, DATA);
            t.run(0x48, 0x0F, 0xC7, 0x0F);           // cmpxchg16b [rdi]
            assertEquals(8, t.g.read64(DATA + 8));
        });
        m.put(new Bit(1, 'c', 0), t -> { // SSE3: haddpd xmm0, xmm1
            t.xmm(0, Double.doubleToRawLongBits(1.5), Double.doubleToRawLongBits(2.0));
            t.xmm(1, Double.doubleToRawLongBits(4.0), Double.doubleToRawLongBits(8.0));
            t.run(0x66, 0x0F, 0x7C, 0xC1);
            assertEquals(3.5, Double.longBitsToDouble(t.cpu.fpu.xmm[0]));
            assertEquals(12.0, Double.longBitsToDouble(t.cpu.fpu.xmm[1]));
        });
        m.put(new Bit(1, 'c', 9), t -> { // SSSE3: pshufb xmm0, xmm1 (all lanes from byte 3)
            t.xmm(0, 0x0706050403020100L, 0x0F0E0D0C0B0A0908L);
            t.xmm(1, 0x0303030303030303L, 0x0303030303030303L);
            t.run(0x66, 0x0F, 0x38, 0x00, 0xC1);
            assertEquals(0x0303030303030303L, t.cpu.fpu.xmm[0]);
        });
        m.put(new Bit(1, 'c', 19), t -> { // SSE4.1: pminsd xmm0, xmm1
            t.xmm(0, 0x0000000500000001L, 0);
            t.xmm(1, 0xFFFFFFFF00000002L, 0);
            t.run(0x66, 0x0F, 0x38, 0x39, 0xC1);
            assertEquals(0xFFFFFFFF00000001L, t.cpu.fpu.xmm[0]);
        });
        m.put(new Bit(1, 'c', 20), t -> { // SSE4.2: crc32 eax, cl (CRC-32C of byte 0 from ~0)
            t.cpu.setReg(X86Cpu.RAX, 0xFFFFFFFFL);
            t.cpu.setReg(X86Cpu.RCX, 0);
            t.run(0xF2, 0x0F, 0x38, 0xF0, 0xC1);
            assertEquals(crc32cStep(0xFFFFFFFFL, 0), t.cpu.reg(X86Cpu.RAX));
        });
        m.put(new Bit(1, 'c', 26), t -> { // XSAVE: xgetbv reads XCR0 = x87|SSE
            t.cpu.setReg(X86Cpu.RCX, 0);
            t.run(0x0F, 0x01, 0xD0);
            assertEquals(3, t.cpu.reg(X86Cpu.RAX));
        });
        m.put(new Bit(1, 'c', 27), t -> assertTrue((t.cpu.cr4() & X86Cpu.CR4_OSXSAVE) != 0,
                "OSXSAVE mirrors CR4.OSXSAVE"));
        m.put(new Bit(1, 'd', 23), t -> { // MMX: paddb mm0, mm1
            t.cpu.setReg(X86Cpu.RAX, 0x0101010101010101L);
            t.run(0x48, 0x0F, 0x6E, 0xC0,            // movq mm0, rax
                    0x48, 0x0F, 0x6E, 0xC8,          // movq mm1, rax
                    0x0F, 0xFC, 0xC1,                // paddb mm0, mm1
                    0x48, 0x0F, 0x7E, 0xC0,          // movq rax, mm0
                    0x0F, 0x77);                     // emms
            assertEquals(0x0202020202020202L, t.cpu.reg(X86Cpu.RAX));
        });
        m.put(new Bit(1, 'd', 24), t -> { // FXSR: fxsave [rdi] stores MXCSR at +24
            t.cpu.setReg(7, DATA);
            t.run(0x0F, 0xAE, 0x07);
            assertEquals(0x1F80, t.g.read64(DATA + 24) & 0xFFFFFFFFL);
        });
        m.put(new Bit(1, 'd', 25), t -> { // SSE: addss xmm0, xmm1
            t.xmm(0, Float.floatToRawIntBits(1.25f), 0);
            t.xmm(1, Float.floatToRawIntBits(2.5f), 0);
            t.run(0xF3, 0x0F, 0x58, 0xC1);
            assertEquals(3.75f, Float.intBitsToFloat((int) t.cpu.fpu.xmm[0]));
        });
        m.put(new Bit(1, 'd', 26), t -> { // SSE2: cvtsi2sd xmm0, rax
            t.cpu.setReg(X86Cpu.RAX, -7);
            t.run(0xF2, 0x48, 0x0F, 0x2A, 0xC0);
            assertEquals(-7.0, Double.longBitsToDouble(t.cpu.fpu.xmm[0]));
        });
        m.put(new Bit(1, 'c', 21), t -> t.msrExitsToKernel(0x802));
        m.put(new Bit(1, 'c', 23), t -> {
            t.cpu.setReg(X86Cpu.RCX, 0xF0F0);
            t.run(0xF3, 0x48, 0x0F, 0xB8, 0xC1);     // popcnt rax, rcx
            assertEquals(8, t.cpu.reg(X86Cpu.RAX));
        });
        m.put(new Bit(1, 'c', 31), t -> assertEquals(0x4B4D564BL, t.cpuid(0x40000000, 0)[1],
                "the hypervisor leaf answers"));
        m.put(new Bit(7, 'b', 1), t -> assertEquals(0, t.rdmsr(X86Cpu.MSR_TSC_ADJUST)));
        m.put(new Bit(7, 'b', 7), t -> { // SMEP: the next fetch, from this user page, faults
            long bit = X86Cpu.CR4_SMEP;
            t.g.write(CODE, new byte[] {0x0F, 0x20, (byte) 0xE0, 0x48, 0x0D, (byte) bit,
                (byte) (bit >>> 8), (byte) (bit >>> 16), (byte) (bit >>> 24), 0x0F, 0x22,
                (byte) 0xE0, (byte) 0xF4});
            t.cpu.invalidateAllCode();
            t.cpu.setRip(CODE);
            assertInstanceOf(VcpuExit.ErrorExit.class, t.cpu.run(100), "#PF, no IDT");
            assertEquals(bit, t.cpu.cr4() & bit);
            assertEquals(CODE + 12, t.cpu.cr2(), "the fetch of the HLT after MOV CR4");
        });
        m.put(new Bit(7, 'b', 20), t -> {
            t.setCr4Bit(X86Cpu.CR4_SMAP);
            t.run(0x0F, 0x01, 0xCB);                 // stac
            assertEquals(X86Cpu.FLAG_AC, t.cpu.rflags() & X86Cpu.FLAG_AC);
            t.run(0x0F, 0x01, 0xCA);                 // clac
            assertEquals(0, t.cpu.rflags() & X86Cpu.FLAG_AC);
        });
        m.put(new Bit(7, 'b', 23), t -> {
            t.cpu.setReg(7, DATA);
            t.run(0x66, 0x0F, 0xAE, 0x3F);           // clflushopt [rdi]
        });
        m.put(new Bit(0x80000001, 'c', 0), t -> {
            t.cpu.setRflags(0x2 | X86Cpu.FLAG_CF | X86Cpu.FLAG_ZF);
            t.run(0x9F);                             // lahf
            assertEquals(0x43, (t.cpu.reg(X86Cpu.RAX) >>> 8) & 0xFF);
        });
        m.put(new Bit(0x80000001, 'c', 5), t -> {
            t.cpu.setReg(X86Cpu.RCX, 1);
            t.run(0xF3, 0x48, 0x0F, 0xBD, 0xC1);     // lzcnt rax, rcx
            assertEquals(63, t.cpu.reg(X86Cpu.RAX));
        });
        m.put(new Bit(0x80000001, 'd', 11), t -> { // SYSCALL
            t.cpu.efer |= X86Cpu.EFER_SCE;
            t.cpu.star = 0x08L << 32;
            t.cpu.lstar = CODE + 0x200;
            t.g.write(CODE + 0x200, new byte[] {(byte) 0xF4});
            t.g.write(CODE, new byte[] {0x0F, 0x05});
            t.cpu.invalidateAllCode();
            t.cpu.setRip(CODE);
            assertInstanceOf(VcpuExit.HaltExit.class, t.cpu.run(100));
            assertEquals(CODE + 2, t.cpu.reg(X86Cpu.RCX), "RCX = return address");
        });
        m.put(new Bit(0x80000001, 'd', 20), t -> {
            t.cpu.setReg(X86Cpu.RCX, X86Cpu.MSR_EFER);
            long efer = t.rdmsr(X86Cpu.MSR_EFER) | X86Cpu.EFER_NXE;
            t.cpu.setReg(X86Cpu.RCX, X86Cpu.MSR_EFER);
            t.cpu.setReg(X86Cpu.RAX, efer & 0xFFFFFFFFL);
            t.cpu.setReg(X86Cpu.RDX, efer >>> 32);
            t.run(0x0F, 0x30);
            assertEquals(X86Cpu.EFER_NXE, t.cpu.efer() & X86Cpu.EFER_NXE);
        });
        m.put(new Bit(0x80000001, 'd', 26), t -> {
            t.g.write64(0xE0_0000L, 0x1234);         // through the 1 GiB page of PDPT[0]
            t.cpu.setReg(7, 0xE0_0000L);
            t.run(0x48, 0x8B, 0x07);                 // mov rax, [rdi]
            assertEquals(0x1234, t.cpu.reg(X86Cpu.RAX));
        });
        m.put(new Bit(0x80000001, 'd', 27), t -> t.run(0x0F, 0x01, 0xF9));
        m.put(new Bit(0x80000001, 'd', 29), t -> assertTrue(t.cpu.is64BitMode()));
        return m;
    }

    @Test
    void everyAdvertisedFeatureBitIsImplemented() {
        List<Bit> advertised = new ArrayList<>();
        int[][] leaves = {{1, 0}, {7, 0}, {0x80000001, 0}};
        for (int[] l : leaves) {
            long[] r = cpuid(l[0], l[1]);
            char[] names = {'b', 'c', 'd'};
            for (int k = 0; k < 3; k++) {
                if (l[0] == 1 && names[k] == 'b') {
                    continue; // leaf 1 EBX holds IDs, not features
                }
                for (int bit = 0; bit < 32; bit++) {
                    if ((r[k + 1] & (1L << bit)) != 0) {
                        advertised.add(new Bit(l[0], names[k], bit));
                    }
                }
            }
        }
        Map<Bit, Consumer<CpuidFeatureTest>> checks = checks();
        for (Bit b : advertised) {
            if (!checks.containsKey(b)) {
                fail(b + " is advertised but nothing here exercises it");
            }
        }
        for (Bit b : checks.keySet()) {
            assertTrue(advertised.contains(b), b + " is checked but no longer advertised");
        }
        for (Bit b : advertised) {
            CpuidFeatureTest fresh = new CpuidFeatureTest();
            try {
                checks.get(b).accept(fresh);
            } catch (AssertionError e) {
                throw new AssertionError(b + ": " + e.getMessage(), e);
            }
        }
    }
}
