package dev.zx4j.sim.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The compiled form of 64-bit blocks ({@link Ops}: specialised ops, dead-flag elimination, block
 * links, the jump cache) against the plain interpreter on the same programs: random mixes of the
 * specialised instruction forms with generic ones, forward branches, loops, calls, indirect
 * jumps, page faults into an IDT handler, MEM-trap exits, port output and small instruction
 * budgets. Every exit, every register, RFLAGS, RIP, CR2, the retired count and the data and stack
 * pages must agree. Self-modifying code is checked separately against known results.
 */
class X86CompiledBlocksTest {
    static final long CODE = 0x10000;
    static final long DATA = 0x20000;
    /** A page that is not present in the page tables below. */
    static final long HOLE = 0x21000;
    static final long STACK = 0x80000;
    static final long IDT = 0x5000;
    /** A GDT with a 64-bit code segment at selector 8 (the IDT gates' selector). */
    static final long GDT = 0x4F00;
    static final long GDTR = 0x4F80;
    static final long HANDLER = 0x6000;

    /** Registers random instructions may write (not RSP, R13 loop counter, R14 index, R15 base). */
    static final int[] DST = {0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12};
    static final int LOOP = 13;
    static final int INDEX = 14;
    static final int BASE = 15;

    /** Minimal x86-64 encoder for the forms used here. */
    static final class Asm {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final long origin;

        Asm(long origin) {
            this.origin = origin;
        }

        long here() {
            return origin + out.size();
        }

        Asm b(int... bytes) {
            for (int x : bytes) {
                out.write(x);
            }
            return this;
        }

        Asm d32(long v) {
            return b((int) v & 0xFF, (int) (v >> 8) & 0xFF, (int) (v >> 16) & 0xFF, (int) (v >> 24) & 0xFF);
        }

        Asm d64(long v) {
            return d32(v).d32(v >>> 32);
        }

        /** Optional 66 prefix, REX if needed (or forced), opcode bytes. */
        Asm head(int size, boolean forceRex, int reg, int index, int rm, int... opcode) {
            if (size == 2) {
                b(0x66);
            }
            int rex = (size == 8 ? 8 : 0) | ((reg >> 3) & 1) << 2 | ((index >> 3) & 1) << 1 | ((rm >> 3) & 1);
            if (rex != 0 || forceRex) {
                b(0x40 | rex);
            }
            return b(opcode);
        }

        /** reg, r/m register form. */
        Asm rr(int size, int reg, int rm, int... opcode) {
            head(size, size == 1, reg, 0, rm, opcode);
            return b(0xC0 | (reg & 7) << 3 | (rm & 7));
        }

        /** reg, [base + index*2^scale + disp] (index -1: none; base -1 with index -1: RIP-relative). */
        Asm mem(int size, int reg, int base, int index, int scale, long disp, int trailing, int... opcode) {
            head(size, size == 1, reg, Math.max(index, 0), Math.max(base, 0), opcode);
            if (base < 0) {
                b(0x05 | (reg & 7) << 3);
                return d32(disp - (here() + 4 + trailing));
            }
            boolean d8 = disp >= -128 && disp < 128;
            int mod = d8 ? 0x40 : 0x80;
            if (index < 0 && (base & 7) != 4) {
                b(mod | (reg & 7) << 3 | (base & 7));
            } else {
                b(mod | (reg & 7) << 3 | 4);
                b(scale << 6 | ((index < 0 ? 4 : index) & 7) << 3 | (base & 7));
            }
            return d8 ? b((int) disp & 0xFF) : d32(disp);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** Machine state compared between the two engines. */
    record Snapshot(String exit, List<Long> regs, long rip, long rflags, long cr2, long retired,
            String data, String stack) {}

    static final class Machine {
        final GuestHarness g = new GuestHarness();
        final X86Cpu cpu;

        Machine(byte[] code, boolean compiled) {
            // PML4 → PDPT → PD: 4 KiB pages for the first 2 MiB (HOLE not present), then 2 MiB pages.
            g.write64(0x0, 0x1000 | 3);
            g.write64(0x1000, 0x2000 | 3);
            g.write64(0x2000, 0x3000 | 3);
            for (int i = 1; i < 8; i++) {
                g.write64(0x2000 + 8L * i, ((long) i << 21) | 0x83);
            }
            for (int i = 0; i < 512; i++) {
                g.write64(0x3000 + 8L * i, (long) i << 12 == HOLE ? 0 : ((long) i << 12) | 3);
            }
            for (int v = 0; v < 256; v++) {
                long lo = (HANDLER & 0xFFFF) | (8L << 16) | (0x8EL << 40) | ((HANDLER >> 16) & 0xFFFF) << 48;
                g.write64(IDT + 16L * v, lo);
                g.write64(IDT + 16L * v + 8, HANDLER >>> 32);
            }
            g.write(IDT - 16, new byte[] {(byte) 0xFF, 0x0F, 0, 0x50, 0, 0, 0, 0, 0, 0});
            g.write64(GDT + 8, 0x00AF9A000000FFFFL); // present, DPL 0, execute/read, G, L
            g.write(GDTR, new byte[] {15, 0, 0x00, 0x4F, 0, 0, 0, 0, 0, 0});
            g.write(HANDLER, new byte[] {(byte) 0xF4, (byte) 0xEB, (byte) 0xFD}); // hlt; jmp hlt
            g.write(CODE, code);
            cpu = X86Cpu.newBootProcessor(g, CODE);
            cpu.compileBlocks = compiled;
        }

        Snapshot snapshot(VcpuExit e) {
            List<Long> regs = new ArrayList<>();
            for (int r = 0; r < 16; r++) {
                regs.add(cpu.reg(r));
            }
            StringBuilder data = new StringBuilder();
            for (long a = DATA; a < DATA + 0x1000; a += 8) {
                data.append(Long.toHexString(g.read64(a))).append(' ');
            }
            StringBuilder stack = new StringBuilder();
            for (long a = STACK - 0x200; a < STACK; a += 8) {
                stack.append(Long.toHexString(g.read64(a))).append(' ');
            }
            return new Snapshot(String.valueOf(e), regs, cpu.rip(), cpu.rflags(), cpu.cr2(),
                    cpu.instructionsRetired(), data.toString(), stack.toString());
        }
    }

    /** Runs to a halt, an error or a MEM exit (at most 60 runs), snapshotting every exit. */
    static List<Snapshot> runAll(byte[] code, long[] regs, boolean compiled, int budget) {
        Machine m = new Machine(code, compiled);
        for (int r = 0; r < 16; r++) {
            m.cpu.setReg(r, regs[r]);
        }
        m.cpu.setRflags(regs[16]);
        for (int k = 0; k < 4096; k += 8) {
            m.g.write64(DATA + k, regs[17] * (k + 1) ^ (regs[17] >>> (k & 63)));
        }
        List<Snapshot> out = new ArrayList<>();
        for (int k = 0; k < 60; k++) {
            VcpuExit e = m.cpu.run(budget);
            out.add(m.snapshot(e));
            if (e instanceof VcpuExit.HaltExit || e instanceof VcpuExit.ErrorExit
                    || e instanceof VcpuExit.MemExit) {
                break;
            }
        }
        return out;
    }

    static int dst(Random r) {
        return DST[r.nextInt(DST.length)];
    }

    static int src(Random r) {
        return r.nextInt(8) == 0 ? (r.nextBoolean() ? INDEX : BASE) : dst(r);
    }

    static int size(Random r) {
        int x = r.nextInt(10);
        return x < 4 ? 4 : x < 8 ? 8 : x < 9 ? 2 : 1;
    }

    /** A memory operand in the data page (now and then in the unmapped page or RIP-relative). */
    static void memOperand(Asm a, Random r, int size, int reg, int trailing, int... opcode) {
        int p = r.nextInt(100);
        long off = r.nextInt(0x70);
        if (p < 2) {
            a.mem(size, reg, BASE, -1, 0, 0x1000 + off, trailing, opcode); // page fault
        } else if (p < 12) {
            a.mem(size, reg, -1, -1, 0, DATA + 0x100 + off, trailing, opcode); // RIP-relative
        } else if (p < 40) {
            a.mem(size, reg, BASE, INDEX, r.nextInt(4), off, trailing, opcode);
        } else {
            a.mem(size, reg, BASE, -1, 0, off + (r.nextInt(8) == 0 ? 0x300 : 0), trailing, opcode);
        }
    }

    /** One random instruction that falls through (or faults) to the next one. */
    static void straight(Asm a, Random r) {
        int s = size(r);
        int w = s == 1 ? 0 : 1; // opcode low bit for byte forms
        int sub = r.nextInt(8);
        switch (r.nextInt(28)) {
            case 0: case 1: case 2: // ALU r/m, r  or  r, r/m  (registers)
                a.rr(s, src(r), dst(r), sub * 8 + w + (r.nextBoolean() ? 2 : 0));
                break;
            case 3: case 4: { // ALU r, imm8 / imm32 / AL-imm
                int d = dst(r);
                if (s == 1) {
                    a.rr(1, sub, d, 0x80).b(r.nextInt(256));
                } else if (r.nextBoolean()) {
                    a.rr(s, sub, d, 0x83).b(r.nextInt(256));
                } else {
                    a.rr(s, sub, d, 0x81);
                    if (s == 2) {
                        a.b(r.nextInt(256), r.nextInt(256));
                    } else {
                        a.d32(r.nextInt());
                    }
                }
                break;
            }
            case 5: // ALU with a memory operand, either direction
                memOperand(a, r, s, src(r), 0, sub * 8 + w + (r.nextBoolean() ? 2 : 0));
                break;
            case 6: // ALU m, imm8
                memOperand(a, r, s, sub, 1, s == 1 ? 0x80 : 0x83);
                a.b(r.nextInt(256));
                break;
            case 7: // TEST r, r / m, r / r, imm
                if (r.nextBoolean()) {
                    a.rr(s, src(r), src(r), 0x84 + w);
                } else if (r.nextBoolean()) {
                    memOperand(a, r, s, src(r), 0, 0x84 + w);
                } else {
                    a.rr(s == 2 ? 4 : s, 0, src(r), s == 1 ? 0xF6 : 0xF7);
                    if (s == 1) {
                        a.b(r.nextInt(256));
                    } else {
                        a.d32(r.nextInt());
                    }
                }
                break;
            case 8: case 9: // MOV r, r / r, imm
                if (r.nextBoolean()) {
                    a.rr(s, src(r), dst(r), 0x89 - (s == 1 ? 1 : 0));
                } else {
                    int d = dst(r);
                    if (s == 8 && r.nextBoolean()) {
                        a.head(8, false, 0, 0, d, 0xB8 + (d & 7)).d64(r.nextLong());
                    } else {
                        a.rr(s == 2 || s == 1 ? 4 : s, 0, d, 0xC7).d32(r.nextInt());
                    }
                }
                break;
            case 10: // MOV load / store / store imm
                switch (r.nextInt(3)) {
                    case 0: memOperand(a, r, s, dst(r), 0, s == 1 ? 0x8A : 0x8B); break;
                    case 1: memOperand(a, r, s, src(r), 0, s == 1 ? 0x88 : 0x89); break;
                    default:
                        memOperand(a, r, s, 0, s == 1 ? 1 : s == 2 ? 2 : 4, s == 1 ? 0xC6 : 0xC7);
                        if (s == 1) {
                            a.b(r.nextInt(256));
                        } else if (s == 2) {
                            a.b(r.nextInt(256), r.nextInt(256));
                        } else {
                            a.d32(r.nextInt());
                        }
                        break;
                }
                break;
            case 11: { // MOVZX / MOVSX / MOVSXD
                int ds = r.nextBoolean() ? 4 : 8;
                int kind = r.nextInt(5);
                int[] op = kind == 4 ? new int[] {0x63} : new int[] {0x0F, new int[] {0xB6, 0xB7, 0xBE, 0xBF}[kind]};
                if (kind == 4) {
                    ds = 8;
                }
                if (r.nextBoolean()) {
                    int d = dst(r);
                    int sr = src(r);
                    a.head(ds, true, d, 0, sr, op).b(0xC0 | (d & 7) << 3 | (sr & 7));
                } else {
                    memOperand(a, r, ds, dst(r), 0, op);
                }
                break;
            }
            case 12: { // LEA with any base/index
                int base = r.nextInt(16);
                int index = r.nextInt(16);
                a.mem(r.nextBoolean() ? 4 : 8, dst(r), base, index == 4 ? -1 : index, r.nextInt(4),
                        r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(256) - 128, 0, 0x8D);
                break;
            }
            case 13: // INC DEC NEG NOT
                switch (r.nextInt(4)) {
                    case 0: a.rr(s, 0, dst(r), 0xFE + w); break;
                    case 1: a.rr(s, 1, dst(r), 0xFE + w); break;
                    case 2: a.rr(s, 3, dst(r), 0xF6 + w); break;
                    default: a.rr(s, 2, dst(r), 0xF6 + w); break;
                }
                break;
            case 14: case 15: { // shifts and rotates by imm, 1, CL
                int k = new int[] {0, 1, 2, 3, 4, 5, 7, 4, 5, 7}[r.nextInt(10)];
                int f = r.nextInt(4);
                if (f < 2) {
                    a.rr(s, k, dst(r), 0xC0 + w).b(r.nextInt(8) == 0 ? 0 : r.nextInt(70));
                } else if (f == 2) {
                    a.rr(s, k, dst(r), 0xD0 + w);
                } else {
                    if (r.nextBoolean()) {
                        // mov $count, %cl: counts 0, 1, the width and beyond, masked ones
                        a.b(0xB1, new int[] {0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 255}[r.nextInt(14)]);
                    }
                    a.rr(s, k, dst(r), 0xD2 + w);
                }
                break;
            }
            case 16: { // IMUL forms, MUL
                int s4 = r.nextBoolean() ? 4 : 8;
                switch (r.nextInt(5)) {
                    case 0: a.rr(s4, dst(r), src(r), 0x0F, 0xAF); break;
                    case 1: a.rr(s4, dst(r), src(r), 0x6B).b(r.nextInt(256)); break;
                    case 2: a.rr(s4, dst(r), src(r), 0x69).d32(r.nextInt()); break;
                    case 3: a.rr(s4, 4, src(r), 0xF7); break;
                    default: a.rr(s4, 5, src(r), 0xF7); break;
                }
                break;
            }
            case 17: // CMOVcc, SETcc
                if (r.nextBoolean()) {
                    a.rr(r.nextBoolean() ? 4 : 8, dst(r), src(r), 0x0F, 0x40 + r.nextInt(16));
                } else {
                    int d = dst(r);
                    if (r.nextInt(4) == 0) {
                        a.b(0x0F, 0x90 + r.nextInt(16), 0xC0 | r.nextInt(8)); // AL..BH without REX
                    } else {
                        a.rr(1, 0, d, 0x0F, 0x90 + r.nextInt(16));
                    }
                }
                break;
            case 18: // PUSH r / imm, POP r
                if (r.nextBoolean()) {
                    int x = src(r);
                    a.head(4, false, 0, 0, x, 0x50 + (x & 7));
                } else {
                    a.b(0x6A, r.nextInt(256));
                }
                int d = dst(r);
                a.head(4, false, 0, 0, d, 0x58 + (d & 7));
                break;
            case 19: // NOPs
                switch (r.nextInt(3)) {
                    case 0: a.b(0x90); break;
                    case 1: a.b(0x66, 0x90); break;
                    default: a.b(0x0F, 0x1F, 0x44, 0x00, 0x00); break;
                }
                break;
            case 20: // generic ones in between
                switch (r.nextInt(6)) {
                    case 0: a.b(0x48, 0x99); break;                 // cqo
                    case 1: a.b(0x48, 0x98); break;                 // cdqe
                    case 2: a.rr(8, src(r), dst(r), 0x0F, 0xA3); break; // bt
                    case 3: a.rr(8, src(r), dst(r), 0x0F, 0xBC); break; // bsf
                    case 4: a.b(0xF5); break;                        // cmc
                    default: a.rr(8, src(r), dst(r), 0x87); break;   // xchg
                }
                break;
            case 21: { // division (may raise #DE)
                int ds = r.nextBoolean() ? 4 : 8;
                if (r.nextBoolean()) {
                    a.rr(ds, 2, 2, 0x33); // xor %edx, %edx: a dividend that fits more often
                }
                if (r.nextBoolean()) {
                    a.rr(ds, 6 + r.nextInt(2), dst(r), 0xF7);
                } else {
                    memOperand(a, r, ds, 6 + r.nextInt(2), 0, 0xF7);
                }
                break;
            }
            case 22: // OUT (an exit in mid-program)
                if (r.nextInt(4) == 0) {
                    a.b(0xE6, 0x80);
                } else {
                    a.b(0x90);
                }
                break;
            case 23: // an access to the MEM trap page, rarely
                if (r.nextInt(20) == 0) {
                    a.b(0x8B, 0x04, 0x25).d32(GuestHarness.MEM_TRAP + 8);
                } else {
                    a.b(0x90);
                }
                break;
            case 26: { // byte registers without REX (AH, CH, DH, BH for 4..7)
                int reg = r.nextInt(8);
                int rm = r.nextInt(8);
                int k = new int[] {0, 1, 4, 5, 7}[r.nextInt(5)];
                switch (r.nextInt(6)) {
                    case 0: a.b(sub * 8 + (r.nextBoolean() ? 2 : 0), 0xC0 | reg << 3 | rm); break;
                    case 1: a.b(0x80, 0xC0 | sub << 3 | rm, r.nextInt(256)); break;
                    case 2: a.b(r.nextBoolean() ? 0x88 : 0x8A, 0xC0 | reg << 3 | rm); break;
                    case 3: a.b(0xB0 + rm, r.nextInt(256)); break;
                    case 4: // INC DEC NOT NEG TEST
                        switch (r.nextInt(5)) {
                            case 0: a.b(0xFE, 0xC0 | rm); break;
                            case 1: a.b(0xFE, 0xC8 | rm); break;
                            case 2: a.b(0xF6, 0xD0 | rm); break;
                            case 3: a.b(0xF6, 0xD8 | rm); break;
                            default: a.b(0x84, 0xC0 | reg << 3 | rm); break;
                        }
                        break;
                    default: // shifts and rotates by imm, 1, CL
                        switch (r.nextInt(3)) {
                            case 0: a.b(0xC0, 0xC0 | k << 3 | rm, r.nextInt(40)); break;
                            case 1: a.b(0xD0, 0xC0 | k << 3 | rm); break;
                            default: a.b(0xD2, 0xC0 | k << 3 | rm); break;
                        }
                        break;
                }
                break;
            }
            case 27: { // DIV/IDIV of 1 or 2 bytes, register (AH..BH too) or memory (may raise #DE)
                int k = 6 + r.nextInt(2);
                boolean b1 = r.nextBoolean();
                if (!b1 && r.nextBoolean()) {
                    a.rr(2, 2, 2, 0x33); // xor %dx, %dx
                }
                switch (r.nextInt(3)) {
                    case 0: a.rr(b1 ? 1 : 2, k, dst(r), b1 ? 0xF6 : 0xF7); break;
                    case 1:
                        if (b1) {
                            a.b(0xF6, 0xC0 | k << 3 | r.nextInt(8));
                        } else {
                            a.b(0x66, 0xF7, 0xC0 | k << 3 | r.nextInt(8));
                        }
                        break;
                    default: memOperand(a, r, b1 ? 1 : 2, k, 0, b1 ? 0xF6 : 0xF7); break;
                }
                break;
            }
            default: // ADC / SBB with registers
                a.rr(s, src(r), dst(r), (r.nextBoolean() ? 0x10 : 0x18) + w);
                break;
        }
    }

    static byte[] program(Random r) {
        Asm a = new Asm(CODE);
        a.b(0x0F, 0x01, 0x14, 0x25).d32(GDTR);     // lgdt [GDTR]
        a.b(0x0F, 0x01, 0x1C, 0x25).d32(IDT - 16); // lidt [IDT-16]
        int n = 10 + r.nextInt(40);
        for (int k = 0; k < n; k++) {
            int p = r.nextInt(100);
            if (p < 8) {
                // Jcc over the next instruction
                Asm next = new Asm(a.here() + 2);
                straight(next, r);
                byte[] nb = next.bytes();
                a.b(0x70 + r.nextInt(16), nb.length).b(toInts(nb));
            } else if (p < 12) {
                // a counted loop: mov $k, %r13d; body; dec %r13d; jnz body
                a.b(0x41, 0xBD).d32(1 + r.nextInt(6));
                long top = a.here();
                int body = 1 + r.nextInt(5);
                for (int j = 0; j < body; j++) {
                    straight(a, r);
                }
                a.b(0x41, 0xFF, 0xCD); // dec %r13d
                long rel = top - (a.here() + 2);
                if (rel >= -128) {
                    a.b(0x75, (int) rel & 0xFF);
                } else {
                    a.b(0x0F, 0x85).d32(top - (a.here() + 6));
                }
            } else if (p < 15) {
                // call L1; jmp L2; L1: insn; ret; L2:
                Asm f = new Asm(a.here() + 7);
                straight(f, r);
                byte[] fb = f.bytes();
                a.b(0xE8).d32(2).b(0xEB, fb.length + 1).b(toInts(fb)).b(0xC3);
            } else if (p < 17) {
                // lea L(%rip), %r12; jmp *%r12 (or through memory); L:
                if (r.nextBoolean()) {
                    a.b(0x4C, 0x8D, 0x25).d32(3).b(0x41, 0xFF, 0xE4);
                } else {
                    // mov $L, 0x7f8(%r15); jmp *0x7f8(%r15); L:
                    long l = a.here() + 11 + 7;
                    a.b(0x49, 0xC7, 0x87).d32(0x7F8).d32(l).b(0x41, 0xFF, 0xA7).d32(0x7F8);
                }
            } else {
                straight(a, r);
            }
        }
        a.b(0xF4);
        return a.bytes();
    }

    static int[] toInts(byte[] b) {
        int[] x = new int[b.length];
        for (int k = 0; k < b.length; k++) {
            x[k] = b[k] & 0xFF;
        }
        return x;
    }

    static long[] registers(Random r) {
        long[] v = new long[18];
        for (int k = 0; k < 16; k++) {
            v[k] = switch (r.nextInt(4)) {
                case 0 -> r.nextInt(5) - 2;
                case 1 -> r.nextInt();
                case 2 -> 1L << r.nextInt(64);
                default -> r.nextLong();
            };
        }
        v[X86Cpu.RSP] = STACK;
        v[LOOP] = 0;
        v[INDEX] = r.nextInt(16);
        v[BASE] = DATA;
        v[16] = 0x2 | (r.nextLong() & X86Cpu.FLAGS_ARITH);
        v[17] = r.nextLong();
        return v;
    }

    @Test
    void randomProgramsAgreeWithTheInterpreter() {
        Random r = new Random(0xB10C);
        int faults = 0;
        int memExits = 0;
        for (int p = 0; p < 1500; p++) {
            byte[] code = program(r);
            long[] regs = registers(r);
            int budget = r.nextInt(3) == 0 ? 1 + r.nextInt(12) : 10_000;
            List<Snapshot> want = runAll(code, regs, false, budget);
            List<Snapshot> got = runAll(code, regs, true, budget);
            assertEquals(want, got, "program " + p + " (budget " + budget + "): " + hex(code));
            Snapshot last = want.get(want.size() - 1);
            faults += last.rip() == HANDLER + 1 ? 1 : 0;
            memExits += last.exit().startsWith("MemExit") ? 1 : 0;
        }
        // The mix must actually reach the interesting endings.
        assertTrue(faults > 50, "faults " + faults);
        assertTrue(memExits > 5, "MEM exits " + memExits);
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xFF));
        }
        return sb.toString();
    }

    /**
     * Self-modifying code: a store into the immediate of an instruction later in the same block,
     * and into one in a block that already ran, must be seen by the next execution; stores next
     * to code (same page, no overlap) must not disturb it.
     */
    @Test
    void storesIntoCodeAreSeenAtOnce() {
        long[] retired = new long[2];
        for (boolean compiled : new boolean[] {false, true}) {
            Asm a = new Asm(CODE);
            // rbx = address of the imm8 of the "add $1, %eax" below; loop 3 times:
            //   add $1, %eax ; movb %cl, (%rbx) ; inc %ecx ; movb %cl, 0x800(%rbx) ; dec %edx ; jnz top
            // then: movb $5, (%rsi) ; add $0, %edi (the imm8 at rsi) ; hlt
            a.b(0x31, 0xC0);                         // xor %eax,%eax
            a.b(0xB9).d32(10);                      // mov $10,%ecx
            a.b(0xBA).d32(3);                       // mov $3,%edx
            a.b(0x31, 0xFF);                         // xor %edi,%edi
            long leaRbx = a.here();
            a.b(0x48, 0x8D, 0x1D).d32(0);           // lea imm(%rip),%rbx (patched below)
            long leaRsi = a.here();
            a.b(0x48, 0x8D, 0x35).d32(0);           // lea imm2(%rip),%rsi (patched below)
            long top = a.here();
            a.b(0x83, 0xC0, 0x01);                   // add $1,%eax
            long imm = a.here() - 1;
            a.b(0x88, 0x0B);                         // mov %cl,(%rbx)
            a.b(0xFF, 0xC1);                         // inc %ecx
            a.b(0x88, 0x8B).d32(0x800);             // mov %cl,0x800(%rbx)
            a.b(0xFF, 0xCA);                         // dec %edx
            a.b(0x75, (int) (top - (a.here() + 2)) & 0xFF);
            a.b(0xC6, 0x06, 0x05);                   // movb $5,(%rsi)
            a.b(0x83, 0xC7, 0x00);                   // add $0,%edi
            long imm2 = a.here() - 1;
            a.b(0xF4);
            byte[] code = a.bytes();
            patch(code, leaRbx + 3 - CODE, imm - (leaRbx + 7));
            patch(code, leaRsi + 3 - CODE, imm2 - (leaRsi + 7));
            Machine m = new Machine(code, compiled);
            VcpuExit e = m.cpu.run(10_000);
            assertInstanceOf(VcpuExit.HaltExit.class, e);
            // adds: 1 (first pass, imm 1), then 10, then 11 → 22; the stores happen after each add
            assertEquals(22, m.cpu.reg(X86Cpu.RAX), "compiled=" + compiled);
            assertEquals(5, m.cpu.reg(X86Cpu.RDI), "compiled=" + compiled);
            assertEquals(13, m.cpu.reg(X86Cpu.RCX));
            retired[compiled ? 1 : 0] = m.cpu.instructionsRetired();
        }
        assertEquals(6 + 3 * 6 + 3, retired[0]);
        assertEquals(retired[0], retired[1]);
    }

    /**
     * A block that called into code on another page keeps its link to the called block; a store
     * that changes the callee must still make the next call run the new code.
     */
    @Test
    void storeIntoAnotherPageDropsLinksToIt() {
        long f = CODE + 0x1000;
        for (boolean compiled : new boolean[] {false, true}) {
            Asm a = new Asm(CODE);
            a.b(0x31, 0xC0);                         // xor %eax,%eax
            a.b(0xBA).d32(4);                       // mov $4,%edx
            a.b(0xBB).d32((int) f + 2);             // mov $f+2,%ebx (the imm8 of f's add)
            long top = a.here();
            a.b(0xE8).d32(f - (a.here() + 4));      // call f
            a.b(0x80, 0x03, 0x10);                   // addb $16,(%rbx)
            a.b(0xFF, 0xCA);                         // dec %edx
            a.b(0x75, (int) (top - (a.here() + 2)) & 0xFF);
            a.b(0xF4);
            byte[] main = a.bytes();
            byte[] fn = {(byte) 0x83, (byte) 0xC0, 0x01, (byte) 0xC3}; // add $1,%eax; ret
            Machine m = new Machine(main, compiled);
            m.g.write(f, fn);
            m.cpu.setReg(X86Cpu.RSP, STACK);
            assertInstanceOf(VcpuExit.HaltExit.class, m.cpu.run(10_000));
            assertEquals(1 + 17 + 33 + 49, m.cpu.reg(X86Cpu.RAX), "compiled=" + compiled);
            assertEquals(3 + 4 * 6 + 1, m.cpu.instructionsRetired(), "compiled=" + compiled);
        }
    }

    static void patch(byte[] code, long at, long v) {
        for (int k = 0; k < 4; k++) {
            code[(int) at + k] = (byte) (v >> (8 * k));
        }
    }

    /** A fault in the middle of a compiled block reports the faulting instruction exactly. */
    @Test
    void faultInsideABlockIsPrecise() {
        Asm a = new Asm(CODE);
        a.b(0x0F, 0x01, 0x14, 0x25).d32(GDTR);      // lgdt
        a.b(0x0F, 0x01, 0x1C, 0x25).d32(IDT - 16);  // lidt
        a.b(0x48, 0x83, 0xC0, 0x05);                // add $5,%rax       (flags: ADD)
        a.b(0x48, 0x83, 0xEB, 0x01);                // sub $1,%rbx       (its flags are live at the load)
        a.b(0x49, 0x8B, 0x8F).d32(0x1008);         // mov 0x1008(%r15),%rcx  → #PF
        a.b(0x48, 0x31, 0xD2);                      // xor %rdx,%rdx
        a.b(0xF4);
        byte[] code = a.bytes();
        long[] regs = new long[18];
        regs[X86Cpu.RAX] = 1;
        regs[X86Cpu.RBX] = 1;
        regs[X86Cpu.RDX] = 77;
        regs[X86Cpu.RSP] = STACK;
        regs[BASE] = DATA;
        regs[16] = 0x2;
        List<Snapshot> want = runAll(code, regs, false, 1000);
        List<Snapshot> got = runAll(code, regs, true, 1000);
        assertEquals(want, got);
        Machine m = new Machine(code, true);
        for (int r = 0; r < 16; r++) {
            m.cpu.setReg(r, regs[r]);
        }
        assertInstanceOf(VcpuExit.HaltExit.class, m.cpu.run(1000));
        assertEquals(6, m.cpu.reg(X86Cpu.RAX));
        assertEquals(0, m.cpu.reg(X86Cpu.RBX));
        assertEquals(77, m.cpu.reg(X86Cpu.RDX));
        assertEquals(HOLE + 8, m.cpu.cr2());
        // frame: error code, RIP, CS, RFLAGS, RSP, SS
        long rip = m.g.read64(STACK - 40);
        long flags = m.g.read64(STACK - 24);
        assertEquals(CODE + 8 + 8 + 4 + 4, rip);
        assertEquals(X86Cpu.FLAG_ZF | X86Cpu.FLAG_PF, flags & X86Cpu.FLAGS_ARITH, Long.toHexString(flags));
        // lgdt, lidt, add, sub retired; the load did not; then the handler's hlt
        assertEquals(5, m.cpu.instructionsRetired());
    }
}
