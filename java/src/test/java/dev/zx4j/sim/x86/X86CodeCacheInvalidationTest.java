package dev.zx4j.sim.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

/**
 * The caches between the guest's memory and the code that runs: cached decoding of an
 * instruction crossing a page, and that every way the guest or the host can change what such
 * an instruction means (a write to either page, a remapped second page) is seen.
 */
class X86CodeCacheInvalidationTest {
    static final long PML4 = 0x10000, PDPT = 0x11000, PD = 0x12000, PT = 0x13000;

    /** 4-level tables mapping the first 2 MiB identically through 4 KiB pages (P|RW|US). */
    static GuestHarness fourKiBIdentity() {
        GuestHarness g = new GuestHarness();
        g.write64(PML4, PDPT | 7);
        g.write64(PDPT, PD | 7);
        g.write64(PD, PT | 7);
        for (int k = 0; k < 512; k++) {
            g.write64(PT + 8L * k, (0x1000L * k) | 7);
        }
        return g;
    }

    static X86Cpu cpu(GuestHarness g, long rip) {
        X86Cpu cpu = X86Cpu.newBootProcessor(g, rip);
        cpu.setCr3(PML4);
        return cpu;
    }

    static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int k = 0; k < b.length; k++) {
            out[k] = (byte) b[k];
        }
        return out;
    }

    /** MOV EAX, 0x44332211 at 0x3FFD (its last two bytes on the next page), then HLT. */
    static void straddler(GuestHarness g) {
        g.write(0x3FFD, bytes(0xB8, 0x11, 0x22, 0x33, 0x44, 0xF4));
    }

    static long runToHalt(X86Cpu cpu, long rip) {
        cpu.setRip(rip);
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(1000));
        return cpu.reg(X86Cpu.RAX);
    }

    @Test
    void instructionCrossingAPageIsDecodedOnceAndCached() {
        GuestHarness g = fourKiBIdentity();
        straddler(g);
        X86Cpu cpu = cpu(g, 0x3FFD);
        assertEquals(0x44332211L, runToHalt(cpu, 0x3FFD));
        CodeBlock b = cpu.blocks.get(0x3FFDL | cpu.modeKey());
        assertInstanceOf(X86Cpu.StraddleBlock.class, b);
        assertEquals(0x44332211L, runToHalt(cpu, 0x3FFD));
        assertEquals(b, cpu.blocks.get(0x3FFDL | cpu.modeKey()), "the second run reused the block");
    }

    @Test
    void guestWriteToEitherPageOfAStraddlingInstructionIsSeen() {
        GuestHarness g = fourKiBIdentity();
        straddler(g);
        // At 0x5000: MOV BYTE [0x4000], 0x55; MOV BYTE [0x3FFE], 0x66; MOV ECX, 0x3FFD; JMP RCX
        g.write(0x5000, bytes(0xC6, 0x04, 0x25, 0x00, 0x40, 0x00, 0x00, 0x55,
                0xB9, 0xFD, 0x3F, 0x00, 0x00, 0xFF, 0xE1));
        // At 0x5100: MOV BYTE [0x3FFE], 0x66; MOV ECX, 0x3FFD; JMP RCX
        g.write(0x5100, bytes(0xC6, 0x04, 0x25, 0xFE, 0x3F, 0x00, 0x00, 0x66,
                0xB9, 0xFD, 0x3F, 0x00, 0x00, 0xFF, 0xE1));
        X86Cpu cpu = cpu(g, 0x3FFD);
        assertEquals(0x44332211L, runToHalt(cpu, 0x3FFD));
        assertEquals(0x44552211L, runToHalt(cpu, 0x5000), "write to the second page");
        assertEquals(0x44552211L, runToHalt(cpu, 0x3FFD));
        assertEquals(0x44552266L, runToHalt(cpu, 0x5100), "write to the first page");
    }

    @Test
    void hostWriteToTheSecondPageIsSeenAfterInvalidateCode() {
        GuestHarness g = fourKiBIdentity();
        straddler(g);
        X86Cpu cpu = cpu(g, 0x3FFD);
        assertEquals(0x44332211L, runToHalt(cpu, 0x3FFD));
        g.write(0x4001, bytes(0x99));
        cpu.invalidateCode(0x4001, 1);
        assertEquals(0x99332211L, runToHalt(cpu, 0x3FFD));
    }

    @Test
    void remappedSecondPageIsDecodedAgain() {
        GuestHarness g = fourKiBIdentity();
        straddler(g);
        g.write(0x6000, bytes(0x77, 0x66, 0xF4));
        // At 0x5000: MOV QWORD [PT + 4 * 8], 0x6007 (page 0x4000 -> frame 0x6000); MOV RAX, CR3;
        // MOV CR3, RAX; MOV ECX, 0x3FFD; JMP RCX
        g.write(0x5000, bytes(0x48, 0xC7, 0x04, 0x25, 0x20, 0x30, 0x01, 0x00, 0x07, 0x60, 0x00, 0x00,
                0x0F, 0x20, 0xD8, 0x0F, 0x22, 0xD8,
                0xB9, 0xFD, 0x3F, 0x00, 0x00, 0xFF, 0xE1));
        X86Cpu cpu = cpu(g, 0x3FFD);
        assertEquals(0x44332211L, runToHalt(cpu, 0x3FFD));
        assertEquals(0x66772211L, runToHalt(cpu, 0x5000), "the second page now reads frame 0x6000");
        assertEquals(0x66772211L, runToHalt(cpu, 0x3FFD));
    }
}
