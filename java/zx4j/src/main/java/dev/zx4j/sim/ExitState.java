package dev.zx4j.sim;

/**
 * What the kernel's VM-exit handlers see of a VCPU that exited: the guest's general registers
 * (its {@code GuestState}), the exiting instruction's completion ({@code next_rip}) and the few
 * VMCS fields they read. Implemented over the software CPU by {@link VcpuObject}, and by plain
 * objects in unit tests of the handlers.
 */
interface ExitState {
    int RAX = 0;
    int RCX = 1;
    int RDX = 2;
    int RBX = 3;

    /** General register {@code index} (x86 encoding order: RAX, RCX, RDX, RBX, ...). */
    long reg(int index);

    void setReg(int index, long value);

    /**
     * The kernel's {@code next_rip}: RIP moves past the exiting instruction and STI and MOV-SS
     * blocking are cleared. A handler that does not call it leaves the guest at the instruction
     * (it runs again at the next entry, e.g. after an injected #GP).
     */
    void nextRip();

    /** The guest's XCR0 (CPUID leaf 0xD reports the XSAVE size of the enabled components). */
    long xcr0();

    /** EDX:EAX, as the kernel's {@code GuestState::EdxEax()}: the upper halves are ignored. */
    default long edxEax() {
        return (reg(RDX) & 0xFFFF_FFFFL) << 32 | (reg(RAX) & 0xFFFF_FFFFL);
    }

    /** {@code GuestState::SetEdxEax}: RAX = bits 31:0, RDX = bits 63:32 (upper halves zeroed). */
    default void setEdxEax(long value) {
        setReg(RAX, value & 0xFFFF_FFFFL);
        setReg(RDX, value >>> 32);
    }
}
