package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.X86Cpu.LF_ADC;
import static dev.zx4j.sim.x86.X86Cpu.LF_ADD;
import static dev.zx4j.sim.x86.X86Cpu.LF_DEC;
import static dev.zx4j.sim.x86.X86Cpu.LF_INC;
import static dev.zx4j.sim.x86.X86Cpu.LF_LOGIC;
import static dev.zx4j.sim.x86.X86Cpu.LF_SBB;
import static dev.zx4j.sim.x86.X86Cpu.LF_SUB;
import static dev.zx4j.sim.x86.X86Cpu.RAX;
import static dev.zx4j.sim.x86.X86Cpu.RDX;
import static dev.zx4j.sim.x86.X86Cpu.RSP;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * Builds {@link CodeBlock.OpBlock}s for 64-bit mode: each decoded instruction becomes an
 * {@link Op} specialised for its form (operand kinds and size, addressing, flag needs), or a
 * {@link Generic} op running it through {@link X86Cpu#exec}.
 *
 * <h2>Flags</h2>
 * A backward pass over the block finds, for each instruction, whether any later reader can see
 * the arithmetic flags it produces. They are dead when a later instruction of the same block
 * overwrites all six flags before anything reads them and before any instruction that might
 * fault or exit (a fault, trap or exit shows the exact flags), and they are always live at the
 * end of the block. Ops whose flags are dead skip the lazy-flag update altogether. A conditional
 * op that follows a known flag producer in the same block (SUB/CMP, ADD, or a logic op of a known
 * size) evaluates its condition straight from the lazy operands.
 *
 * <h2>Scope</h2>
 * Specialised: MOV/MOVZX/MOVSX/LEA between registers, immediates and memory with 64-bit
 * addressing (no FS/GS), the eight ALU operations, TEST, INC/DEC/NEG/NOT, shifts and rotates by an
 * immediate whose flags are dead, IMUL, MUL, CMOVcc, SETcc, PUSH/POP, Jcc, JMP, CALL, RET and
 * indirect JMP/CALL. Operand sizes 4 and 8 for results written to registers (1 and 2 only where
 * nothing merges into a register). Everything else is {@link Generic}.
 */
final class Ops {
    private Ops() {
    }

    private static final int UNKNOWN = -1;
    private static final long M32 = 0xFFFFFFFFL;

    // =====================================================================================
    // Block compiler
    // =====================================================================================

    /** Builds the op form of a decoded 64-bit block starting at linear address {@code la}. */
    static CodeBlock.OpBlock compile(Insn[] insns, long la) {
        int n = insns.length;
        long[] ips = new long[n];
        long ip = la;
        for (int i = 0; i < n; i++) {
            ips[i] = ip;
            ip += insns[i].len;
        }
        long end = ip;
        boolean[] liveAfter = new boolean[n];
        boolean live = true;
        for (int i = n - 1; i >= 0; i--) {
            liveAfter[i] = live;
            Insn in = insns[i];
            if (killsFlags(in)) {
                live = false;
            }
            if (!flagNeutral(in) || mayFault(in)) {
                live = true;
            }
        }
        ArrayList<Op> ops = new ArrayList<>(n);
        int[] first = new int[n];
        int[] upTo = new int[n];
        int producer = UNKNOWN;
        int producerSize = 0;
        for (int i = 0; i < n; i++) {
            Insn in = insns[i];
            if (in.op == Insn.NOP) {
                continue;
            }
            long next = i + 1 < n ? ips[i + 1] : end;
            Op o = specialise(in, next, liveAfter[i], producer, producerSize);
            if (o == null) {
                o = new Generic(in, ips[i]);
            }
            first[ops.size()] = i;
            upTo[ops.size()] = i + 1;
            ops.add(o);
            if (o instanceof Generic || killsFlags(in) || !flagNeutral(in)) {
                int k = lazyKind(in);
                producer = k != UNKNOWN && liveAfter[i] && !(o instanceof Generic) ? k : UNKNOWN;
                producerSize = in.opSize;
            }
        }
        int m = ops.size();
        if (m >= 2 && first[m - 2] == n - 2 && first[m - 1] == n - 1) {
            Op fused = fuse(ops.get(m - 2), ops.get(m - 1));
            if (fused != null) {
                ops.remove(m - 1);
                ops.set(m - 2, fused);
                m--;
                upTo[m - 1] = n;
            }
        }
        return new CodeBlock.OpBlock(la, insns, ips, end, ops.toArray(new Op[0]),
                Arrays.copyOf(first, m), Arrays.copyOf(upTo, m),
                !insns[n - 1].endsBlock);
    }

    /**
     * The flag producer and the conditional branch ending a block as one op (they are the last
     * two instructions, and the producer cannot fault), or null.
     */
    private static Op fuse(Op producer, Op branch) {
        if (branch instanceof JccSub) {
            JccSub j = (JccSub) branch;
            if (producer instanceof CmpRI) {
                CmpRI p = (CmpRI) producer;
                return new CmpRIJcc(p.d, p.b, p.m, p.size, j.cc, j.taken, j.fall, false);
            }
            if (producer instanceof SubRI) {
                SubRI p = (SubRI) producer;
                return new CmpRIJcc(p.d, p.b, p.m, p.size, j.cc, j.taken, j.fall, true);
            }
            if (producer instanceof CmpRR) {
                CmpRR p = (CmpRR) producer;
                return new CmpRRJcc(p.d, p.s, p.m, p.size, j.cc, j.taken, j.fall, false);
            }
            if (producer instanceof SubRR) {
                SubRR p = (SubRR) producer;
                return new CmpRRJcc(p.d, p.s, p.m, p.size, j.cc, j.taken, j.fall, true);
            }
        } else if (branch instanceof JccLogic) {
            JccLogic j = (JccLogic) branch;
            if (producer instanceof TestRR) {
                TestRR p = (TestRR) producer;
                return new TestRRJcc(p.d, p.s, p.m, p.size, j.cc, j.taken, j.fall);
            }
            if (producer instanceof TestRI) {
                TestRI p = (TestRI) producer;
                return new TestRIJcc(p.d, p.b, p.size, j.cc, j.taken, j.fall);
            }
        } else if (branch instanceof JccAdd) {
            JccAdd j = (JccAdd) branch;
            if (producer instanceof AddRI) {
                AddRI p = (AddRI) producer;
                return new AddRIJcc(p.d, p.b, p.m, p.size, j.cc, j.taken, j.fall);
            }
        }
        return null;
    }

    /** Whether the instruction sets all six arithmetic flags regardless of their old values. */
    static boolean killsFlags(Insn i) {
        switch (i.op) {
            case Insn.ALU_RM_R:
            case Insn.ALU_R_RM:
            case Insn.ALU_RM_IMM:
                return i.sub != 2 && i.sub != 3;
            case Insn.TEST_RM_R:
            case Insn.TEST_RM_IMM:
            case Insn.NEG:
            case Insn.IMUL_R_RM:
            case Insn.IMUL_R_RM_IMM:
            case Insn.MUL:
            case Insn.IMUL1:
                return true;
            case Insn.SHIFT:
                return shiftKillsFlags(i);
            default:
                return false;
        }
    }

    private static boolean shiftKillsFlags(Insn i) {
        return i.imm2 != 1 && i.sub >= 4 && (i.imm & (i.opSize == 8 ? 0x3F : 0x1F)) != 0;
    }

    /** Whether the instruction neither reads the arithmetic flags nor writes only some of them. */
    static boolean flagNeutral(Insn i) {
        switch (i.op) {
            case Insn.ALU_RM_R:
            case Insn.ALU_R_RM:
            case Insn.ALU_RM_IMM:
                return i.sub != 2 && i.sub != 3;
            case Insn.TEST_RM_R:
            case Insn.TEST_RM_IMM:
            case Insn.NEG:
            case Insn.IMUL_R_RM:
            case Insn.IMUL_R_RM_IMM:
            case Insn.MUL:
            case Insn.IMUL1:
                return true; // writes them all
            case Insn.SHIFT:
                return shiftKillsFlags(i);
            case Insn.MOV_RM_R:
            case Insn.MOV_R_RM:
            case Insn.MOV_RM_IMM:
            case Insn.MOV_R_IMM:
            case Insn.MOVZX:
            case Insn.MOVSX:
            case Insn.LEA:
            case Insn.NOT:
            case Insn.XCHG:
            case Insn.PUSH_R:
            case Insn.POP_R:
            case Insn.PUSH_IMM:
            case Insn.PUSH_RM:
            case Insn.POP_RM:
            case Insn.CBW:
            case Insn.CWD:
            case Insn.BSWAP:
            case Insn.NOP:
            case Insn.JMP_REL:
            case Insn.CALL_REL:
            case Insn.RET:
            case Insn.JMP_RM:
            case Insn.CALL_RM:
            case Insn.LEAVE:
            case Insn.MOV_MOFFS:
                return true; // touches none
            default:
                return false;
        }
    }

    /**
     * Whether the instruction might fault, trap or exit (then the flags before it must be exact).
     * Register-only forms of the common integer instructions cannot.
     */
    static boolean mayFault(Insn i) {
        if (i.lock) {
            return true;
        }
        switch (i.op) {
            case Insn.NOP:
                return false;
            case Insn.LEA:
                return false;
            case Insn.ALU_RM_R:
            case Insn.ALU_R_RM:
            case Insn.ALU_RM_IMM:
            case Insn.TEST_RM_R:
            case Insn.TEST_RM_IMM:
            case Insn.INC:
            case Insn.DEC:
            case Insn.NEG:
            case Insn.NOT:
            case Insn.SHIFT:
            case Insn.SHLD:
            case Insn.SHRD:
            case Insn.MUL:
            case Insn.IMUL1:
            case Insn.IMUL_R_RM:
            case Insn.IMUL_R_RM_IMM:
            case Insn.MOV_RM_R:
            case Insn.MOV_R_RM:
            case Insn.MOV_RM_IMM:
            case Insn.MOV_R_IMM:
            case Insn.MOVZX:
            case Insn.MOVSX:
            case Insn.XCHG:
            case Insn.CBW:
            case Insn.CWD:
            case Insn.SETCC:
            case Insn.CMOVCC:
            case Insn.BSF:
            case Insn.BSR:
            case Insn.TZCNT:
            case Insn.LZCNT:
            case Insn.BSWAP:
            case Insn.BT:
                return i.mem;
            default:
                return true;
        }
    }

    /** The lazy-flag kind an instruction leaves, or UNKNOWN. */
    private static int lazyKind(Insn i) {
        switch (i.op) {
            case Insn.ALU_RM_R:
            case Insn.ALU_R_RM:
            case Insn.ALU_RM_IMM:
                switch (i.sub) {
                    case 0: return LF_ADD;
                    case 1: case 4: case 6: return LF_LOGIC;
                    case 5: case 7: return LF_SUB;
                    default: return UNKNOWN;
                }
            case Insn.TEST_RM_R:
            case Insn.TEST_RM_IMM:
                return LF_LOGIC;
            case Insn.NEG:
                return LF_SUB;
            default:
                return UNKNOWN;
        }
    }

    private static boolean gpr(int id) {
        return id >= 0 && id < 16;
    }

    private static boolean size48(int s) {
        return s == 4 || s == 8;
    }

    /** A memory operand the specialised ops can address: 64-bit addressing, segment base 0. */
    private static boolean simpleMem(Insn i) {
        return i.mem && i.addrSize == 8 && i.seg < X86Cpu.FS;
    }

    /** The specialised op for {@code i}, or null. */
    private static Op specialise(Insn i, long next, boolean fl, int producer, int producerSize) {
        // LOCK forms and REP-prefixed ones (other than the REP RET / BND branch idioms) stay
        // with the interpreter.
        if (i.lock || (i.rep != 0 && i.op != Insn.RET && i.op != Insn.JCC && i.op != Insn.JMP_REL
                && i.op != Insn.CALL_REL)) {
            return null;
        }
        int s = i.opSize;
        long m = X86Cpu.mask(s);
        switch (i.op) {
            case Insn.MOV_R_IMM:
                if (size48(s)) {
                    return new MovRI(i.rm, i.imm & m);
                }
                return null;
            case Insn.MOV_RM_R:
                if (!i.mem) {
                    return size48(s) ? new MovRR(i.rm, i.reg, m) : null;
                }
                return simpleMem(i) && gpr(i.reg) ? new Store(i, next, i.reg, s) : null;
            case Insn.MOV_R_RM:
                if (!size48(s)) {
                    return null;
                }
                if (!i.mem) {
                    return new MovRR(i.reg, i.rm, m);
                }
                return simpleMem(i) ? new Load(i, next, i.reg, s) : null;
            case Insn.MOV_RM_IMM:
                if (!i.mem) {
                    return size48(s) ? new MovRI(i.rm, i.imm & m) : null;
                }
                return simpleMem(i) ? new StoreImm(i, next, i.imm, s) : null;
            case Insn.MOVZX:
            case Insn.MOVSX: {
                boolean sx = i.op == Insn.MOVSX;
                if (!size48(s)) {
                    return null;
                }
                if (!i.mem) {
                    return gpr(i.rm) ? new ExtendRR(i.reg, i.rm, i.srcSize, sx, m) : null;
                }
                return simpleMem(i) ? new ExtendLoad(i, next, i.reg, i.srcSize, sx, m) : null;
            }
            case Insn.LEA:
                if (size48(s) && i.addrSize == 8) {
                    return new Lea(i, next, i.reg, m);
                }
                return null;
            case Insn.ALU_RM_R:
            case Insn.ALU_R_RM:
            case Insn.ALU_RM_IMM:
                return alu(i, next, fl, s, m);
            case Insn.TEST_RM_R:
            case Insn.TEST_RM_IMM: {
                boolean imm = i.op == Insn.TEST_RM_IMM;
                if (!imm && !gpr(i.reg)) {
                    return null;
                }
                if (!i.mem) {
                    if (!gpr(i.rm)) {
                        return null;
                    }
                    return imm ? new TestRI(i.rm, i.imm & m, m, s) : new TestRR(i.rm, i.reg, m, s);
                }
                return simpleMem(i) ? new AluMem(i, next, 8, imm ? -1 : i.reg, i.imm & m, s, fl, false)
                        : null;
            }
            case Insn.INC:
            case Insn.DEC:
                if (!i.mem && size48(s)) {
                    return new IncDec(i.rm, i.op == Insn.INC, m, s, fl);
                }
                return null;
            case Insn.NEG:
                if (!i.mem && size48(s)) {
                    return new Neg(i.rm, m, s, fl);
                }
                return null;
            case Insn.NOT:
                if (!i.mem && size48(s)) {
                    return new Not(i.rm, m);
                }
                return null;
            case Insn.SHIFT: {
                if (i.mem || !size48(s) || i.imm2 == 1 || fl) {
                    return null;
                }
                int count = (int) (i.imm & (s == 8 ? 0x3F : 0x1F));
                if (count == 0 || i.sub == 2 || i.sub == 3) {
                    return null;
                }
                return new ShiftRI(i.rm, i.sub, count, s);
            }
            case Insn.IMUL_R_RM:
                if (!i.mem && size48(s)) {
                    return new Imul(i.reg, i.rm, i.reg, 0, s, fl);
                }
                return null;
            case Insn.IMUL_R_RM_IMM:
                if (!i.mem && size48(s)) {
                    return new Imul(i.reg, i.rm, -1, i.imm, s, fl);
                }
                return null;
            case Insn.MUL:
                if (!i.mem && size48(s)) {
                    return new Mul(i.rm, s, fl);
                }
                return null;
            case Insn.CMOVCC:
                if (!i.mem && size48(s)) {
                    return new Cmov(i.reg, i.rm, i.sub, m);
                }
                return null;
            case Insn.SETCC:
                if (!i.mem && gpr(i.rm)) {
                    return new Setcc(i.rm, i.sub);
                }
                return null;
            case Insn.PUSH_R:
                return s == 8 ? new Push(next, i.rm) : null;
            case Insn.POP_R:
                return s == 8 ? new Pop(i.rm) : null;
            case Insn.PUSH_IMM:
                return s == 8 ? new PushImm(next, i.imm) : null;
            case Insn.JCC: {
                long t = next + i.imm;
                if (s != 8 || !X86Cpu.canonical(t)) {
                    return null;
                }
                switch (producer) {
                    case LF_SUB: return new JccSub(i.sub, producerSize, t, next);
                    case LF_ADD: return new JccAdd(i.sub, producerSize, t, next);
                    case LF_LOGIC: return new JccLogic(i.sub, producerSize, t, next);
                    default: return new Jcc(i.sub, t, next);
                }
            }
            case Insn.JMP_REL: {
                long t = next + i.imm;
                return s == 8 && X86Cpu.canonical(t) ? new Jmp(t) : null;
            }
            case Insn.CALL_REL: {
                long t = next + i.imm;
                return s == 8 && X86Cpu.canonical(t) ? new Call(t, next) : null;
            }
            case Insn.RET:
                return s == 8 ? new Ret(8 + i.imm) : null;
            case Insn.JMP_RM:
            case Insn.CALL_RM: {
                boolean call = i.op == Insn.CALL_RM;
                if (s != 8) {
                    return null;
                }
                if (!i.mem) {
                    return new IndirectReg(i.rm, call, next);
                }
                return simpleMem(i) ? new IndirectMem(i, next, call) : null;
            }
            default:
                return null;
        }
    }

    private static Op alu(Insn i, long next, boolean fl, int s, long m) {
        int sub = i.sub;
        boolean toReg = i.op == Insn.ALU_R_RM;
        boolean imm = i.op == Insn.ALU_RM_IMM;
        if (!i.mem) {
            int d = toReg ? i.reg : i.rm;
            int src = toReg ? i.rm : i.reg;
            if (!gpr(d) || !imm && !gpr(src)) {
                return null;
            }
            if (!size48(s) && sub != 7) {
                return null; // narrower results merge into the register
            }
            long b = i.imm & m;
            switch (sub) {
                case 0: return imm ? new AddRI(d, b, m, s, fl) : new AddRR(d, src, m, s, fl);
                case 1: return imm ? new OrRI(d, b, m, s, fl) : new OrRR(d, src, m, s, fl);
                case 2: return imm ? new AdcRI(d, b, m, s, fl) : new AdcRR(d, src, m, s, fl);
                case 3: return imm ? new SbbRI(d, b, m, s, fl) : new SbbRR(d, src, m, s, fl);
                case 4: return imm ? new AndRI(d, b, m, s, fl) : new AndRR(d, src, m, s, fl);
                case 5: return imm ? new SubRI(d, b, m, s, fl) : new SubRR(d, src, m, s, fl);
                case 6: return imm ? new XorRI(d, b, m, s, fl) : new XorRR(d, src, m, s, fl);
                default: return imm ? new CmpRI(d, b, m, s) : new CmpRR(d, src, m, s);
            }
        }
        if (!simpleMem(i) || sub == 2 || sub == 3) {
            return null;
        }
        if (toReg) {
            return size48(s) && gpr(i.reg) ? new AluRegMem(i, next, sub, i.reg, s, fl) : null;
        }
        if (!imm && !gpr(i.reg)) {
            return null;
        }
        return new AluMem(i, next, sub, imm ? -1 : i.reg, i.imm & m, s, fl, sub != 7);
    }

    /** After a store: stops the block if the write dropped decoded code. */
    private static void written(X86Cpu c, long next) {
        if (c.codeInvalidated) {
            c.rip = next;
            throw CpuSignal.CODE_WRITTEN_STOP;
        }
    }

    // =====================================================================================
    // Generic fallback
    // =====================================================================================

    /** Any instruction, run by the interpreter ({@link X86Cpu#exec}). */
    static final class Generic extends Op {
        final Insn in;
        final long ip;

        Generic(Insn in, long ip) {
            this.in = in;
            this.ip = ip;
        }

        @Override
        void run(X86Cpu c) {
            c.rip = ip;
            c.cur = in;
            c.exec(in);
            if (c.shadow) {
                if (c.shadowFresh) {
                    c.shadowFresh = false;
                } else {
                    c.shadow = false;
                }
            }
            if (c.codeInvalidated) {
                throw CpuSignal.CODE_WRITTEN_STOP;
            }
        }
    }

    // =====================================================================================
    // Moves
    // =====================================================================================

    static final class MovRR extends Op {
        final int d, s;
        final long m;

        MovRR(int d, int s, long m) {
            this.d = d;
            this.s = s;
            this.m = m;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            r[d] = r[s] & m;
        }
    }

    static final class MovRI extends Op {
        final int d;
        final long v;

        MovRI(int d, long v) {
            this.d = d;
            this.v = v;
        }

        @Override
        void run(X86Cpu c) {
            c.regs[d] = v;
        }
    }

    /** MOVZX/MOVSX/MOVSXD register to register (source byte registers AL..R15B only). */
    static final class ExtendRR extends Op {
        final int d, s, shift;
        final boolean sx;
        final long m;

        ExtendRR(int d, int s, int srcSize, boolean sx, long m) {
            this.d = d;
            this.s = s;
            this.shift = 64 - srcSize * 8;
            this.sx = sx;
            this.m = m;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = r[s] << shift;
            r[d] = (sx ? v >> shift : v >>> shift) & m;
        }
    }

    /** A memory operand: base + index * 2^scale + disp (RIP-relative folded into disp). */
    abstract static class MemOp extends Op {
        final int base, index, scale;
        final long disp;
        /** Address of the next instruction. */
        final long next;

        MemOp(Insn i, long next) {
            this.next = next;
            if (i.base == Insn.BASE_RIP) {
                base = -1;
                disp = i.disp + next;
            } else {
                base = i.base;
                disp = i.disp;
            }
            index = i.index;
            scale = i.scale;
        }

        final long ea(long[] r) {
            long a = disp;
            if (base >= 0) {
                a += r[base];
            }
            if (index >= 0) {
                a += r[index] << scale;
            }
            return a;
        }
    }

    static final class Lea extends MemOp {
        final int d;
        final long m;

        Lea(Insn i, long next, int d, long m) {
            super(i, next);
            this.d = d;
            this.m = m;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            r[d] = ea(r) & m;
        }
    }

    /** MOV r32/r64, m. */
    static final class Load extends MemOp {
        final int d, size;

        Load(Insn i, long next, int d, int size) {
            super(i, next);
            this.d = d;
            this.size = size;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long la = ea(r);
            r[d] = size == 8 ? c.ld64(la) : c.ld32(la);
        }
    }

    /** MOVZX/MOVSX/MOVSXD r32/r64, m8/m16/m32. */
    static final class ExtendLoad extends MemOp {
        final int d, srcSize, shift;
        final boolean sx;
        final long m;

        ExtendLoad(Insn i, long next, int d, int srcSize, boolean sx, long m) {
            super(i, next);
            this.d = d;
            this.srcSize = srcSize;
            this.shift = 64 - srcSize * 8;
            this.sx = sx;
            this.m = m;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = c.ld(ea(r), srcSize);
            r[d] = sx ? ((v << shift) >> shift) & m : v;
        }
    }

    /** MOV m, r (any size; byte registers AL..R15B only). */
    static final class Store extends MemOp {
        final int s, size;

        Store(Insn i, long next, int s, int size) {
            super(i, next);
            this.s = s;
            this.size = size;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            c.st(ea(r), size, r[s]);
            written(c, next);
        }
    }

    /** MOV m, imm. */
    static final class StoreImm extends MemOp {
        final long v;
        final int size;

        StoreImm(Insn i, long next, long v, int size) {
            super(i, next);
            this.v = v;
            this.size = size;
        }

        @Override
        void run(X86Cpu c) {
            c.st(ea(c.regs), size, v);
            written(c, next);
        }
    }

    // =====================================================================================
    // ALU, register destination
    // =====================================================================================

    /** Fields shared by the register ALU ops: destination, mask, size, whether flags are live. */
    abstract static class AluOp extends Op {
        final int d, size;
        final long m;
        final boolean fl;

        AluOp(int d, long m, int size, boolean fl) {
            this.d = d;
            this.m = m;
            this.size = size;
            this.fl = fl;
        }

        final void flags(X86Cpu c, int op, long a, long b, long r) {
            lazyFlags(c, op, size, a, b, r);
        }
    }

    static final class AddRR extends AluOp {
        final int s;

        AddRR(int d, int s, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long b = r[s] & m;
            long v = (a + b) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_ADD, a, b, v);
            }
        }
    }

    static final class AddRI extends AluOp {
        final long b;

        AddRI(int d, long b, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long v = (a + b) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_ADD, a, b, v);
            }
        }
    }

    static final class SubRR extends AluOp {
        final int s;

        SubRR(int d, int s, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long b = r[s] & m;
            long v = (a - b) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_SUB, a, b, v);
            }
        }
    }

    static final class SubRI extends AluOp {
        final long b;

        SubRI(int d, long b, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long v = (a - b) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_SUB, a, b, v);
            }
        }
    }

    /** CMP r, r (any size: nothing is written back). */
    static final class CmpRR extends AluOp {
        final int s;

        CmpRR(int d, int s, long m, int size) {
            super(d, m, size, true);
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long b = r[s] & m;
            flags(c, LF_SUB, a, b, (a - b) & m);
        }
    }

    static final class CmpRI extends AluOp {
        final long b;

        CmpRI(int d, long b, long m, int size) {
            super(d, m, size, true);
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            long a = c.regs[d] & m;
            flags(c, LF_SUB, a, b, (a - b) & m);
        }
    }

    static final class AndRR extends AluOp {
        final int s;

        AndRR(int d, int s, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = r[d] & r[s] & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_LOGIC, 0, 0, v);
            }
        }
    }

    static final class AndRI extends AluOp {
        final long b;

        AndRI(int d, long b, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = r[d] & b;
            r[d] = v;
            if (fl) {
                flags(c, LF_LOGIC, 0, 0, v);
            }
        }
    }

    static final class OrRR extends AluOp {
        final int s;

        OrRR(int d, int s, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = (r[d] | r[s]) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_LOGIC, 0, 0, v);
            }
        }
    }

    static final class OrRI extends AluOp {
        final long b;

        OrRI(int d, long b, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = (r[d] | b) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_LOGIC, 0, 0, v);
            }
        }
    }

    static final class XorRR extends AluOp {
        final int s;

        XorRR(int d, int s, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = (r[d] ^ r[s]) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_LOGIC, 0, 0, v);
            }
        }
    }

    static final class XorRI extends AluOp {
        final long b;

        XorRI(int d, long b, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = (r[d] ^ b) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_LOGIC, 0, 0, v);
            }
        }
    }

    static final class AdcRR extends AluOp {
        final int s;

        AdcRR(int d, int s, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long b = r[s] & m;
            long cin = c.cfBit();
            long v = (a + b + cin) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_ADC, a, b, v);
                c.lfCin = cin;
            }
        }
    }

    static final class AdcRI extends AluOp {
        final long b;

        AdcRI(int d, long b, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long cin = c.cfBit();
            long v = (a + b + cin) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_ADC, a, b, v);
                c.lfCin = cin;
            }
        }
    }

    static final class SbbRR extends AluOp {
        final int s;

        SbbRR(int d, int s, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long b = r[s] & m;
            long cin = c.cfBit();
            long v = (a - b - cin) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_SBB, a, b, v);
                c.lfCin = cin;
            }
        }
    }

    static final class SbbRI extends AluOp {
        final long b;

        SbbRI(int d, long b, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long cin = c.cfBit();
            long v = (a - b - cin) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_SBB, a, b, v);
                c.lfCin = cin;
            }
        }
    }

    /** TEST r, r (any size). */
    static final class TestRR extends AluOp {
        final int s;

        TestRR(int d, int s, long m, int size) {
            super(d, m, size, true);
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            flags(c, LF_LOGIC, 0, 0, r[d] & r[s] & m);
        }
    }

    /** TEST r, imm (any size; {@code b} already masked). */
    static final class TestRI extends AluOp {
        final long b;

        TestRI(int d, long b, long m, int size) {
            super(d, m, size, true);
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            flags(c, LF_LOGIC, 0, 0, c.regs[d] & b);
        }
    }

    static final class IncDec extends AluOp {
        final boolean inc;

        IncDec(int d, boolean inc, long m, int size, boolean fl) {
            super(d, m, size, fl);
            this.inc = inc;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long v = (inc ? a + 1 : a - 1) & m;
            r[d] = v;
            if (fl) {
                long cf = c.cfBit();
                c.rflags = (c.rflags & ~X86Cpu.FLAG_CF) | cf;
                flags(c, inc ? LF_INC : LF_DEC, a, 1, v);
            }
        }
    }

    static final class Neg extends AluOp {
        Neg(int d, long m, int size, boolean fl) {
            super(d, m, size, fl);
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long v = (-a) & m;
            r[d] = v;
            if (fl) {
                flags(c, LF_SUB, 0, a, v);
            }
        }
    }

    static final class Not extends Op {
        final int d;
        final long m;

        Not(int d, long m) {
            this.d = d;
            this.m = m;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            r[d] = ~r[d] & m;
        }
    }

    /** SHL/SHR/SAR/ROL/ROR by a nonzero immediate, flags dead. */
    static final class ShiftRI extends Op {
        final int d, kind, n, size;

        ShiftRI(int d, int kind, int n, int size) {
            this.d = d;
            this.kind = kind;
            this.n = n;
            this.size = size;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d];
            long v;
            if (size == 8) {
                switch (kind) {
                    case 0: v = Long.rotateLeft(a, n); break;
                    case 1: v = Long.rotateRight(a, n); break;
                    case 5: v = a >>> n; break;
                    case 7: v = a >> n; break;
                    default: v = a << n; break;
                }
            } else {
                int x = (int) a;
                int y;
                switch (kind) {
                    case 0: y = Integer.rotateLeft(x, n); break;
                    case 1: y = Integer.rotateRight(x, n); break;
                    case 5: y = x >>> n; break;
                    case 7: y = x >> n; break;
                    default: y = x << n; break;
                }
                v = y & M32;
            }
            r[d] = v;
        }
    }

    /** IMUL r, r/m (src2 = the destination) or IMUL r, r/m, imm (src2 = -1), register source. */
    static final class Imul extends Op {
        final int d, s, s2, size;
        final long imm;
        final boolean fl;

        Imul(int d, int s, int s2, long imm, int size, boolean fl) {
            this.d = d;
            this.s = s;
            this.s2 = s2;
            this.imm = imm;
            this.size = size;
            this.fl = fl;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = size == 8 ? r[s] : (int) r[s];
            long b = s2 < 0 ? imm : size == 8 ? r[s2] : (int) r[s2];
            long lo = a * b;
            r[d] = size == 8 ? lo : lo & M32;
            if (fl) {
                boolean ovf = size == 8 ? Math.multiplyHigh(a, b) != (lo >> 63) : (int) lo != lo;
                c.setArith((ovf ? X86Cpu.FLAG_CF | X86Cpu.FLAG_OF : 0) | X86Cpu.szp(lo, size));
            }
        }
    }

    /** MUL r32/r64: RDX:RAX = RAX * r. */
    static final class Mul extends Op {
        final int s, size;
        final boolean fl;

        Mul(int s, int size, boolean fl) {
            this.s = s;
            this.size = size;
            this.fl = fl;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long lo;
            long hi;
            if (size == 8) {
                long a = r[RAX];
                long b = r[s];
                lo = a * b;
                hi = Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
            } else {
                long p = (r[RAX] & M32) * (r[s] & M32);
                lo = p & M32;
                hi = p >>> 32;
            }
            r[RAX] = lo;
            r[RDX] = hi;
            if (fl) {
                c.setArith((hi != 0 ? X86Cpu.FLAG_CF | X86Cpu.FLAG_OF : 0) | X86Cpu.szp(lo, size));
            }
        }
    }

    static final class Cmov extends Op {
        final int d, s, cc;
        final long m;

        Cmov(int d, int s, int cc, long m) {
            this.d = d;
            this.s = s;
            this.cc = cc;
            this.m = m;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            r[d] = (c.cond(cc) ? r[s] : r[d]) & m;
        }
    }

    static final class Setcc extends Op {
        final int d, cc;

        Setcc(int d, int cc) {
            this.d = d;
            this.cc = cc;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            r[d] = (r[d] & ~0xFFL) | (c.cond(cc) ? 1 : 0);
        }
    }

    // =====================================================================================
    // ALU with a memory operand
    // =====================================================================================

    static long aluValue(int sub, long a, long b, long m) {
        switch (sub) {
            case 0: return (a + b) & m;
            case 1: return (a | b) & m;
            case 4: return a & b & m;
            case 6: return (a ^ b) & m;
            case 8: return a & b & m; // TEST
            default: return (a - b) & m; // SUB, CMP
        }
    }

    static int aluKind(int sub) {
        switch (sub) {
            case 0: return LF_ADD;
            case 5: case 7: return LF_SUB;
            default: return LF_LOGIC;
        }
    }

    /** OP r, m (ADD OR AND SUB XOR CMP) into a 32/64-bit register. */
    static final class AluRegMem extends MemOp {
        final int sub, d, size, kind;
        final long m;
        final boolean fl;

        AluRegMem(Insn i, long next, int sub, int d, int size, boolean fl) {
            super(i, next);
            this.sub = sub;
            this.d = d;
            this.size = size;
            this.m = X86Cpu.mask(size);
            this.fl = fl;
            this.kind = aluKind(sub);
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long b = size == 8 ? c.ld64(ea(r)) : c.ld32(ea(r));
            long a = r[d] & m;
            long v = aluValue(sub, a, b, m);
            if (sub != 7) {
                r[d] = v;
            }
            if (fl) {
                lazyFlags(c, kind, size, a, b, v);
            }
        }
    }

    /**
     * OP m, r / OP m, imm (ADD OR AND SUB XOR CMP, and TEST as sub 8), any size: read, compute,
     * write back unless CMP/TEST, then the flags.
     */
    static final class AluMem extends MemOp {
        final int sub, s, size, kind;
        final long imm, m;
        final boolean fl, write;

        AluMem(Insn i, long next, int sub, int s, long imm, int size, boolean fl, boolean write) {
            super(i, next);
            this.sub = sub;
            this.s = s;
            this.imm = imm;
            this.size = size;
            this.m = X86Cpu.mask(size);
            this.fl = fl;
            this.write = write;
            this.kind = aluKind(sub);
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long la = ea(r);
            long a = c.ld(la, size);
            long b = s < 0 ? imm : r[s] & m;
            long v = aluValue(sub, a, b, m);
            if (write) {
                c.st(la, size, v);
            }
            if (fl) {
                lazyFlags(c, kind, size, sub == 8 ? 0 : a, sub == 8 ? 0 : b, v);
            }
            if (write) {
                written(c, next);
            }
        }
    }

    // =====================================================================================
    // Stack
    // =====================================================================================

    static final class Push extends Op {
        final long next;
        final int s;

        Push(long next, int s) {
            this.next = next;
            this.s = s;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long sp = r[RSP] - 8;
            c.st64(sp, r[s]);
            r[RSP] = sp;
            written(c, next);
        }
    }

    static final class PushImm extends Op {
        final long next;
        final long v;

        PushImm(long next, long v) {
            this.next = next;
            this.v = v;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long sp = r[RSP] - 8;
            c.st64(sp, v);
            r[RSP] = sp;
            written(c, next);
        }
    }

    static final class Pop extends Op {
        final int d;

        Pop(int d) {
            this.d = d;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = c.ld64(r[RSP]);
            r[RSP] += 8;
            r[d] = v;
        }
    }

    // =====================================================================================
    // Control transfer (always the last op of a block)
    // =====================================================================================

    /**
     * A conditional branch that ends its block: condition code, the operand size its flags
     * come from (0 when they are read from RFLAGS), and the two successors.
     */
    abstract static class Branch extends Op {
        final int cc, size;
        final long taken, fall;

        Branch(int cc, int size, long taken, long fall) {
            this.cc = cc;
            this.size = size;
            this.taken = taken;
            this.fall = fall;
        }
    }

    /** Jcc on the lazy flags, whatever produced them. */
    static final class Jcc extends Branch {
        Jcc(int cc, long taken, long fall) {
            super(cc, 0, taken, fall);
        }

        @Override
        void run(X86Cpu c) {
            c.rip = c.cond(cc) ? taken : fall;
        }
    }

    /** Jcc whose flags come from a SUB/CMP/NEG of {@code size} bytes earlier in the block. */
    static final class JccSub extends Branch {
        JccSub(int cc, int size, long taken, long fall) {
            super(cc, size, taken, fall);
        }

        @Override
        void run(X86Cpu c) {
            c.rip = X86Cpu.condSub(cc, size, c.lfA, c.lfB, c.lfR) ? taken : fall;
        }
    }

    /** Jcc whose flags come from an ADD of {@code size} bytes earlier in the block. */
    static final class JccAdd extends Branch {
        JccAdd(int cc, int size, long taken, long fall) {
            super(cc, size, taken, fall);
        }

        @Override
        void run(X86Cpu c) {
            c.rip = X86Cpu.condAdd(cc, size, c.lfA, c.lfB, c.lfR) ? taken : fall;
        }
    }

    /** Jcc whose flags come from AND/OR/XOR/TEST of {@code size} bytes earlier in the block. */
    static final class JccLogic extends Branch {
        JccLogic(int cc, int size, long taken, long fall) {
            super(cc, size, taken, fall);
        }

        @Override
        void run(X86Cpu c) {
            c.rip = X86Cpu.condLogic(cc, size, c.lfR) ? taken : fall;
        }
    }

    /** CMP r, imm or SUB r, imm ({@code write}) followed by Jcc. */
    static final class CmpRIJcc extends Branch {
        final int d;
        final long b, m;
        final boolean write;

        CmpRIJcc(int d, long b, long m, int size, int cc, long taken, long fall, boolean write) {
            super(cc, size, taken, fall);
            this.d = d;
            this.b = b;
            this.m = m;
            this.write = write;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long v = (a - b) & m;
            if (write) {
                r[d] = v;
            }
            lazyFlags(c, LF_SUB, size, a, b, v);
            c.rip = X86Cpu.condSub(cc, size, a, b, v) ? taken : fall;
        }
    }

    /** CMP r, r or SUB r, r ({@code write}) followed by Jcc. */
    static final class CmpRRJcc extends Branch {
        final int d, s;
        final long m;
        final boolean write;

        CmpRRJcc(int d, int s, long m, int size, int cc, long taken, long fall, boolean write) {
            super(cc, size, taken, fall);
            this.d = d;
            this.s = s;
            this.m = m;
            this.write = write;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long b = r[s] & m;
            long v = (a - b) & m;
            if (write) {
                r[d] = v;
            }
            lazyFlags(c, LF_SUB, size, a, b, v);
            c.rip = X86Cpu.condSub(cc, size, a, b, v) ? taken : fall;
        }
    }

    /** TEST r, r followed by Jcc. */
    static final class TestRRJcc extends Branch {
        final int d, s;
        final long m;

        TestRRJcc(int d, int s, long m, int size, int cc, long taken, long fall) {
            super(cc, size, taken, fall);
            this.d = d;
            this.s = s;
            this.m = m;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long v = r[d] & r[s] & m;
            lazyFlags(c, LF_LOGIC, size, 0, 0, v);
            c.rip = X86Cpu.condLogic(cc, size, v) ? taken : fall;
        }
    }

    /** TEST r, imm followed by Jcc. */
    static final class TestRIJcc extends Branch {
        final int d;
        final long b;

        TestRIJcc(int d, long b, int size, int cc, long taken, long fall) {
            super(cc, size, taken, fall);
            this.d = d;
            this.b = b;
        }

        @Override
        void run(X86Cpu c) {
            long v = c.regs[d] & b;
            lazyFlags(c, LF_LOGIC, size, 0, 0, v);
            c.rip = X86Cpu.condLogic(cc, size, v) ? taken : fall;
        }
    }

    /** ADD r, imm followed by Jcc. */
    static final class AddRIJcc extends Branch {
        final int d;
        final long b, m;

        AddRIJcc(int d, long b, long m, int size, int cc, long taken, long fall) {
            super(cc, size, taken, fall);
            this.d = d;
            this.b = b;
            this.m = m;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long a = r[d] & m;
            long v = (a + b) & m;
            r[d] = v;
            lazyFlags(c, LF_ADD, size, a, b, v);
            c.rip = X86Cpu.condAdd(cc, size, a, b, v) ? taken : fall;
        }
    }

    static final class Jmp extends Op {
        final long target;

        Jmp(long target) {
            this.target = target;
        }

        @Override
        void run(X86Cpu c) {
            c.rip = target;
        }
    }

    static final class Call extends Op {
        final long target, next;

        Call(long target, long next) {
            this.target = target;
            this.next = next;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long sp = r[RSP] - 8;
            c.st64(sp, next);
            r[RSP] = sp;
            c.rip = target;
            if (c.codeInvalidated) {
                throw CpuSignal.CODE_WRITTEN_STOP;
            }
        }
    }

    static final class Ret extends Op {
        final long release;

        Ret(long release) {
            this.release = release;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long t = c.ld64(r[RSP]);
            if (!X86Cpu.canonical(t)) {
                throw CpuSignal.fault(13, 0);
            }
            r[RSP] += release;
            c.rip = t;
        }
    }

    /** JMP/CALL r64. */
    static final class IndirectReg extends Op {
        final int s;
        final boolean call;
        final long next;

        IndirectReg(int s, boolean call, long next) {
            this.s = s;
            this.call = call;
            this.next = next;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long t = r[s];
            if (!X86Cpu.canonical(t)) {
                throw CpuSignal.fault(13, 0);
            }
            if (call) {
                long sp = r[RSP] - 8;
                c.st64(sp, next);
                r[RSP] = sp;
            }
            c.rip = t;
            if (c.codeInvalidated) {
                throw CpuSignal.CODE_WRITTEN_STOP;
            }
        }
    }

    /** JMP/CALL m64 (jump tables, function pointers in memory). */
    static final class IndirectMem extends MemOp {
        final boolean call;

        IndirectMem(Insn i, long next, boolean call) {
            super(i, next);
            this.call = call;
        }

        @Override
        void run(X86Cpu c) {
            long[] r = c.regs;
            long t = c.ld64(ea(r));
            if (!X86Cpu.canonical(t)) {
                throw CpuSignal.fault(13, 0);
            }
            if (call) {
                long sp = r[RSP] - 8;
                c.st64(sp, next);
                r[RSP] = sp;
            }
            c.rip = t;
            if (c.codeInvalidated) {
                throw CpuSignal.CODE_WRITTEN_STOP;
            }
        }
    }
}
