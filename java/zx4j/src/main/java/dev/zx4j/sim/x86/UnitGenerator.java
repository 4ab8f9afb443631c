package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.Translator.CPU;
import static dev.zx4j.sim.x86.Translator.CTOR_DESC;
import static dev.zx4j.sim.x86.Translator.FLAGS;
import static dev.zx4j.sim.x86.Translator.MEMORY;
import static dev.zx4j.sim.x86.Translator.OP;
import static dev.zx4j.sim.x86.Translator.SELF;
import static dev.zx4j.sim.x86.Translator.SIG;
import static dev.zx4j.sim.x86.Translator.UNIT;
import static org.objectweb.asm.Opcodes.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * One generation pass of {@link Translator} over a region: emits the hidden class of a
 * {@link TranslatedUnit} with ASM. Run twice per unit: once only to learn which guest registers
 * the unit reads and writes and which ops it calls, then for real.
 *
 * <p>Locals of the generated {@code run}: the CPU, the guest registers the unit uses (longs), the
 * lazy-flag state (op, size, operands, result), the retired count, the budget end, the index of
 * the op that may raise a signal next, the next RIP at an exit, and temporaries.
 */
final class UnitGenerator {
    // local variable slots
    static final int C = 1;
    static final int REG0 = 2;          // 16 longs: 2..33
    static final int LFOP = 34, LFSIZE = 35, LFA = 36, LFB = 38, LFR = 40;
    static final int RET = 42, END = 44, PC = 46, NEXT = 47;
    static final int T0 = 49, T1 = 51, T2 = 53, T3 = 55, EX = 57, REGS = 58;

    final List<CodeBlock.OpBlock> blocks;
    final Map<Long, Integer> index = new HashMap<>();
    /** Return points of calls in the unit (RET / indirect targets predicted there). */
    final List<Long> returnPoints = new ArrayList<>();
    boolean[] used = new boolean[16];
    boolean[] written = new boolean[16];
    int fallbackCount;
    final List<Op> fallbacks = new ArrayList<>();
    final List<Integer> pcFirst = new ArrayList<>();
    final List<Integer> pcUpTo = new ArrayList<>();
    final List<Insn> pcInsn = new ArrayList<>();
    final List<Long> pcIp = new ArrayList<>();
    int codeSize;

    MethodVisitor mv;
    Label[] blockLabels;
    Label exit;
    /** Leaves when the CPU fields are exact (after an interpreted op set RIP). */
    Label exitFromCpu;
    /** Whether the CPU fields hold the state and the locals are stale (after a called op). */
    boolean inCpu;
    /** Registers (and the flags) changed in locals since they last matched the CPU fields. */
    final boolean[] dirty = new boolean[16];
    boolean flagsDirty;
    Label codeWritten;
    Label[][] fallbackRanges;
    int fallbackSite;
    boolean recording;

    UnitGenerator(List<CodeBlock.OpBlock> blocks) {
        this.blocks = blocks;
        for (int i = 0; i < blocks.size(); i++) {
            index.put(blocks.get(i).la, i);
        }
        for (CodeBlock.OpBlock b : blocks) {
            for (Op o : b.ops) {
                long rp = o instanceof CompiledBranches.Call ? ((CompiledBranches.Call) o).next
                        : o instanceof CompiledBranches.IndirectReg && ((CompiledBranches.IndirectReg) o).call
                                ? ((CompiledBranches.IndirectReg) o).next
                        : o instanceof CompiledBranches.IndirectMem && ((CompiledBranches.IndirectMem) o).call
                                ? ((CompiledBranches.IndirectMem) o).next : -1;
                if (rp != -1 && index.containsKey(rp) && !returnPoints.contains(rp)) {
                    returnPoints.add(rp);
                }
            }
        }
    }

    int[] firstInBlock() {
        return pcFirst.stream().mapToInt(Integer::intValue).toArray();
    }

    int[] upToInBlock() {
        return pcUpTo.stream().mapToInt(Integer::intValue).toArray();
    }

    Insn[] insnOf() {
        return pcInsn.toArray(new Insn[0]);
    }

    long[] ipOf() {
        return pcIp.stream().mapToLong(Long::longValue).toArray();
    }

    /** Generates the class; with {@code cw} null only records registers and fallbacks. */
    byte[] generate(ClassWriter cw) {
        recording = cw == null;
        if (recording) {
            used = new boolean[16];
            written = new boolean[16];
            mv = new MethodVisitor(ASM9) {
            };
        } else {
            // Class file version 50: no stack map frames to compute (the verifier infers the
            // types itself), which makes translating several times cheaper.
            cw.visit(V1_6, ACC_FINAL | ACC_SUPER, "dev/zx4j/sim/x86/Unit", null, UNIT, null);
            MethodVisitor init = cw.visitMethod(0, "<init>", CTOR_DESC, null, null);
            init.visitCode();
            init.visitVarInsn(ALOAD, 0);
            init.visitVarInsn(ALOAD, 1);
            init.visitVarInsn(ALOAD, 2);
            init.visitVarInsn(ALOAD, 3);
            init.visitVarInsn(ALOAD, 4);
            init.visitVarInsn(ALOAD, 5);
            init.visitVarInsn(ILOAD, 6);
            init.visitMethodInsn(INVOKESPECIAL, UNIT, "<init>", CTOR_DESC, false);
            init.visitInsn(RETURN);
            init.visitMaxs(0, 0);
            init.visitEnd();
            // the ops called from the unit, as constants: static finals set from the class data
            MethodVisitor clinit = cw.visitMethod(ACC_STATIC, "<clinit>", "()V", null, null);
            clinit.visitCode();
            if (fallbackCount > 0) {
                clinit.visitMethodInsn(INVOKESTATIC, "java/lang/invoke/MethodHandles", "lookup",
                        "()Ljava/lang/invoke/MethodHandles$Lookup;", false);
                clinit.visitLdcInsn("_");
                clinit.visitLdcInsn(org.objectweb.asm.Type.getType(List.class));
                clinit.visitMethodInsn(INVOKESTATIC, "java/lang/invoke/MethodHandles", "classData",
                        "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/Class;)"
                                + "Ljava/lang/Object;", false);
                clinit.visitTypeInsn(CHECKCAST, "java/util/List");
                clinit.visitVarInsn(ASTORE, 0);
            }
            for (int i = 0; i < fallbackCount; i++) {
                cw.visitField(ACC_STATIC | ACC_FINAL | ACC_PRIVATE, "op" + i, "L" + OP + ";", null, null)
                        .visitEnd();
                clinit.visitVarInsn(ALOAD, 0);
                iconstTo(clinit, i);
                clinit.visitMethodInsn(INVOKEINTERFACE, "java/util/List", "get", "(I)Ljava/lang/Object;", true);
                clinit.visitTypeInsn(CHECKCAST, OP);
                clinit.visitFieldInsn(PUTSTATIC, "dev/zx4j/sim/x86/Unit", "op" + i, "L" + OP + ";");
            }
            clinit.visitInsn(RETURN);
            clinit.visitMaxs(0, 0);
            clinit.visitEnd();
            mv = cw.visitMethod(0, "run", "(L" + CPU + ";)V", null, null);
        }
        mv.visitCode();
        Label bodyStart = new Label();
        Label bodyEnd = new Label();
        Label inlineHandler = new Label();
        Label fallbackHandler = new Label();
        fallbackRanges = new Label[fallbackCount][];
        for (int i = 0; i < fallbackCount; i++) {
            fallbackRanges[i] = new Label[] {new Label(), new Label()};
            mv.visitTryCatchBlock(fallbackRanges[i][0], fallbackRanges[i][1], fallbackHandler, SIG);
        }
        mv.visitTryCatchBlock(bodyStart, bodyEnd, inlineHandler, SIG);
        exit = new Label();
        exitFromCpu = new Label();
        codeWritten = new Label();
        blockLabels = new Label[blocks.size()];
        for (int i = 0; i < blockLabels.length; i++) {
            blockLabels[i] = new Label();
        }

        // entry: registers and lazy flags into locals
        mv.visitVarInsn(ALOAD, C);
        mv.visitFieldInsn(GETFIELD, CPU, "regs", "[J");
        mv.visitVarInsn(ASTORE, REGS);
        for (int r = 0; r < 16; r++) {
            if (used[r]) {
                loadFromArray(r);
            }
        }
        reloadFlags();
        mv.visitVarInsn(ALOAD, C);
        mv.visitFieldInsn(GETFIELD, CPU, "retired", "J");
        mv.visitVarInsn(LSTORE, RET);
        mv.visitVarInsn(ALOAD, C);
        mv.visitFieldInsn(GETFIELD, CPU, "runEnd", "J");
        mv.visitVarInsn(LSTORE, END);
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, PC);
        mv.visitInsn(LCONST_0);
        mv.visitVarInsn(LSTORE, NEXT);
        // every block of the unit is an entry: pick it by RIP's page offset
        if (blocks.size() > 1) {
            java.util.TreeMap<Integer, Label> entries = new java.util.TreeMap<>();
            for (int i = 0; i < blocks.size(); i++) {
                entries.put((int) (blocks.get(i).la & 0xFFF), blockLabels[i]);
            }
            mv.visitVarInsn(ALOAD, C);
            mv.visitFieldInsn(GETFIELD, CPU, "rip", "J");
            mv.visitInsn(L2I);
            iconst(0xFFF);
            mv.visitInsn(IAND);
            mv.visitLookupSwitchInsn(blockLabels[0],
                    entries.keySet().stream().mapToInt(Integer::intValue).toArray(),
                    entries.values().toArray(new Label[0]));
        }
        mv.visitLabel(bodyStart);
        for (int i = 0; i < blocks.size(); i++) {
            mv.visitLabel(blockLabels[i]);
            // a join point: the locals hold the state, any written register may differ
            inCpu = false;
            System.arraycopy(written, 0, dirty, 0, 16);
            flagsDirty = true;
            block(i);
        }
        mv.visitLabel(bodyEnd);

        // normal exit: write back, RIP = NEXT
        mv.visitLabel(exit);
        flushAll();
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(LLOAD, NEXT);
        mv.visitFieldInsn(PUTFIELD, CPU, "rip", "J");
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(LLOAD, RET);
        mv.visitFieldInsn(PUTFIELD, CPU, "retired", "J");
        mv.visitInsn(RETURN);

        mv.visitLabel(exitFromCpu);
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(LLOAD, RET);
        mv.visitFieldInsn(PUTFIELD, CPU, "retired", "J");
        mv.visitInsn(RETURN);

        // a store hit decoded code: RET already counts the store, RIP = NEXT
        mv.visitLabel(codeWritten);
        flushAll();
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(LLOAD, NEXT);
        mv.visitFieldInsn(PUTFIELD, CPU, "rip", "J");
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(LLOAD, RET);
        mv.visitFieldInsn(PUTFIELD, CPU, "retired", "J");
        mv.visitFieldInsn(GETSTATIC, SIG, "CODE_WRITTEN_STOP", "L" + SIG + ";");
        mv.visitInsn(ATHROW);

        // a signal from inline code: locals are the exact state before the op
        Label common = new Label();
        mv.visitLabel(inlineHandler);
        mv.visitVarInsn(ASTORE, EX);
        flushAll();
        mv.visitJumpInsn(GOTO, common);
        // a signal out of a called op: the CPU fields are already exact
        mv.visitLabel(fallbackHandler);
        mv.visitVarInsn(ASTORE, EX);
        mv.visitLabel(common);
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(LLOAD, RET);
        mv.visitFieldInsn(PUTFIELD, CPU, "retired", "J");
        mv.visitVarInsn(ALOAD, 0);
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(ILOAD, PC);
        mv.visitVarInsn(ALOAD, EX);
        mv.visitMethodInsn(INVOKEVIRTUAL, UNIT, "stopped", "(L" + CPU + ";IL" + SIG + ";)V", false);
        mv.visitVarInsn(ALOAD, EX);
        mv.visitInsn(ATHROW);
        Label end = new Label();
        mv.visitLabel(end);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        if (recording) {
            fallbackCount = fallbackSite;
            return null;
        }
        codeSize = end.getOffset();
        cw.visitEnd();
        return cw.toByteArray();
    }

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

    void condSub(int cc, int size, int a, int b, int r) {
        iconst(cc);
        iconst(size);
        mv.visitVarInsn(LLOAD, a);
        mv.visitVarInsn(LLOAD, b);
        mv.visitVarInsn(LLOAD, r);
        mv.visitMethodInsn(INVOKESTATIC, FLAGS, "condSub", "(IIJJJ)Z", false);
    }

    void condAdd(int cc, int size, int a, int b, int r) {
        iconst(cc);
        iconst(size);
        mv.visitVarInsn(LLOAD, a);
        mv.visitVarInsn(LLOAD, b);
        mv.visitVarInsn(LLOAD, r);
        mv.visitMethodInsn(INVOKESTATIC, FLAGS, "condAdd", "(IIJJJ)Z", false);
    }

    void condLogic(int cc, int size, int r) {
        iconst(cc);
        iconst(size);
        mv.visitVarInsn(LLOAD, r);
        mv.visitMethodInsn(INVOKESTATIC, FLAGS, "condLogic", "(IIJ)Z", false);
    }

    // ---- blocks and edges ----------------------------------------------------------

    /** Whether the block calls into an op the unit does not inline. */
    boolean hadFallback;

    void block(int bi) {
        CodeBlock.OpBlock b = blocks.get(bi);
        hadFallback = false;
        int n = b.ops.length;
        boolean transferred = false;
        for (int k = 0; k < n; k++) {
            Op o = b.ops[k];
            int pc = pcFirst.size();
            pcFirst.add(b.first[k]);
            pcUpTo.add(b.upTo[k]);
            pcInsn.add(b.insns[b.first[k]]);
            pcIp.add(b.ips[b.first[k]]);
            boolean last = k == n - 1;
            if (last && !b.fallsThrough) {
                transferred = isControl(o) && control(bi, b, o, pc);
                if (!transferred) {
                    fallback(o, pc); // it sets RIP itself
                }
                break;
            }
            if (!inlinable(o)) {
                fallback(o, pc);
            } else {
                ensureLocals();
                inline(o, pc);
            }
        }
        if (transferred) {
            return;
        }
        if (b.fallsThrough) {
            ensureLocals();
            addRet(b.insns.length);
            jumpTo(bi, b.end);
        } else {
            // the last op (called) set RIP itself, and the CPU fields hold the state
            addRet(b.insns.length);
            mv.visitJumpInsn(GOTO, exitFromCpu);
        }
    }

    /** Ends block {@code from}: continue at {@code t} inside the unit or leave. */
    void jumpTo(int from, long t) {
        Integer j = index.get(t);
        if (j == null) {
            lconst(t);
            mv.visitVarInsn(LSTORE, NEXT);
            mv.visitJumpInsn(GOTO, exit);
            return;
        }
        Label leave = new Label();
        mv.visitVarInsn(LLOAD, RET);
        mv.visitVarInsn(LLOAD, END);
        mv.visitInsn(LSUB);
        mv.visitInsn(LCONST_0);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFGE, leave);
        if (j <= from || hadFallback) {
            mv.visitVarInsn(ALOAD, C);
            mv.visitMethodInsn(INVOKEVIRTUAL, CPU, "mustLeave", "()Z", false);
            mv.visitJumpInsn(IFNE, leave);
        }
        mv.visitJumpInsn(GOTO, blockLabels[j]);
        mv.visitLabel(leave);
        lconst(t);
        mv.visitVarInsn(LSTORE, NEXT);
        mv.visitJumpInsn(GOTO, exit);
    }

    /** Ends block {@code from} at the target in local {@code slot} (RET, indirect). */
    void jumpDynamic(int from, int slot, boolean anyBlock) {
        // Candidates: for RET the return points of the unit's calls (return-address
        // prediction), for indirect jumps and calls every block of the unit. The page test and
        // a switch on the page offset pick the block; anything else leaves the unit.
        List<Long> targets = anyBlock ? new ArrayList<>(index.keySet()) : returnPoints;
        Label leave = new Label();
        if (!targets.isEmpty()) {
            long page = blocks.get(0).la >>> 12;
            java.util.TreeMap<Integer, Label> cases = new java.util.TreeMap<>();
            for (long t : targets) {
                cases.put((int) (t & 0xFFF), new Label());
            }
            mv.visitVarInsn(LLOAD, slot);
            iconst(12);
            mv.visitInsn(LUSHR);
            lconst(page);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFNE, leave);
            mv.visitVarInsn(LLOAD, slot);
            mv.visitInsn(L2I);
            iconst(0xFFF);
            mv.visitInsn(IAND);
            int[] keys = cases.keySet().stream().mapToInt(Integer::intValue).toArray();
            mv.visitLookupSwitchInsn(leave, keys, cases.values().toArray(new Label[0]));
            for (Map.Entry<Integer, Label> e : cases.entrySet()) {
                mv.visitLabel(e.getValue());
                jumpTo(from, (page << 12) | e.getKey());
            }
        }
        mv.visitLabel(leave);
        mv.visitVarInsn(LLOAD, slot);
        mv.visitVarInsn(LSTORE, NEXT);
        mv.visitJumpInsn(GOTO, exit);
    }

    /** Makes the locals hold the state again after called ops. */
    void ensureLocals() {
        if (!inCpu) {
            return;
        }
        for (int r = 0; r < 16; r++) {
            if (used[r] || recording) {
                loadFromArray(r);
            }
        }
        reloadFlags();
        inCpu = false;
        Arrays.fill(dirty, false);
        flagsDirty = false;
    }

    /**
     * Calls an op the unit does not inline, with the CPU fields made exact before it; the
     * locals are reloaded only when inline code needs them again.
     */
    void fallback(Op o, int pc) {
        hadFallback = true;
        int site = fallbackSite++;
        if (!recording) {
            fallbacks.add(o);
        }
        if (!inCpu) {
            for (int r = 0; r < 16; r++) {
                if (dirty[r]) {
                    mv.visitVarInsn(ALOAD, REGS);
                    iconst(r);
                    mv.visitVarInsn(LLOAD, REG0 + 2 * r);
                    mv.visitInsn(LASTORE);
                }
            }
            if (flagsDirty) {
                flushFlags();
            }
            inCpu = true;
        }
        pc(pc);
        Label[] range = recording ? new Label[] {new Label(), new Label()} : fallbackRanges[site];
        mv.visitLabel(range[0]);
        mv.visitFieldInsn(GETSTATIC, "dev/zx4j/sim/x86/Unit", "op" + site, "L" + OP + ";");
        mv.visitVarInsn(ALOAD, C);
        mv.visitMethodInsn(INVOKEVIRTUAL, OP, "run", "(L" + CPU + ";)V", false);
        mv.visitLabel(range[1]);
    }

    /** Emits the block's last op when it transfers control; false if it is not one. */
    boolean control(int bi, CodeBlock.OpBlock b, Op o, int pc) {
        ensureLocals();
        int n = b.insns.length;
        if (o instanceof CompiledBranches.Jmp) {
            addRet(n);
            jumpTo(bi, ((CompiledBranches.Jmp) o).target);
            return true;
        }
        if (o instanceof CompiledBranches.Branch) {
            CompiledBranches.Branch br = (CompiledBranches.Branch) o;
            if (!branchCondition(br)) {
                return false;
            }
            Label fall = new Label();
            mv.visitJumpInsn(IFEQ, fall);
            addRet(n);
            jumpTo(bi, br.taken);
            mv.visitLabel(fall);
            addRet(n);
            jumpTo(bi, br.fall);
            return true;
        }
        if (o instanceof CompiledBranches.Call) {
            CompiledBranches.Call call = (CompiledBranches.Call) o;
            pc(pc);
            push(pc, call.next, call.target, -1);
            addRet(n);
            jumpTo(bi, call.target);
            return true;
        }
        if (o instanceof CompiledBranches.Ret) {
            pc(pc);
            mv.visitVarInsn(ALOAD, C);
            readReg(X86Cpu.RSP);
            load(8);
            mv.visitMethodInsn(INVOKESTATIC, SELF, "target", "(J)J", false);
            mv.visitVarInsn(LSTORE, T0);
            readReg(X86Cpu.RSP);
            lconst(((CompiledBranches.Ret) o).release);
            mv.visitInsn(LADD);
            writeReg(X86Cpu.RSP);
            addRet(n);
            jumpDynamic(bi, T0, false);
            return true;
        }
        if (o instanceof CompiledBranches.IndirectReg || o instanceof CompiledBranches.IndirectMem) {
            boolean isCall;
            long next;
            pc(pc);
            if (o instanceof CompiledBranches.IndirectReg) {
                CompiledBranches.IndirectReg ir = (CompiledBranches.IndirectReg) o;
                isCall = ir.call;
                next = ir.next;
                readReg(ir.s);
            } else {
                CompiledBranches.IndirectMem im = (CompiledBranches.IndirectMem) o;
                isCall = im.call;
                next = im.next;
                mv.visitVarInsn(ALOAD, C);
                ea(im);
                load(8);
            }
            mv.visitMethodInsn(INVOKESTATIC, SELF, "target", "(J)J", false);
            mv.visitVarInsn(LSTORE, T0);
            if (isCall) {
                push(pc, next, 0, T0);
            }
            addRet(n);
            jumpDynamic(bi, T0, true);
            return true;
        }
        return false;
    }

    /** PUSH {@code value}; on a code hit leave with RIP = target (constant or slot). */
    void push(int pc, long value, long target, int targetSlot) {
        readReg(X86Cpu.RSP);
        lconst(8);
        mv.visitInsn(LSUB);
        mv.visitVarInsn(LSTORE, T1);
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(LLOAD, T1);
        lconst(value);
        store(8);
        mv.visitVarInsn(LLOAD, T1);
        writeReg(X86Cpu.RSP);
        if (targetSlot < 0) {
            written(pc, target);
        } else {
            writtenDynamic(pc, targetSlot);
        }
    }

    /** Pushes the branch condition (0/1) of a conditional op, flags updated; false if unknown. */
    boolean branchCondition(CompiledBranches.Branch br) {
        int cc = br.cc;
        int size = br.size;
        if (br instanceof CompiledBranches.Jcc) {
            condLocals(cc);
        } else if (br instanceof CompiledBranches.JccSub) {
            condSub(cc, size, LFA, LFB, LFR);
        } else if (br instanceof CompiledBranches.JccAdd) {
            condAdd(cc, size, LFA, LFB, LFR);
        } else if (br instanceof CompiledBranches.JccLogic) {
            condLogic(cc, size, LFR);
        } else if (br instanceof CompiledBranches.CmpRIJcc || br instanceof CompiledBranches.CmpRRJcc) {
            int d;
            long m;
            boolean write;
            if (br instanceof CompiledBranches.CmpRIJcc) {
                CompiledBranches.CmpRIJcc x = (CompiledBranches.CmpRIJcc) br;
                d = x.d;
                m = x.m;
                write = x.write;
                readReg(d);
                and(m);
                mv.visitVarInsn(LSTORE, T0);
                lconst(x.b);
            } else {
                CompiledBranches.CmpRRJcc x = (CompiledBranches.CmpRRJcc) br;
                d = x.d;
                m = x.m;
                write = x.write;
                readReg(d);
                and(m);
                mv.visitVarInsn(LSTORE, T0);
                readReg(x.s);
                and(m);
            }
            mv.visitVarInsn(LSTORE, T1);
            mv.visitVarInsn(LLOAD, T0);
            mv.visitVarInsn(LLOAD, T1);
            mv.visitInsn(LSUB);
            and(m);
            mv.visitVarInsn(LSTORE, T2);
            if (write) {
                mv.visitVarInsn(LLOAD, T2);
                writeReg(d);
            }
            lazy(X86Cpu.LF_SUB, size, T0, T1, T2);
            condSub(cc, size, T0, T1, T2);
        } else if (br instanceof CompiledBranches.TestRRJcc) {
            CompiledBranches.TestRRJcc x = (CompiledBranches.TestRRJcc) br;
            readReg(x.d);
            readReg(x.s);
            mv.visitInsn(LAND);
            and(x.m);
            mv.visitVarInsn(LSTORE, T2);
            lazy(X86Cpu.LF_LOGIC, size, -1, -1, T2);
            condLogic(cc, size, T2);
        } else if (br instanceof CompiledBranches.TestRIJcc) {
            CompiledBranches.TestRIJcc x = (CompiledBranches.TestRIJcc) br;
            readReg(x.d);
            lconst(x.b);
            mv.visitInsn(LAND);
            mv.visitVarInsn(LSTORE, T2);
            lazy(X86Cpu.LF_LOGIC, size, -1, -1, T2);
            condLogic(cc, size, T2);
        } else if (br instanceof CompiledBranches.AddRIJcc) {
            CompiledBranches.AddRIJcc x = (CompiledBranches.AddRIJcc) br;
            readReg(x.d);
            and(x.m);
            mv.visitVarInsn(LSTORE, T0);
            lconst(x.b);
            mv.visitVarInsn(LSTORE, T1);
            mv.visitVarInsn(LLOAD, T0);
            mv.visitVarInsn(LLOAD, T1);
            mv.visitInsn(LADD);
            and(x.m);
            mv.visitVarInsn(LSTORE, T2);
            mv.visitVarInsn(LLOAD, T2);
            writeReg(x.d);
            lazy(X86Cpu.LF_ADD, size, T0, T1, T2);
            condAdd(cc, size, T0, T1, T2);
        } else {
            return false;
        }
        return true;
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
                || o instanceof CompiledStack.PushImm || o instanceof CompiledStack.Pop;
    }

    /** Emits {@code o} inline; false if the unit calls it instead. */
    boolean inline(Op o, int pc) {
        if (o instanceof CompiledMoves.MovRR) {
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
}
