package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.Translator.CPU;
import static dev.zx4j.sim.x86.Translator.CTOR_DESC;
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
 * the unit reads and writes and which ops it calls, then for real. The regions, edges, calls into
 * ops and control transfers are here; the emitters and the inline ops are in {@link UnitEmitter}.
 */
final class UnitGenerator extends UnitEmitter {
    final List<CodeBlock.OpBlock> blocks;
    final Map<Long, Integer> index = new HashMap<>();
    /** Return points of calls in the unit (RET / indirect targets predicted there). */
    final List<Long> returnPoints = new ArrayList<>();
    int fallbackCount;
    final List<Op> fallbacks = new ArrayList<>();
    final List<Integer> pcFirst = new ArrayList<>();
    final List<Insn> pcInsn = new ArrayList<>();
    final List<Long> pcIp = new ArrayList<>();
    int codeSize;

    Label[] blockLabels;
    Label exit;
    /** Leaves when the CPU fields are exact (after an interpreted op set RIP). */
    Label exitFromCpu;
    /** Whether the CPU fields hold the state and the locals are stale (after a called op). */
    boolean inCpu;
    Label[][] fallbackRanges;
    int fallbackSite;

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
    /**
     * The registers the ops called since the locals were last exact may have written (bit per
     * register): only these are reloaded, the others still match the CPU fields.
     */
    int stale;

    void ensureLocals() {
        if (!inCpu) {
            return;
        }
        for (int r = 0; r < 16; r++) {
            if ((used[r] && (stale & (1 << r)) != 0) || recording) {
                loadFromArray(r);
            }
        }
        reloadFlags();
        inCpu = false;
        stale = 0;
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
        stale |= o instanceof Ops.Generic ? Ops.writtenRegisters(((Ops.Generic) o).in) : 0xFFFF;
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
}
