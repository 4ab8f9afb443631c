package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.X86Cpu.CR4_DE;
import static dev.zx4j.sim.x86.X86Cpu.CS;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_RF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_TF;

/**
 * Debug facilities (Intel SDM vol. 3, chapter 17): DR0–DR3, DR6 and DR7 (MOV DR, with DR4/DR5
 * aliasing DR6/DR7 unless CR4.DE and general detect), single-stepping with RFLAGS.TF,
 * instruction breakpoints (faults, suppressed by RFLAGS.RF) and data breakpoints (traps after
 * the accessing instruction), and the rule that MOV SS / POP SS hold debug traps for one more
 * instruction.
 *
 * <p>The run loop executes instruction by instruction while TF or RF is set or a breakpoint is
 * enabled ({@link #step}); a trap that becomes due when the run ends (an exit after the
 * instruction) is delivered at the start of the next run, before any instruction. I/O
 * breakpoints (R/W = 10 with CR4.DE) are not modelled: they never trigger. Software interrupts
 * (INT n, INT3, INTO) executed with TF set give no single-step trap: their delivery clears TF.
 */
final class Debug {
    static final long DR6_B0 = 1, DR6_BD = 1L << 13, DR6_BS = 1L << 14;
    /** Bits of DR6 that always read as 1 (4–11, 16–31). */
    static final long DR6_ONES = 0xFFFF0FF0L;
    static final long DR7_GD = 1L << 13;
    /** DR7 bit 10 always reads as 1. */
    static final long DR7_ONES = 0x400;

    private Debug() {
    }

    static long readDr(X86Cpu cpu, int n) {
        n = alias(cpu, n);
        generalDetect(cpu);
        switch (n) {
            case 6: return cpu.dr6;
            case 7: return cpu.dr7;
            default: return cpu.dr[n];
        }
    }

    static void writeDr(X86Cpu cpu, int n, long v) {
        n = alias(cpu, n);
        generalDetect(cpu);
        switch (n) {
            case 6:
                if ((v >>> 32) != 0) {
                    throw CpuSignal.fault(13, 0);
                }
                cpu.dr6 = (v & 0xE00F) | DR6_ONES;
                return;
            case 7:
                if ((v >>> 32) != 0) {
                    throw CpuSignal.fault(13, 0);
                }
                cpu.dr7 = (v & 0xFFFF23FFL) | DR7_ONES;
                break;
            default:
                cpu.dr[n] = v;
                break;
        }
        rearm(cpu);
    }

    private static int alias(X86Cpu cpu, int n) {
        if (n == 4 || n == 5) {
            if ((cpu.cr4 & CR4_DE) != 0) {
                throw CpuSignal.fault(6);
            }
            return n + 2;
        }
        return n;
    }

    /** DR7.GD: any MOV DR raises #DB (a fault) with DR6.BD, and GD is cleared. */
    private static void generalDetect(X86Cpu cpu) {
        if ((cpu.dr7 & DR7_GD) != 0) {
            cpu.dr6 |= DR6_BD;
            cpu.dr7 &= ~DR7_GD;
            throw CpuSignal.fault(1);
        }
    }

    /** Recomputes which breakpoints are armed; data breakpoints keep memory off the TLB. */
    static void rearm(X86Cpu cpu) {
        boolean exec = false;
        boolean data = false;
        for (int k = 0; k < 4; k++) {
            if (((cpu.dr7 >>> (2 * k)) & 3) == 0) {
                continue;
            }
            int rw = (int) (cpu.dr7 >>> (16 + 4 * k)) & 3;
            if (rw == 0) {
                exec = true;
            } else if (rw != 2) {
                data = true;
            }
        }
        cpu.execBreakpoints = exec;
        if (data != cpu.dataBreakpoints) {
            cpu.dataBreakpoints = data;
            cpu.flushLinear();
        }
        refresh(cpu);
    }

    /** Keeps {@link X86Cpu#debugSlow} in step with the breakpoints and the trap state. */
    static void refresh(X86Cpu cpu) {
        cpu.debugSlow = cpu.execBreakpoints || cpu.dataBreakpoints || cpu.pendingDebugTraps != 0
                || cpu.heldDebugTraps != 0;
    }

    private static long length(X86Cpu cpu, int k) {
        switch ((int) (cpu.dr7 >>> (18 + 4 * k)) & 3) {
            case 0: return 1;
            case 1: return 2;
            case 2: return 8;
            default: return 4;
        }
    }

    /** Records data breakpoints a memory access of {@code size} bytes at {@code la} hits. */
    static void checkData(X86Cpu cpu, long la, int size, boolean write) {
        for (int k = 0; k < 4; k++) {
            if (((cpu.dr7 >>> (2 * k)) & 3) == 0) {
                continue;
            }
            int rw = (int) (cpu.dr7 >>> (16 + 4 * k)) & 3;
            if (rw == 0 || rw == 2 || (rw == 1 && !write)) {
                continue;
            }
            long len = length(cpu, k);
            long start = cpu.dr[k] & ~(len - 1);
            if (la < start + len && start < la + size) {
                cpu.dataHits |= DR6_B0 << k;
            }
        }
    }

    /**
     * Runs one instruction with the debug rules: an enabled execution breakpoint at CS.base +
     * RIP raises #DB as a fault first (unless RF = 1); after the instruction RF is cleared
     * (IRET and POPF excepted, which load it) and a single-step trap (TF set before the
     * instruction) and data-breakpoint hits become a pending #DB trap, held one more
     * instruction after MOV SS / POP SS.
     */
    static void step(X86Cpu cpu) {
        Insn[] insns = cpu.lookup().insns;
        long flags = cpu.rflags;
        boolean tf = (flags & FLAG_TF) != 0;
        boolean inMovSs = cpu.shadow && cpu.movSsShadow;
        if (cpu.execBreakpoints && (flags & FLAG_RF) == 0 && !inMovSs) {
            long hits = execHits(cpu, cpu.segBase[CS] + cpu.rip);
            if (hits != 0) {
                cpu.dr6 = (cpu.dr6 & ~0xFL) | hits;
                cpu.dr7 &= ~DR7_GD;
                throw CpuSignal.fault(1);
            }
        }
        cpu.dataHits = 0;
        Insn in = insns[0];
        cpu.interpret(insns, 1);
        if (in.op != Insn.IRET && in.op != Insn.POPF) {
            cpu.rflags &= ~FLAG_RF;
        }
        long bits = cpu.dataHits | (tf ? DR6_BS : 0);
        cpu.dataHits = 0;
        if (cpu.shadow && cpu.movSsShadow) { // this instruction was MOV SS / POP SS
            cpu.heldDebugTraps |= bits;
        } else {
            bits |= cpu.heldDebugTraps;
            cpu.heldDebugTraps = 0;
            cpu.pendingDebugTraps |= bits;
        }
        refresh(cpu);
    }

    private static long execHits(X86Cpu cpu, long la) {
        long hits = 0;
        for (int k = 0; k < 4; k++) {
            if (((cpu.dr7 >>> (2 * k)) & 3) != 0 && ((cpu.dr7 >>> (16 + 4 * k)) & 3) == 0
                    && cpu.dr[k] == la) {
                hits |= DR6_B0 << k;
            }
        }
        return hits;
    }

    /** Delivers a pending debug trap: DR6 gets the B0–B3 hits and BS; #DB through the IDT. */
    static VcpuExit deliverPending(X86Cpu cpu) {
        long bits = cpu.pendingDebugTraps;
        cpu.pendingDebugTraps = 0;
        refresh(cpu);
        cpu.dr6 = (cpu.dr6 & ~0xFL) | bits;
        cpu.dr7 &= ~DR7_GD;
        return Events.raise(cpu, 1, false, 0);
    }
}
