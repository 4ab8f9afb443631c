package dev.zx4j;

import dev.zx4j.abi.Zx;

/**
 * The kinds of {@linkplain Guest#setTrap guest traps} ({@code ZX_GUEST_TRAP_*}).
 *
 * <ul>
 *   <li>{@link #BELL}: guest writes to a page range are reported asynchronously as
 *       {@link PortPacket.GuestBellPacket}s on a port; the VCPU keeps running. Needs a port.</li>
 *   <li>{@link #MEM}: guest accesses to a page range stop the VCPU and
 *       {@link Vcpu#enter()} returns a {@link VcpuExit.MemExit}. Takes no port.</li>
 *   <li>{@link #IO}: x86 {@code in}/{@code out} on a port-number range stop the VCPU and
 *       {@code enter()} returns a {@link VcpuExit.IoExit}. Takes no port.</li>
 * </ul>
 * BELL and MEM traps share one address space (they may not overlap each other); IO traps have
 * their own.
 */
public enum TrapKind {
    /**
     * {@code ZX_GUEST_TRAP_BELL}: guest writes queue a bell packet on a port; the VCPU keeps
     * running.
     */
    BELL(Zx.ZX_GUEST_TRAP_BELL),
    /** {@code ZX_GUEST_TRAP_MEM}: guest accesses stop the VCPU with a {@link VcpuExit.MemExit}. */
    MEM(Zx.ZX_GUEST_TRAP_MEM),
    /**
     * {@code ZX_GUEST_TRAP_IO}: {@code in}/{@code out} on the ports stop the VCPU with a
     * {@link VcpuExit.IoExit}.
     */
    IO(Zx.ZX_GUEST_TRAP_IO);

    private final int raw;

    TrapKind(int raw) {
        this.raw = raw;
    }

    /**
     * The raw {@code ZX_GUEST_TRAP_*} value.
     *
     * @return the value
     */
    public int raw() {
        return raw;
    }
}
