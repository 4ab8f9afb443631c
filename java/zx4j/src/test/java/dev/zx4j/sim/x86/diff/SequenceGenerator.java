package dev.zx4j.sim.x86.diff;

import dev.zx4j.sim.x86.diff.Asm.Form;
import dev.zx4j.sim.x86.diff.Asm.Mem;
import dev.zx4j.sim.x86.diff.Asm.Opnd;
import dev.zx4j.sim.x86.diff.Asm.Reg;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random instruction sequences from the integer subset compilers emit, for the differential
 * tests. Every sequence is user-mode code that cannot fault: memory operands stay inside the
 * case's scratch area (R15-based, SIB with a known index, RIP-relative, absolute, moffs) or its
 * stack (RSP-based, within the pushed depth), DIV/IDIV get operands that cannot overflow,
 * pushes and pops stay balanced within the stack area, and R15 and RSP are never written
 * otherwise.
 *
 * <p>Each instruction carries its flag effect, so the flags architecturally defined at the end
 * are known exactly; an instruction that reads flags (ADC, SBB, RCL, RCR, CMC, SETcc, CMOVcc,
 * Jcc, LAHF) is only generated when the flags it reads are defined at that point. "Defined"
 * follows the Intel SDM and the AMD APM: a flag either documents as undefined is undefined.
 */
final class SequenceGenerator {
    /** Optional instructions of the host CPU (from {@code kvm-oracle --info}). */
    record Features(boolean lzcnt, boolean bmi1) {
        static final Features ALL = new Features(true, true);
    }

    private static final int[] WRITABLE = {0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
    /** SIB index registers set up by {@link #mem}: not RAX, RCX, RDX, which set-ups of DIV and
     *  shifts by CL write after the index is loaded. */
    private static final int[] INDEX = {3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
    private static final String[] ALU = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
    private static final String[] SHIFT = {"rol", "ror", "rcl", "rcr", "shl", "shr", "?", "sar"};
    private static final long[] EDGES = {0, 1, 2, 3, 0x7F, 0x80, 0x81, 0xFF, 0x100, 0x7FFF, 0x8000,
        0xFFFF, 0x10000, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL, 0x100000000L, Long.MAX_VALUE,
        Long.MIN_VALUE, -1, -2, 0x0F, 0x10, 0x5555555555555555L, 0xAAAAAAAAAAAAAAAAL};
    private static final int MAX_DEPTH = 48;
    private static final int SIZE_LIMIT = 400;

    private final Random rnd;
    private final Features features;

    SequenceGenerator(long seed, Features features) {
        this.rnd = new Random(seed);
        this.features = features;
    }

    // ---- per-case state ---------------------------------------------------------------------

    /** Instructions being built, with the flag and stack state after them. */
    private final class Builder {
        final List<Ins> list = new ArrayList<>();
        long at;
        int defined;
        int depth;

        Builder(long at, int defined, int depth) {
            this.at = at;
            this.defined = defined;
            this.depth = depth;
        }

        Builder copy() {
            Builder b = new Builder(at, defined, depth);
            b.list.addAll(list);
            return b;
        }

        void add(Ins i) {
            if ((i.reads() & ~defined) != 0) {
                throw new IllegalStateException("generator bug: " + i.text() + " reads undefined "
                        + Flags.names(i.reads() & ~defined));
            }
            list.add(i);
            at += i.bytes().length;
            defined = i.apply(defined);
        }

        int size() {
            int n = 0;
            for (Ins i : list) {
                n += i.bytes().length;
            }
            return n;
        }
    }

    /** No encoding possible for the choice made; the caller picks again. */
    private static final class Retry extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Retry() {
            super(null, null, false, false);
        }
    }

    private static final Retry RETRY = new Retry();

    private long memAddress;
    private long stackTop;

    /**
     * Generates one case.
     *
     * @param units how many random units (an instruction, with the set-up instructions some need)
     */
    DiffCase generate(int id, long codeAddress, long memAddress, long stackTop, int units) {
        this.memAddress = memAddress;
        this.stackTop = stackTop;
        long[] regs = new long[16];
        for (int r = 0; r < 16; r++) {
            regs[r] = value();
        }
        regs[Asm.RSP] = stackTop;
        regs[Asm.R15] = memAddress;
        long rflags = 0x2 | (rnd.nextLong() & Flags.ALL);
        byte[] mem = new byte[Layout.MEM_SIZE];
        for (int k = 0; k < mem.length; k += 8) {
            long v = value();
            for (int j = 0; j < 8; j++) {
                mem[k + j] = (byte) (v >>> (8 * j));
            }
        }
        Builder b = new Builder(codeAddress, Flags.ALL, 0);
        int made = 0;
        int tries = 0;
        while (made < units && tries++ < units * 50) {
            Builder t = b.copy();
            try {
                unit(t, false);
            } catch (Retry | Asm.Unencodable e) {
                continue;
            }
            if (t.size() > SIZE_LIMIT) {
                break;
            }
            b = t;
            made++;
        }
        byte[] code = new byte[b.size()];
        List<String> asm = new ArrayList<>();
        int p = 0;
        for (Ins i : b.list) {
            System.arraycopy(i.bytes(), 0, code, p, i.bytes().length);
            p += i.bytes().length;
            asm.add(i.text());
        }
        return new DiffCase(id, codeAddress, code, List.copyOf(asm), regs, rflags, memAddress, mem,
                b.defined);
    }

    // ---- values ------------------------------------------------------------------------------

    long value() {
        switch (rnd.nextInt(9)) {
            case 0: case 1:
                return EDGES[rnd.nextInt(EDGES.length)];
            case 2:
                return rnd.nextInt(33) - 16;
            case 3:
                return rnd.nextLong() >> rnd.nextInt(64);
            case 4:
                return EDGES[rnd.nextInt(EDGES.length)] ^ (rnd.nextLong() & 0xFFFFFFFF00000000L);
            case 5: {
                long bit = 1L << rnd.nextInt(64);
                int k = rnd.nextInt(3);
                return k == 0 ? bit : k == 1 ? ~bit : bit - 1;
            }
            case 6:
                return (long) (byte) rnd.nextInt() << (8 * rnd.nextInt(8));
            default:
                return rnd.nextLong();
        }
    }

    private long imm(int bytes) {
        long v = rnd.nextInt(4) == 0 ? rnd.nextInt(17) - 8 : value();
        return signExtend(v, bytes);
    }

    static long signExtend(long v, int bytes) {
        int sh = 64 - 8 * bytes;
        return bytes >= 8 ? v : (v << sh) >> sh;
    }

    private int size() {
        return 1 << rnd.nextInt(4);
    }

    private int size248() {
        return 2 << rnd.nextInt(3);
    }

    /** A register the snippet may write (not RSP, not R15); AH-BH sometimes for bytes. */
    private Reg wreg(int size) {
        if (size == 1 && rnd.nextInt(4) == 0) {
            return new Reg(rnd.nextInt(4), 1, true);
        }
        return new Reg(WRITABLE[rnd.nextInt(WRITABLE.length)], size);
    }

    /** A register the snippet may read (any). */
    private Reg rreg(int size) {
        if (size == 1 && rnd.nextInt(4) == 0) {
            return new Reg(rnd.nextInt(4), 1, true);
        }
        return new Reg(rnd.nextInt(16), size);
    }

    private static boolean writable(Reg r) {
        return r.high() || (r.num() != Asm.RSP && r.num() != Asm.R15);
    }

    /** A memory operand of {@code size} bytes that lies in the case's scratch area or stack. */
    private Mem mem(Builder b, int size, boolean allowSetup) {
        int off = rnd.nextInt(Layout.SCRATCH_SIZE - size + 1);
        long target = memAddress + off;
        switch (rnd.nextInt(allowSetup ? 8 : 7)) {
            case 0: case 1: case 2:
                return new Mem(size, Asm.R15, -1, 1, off, rnd.nextInt(8) == 0);
            case 3:
                return new Mem(size, Asm.RIP, target);
            case 4:
                return new Mem(size, Asm.NONE, target);
            case 5: case 6: {
                // [rsp + d] inside the stack area: stackTop - depth + d in [stackTop - 64, stackTop - size]
                int lo = b.depth - Layout.STACK_SIZE;
                int hi = b.depth - size;
                int d = lo + rnd.nextInt(hi - lo + 1);
                return new Mem(size, Asm.RSP, -1, 1, d, rnd.nextInt(8) == 0);
            }
            default: {
                Reg idx = new Reg(INDEX[rnd.nextInt(INDEX.length)], 4);
                int scale = 1 << rnd.nextInt(4);
                int v = rnd.nextInt(8);
                long d = off - (long) v * scale;
                b.add(new Ins(Asm.opReg(idx, false, false, new int[] {0xB8}, v, 4),
                        "mov " + idx + ", " + Asm.imm(v), 0, 0, 0));
                return new Mem(size, Asm.R15, idx.num(), scale, d, rnd.nextInt(8) == 0);
            }
        }
    }

    private Opnd rmW(Builder b, int size, boolean allowSetup) {
        return rnd.nextInt(3) == 0 ? mem(b, size, allowSetup) : wreg(size);
    }

    private Opnd rmR(Builder b, int size, boolean allowSetup) {
        return rnd.nextInt(3) == 0 ? mem(b, size, allowSetup) : rreg(size);
    }

    private Ins ins(Builder b, Form f, String text, int reads, int defines, int undefines) {
        return new Ins(Asm.encode(b.at, f), text, reads, defines, undefines);
    }

    private Form form(int size, boolean byteOp, int... opcode) {
        Form f = Asm.form(byteOp ? 1 : size, opcode);
        return f;
    }

    private static int ccPick(Random rnd, int defined) {
        int start = rnd.nextInt(16);
        for (int k = 0; k < 16; k++) {
            int cc = (start + k) & 15;
            if ((Flags.readsOf(cc) & ~defined) == 0) {
                return cc;
            }
        }
        throw RETRY;
    }

    private void lockMaybe(Form f, Opnd rm, String[] text) {
        if (rm instanceof Mem && rnd.nextInt(4) == 0) {
            f.lock = true;
            text[0] = "lock " + text[0];
        }
    }

    // ---- units ---------------------------------------------------------------------------------

    /**
     * Adds one random unit to {@code b}. With {@code single}, exactly one instruction that leaves
     * the stack depth alone (the instruction a Jcc may skip).
     */
    private void unit(Builder b, boolean single) {
        int pick = rnd.nextInt(single ? 100 : 122);
        if (pick < 22) {
            alu(b, single);
        } else if (pick < 26) {
            test(b, single);
        } else if (pick < 30) {
            incDec(b, single);
        } else if (pick < 33) {
            negNot(b, single);
        } else if (pick < 43) {
            shift(b, single);
        } else if (pick < 47) {
            doubleShift(b, single);
        } else if (pick < 53) {
            multiply(b, single);
        } else if (pick < 56) {
            bitScan(b, single);
        } else if (pick < 57) {
            bswap(b);
        } else if (pick < 61) {
            setcc(b, single);
        } else if (pick < 65) {
            cmovcc(b, single);
        } else if (pick < 73) {
            mov(b, single);
        } else if (pick < 77) {
            movExtend(b, single);
        } else if (pick < 82) {
            lea(b);
        } else if (pick < 85) {
            xchg(b, single);
        } else if (pick < 89) {
            xaddCmpxchg(b, single);
        } else if (pick < 91) {
            convert(b);
        } else if (pick < 95) {
            bitTest(b, single);
        } else if (pick < 97) {
            carryFlag(b);
        } else if (pick < 98) {
            lahfSahf(b);
        } else if (pick < 100) {
            nop(b);
        } else if (pick < 104) {
            divide(b);
        } else if (pick < 108) {
            pushPop(b);
        } else if (pick < 112) {
            jump(b);
        } else if (pick < 116) {
            string(b);
        } else if (pick < 119) {
            control(b);
        } else {
            frame(b);
        }
    }

    private void alu(Builder b, boolean single) {
        int op = rnd.nextInt(8);
        if ((op == 2 || op == 3) && (b.defined & Flags.CF) == 0) {
            op = rnd.nextBoolean() ? 0 : 5;
        }
        int reads = op == 2 || op == 3 ? Flags.CF : 0;
        boolean logic = op == 1 || op == 4 || op == 6;
        int defines = logic ? Flags.LOGIC : Flags.ALL;
        int undefines = logic ? Flags.AF : 0;
        int size = size();
        boolean byteOp = size == 1;
        String mn = ALU[op];
        switch (rnd.nextInt(5)) {
            case 0: { // op r/m, r
                Opnd dst = op == 7 ? rmR(b, size, !single) : rmW(b, size, !single);
                Reg src = rreg(size);
                Form f = form(size, byteOp, (byteOp ? 0x00 : 0x01) + op * 8);
                f.reg = src;
                f.rm = dst;
                String[] t = {mn};
                if (op != 7) {
                    lockMaybe(f, dst, t);
                }
                b.add(ins(b, f, t[0] + " " + dst + ", " + src, reads, defines, undefines));
                return;
            }
            case 1: { // op r, r/m
                Reg dst = op == 7 ? rreg(size) : wreg(size);
                Opnd src = rmR(b, size, !single);
                Form f = form(size, byteOp, (byteOp ? 0x02 : 0x03) + op * 8);
                f.reg = dst;
                f.rm = src;
                b.add(ins(b, f, mn + " " + dst + ", " + src, reads, defines, undefines));
                return;
            }
            case 2: { // op al/ax/eax/rax, imm
                int ib = size == 8 ? 4 : size;
                long v = imm(ib);
                Reg acc = new Reg(0, size);
                byte[] enc;
                Form f = form(size, byteOp, 0);
                ByteArrayBuilder bb = new ByteArrayBuilder();
                if (f.opsize16) {
                    bb.add(0x66);
                }
                if (f.rexW) {
                    bb.add(0x48);
                }
                bb.add((byteOp ? 0x04 : 0x05) + op * 8);
                bb.le(v, ib);
                enc = bb.bytes();
                b.add(new Ins(enc, mn + " " + acc + ", " + Asm.imm(signExtend(v, ib)), reads, defines, undefines));
                return;
            }
            default: { // 80 / 81 / 83
                Opnd dst = op == 7 ? rmR(b, size, !single) : rmW(b, size, !single);
                Form f;
                int ib;
                if (byteOp) {
                    f = form(1, true, 0x80);
                    ib = 1;
                } else if (rnd.nextBoolean()) {
                    f = form(size, false, 0x83);
                    ib = 1;
                } else {
                    f = form(size, false, 0x81);
                    ib = size == 2 ? 2 : 4;
                }
                f.regField = op;
                f.rm = dst;
                f.imm = imm(ib);
                f.immBytes = ib;
                String[] t = {mn};
                if (op != 7) {
                    lockMaybe(f, dst, t);
                }
                b.add(ins(b, f, t[0] + " " + dst + ", " + Asm.imm(signExtend(f.imm, ib)), reads, defines, undefines));
                return;
            }
        }
    }

    private void test(Builder b, boolean single) {
        int size = size();
        boolean byteOp = size == 1;
        switch (rnd.nextInt(3)) {
            case 0: {
                Opnd a = rmR(b, size, !single);
                Reg r = rreg(size);
                Form f = form(size, byteOp, byteOp ? 0x84 : 0x85);
                f.reg = r;
                f.rm = a;
                b.add(ins(b, f, "test " + a + ", " + r, 0, Flags.LOGIC, Flags.AF));
                return;
            }
            case 1: {
                int ib = size == 8 ? 4 : size;
                long v = imm(ib);
                ByteArrayBuilder bb = new ByteArrayBuilder();
                if (size == 2) {
                    bb.add(0x66);
                }
                if (size == 8) {
                    bb.add(0x48);
                }
                bb.add(byteOp ? 0xA8 : 0xA9);
                bb.le(v, ib);
                b.add(new Ins(bb.bytes(), "test " + new Reg(0, size) + ", " + Asm.imm(signExtend(v, ib)), 0,
                        Flags.LOGIC, Flags.AF));
                return;
            }
            default: {
                Opnd a = rmR(b, size, !single);
                int ib = size == 8 ? 4 : size;
                Form f = form(size, byteOp, byteOp ? 0xF6 : 0xF7);
                f.regField = 0;
                f.rm = a;
                f.imm = imm(ib);
                f.immBytes = ib;
                b.add(ins(b, f, "test " + a + ", " + Asm.imm(signExtend(f.imm, ib)), 0, Flags.LOGIC, Flags.AF));
            }
        }
    }

    private void incDec(Builder b, boolean single) {
        int size = size();
        boolean byteOp = size == 1;
        boolean inc = rnd.nextBoolean();
        Opnd a = rmW(b, size, !single);
        Form f = form(size, byteOp, byteOp ? 0xFE : 0xFF);
        f.regField = inc ? 0 : 1;
        f.rm = a;
        String[] t = {inc ? "inc" : "dec"};
        lockMaybe(f, a, t);
        b.add(ins(b, f, t[0] + " " + a, 0, Flags.ALL & ~Flags.CF, 0));
    }

    private void negNot(Builder b, boolean single) {
        int size = size();
        boolean byteOp = size == 1;
        boolean neg = rnd.nextBoolean();
        Opnd a = rmW(b, size, !single);
        Form f = form(size, byteOp, byteOp ? 0xF6 : 0xF7);
        f.regField = neg ? 3 : 2;
        f.rm = a;
        String[] t = {neg ? "neg" : "not"};
        lockMaybe(f, a, t);
        b.add(ins(b, f, t[0] + " " + a, 0, neg ? Flags.ALL : 0, 0));
    }

    private int shiftCount(int bits) {
        switch (rnd.nextInt(6)) {
            case 0: return 1;
            case 1: return rnd.nextInt(bits + 2);
            case 2: return bits - 1 + rnd.nextInt(3);
            case 3: return rnd.nextInt(4) == 0 ? 0 : 32 + rnd.nextInt(2) * 32 + rnd.nextInt(3) - 1;
            default: return rnd.nextInt(256);
        }
    }

    private void shift(Builder b, boolean single) {
        int size = size();
        int bits = size * 8;
        boolean byteOp = size == 1;
        int op = new int[] {0, 1, 2, 3, 4, 5, 7}[rnd.nextInt(7)];
        int how = single ? rnd.nextInt(2) : rnd.nextInt(3); // 0: by 1, 1: imm8, 2: CL
        int count = how == 0 ? 1 : shiftCount(bits);
        if (how == 2) {
            b.add(new Ins(new byte[] {(byte) 0xB1, (byte) count}, "mov cl, " + Asm.imm(count), 0, 0, 0));
        }
        Opnd a = rmW(b, size, !single);
        int[] fx = shiftFlags(op, size, count);
        int reads = fx[0];
        int defines = fx[1];
        int undefines = fx[2];
        if ((reads & ~b.defined) != 0) {
            throw RETRY;
        }
        Form f;
        String cnt;
        if (how == 0) {
            f = form(size, byteOp, byteOp ? 0xD0 : 0xD1);
            cnt = "1";
        } else if (how == 1) {
            f = form(size, byteOp, byteOp ? 0xC0 : 0xC1);
            f.imm = count;
            f.immBytes = 1;
            cnt = Asm.imm(count);
        } else {
            f = form(size, byteOp, byteOp ? 0xD2 : 0xD3);
            cnt = "cl";
        }
        f.regField = op;
        f.rm = a;
        b.add(ins(b, f, SHIFT[op] + " " + a + ", " + cnt, reads, defines, undefines));
    }

    /**
     * Flag effect {reads, defines, undefines} of ROL/ROR/RCL/RCR/SHL/SHR/SAR ({@code op} = the
     * ModRM.reg digit) on {@code size}-byte operands by {@code count}: the count is masked to 5
     * bits (6 for 64-bit); a masked count of 0 changes nothing; OF only for a count of 1; AF
     * undefined for shifts; CF undefined for shifts by the operand width or more.
     */
    static int[] shiftFlags(int op, int size, int count) {
        int masked = count & (size == 8 ? 63 : 31);
        if (masked == 0) {
            return new int[] {0, 0, 0};
        }
        int of = masked == 1 ? Flags.OF : 0;
        if (op <= 1) {
            return new int[] {0, Flags.CF | of, Flags.OF & ~of};
        }
        if (op <= 3) {
            return new int[] {Flags.CF, Flags.CF | of, Flags.OF & ~of};
        }
        int cf = masked < size * 8 ? Flags.CF : 0;
        return new int[] {0, Flags.SF | Flags.ZF | Flags.PF | cf | of,
            Flags.AF | (Flags.CF & ~cf) | (Flags.OF & ~of)};
    }

    /**
     * Flag effect {reads, defines, undefines} of SHLD/SHRD on {@code size}-byte operands by
     * {@code count} (masked to 5 or 6 bits; never above the width, where even the result is
     * undefined).
     */
    static int[] doubleShiftFlags(int size, int count) {
        int masked = count & (size == 8 ? 63 : 31);
        if (masked > size * 8) {
            throw new IllegalArgumentException("count " + count + " is undefined for " + size + "-byte SHLD/SHRD");
        }
        if (masked == 0) {
            return new int[] {0, 0, 0};
        }
        int of = masked == 1 ? Flags.OF : 0;
        return new int[] {0, Flags.CF | Flags.SF | Flags.ZF | Flags.PF | of, Flags.AF | (Flags.OF & ~of)};
    }

    private void doubleShift(Builder b, boolean single) {
        int size = size248();
        int bits = size * 8;
        boolean left = rnd.nextBoolean();
        boolean byCl = !single && rnd.nextBoolean();
        int count = shiftCount(bits);
        int masked = count & (size == 8 ? 63 : 31);
        if (masked > bits) {
            // result and flags undefined (16-bit operands only): keep the count in range
            count = rnd.nextInt(bits + 1);
            masked = count;
        }
        if (byCl) {
            b.add(new Ins(new byte[] {(byte) 0xB1, (byte) count}, "mov cl, " + Asm.imm(count), 0, 0, 0));
        }
        Opnd dst = rmW(b, size, !single);
        Reg src = rreg(size);
        int[] fx = doubleShiftFlags(size, count);
        int defines = fx[1];
        int undefines = fx[2];
        Form f = form(size, false, 0x0F, (left ? 0xA4 : 0xAC) + (byCl ? 1 : 0));
        f.reg = src;
        f.rm = dst;
        if (!byCl) {
            f.imm = count;
            f.immBytes = 1;
        }
        b.add(ins(b, f, (left ? "shld " : "shrd ") + dst + ", " + src + ", " + (byCl ? "cl" : Asm.imm(count)),
                0, defines, undefines));
    }

    private void multiply(Builder b, boolean single) {
        int defines = Flags.CF | Flags.OF;
        int undefines = Flags.SF | Flags.ZF | Flags.AF | Flags.PF;
        switch (rnd.nextInt(3)) {
            case 0: { // MUL / IMUL r/m (one operand)
                int size = size();
                boolean byteOp = size == 1;
                boolean signed = rnd.nextBoolean();
                Opnd src = rmR(b, size, !single);
                Form f = form(size, byteOp, byteOp ? 0xF6 : 0xF7);
                f.regField = signed ? 5 : 4;
                f.rm = src;
                b.add(ins(b, f, (signed ? "imul " : "mul ") + src, 0, defines, undefines));
                return;
            }
            case 1: { // IMUL r, r/m
                int size = size248();
                Reg dst = wreg(size);
                Opnd src = rmR(b, size, !single);
                Form f = form(size, false, 0x0F, 0xAF);
                f.reg = dst;
                f.rm = src;
                b.add(ins(b, f, "imul " + dst + ", " + src, 0, defines, undefines));
                return;
            }
            default: { // IMUL r, r/m, imm
                int size = size248();
                Reg dst = wreg(size);
                Opnd src = rmR(b, size, !single);
                boolean short8 = rnd.nextBoolean();
                int ib = short8 ? 1 : size == 2 ? 2 : 4;
                Form f = form(size, false, short8 ? 0x6B : 0x69);
                f.reg = dst;
                f.rm = src;
                f.imm = imm(ib);
                f.immBytes = ib;
                b.add(ins(b, f, "imul " + dst + ", " + src + ", " + Asm.imm(signExtend(f.imm, ib)), 0, defines,
                        undefines));
            }
        }
    }

    private void bitScan(Builder b, boolean single) {
        int size = size248();
        int kind = rnd.nextInt(4); // BSF BSR TZCNT LZCNT
        if ((kind == 2 && !features.bmi1()) || (kind == 3 && !features.lzcnt())) {
            kind -= 2;
        }
        Reg dst = wreg(size);
        Opnd src = rmR(b, size, !single);
        Form f = form(size, false, 0x0F, (kind & 1) == 0 ? 0xBC : 0xBD);
        if (kind >= 2) {
            f.mandatory = 0xF3;
        }
        f.reg = dst;
        f.rm = src;
        String[] mn = {"bsf", "bsr", "tzcnt", "lzcnt"};
        int defines = kind < 2 ? Flags.ZF : Flags.ZF | Flags.CF;
        b.add(ins(b, f, mn[kind] + " " + dst + ", " + src, 0, defines, Flags.ALL & ~defines));
    }

    private void bswap(Builder b) {
        // 16-bit BSWAP is undefined
        int size = rnd.nextBoolean() ? 4 : 8;
        Reg r = wreg(size);
        b.add(new Ins(Asm.opReg(r, false, size == 8, new int[] {0x0F, 0xC8}, 0, 0), "bswap " + r, 0, 0, 0));
    }

    private void setcc(Builder b, boolean single) {
        int cc = ccPick(rnd, b.defined);
        Opnd dst = rmW(b, 1, !single);
        Form f = form(1, true, 0x0F, 0x90 + cc);
        f.regField = 0;
        f.rm = dst;
        b.add(ins(b, f, "set" + Flags.CC[cc] + " " + dst, Flags.readsOf(cc), 0, 0));
    }

    private void cmovcc(Builder b, boolean single) {
        int cc = ccPick(rnd, b.defined);
        int size = size248();
        Reg dst = wreg(size);
        Opnd src = rmR(b, size, !single);
        Form f = form(size, false, 0x0F, 0x40 + cc);
        f.reg = dst;
        f.rm = src;
        b.add(ins(b, f, "cmov" + Flags.CC[cc] + " " + dst + ", " + src, Flags.readsOf(cc), 0, 0));
    }

    private void mov(Builder b, boolean single) {
        int size = size();
        boolean byteOp = size == 1;
        switch (rnd.nextInt(6)) {
            case 0: { // mov r/m, r
                Opnd dst = rmW(b, size, !single);
                Reg src = rreg(size);
                Form f = form(size, byteOp, byteOp ? 0x88 : 0x89);
                f.reg = src;
                f.rm = dst;
                b.add(ins(b, f, "mov " + dst + ", " + src, 0, 0, 0));
                return;
            }
            case 1: { // mov r, r/m
                Reg dst = wreg(size);
                Opnd src = rmR(b, size, !single);
                Form f = form(size, byteOp, byteOp ? 0x8A : 0x8B);
                f.reg = dst;
                f.rm = src;
                b.add(ins(b, f, "mov " + dst + ", " + src, 0, 0, 0));
                return;
            }
            case 2: { // mov r, imm (B0+r / B8+r, movabs for 64-bit)
                Reg dst = wreg(size);
                int ib = size;
                long v = imm(ib);
                byte[] e = Asm.opReg(dst, size == 2, size == 8, new int[] {byteOp ? 0xB0 : 0xB8}, v, ib);
                b.add(new Ins(e, (size == 8 ? "movabs " : "mov ") + dst + ", " + Asm.imm(v), 0, 0, 0));
                return;
            }
            case 3: { // mov r/m, imm (C6 / C7, imm32 sign-extended for 64-bit)
                Opnd dst = rmW(b, size, !single);
                int ib = size == 8 ? 4 : size;
                Form f = form(size, byteOp, byteOp ? 0xC6 : 0xC7);
                f.regField = 0;
                f.rm = dst;
                f.imm = imm(ib);
                f.immBytes = ib;
                b.add(ins(b, f, "mov " + dst + ", " + Asm.imm(signExtend(f.imm, ib)), 0, 0, 0));
                return;
            }
            case 4: { // moffs: mov acc, [abs64] / mov [abs64], acc
                boolean store = rnd.nextBoolean();
                int off = rnd.nextInt(Layout.SCRATCH_SIZE - size + 1);
                long addr = memAddress + off;
                ByteArrayBuilder bb = new ByteArrayBuilder();
                if (size == 2) {
                    bb.add(0x66);
                }
                if (size == 8) {
                    bb.add(0x48);
                }
                bb.add((store ? 0xA2 : 0xA0) + (byteOp ? 0 : 1));
                bb.le(addr, 8);
                Reg acc = new Reg(0, size);
                Mem m = new Mem(size, Asm.NONE, addr);
                b.add(new Ins(bb.bytes(), "mov " + (store ? m + ", " + acc : acc + ", " + m) + " (moffs64)", 0, 0, 0));
                return;
            }
            default: { // register to register with the other opcode direction
                Reg dst = wreg(size);
                Reg src = rreg(size);
                Form f = form(size, byteOp, byteOp ? 0x8A : 0x8B);
                f.reg = dst;
                f.rm = src;
                b.add(ins(b, f, "mov " + dst + ", " + src, 0, 0, 0));
            }
        }
    }

    private void movExtend(Builder b, boolean single) {
        switch (rnd.nextInt(3)) {
            case 0: { // movzx/movsx r, r/m8
                boolean signed = rnd.nextBoolean();
                int size = size248();
                Reg dst = wreg(size);
                Opnd src = rmR(b, 1, !single);
                Form f = form(size, false, 0x0F, signed ? 0xBE : 0xB6);
                f.reg = dst;
                f.rm = src;
                b.add(ins(b, f, (signed ? "movsx " : "movzx ") + dst + ", " + src, 0, 0, 0));
                return;
            }
            case 1: { // movzx/movsx r, r/m16
                boolean signed = rnd.nextBoolean();
                int size = rnd.nextBoolean() ? 4 : 8;
                Reg dst = wreg(size);
                Opnd src = rmR(b, 2, !single);
                Form f = form(size, false, 0x0F, signed ? 0xBF : 0xB7);
                f.reg = dst;
                f.rm = src;
                b.add(ins(b, f, (signed ? "movsx " : "movzx ") + dst + ", " + src, 0, 0, 0));
                return;
            }
            default: { // movsxd r64, r/m32
                Reg dst = wreg(8);
                Opnd src = rmR(b, 4, !single);
                Form f = form(8, false, 0x63);
                f.reg = dst;
                f.rm = src;
                b.add(ins(b, f, "movsxd " + dst + ", " + src, 0, 0, 0));
            }
        }
    }

    private void lea(Builder b) {
        int size = size248();
        Reg dst = wreg(size);
        Mem m;
        if (rnd.nextInt(6) == 0) {
            m = new Mem(size, Asm.RIP, b.at + rnd.nextInt(4096) - 2048);
        } else {
            int base = rnd.nextInt(5) == 0 ? Asm.NONE : rnd.nextInt(16);
            int index = rnd.nextInt(3) == 0 ? -1 : rnd.nextInt(16);
            if (index == Asm.RSP) {
                index = -1;
            }
            int scale = 1 << rnd.nextInt(4);
            long disp;
            switch (rnd.nextInt(4)) {
                case 0: disp = 0; break;
                case 1: disp = rnd.nextInt(256) - 128; break;
                case 2: disp = rnd.nextInt(); break;
                default: disp = EDGES[rnd.nextInt(EDGES.length)] & 0xFFFFFFFFL; disp = (int) disp; break;
            }
            m = new Mem(size, base, index, scale, disp, rnd.nextInt(4) == 0);
        }
        Form f = form(size, false, 0x8D);
        f.reg = dst;
        f.rm = m;
        b.add(ins(b, f, "lea " + dst + ", " + m.address(), 0, 0, 0));
    }

    private void xchg(Builder b, boolean single) {
        int size = size();
        boolean byteOp = size == 1;
        if (!byteOp && rnd.nextInt(4) == 0) { // 90+r: xchg acc, r (90 itself is NOP)
            Reg r = wreg(size);
            if (r.num() == 0) {
                r = new Reg(8, size);
            }
            b.add(new Ins(Asm.opReg(r, size == 2, size == 8, new int[] {0x90}, 0, 0),
                    "xchg " + new Reg(0, size) + ", " + r, 0, 0, 0));
            return;
        }
        Opnd a = rmW(b, size, !single);
        Reg r = wreg(size);
        Form f = form(size, byteOp, byteOp ? 0x86 : 0x87);
        f.reg = r;
        f.rm = a;
        b.add(ins(b, f, "xchg " + a + ", " + r, 0, 0, 0));
    }

    private void xaddCmpxchg(Builder b, boolean single) {
        int size = size();
        boolean byteOp = size == 1;
        boolean xadd = rnd.nextBoolean();
        Opnd a = rmW(b, size, !single);
        Reg r = xadd ? wreg(size) : rreg(size);
        Form f = form(size, byteOp, 0x0F, (xadd ? 0xC0 : 0xB0) + (byteOp ? 0 : 1));
        f.reg = r;
        f.rm = a;
        String[] t = {xadd ? "xadd" : "cmpxchg"};
        lockMaybe(f, a, t);
        b.add(ins(b, f, t[0] + " " + a + ", " + r, 0, Flags.ALL, 0));
    }

    private void convert(Builder b) {
        int size = size248();
        boolean cwd = rnd.nextBoolean();
        ByteArrayBuilder bb = new ByteArrayBuilder();
        if (size == 2) {
            bb.add(0x66);
        }
        if (size == 8) {
            bb.add(0x48);
        }
        bb.add(cwd ? 0x99 : 0x98);
        String[][] names = {{"cbw", "cwde", "cdqe"}, {"cwd", "cdq", "cqo"}};
        b.add(new Ins(bb.bytes(), names[cwd ? 1 : 0][size == 2 ? 0 : size == 4 ? 1 : 2], 0, 0, 0));
    }

    private void bitTest(Builder b, boolean single) {
        int size = size248();
        int op = rnd.nextInt(4); // BT BTS BTR BTC
        String[] mn = {"bt", "bts", "btr", "btc"};
        int defines = Flags.CF;
        int undefines = Flags.OF | Flags.SF | Flags.ZF | Flags.AF | Flags.PF;
        if (!single && rnd.nextInt(4) == 0) {
            // register bit offset into memory: a signed bit string. The offset register is set
            // to [-192, 319], so the addressed unit at [r15 + 24] + (offset >> 3) stays in scratch.
            Reg idx = new Reg(INDEX[rnd.nextInt(INDEX.length)], size);
            long off = rnd.nextInt(512) - 192;
            Form m = form(8, false, 0xC7);
            m.regField = 0;
            m.rm = new Reg(idx.num(), 8);
            m.imm = off;
            m.immBytes = 4;
            b.add(ins(b, m, "mov " + new Reg(idx.num(), 8) + ", " + Asm.imm(off), 0, 0, 0));
            Mem a = new Mem(size, Asm.R15, 24);
            Form f = form(size, false, 0x0F, new int[] {0xA3, 0xAB, 0xB3, 0xBB}[op]);
            f.reg = idx;
            f.rm = a;
            String[] t = {mn[op]};
            if (op != 0) {
                lockMaybe(f, a, t);
            }
            b.add(ins(b, f, t[0] + " " + a + ", " + idx + " (bit string)", 0, defines, undefines));
            return;
        }
        if (rnd.nextBoolean()) { // register bit offset into a register: taken modulo the width
            Reg a = op == 0 ? rreg(size) : wreg(size);
            Reg idx = rreg(size);
            Form f = form(size, false, 0x0F, new int[] {0xA3, 0xAB, 0xB3, 0xBB}[op]);
            f.reg = idx;
            f.rm = a;
            b.add(ins(b, f, mn[op] + " " + a + ", " + idx, 0, defines, undefines));
            return;
        }
        Opnd a = op == 0 ? rmR(b, size, !single) : rmW(b, size, !single);
        Form f = form(size, false, 0x0F, 0xBA);
        f.regField = 4 + op;
        f.rm = a;
        f.imm = rnd.nextInt(256);
        f.immBytes = 1;
        String[] t = {mn[op]};
        if (op != 0) {
            lockMaybe(f, a, t);
        }
        b.add(ins(b, f, t[0] + " " + a + ", " + Asm.imm(f.imm), 0, defines, undefines));
    }

    private void carryFlag(Builder b) {
        switch (rnd.nextInt(3)) {
            case 0: b.add(new Ins(new byte[] {(byte) 0xF8}, "clc", 0, Flags.CF, 0)); return;
            case 1: b.add(new Ins(new byte[] {(byte) 0xF9}, "stc", 0, Flags.CF, 0)); return;
            default:
                if ((b.defined & Flags.CF) == 0) {
                    throw RETRY;
                }
                b.add(new Ins(new byte[] {(byte) 0xF5}, "cmc", Flags.CF, Flags.CF, 0));
        }
    }

    private void lahfSahf(Builder b) {
        int five = Flags.ALL & ~Flags.OF;
        if (rnd.nextBoolean()) {
            if ((b.defined & five) != five) {
                throw RETRY;
            }
            b.add(new Ins(new byte[] {(byte) 0x9F}, "lahf", five, 0, 0));
        } else {
            b.add(new Ins(new byte[] {(byte) 0x9E}, "sahf", 0, five, 0));
        }
    }

    private void nop(Builder b) {
        switch (rnd.nextInt(3)) {
            case 0: b.add(new Ins(new byte[] {(byte) 0x90}, "nop", 0, 0, 0)); return;
            case 1: b.add(new Ins(new byte[] {0x66, (byte) 0x90}, "xchg ax, ax (nop)", 0, 0, 0)); return;
            default: {
                Form f = form(4, false, 0x0F, 0x1F);
                f.regField = 0;
                f.rm = new Mem(4, rnd.nextInt(16), rnd.nextBoolean() ? -1 : 0, 1, rnd.nextInt(256) - 128, false);
                b.add(ins(b, f, "nop " + f.rm, 0, 0, 0));
            }
        }
    }

    /**
     * DIV / IDIV with set-up that rules out #DE: unsigned, the dividend's high half is below
     * 2^(n-1) and the divisor's top bit is set; signed, the dividend is the sign extension of the
     * accumulator and the divisor is even and non-zero (so neither 0 nor -1).
     */
    private void divide(Builder b) {
        int size = size();
        boolean byteOp = size == 1;
        boolean signed = rnd.nextBoolean();
        int bits = size * 8;
        Opnd d;
        if (rnd.nextInt(3) == 0) {
            d = mem(b, size, true);
        } else {
            Reg r;
            do {
                r = wreg(size);
            } while (r.num() == Asm.RAX || (!byteOp && r.num() == Asm.RDX));
            d = r;
        }
        if (!signed) {
            long hi = rnd.nextInt(4) == 0 ? 0 : rnd.nextLong() & ((1L << (bits - 1)) - 1);
            if (byteOp) {
                b.add(new Ins(new byte[] {(byte) 0xB4, (byte) hi}, "mov ah, " + Asm.imm(hi), 0, 0, 0));
            } else {
                int ib = size == 2 ? 2 : 4;
                hi &= 0x7FFFFFFF;
                Reg dx = new Reg(Asm.RDX, size == 2 ? 2 : 4);
                b.add(new Ins(Asm.opReg(dx, size == 2, false, new int[] {0xB8}, hi, ib), "mov " + dx + ", "
                        + Asm.imm(hi), 0, 0, 0));
            }
            setBit(b, d, size, bits - 1);
        } else {
            ByteArrayBuilder bb = new ByteArrayBuilder();
            if (size <= 2) {
                bb.add(0x66);
            }
            if (size == 8) {
                bb.add(0x48);
            }
            bb.add(byteOp ? 0x98 : 0x99);
            b.add(new Ins(bb.bytes(), new String[] {"cbw", "cwd", "?", "cdq", "?", "?", "?", "cqo"}[size - 1], 0, 0, 0));
            setBit(b, d, size, 1);
            if (byteOp) {
                Form f = form(1, true, 0x80);
                f.regField = 4;
                f.rm = d;
                f.imm = 0xFE;
                f.immBytes = 1;
                b.add(ins(b, f, "and " + d + ", 0xfe", 0, Flags.LOGIC, Flags.AF));
            } else {
                Form f = form(size, false, 0x0F, 0xBA);
                f.regField = 6;
                f.rm = d;
                f.imm = 0;
                f.immBytes = 1;
                b.add(ins(b, f, "btr " + d + ", 0x0", 0, Flags.CF, Flags.ALL & ~Flags.CF));
            }
        }
        Form f = form(size, byteOp, byteOp ? 0xF6 : 0xF7);
        f.regField = signed ? 7 : 6;
        f.rm = d;
        b.add(ins(b, f, (signed ? "idiv " : "div ") + d, 0, 0, Flags.ALL));
    }

    private void setBit(Builder b, Opnd d, int size, int bit) {
        if (size == 1) {
            Form f = form(1, true, 0x80);
            f.regField = 1;
            f.rm = d;
            f.imm = 1L << bit;
            f.immBytes = 1;
            b.add(ins(b, f, "or " + d + ", " + Asm.imm(1L << bit), 0, Flags.LOGIC, Flags.AF));
        } else {
            Form f = form(size, false, 0x0F, 0xBA);
            f.regField = 5;
            f.rm = d;
            f.imm = bit;
            f.immBytes = 1;
            b.add(ins(b, f, "bts " + d + ", " + Asm.imm(bit), 0, Flags.CF, Flags.ALL & ~Flags.CF));
        }
    }

    private void pushPop(Builder b) {
        boolean push = b.depth < 8 || (b.depth < MAX_DEPTH && rnd.nextBoolean());
        int size = rnd.nextInt(5) == 0 ? 2 : 8;
        if (push) {
            switch (rnd.nextInt(4)) {
                case 0: case 1: {
                    Reg r = rreg(size);
                    b.add(new Ins(Asm.opReg(r, size == 2, false, new int[] {0x50}, 0, 0), "push " + r, 0, 0, 0));
                    break;
                }
                case 2: {
                    boolean short8 = rnd.nextBoolean();
                    int ib = short8 ? 1 : size == 2 ? 2 : 4;
                    long v = imm(ib);
                    ByteArrayBuilder bb = new ByteArrayBuilder();
                    if (size == 2) {
                        bb.add(0x66);
                    }
                    bb.add(short8 ? 0x6A : 0x68);
                    bb.le(v, ib);
                    b.add(new Ins(bb.bytes(), (size == 2 ? "push word " : "push qword ") + Asm.imm(v), 0, 0, 0));
                    break;
                }
                default: {
                    Mem m = mem(b, size, true);
                    Form f = Asm.form(size == 2 ? 2 : 4, 0xFF); // 64-bit by default: no REX.W
                    f.regField = 6;
                    f.rm = m;
                    b.add(ins(b, f, "push " + m, 0, 0, 0));
                }
            }
            b.depth += size;
        } else {
            if (rnd.nextInt(4) == 0) {
                // pop to scratch memory (not RSP-based: its address would use the new RSP)
                int off = rnd.nextInt(Layout.SCRATCH_SIZE - size + 1);
                Mem m = rnd.nextBoolean() ? new Mem(size, Asm.R15, off) : new Mem(size, Asm.RIP, memAddress + off);
                Form f = Asm.form(size == 2 ? 2 : 4, 0x8F);
                f.regField = 0;
                f.rm = m;
                b.add(ins(b, f, "pop " + m, 0, 0, 0));
            } else {
                Reg r = wreg(size);
                if (r.high()) {
                    r = new Reg(r.num(), size);
                }
                b.add(new Ins(Asm.opReg(r, size == 2, false, new int[] {0x58}, 0, 0), "pop " + r, 0, 0, 0));
            }
            b.depth -= size;
        }
    }

    /**
     * A forward Jcc (rel8 or rel32) or JMP over one instruction. For Jcc the skipped instruction
     * runs or not depending on defined flags, so only flags defined on both paths stay defined.
     */
    private void jump(Builder b) {
        if (rnd.nextInt(4) == 0) {
            loop(b);
            return;
        }
        boolean cond = rnd.nextInt(4) != 0;
        int cc = cond ? ccPick(rnd, b.defined) : -1;
        boolean rel32 = rnd.nextInt(4) == 0;
        int jlen = rel32 ? (cond ? 6 : 5) : 2;
        Builder inner = new Builder(b.at + jlen, b.defined, b.depth);
        unit(inner, true);
        if (inner.list.size() != 1 || inner.depth != b.depth) {
            throw RETRY;
        }
        Ins skipped = inner.list.get(0);
        int n = skipped.bytes().length;
        ByteArrayBuilder bb = new ByteArrayBuilder();
        if (cond) {
            if (rel32) {
                bb.add(0x0F);
                bb.add(0x80 + cc);
                bb.le(n, 4);
            } else {
                bb.add(0x70 + cc);
                bb.add(n);
            }
        } else {
            bb.add(rel32 ? 0xE9 : 0xEB);
            bb.le(n, rel32 ? 4 : 1);
        }
        String mn = cond ? "j" + Flags.CC[cc] : "jmp";
        int reads = cond ? Flags.readsOf(cc) : 0;
        b.add(new Ins(bb.bytes(), mn + " +" + n + (rel32 ? " (rel32)" : "") + " (over the next instruction)",
                reads, 0, 0));
        int before = b.defined;
        if (cond) {
            b.add(skipped);
            // defined after: defined on the path that skips (before) and on the one that runs it
            b.defined = before & skipped.apply(before);
        } else {
            // never runs: its flags effect does not count
            b.list.add(new Ins(skipped.bytes(), skipped.text() + "   (skipped)", 0, 0, 0));
            b.at += n;
        }
    }

    /**
     * A string instruction (MOVS, STOS, LODS, CMPS, SCAS; with REP/REPE/REPNE or without) after
     * CLD or STD and set-up of RDI/RSI (inside the scratch area for the whole run) and RCX.
     */
    private void string(Builder b) {
        int size = size();
        int kind = rnd.nextInt(5); // MOVS STOS LODS CMPS SCAS
        boolean compare = kind >= 3;
        boolean rep = rnd.nextInt(3) != 0;
        boolean back = rnd.nextInt(4) == 0;
        int n = rep ? (compare ? 1 + rnd.nextInt(6) : rnd.nextInt(7)) : 1;
        n = Math.min(n, Layout.SCRATCH_SIZE / size);
        // with 0x67 the instruction uses ESI/EDI/ECX only: their upper halves get random bits
        boolean a32 = rnd.nextInt(3) == 0;
        b.add(new Ins(new byte[] {(byte) (back ? 0xFD : 0xFC)}, back ? "std" : "cld", 0, 0, 0));
        boolean usesDi = kind != 2;
        boolean usesSi = kind == 0 || kind == 2 || kind == 3;
        if (usesDi) {
            pointer(b, Asm.RDI, n, size, back, a32);
        }
        if (usesSi) {
            pointer(b, Asm.RSI, n, size, back, a32);
        }
        if (rep) {
            if (a32) {
                movabs(b, Asm.RCX, (rnd.nextLong() & 0xFFFFFFFF00000000L) | n);
            } else {
                Reg ecx = new Reg(Asm.RCX, 4);
                b.add(new Ins(Asm.opReg(ecx, false, false, new int[] {0xB8}, n, 4), "mov ecx, " + n, 0, 0, 0));
            }
        }
        ByteArrayBuilder bb = new ByteArrayBuilder();
        if (a32) {
            bb.add(0x67);
        }
        String prefix = "";
        if (rep) {
            boolean ne = compare && rnd.nextBoolean();
            bb.add(ne ? 0xF2 : 0xF3);
            prefix = ne ? "repne " : compare ? "repe " : "rep ";
        }
        if (size == 2) {
            bb.add(0x66);
        }
        if (size == 8) {
            bb.add(0x48);
        }
        int[] ops = {0xA4, 0xAA, 0xAC, 0xA6, 0xAE};
        bb.add(ops[kind] + (size == 1 ? 0 : 1));
        String[] mn = {"movs", "stos", "lods", "cmps", "scas"};
        String sfx = size == 1 ? "b" : size == 2 ? "w" : size == 4 ? "d" : "q";
        b.add(new Ins(bb.bytes(), prefix + mn[kind] + sfx + (a32 ? " (addr32: esi/edi/ecx)" : ""), 0,
                compare ? Flags.ALL : 0, 0));
    }

    private void movabs(Builder b, int reg, long v) {
        Reg r = new Reg(reg, 8);
        b.add(new Ins(Asm.opReg(r, false, true, new int[] {0xB8}, v, 8), "movabs " + r + ", " + Asm.imm(v), 0, 0, 0));
    }

    /**
     * Points {@code reg} into scratch so that n elements from there, in the direction of DF,
     * stay in scratch: lea reg, [r15 + o]; with {@code a32}, movabs of the address with random
     * upper 32 bits (which a 32-bit address size ignores).
     */
    private void pointer(Builder b, int reg, int n, int size, boolean back, boolean a32) {
        int span = Math.max(n, 1) * size;
        int o = back ? span - size + rnd.nextInt(Layout.SCRATCH_SIZE - span + 1)
                : rnd.nextInt(Layout.SCRATCH_SIZE - span + 1);
        if (a32) {
            movabs(b, reg, (rnd.nextLong() & 0xFFFFFFFF00000000L) | (memAddress + o));
            return;
        }
        Form f = form(8, false, 0x8D);
        f.reg = new Reg(reg, 8);
        f.rm = new Mem(8, Asm.R15, o);
        b.add(ins(b, f, "lea " + f.reg + ", [r15+" + Asm.imm(o) + "]", 0, 0, 0));
    }

    /**
     * A forward control transfer over zero or one instruction: CALL rel32, PUSH + RET, JMP and
     * CALL through a register or through scratch memory. CALL leaves its return address on the
     * stack (popped later like any pushed value).
     */
    private void control(Builder b) {
        int kind = rnd.nextInt(6);
        boolean call = kind == 0 || kind == 4 || kind == 5;
        if (call && b.depth > MAX_DEPTH - 8) {
            throw RETRY;
        }
        Reg r = wreg(8);
        if (r.high()) {
            r = new Reg(Asm.RBX, 8);
        }
        int off = rnd.nextInt(Layout.SCRATCH_SIZE - 7);
        Mem slot = new Mem(8, Asm.R15, off);
        // lengths first (they do not depend on the target), then the skipped instruction, then
        // the real encoding
        long at = b.at;
        List<Ins> pre = controlIns(b, kind, r, slot, at, at);
        int len = 0;
        for (Ins i : pre) {
            len += i.bytes().length;
        }
        Ins skipped = null;
        if (rnd.nextBoolean()) {
            Builder inner = new Builder(at + len, b.defined, b.depth);
            unit(inner, true);
            if (inner.list.size() != 1) {
                throw RETRY;
            }
            skipped = inner.list.get(0);
        }
        long target = at + len + (skipped == null ? 0 : skipped.bytes().length);
        Builder t = new Builder(at, b.defined, b.depth);
        for (Ins i : controlIns(t, kind, r, slot, at, target)) {
            t.add(i);
        }
        for (Ins i : t.list) {
            b.add(i);
        }
        if (skipped != null) {
            b.list.add(new Ins(skipped.bytes(), skipped.text() + "   (skipped)", 0, 0, 0));
            b.at += skipped.bytes().length;
        }
        if (call) {
            b.depth += 8;
        }
    }

    private List<Ins> controlIns(Builder b, int kind, Reg r, Mem slot, long at, long target) {
        List<Ins> out = new ArrayList<>();
        String to = " (to 0x" + Long.toHexString(target) + ")";
        switch (kind) {
            case 0: { // call rel32
                ByteArrayBuilder bb = new ByteArrayBuilder();
                bb.add(0xE8);
                bb.le(target - (at + 5), 4);
                out.add(new Ins(bb.bytes(), "call +" + (target - at - 5) + to, 0, 0, 0));
                return out;
            }
            case 1: { // push imm32; ret
                ByteArrayBuilder bb = new ByteArrayBuilder();
                bb.add(0x68);
                bb.le(target, 4);
                out.add(new Ins(bb.bytes(), "push qword " + Asm.imm(target), 0, 0, 0));
                out.add(new Ins(new byte[] {(byte) 0xC3}, "ret" + to, 0, 0, 0));
                return out;
            }
            case 2: case 4: { // lea r, [rip -> target]; jmp r / call r
                Form f = form(8, false, 0x8D);
                f.reg = r;
                f.rm = new Mem(8, Asm.RIP, target);
                byte[] lea = Asm.encode(at, f);
                out.add(new Ins(lea, "lea " + r + ", " + ((Mem) f.rm).address(), 0, 0, 0));
                Form j = Asm.form(4, 0xFF);
                j.regField = kind == 2 ? 4 : 2;
                j.rm = r;
                out.add(new Ins(Asm.encode(at + lea.length, j), (kind == 2 ? "jmp " : "call ") + r + to, 0, 0, 0));
                return out;
            }
            default: { // mov qword [slot], imm32; jmp / call qword [slot]
                Form m = form(8, false, 0xC7);
                m.regField = 0;
                m.rm = slot;
                m.imm = target;
                m.immBytes = 4;
                byte[] mv = Asm.encode(at, m);
                out.add(new Ins(mv, "mov " + slot + ", " + Asm.imm(target), 0, 0, 0));
                Form j = Asm.form(4, 0xFF);
                j.regField = kind == 3 ? 4 : 2;
                j.rm = slot;
                out.add(new Ins(Asm.encode(at + mv.length, j), (kind == 3 ? "jmp " : "call ") + slot + to, 0, 0, 0));
                return out;
            }
        }
    }

    /** A stack frame as compilers build it: push rbp; mov rbp, rsp; [push ...]; leave. */
    private void frame(Builder b) {
        if (b.depth > MAX_DEPTH - 16) {
            throw RETRY;
        }
        b.add(new Ins(new byte[] {0x55}, "push rbp", 0, 0, 0));
        b.add(new Ins(new byte[] {0x48, (byte) 0x89, (byte) 0xE5}, "mov rbp, rsp", 0, 0, 0));
        if (rnd.nextBoolean()) {
            Reg r = rreg(8);
            b.add(new Ins(Asm.opReg(r, false, false, new int[] {0x50}, 0, 0), "push " + r, 0, 0, 0));
        }
        b.add(new Ins(new byte[] {(byte) 0xC9}, "leave", 0, 0, 0));
    }

    /**
     * LOOPNE / LOOPE / LOOP / JrCXZ (0x67: ECX) forward over one instruction, sometimes after
     * setting RCX to 0 or 1 (random upper half with 0x67) so that both outcomes occur.
     */
    private void loop(Builder b) {
        int kind = rnd.nextInt(4); // E0 LOOPNE, E1 LOOPE, E2 LOOP, E3 JrCXZ
        boolean a32 = rnd.nextInt(3) == 0;
        int reads = kind <= 1 ? Flags.ZF : 0;
        if ((reads & ~b.defined) != 0) {
            throw RETRY;
        }
        if (rnd.nextBoolean()) {
            long v = rnd.nextInt(2) | (a32 ? rnd.nextLong() & 0xFFFFFFFF00000000L : 0);
            movabs(b, Asm.RCX, v);
        }
        int jlen = a32 ? 3 : 2;
        Builder inner = new Builder(b.at + jlen, b.defined, b.depth);
        unit(inner, true);
        if (inner.list.size() != 1 || inner.depth != b.depth) {
            throw RETRY;
        }
        Ins skipped = inner.list.get(0);
        int n = skipped.bytes().length;
        byte[] e = a32 ? new byte[] {0x67, (byte) (0xE0 + kind), (byte) n} : new byte[] {(byte) (0xE0 + kind), (byte) n};
        String[] mn = {"loopne", "loope", "loop", a32 ? "jecxz" : "jrcxz"};
        b.add(new Ins(e, mn[kind] + " +" + n + (a32 && kind < 3 ? " (addr32: ecx)" : "") + " (over the next instruction)",
                reads, 0, 0));
        int before = b.defined;
        b.add(skipped);
        b.defined = before & skipped.apply(before);
    }

    /** Little byte buffer for hand-encoded forms. */
    private static final class ByteArrayBuilder {
        private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(16);

        void add(int b) {
            out.write(b);
        }

        void le(long v, int n) {
            for (int k = 0; k < n; k++) {
                out.write((int) (v >>> (8 * k)));
            }
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
