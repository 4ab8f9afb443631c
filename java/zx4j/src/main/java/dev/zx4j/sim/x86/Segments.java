package dev.zx4j.sim.x86;

import static dev.zx4j.abi.Zx.ZX_ERR_NOT_SUPPORTED;
import static dev.zx4j.sim.x86.X86Cpu.ATTR_DB;
import static dev.zx4j.sim.x86.X86Cpu.ATTR_L;
import static dev.zx4j.sim.x86.X86Cpu.CR0_PE;
import static dev.zx4j.sim.x86.X86Cpu.CS;
import static dev.zx4j.sim.x86.X86Cpu.DS;
import static dev.zx4j.sim.x86.X86Cpu.EFER_LMA;
import static dev.zx4j.sim.x86.X86Cpu.ES;
import static dev.zx4j.sim.x86.X86Cpu.FS;
import static dev.zx4j.sim.x86.X86Cpu.GS;
import static dev.zx4j.sim.x86.X86Cpu.SS;

/**
 * Segmentation and privilege (Intel SDM vol. 3, chapters 3 and 5): the CPL, loading segment
 * registers and CS from GDT or LDT descriptors with the DPL/RPL/CPL checks and their #GP, #SS
 * and #NP error codes, the accessed and busy bits, TR and LDTR (LTR, LLDT), the descriptor
 * probes LAR/LSL/VERR/VERW, and the code size derived from CR0, EFER and CS.
 *
 * <p>Call gates and task switches are not modelled: a far JMP/CALL through a call gate, task
 * gate or TSS descriptor ends the run with {@code ZX_ERR_NOT_SUPPORTED}, naming the selector.
 * Segment limits are not checked on memory accesses (only descriptor-table limits are).
 */
final class Segments {
    static final int CODE_JUMP = 0, CODE_RETURN = 1, CODE_GATE = 2;
    /** VMX access-rights bit 16: the segment is unusable (a null selector was loaded). */
    static final int ATTR_UNUSABLE = 0x10000;

    private Segments() {
    }

    /**
     * Sets the code size from CS, CR0.PE and EFER.LMA. Links and jump-cache entries are dropped
     * (the code epoch advanced) when the code size or the CPL differs from when they were made:
     * blocks are cached per code size, and a fetch's rights depend on the CPL. A CS load that
     * changes neither (an interrupt or IRET within the kernel) keeps them.
     */
    static void updateMode(X86Cpu cpu) {
        int size;
        if ((cpu.efer & EFER_LMA) != 0 && (cpu.segAttr[CS] & ATTR_L) != 0) {
            size = 64;
        } else if ((cpu.cr0 & CR0_PE) != 0 && (cpu.segAttr[CS] & ATTR_DB) != 0) {
            size = 32;
        } else {
            size = 16;
        }
        if (size != cpu.codeSize || cpu.cpl != cpu.epochCpl) {
            cpu.codeSize = size;
            cpu.epochCpl = cpu.cpl;
            cpu.codeEpoch++;
        }
    }

    /**
     * MOV/POP to a segment register. Real mode: base = selector × 16. Protected mode: a null
     * selector is allowed for DS, ES, FS and GS (the register becomes unusable; base 0), and for
     * SS only in 64-bit mode at CPL &lt; 3 with RPL = CPL (else #GP(0)); other selectors go
     * through {@link #dataDescriptor}.
     */
    static void loadSegment(X86Cpu cpu, int seg, int sel) {
        if ((cpu.cr0 & CR0_PE) == 0) {
            cpu.segSel[seg] = sel;
            cpu.segBase[seg] = (long) sel << 4;
            return;
        }
        if ((sel & ~3) == 0) {
            if (seg == CS) {
                throw CpuSignal.fault(13, 0);
            }
            if (seg == SS && (cpu.codeSize != 64 || cpu.cpl == 3 || (sel & 3) != cpu.cpl)) {
                throw CpuSignal.fault(13, 0);
            }
            loadNull(cpu, seg, sel);
            return;
        }
        long d = dataDescriptor(cpu, seg, sel);
        load(cpu, seg, sel, d);
    }

    static void loadNull(X86Cpu cpu, int seg, int sel) {
        cpu.segSel[seg] = sel;
        cpu.segBase[seg] = 0;
        cpu.segLimit[seg] = 0;
        cpu.segAttr[seg] = ATTR_UNUSABLE | (seg == SS ? 0x93 | (cpu.cpl << 5) : 0);
    }

    static void load(X86Cpu cpu, int seg, int sel, long d) {
        cpu.segSel[seg] = sel;
        cpu.segBase[seg] = descriptorBase(d);
        cpu.segLimit[seg] = descriptorLimit(d);
        cpu.segAttr[seg] = descriptorAttributes(d);
    }

    /** The linear address of a selector's descriptor in the GDT or (TI = 1) the LDT. */
    static long descriptorAddress(X86Cpu cpu, int sel) {
        if ((sel & 4) != 0) {
            if ((cpu.ldtrAttr & ATTR_UNUSABLE) != 0 || (cpu.ldtrSel & ~3) == 0
                    || (sel | 7) > cpu.ldtrLimit) {
                throw CpuSignal.fault(13, sel & 0xFFFC);
            }
            return cpu.linear0(cpu.ldtrBase + (sel & 0xFFF8));
        }
        if ((sel | 7) > cpu.gdtrLimit) {
            throw CpuSignal.fault(13, sel & 0xFFFC);
        }
        return cpu.linear0(cpu.gdtrBase + (sel & 0xFFF8));
    }

    /** The descriptor a non-null selector names; #GP(selector) past the table limit. */
    static long descriptor(X86Cpu cpu, int sel) {
        return Memory.readSys(cpu, descriptorAddress(cpu, sel), 8);
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

    static int dpl(long d) {
        return (int) (d >>> 45) & 3;
    }

    /** Sets the accessed bit of a descriptor about to be loaded, in the table too, as the CPU does. */
    static long markAccessed(X86Cpu cpu, int sel, long d) {
        if ((d & (1L << 40)) == 0) {
            d |= 1L << 40;
            Memory.writeSys(cpu, descriptorAddress(cpu, sel) + 5, 1, d >>> 40);
        }
        return d;
    }

    /**
     * Checks a descriptor for MOV/POP to a data segment register or SS at the current CPL. SS
     * needs RPL = CPL, a writable data segment and DPL = CPL (else #GP(selector)) and present
     * (else #SS(selector)). DS, ES, FS and GS take data or readable code segments, and for data
     * and non-conforming code segments DPL ≥ max(CPL, RPL) (else #GP(selector)); not present
     * gives #NP(selector).
     */
    static long dataDescriptor(X86Cpu cpu, int seg, int sel) {
        return stackOrDataDescriptor(cpu, seg, sel, cpu.cpl);
    }

    /** As {@link #dataDescriptor}, checking SS against {@code cpl} (IRET/RET to an outer level). */
    static long stackOrDataDescriptor(X86Cpu cpu, int seg, int sel, int cpl) {
        long d = descriptor(cpu, sel);
        int attr = descriptorAttributes(d);
        int err = sel & 0xFFFC;
        boolean code = (attr & 0x08) != 0;
        int dpl = (attr >>> 5) & 3;
        if ((attr & 0x10) == 0) {
            throw CpuSignal.fault(13, err); // a system descriptor
        }
        if (seg == SS) {
            if (code || (attr & 0x02) == 0 || (sel & 3) != cpl || dpl != cpl) {
                throw CpuSignal.fault(13, err);
            }
        } else if ((code && (attr & 0x02) == 0)
                || ((!code || (attr & 0x04) == 0) && Math.max(cpl, sel & 3) > dpl)) {
            throw CpuSignal.fault(13, err);
        }
        if ((attr & 0x80) == 0) {
            throw CpuSignal.fault(seg == SS ? 12 : 11, err);
        }
        return markAccessed(cpu, sel, d);
    }

    /**
     * Checks the code segment a far JMP/CALL ({@code CODE_JUMP}), a far RET/IRET
     * ({@code CODE_RETURN}) or an IDT gate ({@code CODE_GATE}) names: null → #GP(0); a data
     * or system descriptor → #GP(selector), except that call gates, task gates and TSSs as far
     * JMP/CALL targets end the run (not modelled). Privilege: JMP/CALL to a non-conforming
     * segment needs RPL ≤ CPL and DPL = CPL, to a conforming one DPL ≤ CPL; RET/IRET needs
     * RPL ≥ CPL and DPL = RPL (conforming: DPL ≤ RPL); a gate's target needs DPL ≤ CPL; else
     * #GP(selector). In IA-32e mode L = D = 1 → #GP(selector), and a gate must name a 64-bit
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
                        + "): call gates and task switches are not modelled");
            }
            throw CpuSignal.fault(13, err);
        }
        if ((attr & 0x08) == 0) {
            throw CpuSignal.fault(13, err);
        }
        boolean conforming = (attr & 0x04) != 0;
        int dpl = (attr >>> 5) & 3;
        int rpl = sel & 3;
        int cpl = cpu.cpl;
        boolean ok;
        switch (use) {
            case CODE_JUMP:
                ok = conforming ? dpl <= cpl : rpl <= cpl && dpl == cpl;
                break;
            case CODE_RETURN:
                ok = rpl >= cpl && (conforming ? dpl <= rpl : dpl == rpl);
                break;
            default:
                ok = dpl <= cpl;
                break;
        }
        if (!ok) {
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

    /** The CPL after an event through a gate to a checked code segment. */
    static int gateCpl(X86Cpu cpu, long code) {
        boolean conforming = (code & (1L << 42)) != 0;
        return conforming ? cpu.cpl : dpl(code);
    }

    /** Loads CS from a checked descriptor and sets the CPL (CS.RPL = CPL). */
    static void loadCode(X86Cpu cpu, int sel, long d, int cpl) {
        cpu.segSel[CS] = (sel & 0xFFFC) | cpl;
        cpu.segBase[CS] = descriptorBase(d);
        cpu.segLimit[CS] = descriptorLimit(d);
        cpu.segAttr[CS] = descriptorAttributes(d);
        cpu.setCpl(cpl);
        updateMode(cpu);
    }

    /** Loads CS at the current CPL (JMP/CALL, same-level returns and gates). */
    static void loadCode(X86Cpu cpu, int sel, long d) {
        loadCode(cpu, sel, d, cpu.cpl);
    }

    /** Whether a checked code descriptor makes the CPU run 64-bit code (IA-32e mode and L). */
    static boolean is64BitCode(X86Cpu cpu, long d) {
        return (cpu.efer & EFER_LMA) != 0 && (d & (1L << 53)) != 0;
    }

    /**
     * After IRET or far RET to an outer level: ES, DS, FS and GS holding a data or
     * non-conforming code segment with DPL below the new CPL are made null (unusable); their
     * hidden base stays (it matters for FS and GS in 64-bit mode).
     */
    static void nullInaccessibleDataSegments(X86Cpu cpu) {
        for (int seg : new int[] {ES, DS, FS, GS}) {
            int attr = cpu.segAttr[seg];
            if ((attr & ATTR_UNUSABLE) != 0 && (cpu.segSel[seg] & ~3) == 0) {
                continue;
            }
            boolean conformingCode = (attr & 0x0C) == 0x0C;
            if (!conformingCode && ((attr >>> 5) & 3) < cpu.cpl) {
                cpu.segSel[seg] = 0; // the hidden base and limit stay
                cpu.segAttr[seg] = ATTR_UNUSABLE;
            }
        }
    }

    /** A system descriptor (LDT, TSS): 16 bytes in IA-32e mode, with base bits 63:32. */
    static long systemBase(X86Cpu cpu, int sel, long d) {
        long base = descriptorBase(d);
        if ((cpu.efer & EFER_LMA) != 0) {
            base |= Memory.readSys(cpu, descriptorAddress(cpu, sel) + 8, 4) << 32;
        }
        return base;
    }

    /**
     * LTR: null → #GP(0); TI = 1, not an available TSS (type 9, or 1 outside IA-32e mode) →
     * #GP(selector); not present → #NP(selector). Loads TR and marks the TSS busy in the GDT.
     */
    static void ltr(X86Cpu cpu, int sel) {
        if ((sel & ~3) == 0) {
            throw CpuSignal.fault(13, 0);
        }
        if ((sel & 4) != 0) {
            throw CpuSignal.fault(13, sel & 0xFFFC);
        }
        long d = descriptor(cpu, sel);
        int type = (int) (d >>> 40) & 0x1F;
        boolean lma = (cpu.efer & EFER_LMA) != 0;
        if (type != 0x09 && (lma || type != 0x01)) {
            throw CpuSignal.fault(13, sel & 0xFFFC);
        }
        if ((d & (1L << 47)) == 0) {
            throw CpuSignal.fault(11, sel & 0xFFFC);
        }
        long base = systemBase(cpu, sel, d);
        Memory.writeSys(cpu, descriptorAddress(cpu, sel) + 5, 1, (d >>> 40) | 2);
        cpu.trSel = sel;
        cpu.trBase = base;
        cpu.trLimit = descriptorLimit(d);
        cpu.trAttr = descriptorAttributes(d) | 2;
    }

    /** LLDT: a null selector makes LDTR unusable; else an LDT descriptor (type 2) of the GDT. */
    static void lldt(X86Cpu cpu, int sel) {
        if ((sel & ~3) == 0) {
            cpu.ldtrSel = sel;
            cpu.ldtrAttr = ATTR_UNUSABLE;
            return;
        }
        if ((sel & 4) != 0) {
            throw CpuSignal.fault(13, sel & 0xFFFC);
        }
        long d = descriptor(cpu, sel);
        if (((d >>> 40) & 0x1F) != 0x02) {
            throw CpuSignal.fault(13, sel & 0xFFFC);
        }
        if ((d & (1L << 47)) == 0) {
            throw CpuSignal.fault(11, sel & 0xFFFC);
        }
        cpu.ldtrBase = systemBase(cpu, sel, d);
        cpu.ldtrSel = sel;
        cpu.ldtrLimit = descriptorLimit(d);
        cpu.ldtrAttr = descriptorAttributes(d);
    }

    /**
     * The descriptor LAR/LSL/VERR/VERW look at, or -1 when the instruction reports failure
     * (ZF = 0): null selector, past the table limit, or not visible at max(CPL, RPL) (data and
     * non-conforming code need DPL ≥ both; conforming code is always visible). System
     * descriptors count only for LAR/LSL of the types {@code systemTypes} (a bit set by type).
     */
    static long probe(X86Cpu cpu, int sel, int systemTypes) {
        if ((sel & ~3) == 0) {
            return -1;
        }
        long addr;
        if ((sel & 4) != 0) {
            if ((cpu.ldtrAttr & ATTR_UNUSABLE) != 0 || (cpu.ldtrSel & ~3) == 0
                    || (sel | 7) > cpu.ldtrLimit) {
                return -1;
            }
            addr = cpu.linear0(cpu.ldtrBase + (sel & 0xFFF8));
        } else {
            if ((sel | 7) > cpu.gdtrLimit) {
                return -1;
            }
            addr = cpu.linear0(cpu.gdtrBase + (sel & 0xFFF8));
        }
        long d = Memory.readSys(cpu, addr, 8);
        int attr = descriptorAttributes(d);
        if ((attr & 0x10) == 0) {
            if ((systemTypes & (1 << (attr & 0xF))) == 0) {
                return -1;
            }
        } else if ((attr & 0x0C) == 0x0C) {
            return d; // conforming code
        }
        if (dpl(d) < Math.max(cpu.cpl, sel & 3)) {
            return -1;
        }
        return d;
    }
}
