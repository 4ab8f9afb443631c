package dev.zx4j.sim.x86.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The comparison itself: what counts as a difference and what is masked. */
class OutcomeTest {
    static Outcome outcome(long rax, long rflags, int memByte) {
        long[] regs = new long[16];
        regs[0] = rax;
        byte[] mem = new byte[Layout.MEM_SIZE];
        mem[5] = (byte) memByte;
        return new Outcome(regs, rflags, mem);
    }

    @Test
    void equalOutcomesHaveNoDifferences() {
        assertEquals(List.of(), outcome(1, 0x246, 7).diff(outcome(1, 0x246, 7), Flags.ALL));
    }

    @Test
    void undefinedFlagsAndNonArithmeticBitsAreIgnored() {
        // AF and IF differ; only CF|ZF are defined
        assertEquals(List.of(), outcome(1, 0x257, 7).diff(outcome(1, 0x047, 7), Flags.CF | Flags.ZF));
    }

    @Test
    void aDefinedFlagDifferenceIsReported() {
        List<String> d = outcome(1, 0x247, 7).diff(outcome(1, 0x246, 7), Flags.CF | Flags.ZF);
        assertEquals(1, d.size(), d.toString());
        assertTrue(d.get(0).contains("differ: CF"), d.get(0));
    }

    @Test
    void directionFlagIsAlwaysCompared() {
        List<String> d = outcome(1, 0x646, 7).diff(outcome(1, 0x246, 7), 0);
        assertEquals(1, d.size(), d.toString());
        assertTrue(d.get(0).contains("DF"), d.get(0));
    }

    @Test
    void registerAndMemoryDifferencesAreReported() {
        List<String> d = outcome(2, 0x246, 9).diff(outcome(1, 0x246, 7), Flags.ALL);
        assertEquals(2, d.size(), d.toString());
        assertTrue(d.get(0).startsWith("rax"), d.get(0));
        assertTrue(d.get(1).startsWith("mem +0x05..+0x05 expected 07 actual 09"), d.get(1));
    }

    @Test
    void aRunThatDidNotCompleteIsADifference() {
        Outcome stuck = new Outcome(null, 0, null, "software VCPU stopped with ErrorExit");
        assertEquals(1, stuck.diff(outcome(1, 0x246, 7), Flags.ALL).size());
    }
}
