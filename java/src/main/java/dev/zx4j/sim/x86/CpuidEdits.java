package dev.zx4j.sim.x86;

/**
 * The edits a VCPU's kernel makes to the processor's CPUID before the guest sees it (the
 * modelled Zircon kernel's CPUID exit handler sets, clears and replaces bits per leaf).
 * Installed with {@link X86Cpu#setCpuidEdits}; called on the thread running
 * {@link X86Cpu#run(long)} for every CPUID, after {@link Cpuid} has computed what the simulated
 * processor reports.
 */
public interface CpuidEdits {
    /**
     * Edits {@code regs} = {EAX, EBX, ECX, EDX} (32-bit values) of CPUID leaf {@code leaf},
     * subleaf {@code subleaf} (both as the guest passed them in EAX and ECX) in place.
     */
    void edit(int leaf, int subleaf, long[] regs);
}
