package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.X86Cpu.LF_ADD;
import static dev.zx4j.sim.x86.X86Cpu.LF_LOGIC;
import static dev.zx4j.sim.x86.X86Cpu.LF_SUB;

import dev.zx4j.sim.x86.CompiledAlu.AdcRI;
import dev.zx4j.sim.x86.CompiledAlu.AdcRR;
import dev.zx4j.sim.x86.CompiledAlu.AddRI;
import dev.zx4j.sim.x86.CompiledAlu.AddRR;
import dev.zx4j.sim.x86.CompiledAlu.AluMem;
import dev.zx4j.sim.x86.CompiledAlu.AluRegMem;
import dev.zx4j.sim.x86.CompiledAlu.AndRI;
import dev.zx4j.sim.x86.CompiledAlu.AndRR;
import dev.zx4j.sim.x86.CompiledAlu.Cmov;
import dev.zx4j.sim.x86.CompiledAlu.CmpRI;
import dev.zx4j.sim.x86.CompiledAlu.CmpRR;
import dev.zx4j.sim.x86.CompiledAlu.Imul;
import dev.zx4j.sim.x86.CompiledAlu.IncDec;
import dev.zx4j.sim.x86.CompiledAlu.Mul;
import dev.zx4j.sim.x86.CompiledAlu.Neg;
import dev.zx4j.sim.x86.CompiledAlu.Not;
import dev.zx4j.sim.x86.CompiledAlu.OrRI;
import dev.zx4j.sim.x86.CompiledAlu.OrRR;
import dev.zx4j.sim.x86.CompiledAlu.SbbRI;
import dev.zx4j.sim.x86.CompiledAlu.SbbRR;
import dev.zx4j.sim.x86.CompiledAlu.Setcc;
import dev.zx4j.sim.x86.CompiledAlu.ShiftRI;
import dev.zx4j.sim.x86.CompiledAlu.SubRI;
import dev.zx4j.sim.x86.CompiledAlu.SubRR;
import dev.zx4j.sim.x86.CompiledAlu.TestRI;
import dev.zx4j.sim.x86.CompiledAlu.TestRR;
import dev.zx4j.sim.x86.CompiledAlu.XorRI;
import dev.zx4j.sim.x86.CompiledAlu.XorRR;
import dev.zx4j.sim.x86.CompiledBranches.AddRIJcc;
import dev.zx4j.sim.x86.CompiledBranches.Call;
import dev.zx4j.sim.x86.CompiledBranches.CmpRIJcc;
import dev.zx4j.sim.x86.CompiledBranches.CmpRRJcc;
import dev.zx4j.sim.x86.CompiledBranches.IndirectMem;
import dev.zx4j.sim.x86.CompiledBranches.IndirectReg;
import dev.zx4j.sim.x86.CompiledBranches.Jcc;
import dev.zx4j.sim.x86.CompiledBranches.JccAdd;
import dev.zx4j.sim.x86.CompiledBranches.JccLogic;
import dev.zx4j.sim.x86.CompiledBranches.JccSub;
import dev.zx4j.sim.x86.CompiledBranches.Jmp;
import dev.zx4j.sim.x86.CompiledBranches.Ret;
import dev.zx4j.sim.x86.CompiledBranches.TestRIJcc;
import dev.zx4j.sim.x86.CompiledBranches.TestRRJcc;
import dev.zx4j.sim.x86.CompiledMoves.ExtendLoad;
import dev.zx4j.sim.x86.CompiledMoves.ExtendRR;
import dev.zx4j.sim.x86.CompiledMoves.Lea;
import dev.zx4j.sim.x86.CompiledMoves.Load;
import dev.zx4j.sim.x86.CompiledMoves.MovRI;
import dev.zx4j.sim.x86.CompiledMoves.MovRR;
import dev.zx4j.sim.x86.CompiledMoves.Store;
import dev.zx4j.sim.x86.CompiledMoves.StoreImm;
import dev.zx4j.sim.x86.CompiledStack.Pop;
import dev.zx4j.sim.x86.CompiledStack.Push;
import dev.zx4j.sim.x86.CompiledStack.PushImm;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * Builds {@link CodeBlock.OpBlock}s for 64-bit mode: each decoded instruction becomes an
 * {@link Op} specialised for its form (operand kinds and size, addressing, flag needs), or a
 * {@link Generic} op running it through {@link Interpreter#exec}.
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
 * nothing merges into a register). Everything else is {@link Generic}; for the 8- and 16-bit
 * register forms, shifts and rotates of any width and DIV/IDIV it is a {@link Generic} subclass
 * that also records the operands, so that the translator can emit them inline.
 */
final class Ops {
    private Ops() {
    }

    static final int UNKNOWN = -1;
    static final long M32 = 0xFFFFFFFFL;

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
                o = interpreted(in, ips[i], next, liveAfter[i]);
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
                if (s != 8 || !Paging.canonical(t)) {
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
                return s == 8 && Paging.canonical(t) ? new Jmp(t) : null;
            }
            case Insn.CALL_REL: {
                long t = next + i.imm;
                return s == 8 && Paging.canonical(t) ? new Call(t, next) : null;
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

    /**
     * An instruction the op blocks leave to the interpreter: a {@link Generic}, or for the forms
     * the translator emits inline (narrow register ALU forms and moves, shifts and rotates, DIV and
     * IDIV) a {@link Generic} subclass that records the operands for it.
     */
    private static Generic interpreted(Insn i, long ip, long next, boolean fl) {
        if (i.lock || i.rep != 0) {
            return new Generic(i, ip);
        }
        int s = i.opSize;
        boolean narrow = s == 1 || s == 2;
        long m = X86Cpu.mask(s);
        int kind = -1;
        int d = -1;
        int src = -1;
        long imm = 0;
        CompiledMoves.MemOp mem = null;
        switch (i.op) {
            case Insn.ALU_RM_R:
            case Insn.ALU_R_RM:
            case Insn.ALU_RM_IMM: {
                boolean toReg = i.op == Insn.ALU_R_RM;
                if (!narrow || i.mem && !(toReg && simpleMem(i))) {
                    break;
                }
                kind = i.sub;
                d = toReg ? i.reg : i.rm;
                if (i.op == Insn.ALU_RM_IMM) {
                    imm = i.imm & m;
                } else if (i.mem) {
                    mem = new CompiledMoves.Address(i, next);
                } else {
                    src = toReg ? i.rm : i.reg;
                }
                break;
            }
            case Insn.TEST_RM_R:
            case Insn.TEST_RM_IMM:
                if (narrow && !i.mem) {
                    kind = CompiledAlu.Narrow.TEST;
                    d = i.rm;
                    src = i.op == Insn.TEST_RM_R ? i.reg : -1;
                    imm = i.imm & m;
                }
                break;
            case Insn.MOV_RM_R:
            case Insn.MOV_R_IMM:
            case Insn.MOV_RM_IMM:
                if (narrow && !i.mem) {
                    kind = CompiledAlu.Narrow.MOV;
                    d = i.rm;
                    src = i.op == Insn.MOV_RM_R ? i.reg : -1;
                    imm = i.imm & m;
                }
                break;
            case Insn.MOV_R_RM:
                if (narrow && (!i.mem || simpleMem(i))) {
                    kind = CompiledAlu.Narrow.MOV;
                    d = i.reg;
                    if (i.mem) {
                        mem = new CompiledMoves.Address(i, next);
                    } else {
                        src = i.rm;
                    }
                }
                break;
            case Insn.INC:
            case Insn.DEC:
            case Insn.NEG:
            case Insn.NOT:
                if (narrow && !i.mem) {
                    kind = i.op == Insn.INC ? CompiledAlu.Narrow.INC : i.op == Insn.DEC
                            ? CompiledAlu.Narrow.DEC : i.op == Insn.NEG ? CompiledAlu.Narrow.NEG
                            : CompiledAlu.Narrow.NOT;
                    d = i.rm;
                }
                break;
            case Insn.SHIFT:
                if (!i.mem && i.sub != 2 && i.sub != 3) {
                    int count = i.imm2 == 1 ? -1 : (int) (i.imm & (s == 8 ? 0x3F : 0x1F));
                    return new CompiledAlu.Shift(i, ip, i.sub, i.rm, count, s, fl);
                }
                break;
            case Insn.DIV:
            case Insn.IDIV:
                if (!i.mem) {
                    return new CompiledAlu.Div(i, ip, s, i.rm, null, i.op == Insn.IDIV);
                }
                if (simpleMem(i)) {
                    return new CompiledAlu.Div(i, ip, s, -1, new CompiledMoves.Address(i, next),
                            i.op == Insn.IDIV);
                }
                break;
            default:
                break;
        }
        if (kind < 0) {
            return new Generic(i, ip);
        }
        return new CompiledAlu.Narrow(i, ip, kind, s, d, src, imm, mem, fl);
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

    /**
     * The general registers an instruction can write, a bit per register (AH..BH count as their
     * full registers), or all sixteen when that is not known here.
     */
    static int writtenRegisters(Insn i) {
        if (i.lock || i.rep != 0) {
            return 0xFFFF;
        }
        switch (i.op) {
            case Insn.NOP:
            case Insn.TEST_RM_R:
            case Insn.TEST_RM_IMM:
                return 0;
            case Insn.ALU_RM_R:
            case Insn.ALU_RM_IMM:
                return i.sub == 7 || i.mem ? 0 : bit(i.rm);
            case Insn.ALU_R_RM:
                return i.sub == 7 ? 0 : bit(i.reg);
            case Insn.MOV_RM_R:
            case Insn.MOV_RM_IMM:
            case Insn.INC:
            case Insn.DEC:
            case Insn.NEG:
            case Insn.NOT:
            case Insn.SHIFT:
            case Insn.SHLD:
            case Insn.SHRD:
            case Insn.SETCC:
                return i.mem ? 0 : bit(i.rm);
            case Insn.MOV_R_IMM:
            case Insn.BSWAP:
                return bit(i.rm);
            case Insn.MOV_R_RM:
            case Insn.MOVZX:
            case Insn.MOVSX:
            case Insn.LEA:
            case Insn.IMUL_R_RM:
            case Insn.IMUL_R_RM_IMM:
            case Insn.CMOVCC:
            case Insn.BSF:
            case Insn.BSR:
            case Insn.TZCNT:
            case Insn.LZCNT:
            case Insn.POPCNT:
                return bit(i.reg);
            case Insn.MUL:
            case Insn.IMUL1:
            case Insn.DIV:
            case Insn.IDIV:
            case Insn.CBW:
            case Insn.CWD:
                return bit(X86Cpu.RAX) | bit(X86Cpu.RDX);
            case Insn.XCHG:
                return bit(i.reg) | (i.mem ? 0 : bit(i.rm));
            default:
                return 0xFFFF;
        }
    }

    private static int bit(int id) {
        return 1 << (id & 15);
    }

    /** After a store: stops the block if the write dropped decoded code. */
    static void written(X86Cpu c, long next) {
        if (c.codeInvalidated) {
            c.rip = next;
            throw CpuSignal.CODE_WRITTEN_STOP;
        }
    }

    // =====================================================================================
    // Generic fallback
    // =====================================================================================

    /** Any instruction, run by the interpreter ({@link Interpreter#exec}). */
    static class Generic extends Op {
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
            Interpreter.exec(c, in);
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

}
