package dev.zx4j.sim.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The caches between the guest's memory and the code that runs, and their invalidation: cached
 * decoding of an instruction crossing a page (a write to either page, a remapped second page), and
 * the RAM-page cache of page walks (a guest write to a page-table page after a walk, a page-table
 * page committed by another VCPU after it read as the zero page).
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

    /** A program at 0x5000 that reads [0x7000], remaps page 0x7000 to frame 0x8000, flushes, reads again. */
    static void remapProgram(GuestHarness g, byte[] flush) {
        g.write64(0x7000, 0x1111);
        g.write64(0x8000, 0x2222);
        byte[] head = bytes(0x48, 0x8B, 0x04, 0x25, 0x00, 0x70, 0x00, 0x00,         // MOV RAX, [0x7000]
                0x48, 0xC7, 0x04, 0x25, 0x38, 0x30, 0x01, 0x00, 0x07, 0x80, 0x00, 0x00); // MOV [PT+56], 0x8007
        byte[] tail = bytes(0x48, 0x8B, 0x1C, 0x25, 0x00, 0x70, 0x00, 0x00, 0xF4);  // MOV RBX, [0x7000]; HLT
        g.write(0x5000, head);
        g.write(0x5000 + head.length, flush);
        g.write(0x5000 + head.length + flush.length, tail);
    }

    @Test
    void guestWriteToAPageTableAfterAWalkIsSeenAfterInvlpg() {
        GuestHarness g = fourKiBIdentity();
        remapProgram(g, bytes(0x0F, 0x01, 0x3C, 0x25, 0x00, 0x70, 0x00, 0x00)); // INVLPG [0x7000]
        X86Cpu cpu = cpu(g, 0x5000);
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(100));
        assertEquals(0x1111, cpu.reg(X86Cpu.RAX));
        assertEquals(0x2222, cpu.reg(X86Cpu.RBX), "the walk after INVLPG read the new PTE");
    }

    @Test
    void guestWriteToAPageTableAfterAWalkIsSeenAfterMovToCr3() {
        GuestHarness g = fourKiBIdentity();
        remapProgram(g, bytes(0x0F, 0x20, 0xD9, 0x0F, 0x22, 0xD9)); // MOV RCX, CR3; MOV CR3, RCX
        X86Cpu cpu = cpu(g, 0x5000);
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(100));
        assertEquals(0x1111, cpu.reg(X86Cpu.RAX));
        assertEquals(0x2222, cpu.reg(X86Cpu.RBX), "the walk after MOV to CR3 read the new PTE");
    }

    @Test
    void pageTableCommittedByAnotherCpuAfterReadingAsZerosIsSeen() {
        GuestHarness g = fourKiBIdentity();
        g.lazyCommit = true;
        long pt2 = 0x20000;                      // never written: reads as the zero page
        g.write64(PD + 8, pt2 | 7);              // 2 MiB .. 4 MiB through pt2
        g.write64(0x300000, 0x3333);
        X86Cpu cpu = cpu(g, 0x5000);
        CpuSignal s = assertThrows(CpuSignal.class, () -> Paging.translate(cpu, 0x200000, 0));
        assertEquals(14, s.vector, "not present: pt2 reads as zeros");
        X86Cpu other = cpu(g, 0x5000);
        Memory.writeMem(other, pt2, 8, 0x300000 | 7); // commits pt2's page on the other CPU
        assertEquals(0x300000, Paging.translate(cpu, 0x200000, 0),
                "a not-present entry is not cached: the next walk reads the committed page");
        assertEquals(0x3333, Memory.readMem(cpu, 0x200000, 8));
    }

    @Test
    void dataPageCommittedAfterReadingAsZerosIsSeen() {
        GuestHarness g = fourKiBIdentity();
        g.lazyCommit = true;
        X86Cpu cpu = cpu(g, 0x5000);
        X86Cpu other = cpu(g, 0x5000);
        assertEquals(0, Memory.readMem(cpu, 0x9000, 8));
        Memory.writeMem(other, 0x9000, 8, 0x4444);
        assertEquals(0x4444, Memory.readMem(cpu, 0x9000, 8), "the zero page is never cached");
    }
}
