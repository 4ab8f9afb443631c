package dev.zx4j.sim.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The caches between the guest's memory and the code that runs, and their invalidation: cached
 * decoding of an instruction crossing a page (a write to either page, a remapped second page), and
 * the RAM-page cache of page walks (a guest write to a page-table page after a walk, a page-table
 * page committed by another VCPU after it read as the zero page), and global translations with
 * the links and jump-cache entries that survive a MOV to CR3 with them (kept only with G and
 * CR4.PGE; dropped by INVLPG, by toggling CR4.PGE, and by a write to the code); REP MOVS and
 * REP STOS, which write whole runs of a page at a time (page crossings, overlap, faults mid-way,
 * code overwritten).
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

    static final long PML4_B = 0x14000, PT_B = 0x17000;
    static final long G = 0x100;

    /**
     * Two address spaces: A (CR3 = {@link #PML4}) and B (CR3 = {@link #PML4_B}), both the
     * identity over the first 2 MiB through 4 KiB pages, except linear page 0x6000, which A maps
     * to frame 0x6000 with {@code flagsA} and B to {@code frameB} with {@code flagsB}.
     */
    static GuestHarness twoSpaces(long flagsA, long frameB, long flagsB) {
        GuestHarness g = fourKiBIdentity();
        g.write64(PML4_B, 0x15000 | 7);
        g.write64(0x15000, 0x16000 | 7);
        g.write64(0x16000, PT_B | 7);
        for (int k = 0; k < 512; k++) {
            g.write64(PT_B + 8L * k, (0x1000L * k) | 7);
        }
        g.write64(PT + 6 * 8, 0x6000 | flagsA);
        g.write64(PT_B + 6 * 8, frameB | flagsB);
        g.write(0x6000, bytes(0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3)); // MOV EAX, 1; RET
        g.write(0x9000, bytes(0xB8, 0x02, 0x00, 0x00, 0x00, 0xC3)); // MOV EAX, 2; RET
        return g;
    }

    /**
     * At 0x5000, twice: CALL 0x6000; ADD RDX, RAX; MOV CR3, B; then {@code between}. Returns RDX
     * at the HLT: the sum of what the two calls returned.
     */
    static long callTwiceAcrossCr3(GuestHarness g, byte[] between) {
        X86Cpu cpu = programTwiceAcrossCr3(g, between);
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(1000));
        return cpu.reg(X86Cpu.RDX);
    }

    /** Lays out the program of {@link #callTwiceAcrossCr3} and returns a CPU about to run it. */
    static X86Cpu programTwiceAcrossCr3(GuestHarness g, byte[] between) {
        byte[] head = bytes(0x48, 0xC7, 0xC6, 0x02, 0x00, 0x00, 0x00, // MOV RSI, 2
                0xEB, 0x00,                                            // JMP L (a block of its own at L)
                0xE8, 0xF2, 0x0F, 0x00, 0x00,                          // L: CALL 0x6000 (linked)
                0x48, 0x01, 0xC2,                                      // ADD RDX, RAX
                0x48, 0xC7, 0xC1, 0x00, 0x40, 0x01, 0x00,              // MOV RCX, PML4_B
                0x0F, 0x22, 0xD9);                                     // MOV CR3, RCX
        int after = head.length + between.length + 3 + 2;
        byte[] tail = bytes(0x48, 0xFF, 0xCE,                          // DEC RSI
                0x75, 9 - after, 0xF4);                                // JNZ L; HLT
        g.write(0x5000, head);
        g.write(0x5000 + head.length, between);
        g.write(0x5000 + head.length + between.length, tail);
        X86Cpu cpu = cpu(g, 0x5000);
        cpu.setReg(X86Cpu.RSP, 0x4F000);
        return cpu;
    }

    @Test
    void movToCr3DropsNonGlobalCodeTranslations() {
        assertEquals(1 + 2, callTwiceAcrossCr3(twoSpaces(7, 0x9000, 7), bytes()));
    }

    @Test
    void movToCr3KeepsGlobalCodeTranslations() {
        assertEquals(1 + 1, callTwiceAcrossCr3(twoSpaces(7 | G, 0x9000, 7 | G), bytes()),
                "the global translation of 0x6000 (and the block behind it) survives MOV to CR3");
    }

    @Test
    void globalBitWithoutCr4PgeIsNotGlobal() {
        GuestHarness g = twoSpaces(7 | G, 0x9000, 7 | G);
        // MOV RAX, CR4; BTR RAX, 7; MOV CR4, RAX at the start, then the same two calls.
        byte[] clearPge = bytes(0x0F, 0x20, 0xE0, 0x48, 0x0F, 0xBA, 0xF0, 0x07, 0x0F, 0x22, 0xE0);
        g.write(0x4000, clearPge);
        g.write(0x4000 + clearPge.length, bytes(0xE9, 0x00, 0x00, 0x00, 0x00)); // JMP rel32 fixed below
        long next = 0x4000 + clearPge.length + 5;
        int rel = (int) (0x5000 - next);
        g.write(0x4000 + clearPge.length + 1, bytes(rel, rel >> 8, rel >> 16, rel >> 24));
        programTwiceAcrossCr3(g, bytes()); // lays out the program at 0x5000
        X86Cpu cpu = cpu(g, 0x4000);
        cpu.setReg(X86Cpu.RSP, 0x4F000);
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(1000));
        assertEquals(0, cpu.cr4() & X86Cpu.CR4_PGE);
        assertEquals(1 + 2, cpu.reg(X86Cpu.RDX), "G without CR4.PGE: MOV to CR3 drops it");
    }

    @Test
    void invlpgDropsAGlobalCodeTranslation() {
        assertEquals(1 + 2, callTwiceAcrossCr3(twoSpaces(7 | G, 0x9000, 7 | G),
                bytes(0x0F, 0x01, 0x3C, 0x25, 0x00, 0x60, 0x00, 0x00))); // INVLPG [0x6000]
    }

    @Test
    void togglingCr4PgeDropsGlobalCodeTranslations() {
        // MOV RAX, CR4; BTR RAX, 7; MOV CR4, RAX; BTS RAX, 7; MOV CR4, RAX
        assertEquals(1 + 2, callTwiceAcrossCr3(twoSpaces(7 | G, 0x9000, 7 | G),
                bytes(0x0F, 0x20, 0xE0, 0x48, 0x0F, 0xBA, 0xF0, 0x07, 0x0F, 0x22, 0xE0,
                        0x48, 0x0F, 0xBA, 0xE8, 0x07, 0x0F, 0x22, 0xE0)));
    }

    @Test
    void codeWriteDropsABlockThatSurvivedMovToCr3() {
        // Both spaces map 0x6000 to frame 0x6000, globally; after MOV to CR3 the program
        // rewrites the immediate of MOV EAX, 1 to 5: MOV BYTE [0x6001], 5
        assertEquals(1 + 5, callTwiceAcrossCr3(twoSpaces(7 | G, 0x6000, 7 | G),
                bytes(0xC6, 0x04, 0x25, 0x01, 0x60, 0x00, 0x00, 0x05)));
    }

    @Test
    void movToCr3KeepsGlobalDataTranslationsOnly() {
        GuestHarness g = twoSpaces(7 | G, 0x9000, 7 | G);
        g.write64(PT + 7 * 8, 0x7000 | 7);       // 0x7000: not global, B maps it to 0xA000
        g.write64(PT_B + 7 * 8, 0xA000 | 7);
        g.write64(0x6100, 0x61);
        g.write64(0x9100, 0x91);
        g.write64(0x7100, 0x71);
        g.write64(0xA100, 0xA1);
        X86Cpu cpu = cpu(g, 0x5000);
        assertEquals(0x61, Memory.readMem(cpu, 0x6100, 8));
        assertEquals(0x71, Memory.readMem(cpu, 0x7100, 8));
        Memory.writeMem(cpu, 0x6108, 8, 0x62);  // write-TLB entries too
        Memory.writeMem(cpu, 0x7108, 8, 0x72);
        SystemRegisters.writeCr(cpu, 3, PML4_B);
        assertEquals(0x61, Memory.readMem(cpu, 0x6100, 8), "global: the old translation stays");
        assertEquals(0xA1, Memory.readMem(cpu, 0x7100, 8), "not global: walked again in B");
        Memory.writeMem(cpu, 0x6108, 8, 0x63);
        Memory.writeMem(cpu, 0x7108, 8, 0xA2);
        assertEquals(0x63, g.read64(0x6108));
        assertEquals(0xA2, g.read64(0xA108));
        assertEquals(0x72, g.read64(0x7108));
        SystemRegisters.writeCr(cpu, 4, cpu.cr4() & ~X86Cpu.CR4_PGE); // MOV to CR4: all dropped
        assertEquals(0x91, Memory.readMem(cpu, 0x6100, 8));
    }

    @Test
    void aCplChangeDropsJumpCacheEntriesOfSupervisorCode() {
        GuestHarness g = fourKiBIdentity();
        g.write64(PT + 6 * 8, 0x6000 | 3);                        // supervisor-only page
        g.write(0x6000, bytes(0xB8, 0x01, 0x00, 0x00, 0x00, 0xF4)); // MOV EAX, 1; HLT
        X86Cpu cpu = cpu(g, 0x6000);
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(100));
        assertEquals(1, cpu.reg(X86Cpu.RAX));
        cpu.setReg(X86Cpu.RAX, 0);
        cpu.setSegment(X86Cpu.CS, new X86Cpu.SegmentRegister(0x33, 0, 0xFFFFFFFFL, 0xA0FB)); // CPL 3
        cpu.setRip(0x6000);
        cpu.run(100);
        assertEquals(0x6000, cpu.cr2(), "the user-mode fetch faulted (#PF) instead of reusing the block");
        assertEquals(0, cpu.reg(X86Cpu.RAX));
    }

    @Test
    void nonGlobalCodeOnTheSameFrameIsReusedAfterMovToCr3() {
        assertEquals(1 + 1, callTwiceAcrossCr3(twoSpaces(7, 0x6000, 7), bytes()));
    }

    @Test
    void codeWriteDropsANonGlobalBlockRevalidatedAfterMovToCr3() {
        assertEquals(1 + 5, callTwiceAcrossCr3(twoSpaces(7, 0x6000, 7),
                bytes(0xC6, 0x04, 0x25, 0x01, 0x60, 0x00, 0x00, 0x05))); // MOV BYTE [0x6001], 5
    }

    @Test
    void aRevalidatedEntryStillFaultsWhenTheNewSpaceDoesNotMapThePage() {
        GuestHarness g = twoSpaces(7, 0x6000, 0);  // B: 0x6000 not present
        X86Cpu cpu = programTwiceAcrossCr3(g, bytes());
        cpu.run(1000);
        assertEquals(0x6000, cpu.cr2(), "the second call's fetch faulted (#PF)");
        assertEquals(1, cpu.reg(X86Cpu.RDX), "only the first call returned");
    }

    /** Runs {@code code} at 0x5000 (ending in HLT) with RCX, RSI, RDI and RAX set; returns the CPU. */
    static X86Cpu runString(GuestHarness g, byte[] code, long rcx, long rsi, long rdi, long rax) {
        g.write(0x5000, code);
        X86Cpu cpu = cpu(g, 0x5000);
        cpu.setReg(X86Cpu.RCX, rcx);
        cpu.setReg(X86Cpu.RSI, rsi);
        cpu.setReg(X86Cpu.RDI, rdi);
        cpu.setReg(X86Cpu.RAX, rax);
        cpu.setReg(X86Cpu.RSP, 0x4F000);
        cpu.run(100_000);
        return cpu;
    }

    /** The little-endian qword at {@code a}, which may cross a page. */
    static long qword(GuestHarness g, long a) {
        long v = 0;
        for (int k = 7; k >= 0; k--) {
            v = v << 8 | g.read8(a + k);
        }
        return v;
    }

    @Test
    void repStosqAcrossPagesWithAnElementOnTheBoundary() {
        GuestHarness g = fourKiBIdentity();
        // REP STOSQ; HLT from 0x20FFC: 1,000 qwords, the first crossing into page 0x21000
        X86Cpu cpu = runString(g, bytes(0xF3, 0x48, 0xAB, 0xF4), 1000, 0, 0x20FFC, 0x0102030405060708L);
        assertEquals(0, cpu.reg(X86Cpu.RCX));
        assertEquals(0x20FFC + 8000, cpu.reg(X86Cpu.RDI));
        for (long a = 0x20FFC; a < 0x20FFC + 8000; a += 8) {
            assertEquals(0x0102030405060708L, qword(g, a), "qword at 0x" + Long.toHexString(a));
        }
        assertEquals(0, qword(g, 0x20FFC + 8000));
        assertEquals(0, qword(g, 0x20FF4));
    }

    @Test
    void repMovsbOverlappingUpwardsRepeatsThePattern() {
        GuestHarness g = fourKiBIdentity();
        g.write(0x20000, bytes(0xA1, 0xB2, 0xC3));
        // REP MOVSB; HLT with RDI = RSI + 3: copies the first three bytes over and over
        X86Cpu cpu = runString(g, bytes(0xF3, 0xA4, 0xF4), 3000, 0x20000, 0x20003, 0);
        for (int k = 0; k < 3003; k++) {
            assertEquals(new int[] {0xA1, 0xB2, 0xC3}[k % 3], g.read8(0x20000 + k), "byte " + k);
        }
        assertEquals(0x20000 + 3000, cpu.reg(X86Cpu.RSI));
    }

    @Test
    void repMovsqFaultsMidwayWithTheEarlierElementsCopied() {
        GuestHarness g = fourKiBIdentity();
        for (int k = 0; k < 1024; k++) {
            g.write64(0x30000 + 8L * k, 0x1000 + k);
        }
        g.write64(PT + 0x41 * 8, 0);   // 0x41000 not present
        // REP MOVSQ; HLT copying 1,024 qwords from 0x30000 to 0x40800: faults at 0x41000
        X86Cpu cpu = runString(g, bytes(0xF3, 0x48, 0xA5, 0xF4), 1024, 0x30000, 0x40800, 0);
        assertEquals(0x41000, cpu.cr2());
        assertEquals(1024 - 256, cpu.reg(X86Cpu.RCX), "RCX counts the element that faulted");
        assertEquals(0x30800, cpu.reg(X86Cpu.RSI));
        assertEquals(0x41000, cpu.reg(X86Cpu.RDI));
        for (int k = 0; k < 256; k++) {
            assertEquals(0x1000 + k, g.read64(0x40800 + 8L * k));
        }
    }

    @Test
    void repStosOverItsOwnFollowingCodeIsSeen() {
        GuestHarness g = fourKiBIdentity();
        // REP STOSB over the next 5 bytes (MOV EAX, 0x44332211 becomes 5 NOPs); HLT
        g.write(0x5003, bytes(0xB8, 0x11, 0x22, 0x33, 0x44, 0xF4));
        X86Cpu cpu = runString(g, bytes(0xF3, 0xAA, 0x90), 5, 0, 0x5003, 0x90);
        assertEquals(0x5009, cpu.rip(), "halted after the HLT");
        assertEquals(0x90, cpu.reg(X86Cpu.RAX), "the MOV was overwritten before it ran");
    }
}
