package dev.zx4j;

import static dev.zx4j.abi.Layouts.PACKET_KEY;
import static dev.zx4j.abi.Layouts.PACKET_TYPE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.abi.Layouts;
import dev.zx4j.abi.Zx;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exit and register parsing against hand-made C layouts (no kernel): every guest packet type at
 * its exact offsets, round trips, and a VMM exit handler tested as a pure function.
 */
class VcpuExitTest {

    /** A 48-byte packet with key and type set, the rest zero. */
    private static byte[] packet(long key, int type) {
        byte[] b = new byte[Layouts.PORT_PACKET_SIZE];
        Layouts.put64(b, PACKET_KEY, key);
        Layouts.put32(b, PACKET_TYPE, type);
        return b;
    }

    @Test
    void memPacketParsesFromTheModelledEraLayout() {
        byte[] b = packet(0x77, Zx.ZX_PKT_TYPE_GUEST_MEM);
        Layouts.put64(b, 16, 0xFEE0_0300L);          // addr @ union+0
        b[16 + 8] = 3;                               // inst_len @ union+8
        b[16 + 9] = (byte) 0x89;                     // inst_buf @ union+9: mov [rax], edx
        b[16 + 10] = 0x10;
        b[16 + 11] = (byte) 0x90;
        b[16 + 12] = (byte) 0xCC;                    // beyond inst_len: not part of it
        b[16 + 24] = 4;                              // default_operand_size @ union+24
        VcpuExit.MemExit exit = assertInstanceOf(VcpuExit.MemExit.class, VcpuExit.parse(b));
        assertEquals(0x77, exit.key());
        assertEquals(0xFEE0_0300L, exit.addr());
        assertArrayEquals(new byte[] {(byte) 0x89, 0x10, (byte) 0x90}, exit.instructionBytes());
        assertEquals(4, exit.defaultOperandSize());

        b[16 + 12] = 0; // the writer leaves bytes past inst_len zero
        assertArrayEquals(b, exit.toPacket().toBytes());
        assertEquals(exit.toPacket(), PortPacket.parse(b));
        exit.instructionBytes()[0] = 0; // accessors copy
        assertEquals((byte) 0x89, exit.instructionBytes()[0]);

        // a value: equal contents (a different array) give an equal exit, hash and text
        VcpuExit.MemExit same = new VcpuExit.MemExit(0x77, 0xFEE0_0300L,
                new byte[] {(byte) 0x89, 0x10, (byte) 0x90}, 4);
        assertEquals(same, exit);
        assertEquals(same.hashCode(), exit.hashCode());
        assertTrue(exit.toString().contains("891090"), exit.toString());
        assertNotEquals(new VcpuExit.MemExit(0x77, 0xFEE0_0300L, new byte[] {(byte) 0x89}, 4),
                exit);
    }

    @Test
    void aMemInstructionLengthOver15IsCutTo15() {
        byte[] b = packet(1, Zx.ZX_PKT_TYPE_GUEST_MEM);
        b[16 + 8] = (byte) 200;
        for (int i = 0; i < 15; i++) {
            b[16 + 9 + i] = (byte) (i + 1);
        }
        VcpuExit.MemExit exit = (VcpuExit.MemExit) VcpuExit.parse(b);
        assertEquals(15, exit.instructionBytes().length);
        assertEquals(15, exit.instructionBytes()[14]);
        assertThrows(IllegalArgumentException.class,
                () -> new VcpuExit.MemExit(1, 0, new byte[16], 4));
    }

    @Test
    void ioPacketParses() {
        byte[] b = packet(0x11, Zx.ZX_PKT_TYPE_GUEST_IO);
        Layouts.put16(b, 16, 0x3F8);   // port
        b[18] = 1;                     // access_size
        b[19] = 0;                     // input = false: out
        b[20] = 'A';                   // data
        VcpuExit.IoExit exit = assertInstanceOf(VcpuExit.IoExit.class, VcpuExit.parse(b));
        assertEquals(new VcpuExit.IoExit(0x11, 0x3F8, 1, false, 'A'), exit);
        assertArrayEquals(b, exit.toPacket().toBytes());
    }

    @Test
    void vcpuInterruptPacketParses() {
        byte[] b = packet(5, Zx.ZX_PKT_TYPE_GUEST_VCPU);
        Layouts.put64(b, 16, 0b1010L);                // interrupt.mask @ union+0
        b[16 + 8] = (byte) 0xEF;                      // interrupt.vector @ union+8
        b[16 + 16] = Zx.ZX_PKT_GUEST_VCPU_INTERRUPT;  // type (u8) @ union+16
        VcpuExit exit = VcpuExit.parse(b);
        assertEquals(new VcpuExit.InterruptIpi(5, 0b1010L, 0xEF), exit);
        assertInstanceOf(VcpuExit.VcpuPacketExit.class, exit);
        assertArrayEquals(b, ((VcpuExit.InterruptIpi) exit).toPacket().toBytes());
    }

    @Test
    void vcpuStartupPacketParses() {
        byte[] b = packet(6, Zx.ZX_PKT_TYPE_GUEST_VCPU);
        Layouts.put64(b, 16, 1);                      // startup.id @ union+0
        Layouts.put64(b, 16 + 8, 0x9A000L);           // startup.entry @ union+8
        b[16 + 16] = Zx.ZX_PKT_GUEST_VCPU_STARTUP;
        VcpuExit exit = VcpuExit.parse(b);
        assertEquals(new VcpuExit.Startup(6, 1, 0x9A000L), exit);
        assertArrayEquals(b, ((VcpuExit.Startup) exit).toPacket().toBytes());
        PortPacket p = PortPacket.parse(b);
        assertEquals(Zx.ZX_PKT_TYPE_GUEST_VCPU, p.type());
        assertEquals(Zx.ZX_PKT_GUEST_VCPU_STARTUP,
                ((PortPacket.GuestVcpuPacket) p).vcpuType());
    }

    @Test
    void anUnknownVcpuSubtypeIsKeptAsOtherPacketAndIsNoExit() {
        byte[] b = packet(7, Zx.ZX_PKT_TYPE_GUEST_VCPU);
        Layouts.put64(b, 16, 0x1234);
        b[16 + 16] = 2; // the G-era EXIT subtype has no meaning in this era
        PortPacket.OtherPacket p = assertInstanceOf(PortPacket.OtherPacket.class,
                PortPacket.parse(b));
        assertArrayEquals(b, p.toBytes());
        assertThrows(IllegalArgumentException.class, () -> VcpuExit.parse(b));
    }

    @Test
    void bellPacketsArriveOnPortsAndAreNoExit() {
        byte[] b = packet(8, Zx.ZX_PKT_TYPE_GUEST_BELL);
        Layouts.put64(b, 16, 0xFFE000L);
        assertEquals(new PortPacket.GuestBellPacket(8, 0xFFE000L), PortPacket.parse(b));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VcpuExit.parse(b));
        assertTrue(e.getMessage().contains("not a VCPU exit"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VcpuExit.parse(new byte[47]));
    }

    @Test
    void everyGuestPacketRoundTripsThroughPortPacket() {
        List<PortPacket> packets = List.of(
                new PortPacket.GuestBellPacket(1, 0x1000),
                new PortPacket.GuestIoPacket(2, 0x60, 1, true, 0),
                new PortPacket.GuestMemPacket(3, 0xB8000, new byte[] {(byte) 0x88, 0x07}, 2),
                new PortPacket.GuestVcpuPacket.Interrupt(4, -1L, 2),
                new PortPacket.GuestVcpuPacket.Startup(5, 3, 0x8000));
        for (PortPacket p : packets) {
            assertEquals(p, PortPacket.parse(p.toBytes()), p.toString());
        }
    }

    @Test
    void registersRoundTripThroughTheCLayoutAtTheirOffsets() {
        byte[] b = new byte[X86Registers.SIZE];
        for (int i = 0; i < 17; i++) {
            Layouts.put64(b, 8 * i, 0x0101_0101_0101_0101L * (i + 1));
        }
        X86Registers r = X86Registers.fromBytes(b);
        assertEquals(0x0101_0101_0101_0101L, r.rax());
        assertEquals(0x0202_0202_0202_0202L, r.rcx());
        assertEquals(0x0303_0303_0303_0303L, r.rdx());
        assertEquals(0x0404_0404_0404_0404L, r.rbx());
        assertEquals(0x0505_0505_0505_0505L, r.rsp());
        assertEquals(0x0808_0808_0808_0808L, r.rdi());
        assertEquals(0x0909_0909_0909_0909L, r.r8());
        assertEquals(0x1010_1010_1010_1010L, r.r15());
        assertEquals(0x1111_1111_1111_1111L, r.rflags());
        assertArrayEquals(b, r.toBytes());
        for (X86Registers.Register reg : X86Registers.Register.values()) {
            assertEquals(Layouts.i64(b, reg.offset()), r.get(reg), reg.name());
        }
        assertEquals(Layouts.VCPU_STATE_RFLAGS, X86Registers.Register.RFLAGS.offset());
        assertThrows(IllegalArgumentException.class, () -> X86Registers.fromBytes(new byte[135]));
    }

    @Test
    void withCopiesChangeOneRegister() {
        X86Registers r = X86Registers.ZERO.withRax(1).withR12(12).withRflags(0x202);
        assertEquals(new X86Registers(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 0x202), r);
        for (X86Registers.Register reg : X86Registers.Register.values()) {
            X86Registers w = X86Registers.ZERO.with(reg, 42);
            for (X86Registers.Register other : X86Registers.Register.values()) {
                assertEquals(other == reg ? 42 : 0, w.get(other), reg + "/" + other);
            }
        }
        assertEquals(0, X86Registers.ZERO.rax()); // ZERO itself unchanged
        assertTrue(r.toString().contains("r12=0xc"), r.toString());
    }

    /** A tiny VMM exit handler: what a VMM writes, testable without any VCPU. */
    private static List<String> handle(VcpuExit exit) {
        List<String> actions = new ArrayList<>();
        if (exit instanceof VcpuExit.IoExit io && io.input()) {
            actions.add("writeIo " + io.accessSize() + " 0xff");
        } else if (exit instanceof VcpuExit.IoExit io) {
            actions.add("out " + Integer.toHexString(io.port()) + " " + (char) io.data());
        } else if (exit instanceof VcpuExit.MemExit mem) {
            actions.add("emulate " + mem.instructionBytes().length + " bytes at "
                    + Long.toHexString(mem.addr()));
        } else if (exit instanceof VcpuExit.InterruptIpi ipi) {
            for (int id = 0; id < 64; id++) {
                if ((ipi.mask() & (1L << id)) != 0) {
                    actions.add("interrupt vcpu " + id + " vector " + ipi.vector());
                }
            }
        } else if (exit instanceof VcpuExit.Startup s) {
            actions.add("start vcpu " + s.id() + " at " + Long.toHexString(s.entry()));
        } else if (exit instanceof VcpuExit.Kicked) {
            actions.add("stop");
        }
        return actions;
    }

    @Test
    void aVmmExitHandlerIsAPureFunctionOfHandMadeExits() {
        assertEquals(List.of("out 3f8 A"), handle(new VcpuExit.IoExit(1, 0x3F8, 1, false, 'A')));
        assertEquals(List.of("writeIo 1 0xff"), handle(new VcpuExit.IoExit(1, 0x64, 1, true, 0)));
        assertEquals(List.of("emulate 2 bytes at b8000"),
                handle(new VcpuExit.MemExit(2, 0xB8000, new byte[] {(byte) 0x88, 0x07}, 4)));
        assertEquals(List.of("interrupt vcpu 1 vector 48", "interrupt vcpu 3 vector 48"),
                handle(new VcpuExit.InterruptIpi(3, 0b1010, 48)));
        assertEquals(List.of("start vcpu 1 at 9a000"),
                handle(new VcpuExit.Startup(4, 1, 0x9A000)));
        assertEquals(List.of("stop"), handle(new VcpuExit.Kicked()));
    }
}
