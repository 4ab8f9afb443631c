package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.X86Cpu.RAX;
import static dev.zx4j.sim.x86.X86Cpu.RBX;
import static dev.zx4j.sim.x86.X86Cpu.RCX;
import static dev.zx4j.sim.x86.X86Cpu.RDX;

/** CPUID: the leaves the simulated processor reports, as the modelled kernel presents them. */
final class Cpuid {
    /** The highest basic CPUID leaf; higher unknown leaves answer as this one (Intel's rule). */
    static final int MAX_BASIC_LEAF = 0xD;

    private Cpuid() {
    }

    /**
     * CPUID. Feature bits describe what this CPU implements; the fields the kernel overrides
     * are as the kernel sets them: initial APIC ID = VPID − 1 (leaf 1 EBX[31:24], leaf 0xB EDX),
     * hypervisor present and x2APIC (leaf 1 ECX), no VMX, no MONITOR/MWAIT, no performance
     * monitoring (leaf 0xA), hypervisor leaves 0x40000000 ("KVMKVMKVM\0\0\0", max 0x40000001).
     * Unlike the kernel, SEP (SYSENTER) and SYSCALL are not advertised since the instructions
     * are not implemented, and neither are the KVM clock sources of leaf 0x40000001.
     */
    static void cpuid(X86Cpu cpu) {
        long[] r = query(cpu, (int) cpu.regs[RAX], (int) cpu.regs[RCX]);
        cpu.regs[RAX] = r[0];
        cpu.regs[RBX] = r[1];
        cpu.regs[RCX] = r[2];
        cpu.regs[RDX] = r[3];
    }

    /** The processor's leaf {@code leaf}, subleaf {@code sub}: {EAX, EBX, ECX, EDX}. */
    static long[] query(X86Cpu cpu, int leaf, int sub) {
        if (Integer.compareUnsigned(leaf, MAX_BASIC_LEAF) > 0
                && leaf != 0x40000000 && leaf != 0x40000001
                && leaf != 0x80000000 && leaf != 0x80000001) {
            leaf = MAX_BASIC_LEAF;
        }
        long a = 0, b = 0, c = 0, d = 0;
        switch (leaf) {
            case 0:
                a = MAX_BASIC_LEAF;
                b = 0x756E6547L; // "Genu"
                d = 0x49656E69L; // "ineI"
                c = 0x6C65746EL; // "ntel"
                break;
            case 1:
                a = 0x000206A7L;
                b = ((long) cpu.apicId << 24) | (1L << 16) | (8L << 8);
                // hypervisor present, POPCNT, x2APIC, CMPXCHG16B; SSE3, SSSE3, SSE4.1, SSE4.2,
                // XSAVE, and OSXSAVE mirroring CR4.OSXSAVE
                c = (1L << 31) | (1L << 23) | (1L << 21) | (1L << 13)
                        | 1L | (1L << 9) | (1L << 19) | (1L << 20) | (1L << 26)
                        | ((cpu.cr4 & X86Cpu.CR4_OSXSAVE) != 0 ? 1L << 27 : 0);
                // FPU (the x87 unit; FCMOVcc/FCOMI with CMOV), DE, PSE, TSC, MSR, PAE, CMPXCHG8B, APIC, SEP, PGE, CMOV, PAT, CLFSH; MMX, FXSR,
                // SSE, SSE2
                d = 1L | (1L << 2) | (1L << 3) | (1L << 4) | (1L << 5) | (1L << 6) | (1L << 8)
                        | (1L << 9) | (1L << 11) | (1L << 13) | (1L << 15) | (1L << 16) | (1L << 19)
                        | (1L << 23) | (1L << 24) | (1L << 25) | (1L << 26);
                break;
            case 7:
                if (sub == 0) {
                    // IA32_TSC_ADJUST, SMEP, SMAP, CLFLUSHOPT
                    b = (1L << 1) | (1L << 7) | (1L << 20) | (1L << 23);
                }
                break;
            case 0xD:
                // XSAVE: x87 and SSE only (AVX is not implemented), standard form only
                // (no XSAVEOPT/XSAVEC/XSAVES/XGETBV1 in subleaf 1)
                if (sub == 0) {
                    a = ExtendedState.XCR0_SUPPORTED;
                    b = ExtendedState.XSAVE_SIZE; // for the components enabled in XCR0
                    c = ExtendedState.XSAVE_SIZE;
                } else if (sub == 1) {
                    a = 0;
                }
                break;
            case 0xA:
                b = 0x7F; // no performance-monitoring events
                break;
            case 0xB:
                d = cpu.apicId; // the kernel reports only the x2APIC ID
                break;
            case 0x40000000:
                a = 0x40000001L;
                b = 0x4B4D564BL; // "KVMK"
                c = 0x564B4D56L; // "VMKV"
                d = 0x4DL;       // "M\0\0\0"
                break;
            case 0x40000001:
                a = 1L << 1; // KVM_FEATURE_NOP_IO_DELAY
                break;
            case 0x80000000:
                a = 0x80000001L;
                break;
            case 0x80000001:
                c = 1 | (1L << 5); // LAHF/SAHF in 64-bit mode, LZCNT
                // SYSCALL/SYSRET, NX, 1-GiB pages, RDTSCP, LM
                d = (1L << 11) | (1L << 20) | (1L << 26) | (1L << 27) | (1L << 29);
                break;
            default:
                break;
        }
        return new long[] {a, b, c, d};
    }
}
