package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.X86Cpu.ES;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_DF;
import static dev.zx4j.sim.x86.X86Cpu.MAX_REP_PER_STEP;
import static dev.zx4j.sim.x86.X86Cpu.RAX;
import static dev.zx4j.sim.x86.X86Cpu.RCX;
import static dev.zx4j.sim.x86.X86Cpu.RDI;
import static dev.zx4j.sim.x86.X86Cpu.RSI;
import static dev.zx4j.sim.x86.X86Cpu.mask;

/** String instructions (MOVS, STOS, LODS, CMPS, SCAS, INS, OUTS) with REP prefixes. */
final class StringOps {
    private StringOps() {
    }

    /**
     * Executes one step of a string instruction. Returns true when the instruction completed
     * (RIP must advance), false when a REP was cut short to let the run loop check for stops.
     */
    static boolean string(X86Cpu cpu, Insn i, int s) {
        int as = i.addrSize;
        long am = mask(as);
        long delta = (cpu.rflags & FLAG_DF) != 0 ? -s : s;
        boolean rep = i.rep != 0;
        int kind = i.sub;
        if (rep && as == 8 && delta > 0 && (kind == Insn.STR_MOVS || kind == Insn.STR_STOS)
                && !cpu.dataBreakpoints) {
            return repForward(cpu, i, s, kind == Insn.STR_MOVS);
        }
        for (int iter = 0; ; iter++) {
            if (rep && (cpu.regs[RCX] & am) == 0) {
                return true;
            }
            if (iter >= MAX_REP_PER_STEP) {
                return false;
            }
            long si = cpu.regs[RSI] & am;
            long di = cpu.regs[RDI] & am;
            boolean zf = false;
            switch (kind) {
                case Insn.STR_MOVS: {
                    long v = Memory.readMem(cpu, cpu.linear(i.seg, si), s);
                    Memory.writeMem(cpu, cpu.linear(ES, di), s, v);
                    cpu.writeReg(RSI, as, si + delta);
                    cpu.writeReg(RDI, as, di + delta);
                    break;
                }
                case Insn.STR_STOS:
                    Memory.writeMem(cpu, cpu.linear(ES, di), s, cpu.regs[RAX]);
                    cpu.writeReg(RDI, as, di + delta);
                    break;
                case Insn.STR_LODS:
                    cpu.writeReg(RAX, s, Memory.readMem(cpu, cpu.linear(i.seg, si), s));
                    cpu.writeReg(RSI, as, si + delta);
                    break;
                case Insn.STR_CMPS: {
                    long a = Memory.readMem(cpu, cpu.linear(i.seg, si), s);
                    long b = Memory.readMem(cpu, cpu.linear(ES, di), s);
                    Flags.alu(cpu, 7, a, b, s);
                    Flags.commit(cpu);
                    zf = a == b;
                    cpu.writeReg(RSI, as, si + delta);
                    cpu.writeReg(RDI, as, di + delta);
                    break;
                }
                default: { // SCAS
                    long a = cpu.readReg(RAX, s);
                    long b = Memory.readMem(cpu, cpu.linear(ES, di), s);
                    Flags.alu(cpu, 7, a, b, s);
                    Flags.commit(cpu);
                    zf = a == b;
                    cpu.writeReg(RDI, as, di + delta);
                    break;
                }
            }
            if (!rep) {
                return true;
            }
            cpu.writeReg(RCX, as, cpu.regs[RCX] - 1);
            if (kind == Insn.STR_CMPS || kind == Insn.STR_SCAS) {
                if ((i.rep == 1 && !zf) || (i.rep == 2 && zf)) {
                    return true;
                }
            }
        }
    }

    /**
     * REP MOVS / REP STOS upwards with 64-bit addresses, a run of elements at a time: each run
     * lies within one source and one destination page, whose translations (and faults, traps
     * and code invalidation) are taken at its first element exactly as the element-by-element
     * loop takes them, so a fault leaves RCX, RSI and RDI at the element that faulted with all
     * earlier elements written. An element crossing a page, or a copy within one page whose
     * source and destination overlap, goes one element at a time.
     */
    private static boolean repForward(X86Cpu cpu, Insn i, int s, boolean movs) {
        long budget = MAX_REP_PER_STEP;
        while (true) {
            long count = cpu.regs[RCX];
            if (count == 0) {
                return true;
            }
            if (budget == 0) {
                return false;
            }
            long di = cpu.regs[RDI];
            long si = cpu.regs[RSI];
            long dla = cpu.linear(ES, di);
            long sla = movs ? cpu.linear(i.seg, si) : 0;
            int doff = (int) dla & 0xFFF;
            int soff = (int) sla & 0xFFF;
            long n = Math.min(Long.compareUnsigned(count, budget) < 0 ? count : budget, (4096 - doff) / s);
            if (movs) {
                n = Math.min(n, (4096 - soff) / s);
            }
            int len = (int) n * s;
            if (n > 0) {
                byte[] src = movs ? Memory.pageForRead(cpu, sla) : null;
                byte[] dst = Memory.pageForWrite(cpu, dla, len);
                if (!movs) {
                    fill(dst, doff, (int) n, s, cpu.regs[RAX]);
                } else if (src != dst || soff + len <= doff || doff + len <= soff) {
                    System.arraycopy(src, soff, dst, doff, len);
                } else {
                    n = 0; // overlapping within one page: element by element below
                }
            }
            if (n == 0) {
                n = 1;
                len = s;
                if (movs) {
                    Memory.writeMem(cpu, dla, s, Memory.readMem(cpu, sla, s));
                } else {
                    Memory.writeMem(cpu, dla, s, cpu.regs[RAX]);
                }
            }
            cpu.regs[RDI] = di + len;
            if (movs) {
                cpu.regs[RSI] = si + len;
            }
            cpu.regs[RCX] = count - n;
            budget -= n;
        }
    }

    /** Stores the low {@code s} bytes of {@code v}, {@code n} times, from {@code off} of {@code p}. */
    private static void fill(byte[] p, int off, int n, int s, long v) {
        switch (s) {
            case 1:
                java.util.Arrays.fill(p, off, off + n, (byte) v);
                break;
            case 2:
                for (int k = 0; k < n; k++) {
                    X86Cpu.I16.set(p, off + 2 * k, (short) v);
                }
                break;
            case 4:
                for (int k = 0; k < n; k++) {
                    X86Cpu.I32.set(p, off + 4 * k, (int) v);
                }
                break;
            default:
                for (int k = 0; k < n; k++) {
                    X86Cpu.I64.set(p, off + 8 * k, v);
                }
                break;
        }
    }
}
