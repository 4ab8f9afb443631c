package dev.zx4j;

import static dev.zx4j.abi.Layouts.PACKET_BELL_ADDR;
import static dev.zx4j.abi.Layouts.PACKET_INTERRUPT_TIMESTAMP;
import static dev.zx4j.abi.Layouts.PACKET_IO_ACCESS_SIZE;
import static dev.zx4j.abi.Layouts.PACKET_IO_DATA;
import static dev.zx4j.abi.Layouts.PACKET_IO_INPUT;
import static dev.zx4j.abi.Layouts.PACKET_IO_PORT;
import static dev.zx4j.abi.Layouts.PACKET_KEY;
import static dev.zx4j.abi.Layouts.PACKET_MEM_ADDR;
import static dev.zx4j.abi.Layouts.PACKET_MEM_DEFAULT_OPERAND_SIZE;
import static dev.zx4j.abi.Layouts.PACKET_MEM_INST_BUF;
import static dev.zx4j.abi.Layouts.PACKET_MEM_INST_BUF_SIZE;
import static dev.zx4j.abi.Layouts.PACKET_MEM_INST_LEN;
import static dev.zx4j.abi.Layouts.PACKET_STATUS;
import static dev.zx4j.abi.Layouts.PACKET_TYPE;
import static dev.zx4j.abi.Layouts.PACKET_UNION;
import static dev.zx4j.abi.Layouts.PACKET_UNION_SIZE;
import static dev.zx4j.abi.Layouts.PACKET_VCPU_INTERRUPT_MASK;
import static dev.zx4j.abi.Layouts.PACKET_VCPU_INTERRUPT_VECTOR;
import static dev.zx4j.abi.Layouts.PACKET_VCPU_STARTUP_ENTRY;
import static dev.zx4j.abi.Layouts.PACKET_VCPU_STARTUP_ID;
import static dev.zx4j.abi.Layouts.PACKET_VCPU_TYPE;
import static dev.zx4j.abi.Layouts.PORT_PACKET_SIZE;

import dev.zx4j.abi.Layouts;
import dev.zx4j.abi.Zx;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A {@code zx_port_packet_t}: one record per packet type, all in this file.
 *
 * <p>{@link #parse(byte[])} reads the 48-byte C layout of {@link Layouts}; {@link #toBytes()}
 * writes it back (reserved bytes zero). Every guest packet type has a record: BELL, IO, MEM
 * (x86, in the modelled era's layout: address, instruction bytes, default operand size) and VCPU
 * ({@link GuestVcpuPacket.Interrupt} or {@link GuestVcpuPacket.Startup}, union first and a u8
 * type at +16). The MEM, IO and VCPU types are what {@link Vcpu#enter()} returns, as
 * {@link VcpuExit}s. Types without a record of their own (a VCPU packet of an
 * unknown subtype) parse to {@link OtherPacket}, which keeps every byte, so nothing is lost and
 * a later record can take over its type without changing the others.
 */
public sealed interface PortPacket {

    /**
     * The key given when the packet's source was bound or queued.
     *
     * @return the key
     */
    long key();

    /**
     * The packet's {@code zx_packet_type_t}.
     *
     * @return the type ({@code ZX_PKT_TYPE_*})
     */
    int type();

    /**
     * The packet's status: {@link Status#OK} for kernel-generated packets.
     *
     * @return the status
     */
    default Status status() {
        return Status.OK;
    }

    /**
     * The 48-byte C layout of this packet.
     *
     * @return a new {@value dev.zx4j.abi.Layouts#PORT_PACKET_SIZE}-byte array
     */
    default byte[] toBytes() {
        byte[] b = new byte[PORT_PACKET_SIZE];
        writeTo(b);
        return b;
    }

    /**
     * Writes the 48-byte C layout into {@code buffer} (which must hold at least 48 bytes).
     *
     * @param buffer the destination; bytes 0..47 are overwritten
     */
    void writeTo(byte[] buffer);

    /**
     * Parses the C layout in {@code buffer} (at least 48 bytes).
     *
     * @param buffer the packet bytes, as {@code zx_port_wait} writes them
     * @return the record for the packet's type, or an {@link OtherPacket}
     * @throws IllegalArgumentException if the buffer is shorter than a packet
     */
    static PortPacket parse(byte[] buffer) {
        if (buffer.length < PORT_PACKET_SIZE) {
            throw new IllegalArgumentException(
                    "a port packet is " + PORT_PACKET_SIZE + " bytes, got " + buffer.length);
        }
        long key = Layouts.i64(buffer, PACKET_KEY);
        int type = Layouts.i32(buffer, PACKET_TYPE);
        Status status = Status.of(Layouts.i32(buffer, PACKET_STATUS));
        switch (type) {
            case Zx.ZX_PKT_TYPE_USER:
                return new UserPacket(key, status,
                        Arrays.copyOfRange(buffer, PACKET_UNION, PACKET_UNION + PACKET_UNION_SIZE));
            case Zx.ZX_PKT_TYPE_INTERRUPT:
                return new InterruptPacket(key, Layouts.i64(buffer, PACKET_INTERRUPT_TIMESTAMP));
            case Zx.ZX_PKT_TYPE_SIGNAL_ONE:
                return new SignalPacket(key, status,
                        new Signals(Layouts.i32(buffer, Layouts.PACKET_SIGNAL_TRIGGER)),
                        new Signals(Layouts.i32(buffer, Layouts.PACKET_SIGNAL_OBSERVED)),
                        Layouts.i64(buffer, Layouts.PACKET_SIGNAL_COUNT),
                        Layouts.i64(buffer, Layouts.PACKET_SIGNAL_TIMESTAMP));
            case Zx.ZX_PKT_TYPE_GUEST_BELL:
                return new GuestBellPacket(key, Layouts.i64(buffer, PACKET_BELL_ADDR));
            case Zx.ZX_PKT_TYPE_GUEST_IO:
                return new GuestIoPacket(key, Layouts.u16(buffer, PACKET_IO_PORT),
                        Layouts.u8(buffer, PACKET_IO_ACCESS_SIZE),
                        Layouts.u8(buffer, PACKET_IO_INPUT) != 0,
                        Layouts.i32(buffer, PACKET_IO_DATA));
            case Zx.ZX_PKT_TYPE_GUEST_MEM:
                return new GuestMemPacket(key, Layouts.i64(buffer, PACKET_MEM_ADDR),
                        Arrays.copyOfRange(buffer, PACKET_MEM_INST_BUF, PACKET_MEM_INST_BUF
                                + Math.min(Layouts.u8(buffer, PACKET_MEM_INST_LEN),
                                        PACKET_MEM_INST_BUF_SIZE)),
                        Layouts.u8(buffer, PACKET_MEM_DEFAULT_OPERAND_SIZE));
            case Zx.ZX_PKT_TYPE_GUEST_VCPU:
                switch (Layouts.u8(buffer, PACKET_VCPU_TYPE)) {
                    case Zx.ZX_PKT_GUEST_VCPU_INTERRUPT:
                        return new GuestVcpuPacket.Interrupt(key,
                                Layouts.i64(buffer, PACKET_VCPU_INTERRUPT_MASK),
                                Layouts.u8(buffer, PACKET_VCPU_INTERRUPT_VECTOR));
                    case Zx.ZX_PKT_GUEST_VCPU_STARTUP:
                        return new GuestVcpuPacket.Startup(key,
                                Layouts.i64(buffer, PACKET_VCPU_STARTUP_ID),
                                Layouts.i64(buffer, PACKET_VCPU_STARTUP_ENTRY));
                    default:
                        break;
                }
                return new OtherPacket(key, type, status,
                        Arrays.copyOfRange(buffer, PACKET_UNION, PACKET_UNION + PACKET_UNION_SIZE));
            default:
                return new OtherPacket(key, type, status,
                        Arrays.copyOfRange(buffer, PACKET_UNION, PACKET_UNION + PACKET_UNION_SIZE));
        }
    }

    private static void header(byte[] b, long key, int type, Status status) {
        if (b.length < PORT_PACKET_SIZE) {
            throw new IllegalArgumentException(
                    "a port packet is " + PORT_PACKET_SIZE + " bytes, got " + b.length);
        }
        Arrays.fill(b, 0, PORT_PACKET_SIZE, (byte) 0);
        Layouts.put64(b, PACKET_KEY, key);
        Layouts.put32(b, PACKET_TYPE, type);
        Layouts.put32(b, PACKET_STATUS, status.raw());
    }

    private static byte[] copyUnion(byte[] payload) {
        if (payload.length != PACKET_UNION_SIZE) {
            throw new IllegalArgumentException(
                    "a packet payload is " + PACKET_UNION_SIZE + " bytes, got " + payload.length);
        }
        return payload.clone();
    }

    /**
     * A packet queued by {@link Port#queue(UserPacket)}: key, status and 32 bytes chosen by the
     * sender, delivered verbatim. The payload array is copied in and out.
     *
     * @param key the packet's key
     * @param status the status the sender chose
     * @param payload exactly 32 payload bytes
     */
    record UserPacket(long key, Status status, byte[] payload) implements PortPacket {
        /**
         * Copies the payload.
         *
         * @param key the packet's key
         * @param status the status the sender chose
         * @param payload exactly 32 payload bytes
         * @throws IllegalArgumentException if the payload is not 32 bytes
         */
        public UserPacket {
            payload = copyUnion(payload);
        }

        /**
         * A packet with status OK and an all-zero payload.
         *
         * @param key the packet's key
         */
        public UserPacket(long key) {
            this(key, Status.OK, new byte[PACKET_UNION_SIZE]);
        }

        /**
         * A packet with status OK whose payload starts with the four given 64-bit words.
         *
         * @param key the packet's key
         * @param words up to four words, stored little-endian at payload offsets 0, 8, 16 and 24
         * @return the packet
         * @throws IllegalArgumentException if more than four words are given
         */
        public static UserPacket ofWords(long key, long... words) {
            if (words.length > 4) {
                throw new IllegalArgumentException("at most 4 words, got " + words.length);
            }
            byte[] p = new byte[PACKET_UNION_SIZE];
            for (int i = 0; i < words.length; i++) {
                Layouts.put64(p, 8 * i, words[i]);
            }
            return new UserPacket(key, Status.OK, p);
        }

        /**
         * 64-bit word {@code i} (0..3) of the payload.
         *
         * @param i the word index, 0 to 3
         * @return the word, read little-endian
         */
        public long word(int i) {
            return Layouts.i64(payload, 8 * i);
        }

        /** {@return a copy of the 32 payload bytes} */
        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public int type() {
            return Zx.ZX_PKT_TYPE_USER;
        }

        @Override
        public void writeTo(byte[] b) {
            header(b, key, type(), status);
            System.arraycopy(payload, 0, b, PACKET_UNION, PACKET_UNION_SIZE);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof UserPacket u && u.key == key && u.status.equals(status)
                    && Arrays.equals(u.payload, payload);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(key) * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "UserPacket[key=" + key + ", status=" + status + ", payload="
                    + HexFormat.of().formatHex(payload) + "]";
        }
    }

    /**
     * An async wait ({@link HandleObject#waitAsync}) matched: {@code trigger} are the signals it
     * waited for, {@code observed} the object's whole signal word at the match, {@code count} 1,
     * {@code timestamp} the monotonic time of the match with {@link WaitAsyncOptions#TIMESTAMP},
     * else 0.
     *
     * @param key the key given to {@code waitAsync}
     * @param status the packet status, {@link Status#OK}
     * @param trigger the signals the wait was armed for
     * @param observed the signals the object had at the match
     * @param count the match count (1)
     * @param timestamp the match time in monotonic nanoseconds, or 0
     */
    record SignalPacket(long key, Status status, Signals trigger, Signals observed, long count,
                        long timestamp) implements PortPacket {
        @Override
        public int type() {
            return Zx.ZX_PKT_TYPE_SIGNAL_ONE;
        }

        @Override
        public void writeTo(byte[] b) {
            header(b, key, type(), status);
            Layouts.put32(b, Layouts.PACKET_SIGNAL_TRIGGER, trigger.bits());
            Layouts.put32(b, Layouts.PACKET_SIGNAL_OBSERVED, observed.bits());
            Layouts.put64(b, Layouts.PACKET_SIGNAL_COUNT, count);
            Layouts.put64(b, Layouts.PACKET_SIGNAL_TIMESTAMP, timestamp);
        }
    }

    /**
     * An interrupt fired (or was triggered) while bound to the port.
     *
     * @param key the key given when the interrupt was bound
     * @param timestamp the interrupt's timestamp in monotonic nanoseconds
     */
    record InterruptPacket(long key, long timestamp) implements PortPacket {
        @Override
        public int type() {
            return Zx.ZX_PKT_TYPE_INTERRUPT;
        }


        @Override
        public void writeTo(byte[] b) {
            header(b, key, type(), Status.OK);
            Layouts.put64(b, PACKET_INTERRUPT_TIMESTAMP, timestamp);
        }
    }

    /**
     * A guest wrote to a BELL trap at guest-physical address {@code addr}.
     *
     * @param key the key given when the trap was set
     * @param addr the guest-physical address written
     */
    record GuestBellPacket(long key, long addr) implements PortPacket {
        @Override
        public int type() {
            return Zx.ZX_PKT_TYPE_GUEST_BELL;
        }


        @Override
        public void writeTo(byte[] b) {
            header(b, key, type(), Status.OK);
            Layouts.put64(b, PACKET_BELL_ADDR, addr);
        }
    }

    /**
     * A guest accessed an IO port trap.
     *
     * @param port       the IO port
     * @param accessSize 1, 2 or 4 bytes
     * @param input      whether the guest reads ({@code in}) rather than writes ({@code out})
     * @param data       the written value, little-endian in the low {@code accessSize} bytes
     * @param key the key given when the trap was set
     */
    record GuestIoPacket(long key, int port, int accessSize, boolean input, int data)
            implements PortPacket {
        @Override
        public int type() {
            return Zx.ZX_PKT_TYPE_GUEST_IO;
        }


        @Override
        public void writeTo(byte[] b) {
            header(b, key, type(), Status.OK);
            Layouts.put16(b, PACKET_IO_PORT, port);
            Layouts.put8(b, PACKET_IO_ACCESS_SIZE, accessSize);
            Layouts.put8(b, PACKET_IO_INPUT, input ? 1 : 0);
            Layouts.put32(b, PACKET_IO_DATA, data);
        }
    }

    /**
     * A guest accessed a MEM trap (x86, the modelled era's {@code zx_packet_guest_mem_t}): the
     * kernel stopped the VCPU with RIP already past the instruction and hands its bytes over so
     * the VMM can decode and emulate it.
     *
     * @param addr               the guest-physical address accessed
     * @param instruction        the trapping instruction's bytes ({@code inst_buf[0..inst_len)},
     *                           at most 15; a longer {@code inst_len} is cut to 15 when parsed);
     *                           copied in and out
     * @param defaultOperandSize 2 or 4 (4 in 64-bit mode or when CS.D is set)
     * @param key the key given when the trap was set
     */
    record GuestMemPacket(long key, long addr, byte[] instruction, int defaultOperandSize)
            implements PortPacket {
        /**
         * Copies the instruction bytes.
         *
         * @param key the key given when the trap was set
         * @param addr the guest-physical address accessed
         * @param instruction the trapping instruction's bytes, at most 15
         * @param defaultOperandSize 2 or 4
         * @throws IllegalArgumentException if there are more than 15 instruction bytes
         */
        public GuestMemPacket {
            if (instruction.length > PACKET_MEM_INST_BUF_SIZE) {
                throw new IllegalArgumentException("an x86 instruction is at most "
                        + PACKET_MEM_INST_BUF_SIZE + " bytes, got " + instruction.length);
            }
            instruction = instruction.clone();
        }

        /** {@return a copy of the trapping instruction's bytes} */
        @Override
        public byte[] instruction() {
            return instruction.clone();
        }

        @Override
        public int type() {
            return Zx.ZX_PKT_TYPE_GUEST_MEM;
        }


        @Override
        public void writeTo(byte[] b) {
            header(b, key, type(), Status.OK);
            Layouts.put64(b, PACKET_MEM_ADDR, addr);
            Layouts.put8(b, PACKET_MEM_INST_LEN, instruction.length);
            System.arraycopy(instruction, 0, b, PACKET_MEM_INST_BUF, instruction.length);
            Layouts.put8(b, PACKET_MEM_DEFAULT_OPERAND_SIZE, defaultOperandSize);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof GuestMemPacket m && m.key == key && m.addr == addr
                    && m.defaultOperandSize == defaultOperandSize
                    && Arrays.equals(m.instruction, instruction);
        }

        @Override
        public int hashCode() {
            return (Long.hashCode(key) * 31 + Long.hashCode(addr)) * 31
                    + Arrays.hashCode(instruction);
        }

        @Override
        public String toString() {
            return "GuestMemPacket[key=" + key + ", addr=0x" + Long.toHexString(addr)
                    + ", instruction=" + HexFormat.of().formatHex(instruction)
                    + ", defaultOperandSize=" + defaultOperandSize + "]";
        }
    }

    /**
     * A guest VCPU asked for something only the VMM can do (the modelled era's
     * {@code zx_packet_guest_vcpu_t}: a 16-byte union first, then a u8 subtype at +16). On x86
     * these come from the guest's local APIC: an IPI to forward, or a start-up of another VCPU.
     */
    sealed interface GuestVcpuPacket extends PortPacket {
        /**
         * The subtype, {@code ZX_PKT_GUEST_VCPU_INTERRUPT} or {@code _STARTUP}.
         *
         * @return the subtype
         */
        int vcpuType();

        @Override
        default int type() {
            return Zx.ZX_PKT_TYPE_GUEST_VCPU;
        }

        /**
         * An inter-processor interrupt: deliver {@code vector} to each VCPU whose APIC ID bit is
         * set in {@code mask} (with {@link Vcpu#interrupt(int)}).
         *
         * @param key the packet's key
         * @param mask the destination VCPUs, one bit per APIC ID
         * @param vector the interrupt vector
         */
        record Interrupt(long key, long mask, int vector) implements GuestVcpuPacket {
            @Override
            public int vcpuType() {
                return Zx.ZX_PKT_GUEST_VCPU_INTERRUPT;
            }

            @Override
            public void writeTo(byte[] b) {
                header(b, key, type(), Status.OK);
                Layouts.put64(b, PACKET_VCPU_INTERRUPT_MASK, mask);
                Layouts.put8(b, PACKET_VCPU_INTERRUPT_VECTOR, vector);
                Layouts.put8(b, PACKET_VCPU_TYPE, vcpuType());
            }
        }

        /**
         * Start-up of the VCPU with APIC ID {@code id} at guest-physical {@code entry} (an x86
         * SIPI: {@code entry = vector << 12}): the VMM creates that VCPU on a new thread.
         *
         * @param key the packet's key
         * @param id the APIC ID of the VCPU to start
         * @param entry the guest-physical address where it starts
         */
        record Startup(long key, long id, long entry) implements GuestVcpuPacket {
            @Override
            public int vcpuType() {
                return Zx.ZX_PKT_GUEST_VCPU_STARTUP;
            }

            @Override
            public void writeTo(byte[] b) {
                header(b, key, type(), Status.OK);
                Layouts.put64(b, PACKET_VCPU_STARTUP_ID, id);
                Layouts.put64(b, PACKET_VCPU_STARTUP_ENTRY, entry);
                Layouts.put8(b, PACKET_VCPU_TYPE, vcpuType());
            }
        }
    }

    /**
     * Any other packet type, kept byte for byte (the 32-byte union is copied in and out).
     *
     * @param key the packet's key
     * @param type the packet's type
     * @param status the packet's status
     * @param union the 32 bytes of the type-specific union
     */
    record OtherPacket(long key, int type, Status status, byte[] union) implements PortPacket {
        /**
         * Copies the union bytes.
         *
         * @param key the packet's key
         * @param type the packet's type
         * @param status the packet's status
         * @param union the 32 bytes of the type-specific union
         * @throws IllegalArgumentException if the union is not 32 bytes
         */
        public OtherPacket {
            union = copyUnion(union);
        }

        /** {@return a copy of the 32 union bytes} */
        @Override
        public byte[] union() {
            return union.clone();
        }

        @Override
        public void writeTo(byte[] b) {
            header(b, key, type, status);
            System.arraycopy(union, 0, b, PACKET_UNION, PACKET_UNION_SIZE);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof OtherPacket p && p.key == key && p.type == type
                    && p.status.equals(status) && Arrays.equals(p.union, union);
        }

        @Override
        public int hashCode() {
            return (Long.hashCode(key) * 31 + type) * 31 + Arrays.hashCode(union);
        }

        @Override
        public String toString() {
            return "OtherPacket[key=" + key + ", type=" + type + ", status=" + status
                    + ", union=" + HexFormat.of().formatHex(union) + "]";
        }
    }
}
