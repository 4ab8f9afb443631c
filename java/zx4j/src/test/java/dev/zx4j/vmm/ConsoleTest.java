package dev.zx4j.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConsoleTest {

    final AtomicLong now = new AtomicLong();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final Console c = new Console(out, now::get);

    void print(String s) {
        for (char ch : s.toCharArray()) {
            c.write(ch);
        }
    }

    @Test
    void streamsLinesAndFindsTheFirstUserspaceLine() {
        now.set(1_000);
        print("[    0.000000] Linux version 6.1\r\n");
        assertEquals("[    0.000000] Linux version 6.1\r\n", out.toString());
        assertEquals(-1, c.firstUserspaceNanos());
        now.set(5_000);
        print("zx4j-init: userspace up\r\n");
        assertEquals(5_000, c.firstUserspaceNanos());
        assertEquals(List.of("[    0.000000] Linux version 6.1", "zx4j-init: userspace up"),
                c.lastLines(5));
    }

    @Test
    void aPromptWithoutNewlineAppearsAtFlush() {
        print("# ");
        assertEquals("", out.toString());
        c.flush();
        assertEquals("# ", out.toString());
        assertTrue(c.firstUserspaceNanos() >= 0);
        assertEquals(List.of("# "), c.lastLines(3));
    }

    @Test
    void notesAPanic() {
        print("[    2.0] Kernel panic - not syncing: No working init found.\n");
        assertTrue(c.panicked());
        assertEquals(-1, c.firstUserspaceNanos());
    }
}
