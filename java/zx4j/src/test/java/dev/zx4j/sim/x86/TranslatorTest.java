package dev.zx4j.sim.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/**
 * The bytecode translator ({@link Translator}) beyond what the CPU suites check with every block
 * translated (the {@code translated-cpu} test execution): units span loops, the code cache stays
 * within its bounds, writes drop units, and the JFR events are emitted.
 */
class TranslatorTest {
    static final long CODE = X86CompiledBlocksTest.CODE;

    /** mov ecx, 1000; xor eax, eax; L: add rax, rcx; sub ecx, 1; jnz L; hlt. */
    static final byte[] SUM = {
        (byte) 0xB9, (byte) 0xE8, 0x03, 0x00, 0x00,
        0x31, (byte) 0xC0,
        0x48, 0x01, (byte) 0xC8,
        (byte) 0x83, (byte) 0xE9, 0x01,
        0x75, (byte) 0xF8,
        (byte) 0xF4,
    };

    static X86CompiledBlocksTest.Machine machine(byte[] code, int translateAfter) {
        X86CompiledBlocksTest.Machine m = new X86CompiledBlocksTest.Machine(code, true);
        m.cpu.translateAfter = translateAfter;
        m.cpu.setReg(X86Cpu.RSP, X86CompiledBlocksTest.STACK);
        return m;
    }

    @Test
    void aLoopRunsInsideOneUnitWithTheInterpretersResult() {
        X86CompiledBlocksTest.Machine ops = machine(SUM, -1);
        VcpuExit e1 = ops.cpu.run(1_000_000);
        for (int after : new int[] {0, 1, 50}) {
            X86CompiledBlocksTest.Machine m = machine(SUM, after);
            VcpuExit e = m.cpu.run(1_000_000);
            assertInstanceOf(VcpuExit.HaltExit.class, e, "threshold " + after);
            assertEquals(500500, m.cpu.reg(X86Cpu.RAX), "threshold " + after);
            assertEquals(ops.cpu.instructionsRetired(), m.cpu.instructionsRetired(), "threshold " + after);
            assertEquals(ops.snapshot(e1), m.snapshot(e), "threshold " + after);
            assertTrue(m.cpu.codeCache.translated() >= 1, "threshold " + after);
        }
    }

    @Test
    void budgetsStopAtTheSameBlockBoundaryAsWithoutTranslation() {
        for (int budget = 1; budget < 40; budget++) {
            X86CompiledBlocksTest.Machine ops = machine(SUM, -1);
            X86CompiledBlocksTest.Machine tr = machine(SUM, 0);
            for (int k = 0; k < 5; k++) {
                VcpuExit a = ops.cpu.run(budget);
                VcpuExit b = tr.cpu.run(budget);
                assertEquals(ops.snapshot(a), tr.snapshot(b), "budget " + budget + ", run " + k);
            }
        }
    }

    /** Two summing loops on two pages (two units): RAX = 1001000 at the HLT. */
    static byte[] twoPages() {
        byte[] code = new byte[0x1000 + 16];
        System.arraycopy(SUM, 0, code, 0, 15);
        code[15] = (byte) 0xE9; // jmp CODE + 0x1000
        int disp = 0x1000 - 20;
        for (int k = 0; k < 4; k++) {
            code[16 + k] = (byte) (disp >> (8 * k));
        }
        byte[] second = {(byte) 0xB9, (byte) 0xE8, 0x03, 0x00, 0x00, 0x48, 0x01, (byte) 0xC8,
            (byte) 0x83, (byte) 0xE9, 0x01, 0x75, (byte) 0xF8, (byte) 0xF4};
        System.arraycopy(second, 0, code, 0x1000, second.length);
        return code;
    }

    @Test
    void theCodeCacheStaysWithinItsBoundsAndResultsStayExact() {
        X86CompiledBlocksTest.Machine ops = machine(twoPages(), -1);
        VcpuExit want = ops.cpu.run(1_000_000);
        assertEquals(1001000, ops.cpu.reg(X86Cpu.RAX));
        X86CompiledBlocksTest.Machine m = machine(twoPages(), 0);
        m.cpu.codeCache.bound(1, 1L << 20);
        VcpuExit got = m.cpu.run(1_000_000);
        assertEquals(ops.snapshot(want), m.snapshot(got));
        assertEquals(1, m.cpu.codeCache.size());
        assertTrue(m.cpu.codeCache.dropped() >= 1, "dropped " + m.cpu.codeCache.dropped());
        // the dropped unit's blocks run again (as op blocks, then translated again)
        m.cpu.setRip(CODE);
        assertInstanceOf(VcpuExit.HaltExit.class, m.cpu.run(1_000_000));
        assertEquals(1001000, m.cpu.reg(X86Cpu.RAX));
        assertTrue(m.cpu.codeCache.size() <= 1);
    }

    @Test
    void aWriteToTheUnitsPageDropsIt() {
        X86CompiledBlocksTest.Machine m = machine(SUM, 0);
        assertInstanceOf(VcpuExit.HaltExit.class, m.cpu.run(1_000_000));
        assertTrue(m.cpu.codeCache.size() >= 1);
        m.g.write(CODE + 1, new byte[] {(byte) 0xD0, 0x07}); // mov ecx, 2000
        m.cpu.invalidateCode(CODE, 16);
        assertEquals(0, m.cpu.codeCache.size());
        m.cpu.setRip(CODE);
        assertInstanceOf(VcpuExit.HaltExit.class, m.cpu.run(1_000_000));
        assertEquals(2001000, m.cpu.reg(X86Cpu.RAX));
    }

    @Test
    void flightRecorderSeesExitsTranslationsInvalidationsAndInterrupts() throws Exception {
        Path file = Files.createTempFile("zx4j-translator", ".jfr");
        try (Recording r = new Recording()) {
            for (String e : List.of("dev.zx4j.VcpuExit", "dev.zx4j.BlockTranslation",
                    "dev.zx4j.CodeInvalidation", "dev.zx4j.InterruptDelivery")) {
                r.enable(e);
            }
            r.start();
            X86CompiledBlocksTest.Machine m = machine(SUM, 0);
            assertInstanceOf(VcpuExit.HaltExit.class, m.cpu.run(1_000_000));
            m.cpu.invalidateCode(CODE, 16);
            m.cpu.injectVector(0x30);
            m.cpu.run(100);
            r.stop();
            r.dump(file);
            Set<String> seen = RecordingFile.readAllEvents(file).stream()
                    .map(RecordedEvent::getEventType).map(t -> t.getName()).collect(Collectors.toSet());
            assertTrue(seen.containsAll(Set.of("dev.zx4j.VcpuExit", "dev.zx4j.BlockTranslation",
                    "dev.zx4j.CodeInvalidation", "dev.zx4j.InterruptDelivery")), seen.toString());
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
