package dev.zx4j.sim.x86;

/**
 * The MSRs a VCPU's kernel answers itself rather than the processor: in the modelled Zircon
 * kernel IA32_APIC_BASE (0x1B), the x2APIC range (0x800–0x83F), IA32_TSC_DEADLINE (0x6E0) and
 * the KVM clock MSRs, whose RDMSR/WRMSR exits are handled by the kernel's exit handlers. Installed
 * with {@link X86Cpu#setPlatformMsrs}; without one the CPU keeps its own fixed answers for them.
 *
 * <p>Called on the thread running {@link X86Cpu#run(long)}, during the RDMSR or WRMSR, before
 * RIP is advanced. For every MSR the handler {@link #claims claims}, the CPU asks it instead of
 * looking at its own MSRs. An outcome other than a value is thrown: {@link #generalProtection()}
 * injects #GP(0) into the guest (RIP stays at the instruction), {@link #enterFails(int, String)}
 * ends the run with that status (as a failing exit handler ends {@code zx_vcpu_enter}).
 */
public interface PlatformMsrs {
    /** Whether RDMSR and WRMSR of {@code msr} are answered by this handler. */
    boolean claims(int msr);

    /** RDMSR of a claimed MSR: its value (EDX:EAX), or throws one of the outcomes above. */
    long read(int msr);

    /**
     * WRMSR of a claimed MSR with EDX:EAX = {@code value}. Returns null to let the guest
     * continue, or an exit that ends the run after the instruction (RIP past the WRMSR), e.g.
     * {@link VcpuExit.IcrWrite}; or throws one of the outcomes above.
     */
    VcpuExit write(int msr, long value);

    /** The outcome "inject #GP(0)", to be thrown by {@link #read} or {@link #write}. */
    static RuntimeException generalProtection() {
        return CpuSignal.fault(13, 0);
    }

    /** The outcome "end {@code zx_vcpu_enter} with {@code status}", to be thrown. */
    static RuntimeException enterFails(int status, String reason) {
        return CpuSignal.error(status, reason);
    }
}
