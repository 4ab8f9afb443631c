package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.X86Cpu.FLAG_CF;
import static dev.zx4j.sim.x86.X86Cpu.sext;

/** Bit tests: BT, BTS, BTR, BTC with register and memory operands. */
final class BitOps {
    private BitOps() {
    }

    static void bitTest(X86Cpu cpu, Insn i, int s) {
        int bits = s * 8;
        long la = 0;
        long v;
        int bit;
        if (i.imm2 == 1) {
            bit = (int) (i.imm & (bits - 1));
            if (i.mem) {
                la = cpu.ea(i);
            }
        } else {
            long off = cpu.readReg(i.reg, s);
            if (i.mem) {
                long soff = sext(off, s);
                la = cpu.ea(i) + (soff >> (bits == 16 ? 4 : bits == 32 ? 5 : 6)) * s;
                la = cpu.linear0(la);
                bit = (int) (soff & (bits - 1));
            } else {
                bit = (int) (off & (bits - 1));
            }
        }
        v = i.mem ? Memory.readMem(cpu, la, s) : cpu.readReg(i.rm, s);
        long cf = (v >>> bit) & 1;
        long r;
        switch (i.sub) {
            case 1: r = v | (1L << bit); break;
            case 2: r = v & ~(1L << bit); break;
            case 3: r = v ^ (1L << bit); break;
            default: r = v; break;
        }
        if (i.sub != 0) {
            cpu.writeRm(i, s, la, r);
        }
        Flags.setSomeArith(cpu, FLAG_CF, cf != 0 ? FLAG_CF : 0);
    }
}
