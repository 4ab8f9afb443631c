package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.ZX_OK;

/**
 * CPUID as a Zircon guest sees it: the host CPU's answer, edited per leaf by the kernel's CPUID
 * exit handler ({@code handle_cpuid}, {@code arch/x86/hypervisor/vmexit.cc}, 2022; bit positions
 * from {@code arch/x86/feature.h}). In the simulator the host CPU is the software CPU itself:
 * {@link Host} is its own, unedited CPUID.
 *
 * <table>
 *   <caption>leaves</caption>
 *   <tr><td>0, 0x80000000</td><td>the host's, unclamped</td></tr>
 *   <tr><td>1…0x17, 0x80000001…0x8000001E</td><td>the host's for (leaf, subleaf), then:</td></tr>
 *   <tr><td>1</td><td>EBX[31:24] = VPID − 1; ECX +HYPERVISOR +X2APIC +TSC_DEADLINE −VMX −PDCM
 *       −MONITOR −TM2; EDX +SEP −TM −ACPI</td></tr>
 *   <tr><td>5</td><td>all zero (no MONITOR/MWAIT)</td></tr>
 *   <tr><td>6</td><td>ECX −HW_FEEDBACK −PERF_BIAS; EAX −DTS −TURBO −PLN −PTM −HWP(4 bits)
 *       −TURBO_MAX</td></tr>
 *   <tr><td>7</td><td>EBX −PT −TSC_ADJUST (−INVPCID if VMX cannot expose it: never here); EDX
 *       −IBRS_IBPB −STIBP −SSBD −ARCH_CAPABILITIES −L1D_FLUSH</td></tr>
 *   <tr><td>0xA</td><td>EAX = 0, EBX = 0x7F (no events), ECX = EDX = 0</td></tr>
 *   <tr><td>0xB</td><td>EAX = EBX = ECX = 0, EDX = VPID − 1 (every subleaf)</td></tr>
 *   <tr><td>0xD</td><td>subleaf 0: EBX = 576 or the end of the last guest-enabled XCR0 component
 *       2–9; subleaf 1: EAX −XSAVES</td></tr>
 *   <tr><td>0x40000000</td><td>EAX = 0x40000001, "KVMKVMKVM\0\0\0"</td></tr>
 *   <tr><td>0x40000001</td><td>EAX = CLOCKSOURCE | NOP_IO_DELAY | CLOCKSOURCE2 (0xB), rest 0</td></tr>
 *   <tr><td>any other</td><td>the host's leaf 0x17 with the guest's subleaf</td></tr>
 * </table>
 * RIP always moves on; the handler fails only if the host has no leaf 0xD subleaf (never here).
 */
final class GuestCpuid {
    /** The host CPU's own CPUID: {@code out} = EAX, EBX, ECX, EDX. */
    @FunctionalInterface
    interface Host {
        void cpuid(int leaf, int subleaf, int[] out);
    }

    static final int MAX_SUPPORTED = 0x17;
    static final int MAX_SUPPORTED_EXT = 0x8000001E;
    static final int HYP_VENDOR = 0x40000000;
    static final int KVM_FEATURES = 0x40000001;
    /** KVM_FEATURE_CLOCKSOURCE (0), NOP_IO_DELAY (1), CLOCKSOURCE2 (3). */
    static final int KVM_FEATURES_EAX = 1 | (1 << 1) | (1 << 3);

    private static final int XSAVE_LEGACY_AND_HEADER = 512 + 64;

    private final Host host;
    private final int vpid;

    GuestCpuid(Host host, int vpid) {
        this.host = host;
        this.vpid = vpid;
    }

    /** The CPUID exit: reads EAX/ECX, writes the four registers, moves RIP on. */
    int handle(ExitState s) {
        int[] r = new int[4];
        int status = answer((int) s.reg(ExitState.RAX), (int) s.reg(ExitState.RCX), s.xcr0(), r);
        s.nextRip();
        s.setReg(ExitState.RAX, r[0] & 0xFFFF_FFFFL);
        s.setReg(ExitState.RBX, r[1] & 0xFFFF_FFFFL);
        s.setReg(ExitState.RCX, r[2] & 0xFFFF_FFFFL);
        s.setReg(ExitState.RDX, r[3] & 0xFFFF_FFFFL);
        return status;
    }

    /** What the guest gets for (leaf, subleaf) with guest XCR0 {@code xcr0}. */
    int answer(int leaf, int subleaf, long xcr0, int[] r) {
        if (leaf == 0 || leaf == 0x8000_0000) {
            host.cpuid(leaf, 0, r);
            return ZX_OK;
        }
        if ((leaf >= 1 && leaf <= MAX_SUPPORTED)
                || (Integer.compareUnsigned(leaf, 0x8000_0001) >= 0
                    && Integer.compareUnsigned(leaf, MAX_SUPPORTED_EXT) <= 0)) {
            host.cpuid(leaf, subleaf, r);
            edit(leaf, subleaf, xcr0, r);
            return ZX_OK;
        }
        if (leaf == HYP_VENDOR) {
            r[0] = KVM_FEATURES;
            r[1] = 0x4B4D_564B; // "KVMK"
            r[2] = 0x564B_4D56; // "VMKV"
            r[3] = 0x0000_004D; // "M\0\0\0"
            return ZX_OK;
        }
        if (leaf == KVM_FEATURES) {
            r[0] = KVM_FEATURES_EAX;
            r[1] = r[2] = r[3] = 0;
            return ZX_OK;
        }
        host.cpuid(MAX_SUPPORTED, subleaf, r);
        return ZX_OK;
    }

    private void edit(int leaf, int subleaf, long xcr0, int[] r) {
        switch (leaf) {
            case 1:
                r[1] = (r[1] & 0x00FF_FFFF) | ((vpid - 1) << 24);
                r[2] |= (1 << 31) | (1 << 21) | (1 << 24);        // HYPERVISOR, X2APIC, TSC_DEADLINE
                r[2] &= ~((1 << 5) | (1 << 15) | (1 << 3) | (1 << 8)); // VMX, PDCM, MONITOR, TM2
                r[3] |= 1 << 11;                                  // SEP
                r[3] &= ~((1 << 29) | (1 << 22));                 // TM, ACPI
                break;
            case 5:
                r[0] = r[1] = r[2] = r[3] = 0;
                break;
            case 6:
                r[2] &= ~((1 << 3) | 1);                          // PERF_BIAS, HW_FEEDBACK
                r[0] &= ~(1 | (1 << 6) | (1 << 4) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10)
                        | (1 << 1) | (1 << 14)); // DTS, PTM, PLN, HWP×4, TURBO, TURBO_MAX
                break;
            case 7:
                r[1] &= ~((1 << 25) | (1 << 1));                  // PT, TSC_ADJUST
                r[3] &= ~((1 << 26) | (1 << 27) | (1 << 31) | (1 << 29) | (1 << 28));
                break;
            case 0xA:
                r[0] = 0;
                r[1] = 0x7F;
                r[2] = r[3] = 0;
                break;
            case 0xB:
                r[0] = r[1] = r[2] = 0;
                r[3] = vpid - 1;
                break;
            case 0xD:
                if (subleaf == 0) {
                    r[1] = xsaveSize(xcr0);
                } else if (subleaf == 1) {
                    r[0] &= ~(1 << 3);                            // XSAVES
                }
                break;
            default:
                break;
        }
    }

    /** {@code compute_xsave_size}: the end of the last enabled component 2–9 (offset + size). */
    private int xsaveSize(long xcr0) {
        int size = XSAVE_LEGACY_AND_HEADER;
        int[] c = new int[4];
        for (int i = 2; i <= 9; i++) {
            if ((xcr0 & (1L << i)) == 0) {
                continue;
            }
            host.cpuid(0xD, i, c);
            if ((c[0] | c[1] | c[2] | c[3]) == 0) {
                continue;
            }
            size = c[1] + c[0];
        }
        return size;
    }
}
