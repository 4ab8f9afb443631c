package dev.zx4j;

import dev.zx4j.abi.Zx;
import java.util.Objects;

/**
 * Why {@link Vcpu#enter()} returned: a data-carrying value, so a VMM's exit handling is a pure
 * function of it and can be tested with hand-made exits (no VCPU, no kernel):
 *
 * <pre>{@code
 * VcpuExit exit = vcpu.enter();
 * if (exit instanceof VcpuExit.IoExit io && io.input()) {
 *     vcpu.writeIo(io.accessSize(), devices.in(io.port(), io.accessSize()));
 * } else if (exit instanceof VcpuExit.Kicked) {
 *     if (stopping) return;
 * } ...
 * }</pre>
 *
 * <ul>
 *   <li>{@link MemExit}, {@link IoExit}: the guest touched a MEM or IO
 *       {@linkplain Guest#setTrap trap} (RIP is already past the instruction);</li>
 *   <li>{@link VcpuPacketExit}: an x86 inter-processor {@link InterruptIpi} or {@link Startup};</li>
 *   <li>{@link Kicked}: {@link Vcpu#kick()} was called (before or during this {@code enter}).
 *       The kernel reports a kick as {@code ZX_ERR_CANCELED}; zx4j makes it a value rather than
 *       an exception because it is the ordinary way to stop a VCPU loop. Each kick is reported
 *       once; {@code enter()} may be called again afterwards.</li>
 * </ul>
 * Every other failure of {@code zx_vcpu_enter} is thrown as a {@link ZxException}. BELL traps
 * never stop the VCPU: they arrive on their port as {@link PortPacket.GuestBellPacket}s.
 *
 * <p>Every exit but {@code Kicked} corresponds to a {@link PortPacket}: {@link #of(PortPacket)}
 * and {@link #parse(byte[])} make one from a packet, and {@code toPacket()} gives it back.
 */
public sealed interface VcpuExit {

    /**
     * The exit that a {@code zx_vcpu_enter} packet stands for.
     *
     * @param packet the packet {@code zx_vcpu_enter} returned
     * @return the matching exit
     * @throws IllegalArgumentException for a packet type {@code zx_vcpu_enter} never returns
     *                                  (user, interrupt, BELL, unknown VCPU subtypes…)
     */
    static VcpuExit of(PortPacket packet) {
        Objects.requireNonNull(packet, "packet");
        if (packet instanceof PortPacket.GuestMemPacket m) {
            return new MemExit(m);
        } else if (packet instanceof PortPacket.GuestIoPacket io) {
            return new IoExit(io.key(), io.port(), io.accessSize(), io.input(), io.data());
        } else if (packet instanceof PortPacket.GuestVcpuPacket.Interrupt i) {
            return new InterruptIpi(i.key(), i.mask(), i.vector());
        } else if (packet instanceof PortPacket.GuestVcpuPacket.Startup s) {
            return new Startup(s.key(), s.id(), s.entry());
        }
        throw new IllegalArgumentException("not a VCPU exit packet (type "
                + packet.type() + "): " + packet);
    }

    /**
     * Parses the 48-byte {@code zx_port_packet_t} that {@code zx_vcpu_enter} filled.
     *
     * @param packet the packet bytes
     * @return the matching exit
     * @throws IllegalArgumentException if it is shorter, or not an exit packet
     */
    static VcpuExit parse(byte[] packet) {
        return of(PortPacket.parse(packet));
    }

    /**
     * The guest accessed a MEM trap. The exit is the {@link PortPacket.GuestMemPacket} that
     * {@code zx_vcpu_enter} filled (equality, hash and text are the packet's); the accessors
     * below read its fields.
     *
     * @param toPacket the packet {@code zx_vcpu_enter} filled for this exit
     */
    record MemExit(PortPacket.GuestMemPacket toPacket) implements VcpuExit {
        /**
         * Checks that the packet is present.
         *
         * @param toPacket the packet {@code zx_vcpu_enter} filled for this exit
         * @throws NullPointerException if {@code toPacket} is null
         */
        public MemExit {
            Objects.requireNonNull(toPacket, "toPacket");
        }

        /**
         * A MEM exit built from its fields, as a test or a replaying VMM needs.
         *
         * @param key                the trap's key
         * @param addr               the guest-physical address accessed
         * @param instructionBytes   the trapping instruction (1–15 bytes), to decode and
         *                           emulate; copied
         * @param defaultOperandSize 2 or 4 (4 in 64-bit mode or when CS.D is set)
         * @throws IllegalArgumentException if the instruction is longer than 15 bytes
         */
        public MemExit(long key, long addr, byte[] instructionBytes, int defaultOperandSize) {
            this(new PortPacket.GuestMemPacket(key, addr, instructionBytes, defaultOperandSize));
        }

        /** {@return the trap's key} */
        public long key() {
            return toPacket.key();
        }

        /** {@return the guest-physical address accessed} */
        public long addr() {
            return toPacket.addr();
        }

        /** {@return the trapping instruction (1–15 bytes), a fresh copy} */
        public byte[] instructionBytes() {
            return toPacket.instruction();
        }

        /**
         * {@return the default operand size in bytes: 2, or 4 in 64-bit mode or when CS.D is set}
         */
        public int defaultOperandSize() {
            return toPacket.defaultOperandSize();
        }
    }

    /**
     * The guest executed {@code in} or {@code out} on an IO trap. For an input, supply the value
     * with {@link Vcpu#writeIo(int, int)} before the next {@code enter()}.
     *
     * @param key        the trap's key
     * @param port       the x86 IO port
     * @param accessSize 1, 2 or 4 bytes
     * @param input      true for {@code in} (the guest reads), false for {@code out}
     * @param data       for {@code out}, the value written (low {@code accessSize} bytes)
     */
    record IoExit(long key, int port, int accessSize, boolean input, int data)
            implements VcpuExit {
        /**
         * The packet {@code zx_vcpu_enter} filled for this exit.
         *
         * @return a packet holding this exit's fields
         */
        public PortPacket.GuestIoPacket toPacket() {
            return new PortPacket.GuestIoPacket(key, port, accessSize, input, data);
        }
    }

    /**
     * A request from the guest's local APIC that the VMM must carry out
     * ({@code ZX_PKT_TYPE_GUEST_VCPU}).
     */
    sealed interface VcpuPacketExit extends VcpuExit {
        /**
         * The packet's key.
         *
         * @return the key
         */
        long key();

        /**
         * The packet {@code zx_vcpu_enter} filled for this exit.
         *
         * @return the packet
         */
        PortPacket.GuestVcpuPacket toPacket();
    }

    /**
     * An inter-processor interrupt: send {@code vector} to every VCPU whose APIC ID (VPID − 1)
     * has its bit set in {@code mask}, with {@link Vcpu#interrupt(int)}.
     *
     * @param key the packet's key
     * @param mask the destination VCPUs, one bit per APIC ID
     * @param vector the interrupt vector to deliver
     */
    record InterruptIpi(long key, long mask, int vector) implements VcpuPacketExit {
        @Override
        public PortPacket.GuestVcpuPacket.Interrupt toPacket() {
            return new PortPacket.GuestVcpuPacket.Interrupt(key, mask, vector);
        }
    }

    /**
     * A start-up IPI: create the VCPU with APIC ID {@code id} at guest-physical {@code entry},
     * on a new thread of its own.
     *
     * @param key the packet's key
     * @param id the APIC ID of the VCPU to start
     * @param entry the guest-physical address where it starts
     */
    record Startup(long key, long id, long entry) implements VcpuPacketExit {
        @Override
        public PortPacket.GuestVcpuPacket.Startup toPacket() {
            return new PortPacket.GuestVcpuPacket.Startup(key, id, entry);
        }
    }

    /**
     * {@link Vcpu#kick()} was called: {@code zx_vcpu_enter} returned {@code ZX_ERR_CANCELED}.
     * Not an error — the usual way to make a VCPU thread look at its messages or stop.
     */
    record Kicked() implements VcpuExit {
        /** The status the kernel reports a kick with. */
        public static final Status STATUS = Status.of(Zx.ZX_ERR_CANCELED);
    }
}
