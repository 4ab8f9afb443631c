package dev.zx4j;

import dev.zx4j.abi.Zx;
import java.util.Objects;

/**
 * A hypervisor guest: a guest-physical address space with traps, from which VCPUs are created.
 * Create one with {@link Kernel#createGuest(Resource)}.
 *
 * <pre>{@code
 * try (Guest guest = zx.createGuest(hypervisorResource);
 *      Vmo ram = zx.createVmo(16 << 20)) {
 *     guest.physicalVmar().mapAt(0, ram, VmPerms.READ_WRITE);
 *     guest.setIoTrap(0x3F8, 8, UART_KEY);
 *     // on the thread that will run it:
 *     try (Vcpu vcpu = guest.createVcpu(0x2000)) { ... vcpu.enter() ... }
 * }
 * }</pre>
 *
 * <h2>The physical VMAR</h2>
 * {@code zx_guest_create} returns two handles: the guest and the root VMAR of its physical
 * address space. This object owns both: {@link #physicalVmar()} (alias {@link #memory()}) is
 * that VMAR, and {@link #close()} closes it along with the guest. {@link #replace(Rights)}
 * passes it on to the replacement; {@link #release()} leaves it open and owned by the caller
 * (still reachable through {@code physicalVmar()}). A {@link #duplicate(Rights) duplicate} or an
 * {@linkplain Kernel#adopt(int, Class) adopted} guest has no VMAR; a borrowed view has a borrowed
 * view of it.
 */
public final class Guest extends HandleObject<Guest> {

    /** The physical VMAR owned with this guest handle, or null. */
    private final Vmar vmar;

    Guest(Kernel kernel, HandleCell cell, boolean owner, Vmar vmar) {
        super(kernel, cell, owner);
        this.vmar = vmar;
        if (owner && vmar != null) {
            cell.onEnd(closedInKernel -> {
                if (closedInKernel) {
                    vmar.close();
                }
            });
        }
    }

    @Override
    Guest wrap(HandleCell cell, boolean owner) {
        if (cell == this.cell) { // a borrowed view
            return new Guest(kernel, cell, false, vmar == null || vmar.isClosed() ? null
                    : vmar.borrow());
        }
        return new Guest(kernel, cell, owner, null); // a duplicate: the kernel gave no VMAR
    }

    @Override
    Guest wrapReplacement(HandleCell cell) {
        return new Guest(kernel, cell, true, vmar);
    }

    /** {@return whether this object has the guest's physical VMAR (see the class comment)} */
    public boolean hasPhysicalVmar() {
        return vmar != null;
    }

    /**
     * The root VMAR of the guest-physical address space: map a {@link Vmo} at offset {@code a}
     * to give the guest RAM at guest-physical address {@code a}.
     *
     * @return the guest-physical VMAR, owned by this guest
     * @throws IllegalStateException for a guest obtained by duplicate or adopt
     */
    public Vmar physicalVmar() {
        if (vmar == null) {
            throw new IllegalStateException(cell.describe() + " has no physical VMAR: only the "
                    + "Guest returned by Kernel.createGuest (or its replacement) owns one");
        }
        return vmar;
    }

    /**
     * The same as {@link #physicalVmar()}: the guest's memory address space.
     *
     * @return the guest-physical VMAR, owned by this guest
     */
    public Vmar memory() {
        return physicalVmar();
    }

    /**
     * Sets a trap ({@code zx_guest_set_trap}; needs {@link Rights#WRITE} here and on the port).
     * {@code port} must be given for {@link TrapKind#BELL} and must be null for the others; MEM
     * and BELL ranges must be page aligned, and setting one unmaps that range from guest RAM.
     * IO traps cover x86 port numbers [{@code addr}, {@code addr + size}).
     *
     * @param kind the trap kind
     * @param addr the start of the range (guest-physical address or I/O port)
     * @param size the length of the range in bytes or ports
     * @param port the port for bell packets, or null
     * @param key the key the trap's packets and exits carry
     * @throws ZxException {@link Status#INVALID_ARGS} for a wrong port/kind combination or an
     *                     unaligned range, {@link Status#OUT_OF_RANGE} for an empty or
     *                     overflowing range, {@link Status#ALREADY_EXISTS} when it overlaps a
     *                     trap of the same address space
     */
    public void setTrap(TrapKind kind, long addr, long size, Port port, long key) {
        Objects.requireNonNull(kind, "kind");
        int h = cell.acquire();
        try {
            if (port == null) {
                ZxException.check("zx_guest_set_trap", kernel.syscalls().zx_guest_set_trap(
                        h, kind.raw(), addr, size, Zx.ZX_HANDLE_INVALID, key));
                return;
            }
            int p = port.cell.acquire();
            try {
                ZxException.check("zx_guest_set_trap", kernel.syscalls().zx_guest_set_trap(
                        h, kind.raw(), addr, size, p, key));
            } finally {
                port.cell.release();
            }
        } finally {
            cell.release();
        }
    }

    /**
     * An IO trap on x86 ports [{@code port}, {@code port + count}): {@code in}/{@code out} there
     * make {@link Vcpu#enter()} return a {@link VcpuExit.IoExit} with {@code key}.
     *
     * @param port the first I/O port
     * @param count the number of ports
     * @param key the key of the exits
     */
    public void setIoTrap(int port, int count, long key) {
        setTrap(TrapKind.IO, port, count, null, key);
    }

    /**
     * A MEM trap on the page-aligned range [{@code addr}, {@code addr + size}): accesses make
     * {@link Vcpu#enter()} return a {@link VcpuExit.MemExit} with {@code key}.
     *
     * @param addr the page-aligned guest-physical start
     * @param size the page-aligned length in bytes
     * @param key the key of the exits
     */
    public void setMemTrap(long addr, long size, long key) {
        setTrap(TrapKind.MEM, addr, size, null, key);
    }

    /**
     * A BELL trap on the page-aligned range [{@code addr}, {@code addr + size}): guest writes
     * queue a {@link PortPacket.GuestBellPacket} with {@code key} on {@code port} while the VCPU
     * keeps running.
     *
     * @param addr the page-aligned guest-physical start
     * @param size the page-aligned length in bytes
     * @param port the port that receives the bell packets
     * @param key the key of the packets
     */
    public void setBellTrap(long addr, long size, Port port, long key) {
        setTrap(TrapKind.BELL, addr, size, Objects.requireNonNull(port, "port"), key);
    }

    /**
     * Creates a VCPU of this guest bound for life to the calling thread, starting at
     * guest-physical {@code entry} ({@code zx_vcpu_create}; needs
     * {@link Rights#MANAGE_PROCESS}). The first VCPU of a guest is its x86 boot processor
     * (64-bit mode, RIP = entry); later ones start in real mode at CS.base = entry.
     *
     * <p>Refused in Java, before any syscall, with {@link IllegalStateException} when the
     * calling thread is a virtual thread (its carrier, the OS thread the kernel binds the VCPU
     * to, changes under it) or already owns a live VCPU created through this kernel (Zircon
     * allows one per thread). Run each VCPU on its own platform thread.
     *
     * @param entry the guest-physical start address
     * @return the VCPU, usable only from this thread
     * @throws ZxException {@link Status#INVALID_ARGS} for an entry outside guest-physical
     *                     memory, {@link Status#BAD_STATE} if the kernel still binds a VCPU to
     *                     this thread that Java does not track (released or adopted handles)
     */
    public Vcpu createVcpu(long entry) {
        return Vcpu.create(this, entry);
    }
}
