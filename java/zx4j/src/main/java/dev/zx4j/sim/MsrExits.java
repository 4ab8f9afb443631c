package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.ZX_OK;

/**
 * The kernel's RDMSR and WRMSR exit handlers ({@code handle_rdmsr}, {@code handle_wrmsr},
 * {@code arch/x86/hypervisor/vmexit.cc}, late 2021/2022), for the MSRs that exit: every MSR but
 * the ones the MSR bitmap passes to the CPU (PAT, EFER, FS/GS/KERNEL_GS base, STAR, LSTAR, FMASK,
 * TSC_ADJUST, TSC_AUX, SYSENTER_CS/ESP/EIP — those the software CPU keeps itself).
 *
 * <ul>
 *   <li>RDMSR: {@code IA32_APIC_BASE} (see {@link LocalApic}); {@code IA32_MISC_ENABLE} = the
 *       host's value &amp; 1 (fast strings; the simulated host has it set); 0 for the MTRRs,
 *       PLATFORM_ID, BIOS_SIGN_ID, MCG_CAP/STATUS, TEMPERATURE_TARGET, the RAPL energy and power
 *       limit MSRs, PPERF and SMI_COUNT; the x2APIC range; #GP for everything else — IA32_TSC,
 *       IA32_TSC_DEADLINE and the KVM clock MSRs included.</li>
 *   <li>WRMSR: {@code IA32_APIC_BASE}; ignored: the MTRRs, BIOS_SIGN_ID, the power limits,
 *       SPEC_CTRL, PRED_CMD and CSTAR; {@code IA32_TSC_DEADLINE}; the x2APIC range; the four KVM
 *       clock MSRs; #GP for everything else.</li>
 * </ul>
 * A #GP is vector 13 queued in the tracker with RIP left at the instruction; the handler's
 * status is ZX_OK then, and the guest takes the fault at the next entry.
 */
final class MsrExits {
    static final int MSR_MISC_ENABLE = 0x1A0;
    static final int MSR_CSTAR = 0xC000_0083;

    private final LocalApic apic;
    private final KvmClock kvmClock;
    private final InterruptTracker tracker;
    private final GuestPtr.Space memory;

    MsrExits(LocalApic apic, KvmClock kvmClock, InterruptTracker tracker, GuestPtr.Space memory) {
        this.apic = apic;
        this.kvmClock = kvmClock;
        this.tracker = tracker;
        this.memory = memory;
    }

    /** MTRRs: CAP, DEF_TYPE, the fixed-range ones and PHYSBASE0–PHYSMASK9. */
    private static boolean mtrr(int msr) {
        return msr == 0xFE || msr == 0x2FF || msr == 0x250 || msr == 0x258 || msr == 0x259
                || (msr >= 0x268 && msr <= 0x26F) || (msr >= 0x200 && msr <= 0x213);
    }

    /** The MSRs the RDMSR handler answers with 0. */
    static boolean readsAsZero(int msr) {
        if (mtrr(msr)) {
            return true;
        }
        switch (msr) {
            case 0x17:  // IA32_PLATFORM_ID
            case 0x34:  // MSR_SMI_COUNT
            case 0x8B:  // IA32_BIOS_SIGN_ID
            case 0x179: // IA32_MCG_CAP
            case 0x17A: // IA32_MCG_STATUS
            case 0x1A2: // MSR_TEMPERATURE_TARGET
            case 0x606: // MSR_RAPL_POWER_UNIT
            case 0x611: // MSR_PKG_ENERGY_STATUS
            case 0x618: // MSR_DRAM_POWER_LIMIT
            case 0x619: // MSR_DRAM_ENERGY_STATUS
            case 0x638: // MSR_PP0_POWER_LIMIT
            case 0x639: // MSR_PP0_ENERGY_STATUS
            case 0x640: // MSR_PP1_POWER_LIMIT
            case 0x641: // MSR_PP1_ENERGY_STATUS
            case 0x64D: // MSR_PLATFORM_ENERGY_COUNTER
            case 0x64E: // MSR_PPERF
            case 0x65C: // MSR_PLATFORM_POWER_LIMIT
                return true;
            default:
                return false;
        }
    }

    /** The MSRs whose writes the WRMSR handler accepts and ignores. */
    static boolean writeIgnored(int msr) {
        if (mtrr(msr)) {
            return true;
        }
        switch (msr) {
            case 0x8B:  // IA32_BIOS_SIGN_ID
            case 0x618: // MSR_DRAM_POWER_LIMIT
            case 0x638: // MSR_PP0_POWER_LIMIT
            case 0x640: // MSR_PP1_POWER_LIMIT
            case 0x65C: // MSR_PLATFORM_POWER_LIMIT
            case 0x48:  // IA32_SPEC_CTRL
            case 0x49:  // IA32_PRED_CMD
            case MSR_CSTAR:
                return true;
            default:
                return false;
        }
    }

    private static boolean x2apic(int msr) {
        return msr >= LocalApic.MSR_X2APIC_FIRST && msr <= LocalApic.MSR_X2APIC_LAST;
    }

    private static boolean kvm(int msr) {
        return msr == KvmClock.MSR_SYSTEM_TIME || msr == KvmClock.MSR_SYSTEM_TIME_OLD
                || msr == KvmClock.MSR_WALL_CLOCK || msr == KvmClock.MSR_WALL_CLOCK_OLD;
    }

    /** The RDMSR exit. */
    int read(ExitState s) {
        int msr = (int) s.reg(ExitState.RCX);
        if (msr == LocalApic.MSR_APIC_BASE) {
            return apic.readApicBase(s);
        }
        if (msr == MSR_MISC_ENABLE) {
            s.nextRip();
            s.setEdxEax(1); // host MISC_ENABLE & fast strings
            return ZX_OK;
        }
        if (readsAsZero(msr)) {
            s.nextRip();
            s.setEdxEax(0);
            return ZX_OK;
        }
        if (x2apic(msr)) {
            return apic.read(s);
        }
        tracker.interrupt(LocalApic.GP);
        return ZX_OK;
    }

    /** The WRMSR exit; {@code packet} receives an IPI's packet ({@code ZX_ERR_NEXT}). */
    int write(ExitState s, byte[] packet) {
        int msr = (int) s.reg(ExitState.RCX);
        if (msr == LocalApic.MSR_APIC_BASE) {
            return apic.writeApicBase(s);
        }
        if (writeIgnored(msr)) {
            s.nextRip();
            return ZX_OK;
        }
        if (msr == LocalApic.MSR_TSC_DEADLINE) {
            return apic.writeTscDeadline(s);
        }
        if (x2apic(msr)) {
            return apic.write(s, packet);
        }
        if (kvm(msr)) {
            return kvmClock.write(s, memory);
        }
        tracker.interrupt(LocalApic.GP);
        return ZX_OK;
    }
}
