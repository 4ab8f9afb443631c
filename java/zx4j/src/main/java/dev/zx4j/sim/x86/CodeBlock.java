package dev.zx4j.sim.x86;

/**
 * One basic block of guest code in executable form: the unit {@link X86Cpu} caches, chains and
 * runs. A block is decoded once from guest-physical memory, starts at the linear address
 * {@link #la} in the code size {@link #mode}, and is entered only there.
 *
 * <h2>The contract of {@link #run}</h2>
 * <ul>
 *   <li>Entry: {@code c.rip == la}, the CPU is in {@link #mode}, no interrupt shadow is pending.
 *   <li>Normal return: every instruction of the block retired, {@code c.retired} advanced by
 *       their number and {@code c.rip} holds the next instruction's address (a branch target or
 *       the fall-through). A run may also end after an instruction that leaves an exit pending
 *       ({@code c.exitPending}); such instructions always end a block.
 *   <li>A {@link CpuSignal} thrown out of {@code run} leaves the CPU exactly as before the
 *       instruction that raised it: registers, flags and memory as the earlier instructions left
 *       them, {@code c.rip} at that instruction (past it for INT n), {@code c.cur} its decoded
 *       form and {@code c.retired} counting only the instructions before it. The one exception is
 *       {@link CpuSignal#CODE_WRITTEN}: that instruction completed and is counted, and RIP is
 *       already past it; the CPU only has to look the next block up afresh.
 * </ul>
 *
 * <h2>Implementations</h2>
 * {@link InterpretedBlock} runs the {@link Insn}s through {@link Interpreter#exec} one by one (16-
 * and 32-bit modes); {@link X86Cpu.StraddleBlock} does so for one instruction crossing a page.
 * {@link OpBlock} runs an array of
 * {@link Op}s built once per block by {@link Ops#compile} (64-bit mode).
 *
 * <p>Hot 64-bit code is translated to JVM bytecode ({@link Translator}): a
 * {@link TranslatedUnit} covers several op blocks of one page, and the block map holds a
 * {@link TranslatedUnit.Entry} for each of them, so the run loop, the caches and the successor
 * links below see translated code as blocks like any other. {@link #heat} counts the runs left
 * before an op block is offered for translation ({@link CodeCache}).
 *
 * <h2>Successor links</h2>
 * Each block remembers up to two successors (the two ways of a conditional branch, or the last
 * targets of an indirect one), each tagged with the RIP it was reached at and the
 * {@link X86Cpu#codeEpoch} it was linked in. The CPU advances the epoch whenever a link might have
 * become wrong (cached code invalidated, TLB flushed, mode changed), which drops every link at
 * once without visiting blocks. A MOV to CR3 advances {@link X86Cpu#asEpoch} instead: it drops
 * the links to blocks whose page translation is not global, and keeps the others.
 */
abstract class CodeBlock {
    /** Linear address of the first instruction. */
    final long la;
    /** Code size (16, 32 or 64) the block was decoded for. */
    final int mode;
    /** The decoded instructions, in order. */
    final Insn[] insns;
    /** Whether the block may go into the jump cache and successor links (false: looked up each time). */
    final boolean cacheable;

    /** Runs left before the run loop offers the block for translation ({@link X86Cpu}). */
    int heat = Integer.MAX_VALUE;

    private long ip0, ip1;
    private long ep0 = -1, ep1 = -1;
    private long as0, as1;
    private CodeBlock to0, to1;

    CodeBlock(long la, int mode, Insn[] insns, boolean cacheable) {
        this.la = la;
        this.mode = mode;
        this.insns = insns;
        this.cacheable = cacheable;
    }

    /** Runs the block once; see the class comment for the state on return and on a signal. */
    abstract void run(X86Cpu c);

    /**
     * The linked successor at {@code ip}, if it was linked in the current {@code epoch} and
     * either tagged global (-1) or linked since the last MOV to CR3 ({@code as}).
     */
    final CodeBlock successor(long ip, long epoch, long as) {
        if (ip == ip0 && ep0 == epoch && (as0 == as || as0 < 0)) {
            return to0;
        }
        if (ip == ip1 && ep1 == epoch && (as1 == as || as1 < 0)) {
            return to1;
        }
        return null;
    }

    /**
     * Records {@code b} as the successor at {@code ip} with the tag {@code tag} (-1: its page's
     * translation is global; else {@code as}), replacing a stale or the older link.
     */
    final void link(long ip, CodeBlock b, long epoch, long tag, long as) {
        if (ep0 != epoch || (as0 != as && as0 >= 0)) {
            ip0 = ip;
            to0 = b;
            ep0 = epoch;
            as0 = tag;
        } else if (ep1 != epoch || (as1 != as && as1 >= 0)) {
            ip1 = ip;
            to1 = b;
            ep1 = epoch;
            as1 = tag;
        } else {
            ip1 = ip0;
            to1 = to0;
            as1 = as0;
            ip0 = ip;
            to0 = b;
            as0 = tag;
        }
    }

    /** A block run by the interpreter, {@link Interpreter#exec} per instruction. */
    static final class InterpretedBlock extends CodeBlock {
        InterpretedBlock(long la, int mode, Insn[] insns, boolean cacheable) {
            super(la, mode, insns, cacheable);
        }

        @Override
        void run(X86Cpu c) {
            c.interpret(insns, insns.length);
        }
    }

    /**
     * A block run as pre-built {@link Op}s. Ops and instructions need not correspond one to one:
     * NOPs have no op and one op may carry two instructions; {@link #first} and {@link #upTo} map
     * an op back to its instructions. The ops are called from one call site per position rather
     * than from a loop, which lets the host's branch predictor keep the hot blocks' op sequences
     * apart; a translated unit takes this one step further (one site per op, inlined).
     */
    static final class OpBlock extends CodeBlock {
        final Op[] ops;
        /** Index in {@link #insns} of the first instruction of each op. */
        final int[] first;
        /** Number of instructions of the block up to and including each op. */
        final int[] upTo;
        /** Address of each instruction. */
        final long[] ips;
        /** Address after the last instruction. */
        final long end;
        /** Whether the last op leaves RIP alone (it is no branch), so the block sets it to {@link #end}. */
        final boolean fallsThrough;

        OpBlock(long la, Insn[] insns, long[] ips, long end, Op[] ops, int[] first, int[] upTo,
                boolean fallsThrough) {
            super(la, 64, insns, true);
            this.ips = ips;
            this.end = end;
            this.ops = ops;
            this.first = first;
            this.upTo = upTo;
            this.fallsThrough = fallsThrough;
        }

        @Override
        void run(X86Cpu c) {
            Op[] ops = this.ops;
            int k = 0;
            int n = ops.length;
            try {
                // Not a loop: one call site per position in the block, so that the CPU's
                // indirect-branch prediction tells the ops of hot blocks apart (worth a
                // third to a half of the speed). Blocks have at most 64 instructions.
                do {
                    if (n == 0) break;
                    ops[0].run(c); if (++k == n) break;
                    ops[1].run(c); if (++k == n) break;
                    ops[2].run(c); if (++k == n) break;
                    ops[3].run(c); if (++k == n) break;
                    ops[4].run(c); if (++k == n) break;
                    ops[5].run(c); if (++k == n) break;
                    ops[6].run(c); if (++k == n) break;
                    ops[7].run(c); if (++k == n) break;
                    ops[8].run(c); if (++k == n) break;
                    ops[9].run(c); if (++k == n) break;
                    ops[10].run(c); if (++k == n) break;
                    ops[11].run(c); if (++k == n) break;
                    ops[12].run(c); if (++k == n) break;
                    ops[13].run(c); if (++k == n) break;
                    ops[14].run(c); if (++k == n) break;
                    ops[15].run(c); if (++k == n) break;
                    ops[16].run(c); if (++k == n) break;
                    ops[17].run(c); if (++k == n) break;
                    ops[18].run(c); if (++k == n) break;
                    ops[19].run(c); if (++k == n) break;
                    ops[20].run(c); if (++k == n) break;
                    ops[21].run(c); if (++k == n) break;
                    ops[22].run(c); if (++k == n) break;
                    ops[23].run(c); if (++k == n) break;
                    ops[24].run(c); if (++k == n) break;
                    ops[25].run(c); if (++k == n) break;
                    ops[26].run(c); if (++k == n) break;
                    ops[27].run(c); if (++k == n) break;
                    ops[28].run(c); if (++k == n) break;
                    ops[29].run(c); if (++k == n) break;
                    ops[30].run(c); if (++k == n) break;
                    ops[31].run(c); if (++k == n) break;
                    ops[32].run(c); if (++k == n) break;
                    ops[33].run(c); if (++k == n) break;
                    ops[34].run(c); if (++k == n) break;
                    ops[35].run(c); if (++k == n) break;
                    ops[36].run(c); if (++k == n) break;
                    ops[37].run(c); if (++k == n) break;
                    ops[38].run(c); if (++k == n) break;
                    ops[39].run(c); if (++k == n) break;
                    ops[40].run(c); if (++k == n) break;
                    ops[41].run(c); if (++k == n) break;
                    ops[42].run(c); if (++k == n) break;
                    ops[43].run(c); if (++k == n) break;
                    ops[44].run(c); if (++k == n) break;
                    ops[45].run(c); if (++k == n) break;
                    ops[46].run(c); if (++k == n) break;
                    ops[47].run(c); if (++k == n) break;
                    ops[48].run(c); if (++k == n) break;
                    ops[49].run(c); if (++k == n) break;
                    ops[50].run(c); if (++k == n) break;
                    ops[51].run(c); if (++k == n) break;
                    ops[52].run(c); if (++k == n) break;
                    ops[53].run(c); if (++k == n) break;
                    ops[54].run(c); if (++k == n) break;
                    ops[55].run(c); if (++k == n) break;
                    ops[56].run(c); if (++k == n) break;
                    ops[57].run(c); if (++k == n) break;
                    ops[58].run(c); if (++k == n) break;
                    ops[59].run(c); if (++k == n) break;
                    ops[60].run(c); if (++k == n) break;
                    ops[61].run(c); if (++k == n) break;
                    ops[62].run(c); if (++k == n) break;
                    ops[63].run(c); ++k;
                } while (false);
            } catch (CpuSignal s) {
                stopped(c, k, s);
                throw s;
            }
            c.retired += insns.length;
            if (fallsThrough) {
                c.rip = end;
            }
        }

        /** Establishes the state of the class contract after op {@code k} raised {@code s}. */
        private void stopped(X86Cpu c, int k, CpuSignal s) {
            if (s.kind == CpuSignal.CODE_WRITTEN) {
                c.retired += upTo[k];
                return;
            }
            int i = first[k];
            c.retired += i;
            c.cur = insns[i];
            if (s.kind != CpuSignal.SOFT_INT) {
                c.rip = ips[i];
            }
        }
    }
}
