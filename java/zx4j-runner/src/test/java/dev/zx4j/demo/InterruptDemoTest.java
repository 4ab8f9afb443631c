package dev.zx4j.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class InterruptDemoTest {

    @Test
    void demoReceivesFourPacketsAndClosesEverything() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            InterruptDemo.main(new String[0]);
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("received 4 interrupt packets"), out);
        assertTrue(out.contains("received virtual packet key=1"), out);
        assertTrue(out.contains("received physical packet key=2"), out);
        assertTrue(out.endsWith("closed everything; no handles left" + System.lineSeparator()), out);
    }
}
