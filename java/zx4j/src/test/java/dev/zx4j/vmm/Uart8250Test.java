package dev.zx4j.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The 16550A as a driver probes and uses it (register semantics of the PC16550D sheet). */
class Uart8250Test {

    final ByteArrayOutputStream tx = new ByteArrayOutputStream();
    final List<Boolean> irq = new ArrayList<>();
    final Uart8250 u = new Uart8250(0x3F8, "uart", tx::write, irq::add);

    int in(int reg) {
        return u.read(0x3F8 + reg, 1);
    }

    void out(int reg, int v) {
        u.write(0x3F8 + reg, 1, v);
    }

    boolean line() {
        return !irq.isEmpty() && irq.get(irq.size() - 1);
    }

    @Test
    void transmitsAndAlwaysHasAnEmptyTransmitter() {
        for (char c : "hi\n".toCharArray()) {
            assertEquals(0x60, in(5) & 0x60);
            out(0, c);
        }
        assertEquals("hi\n", tx.toString());
        assertEquals(3, u.transmitted());
    }

    @Test
    void passesTheProbesOfAPcDriver() {
        // IER: writable low nibble
        out(1, 0);
        assertEquals(0, in(1) & 0x0F);
        out(1, 0x0F);
        assertEquals(0x0F, in(1) & 0x0F);
        out(1, 0);
        // loopback: MSR mirrors MCR (RTS->CTS, OUT2->DCD)
        out(4, 0x10 | 0x0A);
        assertEquals(0x90, in(6) & 0xF0);
        out(4, 0);
        // FIFO enable shows in IIR bits 7:6 (a 16550A)
        out(2, 0x01);
        assertEquals(0xC0, in(2) & 0xC0);
        out(2, 0);
        assertEquals(0x00, in(2) & 0xC0);
        // scratch register
        out(7, 0xA5);
        assertEquals(0xA5, in(7));
        // divisor latch behind DLAB
        out(3, 0x80);
        out(0, 0x01);
        out(1, 0x00);
        out(3, 0x03);
        out(0, 'x');
        assertEquals("x", tx.toString());
        out(3, 0x80);
        assertEquals(0x01, in(0));
        out(3, 0x03);
    }

    @Test
    void loopbackReceivesWhatItSends() {
        out(2, 0x07);
        out(4, 0x10);
        out(0, 'a');
        assertEquals(0x01, in(5) & 0x01);
        assertEquals('a', in(0));
        assertEquals("", tx.toString());
    }

    @Test
    void receivesHostInputWhileRtsIsAssertedWithAnInterrupt() {
        u.receive("ls\n".getBytes());
        assertEquals(0, in(5) & 0x01, "held while the guest does not assert RTS");
        out(2, 0x07); // FIFOs on, cleared: host bytes still wait on the host side
        out(1, 0x01); // receive interrupt
        out(4, 0x0B); // DTR | RTS | OUT2
        assertTrue(line(), "receive interrupt raised");
        assertEquals(0xC4, in(2), "IIR: received data available, FIFOs on");
        StringBuilder got = new StringBuilder();
        while ((in(5) & 0x01) != 0) {
            got.append((char) in(0));
        }
        assertEquals("ls\n", got.toString());
        assertFalse(line(), "line drops once the FIFO is empty");
        assertEquals(0xC1, in(2));
    }

    @Test
    void holdsMoreThanTheFifoOnTheHostSideWithoutOverrun() {
        out(2, 0x01);
        out(4, 0x03);
        byte[] many = new byte[100];
        java.util.Arrays.fill(many, (byte) 'z');
        u.receive(many);
        assertEquals(100 - 16, u.pendingInput());
        int n = 0;
        while ((in(5) & 0x01) != 0) {
            in(0);
            n++;
        }
        assertEquals(100, n);
        assertEquals(0, in(5) & 0x02, "no overrun");
    }

    @Test
    void transmitterEmptyInterruptOnEnableClearedByReadingIir() {
        out(4, 0x08); // OUT2
        out(1, 0x02);
        assertTrue(line());
        assertEquals(0x02, in(2) & 0x0F);
        assertFalse(line());
        assertEquals(0x01, in(2) & 0x0F);
        out(0, 'q'); // THR empties again at once
        assertTrue(line());
        out(1, 0);
        assertFalse(line());
    }

    @Test
    void noInterruptWithoutOut2() {
        out(1, 0x02);
        assertFalse(line());
        assertEquals(0x02, in(2) & 0x0F, "pending, but the PC gates the line with OUT2");
    }
}
