package dev.zx4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zx4j.abi.Layouts;
import dev.zx4j.abi.Zx;
import dev.zx4j.junit.SimulatedZircon;
import dev.zx4j.sim.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

@SimulatedZircon
class PortPacketTest {

    private static byte[] payload() {
        byte[] p = new byte[32];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (0xA0 + i);
        }
        return p;
    }

    @Test
    void everyRecordRoundTripsThroughTheCLayout() {
        List<PortPacket> packets = List.of(
                new PortPacket.UserPacket(-1L, Status.of(-3), payload()),
                new PortPacket.InterruptPacket(7, 123_456_789L),
                new PortPacket.GuestBellPacket(8, 0x1000_0000L),
                new PortPacket.GuestIoPacket(9, 0x3F8, 1, true, 0x41),
                new PortPacket.SignalPacket(11, Status.OK, Signals.USER_0,
                        Signals.USER_0.or(Signals.EVENT_SIGNALED), 1, 987_654_321L),
                new PortPacket.OtherPacket(10, 0x42, Status.OK, payload()));
        for (PortPacket p : packets) {
            byte[] bytes = p.toBytes();
            assertEquals(Layouts.PORT_PACKET_SIZE, bytes.length);
            assertEquals(p.type(), Layouts.i32(bytes, Layouts.PACKET_TYPE));
            assertEquals(p.key(), Layouts.i64(bytes, Layouts.PACKET_KEY));
            assertEquals(p, PortPacket.parse(bytes), p.toString());
        }
    }

    @Test
    void layoutOffsetsAreTheCOnes() {
        byte[] b = new PortPacket.InterruptPacket(0x1122334455667788L, 42).toBytes();
        assertEquals(0x88, b[0] & 0xFF); // key, little-endian at 0
        assertEquals(Zx.ZX_PKT_TYPE_INTERRUPT, b[8]);
        assertEquals(42, b[16]);
        byte[] io = new PortPacket.GuestIoPacket(0, 0x3F8, 2, false, 0xBEEF).toBytes();
        assertEquals(0xF8, io[16] & 0xFF);
        assertEquals(0x03, io[17]);
        assertEquals(2, io[18]);
        assertEquals(0, io[19]);
        assertEquals(0xEF, io[20] & 0xFF);
    }

    @Test
    void userPacketsCopyTheirPayloadAndCheckItsSize() {
        byte[] p = payload();
        PortPacket.UserPacket u = new PortPacket.UserPacket(1, Status.OK, p);
        p[0] = 0;
        assertEquals((byte) 0xA0, u.payload()[0]);
        u.payload()[1] = 0;
        assertEquals((byte) 0xA1, u.payload()[1]);
        assertThrows(IllegalArgumentException.class,
                () -> new PortPacket.UserPacket(1, Status.OK, new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> PortPacket.parse(new byte[47]));
        assertEquals(0xCAFEL, PortPacket.UserPacket.ofWords(1, 1, 2, 0xCAFE).word(2));
    }

    @Test
    void userPacketsGoThroughAPortVerbatim(Kernel zx) {
        try (Port port = zx.createPort()) {
            PortPacket.UserPacket sent = new PortPacket.UserPacket(0xFEEDL, Status.of(-3), payload());
            port.queue(sent);
            PortPacket got = port.waitFor(Duration.ZERO);
            assertEquals(sent, got);
        }
    }

    @Test
    void interruptPacketsCarryKeyAndTimestamp(Kernel zx, ManualClock clock) {
        try (Port port = zx.createPort(PortOptions.BIND_TO_INTERRUPT);
             Interrupt irq = zx.createVirtualInterrupt()) {
            irq.bind(port, 99);
            clock.advance(5);
            irq.trigger();
            PortPacket p = port.waitUntil(Zx.ZX_TIME_INFINITE_PAST);
            PortPacket.InterruptPacket ip = assertInstanceOf(PortPacket.InterruptPacket.class, p);
            assertEquals(99, ip.key());
            assertEquals(clock.now(), ip.timestamp());
            irq.ack();
            irq.trigger(12345);
            assertEquals(new PortPacket.InterruptPacket(99, 12345), port.waitForever());
        }
    }

    @Test
    void portDeadlinesFollowTheManualClock(Kernel zx, ManualClock clock) throws Exception {
        try (Port port = zx.createPort()) {
            long deadline = zx.deadlineAfter(Duration.ofSeconds(5));
            assertEquals(clock.now() + 5_000_000_000L, deadline);
            Thread advancer = new Thread(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
                clock.advance(Duration.ofSeconds(5).toNanos());
            });
            advancer.start();
            ZxException e = assertThrows(ZxException.class, () -> port.waitUntil(deadline));
            assertEquals(Status.TIMED_OUT, e.status());
            advancer.join();
            assertEquals(Zx.ZX_TIME_INFINITE, zx.deadlineAfter(Duration.ofSeconds(Long.MAX_VALUE)));
            assertEquals(Zx.ZX_TIME_INFINITE, zx.deadlineAfter(Duration.ofNanos(Long.MAX_VALUE)));
        }
    }
}
