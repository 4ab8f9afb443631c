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
}
