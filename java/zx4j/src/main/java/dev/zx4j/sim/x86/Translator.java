package dev.zx4j.sim.x86;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodTooLargeException;

/**
 * Translates hot 64-bit guest code into JVM bytecode: one hidden class per {@link TranslatedUnit}
 * (ASM generates it, {@link MethodHandles.Lookup#defineHiddenClass} defines it, so it unloads
 * once the unit is dropped). The input is the {@link CodeBlock.OpBlock}s {@link Ops} built: the
 * translator adds no instruction semantics of its own beyond what those ops already specialise
 * (and the narrow, shift and division forms {@link CompiledAlu.Narrow}, {@link CompiledAlu.Shift}
 * and {@link CompiledAlu.Div} record, emitted with the interpreter's own {@link Shifts} and
 * {@link MulDiv} rules), and every op it does not emit inline (and every instruction without a
 * specialised op, which {@link Ops.Generic} hands to {@link X86Cpu#exec}) is called as it is, so
 * the interpreter stays the single definition of every instruction.
 *
 * <h2>A unit</h2>
 * Starting at a hot block, the unit takes the blocks of the same guest page reachable through
 * direct branches, fall-throughs and call return points (at most {@link #MAX_BLOCKS}; fewer when
 * the method would exceed {@link #MAX_CODE} bytes, under HotSpot's 8,000-byte limit for
 * compiling a method). One JVM method runs them all:
 * <ul>
 *   <li>the guest registers the unit touches, and the lazy-flag state (op, size, operands,
 *       result), live in JVM locals; they are written back at every exit, before every call into
 *       an op the unit does not inline, and when an instruction faults. A flag producer followed
 *       by its reader in the unit becomes a plain comparison once HotSpot sees both;</li>
 *   <li>a branch between blocks of the unit is a JVM jump; the instruction budget is checked at
 *       each such edge (so a budget ends a run at the same block boundary as in the
 *       interpreter), a stop request, the interrupt window and an interrupt shadow at backward
 *       edges and after blocks that called into the interpreter ({@link X86Cpu#mustLeave});</li>
 *   <li>RET and indirect CALL/JMP compare their target with the return points of calls in the
 *       unit (return-address prediction) and jump there directly; any other target leaves the
 *       unit, and the run loop's block links and jump cache take over (chaining between
 *       units);</li>
 *   <li>memory operands go through {@link X86Cpu}'s fixed-size accessors, whose software-TLB hit
 *       path HotSpot inlines; a store that hits decoded code ends the unit after the store,
 *       exactly as {@link CodeBlock.OpBlock} does.</li>
 * </ul>
 * A signal raised inside the unit leaves the CPU in the state the {@link CodeBlock} contract
 * describes (see {@link TranslatedUnit}).
 */
final class Translator {
    private Translator() {
    }

    /** Runs of a block before it is translated, unless {@code zx4j.jit.threshold} says otherwise. */
    static final int DEFAULT_THRESHOLD = 2000;

    /**
     * The translation threshold from the system property {@code zx4j.jit.threshold}: a number of
     * runs, {@code 0} (translate every 64-bit block when it is built; the test mode) or
     * {@code off}.
     */
    static int configuredThreshold() {
        String v = System.getProperty("zx4j.jit.threshold");
        if (v == null || v.isBlank()) {
            return DEFAULT_THRESHOLD;
        }
        if (v.equalsIgnoreCase("off")) {
            return -1;
        }
        try {
            return Math.max(0, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("zx4j.jit.threshold: not a number or 'off': " + v, e);
        }
    }

    /** Most guest blocks in one unit. */
    static final int MAX_BLOCKS = 16;
    /** Largest generated method, in bytes of bytecode (HotSpot compiles up to 8,000). */
    static final int MAX_CODE = 3000;

    /** Supplies the 64-bit op block at a linear address, or null (not cached, other page...). */
    interface BlockSource {
        CodeBlock.OpBlock blockAt(long la);
    }

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    static final String CPU = "dev/zx4j/sim/x86/X86Cpu";
    static final String UNIT = "dev/zx4j/sim/x86/TranslatedUnit";
    static final String OP = "dev/zx4j/sim/x86/Op";
    static final String SELF = "dev/zx4j/sim/x86/Translator";
    static final String FLAGS = "dev/zx4j/sim/x86/Flags";
    static final String MEMORY = "dev/zx4j/sim/x86/Memory";
    static final String SIG = "dev/zx4j/sim/x86/CpuSignal";
    static final String OPBLOCK_DESC = "Ldev/zx4j/sim/x86/CodeBlock$OpBlock;";
    static final String INSN_ARRAY = "[Ldev/zx4j/sim/x86/Insn;";
    static final String CTOR_DESC = "(" + OPBLOCK_DESC + "[I[I" + INSN_ARRAY + "[JI)V";

    /**
     * Translates the unit headed by {@code head}; null if nothing worth translating (or the
     * class could not be built, which only costs speed).
     */
    static TranslatedUnit translate(CodeBlock.OpBlock head, BlockSource source) {
        return translate(head, List.of(), source, false);
    }

    /**
     * Translates the unit headed by {@code head} that also takes in {@code seeds} (blocks of the
     * same page already translated, so that a page's hot code converges to one unit).
     */
    static TranslatedUnit translate(CodeBlock.OpBlock head, List<CodeBlock.OpBlock> seeds,
            BlockSource source, boolean loopsOnly) {
        List<CodeBlock.OpBlock> region = region(head, seeds, source);
        if (loopsOnly && !hasLoop(region)) {
            return null;
        }
        for (int n = region.size(); n >= 1; n = n == 1 ? 0 : Math.max(1, n / 2)) {
            List<CodeBlock.OpBlock> part = n == region.size() ? region : connected(region, n);
            UnitGenerator g = new UnitGenerator(part);
            g.generate(null);
            UnitGenerator real = new UnitGenerator(part);
            real.used = g.used;
            real.written = g.written;
            real.fallbackCount = g.fallbackCount;
            byte[] bytes;
            try {
                bytes = real.generate(new ClassWriter(ClassWriter.COMPUTE_MAXS));
            } catch (MethodTooLargeException e) {
                continue;
            }
            if (real.codeSize > MAX_CODE) {
                continue;
            }
            try {
                MethodHandles.Lookup hl = LOOKUP.defineHiddenClassWithClassData(bytes,
                        List.copyOf(real.fallbacks), false);
                MethodHandle ctor = hl.findConstructor(hl.lookupClass(),
                        MethodType.fromMethodDescriptorString(CTOR_DESC, Translator.class.getClassLoader()));
                TranslatedUnit u = (TranslatedUnit) ctor.invoke(head, real.firstInBlock(),
                        real.upToInBlock(), real.insnOf(), real.ipOf(), part.size());
                u.codeSize = real.codeSize;
                u.members = part.toArray(new CodeBlock.OpBlock[0]);
                return u;
            } catch (Throwable t) {
                throw new IllegalStateException("translation of the block at 0x"
                        + Long.toHexString(head.la) + " failed", t);
            }
        }
        return null;
    }

    /**
     * Whether a direct branch of the region goes back to one of its blocks (a loop the unit
     * would run as a JVM loop). Loop-free code gains little from a unit (its entry and exit cost
     * about what dispatch costs) but adds a class for HotSpot to warm up.
     */
    static boolean hasLoop(List<CodeBlock.OpBlock> region) {
        Map<Long, Integer> index = new HashMap<>();
        for (int i = 0; i < region.size(); i++) {
            index.put(region.get(i).la, i);
        }
        for (int i = 0; i < region.size(); i++) {
            for (long t : successors(region.get(i))) {
                Integer j = index.get(t);
                if (j != null && j <= i) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The first {@code n} blocks of the region (they are in discovery order, so connected). */
    private static List<CodeBlock.OpBlock> connected(List<CodeBlock.OpBlock> region, int n) {
        return new ArrayList<>(region.subList(0, n));
    }

    /** Blocks of the head's page reachable from it, breadth first. */
    static List<CodeBlock.OpBlock> region(CodeBlock.OpBlock head, List<CodeBlock.OpBlock> seeds,
            BlockSource source) {
        List<CodeBlock.OpBlock> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        ArrayDeque<CodeBlock.OpBlock> queue = new ArrayDeque<>();
        queue.add(head);
        seen.add(head.la);
        long page = head.la >>> 12;
        for (CodeBlock.OpBlock s : seeds) {
            if (s.la >>> 12 == page && seen.add(s.la)) {
                queue.add(s);
            }
        }
        while (!queue.isEmpty() && out.size() < MAX_BLOCKS) {
            CodeBlock.OpBlock b = queue.poll();
            out.add(b);
            for (long t : successors(b)) {
                if (t >>> 12 != page || !seen.add(t)) {
                    continue;
                }
                CodeBlock.OpBlock s = source.blockAt(t);
                if (s != null && s.la == t) {
                    queue.add(s);
                }
            }
        }
        return out;
    }

    /** Statically known successors (and call return points) of a block. */
    static long[] successors(CodeBlock.OpBlock b) {
        if (b.fallsThrough) {
            return new long[] {b.end};
        }
        Op last = b.ops.length == 0 ? null : b.ops[b.ops.length - 1];
        if (last instanceof CompiledBranches.Branch) {
            CompiledBranches.Branch br = (CompiledBranches.Branch) last;
            return new long[] {br.taken, br.fall};
        }
        if (last instanceof CompiledBranches.Jmp) {
            return new long[] {((CompiledBranches.Jmp) last).target};
        }
        if (last instanceof CompiledBranches.Call) {
            return new long[] {((CompiledBranches.Call) last).target, ((CompiledBranches.Call) last).next};
        }
        if (last instanceof CompiledBranches.IndirectReg && ((CompiledBranches.IndirectReg) last).call) {
            return new long[] {((CompiledBranches.IndirectReg) last).next};
        }
        if (last instanceof CompiledBranches.IndirectMem && ((CompiledBranches.IndirectMem) last).call) {
            return new long[] {((CompiledBranches.IndirectMem) last).next};
        }
        return new long[0];
    }

    // =====================================================================================
    // Helpers called by generated code (small; HotSpot inlines them)
    // =====================================================================================

    /** The condition {@code cc} for the given lazy-flag state. */
    static boolean cond(X86Cpu c, int cc, int op, int size, long a, long b, long r) {
        switch (op) {
            case X86Cpu.LF_SUB: return Flags.condSub(cc, size, a, b, r);
            case X86Cpu.LF_LOGIC: return Flags.condLogic(cc, size, r);
            case X86Cpu.LF_ADD: return Flags.condAdd(cc, size, a, b, r);
            default:
                c.lfOp = op;
                c.lfSize = size;
                c.lfA = a;
                c.lfB = b;
                c.lfR = r;
                return Flags.cond(c, cc);
        }
    }

    /** CF (0 or 1) of the given lazy-flag state (ADC/SBB read their carry-in from the CPU). */
    static long carry(X86Cpu c, int op, int size, long a, long b, long r) {
        switch (op) {
            case X86Cpu.LF_ADD: return Long.compareUnsigned(r, a) < 0 ? 1 : 0;
            case X86Cpu.LF_SUB: return Long.compareUnsigned(a, b) < 0 ? 1 : 0;
            case X86Cpu.LF_LOGIC: return 0;
            default:
                c.lfOp = op;
                c.lfSize = size;
                c.lfA = a;
                c.lfB = b;
                c.lfR = r;
                return Flags.cfBit(c);
        }
    }

    /** INC/DEC keep CF: materialise it from the lazy state into RFLAGS. */
    static void keepCarry(X86Cpu c, int op, int size, long a, long b, long r) {
        c.lfOp = op;
        c.lfSize = size;
        c.lfA = a;
        c.lfB = b;
        c.lfR = r;
        long cf = Flags.cfBit(c);
        c.rflags = (c.rflags & ~X86Cpu.FLAG_CF) | cf;
    }

    /** Replaces the six arithmetic flags (the caller sets its lazy op to none). */
    static void setArith(X86Cpu c, long f) {
        c.rflags = (c.rflags & ~X86Cpu.FLAGS_ARITH) | (f & X86Cpu.FLAGS_ARITH);
    }

    /** ROL/ROR: replaces CF and OF with those of {@code f}, the others from the lazy state. */
    static void rotateFlags(X86Cpu c, int op, int size, long a, long b, long r, long f) {
        c.lfOp = op;
        c.lfSize = size;
        c.lfA = a;
        c.lfB = b;
        c.lfR = r;
        Flags.setSomeArith(c, X86Cpu.FLAG_CF | X86Cpu.FLAG_OF, f);
    }

    static long imulFlags(long a, long b, long lo, int size) {
        boolean ovf = size == 8 ? Math.multiplyHigh(a, b) != (lo >> 63) : (int) lo != lo;
        return (ovf ? X86Cpu.FLAG_CF | X86Cpu.FLAG_OF : 0) | Flags.szp(lo, size);
    }

    static long mulFlags(long hi, long lo, int size) {
        return (hi != 0 ? X86Cpu.FLAG_CF | X86Cpu.FLAG_OF : 0) | Flags.szp(lo, size);
    }

    static long mulHigh64(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }

    /** A branch target, or #GP(0) if it is not canonical. */
    static long target(long t) {
        if (!Paging.canonical(t)) {
            throw CpuSignal.fault(13, 0);
        }
        return t;
    }

    // =====================================================================================
    // Code generation

    /** For tests: the number of blocks {@link #region} would take from {@code head}. */
    static int regionSize(CodeBlock.OpBlock head, BlockSource source) {
        return region(head, List.of(), source).size();
    }
}
