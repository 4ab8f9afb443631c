package dev.zx4j.sim.x86.diff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The golden-vector text format: written and read back, and refusing damaged input. */
class GoldenVectorsFormatTest {
    @Test
    void casesAndOutcomesSurviveTheRoundTrip() throws IOException {
        Layout l = new Layout(300);
        List<DiffCase> cases = Differential.generate(42, l, SequenceGenerator.Features.ALL, 8);
        SoftCpuRunner cpu = new SoftCpuRunner();
        List<Outcome> outs = new ArrayList<>();
        for (DiffCase c : cases) {
            outs.add(cpu.run(c));
        }
        StringWriter w = new StringWriter();
        GoldenVectors.write(w, List.of("test header"), cases, outs);
        List<GoldenVectors.Vector> back = GoldenVectors.read(new StringReader(w.toString()));
        assertEquals(cases.size(), back.size());
        for (int i = 0; i < cases.size(); i++) {
            DiffCase a = cases.get(i);
            DiffCase b = back.get(i).c();
            assertEquals(a.id(), b.id());
            assertEquals(a.codeAddress(), b.codeAddress());
            assertArrayEquals(a.code(), b.code());
            assertEquals(a.asm(), b.asm());
            assertArrayEquals(a.regs(), b.regs());
            assertEquals(a.rflags(), b.rflags());
            assertEquals(a.memAddress(), b.memAddress());
            assertArrayEquals(a.mem(), b.mem());
            assertEquals(a.definedFlags(), b.definedFlags());
            Outcome o = back.get(i).expected();
            assertArrayEquals(outs.get(i).regs(), o.regs());
            assertEquals(outs.get(i).rflags(), o.rflags());
            assertArrayEquals(outs.get(i).mem(), o.mem());
        }
    }

    @Test
    void damagedInputIsRefusedWithItsLine() {
        Layout l = new Layout(2);
        List<DiffCase> cases = Differential.generate(1, l, SequenceGenerator.Features.ALL, 3);
        SoftCpuRunner cpu = new SoftCpuRunner();
        List<Outcome> outs = List.of(cpu.run(cases.get(0)), cpu.run(cases.get(1)));
        StringWriter w = new StringWriter();
        try {
            GoldenVectors.write(w, List.of(), cases, outs);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        String good = w.toString();
        IOException e1 = assertThrows(IOException.class,
                () -> GoldenVectors.read(new StringReader(good.replaceFirst(" r9=[0-9a-f]+", ""))));
        assertEquals("golden vectors: bad case at line 1: 'in' lacks r9", e1.getMessage());
        String truncated = good.substring(0, good.lastIndexOf("outmem"));
        IOException e2 = assertThrows(IOException.class, () -> GoldenVectors.read(new StringReader(truncated)));
        assertEquals("golden vectors: incomplete case at line 8", e2.getMessage());
    }
}
