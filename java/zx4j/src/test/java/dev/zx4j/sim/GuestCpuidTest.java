package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.ZX_OK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The kernel's per-leaf CPUID edits, applied to a host whose every bit is set. */
class GuestCpuidTest {
    /** A host answering all ones, except leaf 0xD subleaves that describe XSAVE components. */
    private static final GuestCpuid.Host ALL_ONES = (leaf, sub, out) -> {
        if (leaf == 0xD && sub >= 2) {
            out[0] = 0x100 * sub;     // size
            out[1] = 0x240 + 0x400 * (sub - 2); // offset
            out[2] = out[3] = 0;
            return;
        }
        out[0] = out[1] = out[2] = out[3] = -1;
        if (leaf == 0x17) {
            out[0] = 0x17;            // marks "answered as leaf 0x17"
            out[1] = sub;
        }
    };
    private final GuestCpuid cpuid = new GuestCpuid(ALL_ONES, 5);

    private int[] ask(int leaf, int sub, long xcr0) {
        int[] r = new int[4];
        assertEquals(ZX_OK, cpuid.answer(leaf, sub, xcr0, r));
        return r;
    }

    private int[] ask(int leaf) {
        return ask(leaf, 0, 7);
    }

    @Test
    void leafOne() {
        int[] r = ask(1);
        assertEquals(4, r[1] >>> 24, "initial APIC ID = VPID - 1");
        assertEquals(0x00FF_FFFF, r[1] & 0x00FF_FFFF);
        int cleared = (1 << 5) | (1 << 15) | (1 << 3) | (1 << 8);
        assertEquals(~cleared, r[2], "ECX: no VMX, PDCM, MONITOR, TM2; HYPERVISOR/X2APIC/TSC_DEADLINE set");
        assertEquals(~((1 << 29) | (1 << 22)), r[3], "EDX: no TM, ACPI");
        int[] none = new int[4];
        new GuestCpuid((l, s, o) -> java.util.Arrays.fill(o, 0), 1).answer(1, 0, 7, none);
        assertEquals((1 << 31) | (1 << 21) | (1 << 24), none[2], "forced on over an empty host");
        assertEquals(1 << 11, none[3], "SEP forced on");
    }

    @Test
    void editedLeaves() {
        assertArrayEquals(new int[4], ask(5), "no MONITOR/MWAIT");
        int[] six = ask(6);
        assertEquals(~(1 | 2 | 1 << 4 | 1 << 6 | 1 << 7 | 1 << 8 | 1 << 9 | 1 << 10 | 1 << 14), six[0]);
        assertEquals(~(1 | 1 << 3), six[2]);
        int[] seven = ask(7);
        assertEquals(~(1 << 25 | 1 << 1), seven[1], "no PT, no TSC_ADJUST");
        assertEquals(-1, seven[2]);
        assertEquals(~(1 << 26 | 1 << 27 | 1 << 28 | 1 << 29 | 1 << 31), seven[3]);
        assertArrayEquals(new int[] {0, 0x7F, 0, 0}, ask(0xA));
        assertArrayEquals(new int[] {0, 0, 0, 4}, ask(0xB, 0, 7));
        assertArrayEquals(new int[] {0, 0, 0, 4}, ask(0xB, 1, 7));
        assertArrayEquals(new int[] {-1, -1, -1, -1}, ask(4), "other leaves pass through");
        assertArrayEquals(new int[] {-1, -1, -1, -1}, ask(0x8000_0001));
        assertArrayEquals(new int[] {-1, -1, -1, -1}, ask(0x8000_001E));
        assertArrayEquals(new int[] {-1, -1, -1, -1}, ask(0), "leaf 0 unclamped");
    }

    @Test
    void xsaveLeaf() {
        assertEquals(576, ask(0xD, 0, 3)[1], "x87|SSE: legacy area and header only");
        assertEquals(0x240 + 0x200, ask(0xD, 0, 7)[1], "AVX (component 2) ends the area");
        assertEquals(0x240 + 0x400 * 3 + 0x500, ask(0xD, 0, 0x27)[1]);
        assertEquals(~(1 << 3), ask(0xD, 1, 7)[0], "no XSAVES");
    }

    @Test
    void hypervisorAndUnknownLeaves() {
        int[] vendor = ask(0x4000_0000);
        assertEquals(0x4000_0001, vendor[0]);
        byte[] id = new byte[12];
        for (int k = 0; k < 12; k++) {
            id[k] = (byte) (vendor[1 + k / 4] >>> (8 * (k % 4)));
        }
        assertEquals("KVMKVMKVM\0\0\0", new String(id, java.nio.charset.StandardCharsets.US_ASCII));
        assertArrayEquals(new int[] {0xB, 0, 0, 0}, ask(0x4000_0001));
        for (int leaf : new int[] {0x18, 0x1F, 0x4000_0002, 0x8000_001F, 0xFFFF_FFFF}) {
            int[] r = ask(leaf, 3, 7);
            assertEquals(0x17, r[0], "leaf 0x" + Integer.toHexString(leaf) + " answers as 0x17");
            assertEquals(3, r[1], "with the guest's subleaf");
        }
    }

    @Test
    void handleMovesRipAndWritesAllFour() {
        FakeExit e = new FakeExit();
        e.regs[ExitState.RAX] = 0xFFFF_FFFF_4000_0001L; // upper half ignored
        e.regs[ExitState.RBX] = -1;
        assertEquals(ZX_OK, cpuid.handle(e));
        assertEquals(1, e.advanced);
        assertEquals(0xB, e.regs[ExitState.RAX]);
        assertEquals(0, e.regs[ExitState.RBX]);
    }
}
