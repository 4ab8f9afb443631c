package dev.zx4j.sim.x86.diff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The random sequences: reproducible, never faulting, and the flag-mask rules of the SDM. */
class SequenceGeneratorTest {
    @Test
    void aSeedDeterminesTheCases() {
        Layout l = new Layout(200);
        List<DiffCase> a = Differential.generate(7, l, SequenceGenerator.Features.ALL, 12);
        List<DiffCase> b = Differential.generate(7, l, SequenceGenerator.Features.ALL, 12);
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).code(), b.get(i).code());
            assertArrayEquals(a.get(i).regs(), b.get(i).regs());
            assertArrayEquals(a.get(i).mem(), b.get(i).mem());
            assertEquals(a.get(i).definedFlags(), b.get(i).definedFlags());
        }
    }

    @Test
    void everyCaseRunsToItsEndOnTheSoftwareVcpuAndCoversTheSubset() {
        Layout l = new Layout(20_000);
        List<DiffCase> cases = Differential.generate(2024, l, SequenceGenerator.Features.ALL, 12);
        SoftCpuRunner cpu = new SoftCpuRunner();
        Set<String> mnemonics = new HashSet<>();
        int bitStrings = 0;
        int addr32Strings = 0;
        int pageCrossing = 0;
        for (DiffCase c : cases) {
            assertTrue(c.code().length <= Layout.MAX_SNIPPET, "case " + c.id() + " too long");
            assertEquals(l.stackTop(c.id()), c.regs()[Asm.RSP]);
            assertEquals(c.memAddress(), c.regs()[Asm.R15]);
            if ((c.codeAddress() >>> 12) != ((c.codeAddress() + c.code().length) >>> 12)
                    || (c.memAddress() >>> 12) != ((c.memAddress() + Layout.MEM_SIZE - 1) >>> 12)) {
                pageCrossing++;
            }
            Outcome o = cpu.run(c);
            assertNull(o.problem(), () -> c.describe() + o.problem());
            assertEquals(c.memAddress(), o.regs()[Asm.R15], () -> "R15 written by\n" + c.describe());
            for (String a : c.asm()) {
                if (a.endsWith("(bit string)")) {
                    bitStrings++;
                }
                if (a.contains("(addr32: esi/edi/ecx)")) {
                    addr32Strings++;
                }
                String[] w = a.split(" ");
                mnemonics.add(w[0].equals("lock") || w[0].startsWith("rep") ? w[0] + " " + w[1] : w[0]);
            }
        }
        for (String m : List.of("add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test", "inc", "dec",
                "neg", "not", "rol", "ror", "rcl", "rcr", "shl", "shr", "sar", "shld", "shrd", "mul", "imul",
                "div", "idiv", "bsf", "bsr", "tzcnt", "lzcnt", "bswap", "sete", "cmovl", "mov", "movabs",
                "movzx", "movsx", "movsxd", "lea", "xchg", "xadd", "cmpxchg", "cbw", "cwde", "cdqe", "cwd",
                "cdq", "cqo", "bt", "bts", "btr", "btc", "clc", "stc", "cmc", "lahf", "sahf", "push", "pop",
                "jb", "jmp", "call", "ret", "cld", "std", "rep movsq", "rep stosb", "repe cmpsb", "lock add",
                "lock xadd", "lock cmpxchg", "nop", "leave", "loop", "loope", "loopne", "jrcxz", "jecxz")) {
            assertTrue(mnemonics.contains(m), "no " + m + " in 20000 cases");
        }
        assertTrue(bitStrings > 0, "no BT* with a register offset into memory");
        assertTrue(addr32Strings > 0, "no string instruction with a 32-bit address size");
        assertTrue(pageCrossing > 100, "only " + pageCrossing + " cases whose code or memory crosses a page");
    }

    static int[] fx(int reads, int defines, int undefines) {
        return new int[] {reads, defines, undefines};
    }

    @Test
    void shiftFlagMasksFollowTheSdm() {
        int szp = Flags.SF | Flags.ZF | Flags.PF;
        // count 0 (also after masking: 32 on a 32-bit operand) changes nothing
        assertArrayEquals(fx(0, 0, 0), SequenceGenerator.shiftFlags(4, 4, 0));
        assertArrayEquals(fx(0, 0, 0), SequenceGenerator.shiftFlags(4, 4, 32));
        // SHL by 1: OF defined; by 2: OF undefined; AF always undefined
        assertArrayEquals(fx(0, szp | Flags.CF | Flags.OF, Flags.AF), SequenceGenerator.shiftFlags(4, 4, 1));
        assertArrayEquals(fx(0, szp | Flags.CF, Flags.AF | Flags.OF), SequenceGenerator.shiftFlags(4, 4, 2));
        // 32 on a 64-bit operand is a real shift
        assertArrayEquals(fx(0, szp | Flags.CF, Flags.AF | Flags.OF), SequenceGenerator.shiftFlags(5, 8, 32));
        // an 8-bit SHR by 8 or more leaves CF undefined
        assertArrayEquals(fx(0, szp, Flags.AF | Flags.CF | Flags.OF), SequenceGenerator.shiftFlags(5, 1, 8));
        assertArrayEquals(fx(0, szp | Flags.CF, Flags.AF | Flags.OF), SequenceGenerator.shiftFlags(7, 1, 7));
        // rotates touch only CF and OF; RCL/RCR read CF
        assertArrayEquals(fx(0, Flags.CF | Flags.OF, 0), SequenceGenerator.shiftFlags(0, 2, 1));
        assertArrayEquals(fx(0, Flags.CF, Flags.OF), SequenceGenerator.shiftFlags(1, 2, 17));
        assertArrayEquals(fx(Flags.CF, Flags.CF, Flags.OF), SequenceGenerator.shiftFlags(2, 1, 9));
        assertArrayEquals(fx(0, 0, 0), SequenceGenerator.shiftFlags(3, 8, 64));
    }

    @Test
    void doubleShiftFlagMasksFollowTheSdm() {
        int all = Flags.CF | Flags.SF | Flags.ZF | Flags.PF;
        assertArrayEquals(fx(0, 0, 0), SequenceGenerator.doubleShiftFlags(4, 32));
        assertArrayEquals(fx(0, all | Flags.OF, Flags.AF), SequenceGenerator.doubleShiftFlags(2, 1));
        assertArrayEquals(fx(0, all, Flags.AF | Flags.OF), SequenceGenerator.doubleShiftFlags(2, 16));
        assertThrows(IllegalArgumentException.class, () -> SequenceGenerator.doubleShiftFlags(2, 17));
    }

    @Test
    void flagConditionsReadTheRightFlags() {
        assertEquals(Flags.CF | Flags.ZF, Flags.readsOf(0x6));                 // be
        assertEquals(Flags.SF | Flags.OF, Flags.readsOf(0xC));                 // l
        assertEquals(Flags.ZF | Flags.SF | Flags.OF, Flags.readsOf(0xF));      // g
        assertTrue(Flags.holds(0xC, Flags.SF));                                // SF != OF: less
        assertTrue(!Flags.holds(0xC, Flags.SF | Flags.OF));
    }
}
