package dev.zx4j.sim.x86;

import static dev.zx4j.abi.Zx.ZX_ERR_NOT_SUPPORTED;
import static dev.zx4j.sim.x86.X86Cpu.CR0_CD;
import static dev.zx4j.sim.x86.X86Cpu.CR0_ET;
import static dev.zx4j.sim.x86.X86Cpu.CR0_NE;
import static dev.zx4j.sim.x86.X86Cpu.CR0_NW;
import static dev.zx4j.sim.x86.X86Cpu.CR0_PE;
import static dev.zx4j.sim.x86.X86Cpu.CR0_PG;
import static dev.zx4j.sim.x86.X86Cpu.CR0_SHADOWED;
import static dev.zx4j.sim.x86.X86Cpu.CR4_PAE;
import static dev.zx4j.sim.x86.X86Cpu.CR4_VMXE;
import static dev.zx4j.sim.x86.X86Cpu.EFER_LMA;
import static dev.zx4j.sim.x86.X86Cpu.EFER_LME;
import static dev.zx4j.sim.x86.X86Cpu.EFER_NXE;
import static dev.zx4j.sim.x86.X86Cpu.EFER_SCE;
import static dev.zx4j.sim.x86.X86Cpu.FS;
import static dev.zx4j.sim.x86.X86Cpu.GS;
import static dev.zx4j.sim.x86.X86Cpu.MSR_EFER;
import static dev.zx4j.sim.x86.X86Cpu.MSR_FS_BASE;
import static dev.zx4j.sim.x86.X86Cpu.MSR_GS_BASE;
import static dev.zx4j.sim.x86.X86Cpu.MSR_KERNEL_GS_BASE;
import static dev.zx4j.sim.x86.X86Cpu.MSR_SYSENTER_CS;
import static dev.zx4j.sim.x86.X86Cpu.MSR_SYSENTER_EIP;
import static dev.zx4j.sim.x86.X86Cpu.MSR_SYSENTER_ESP;
import static dev.zx4j.sim.x86.X86Cpu.MSR_TSC_ADJUST;
import static dev.zx4j.sim.x86.X86Cpu.MSR_TSC_AUX;

/**
 * Control registers (MOV CR, with the kernel's CR0/CR4 read shadows), the MSRs and the TSC.
 *
 * <p>MSRs as a VCPU under the modelled Zircon kernel sees them (arch/x86/hypervisor): the MSR
 * bitmap passes PAT, EFER, FS/GS base, KERNEL_GS_BASE, STAR, LSTAR, FMASK, SYSENTER_CS/ESP/EIP,
 * TSC_ADJUST and TSC_AUX to the processor, which keeps them here and behaves as hardware does.
 * RDMSR and WRMSR of every other MSR is a VM exit ({@link VcpuExit.Rdmsr}, {@link VcpuExit.Wrmsr},
 * RIP on the instruction) that the kernel's exit handlers answer: IA32_APIC_BASE, the x2APIC
 * registers and timer, kvmclock, the MSRs read as 0 or ignored, and #GP for the rest all live on
 * the kernel side ({@code dev.zx4j.sim.MsrExits}, {@code LocalApic}, {@code KvmClock}).
 */
final class SystemRegisters {
    /**
     * The CR4 bits this processor implements; setting any other gives #GP(0) (Intel SDM vol. 3,
     * 2.5): DE, TSD, PSE, PAE, PGE, PCE, OSFXSR, OSXMMEXCPT, FSGSBASE, OSXSAVE, SMEP, SMAP.
     */
    static final long CR4_IMPLEMENTED = X86Cpu.CR4_DE | X86Cpu.CR4_TSD | X86Cpu.CR4_PSE
            | X86Cpu.CR4_PAE | X86Cpu.CR4_PGE | X86Cpu.CR4_PCE | X86Cpu.CR4_OSFXSR
            | X86Cpu.CR4_OSXMMEXCPT | X86Cpu.CR4_FSGSBASE | X86Cpu.CR4_OSXSAVE | X86Cpu.CR4_SMEP
            | X86Cpu.CR4_SMAP;

    private SystemRegisters() {
    }

    static long readCr(X86Cpu cpu, int n) {
        switch (n) {
            case 0: return (cpu.cr0 & ~CR0_SHADOWED) | (cpu.cr0Shadow & CR0_SHADOWED);
            case 2: return cpu.cr2;
            case 3: return cpu.cr3;
            case 4: return cpu.cr4;
            default: return cpu.cr8;
        }
    }

    static void writeCr(X86Cpu cpu, int n, long v) {
        switch (n) {
            case 0: {
                if ((v >>> 32) != 0 || ((v & CR0_PG) != 0 && (v & CR0_PE) == 0)
                        || ((v & CR0_NW) != 0 && (v & CR0_CD) == 0)) {
                    throw CpuSignal.fault(13, 0);
                }
                // As the kernel's CR0 exit handler: the guest's value becomes the read shadow,
                // the CR0 in force keeps NE (fixed under VMX) and ET, never NW or CD.
                long written = v;
                v = (v | CR0_ET | CR0_NE) & ~(CR0_NW | CR0_CD);
                boolean pgOn = (v & CR0_PG) != 0 && (cpu.cr0 & CR0_PG) == 0;
                boolean pgOff = (v & CR0_PG) == 0 && (cpu.cr0 & CR0_PG) != 0;
                if (pgOn && (cpu.efer & EFER_LME) != 0) {
                    if ((cpu.cr4 & CR4_PAE) == 0) {
                        throw CpuSignal.fault(13, 0);
                    }
                    cpu.efer |= EFER_LMA;
                }
                if (pgOff && (cpu.efer & EFER_LMA) != 0) {
                    if (cpu.codeSize == 64) {
                        throw CpuSignal.fault(13, 0);
                    }
                    cpu.efer &= ~EFER_LMA;
                }
                cpu.cr0 = v;
                cpu.cr0Shadow = written;
                break;
            }
            case 2: cpu.cr2 = v; return;
            case 3:
                cpu.cr3 = v;
                cpu.flushNonGlobal(); // global translations stay (SDM vol. 3, 4.10.4.1)
                return;
            case 4:
                if ((v & CR4_VMXE) != 0) {
                    // VMXE is in the CR4 guest/host mask with shadow 0: setting it exits, and
                    // the kernel's exit handler supports MOV to CR0 only.
                    throw CpuSignal.error(ZX_ERR_NOT_SUPPORTED,
                            "MOV to CR4 setting VMXE (nested virtualisation is not supported)");
                }
                if ((cpu.efer & EFER_LMA) != 0 && (v & CR4_PAE) == 0) {
                    throw CpuSignal.fault(13, 0);
                }
                if ((v & ~CR4_IMPLEMENTED) != 0) {
                    throw CpuSignal.fault(13, 0); // a feature this processor does not report
                }
                cpu.cr4 = v;
                break;
            default: cpu.cr8 = v & 0xF; return;
        }
        cpu.flushLinear();
        Segments.updateMode(cpu);
    }

    static long readMsr(X86Cpu cpu, int msr) {
        switch (msr) {
            case MSR_EFER: return cpu.efer;
            case MSR_FS_BASE: return cpu.segBase[FS];
            case MSR_GS_BASE: return cpu.segBase[GS];
            case MSR_KERNEL_GS_BASE: return cpu.kernelGsBase;
            case 0xC0000081: return cpu.star;
            case 0xC0000082: return cpu.lstar;
            case 0xC0000084: return cpu.sfmask;
            case 0x277: return cpu.pat;
            case MSR_SYSENTER_CS: return cpu.sysenterCs;
            case MSR_SYSENTER_ESP: return cpu.sysenterEsp;
            case MSR_SYSENTER_EIP: return cpu.sysenterEip;
            case MSR_TSC_ADJUST: return cpu.tscAdjust;
            case MSR_TSC_AUX: return cpu.tscAux;
            default:
                throw CpuSignal.intercept(CpuSignal.RDMSR); // not in the MSR bitmap: VM exit
        }
    }

    static void writeMsr(X86Cpu cpu, int msr, long v) {
        switch (msr) {
            case MSR_EFER: {
                long allowed = EFER_SCE | EFER_LME | EFER_NXE;
                if ((v & ~(allowed | EFER_LMA)) != 0) {
                    throw CpuSignal.fault(13, 0);
                }
                if ((cpu.cr0 & CR0_PG) != 0 && ((v ^ cpu.efer) & EFER_LME) != 0) {
                    throw CpuSignal.fault(13, 0);
                }
                cpu.efer = (cpu.efer & EFER_LMA) | (v & allowed);
                cpu.flushLinear();
                Segments.updateMode(cpu);
                return;
            }
            case MSR_FS_BASE: cpu.segBase[FS] = v; return;
            case MSR_GS_BASE: cpu.segBase[GS] = v; return;
            case MSR_KERNEL_GS_BASE: cpu.kernelGsBase = v; return;
            case 0xC0000081: cpu.star = v; return;
            case 0xC0000082: cpu.lstar = v; return;
            case 0xC0000084: cpu.sfmask = v; return;
            case 0x277: cpu.pat = v; return;
            case MSR_SYSENTER_CS: cpu.sysenterCs = v & 0xFFFFFFFFL; return;
            case MSR_SYSENTER_ESP: cpu.sysenterEsp = v; return;
            case MSR_SYSENTER_EIP: cpu.sysenterEip = v; return;
            case MSR_TSC_ADJUST: cpu.tscAdjust = v; return;
            case MSR_TSC_AUX:
                if ((v >>> 32) != 0) {
                    throw CpuSignal.fault(13, 0);
                }
                cpu.tscAux = v;
                return;
            default:
                throw CpuSignal.intercept(CpuSignal.WRMSR); // not in the MSR bitmap: VM exit
        }
    }

    /**
     * The time-stamp counter: the source plus IA32_TSC_ADJUST, strictly increasing on this
     * VCPU (a source that stands still, like a manual clock, still moves the TSC by one per
     * read).
     */
    static long readTsc(X86Cpu cpu) {
        long t = cpu.tscSource.getAsLong() + cpu.tscAdjust;
        if (cpu.tscRead && t - cpu.lastTsc <= 0) {
            t = cpu.lastTsc + 1;
        }
        cpu.tscRead = true;
        cpu.lastTsc = t;
        return t;
    }
}
