package dev.zx4j.sim.x86;

import static dev.zx4j.abi.Zx.ZX_ERR_INVALID_ARGS;
import static dev.zx4j.abi.Zx.ZX_ERR_NOT_SUPPORTED;
import static dev.zx4j.sim.x86.X86Cpu.APIC_BASE_BSP;
import static dev.zx4j.sim.x86.X86Cpu.APIC_BASE_VALUE;
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
import static dev.zx4j.sim.x86.X86Cpu.LVT_MASKED;
import static dev.zx4j.sim.x86.X86Cpu.MSR_APIC_BASE;
import static dev.zx4j.sim.x86.X86Cpu.MSR_EFER;
import static dev.zx4j.sim.x86.X86Cpu.MSR_FS_BASE;
import static dev.zx4j.sim.x86.X86Cpu.MSR_GS_BASE;
import static dev.zx4j.sim.x86.X86Cpu.MSR_KERNEL_GS_BASE;
import static dev.zx4j.sim.x86.X86Cpu.MSR_MISC_ENABLE;
import static dev.zx4j.sim.x86.X86Cpu.MSR_SYSENTER_CS;
import static dev.zx4j.sim.x86.X86Cpu.MSR_SYSENTER_EIP;
import static dev.zx4j.sim.x86.X86Cpu.MSR_SYSENTER_ESP;
import static dev.zx4j.sim.x86.X86Cpu.MSR_TSC_ADJUST;
import static dev.zx4j.sim.x86.X86Cpu.MSR_TSC_AUX;
import static dev.zx4j.sim.x86.X86Cpu.MSR_TSC_DEADLINE;
import static dev.zx4j.sim.x86.X86Cpu.MSR_X2APIC_DCR;
import static dev.zx4j.sim.x86.X86Cpu.MSR_X2APIC_EOI;
import static dev.zx4j.sim.x86.X86Cpu.MSR_X2APIC_ESR;
import static dev.zx4j.sim.x86.X86Cpu.MSR_X2APIC_ICR;
import static dev.zx4j.sim.x86.X86Cpu.MSR_X2APIC_ID;
import static dev.zx4j.sim.x86.X86Cpu.MSR_X2APIC_INITIAL_COUNT;
import static dev.zx4j.sim.x86.X86Cpu.MSR_X2APIC_LDR;
import static dev.zx4j.sim.x86.X86Cpu.MSR_X2APIC_LVT_CMCI;
import static dev.zx4j.sim.x86.X86Cpu.MSR_X2APIC_LVT_ERROR;
import static dev.zx4j.sim.x86.X86Cpu.MSR_X2APIC_LVT_LINT0;
import static dev.zx4j.sim.x86.X86Cpu.MSR_X2APIC_LVT_LINT1;
import static dev.zx4j.sim.x86.X86Cpu.MSR_X2APIC_LVT_PMC;
import static dev.zx4j.sim.x86.X86Cpu.MSR_X2APIC_LVT_THERMAL;
import static dev.zx4j.sim.x86.X86Cpu.MSR_X2APIC_LVT_TIMER;
import static dev.zx4j.sim.x86.X86Cpu.MSR_X2APIC_SELF_IPI;
import static dev.zx4j.sim.x86.X86Cpu.MSR_X2APIC_SVR;
import static dev.zx4j.sim.x86.X86Cpu.MSR_X2APIC_TPR;
import static dev.zx4j.sim.x86.X86Cpu.MSR_X2APIC_VERSION;
import static dev.zx4j.sim.x86.X86Cpu.X2APIC_VERSION_VALUE;

/**
 * Control registers (MOV CR, with the kernel's CR0/CR4 read shadows), the MSRs and the TSC.
 *
 * <p>MSRs as a VCPU of the late-2021 Zircon kernel sees them (arch/x86/hypervisor):
 *  * the MSRs the guest owns (not intercepted: EFER, PAT, FS/GS base, KERNEL_GS_BASE, STAR,
 *    LSTAR, FMASK, SYSENTER_CS/ESP/EIP, TSC_ADJUST, TSC_AUX) behave as on hardware;
 *  * IA32_APIC_BASE, IA32_MISC_ENABLE, the MTRRs, machine-check and power/thermal MSRs and
 *    the x2APIC range are emulated by the kernel's RDMSR/WRMSR exit handlers, with the values
 *    below;
 *  * every other MSR, IA32_TSC and a read of CSTAR included, is intercepted and unknown: the
 *    kernel injects #GP(0) into the guest (it does not fail zx_vcpu_enter), and so does this
 *    CPU. The kernel's few enter failures are kept: a WRMSR of IA32_APIC_BASE changing
 *    anything but the BSP flag, and a reserved LVT timer mode, fail with INVALID_ARGS.
 *  * A write of the SELF IPI register exits as VcpuExit.SelfIpi, which the kernel queues on
 *    the same VCPU; ICR writes exit as VcpuExit.IcrWrite for the kernel's IPI rules.
 *  * The local APIC timer (LVT timer counting, TSC deadline) and the KVM clock MSRs are not
 *    modelled: arming the timer ends the run with NOT_SUPPORTED rather than never
 *    interrupting; CPUID does not advertise the KVM clock, so its MSRs are unknown ones.
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
            case 3: cpu.cr3 = v; break;
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
        cpu.flushTlb();
        Segments.updateMode(cpu);
    }

    /** MSRs the kernel's RDMSR handler answers with 0 (MTRRs, MCG, platform and power MSRs). */
    static boolean msrReadsAsZero(int msr) {
        switch (msr) {
            case 0x17:  // IA32_PLATFORM_ID
            case 0x34:  // MSR_SMI_COUNT
            case 0x8B:  // IA32_BIOS_SIGN_ID
            case 0xFE:  // IA32_MTRRCAP
            case 0x179: // IA32_MCG_CAP
            case 0x17A: // IA32_MCG_STATUS
            case 0x1A2: // MSR_TEMPERATURE_TARGET
            case 0x250: // IA32_MTRR_FIX64K_00000
            case 0x258: case 0x259: // IA32_MTRR_FIX16K_*
            case 0x2FF: // IA32_MTRR_DEF_TYPE
            case 0x606: // MSR_RAPL_POWER_UNIT
            case 0x611: // MSR_PKG_ENERGY_STATUS
            case 0x618: case 0x619: // MSR_DRAM_POWER_LIMIT, MSR_DRAM_ENERGY_STATUS
            case 0x638: case 0x639: // MSR_PP0_POWER_LIMIT, MSR_PP0_ENERGY_STATUS
            case 0x640: case 0x641: // MSR_PP1_POWER_LIMIT, MSR_PP1_ENERGY_STATUS
            case 0x64D: // MSR_PLATFORM_ENERGY_COUNTER
            case 0x64E: // MSR_PPERF
            case 0x65C: // MSR_PLATFORM_POWER_LIMIT
                return true;
            default:
                return (msr >= 0x268 && msr <= 0x26F)    // IA32_MTRR_FIX4K_*
                        || (msr >= 0x200 && msr <= 0x213); // IA32_MTRR_PHYSBASE0..PHYSMASK9
        }
    }

    /** MSRs whose writes the kernel's WRMSR handler accepts and ignores. */
    static boolean msrWriteIgnored(int msr) {
        switch (msr) {
            case 0x48:  // IA32_SPEC_CTRL
            case 0x49:  // IA32_PRED_CMD
            case 0x8B:  // IA32_BIOS_SIGN_ID
            case 0xFE: case 0x250: case 0x258: case 0x259: case 0x2FF: // MTRRs
            case 0x618: case 0x638: case 0x640: case 0x65C: // power limits
            case 0xC0000083: // IA32_CSTAR: written by Linux, never read
                return true;
            default:
                return (msr >= 0x268 && msr <= 0x26F) || (msr >= 0x200 && msr <= 0x213);
        }
    }

    static long readMsr(X86Cpu cpu, int msr) {
        PlatformMsrs platform = cpu.platformMsrs;
        if (platform != null && platform.claims(msr)) {
            return platform.read(msr);
        }
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
            case MSR_APIC_BASE: return APIC_BASE_VALUE | (cpu.apicId == 0 ? APIC_BASE_BSP : 0);
            case MSR_MISC_ENABLE: return 1; // fast strings, the only bit the kernel passes on
            default:
                if (msrReadsAsZero(msr)) {
                    return 0;
                }
                if (msr >= 0x800 && msr <= 0x83F) {
                    return readX2apic(cpu, msr);
                }
                throw CpuSignal.fault(13, 0);
        }
    }

    static long readX2apic(X86Cpu cpu, int msr) {
        switch (msr) {
            case MSR_X2APIC_ID: return cpu.apicId;
            case MSR_X2APIC_VERSION: return X2APIC_VERSION_VALUE;
            case MSR_X2APIC_SVR: return 0xFF; // the reset value; writes are ignored
            case MSR_X2APIC_TPR:
            case MSR_X2APIC_LDR:
            case MSR_X2APIC_ESR:
            case MSR_X2APIC_LVT_PMC:
                return 0;
            case MSR_X2APIC_LVT_CMCI:
            case MSR_X2APIC_LVT_THERMAL:
            case MSR_X2APIC_LVT_LINT0:
            case MSR_X2APIC_LVT_LINT1:
                return LVT_MASKED;
            case MSR_X2APIC_LVT_TIMER: return cpu.lvtTimer;
            default:
                if (msr >= 0x810 && msr <= 0x827) {
                    return 0; // ISR, TMR, IRR
                }
                throw CpuSignal.fault(13, 0); // write-only or unimplemented registers
        }
    }

    static void writeMsr(X86Cpu cpu, int msr, long v) {
        PlatformMsrs platform = cpu.platformMsrs;
        if (platform != null && platform.claims(msr)) {
            VcpuExit e = platform.write(msr, v);
            if (e != null) {
                cpu.exitPending = e;
            }
            return;
        }
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
                cpu.flushTlb();
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
            case MSR_APIC_BASE:
                if ((v & ~APIC_BASE_BSP) != APIC_BASE_VALUE) {
                    throw CpuSignal.error(ZX_ERR_INVALID_ARGS, "WRMSR of IA32_APIC_BASE moving or "
                            + "disabling the x2APIC (0x" + Long.toHexString(v) + ")");
                }
                return;
            case MSR_TSC_DEADLINE:
                if (((cpu.lvtTimer >>> 17) & 3) != 2) {
                    throw CpuSignal.error(ZX_ERR_INVALID_ARGS,
                            "WRMSR of IA32_TSC_DEADLINE with the LVT timer not in TSC-deadline mode");
                }
                if (v != 0) {
                    throw CpuSignal.error(ZX_ERR_NOT_SUPPORTED,
                            "the local APIC timer (TSC deadline) is not modelled");
                }
                return;
            default:
                if (msrWriteIgnored(msr)) {
                    return;
                }
                if (msr >= 0x800 && msr <= 0x83F) {
                    writeX2apic(cpu, msr, v);
                    return;
                }
                throw CpuSignal.fault(13, 0);
        }
    }

    static void writeX2apic(X86Cpu cpu, int msr, long v) {
        if ((v >>> 32) != 0 && msr != MSR_X2APIC_ICR) {
            throw CpuSignal.fault(13, 0); // the upper half of every x2APIC MSR but the ICR
        }
        switch (msr) {
            case MSR_X2APIC_EOI:
            case MSR_X2APIC_ESR:
                if (v != 0) {
                    throw CpuSignal.fault(13, 0);
                }
                return; // no in-kernel APIC state to update
            case MSR_X2APIC_TPR:
            case MSR_X2APIC_SVR:
            case MSR_X2APIC_LVT_PMC:
            case MSR_X2APIC_LVT_ERROR:
            case MSR_X2APIC_LVT_LINT0:
            case MSR_X2APIC_LVT_LINT1:
            case MSR_X2APIC_LVT_THERMAL:
            case MSR_X2APIC_LVT_CMCI:
            case MSR_X2APIC_DCR:
                return;
            case MSR_X2APIC_LVT_TIMER:
                if (((v >>> 17) & 3) == 3) {
                    throw CpuSignal.error(ZX_ERR_INVALID_ARGS, "reserved LVT timer mode");
                }
                cpu.lvtTimer = v;
                return;
            case MSR_X2APIC_INITIAL_COUNT:
                if (v != 0) {
                    throw CpuSignal.error(ZX_ERR_NOT_SUPPORTED,
                            "the local APIC timer is not modelled");
                }
                return;
            case MSR_X2APIC_SELF_IPI:
                // The kernel queues the vector on this VCPU (vector 7:0; the rest is ignored).
                cpu.exitPending = new VcpuExit.SelfIpi((int) (v & 0xFF));
                return;
            case MSR_X2APIC_ICR:
                // The kernel turns IPIs and INIT/SIPI into VCPU packets for the VMM.
                cpu.exitPending = new VcpuExit.IcrWrite(v);
                return;
            default:
                throw CpuSignal.fault(13, 0); // read-only or unimplemented registers
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
