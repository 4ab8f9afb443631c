package dev.zx4j.sim.x86.x87;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The software x87 against the committed hardware results; runs on every machine. */
class X87GoldenVectorTest {
    @Test
    void softwareX87MatchesTheRecordedHardwareResults() throws Exception {
        List<X87GoldenVectors.Vector> v = X87GoldenVectors.load();
        assertTrue(v.size() >= 1000, "golden file has " + v.size() + " vectors");
        int failures = 0;
        StringBuilder report = new StringBuilder();
        for (X87GoldenVectors.Vector g : v) {
            String d = X87Compare.diff(g.c(), g.r(), X87Model.run(g.c()));
            if (d != null && ++failures <= 5) {
                report.append(X87Compare.reproducer(g.c(), g.r(), null, d)).append('\n');
            }
        }
        if (failures > 0) {
            fail(failures + " of " + v.size() + " x87 golden vectors differ:\n" + report);
        }
    }
}
