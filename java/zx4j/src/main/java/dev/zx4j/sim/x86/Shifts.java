package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.X86Cpu.FLAG_CF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_OF;
import static dev.zx4j.sim.x86.X86Cpu.RCX;
import static dev.zx4j.sim.x86.X86Cpu.mask;
import static dev.zx4j.sim.x86.X86Cpu.sext;
import static dev.zx4j.sim.x86.X86Cpu.signBit;

/** Shifts and rotates (SHL/SHR/SAR/ROL/ROR/RCL/RCR) and the double shifts SHLD/SHRD. */
final class Shifts {
    private Shifts() {
    }

    static void shift(X86Cpu cpu, Insn i, int s) {
        int count = (int) ((i.imm2 == 1 ? cpu.regs[RCX] : i.imm) & (s == 8 ? 0x3F : 0x1F));
        long la = i.mem ? cpu.ea(i) : 0;
        long a = i.mem ? Memory.readMem(cpu, la, s) : cpu.readReg(i.rm, s);
        if (count == 0) {
            if (!i.mem && s == 4) {
                cpu.writeReg(i.rm, 4, a); // a 32-bit register destination is still zero-extended
            }
            return;
        }
        if (i.sub == 2 || i.sub == 3) {
            rotateThroughCarry(cpu, i, s, la, a, count);
            return;
        }
        long r = value(i.sub, a, count, s);
        cpu.writeRm(i, s, la, r);
        long f = flags(i.sub, a, count, s, r);
        if (i.sub < 2) {
            Flags.setSomeArith(cpu, FLAG_CF | FLAG_OF, f);
        } else {
            Flags.setArith(cpu, f);
        }
    }

    /**
     * The result of ROL/ROR/SHL/SAL/SHR/SAR ({@code sub} 0, 1, 4, 6, 5, 7) of the {@code s}-byte
     * value {@code a} by the masked, non-zero {@code count}.
     */
    static long value(int sub, long a, int count, int s) {
        long m = mask(s);
        int bits = s * 8;
        switch (sub) {
            case 0: { // ROL
                int n = count % bits;
                return n == 0 ? a : ((a << n) | (a >>> (bits - n))) & m;
            }
            case 1: { // ROR
                int n = count % bits;
                return n == 0 ? a : ((a >>> n) | (a << (bits - n))) & m;
            }
            case 4: // SHL
            case 6: // SAL
                return count >= 64 ? 0 : (a << count) & m;
            case 5: // SHR
                return a >>> count;
            default: // SAR
                return (sext(a, s) >> Math.min(count, 63)) & m;
        }
    }

    /**
     * The arithmetic flags {@link #value} leaves for result {@code r}: for the rotates only CF
     * and OF (the others are unchanged), for the shifts all six (AF cleared).
     */
    static long flags(int sub, long a, int count, int s, long r) {
        int bits = s * 8;
        long sb = signBit(s);
        long cf;
        long of;
        switch (sub) {
            case 0: // ROL
                cf = r & 1;
                of = ((r & sb) != 0 ? 1 : 0) ^ cf;
                return (cf != 0 ? FLAG_CF : 0) | (of != 0 ? FLAG_OF : 0);
            case 1: // ROR
                cf = (r & sb) != 0 ? 1 : 0;
                of = cf ^ ((r & (sb >>> 1)) != 0 ? 1 : 0);
                return (cf != 0 ? FLAG_CF : 0) | (of != 0 ? FLAG_OF : 0);
            case 4: // SHL
            case 6: // SAL
                cf = count > bits ? 0 : (a >>> (bits - count)) & 1;
                of = ((r & sb) != 0 ? 1 : 0) ^ cf;
                break;
            case 5: // SHR
                cf = (a >>> (count - 1)) & 1;
                of = (a & sb) != 0 ? 1 : 0;
                break;
            default: // SAR
                cf = (sext(a, s) >> Math.min(count - 1, 63)) & 1;
                of = 0;
                break;
        }
        return Flags.szp(r, s) | (cf != 0 ? FLAG_CF : 0) | (of != 0 ? FLAG_OF : 0);
    }

    /** RCL/RCR by the masked, non-zero {@code count}. */
    private static void rotateThroughCarry(X86Cpu cpu, Insn i, int s, long la, long a, int count) {
        long m = mask(s);
        long sb = signBit(s);
        long r;
        long of;
        int n = s == 1 ? count % 9 : s == 2 ? count % 17 : count;
        long c = Flags.cfBit(cpu);
        r = a;
        for (int k = 0; k < n; k++) {
            if (i.sub == 2) {
                long out = (r & sb) != 0 ? 1 : 0;
                r = ((r << 1) | c) & m;
                c = out;
            } else {
                long out = r & 1;
                r = (r >>> 1) | (c != 0 ? sb : 0);
                c = out;
            }
        }
        if (i.sub == 2) {
            of = ((r & sb) != 0 ? 1 : 0) ^ c;
        } else {
            of = ((r & sb) != 0 ? 1 : 0) ^ ((r & (sb >>> 1)) != 0 ? 1 : 0);
        }
        cpu.writeRm(i, s, la, r);
        Flags.setSomeArith(cpu, FLAG_CF | FLAG_OF, (c != 0 ? FLAG_CF : 0) | (of != 0 ? FLAG_OF : 0));
    }

    static void doubleShift(X86Cpu cpu, Insn i, int s) {
        int bits = s * 8;
        int count = (int) ((i.imm2 == 1 ? cpu.regs[RCX] : i.imm) & (s == 8 ? 0x3F : 0x1F));
        long la = i.mem ? cpu.ea(i) : 0;
        long d = i.mem ? Memory.readMem(cpu, la, s) : cpu.readReg(i.rm, s);
        if (count == 0) {
            if (!i.mem && s == 4) {
                cpu.writeReg(i.rm, 4, d);
            }
            return;
        }
        long src = cpu.readReg(i.reg, s);
        long m = mask(s);
        long sb = signBit(s);
        long r;
        long cf;
        if (count > bits) {
            // Architecturally undefined (16-bit operands only); pick a deterministic result.
            count = count % bits == 0 ? bits : count % bits;
        }
        if (i.op == Insn.SHLD) {
            r = count == bits ? src : ((d << count) | (src >>> (bits - count))) & m;
            cf = (d >>> (bits - count)) & 1;
        } else {
            r = count == bits ? src : ((d >>> count) | (src << (bits - count))) & m;
            cf = (d >>> (count - 1)) & 1;
        }
        long of = ((r ^ d) & sb) != 0 ? FLAG_OF : 0;
        cpu.writeRm(i, s, la, r);
        Flags.setArith(cpu, Flags.szp(r, s) | (cf != 0 ? FLAG_CF : 0) | of);
    }
}
