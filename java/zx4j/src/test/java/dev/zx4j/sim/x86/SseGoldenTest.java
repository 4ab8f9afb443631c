package dev.zx4j.sim.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The software VCPU against the committed host-CPU SSE/MMX results (runs everywhere). */
class SseGoldenTest {

    @Test
    void everyGoldenVectorMatches() throws Exception {
        List<SseGolden.Vector> vs;
        try (InputStream in = SseGoldenTest.class.getResourceAsStream(SseGolden.RESOURCE)) {
            assertNotNull(in, SseGolden.RESOURCE);
            vs = SseGolden.read(new InputStreamReader(in, StandardCharsets.US_ASCII));
        }
        assertTrue(vs.size() >= 1000, "golden vectors: " + vs.size());
        SseCpuRunner soft = new SseCpuRunner();
        StringBuilder bad = new StringBuilder();
        int n = 0;
        for (SseGolden.Vector v : vs) {
            String got = SseGolden.delta(v.c(), soft.run(v.c()));
            if (!got.equals(v.expected())) {
                if (++n <= 10) {
                    bad.append(v.c().describe()).append("  hardware: ").append(v.expected())
                            .append("\n  software: ").append(got).append('\n');
                }
            }
        }
        assertEquals(0, n, () -> "golden vectors that differ: " + bad);
    }

    @Test
    void encodingRoundTrips() {
        SseCaseGenerator g = new SseCaseGenerator(5);
        g.sparse = true;
        for (int k = 0; k < 200; k++) {
            SseCase c = g.next();
            String line = SseGolden.encode(c);
            assertEquals(line, SseGolden.encode(SseGolden.decode(line)));
        }
    }
}
