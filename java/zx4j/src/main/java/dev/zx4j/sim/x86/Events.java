package dev.zx4j.sim.x86;

import static dev.zx4j.abi.Zx.ZX_ERR_NOT_SUPPORTED;
import static dev.zx4j.sim.x86.Segments.CODE_GATE;
import static dev.zx4j.sim.x86.X86Cpu.ATTR_DB;
import static dev.zx4j.sim.x86.X86Cpu.CR0_PE;
import static dev.zx4j.sim.x86.X86Cpu.CS;
import static dev.zx4j.sim.x86.X86Cpu.EFER_LMA;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_AC;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_IF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_NT;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_RF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_TF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_VM;
import static dev.zx4j.sim.x86.X86Cpu.RSP;
import static dev.zx4j.sim.x86.X86Cpu.SS;
import static dev.zx4j.sim.x86.X86Cpu.mask;

/**
 * Event delivery: faults, traps and injected vectors through the real-mode IVT, a 32-bit IDT or
 * the 64-bit IDT, error codes, and the double- and triple-fault rules; also turns a
 * {@link CpuSignal} thrown by an instruction into the exit or event it stands for.
 */
final class Events {
    private Events() {
    }

    /** Interrupt vectors with an error code. */
    static boolean hasErrorCode(int v) {
        return v == 8 || (v >= 10 && v <= 14) || v == 17;
    }

    static VcpuExit handleSignal(X86Cpu cpu, CpuSignal s) {
        switch (s.kind) {
            case CpuSignal.FAULT:
                return raise(cpu, s.vector, s.hasErrorCode, s.errorCode);
            case CpuSignal.SOFT_INT:
                cpu.retired++;
                cpu.softEvent = s.errorCode == 1;
                // RIP is past the INT n; a fault while delivering it points at the INT n.
                return raise(cpu, s.vector, false, 0, cpu.maskIp(cpu.rip - cpu.cur.len));
            case CpuSignal.MEM_TRAP: {
                // The kernel completes the instruction with next_rip: RIP moves on and STI and
                // MOV-SS blocking end (an interrupt raised meanwhile goes in before the next one).
                Insn in = cpu.cur;
                cpu.rip = cpu.maskIp(cpu.rip + in.len);
                cpu.retired++;
                cpu.shadow = false;
                cpu.shadowFresh = false;
                int dos = (cpu.codeSize == 64 || (cpu.segAttr[CS] & ATTR_DB) != 0) ? 4 : 2;
                return new VcpuExit.MemExit(s.addr, in.len, in.bytes, dos);
            }
            case CpuSignal.BELL_TRAP:
                cpu.rip = cpu.maskIp(cpu.rip + cpu.cur.len);
                cpu.retired++;
                cpu.shadow = false;
                cpu.shadowFresh = false;
                return new VcpuExit.BellExit(s.addr);
            case CpuSignal.INTERCEPT:
                // A VM exit the kernel handles: the instruction waits, RIP on it, until the
                // kernel completes it with X86Cpu.nextRip().
                cpu.interceptLength = cpu.cur.len;
                if (s.vector == CpuSignal.CPUID) {
                    return VcpuExit.Cpuid.INSTANCE;
                }
                int msr = (int) cpu.regs[X86Cpu.RCX];
                return s.vector == CpuSignal.RDMSR ? new VcpuExit.Rdmsr(msr)
                        : new VcpuExit.Wrmsr(msr, (cpu.regs[X86Cpu.RDX] << 32)
                                | (cpu.regs[X86Cpu.RAX] & 0xFFFFFFFFL));
            default:
                return new VcpuExit.ErrorExit(s.status, where(cpu, s.getMessage()));
        }
    }

    /**
     * An enter failure's reason with the instruction it happened at: RIP and the instruction
     * bytes, unless the message names them already.
     */
    static String where(X86Cpu cpu, String detail) {
        if (detail != null && detail.contains("rip 0x")) {
            return detail;
        }
        Insn in = cpu.cur;
        return detail + " (at rip 0x" + Long.toHexString(cpu.rip)
                + (in != null && in.bytes != null ? ", bytes " + Interpreter.hex(in.bytes) : "") + ")";
    }

    static boolean contributory(int v) {
        return v == 0 || (v >= 10 && v <= 13);
    }

    /**
     * Delivers an event, applying the double-fault rules when delivery itself faults. Returns
     * null on success or the exit that ends the run.
     */
    static VcpuExit raise(X86Cpu cpu, int vector, boolean hasErr, int err) {
        return raise(cpu, vector, hasErr, err, cpu.rip);
    }

    static VcpuExit raise(X86Cpu cpu, int vector, boolean hasErr, int err, long faultRip) {
        for (;;) {
            // A software interrupt (INT n) is benign whatever its vector number: a fault while
            // delivering it is delivered as itself, never as #DF (SDM vol. 3, table 6-5).
            boolean soft = cpu.softEvent;
            try {
                deliver(cpu, vector, hasErr, err);
                return null;
            } catch (CpuSignal s) {
                cpu.softEvent = false;
                cpu.setSysAccess(false);
                cpu.rip = faultRip;
                if (s.kind == CpuSignal.ERROR) {
                    return new VcpuExit.ErrorExit(s.status, where(cpu, s.getMessage()));
                }
                if (s.kind != CpuSignal.FAULT) {
                    return new VcpuExit.ErrorExit(ZX_ERR_NOT_SUPPORTED,
                            "event delivery touched a trapped guest-physical page");
                }
                int second = s.vector;
                if (vector == 8 && !soft) {
                    cpu.shutdown = true;
                    // The kernel's exit handler has no case for TRIPLE_FAULT: NOT_SUPPORTED.
                    return new VcpuExit.ErrorExit(ZX_ERR_NOT_SUPPORTED,
                            "triple fault (exception " + second + " while delivering #DF)");
                }
                if (!soft && ((contributory(vector) && contributory(second))
                        || (vector == 14 && (contributory(second) || second == 14)))) {
                    vector = 8;
                    hasErr = true;
                    err = 0;
                } else {
                    vector = second;
                    hasErr = s.hasErrorCode;
                    err = s.errorCode;
                }
            }
        }
    }

    static void deliver(X86Cpu cpu, int vector, boolean hasErr, int err) {
        if ((cpu.efer & EFER_LMA) != 0) {
            deliverLong(cpu, vector, hasErr, err);
        } else if ((cpu.cr0 & CR0_PE) == 0) {
            deliverReal(cpu, vector);
        } else {
            deliverProtected(cpu, vector, hasErr, err);
        }
        cpu.softEvent = false;
        cpu.shadow = false;
        cpu.shadowFresh = false;
        cpu.halted = false;
    }

    /**
     * Event delivery in IA-32e mode through a 16-byte interrupt or trap gate (Intel SDM vol. 3,
     * 6.14): a software interrupt (INT n, INT3, INTO) through a gate with DPL &lt; CPL gives
     * #GP(vector × 8 + 2); the target's DPL sets the new CPL; the stack is the gate's IST
     * entry, else the TSS's RSP for the new CPL when the CPL drops, else the current one,
     * aligned down to 16 bytes; SS:RSP, RFLAGS, CS:RIP and the error code are pushed (as
     * supervisor accesses), SS becomes a null selector with RPL = new CPL when the CPL changes,
     * and TF, NT, RF, VM (and IF for interrupt gates) are cleared. TSS entries past TR's limit
     * give #TS(TR selector).
     */
    static void deliverLong(X86Cpu cpu, int vector, boolean hasErr, int err) {
        int gateErr = vector * 8 + 2;
        if (vector * 16 + 15 > cpu.idtrLimit) {
            throw CpuSignal.fault(13, gateErr);
        }
        long gate = cpu.idtrBase + vector * 16L;
        long lo = Memory.readSys(cpu, gate, 8);
        long hi = Memory.readSys(cpu, gate + 8, 8);
        int type = (int) (lo >>> 40) & 0x1F;
        if (type != 0x0E && type != 0x0F) {
            throw CpuSignal.fault(13, gateErr);
        }
        if (cpu.softEvent && ((lo >>> 45) & 3) < cpu.cpl) {
            throw CpuSignal.fault(13, gateErr);
        }
        if ((lo & (1L << 47)) == 0) {
            throw CpuSignal.fault(11, gateErr);
        }
        long target = (lo & 0xFFFFL) | ((lo >>> 32) & 0xFFFF0000L) | (hi << 32);
        int sel = (int) (lo >>> 16) & 0xFFFF;
        int ist = (int) (lo >>> 32) & 7;
        long code = Segments.codeDescriptor(cpu, sel, CODE_GATE);
        if (!Paging.canonical(target)) {
            throw CpuSignal.fault(13, 0);
        }
        int oldCpl = cpu.cpl;
        int newCpl = Segments.gateCpl(cpu, code);
        long sp = cpu.regs[RSP];
        if (ist != 0) {
            sp = readTss(cpu, 0x24 + (ist - 1) * 8, 8);
        } else if (newCpl < oldCpl) {
            sp = readTss(cpu, 4 + newCpl * 8, 8);
        }
        sp &= ~0xFL;
        long flags = cpu.rflags();
        long[] frame = {cpu.segSel[SS], cpu.regs[RSP], flags, cpu.segSel[CS], cpu.rip, err};
        int count = hasErr ? 6 : 5;
        cpu.setSysAccess(newCpl < 3);
        try {
            for (int k = 0; k < count; k++) {
                Memory.writeMem(cpu, sp - 8L * (k + 1), 8, frame[k]);
            }
        } finally {
            cpu.setSysAccess(false);
        }
        cpu.regs[RSP] = sp - 8L * count;
        Segments.loadCode(cpu, sel, code, newCpl);
        if (newCpl != oldCpl) {
            Segments.loadNull(cpu, SS, newCpl);
        }
        long clear = FLAG_TF | FLAG_NT | FLAG_RF | FLAG_VM;
        if (type == 0x0E) {
            clear |= FLAG_IF;
        }
        cpu.rflags &= ~clear;
        cpu.rip = target;
    }

    /** Reads {@code size} bytes at {@code offset} of the current TSS; past its limit → #TS(TR). */
    static long readTss(X86Cpu cpu, int offset, int size) {
        if ((cpu.trSel & ~3) == 0 || offset + size - 1 > cpu.trLimit) {
            throw CpuSignal.fault(10, cpu.trSel & 0xFFFC);
        }
        return Memory.readSys(cpu, cpu.trBase + offset, size);
    }

    static void deliverReal(X86Cpu cpu, int vector) {
        if (vector * 4 + 3 > cpu.idtrLimit) {
            throw CpuSignal.fault(13, vector * 8 + 2);
        }
        long ent = Memory.readMem(cpu, (cpu.idtrBase + vector * 4L) & 0xFFFFFFFFL, 4);
        long flags = cpu.rflags();
        int sp = (int) cpu.regs[RSP] & 0xFFFF;
        long ss = cpu.segBase[SS];
        Memory.writeMem(cpu, (ss + ((sp - 2) & 0xFFFF)) & 0xFFFFFFFFL, 2, flags);
        Memory.writeMem(cpu, (ss + ((sp - 4) & 0xFFFF)) & 0xFFFFFFFFL, 2, cpu.segSel[CS]);
        Memory.writeMem(cpu, (ss + ((sp - 6) & 0xFFFF)) & 0xFFFFFFFFL, 2, cpu.rip);
        cpu.regs[RSP] = (cpu.regs[RSP] & ~0xFFFFL) | ((sp - 6) & 0xFFFF);
        cpu.rflags &= ~(FLAG_IF | FLAG_TF | FLAG_AC);
        int sel = (int) (ent >>> 16) & 0xFFFF;
        cpu.segSel[CS] = sel;
        cpu.segBase[CS] = (long) sel << 4;
        cpu.rip = ent & 0xFFFF;
    }

    /**
     * Event delivery in protected mode without long mode: an 8-byte gate of the IDT, interrupt
     * or trap, 16- or 32-bit, to a code segment. When the CPL drops, SS:ESP for the new CPL
     * comes from the 32-bit TSS and the old SS:ESP is pushed first; then EFLAGS, CS, EIP and the
     * error code. A task gate ends the run (task switches are not modelled).
     */
    static void deliverProtected(X86Cpu cpu, int vector, boolean hasErr, int err) {
        int gateErr = vector * 8 + 2;
        if (vector * 8 + 7 > cpu.idtrLimit) {
            throw CpuSignal.fault(13, gateErr);
        }
        long gate = Memory.readSys(cpu, cpu.linear0(cpu.idtrBase + vector * 8L), 8);
        int type = (int) (gate >>> 40) & 0x1F;
        if (type == 0x05) {
            throw CpuSignal.error(ZX_ERR_NOT_SUPPORTED, "task gate for vector " + vector
                    + ": task switches are not modelled");
        }
        if (type != 0x06 && type != 0x07 && type != 0x0E && type != 0x0F) {
            throw CpuSignal.fault(13, gateErr);
        }
        if ((gate & (1L << 47)) == 0) {
            throw CpuSignal.fault(11, gateErr);
        }
        if (cpu.softEvent && ((gate >>> 45) & 3) < cpu.cpl) {
            throw CpuSignal.fault(13, gateErr);
        }
        boolean gate32 = (type & 8) != 0;
        int sel = (int) (gate >>> 16) & 0xFFFF;
        long target = (gate & 0xFFFF) | (gate32 ? (gate >>> 32) & 0xFFFF0000L : 0);
        long code = Segments.codeDescriptor(cpu, sel, CODE_GATE);
        int oldCpl = cpu.cpl;
        int newCpl = Segments.gateCpl(cpu, code);
        int w = gate32 ? 4 : 2;
        long sp = cpu.regs[RSP];
        int ssSel = 0;
        long ssDesc = 0;
        boolean outer = newCpl < oldCpl;
        if (outer) {
            // The inner stack from a 32-bit TSS: ESPn at 4 + 8n, SSn at 8 + 8n.
            if ((cpu.trAttr & 0xF) != 0xB && (cpu.trAttr & 0xF) != 0x9) {
                throw CpuSignal.error(ZX_ERR_NOT_SUPPORTED,
                        "privilege change through a 16-bit TSS is not modelled");
            }
            long esp = readTss(cpu, 4 + newCpl * 8, 4);
            ssSel = (int) readTss(cpu, 8 + newCpl * 8, 2);
            ssDesc = innerStack(cpu, ssSel, newCpl);
            sp = esp;
        }
        long ssMask = outer ? ((ssDesc & (1L << 54)) != 0 ? 0xFFFFFFFFL : 0xFFFF)
                : mask(cpu.stackSize());
        long ssBase = outer ? Segments.descriptorBase(ssDesc) : cpu.segBase[SS];
        long[] frame = outer
                ? new long[] {cpu.segSel[SS], cpu.regs[RSP], cpu.rflags(), cpu.segSel[CS], cpu.rip,
                        err & 0xFFFFFFFFL}
                : new long[] {cpu.rflags(), cpu.segSel[CS], cpu.rip, err & 0xFFFFFFFFL};
        int count = frame.length - (hasErr ? 0 : 1);
        cpu.setSysAccess(newCpl < 3);
        try {
            for (int k = 0; k < count; k++) {
                long la = (ssBase + ((sp - (long) w * (k + 1)) & ssMask)) & 0xFFFFFFFFL;
                Memory.writeMem(cpu, la, w, frame[k]);
            }
        } finally {
            cpu.setSysAccess(false);
        }
        Segments.loadCode(cpu, sel, code, newCpl);
        if (outer) {
            Segments.load(cpu, SS, ssSel, ssDesc);
        }
        cpu.setSp(sp - (long) w * count);
        long clear = FLAG_TF | FLAG_NT | FLAG_RF | FLAG_VM;
        if ((type & 1) == 0) {
            clear |= FLAG_IF;
        }
        cpu.rflags &= ~clear;
        cpu.rip = target;
    }

    /**
     * The stack segment of a privilege change from the TSS: null → #TS(0); RPL or DPL ≠ the new
     * CPL, or not a writable data segment → #TS(selector); not present → #SS(selector).
     */
    static long innerStack(X86Cpu cpu, int sel, int cpl) {
        if ((sel & ~3) == 0) {
            throw CpuSignal.fault(10, 0);
        }
        long d;
        try {
            d = Segments.descriptor(cpu, sel);
        } catch (CpuSignal e) {
            if (e.kind == CpuSignal.FAULT && e.vector == 13) {
                throw CpuSignal.fault(10, sel & 0xFFFC);
            }
            throw e;
        }
        int attr = Segments.descriptorAttributes(d);
        if ((sel & 3) != cpl || Segments.dpl(d) != cpl || (attr & 0x1A) != 0x12) {
            throw CpuSignal.fault(10, sel & 0xFFFC);
        }
        if ((attr & 0x80) == 0) {
            throw CpuSignal.fault(12, sel & 0xFFFC);
        }
        return Segments.markAccessed(cpu, sel, d);
    }
}
