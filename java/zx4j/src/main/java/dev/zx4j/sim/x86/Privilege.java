package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.X86Cpu.CR0_PE;
import static dev.zx4j.sim.x86.X86Cpu.CR4_TSD;
import static dev.zx4j.sim.x86.X86Cpu.EFER_LMA;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_IOPL;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_ZF;

/**
 * Privilege checks of individual instructions (Intel SDM vol. 3, 5.9 and 19.5; vol. 1, 19.5):
 * instructions reserved to CPL 0, IOPL-sensitive ones, the TSS I/O permission bitmap, and the
 * descriptor probes LAR/LSL/VERR/VERW.
 */
final class Privilege {
    /** System-descriptor types LAR accepts outside / inside IA-32e mode (a bit per type). */
    private static final int LAR_LEGACY = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5)
            | (1 << 9) | (1 << 11) | (1 << 12);
    private static final int LAR_IA32E = (1 << 2) | (1 << 9) | (1 << 11) | (1 << 12);
    /** System-descriptor types LSL accepts (no gates). */
    private static final int LSL_LEGACY = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 9) | (1 << 11);
    private static final int LSL_IA32E = (1 << 2) | (1 << 9) | (1 << 11);

    private Privilege() {
    }

    /** #GP(0) unless CPL = 0 (HLT, LGDT, MOV CR/DR, RDMSR/WRMSR, INVLPG, LTR, SWAPGS, ...). */
    static void requireCpl0(X86Cpu cpu) {
        if (cpu.cpl != 0) {
            throw CpuSignal.fault(13, 0);
        }
    }

    /** #UD in real mode (LLDT, LTR, SLDT, STR, LAR, LSL, VERR, VERW). */
    static void requireProtected(X86Cpu cpu) {
        if ((cpu.cr0 & CR0_PE) == 0) {
            throw CpuSignal.fault(6);
        }
    }

    static int iopl(X86Cpu cpu) {
        return (int) ((cpu.rflags & FLAG_IOPL) >>> 12);
    }

    /** CLI/STI: #GP(0) when CPL &gt; IOPL in protected mode (VME/PVI are not modelled). */
    static void checkIopl(X86Cpu cpu) {
        if ((cpu.cr0 & CR0_PE) != 0 && cpu.cpl > iopl(cpu)) {
            throw CpuSignal.fault(13, 0);
        }
    }

    /** RDTSC/RDTSCP: #GP(0) when CR4.TSD = 1 and CPL &gt; 0. */
    static void checkTsc(X86Cpu cpu) {
        if ((cpu.cr4 & CR4_TSD) != 0 && cpu.cpl > 0) {
            throw CpuSignal.fault(13, 0);
        }
    }

    /**
     * IN/OUT in protected mode with CPL &gt; IOPL: allowed only when the TSS's I/O permission
     * bitmap (base at TSS offset 0x66) has clear bits for all {@code size} ports from
     * {@code port}; TR not a 32/64-bit TSS, or bitmap bytes past TR's limit → #GP(0).
     */
    static void checkIo(X86Cpu cpu, int port, int size) {
        if ((cpu.cr0 & CR0_PE) == 0 || cpu.cpl <= iopl(cpu)) {
            return;
        }
        int type = cpu.trAttr & 0xF;
        if ((cpu.trSel & ~3) == 0 || (type != 0x9 && type != 0xB) || cpu.trLimit < 0x67) {
            throw CpuSignal.fault(13, 0);
        }
        long base = Memory.readSys(cpu, cpu.trBase + 0x66, 2);
        long at = base + (port >>> 3);
        if (at + 1 > cpu.trLimit) {
            throw CpuSignal.fault(13, 0);
        }
        long bits = Memory.readSys(cpu, cpu.trBase + at, 2);
        long want = ((1L << size) - 1) << (port & 7);
        if ((bits & want) != 0) {
            throw CpuSignal.fault(13, 0);
        }
    }

    /**
     * LAR, LSL, VERR, VERW: ZF = 1 and (LAR/LSL) the access rights or the limit in the
     * destination when the descriptor is visible at max(CPL, RPL) and of a type the
     * instruction accepts; ZF = 0 and the destination unchanged otherwise. Other flags keep
     * their values.
     */
    static void probe(X86Cpu cpu, Insn i, int s) {
        requireProtected(cpu);
        int sel = (int) cpu.readRm(i, 2);
        boolean lma = (cpu.efer & EFER_LMA) != 0;
        int types = 0;
        if (i.op == Insn.LAR) {
            types = lma ? LAR_IA32E : LAR_LEGACY;
        } else if (i.op == Insn.LSL) {
            types = lma ? LSL_IA32E : LSL_LEGACY;
        }
        long d = Segments.probe(cpu, sel, types);
        boolean ok = d != -1;
        if (ok) {
            int attr = Segments.descriptorAttributes(d);
            boolean code = (attr & 0x08) != 0;
            switch (i.op) {
                case Insn.VERR:
                    ok = (attr & 0x10) != 0 && (!code || (attr & 0x02) != 0);
                    break;
                case Insn.VERW:
                    ok = (attr & 0x10) != 0 && !code && (attr & 0x02) != 0;
                    break;
                case Insn.LAR:
                    cpu.writeReg(i.reg, s, (d >>> 32) & (s == 2 ? 0xFF00 : 0x00F0FF00L));
                    break;
                default:
                    cpu.writeReg(i.reg, s, Segments.descriptorLimit(d));
                    break;
            }
        }
        Flags.setSomeArith(cpu, FLAG_ZF, ok ? FLAG_ZF : 0);
    }
}
