package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.Translator.CPU;
import static dev.zx4j.sim.x86.Translator.FLAGS;
import static dev.zx4j.sim.x86.Translator.MEMORY;
import static dev.zx4j.sim.x86.Translator.SELF;
import static org.objectweb.asm.Opcodes.*;

import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * The bytecode emission of {@link UnitGenerator}: the local-variable layout of a unit's
 * {@code run} method, moving guest state between the CPU fields and the locals, small emitters
 * (constants, effective addresses, memory accesses, lazy flags, conditions) and the inline form
 * of every op a unit does not call.
 *
 * <p>Locals of the generated {@code run}: the CPU, the guest registers the unit uses (longs), the
 * lazy-flag state (op, size, operands, result), the retired count, the budget end, the index of
 * the op that may raise a signal next, the next RIP at an exit, and temporaries.
 */
abstract class UnitEmitter {
    static final String SHIFTS = "dev/zx4j/sim/x86/Shifts";
    static final String MULDIV = "dev/zx4j/sim/x86/MulDiv";

    // local variable slots
    static final int C = 1;
    static final int REG0 = 2;          // 16 longs: 2..33
    static final int LFOP = 34, LFSIZE = 35, LFA = 36, LFB = 38, LFR = 40;
    static final int RET = 42, END = 44, PC = 46, NEXT = 47;
    static final int T0 = 49, T1 = 51, T2 = 53, T3 = 55, EX = 57, REGS = 58, CNT = 59;

    boolean[] used = new boolean[16];
    boolean[] written = new boolean[16];
    final List<Integer> pcUpTo = new ArrayList<>();
    MethodVisitor mv;
    /** Registers (and the flags) changed in locals since they last matched the CPU fields. */
    final boolean[] dirty = new boolean[16];
    boolean flagsDirty;
    Label codeWritten;
    boolean recording;

    // ---- state movement ------------------------------------------------------------

    void loadFromArray(int r) {
        mv.visitVarInsn(ALOAD, REGS);
        iconst(r);
        mv.visitInsn(LALOAD);
        mv.visitVarInsn(LSTORE, REG0 + 2 * r);
    }

    void flushRegs() {
        for (int r = 0; r < 16; r++) {
            if (written[r]) {
                mv.visitVarInsn(ALOAD, REGS);
                iconst(r);
                mv.visitVarInsn(LLOAD, REG0 + 2 * r);
                mv.visitInsn(LASTORE);
            }
        }
    }

    void flushFlags() {
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(ILOAD, LFOP);
        mv.visitFieldInsn(PUTFIELD, CPU, "lfOp", "I");
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(ILOAD, LFSIZE);
        mv.visitFieldInsn(PUTFIELD, CPU, "lfSize", "I");
        for (String f : new String[] {"lfA", "lfB", "lfR"}) {
            mv.visitVarInsn(ALOAD, C);
            mv.visitVarInsn(LLOAD, f.equals("lfA") ? LFA : f.equals("lfB") ? LFB : LFR);
            mv.visitFieldInsn(PUTFIELD, CPU, f, "J");
        }
    }

    void reloadFlags() {
        mv.visitVarInsn(ALOAD, C);
        mv.visitFieldInsn(GETFIELD, CPU, "lfOp", "I");
        mv.visitVarInsn(ISTORE, LFOP);
        mv.visitVarInsn(ALOAD, C);
        mv.visitFieldInsn(GETFIELD, CPU, "lfSize", "I");
        mv.visitVarInsn(ISTORE, LFSIZE);
        for (String f : new String[] {"lfA", "lfB", "lfR"}) {
            mv.visitVarInsn(ALOAD, C);
            mv.visitFieldInsn(GETFIELD, CPU, f, "J");
            mv.visitVarInsn(LSTORE, f.equals("lfA") ? LFA : f.equals("lfB") ? LFB : LFR);
        }
    }

    void flushAll() {
        flushRegs();
        flushFlags();
    }

    // ---- small emitters ------------------------------------------------------------

    static void iconstTo(MethodVisitor m, int v) {
        if (v <= 5) {
            m.visitInsn(ICONST_0 + v);
        } else if (v <= Short.MAX_VALUE) {
            m.visitIntInsn(SIPUSH, v);
        } else {
            m.visitLdcInsn(v);
        }
    }

    void iconst(int v) {
        if (v >= -1 && v <= 5) {
            mv.visitInsn(ICONST_0 + v);
        } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
            mv.visitIntInsn(BIPUSH, v);
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            mv.visitIntInsn(SIPUSH, v);
        } else {
            mv.visitLdcInsn(v);
        }
    }

    void lconst(long v) {
        if (v == 0 || v == 1) {
            mv.visitInsn(v == 0 ? LCONST_0 : LCONST_1);
        } else {
            mv.visitLdcInsn(v);
        }
    }

    void readReg(int r) {
        used[r] = true;
        mv.visitVarInsn(LLOAD, REG0 + 2 * r);
    }

    void writeReg(int r) {
        used[r] = true;
        written[r] = true;
        dirty[r] = true;
        mv.visitVarInsn(LSTORE, REG0 + 2 * r);
    }

    void and(long m) {
        if (m != -1L) {
            lconst(m);
            mv.visitInsn(LAND);
        }
    }

    void pc(int k) {
        iconst(k);
        mv.visitVarInsn(ISTORE, PC);
    }

    /** Pushes the effective address of a memory op. */
    void ea(CompiledMoves.MemOp m) {
        lconst(m.disp);
        if (m.base >= 0) {
            readReg(m.base);
            mv.visitInsn(LADD);
        }
        if (m.index >= 0) {
            readReg(m.index);
            if (m.scale != 0) {
                iconst(m.scale);
                mv.visitInsn(LSHL);
            }
            mv.visitInsn(LADD);
        }
    }

    /** [c, la] on the stack → value. */
    void load(int size) {
        String name = size == 1 ? "ld8" : size == 2 ? "ld16" : size == 4 ? "ld32" : "ld64";
        mv.visitMethodInsn(INVOKESTATIC, MEMORY, name, "(L" + CPU + ";J)J", false);
    }

    /** [c, la, v] on the stack → stored. */
    void store(int size) {
        String name = size == 1 ? "st8" : size == 2 ? "st16" : size == 4 ? "st32" : "st64";
        mv.visitMethodInsn(INVOKESTATIC, MEMORY, name, "(L" + CPU + ";JJ)V", false);
    }

    /** After a store of op {@code k}: leave with RIP = {@code next} if it hit decoded code. */
    void written(int k, long next) {
        Label ok = new Label();
        mv.visitVarInsn(ALOAD, C);
        mv.visitFieldInsn(GETFIELD, CPU, "codeInvalidated", "Z");
        mv.visitJumpInsn(IFEQ, ok);
        lconst(next);
        mv.visitVarInsn(LSTORE, NEXT);
        addRet(pcUpTo.get(k));
        mv.visitJumpInsn(GOTO, codeWritten);
        mv.visitLabel(ok);
    }

    /** Same, RIP taken from local {@code slot}. */
    void writtenDynamic(int k, int slot) {
        Label ok = new Label();
        mv.visitVarInsn(ALOAD, C);
        mv.visitFieldInsn(GETFIELD, CPU, "codeInvalidated", "Z");
        mv.visitJumpInsn(IFEQ, ok);
        mv.visitVarInsn(LLOAD, slot);
        mv.visitVarInsn(LSTORE, NEXT);
        addRet(pcUpTo.get(k));
        mv.visitJumpInsn(GOTO, codeWritten);
        mv.visitLabel(ok);
    }

    void addRet(int n) {
        if (n == 0) {
            return;
        }
        mv.visitVarInsn(LLOAD, RET);
        lconst(n);
        mv.visitInsn(LADD);
        mv.visitVarInsn(LSTORE, RET);
    }

    /** Sets the lazy-flag locals from constants and the longs in slots (or -1 for 0). */
    void lazy(int op, int size, int aSlot, int bSlot, int rSlot) {
        flagsDirty = true;
        iconst(op);
        mv.visitVarInsn(ISTORE, LFOP);
        iconst(size);
        mv.visitVarInsn(ISTORE, LFSIZE);
        if (aSlot < 0) {
            mv.visitInsn(LCONST_0);
        } else {
            mv.visitVarInsn(LLOAD, aSlot);
        }
        mv.visitVarInsn(LSTORE, LFA);
        if (bSlot < 0) {
            mv.visitInsn(LCONST_0);
        } else {
            mv.visitVarInsn(LLOAD, bSlot);
        }
        mv.visitVarInsn(LSTORE, LFB);
        mv.visitVarInsn(LLOAD, rSlot);
        mv.visitVarInsn(LSTORE, LFR);
    }

    /** Pushes the condition {@code cc} on the current lazy-flag locals (0 or 1). */
    void condLocals(int cc) {
        mv.visitVarInsn(ALOAD, C);
        iconst(cc);
        mv.visitVarInsn(ILOAD, LFOP);
        mv.visitVarInsn(ILOAD, LFSIZE);
        mv.visitVarInsn(LLOAD, LFA);
        mv.visitVarInsn(LLOAD, LFB);
        mv.visitVarInsn(LLOAD, LFR);
        mv.visitMethodInsn(INVOKESTATIC, SELF, "cond", "(L" + CPU + ";IIIJJJ)Z", false);
    }

    // Conditions on known lazy operands, as bytecode (the same rules as Flags.condSub,
    // condAdd and condLogic): each pushes 1 or 0.

    /** Ends a condition: {@code yes} was jumped to when the unnegated test holds. */
    private void condEnd(int cc, Label yes) {
        Label done = new Label();
        boolean neg = (cc & 1) != 0;
        iconst(neg ? 1 : 0);
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(yes);
        iconst(neg ? 0 : 1);
        mv.visitLabel(done);
    }

    /** Pushes the value in {@code slot} with its sign bit flipped (unsigned order as signed). */
    private void unsignedKey(int slot) {
        mv.visitVarInsn(LLOAD, slot);
        lconst(Long.MIN_VALUE);
        mv.visitInsn(LXOR);
    }

    /** Pushes the value in {@code slot} sign-extended from {@code size} bytes. */
    private void signedValue(int slot, int size) {
        mv.visitVarInsn(LLOAD, slot);
        if (size != 8) {
            mv.visitInsn(L2I);
            if (size == 2) {
                mv.visitInsn(I2S);
            } else if (size == 1) {
                mv.visitInsn(I2B);
            }
            mv.visitInsn(I2L);
        }
    }

    /** Jumps to {@code yes} if {@code slot & m} is not zero. */
    private void ifBits(int slot, long m, Label yes) {
        mv.visitVarInsn(LLOAD, slot);
        lconst(m);
        mv.visitInsn(LAND);
        mv.visitInsn(LCONST_0);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFNE, yes);
    }

    private void ifZero(int slot, Label yes) {
        mv.visitVarInsn(LLOAD, slot);
        mv.visitInsn(LCONST_0);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFEQ, yes);
    }

    private void ifParity(int slot, Label yes) {
        mv.visitVarInsn(LLOAD, slot);
        mv.visitMethodInsn(INVOKESTATIC, FLAGS, "parity", "(J)Z", false);
        mv.visitJumpInsn(IFNE, yes);
    }

    /** Pushes (x ^ y) & (z ^ w) & m for slots x, y, z, w. */
    private void xorAnd(int x, int y, int z, int w, long m) {
        mv.visitVarInsn(LLOAD, x);
        mv.visitVarInsn(LLOAD, y);
        mv.visitInsn(LXOR);
        mv.visitVarInsn(LLOAD, z);
        mv.visitVarInsn(LLOAD, w);
        mv.visitInsn(LXOR);
        mv.visitInsn(LAND);
        lconst(m);
        mv.visitInsn(LAND);
    }

    /** Condition {@code cc} after {@code r = a - b} of {@code size} bytes (SUB, CMP, NEG). */
    void condSub(int cc, int size, int a, int b, int r) {
        Label yes = new Label();
        long sb = X86Cpu.signBit(size);
        switch (cc >> 1) {
            case 0: // OF
                xorAnd(a, b, a, r, sb);
                mv.visitInsn(LCONST_0);
                mv.visitInsn(LCMP);
                mv.visitJumpInsn(IFNE, yes);
                break;
            case 1: // CF: a < b unsigned
            case 3: // CF | ZF: a <= b unsigned
                unsignedKey(a);
                unsignedKey(b);
                mv.visitInsn(LCMP);
                mv.visitJumpInsn((cc >> 1) == 1 ? IFLT : IFLE, yes);
                break;
            case 2:
                ifZero(r, yes);
                break;
            case 4:
                ifBits(r, sb, yes);
                break;
            case 5:
                ifParity(r, yes);
                break;
            default: // SF != OF: a < b signed; or ZF: a <= b signed
                signedValue(a, size);
                signedValue(b, size);
                mv.visitInsn(LCMP);
                mv.visitJumpInsn((cc >> 1) == 6 ? IFLT : IFLE, yes);
                break;
        }
        condEnd(cc, yes);
    }

    /** Condition {@code cc} after {@code r = a + b} of {@code size} bytes (ADD). */
    void condAdd(int cc, int size, int a, int b, int r) {
        Label yes = new Label();
        long sb = X86Cpu.signBit(size);
        switch (cc >> 1) {
            case 0: // OF
                xorAnd(a, r, b, r, sb);
                mv.visitInsn(LCONST_0);
                mv.visitInsn(LCMP);
                mv.visitJumpInsn(IFNE, yes);
                break;
            case 1: // CF: r < a unsigned
            case 3: // CF | ZF
                if ((cc >> 1) == 3) {
                    ifZero(r, yes);
                }
                unsignedKey(r);
                unsignedKey(a);
                mv.visitInsn(LCMP);
                mv.visitJumpInsn(IFLT, yes);
                break;
            case 2:
                ifZero(r, yes);
                break;
            case 4:
                ifBits(r, sb, yes);
                break;
            case 5:
                ifParity(r, yes);
                break;
            default: // SF != OF (or ZF as well)
                if ((cc >> 1) == 7) {
                    ifZero(r, yes);
                }
                xorAnd(a, r, b, r, sb);
                mv.visitVarInsn(LLOAD, r);
                mv.visitInsn(LXOR);
                lconst(sb);
                mv.visitInsn(LAND);
                mv.visitInsn(LCONST_0);
                mv.visitInsn(LCMP);
                mv.visitJumpInsn(IFNE, yes);
                break;
        }
        condEnd(cc, yes);
    }

    /** Condition {@code cc} after a logic operation (CF = OF = 0) with result {@code r}. */
    void condLogic(int cc, int size, int r) {
        Label yes = new Label();
        long sb = X86Cpu.signBit(size);
        switch (cc >> 1) {
            case 0:
            case 1:
                break;
            case 2:
            case 3:
                ifZero(r, yes);
                break;
            case 4:
            case 6:
                ifBits(r, sb, yes);
                break;
            case 5:
                ifParity(r, yes);
                break;
            default:
                ifZero(r, yes);
                ifBits(r, sb, yes);
                break;
        }
        condEnd(cc, yes);
    }

    // ---- inline ops ----------------------------------------------------------------

    static boolean isControl(Op o) {
        return o instanceof CompiledBranches.Jmp || o instanceof CompiledBranches.Branch || o instanceof CompiledBranches.Call
                || o instanceof CompiledBranches.Ret || o instanceof CompiledBranches.IndirectReg
                || o instanceof CompiledBranches.IndirectMem;
    }

    /** Whether {@link #inline} emits {@code o}. */
    static boolean inlinable(Op o) {
        return o instanceof CompiledMoves.MovRR || o instanceof CompiledMoves.MovRI || o instanceof CompiledMoves.ExtendRR
                || o instanceof CompiledMoves.Lea || o instanceof CompiledMoves.Load || o instanceof CompiledMoves.ExtendLoad
                || o instanceof CompiledMoves.Store || o instanceof CompiledMoves.StoreImm || o instanceof CompiledAlu.AluOp
                || o instanceof CompiledAlu.Not || o instanceof CompiledAlu.ShiftRI || o instanceof CompiledAlu.Imul
                || o instanceof CompiledAlu.Mul || o instanceof CompiledAlu.Cmov || o instanceof CompiledAlu.Setcc
                || o instanceof CompiledAlu.AluRegMem || o instanceof CompiledAlu.AluMem || o instanceof CompiledStack.Push
                || o instanceof CompiledStack.PushImm || o instanceof CompiledStack.Pop
                || o instanceof CompiledAlu.Narrow || o instanceof CompiledAlu.Shift
                || o instanceof CompiledAlu.Div;
    }

    /** Emits {@code o} inline; false if the unit calls it instead. */
    boolean inline(Op o, int pc) {
        if (o instanceof CompiledAlu.Narrow) {
            narrow((CompiledAlu.Narrow) o, pc);
        } else if (o instanceof CompiledAlu.Shift) {
            shiftAny((CompiledAlu.Shift) o);
        } else if (o instanceof CompiledAlu.Div) {
            divide((CompiledAlu.Div) o, pc);
        } else if (o instanceof CompiledMoves.MovRR) {
            CompiledMoves.MovRR x = (CompiledMoves.MovRR) o;
            readReg(x.s);
            and(x.m);
            writeReg(x.d);
        } else if (o instanceof CompiledMoves.MovRI) {
            CompiledMoves.MovRI x = (CompiledMoves.MovRI) o;
            lconst(x.v);
            writeReg(x.d);
        } else if (o instanceof CompiledMoves.ExtendRR) {
            CompiledMoves.ExtendRR x = (CompiledMoves.ExtendRR) o;
            readReg(x.s);
            iconst(x.shift);
            mv.visitInsn(LSHL);
            iconst(x.shift);
            mv.visitInsn(x.sx ? LSHR : LUSHR);
            and(x.m);
            writeReg(x.d);
        } else if (o instanceof CompiledMoves.Lea) {
            CompiledMoves.Lea x = (CompiledMoves.Lea) o;
            ea(x);
            and(x.m);
            writeReg(x.d);
        } else if (o instanceof CompiledMoves.Load) {
            CompiledMoves.Load x = (CompiledMoves.Load) o;
            pc(pc);
            mv.visitVarInsn(ALOAD, C);
            ea(x);
            load(x.size);
            writeReg(x.d);
        } else if (o instanceof CompiledMoves.ExtendLoad) {
            CompiledMoves.ExtendLoad x = (CompiledMoves.ExtendLoad) o;
            pc(pc);
            mv.visitVarInsn(ALOAD, C);
            ea(x);
            load(x.srcSize);
            if (x.sx) {
                iconst(x.shift);
                mv.visitInsn(LSHL);
                iconst(x.shift);
                mv.visitInsn(LSHR);
                and(x.m);
            }
            writeReg(x.d);
        } else if (o instanceof CompiledMoves.Store) {
            CompiledMoves.Store x = (CompiledMoves.Store) o;
            pc(pc);
            mv.visitVarInsn(ALOAD, C);
            ea(x);
            readReg(x.s);
            store(x.size);
            written(pc, x.next);
        } else if (o instanceof CompiledMoves.StoreImm) {
            CompiledMoves.StoreImm x = (CompiledMoves.StoreImm) o;
            pc(pc);
            mv.visitVarInsn(ALOAD, C);
            ea(x);
            lconst(x.v);
            store(x.size);
            written(pc, x.next);
        } else if (o instanceof CompiledAlu.AluOp) {
            aluRegister((CompiledAlu.AluOp) o);
        } else if (o instanceof CompiledAlu.Not) {
            CompiledAlu.Not x = (CompiledAlu.Not) o;
            readReg(x.d);
            lconst(-1L);
            mv.visitInsn(LXOR);
            and(x.m);
            writeReg(x.d);
        } else if (o instanceof CompiledAlu.ShiftRI) {
            shift((CompiledAlu.ShiftRI) o);
        } else if (o instanceof CompiledAlu.Imul) {
            imul((CompiledAlu.Imul) o);
        } else if (o instanceof CompiledAlu.Mul) {
            mul((CompiledAlu.Mul) o);
        } else if (o instanceof CompiledAlu.Cmov) {
            CompiledAlu.Cmov x = (CompiledAlu.Cmov) o;
            Label no = new Label();
            Label done = new Label();
            condLocals(x.cc);
            mv.visitJumpInsn(IFEQ, no);
            readReg(x.s);
            mv.visitJumpInsn(GOTO, done);
            mv.visitLabel(no);
            readReg(x.d);
            mv.visitLabel(done);
            and(x.m);
            writeReg(x.d);
        } else if (o instanceof CompiledAlu.Setcc) {
            CompiledAlu.Setcc x = (CompiledAlu.Setcc) o;
            readReg(x.d);
            lconst(~0xFFL);
            mv.visitInsn(LAND);
            condLocals(x.cc);
            mv.visitInsn(I2L);
            mv.visitInsn(LOR);
            writeReg(x.d);
        } else if (o instanceof CompiledAlu.AluRegMem) {
            CompiledAlu.AluRegMem x = (CompiledAlu.AluRegMem) o;
            pc(pc);
            mv.visitVarInsn(ALOAD, C);
            ea(x);
            load(x.size);
            mv.visitVarInsn(LSTORE, T1);
            readReg(x.d);
            and(x.m);
            mv.visitVarInsn(LSTORE, T0);
            aluValue(x.sub, x.m);
            if (x.sub != 7) {
                mv.visitVarInsn(LLOAD, T2);
                writeReg(x.d);
            }
            if (x.fl) {
                lazy(x.kind, x.size, T0, T1, T2);
            }
        } else if (o instanceof CompiledAlu.AluMem) {
            CompiledAlu.AluMem x = (CompiledAlu.AluMem) o;
            pc(pc);
            ea(x);
            mv.visitVarInsn(LSTORE, T3);
            mv.visitVarInsn(ALOAD, C);
            mv.visitVarInsn(LLOAD, T3);
            load(x.size);
            mv.visitVarInsn(LSTORE, T0);
            if (x.s < 0) {
                lconst(x.imm);
            } else {
                readReg(x.s);
                and(x.m);
            }
            mv.visitVarInsn(LSTORE, T1);
            aluValue(x.sub, x.m);
            if (x.write) {
                mv.visitVarInsn(ALOAD, C);
                mv.visitVarInsn(LLOAD, T3);
                mv.visitVarInsn(LLOAD, T2);
                store(x.size);
            }
            if (x.fl) {
                boolean test = x.sub == 8;
                lazy(x.kind, x.size, test ? -1 : T0, test ? -1 : T1, T2);
            }
            if (x.write) {
                written(pc, x.next);
            }
        } else if (o instanceof CompiledStack.Push) {
            CompiledStack.Push x = (CompiledStack.Push) o;
            pc(pc);
            readReg(X86Cpu.RSP);
            lconst(8);
            mv.visitInsn(LSUB);
            mv.visitVarInsn(LSTORE, T1);
            mv.visitVarInsn(ALOAD, C);
            mv.visitVarInsn(LLOAD, T1);
            readReg(x.s);
            store(8);
            mv.visitVarInsn(LLOAD, T1);
            writeReg(X86Cpu.RSP);
            written(pc, x.next);
        } else if (o instanceof CompiledStack.PushImm) {
            CompiledStack.PushImm x = (CompiledStack.PushImm) o;
            pc(pc);
            readReg(X86Cpu.RSP);
            lconst(8);
            mv.visitInsn(LSUB);
            mv.visitVarInsn(LSTORE, T1);
            mv.visitVarInsn(ALOAD, C);
            mv.visitVarInsn(LLOAD, T1);
            lconst(x.v);
            store(8);
            mv.visitVarInsn(LLOAD, T1);
            writeReg(X86Cpu.RSP);
            written(pc, x.next);
        } else if (o instanceof CompiledStack.Pop) {
            CompiledStack.Pop x = (CompiledStack.Pop) o;
            pc(pc);
            mv.visitVarInsn(ALOAD, C);
            readReg(X86Cpu.RSP);
            load(8);
            mv.visitVarInsn(LSTORE, T0);
            readReg(X86Cpu.RSP);
            lconst(8);
            mv.visitInsn(LADD);
            writeReg(X86Cpu.RSP);
            mv.visitVarInsn(LLOAD, T0);
            writeReg(x.d);
        } else {
            return false;
        }
        return true;
    }

    /** T2 = aluValue(sub, T0, T1) & m for ADD OR AND SUB XOR CMP TEST(8). */
    void aluValue(int sub, long m) {
        mv.visitVarInsn(LLOAD, T0);
        mv.visitVarInsn(LLOAD, T1);
        switch (sub) {
            case 0: mv.visitInsn(LADD); break;
            case 1: mv.visitInsn(LOR); break;
            case 4: case 8: mv.visitInsn(LAND); break;
            case 6: mv.visitInsn(LXOR); break;
            default: mv.visitInsn(LSUB); break;
        }
        and(m);
        mv.visitVarInsn(LSTORE, T2);
    }

    /** The register-destination ALU ops; false for those left to the op (ADC, SBB). */
    boolean aluRegister(CompiledAlu.AluOp x) {
        int d = x.d;
        long m = x.m;
        int size = x.size;
        int sub;
        int src = -1;
        long imm = 0;
        boolean hasImm = false;
        if (x instanceof CompiledAlu.AddRR) { sub = 0; src = ((CompiledAlu.AddRR) x).s; }
        else if (x instanceof CompiledAlu.AddRI) { sub = 0; imm = ((CompiledAlu.AddRI) x).b; hasImm = true; }
        else if (x instanceof CompiledAlu.OrRR) { sub = 1; src = ((CompiledAlu.OrRR) x).s; }
        else if (x instanceof CompiledAlu.OrRI) { sub = 1; imm = ((CompiledAlu.OrRI) x).b; hasImm = true; }
        else if (x instanceof CompiledAlu.AndRR) { sub = 4; src = ((CompiledAlu.AndRR) x).s; }
        else if (x instanceof CompiledAlu.AndRI) { sub = 4; imm = ((CompiledAlu.AndRI) x).b; hasImm = true; }
        else if (x instanceof CompiledAlu.SubRR) { sub = 5; src = ((CompiledAlu.SubRR) x).s; }
        else if (x instanceof CompiledAlu.SubRI) { sub = 5; imm = ((CompiledAlu.SubRI) x).b; hasImm = true; }
        else if (x instanceof CompiledAlu.XorRR) { sub = 6; src = ((CompiledAlu.XorRR) x).s; }
        else if (x instanceof CompiledAlu.XorRI) { sub = 6; imm = ((CompiledAlu.XorRI) x).b; hasImm = true; }
        else if (x instanceof CompiledAlu.CmpRR) { sub = 7; src = ((CompiledAlu.CmpRR) x).s; }
        else if (x instanceof CompiledAlu.CmpRI) { sub = 7; imm = ((CompiledAlu.CmpRI) x).b; hasImm = true; }
        else if (x instanceof CompiledAlu.TestRR) { sub = 8; src = ((CompiledAlu.TestRR) x).s; }
        else if (x instanceof CompiledAlu.TestRI) { sub = 8; imm = ((CompiledAlu.TestRI) x).b; hasImm = true; }
        else if (x instanceof CompiledAlu.IncDec) {
            boolean inc = ((CompiledAlu.IncDec) x).inc;
            readReg(d);
            and(m);
            mv.visitVarInsn(LSTORE, T0);
            mv.visitVarInsn(LLOAD, T0);
            lconst(1);
            mv.visitInsn(inc ? LADD : LSUB);
            and(m);
            mv.visitVarInsn(LSTORE, T2);
            mv.visitVarInsn(LLOAD, T2);
            writeReg(d);
            if (x.fl) {
                mv.visitVarInsn(ALOAD, C);
                mv.visitVarInsn(ILOAD, LFOP);
                mv.visitVarInsn(ILOAD, LFSIZE);
                mv.visitVarInsn(LLOAD, LFA);
                mv.visitVarInsn(LLOAD, LFB);
                mv.visitVarInsn(LLOAD, LFR);
                mv.visitMethodInsn(INVOKESTATIC, SELF, "keepCarry", "(L" + CPU + ";IIJJJ)V", false);
                lconst(1);
                mv.visitVarInsn(LSTORE, T1);
                lazy(inc ? X86Cpu.LF_INC : X86Cpu.LF_DEC, size, T0, T1, T2);
            }
            return true;
        } else if (x instanceof CompiledAlu.Neg) {
            readReg(d);
            and(m);
            mv.visitVarInsn(LSTORE, T1);
            mv.visitVarInsn(LLOAD, T1);
            mv.visitInsn(LNEG);
            and(m);
            mv.visitVarInsn(LSTORE, T2);
            mv.visitVarInsn(LLOAD, T2);
            writeReg(d);
            if (x.fl) {
                lazy(X86Cpu.LF_SUB, size, -1, T1, T2);
            }
            return true;
        } else if (x instanceof CompiledAlu.AdcRR || x instanceof CompiledAlu.AdcRI
                || x instanceof CompiledAlu.SbbRR || x instanceof CompiledAlu.SbbRI) {
            boolean adc = x instanceof CompiledAlu.AdcRR || x instanceof CompiledAlu.AdcRI;
            readReg(d);
            and(m);
            mv.visitVarInsn(LSTORE, T0);
            if (x instanceof CompiledAlu.AdcRR) {
                readReg(((CompiledAlu.AdcRR) x).s);
                and(m);
            } else if (x instanceof CompiledAlu.SbbRR) {
                readReg(((CompiledAlu.SbbRR) x).s);
                and(m);
            } else {
                lconst(x instanceof CompiledAlu.AdcRI ? ((CompiledAlu.AdcRI) x).b : ((CompiledAlu.SbbRI) x).b);
            }
            mv.visitVarInsn(LSTORE, T1);
            mv.visitVarInsn(ALOAD, C);
            mv.visitVarInsn(ILOAD, LFOP);
            mv.visitVarInsn(ILOAD, LFSIZE);
            mv.visitVarInsn(LLOAD, LFA);
            mv.visitVarInsn(LLOAD, LFB);
            mv.visitVarInsn(LLOAD, LFR);
            mv.visitMethodInsn(INVOKESTATIC, SELF, "carry", "(L" + CPU + ";IIJJJ)J", false);
            mv.visitVarInsn(LSTORE, T3);
            mv.visitVarInsn(LLOAD, T0);
            mv.visitVarInsn(LLOAD, T1);
            mv.visitInsn(adc ? LADD : LSUB);
            mv.visitVarInsn(LLOAD, T3);
            mv.visitInsn(adc ? LADD : LSUB);
            and(m);
            mv.visitVarInsn(LSTORE, T2);
            mv.visitVarInsn(LLOAD, T2);
            writeReg(d);
            if (x.fl) {
                lazy(adc ? X86Cpu.LF_ADC : X86Cpu.LF_SBB, size, T0, T1, T2);
                mv.visitVarInsn(ALOAD, C);
                mv.visitVarInsn(LLOAD, T3);
                mv.visitFieldInsn(PUTFIELD, CPU, "lfCin", "J");
            }
            return true;
        } else {
            throw new IllegalStateException("no inline form for " + x.getClass().getSimpleName());
        }
        readReg(d);
        and(m);
        mv.visitVarInsn(LSTORE, T0);
        if (hasImm) {
            lconst(imm);
        } else {
            readReg(src);
            and(m);
        }
        mv.visitVarInsn(LSTORE, T1);
        aluValue(sub, m);
        if (sub != 7 && sub != 8) {
            mv.visitVarInsn(LLOAD, T2);
            writeReg(d);
        }
        if (x.fl) {
            int kind = sub == 0 ? X86Cpu.LF_ADD : sub == 5 || sub == 7 ? X86Cpu.LF_SUB : X86Cpu.LF_LOGIC;
            boolean logic = kind == X86Cpu.LF_LOGIC;
            lazy(kind, size, logic ? -1 : T0, logic ? -1 : T1, T2);
        }
        return true;
    }

    void shift(CompiledAlu.ShiftRI x) {
        readReg(x.d);
        if (x.size == 8) {
            switch (x.kind) {
                case 0:
                    iconst(x.n);
                    mv.visitMethodInsn(INVOKESTATIC, "java/lang/Long", "rotateLeft", "(JI)J", false);
                    break;
                case 1:
                    iconst(x.n);
                    mv.visitMethodInsn(INVOKESTATIC, "java/lang/Long", "rotateRight", "(JI)J", false);
                    break;
                case 5: iconst(x.n); mv.visitInsn(LUSHR); break;
                case 7: iconst(x.n); mv.visitInsn(LSHR); break;
                default: iconst(x.n); mv.visitInsn(LSHL); break;
            }
        } else {
            mv.visitInsn(L2I);
            switch (x.kind) {
                case 0:
                    iconst(x.n);
                    mv.visitMethodInsn(INVOKESTATIC, "java/lang/Integer", "rotateLeft", "(II)I", false);
                    break;
                case 1:
                    iconst(x.n);
                    mv.visitMethodInsn(INVOKESTATIC, "java/lang/Integer", "rotateRight", "(II)I", false);
                    break;
                case 5: iconst(x.n); mv.visitInsn(IUSHR); break;
                case 7: iconst(x.n); mv.visitInsn(ISHR); break;
                default: iconst(x.n); mv.visitInsn(ISHL); break;
            }
            mv.visitInsn(I2L);
            lconst(0xFFFFFFFFL);
            mv.visitInsn(LAND);
        }
        writeReg(x.d);
    }

    /** T0 = the operand of a 32/64-bit multiply, sign-extended from 32 bits when size 4. */
    void signedOperand(int r, int size) {
        readReg(r);
        if (size != 8) {
            mv.visitInsn(L2I);
            mv.visitInsn(I2L);
        }
    }

    void imul(CompiledAlu.Imul x) {
        signedOperand(x.s, x.size);
        mv.visitVarInsn(LSTORE, T0);
        if (x.s2 < 0) {
            lconst(x.imm);
        } else {
            signedOperand(x.s2, x.size);
        }
        mv.visitVarInsn(LSTORE, T1);
        mv.visitVarInsn(LLOAD, T0);
        mv.visitVarInsn(LLOAD, T1);
        mv.visitInsn(LMUL);
        mv.visitVarInsn(LSTORE, T2);
        mv.visitVarInsn(LLOAD, T2);
        if (x.size != 8) {
            lconst(0xFFFFFFFFL);
            mv.visitInsn(LAND);
        }
        writeReg(x.d);
        if (x.fl) {
            mv.visitVarInsn(ALOAD, C);
            mv.visitVarInsn(LLOAD, T0);
            mv.visitVarInsn(LLOAD, T1);
            mv.visitVarInsn(LLOAD, T2);
            iconst(x.size);
            mv.visitMethodInsn(INVOKESTATIC, SELF, "imulFlags", "(JJJI)J", false);
            mv.visitMethodInsn(INVOKESTATIC, SELF, "setArith", "(L" + CPU + ";J)V", false);
            iconst(X86Cpu.LF_NONE);
            mv.visitVarInsn(ISTORE, LFOP);
            flagsDirty = true;
        }
    }

    void mul(CompiledAlu.Mul x) {
        if (x.size == 8) {
            readReg(X86Cpu.RAX);
            mv.visitVarInsn(LSTORE, T0);
            readReg(x.s);
            mv.visitVarInsn(LSTORE, T1);
            mv.visitVarInsn(LLOAD, T0);
            mv.visitVarInsn(LLOAD, T1);
            mv.visitInsn(LMUL);
            mv.visitVarInsn(LSTORE, T2);
            mv.visitVarInsn(LLOAD, T0);
            mv.visitVarInsn(LLOAD, T1);
            mv.visitMethodInsn(INVOKESTATIC, SELF, "mulHigh64", "(JJ)J", false);
            mv.visitVarInsn(LSTORE, T3);
        } else {
            readReg(X86Cpu.RAX);
            lconst(0xFFFFFFFFL);
            mv.visitInsn(LAND);
            readReg(x.s);
            lconst(0xFFFFFFFFL);
            mv.visitInsn(LAND);
            mv.visitInsn(LMUL);
            mv.visitVarInsn(LSTORE, T0);
            mv.visitVarInsn(LLOAD, T0);
            lconst(0xFFFFFFFFL);
            mv.visitInsn(LAND);
            mv.visitVarInsn(LSTORE, T2);
            mv.visitVarInsn(LLOAD, T0);
            iconst(32);
            mv.visitInsn(LUSHR);
            mv.visitVarInsn(LSTORE, T3);
        }
        mv.visitVarInsn(LLOAD, T2);
        writeReg(X86Cpu.RAX);
        mv.visitVarInsn(LLOAD, T3);
        writeReg(X86Cpu.RDX);
        if (x.fl) {
            mv.visitVarInsn(ALOAD, C);
            mv.visitVarInsn(LLOAD, T3);
            mv.visitVarInsn(LLOAD, T2);
            iconst(x.size);
            mv.visitMethodInsn(INVOKESTATIC, SELF, "mulFlags", "(JJI)J", false);
            mv.visitMethodInsn(INVOKESTATIC, SELF, "setArith", "(L" + CPU + ";J)V", false);
            iconst(X86Cpu.LF_NONE);
            mv.visitVarInsn(ISTORE, LFOP);
            flagsDirty = true;
        }
    }

    // ---- narrow forms, shifts, division ------------------------------------------------

    /** Pushes the {@code size}-byte register {@code id} (AH..BH are 16..19), zero-extended. */
    void readSized(int id, int size) {
        if (id >= 16) {
            readReg(id - 16);
            iconst(8);
            mv.visitInsn(LUSHR);
            and(0xFFL);
        } else {
            readReg(id);
            and(X86Cpu.mask(size));
        }
    }

    /**
     * Writes the value in {@code slot} (already masked to {@code size} bytes) to register
     * {@code id} as the CPU does: 1 and 2 bytes merge into the register, 4 and 8 replace it.
     */
    void writeSized(int id, int size, int slot) {
        if (size >= 4) {
            mv.visitVarInsn(LLOAD, slot);
            writeReg(id);
            return;
        }
        int r = id >= 16 ? id - 16 : id;
        int shift = id >= 16 ? 8 : 0;
        readReg(r);
        lconst(~(X86Cpu.mask(size) << shift));
        mv.visitInsn(LAND);
        mv.visitVarInsn(LLOAD, slot);
        if (shift != 0) {
            iconst(shift);
            mv.visitInsn(LSHL);
        }
        mv.visitInsn(LOR);
        writeReg(r);
    }

    /** Pushes the carry flag (0 or 1) of the lazy-flag locals. */
    void carryLocals() {
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(ILOAD, LFOP);
        mv.visitVarInsn(ILOAD, LFSIZE);
        mv.visitVarInsn(LLOAD, LFA);
        mv.visitVarInsn(LLOAD, LFB);
        mv.visitVarInsn(LLOAD, LFR);
        mv.visitMethodInsn(INVOKESTATIC, SELF, "carry", "(L" + CPU + ";IIJJJ)J", false);
    }

    /** An 8/16-bit ALU, TEST, MOV, INC/DEC/NEG/NOT into a register (see {@link CompiledAlu.Narrow}). */
    void narrow(CompiledAlu.Narrow x, int pc) {
        int size = x.size;
        long m = X86Cpu.mask(size);
        int kind = x.kind;
        boolean unary = kind >= CompiledAlu.Narrow.INC;
        if (!unary) {
            if (x.mem != null) {
                pc(pc);
                mv.visitVarInsn(ALOAD, C);
                ea(x.mem);
                load(size);
            } else if (x.s >= 0) {
                readSized(x.s, size);
            } else {
                lconst(x.imm);
            }
            mv.visitVarInsn(LSTORE, T1);
            if (kind == CompiledAlu.Narrow.MOV) {
                writeSized(x.d, size, T1);
                return;
            }
        }
        readSized(x.d, size);
        mv.visitVarInsn(LSTORE, T0);
        switch (kind) {
            case 2:
            case 3: { // ADC, SBB
                boolean adc = kind == 2;
                carryLocals();
                mv.visitVarInsn(LSTORE, T3);
                mv.visitVarInsn(LLOAD, T0);
                mv.visitVarInsn(LLOAD, T1);
                mv.visitInsn(adc ? LADD : LSUB);
                mv.visitVarInsn(LLOAD, T3);
                mv.visitInsn(adc ? LADD : LSUB);
                and(m);
                mv.visitVarInsn(LSTORE, T2);
                writeSized(x.d, size, T2);
                if (x.fl) {
                    lazy(adc ? X86Cpu.LF_ADC : X86Cpu.LF_SBB, size, T0, T1, T2);
                    mv.visitVarInsn(ALOAD, C);
                    mv.visitVarInsn(LLOAD, T3);
                    mv.visitFieldInsn(PUTFIELD, CPU, "lfCin", "J");
                }
                return;
            }
            case CompiledAlu.Narrow.INC:
            case CompiledAlu.Narrow.DEC: {
                boolean inc = kind == CompiledAlu.Narrow.INC;
                mv.visitVarInsn(LLOAD, T0);
                lconst(1);
                mv.visitInsn(inc ? LADD : LSUB);
                and(m);
                mv.visitVarInsn(LSTORE, T2);
                writeSized(x.d, size, T2);
                if (x.fl) {
                    mv.visitVarInsn(ALOAD, C);
                    mv.visitVarInsn(ILOAD, LFOP);
                    mv.visitVarInsn(ILOAD, LFSIZE);
                    mv.visitVarInsn(LLOAD, LFA);
                    mv.visitVarInsn(LLOAD, LFB);
                    mv.visitVarInsn(LLOAD, LFR);
                    mv.visitMethodInsn(INVOKESTATIC, SELF, "keepCarry", "(L" + CPU + ";IIJJJ)V", false);
                    lconst(1);
                    mv.visitVarInsn(LSTORE, T1);
                    lazy(inc ? X86Cpu.LF_INC : X86Cpu.LF_DEC, size, T0, T1, T2);
                }
                return;
            }
            case CompiledAlu.Narrow.NEG:
                mv.visitVarInsn(LLOAD, T0);
                mv.visitInsn(LNEG);
                and(m);
                mv.visitVarInsn(LSTORE, T2);
                writeSized(x.d, size, T2);
                if (x.fl) {
                    lazy(X86Cpu.LF_SUB, size, -1, T0, T2);
                }
                return;
            case CompiledAlu.Narrow.NOT:
                mv.visitVarInsn(LLOAD, T0);
                lconst(-1L);
                mv.visitInsn(LXOR);
                and(m);
                mv.visitVarInsn(LSTORE, T2);
                writeSized(x.d, size, T2);
                return;
            default: { // ADD OR AND SUB XOR CMP TEST
                aluValue(kind, m);
                if (kind != 7 && kind != CompiledAlu.Narrow.TEST) {
                    writeSized(x.d, size, T2);
                }
                if (x.fl) {
                    int lf = kind == 0 ? X86Cpu.LF_ADD : kind == 5 || kind == 7 ? X86Cpu.LF_SUB : X86Cpu.LF_LOGIC;
                    boolean logic = lf == X86Cpu.LF_LOGIC;
                    lazy(lf, size, logic ? -1 : T0, logic ? -1 : T1, T2);
                }
            }
        }
    }

    /** The 32-bit form of a shift whose count is 0 still zero-extends its register. */
    void zeroExtendOnly(int d, int size) {
        if (size == 4) {
            readReg(d);
            and(0xFFFFFFFFL);
            writeReg(d);
        }
    }

    /** ROL/ROR/SHL/SHR/SAR of a register by an immediate or CL (see {@link CompiledAlu.Shift}). */
    void shiftAny(CompiledAlu.Shift x) {
        int size = x.size;
        if (x.count == 0) {
            zeroExtendOnly(x.d, size);
            return;
        }
        Label done = new Label();
        if (x.count < 0) {
            Label go = new Label();
            readReg(X86Cpu.RCX);
            mv.visitInsn(L2I);
            iconst(size == 8 ? 0x3F : 0x1F);
            mv.visitInsn(IAND);
            mv.visitVarInsn(ISTORE, CNT);
            mv.visitVarInsn(ILOAD, CNT);
            mv.visitJumpInsn(IFNE, go);
            zeroExtendOnly(x.d, size);
            mv.visitJumpInsn(GOTO, done);
            mv.visitLabel(go);
        } else {
            iconst(x.count);
            mv.visitVarInsn(ISTORE, CNT);
        }
        readSized(x.d, size);
        mv.visitVarInsn(LSTORE, T0);
        iconst(x.sub);
        mv.visitVarInsn(LLOAD, T0);
        mv.visitVarInsn(ILOAD, CNT);
        iconst(size);
        mv.visitMethodInsn(INVOKESTATIC, SHIFTS, "value", "(IJII)J", false);
        mv.visitVarInsn(LSTORE, T2);
        writeSized(x.d, size, T2);
        if (x.fl) {
            mv.visitVarInsn(ALOAD, C);
            if (x.sub < 2) {
                mv.visitVarInsn(ILOAD, LFOP);
                mv.visitVarInsn(ILOAD, LFSIZE);
                mv.visitVarInsn(LLOAD, LFA);
                mv.visitVarInsn(LLOAD, LFB);
                mv.visitVarInsn(LLOAD, LFR);
            }
            iconst(x.sub);
            mv.visitVarInsn(LLOAD, T0);
            mv.visitVarInsn(ILOAD, CNT);
            iconst(size);
            mv.visitVarInsn(LLOAD, T2);
            mv.visitMethodInsn(INVOKESTATIC, SHIFTS, "flags", "(IJIIJ)J", false);
            if (x.sub < 2) {
                mv.visitMethodInsn(INVOKESTATIC, SELF, "rotateFlags", "(L" + CPU + ";IIJJJJ)V", false);
            } else {
                mv.visitMethodInsn(INVOKESTATIC, SELF, "setArith", "(L" + CPU + ";J)V", false);
            }
            iconst(X86Cpu.LF_NONE);
            mv.visitVarInsn(ISTORE, LFOP);
            flagsDirty = true;
        }
        mv.visitLabel(done);
    }

    /** DIV/IDIV with #DE before any register changes (see {@link CompiledAlu.Div}). */
    void divide(CompiledAlu.Div x, int pc) {
        int size = x.size;
        long m = X86Cpu.mask(size);
        pc(pc);
        if (x.mem != null) {
            mv.visitVarInsn(ALOAD, C);
            ea(x.mem);
            load(size);
        } else {
            readSized(x.s, size);
        }
        mv.visitVarInsn(LSTORE, T1);
        readReg(X86Cpu.RAX);
        and(size == 1 ? 0xFFFFL : m);
        mv.visitVarInsn(LSTORE, T0);
        if (size == 1) {
            mv.visitInsn(LCONST_0);
        } else {
            readReg(X86Cpu.RDX);
            and(m);
        }
        mv.visitVarInsn(LLOAD, T0);
        mv.visitVarInsn(LLOAD, T1);
        iconst(size);
        iconst(x.signed ? 1 : 0);
        mv.visitMethodInsn(INVOKESTATIC, MULDIV, "quotient", "(JJJIZ)J", false);
        mv.visitVarInsn(LSTORE, T2);
        mv.visitVarInsn(LLOAD, T0);
        mv.visitVarInsn(LLOAD, T1);
        mv.visitVarInsn(LLOAD, T2);
        iconst(size);
        mv.visitMethodInsn(INVOKESTATIC, MULDIV, "remainder", "(JJJI)J", false);
        mv.visitVarInsn(LSTORE, T3);
        if (size == 1) {
            mv.visitVarInsn(LLOAD, T3);
            iconst(8);
            mv.visitInsn(LSHL);
            mv.visitVarInsn(LLOAD, T2);
            mv.visitInsn(LOR);
            mv.visitVarInsn(LSTORE, T2);
            writeSized(X86Cpu.RAX, 2, T2);
        } else {
            writeSized(X86Cpu.RAX, size, T2);
            writeSized(X86Cpu.RDX, size, T3);
        }
    }
}
