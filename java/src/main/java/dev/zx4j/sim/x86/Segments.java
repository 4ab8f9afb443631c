package dev.zx4j.sim.x86;

import static dev.zx4j.abi.Zx.ZX_ERR_NOT_SUPPORTED;
import static dev.zx4j.sim.x86.X86Cpu.ATTR_DB;
import static dev.zx4j.sim.x86.X86Cpu.ATTR_L;
import static dev.zx4j.sim.x86.X86Cpu.CR0_PE;
import static dev.zx4j.sim.x86.X86Cpu.CS;
import static dev.zx4j.sim.x86.X86Cpu.EFER_LMA;
import static dev.zx4j.sim.x86.X86Cpu.SS;

/**
 * Segmentation and the processor mode: loading segment registers and CS from GDT descriptors,
 * descriptor checks and the accessed bit, and the code size derived from CR0, EFER and CS.
 * Descriptors come from the GDT only: selectors with TI = 1 fault, no LDT is modelled.
 */
final class Segments {
    static final int CODE_JUMP = 0, CODE_RETURN = 1, CODE_GATE = 2;

    private Segments() {
    }

    static void updateMode(X86Cpu cpu) {
        cpu.codeEpoch++;
        if ((cpu.efer & EFER_LMA) != 0 && (cpu.segAttr[CS] & ATTR_L) != 0) {
            cpu.codeSize = 64;
        } else if ((cpu.cr0 & CR0_PE) != 0 && (cpu.segAttr[CS] & ATTR_DB) != 0) {
            cpu.codeSize = 32;
        } else {
            cpu.codeSize = 16;
        }
    }

    /** Loads a segment register from a selector (real mode: base = selector × 16; else the GDT). */
    static void loadSegment(X86Cpu cpu, int seg, int sel) {
        if ((cpu.cr0 & CR0_PE) == 0) {
            cpu.segSel[seg] = sel;
            cpu.segBase[seg] = (long) sel << 4;
            return;
        }
        if ((sel & ~3) == 0) {
            if (seg == CS || (seg == SS && cpu.codeSize != 64)) {
                throw CpuSignal.fault(13, 0);
            }
            cpu.segSel[seg] = sel;
            cpu.segBase[seg] = 0;
            return;
        }
        long d = dataDescriptor(cpu, seg, sel);
        cpu.segSel[seg] = sel;
        cpu.segBase[seg] = descriptorBase(d);
        cpu.segLimit[seg] = descriptorLimit(d);
        cpu.segAttr[seg] = descriptorAttributes(d);
    }

    /** The GDT descriptor a non-null selector names; #GP(selector) past the GDT limit. */
    static long descriptor(X86Cpu cpu, int sel) {
        if ((sel & 4) != 0 || (sel | 7) > cpu.gdtrLimit) {
            throw CpuSignal.fault(13, sel & 0xFFFC);
        }
        return Memory.readMem(cpu, cpu.linear0(cpu.gdtrBase + (sel & 0xFFF8)), 8);
    }

    /** Access rights of a descriptor in the VMX format of {@link X86Cpu#segment(int)}. */
    static int descriptorAttributes(long d) {
        return (int) ((d >>> 40) & 0xFF) | ((int) ((d >>> 52) & 0xF) << 12);
    }

    static long descriptorBase(long d) {
        return ((d >>> 16) & 0xFFFFFF) | (((d >>> 56) & 0xFF) << 24);
    }

    static long descriptorLimit(long d) {
        long limit = (d & 0xFFFF) | (((d >>> 48) & 0xF) << 16);
        return (d & (1L << 55)) != 0 ? (limit << 12) | 0xFFF : limit;
    }

    /** Sets the accessed bit of a descriptor about to be loaded, in the GDT too, as the CPU does. */
    static long markAccessed(X86Cpu cpu, int sel, long d) {
        if ((d & (1L << 40)) == 0) {
            d |= 1L << 40;
            Memory.writeMem(cpu, cpu.linear0(cpu.gdtrBase + (sel & 0xFFF8) + 5), 1, d >>> 40);
        }
        return d;
    }

    /**
     * Checks a descriptor for MOV/POP to a data segment register (or SS) at CPL 0: SS needs a
     * present writable data segment with DPL 0 and RPL 0 (else #GP, or #SS when not present);
     * DS, ES, FS and GS take data or readable code segments with DPL ≥ RPL (else #GP, or #NP).
     */
    static long dataDescriptor(X86Cpu cpu, int seg, int sel) {
        long d = descriptor(cpu, sel);
        int attr = descriptorAttributes(d);
        int err = sel & 0xFFFC;
        boolean code = (attr & 0x08) != 0;
        int dpl = (attr >>> 5) & 3;
        if ((attr & 0x10) == 0) {
            throw CpuSignal.fault(13, err); // a system descriptor
        }
        if (seg == SS) {
            if (code || (attr & 0x02) == 0 || (sel & 3) != 0 || dpl != 0) {
                throw CpuSignal.fault(13, err);
            }
        } else if ((code && (attr & 0x02) == 0)
                || ((!code || (attr & 0x04) == 0) && (sel & 3) > dpl)) {
            throw CpuSignal.fault(13, err);
        }
        if ((attr & 0x80) == 0) {
            throw CpuSignal.fault(seg == SS ? 12 : 11, err);
        }
        return markAccessed(cpu, sel, d);
    }

    /**
     * Checks the code segment a far JMP/CALL ({@code CODE_JUMP}), a far RET/IRET
     * ({@code CODE_RETURN}) or an IDT gate ({@code CODE_GATE}) names, for a transfer from and to
     * CPL 0: null → #GP(0); a data or system descriptor → #GP(selector), except that call gates,
     * task gates and TSSs as far JMP/CALL targets end the run (privilege changes and task
     * switches are not modelled); DPL ≠ 0 or, for a non-conforming JMP/CALL target, RPL ≠ 0 →
     * #GP(selector); in IA-32e mode L = D = 1 → #GP(selector), and a gate must name a 64-bit
     * segment; not present → #NP(selector). Returns the descriptor with its accessed bit set.
     */
    static long codeDescriptor(X86Cpu cpu, int sel, int use) {
        if ((sel & ~3) == 0) {
            throw CpuSignal.fault(13, 0);
        }
        long d = descriptor(cpu, sel);
        int attr = descriptorAttributes(d);
        int err = sel & 0xFFFC;
        if ((attr & 0x10) == 0) {
            int type = attr & 0xF;
            if (use == CODE_JUMP && (type == 0x1 || type == 0x4 || type == 0x5 || type == 0x9
                    || type == 0xC)) {
                throw CpuSignal.error(ZX_ERR_NOT_SUPPORTED, "far transfer through a call gate, "
                        + "task gate or TSS (selector 0x" + Integer.toHexString(sel)
                        + "): privilege changes and task switches are not modelled");
            }
            throw CpuSignal.fault(13, err);
        }
        boolean conforming = (attr & 0x04) != 0;
        if ((attr & 0x08) == 0 || ((attr >>> 5) & 3) != 0
                || (use == CODE_JUMP && !conforming && (sel & 3) != 0)) {
            throw CpuSignal.fault(13, err);
        }
        if ((cpu.efer & EFER_LMA) != 0) {
            boolean l = (attr & ATTR_L) != 0;
            if ((l && (attr & ATTR_DB) != 0) || (use == CODE_GATE && !l)) {
                throw CpuSignal.fault(13, err);
            }
        }
        if ((attr & 0x80) == 0) {
            throw CpuSignal.fault(11, err);
        }
        return markAccessed(cpu, sel, d);
    }

    /** Loads CS (RPL = CPL = 0) from a descriptor checked by {@link #codeDescriptor}. */
    static void loadCode(X86Cpu cpu, int sel, long d) {
        cpu.segSel[CS] = sel & 0xFFFC;
        cpu.segBase[CS] = descriptorBase(d);
        cpu.segLimit[CS] = descriptorLimit(d);
        cpu.segAttr[CS] = descriptorAttributes(d);
        updateMode(cpu);
    }

    /** Whether a checked code descriptor makes the CPU run 64-bit code (IA-32e mode and L). */
    static boolean is64BitCode(X86Cpu cpu, long d) {
        return (cpu.efer & EFER_LMA) != 0 && (d & (1L << 53)) != 0;
    }
}
