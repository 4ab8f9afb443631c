package dev.zx4j.sim.x86;

import static dev.zx4j.abi.Zx.ZX_ERR_NOT_SUPPORTED;
import static dev.zx4j.sim.x86.Segments.CODE_JUMP;
import static dev.zx4j.sim.x86.Segments.CODE_RETURN;
import static dev.zx4j.sim.x86.X86Cpu.CR0_PE;
import static dev.zx4j.sim.x86.X86Cpu.CS;
import static dev.zx4j.sim.x86.X86Cpu.EFER_LMA;
import static dev.zx4j.sim.x86.X86Cpu.FLAGS_WRITABLE;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_IF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_IOPL;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_NT;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_VIF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_VIP;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_VM;
import static dev.zx4j.sim.x86.X86Cpu.RBP;
import static dev.zx4j.sim.x86.X86Cpu.RSP;
import static dev.zx4j.sim.x86.X86Cpu.SS;
import static dev.zx4j.sim.x86.X86Cpu.mask;

/**
 * Transfers that change CS or leave an event handler: IRET in every mode, far JMP/CALL, far RET,
 * and ENTER.
 */
final class ControlFlow {
    private ControlFlow() {
    }

    static void iret(X86Cpu cpu, int s) {
        if ((cpu.efer & EFER_LMA) != 0) {
            iretLong(cpu, s);
        } else if ((cpu.cr0 & CR0_PE) == 0) {
            long newIp = cpu.peek(s, 0);
            long cs = cpu.peek(s, s);
            long fl = cpu.peek(s, 2 * s);
            cpu.setSp(cpu.regs[RSP] + 3L * s);
            long m = s == 2 ? FLAGS_WRITABLE & 0xFFFF : FLAGS_WRITABLE & ~(FLAG_VIF | FLAG_VIP);
            cpu.setRflags((cpu.rflags() & ~m) | (fl & m));
            int sel = (int) cs & 0xFFFF;
            cpu.segSel[CS] = sel;
            cpu.segBase[CS] = (long) sel << 4;
            cpu.rip = newIp & mask(s);
        } else {
            iretProtected(cpu, s);
        }
    }

    /**
     * The RFLAGS bits IRET (and POPF) may change with operand size {@code s} at the current
     * CPL: IOPL only at CPL 0, IF only when CPL ≤ IOPL (Intel SDM, IRET and POPF).
     */
    static long flagsWritable(X86Cpu cpu, int s) {
        long m = FLAGS_WRITABLE;
        if (s == 2) {
            m &= 0xFFFF;
        } else if (s == 4) {
            m &= 0xFFFFFFFFL;
        }
        if (cpu.cpl > 0) {
            m &= ~(FLAG_IOPL | FLAG_VIF | FLAG_VIP);
        }
        if (cpu.cpl > ((cpu.rflags & FLAG_IOPL) >>> 12)) {
            m &= ~FLAG_IF;
        }
        return m;
    }

    /**
     * IRET in IA-32e mode (64-bit or compatibility): pops RIP, CS, RFLAGS, RSP and SS with the
     * operand size. CS is checked for a return (RPL ≥ CPL; the RPL becomes the CPL); SS must
     * have RPL = DPL = the new CPL, or be null when returning to 64-bit code at CPL &lt; 3
     * (else #GP). Returning to an outer level nulls the data segment registers the new CPL may
     * not use.
     */
    static void iretLong(X86Cpu cpu, int s) {
        if ((cpu.rflags & FLAG_NT) != 0) {
            throw CpuSignal.fault(13, 0); // no task returns in IA-32e mode
        }
        long newRip = cpu.peek(s, 0);
        int cs = (int) cpu.peek(s, s) & 0xFFFF;
        long fl = cpu.peek(s, 2 * s);
        long sp = cpu.peek(s, 3 * s);
        int ss = (int) cpu.peek(s, 4 * s) & 0xFFFF;
        long code = Segments.codeDescriptor(cpu, cs, CODE_RETURN);
        int oldCpl = cpu.cpl;
        int newCpl = cs & 3;
        long target = farTarget(cpu, code, newRip, s);
        long stack = 0;
        if ((ss & ~3) == 0) {
            if (!Segments.is64BitCode(cpu, code) || newCpl == 3 || (ss & 3) != newCpl) {
                throw CpuSignal.fault(13, 0);
            }
        } else {
            stack = Segments.stackOrDataDescriptor(cpu, SS, ss, newCpl);
        }
        long m = flagsWritable(cpu, s);
        cpu.setRflags((cpu.rflags() & ~m) | (fl & m));
        Segments.loadCode(cpu, cs, code, newCpl);
        if (stack == 0) {
            Segments.loadNull(cpu, SS, ss);
        } else {
            Segments.load(cpu, SS, ss, stack);
        }
        cpu.regs[RSP] = s == 8 ? sp : sp & mask(s);
        if (newCpl > oldCpl) {
            Segments.nullInaccessibleDataSegments(cpu);
        }
        cpu.rip = target;
    }

    /**
     * IRET in protected mode without long mode: pops EIP/IP, CS and EFLAGS/FLAGS, and to an
     * outer level also ESP/SP and SS (checked against the new CPL). A task return (NT = 1) or a
     * return to virtual-8086 mode ends the run (not modelled).
     */
    static void iretProtected(X86Cpu cpu, int s) {
        if ((cpu.rflags & FLAG_NT) != 0) {
            throw CpuSignal.error(ZX_ERR_NOT_SUPPORTED,
                    "IRET with NT = 1 (task return): task switches are not modelled");
        }
        long newIp = cpu.peek(s, 0);
        int cs = (int) cpu.peek(s, s) & 0xFFFF;
        long fl = cpu.peek(s, 2 * s);
        if (s == 4 && (fl & FLAG_VM) != 0 && cpu.cpl == 0) {
            throw CpuSignal.error(ZX_ERR_NOT_SUPPORTED,
                    "IRET to virtual-8086 mode is not modelled");
        }
        long code = Segments.codeDescriptor(cpu, cs, CODE_RETURN);
        int oldCpl = cpu.cpl;
        int newCpl = cs & 3;
        long target = farTarget(cpu, code, newIp, s);
        if (newCpl > oldCpl) {
            long sp = cpu.peek(s, 3 * s);
            int ss = (int) cpu.peek(s, 4 * s) & 0xFFFF;
            if ((ss & ~3) == 0) {
                throw CpuSignal.fault(13, 0);
            }
            long stack = Segments.stackOrDataDescriptor(cpu, SS, ss, newCpl);
            long m = flagsWritable(cpu, s);
            cpu.setRflags((cpu.rflags() & ~m) | (fl & m));
            Segments.loadCode(cpu, cs, code, newCpl);
            Segments.load(cpu, SS, ss, stack);
            cpu.setSp(sp);
            Segments.nullInaccessibleDataSegments(cpu);
        } else {
            cpu.setSp(cpu.regs[RSP] + 3L * s);
            long m = flagsWritable(cpu, s);
            cpu.setRflags((cpu.rflags() & ~m) | (fl & m));
            Segments.loadCode(cpu, cs, code, newCpl);
        }
        cpu.rip = target;
    }

    /**
     * The new RIP of a far transfer of operand size {@code size} into a checked code segment:
     * 16-bit offsets wrap to 16 bits; a 64-bit target must be canonical, any other must fit in
     * 32 bits (#GP(0)). Segment limits are not checked.
     */
    static long farTarget(X86Cpu cpu, long code, long offset, int size) {
        if (size == 2) {
            offset &= 0xFFFF;
        } else if (size == 4) {
            offset &= 0xFFFFFFFFL;
        }
        if (Segments.is64BitCode(cpu, code) ? !Paging.canonical(offset) : (offset >>> 32) != 0) {
            throw CpuSignal.fault(13, 0);
        }
        return offset;
    }

    /**
     * Far JMP or CALL to {@code sel:offset} with operand size {@code size}. Real mode: CS =
     * selector, base = selector × 16. Protected and IA-32e mode: CS is loaded from the GDT after
     * the checks of {@link Segments#codeDescriptor}; a CALL pushes CS and the return address with the
     * operand size first.
     */
    static void farTransfer(X86Cpu cpu, boolean call, int sel, long offset, int size, long next) {
        sel &= 0xFFFF;
        long code = 0;
        long target;
        if ((cpu.cr0 & CR0_PE) == 0) {
            target = offset & mask(size);
        } else {
            code = Segments.codeDescriptor(cpu, sel, CODE_JUMP);
            target = farTarget(cpu, code, offset, size);
        }
        if (call) {
            long old = cpu.regs[RSP];
            try {
                cpu.push(cpu.segSel[CS], size);
                cpu.push(next, size);
            } catch (CpuSignal e) {
                cpu.regs[RSP] = old;
                throw e;
            }
        }
        if ((cpu.cr0 & CR0_PE) == 0) {
            cpu.segSel[CS] = sel;
            cpu.segBase[CS] = (long) sel << 4;
        } else {
            Segments.loadCode(cpu, sel, code);
        }
        cpu.rip = target;
    }

    /**
     * Far RET (RETF, RETF imm16) with operand size {@code size}. To an outer level (return CS
     * RPL &gt; CPL) it also pops RSP and SS after releasing {@code release} bytes, checks SS
     * against the new CPL, releases {@code release} bytes of the outer stack, and nulls the
     * data segment registers the new CPL may not use. In 64-bit mode a null SS is accepted for
     * a return to 64-bit code at CPL &lt; 3.
     */
    static void farReturn(X86Cpu cpu, int size, int release) {
        long offset = cpu.peek(size, 0);
        int sel = (int) cpu.peek(size, size) & 0xFFFF;
        if ((cpu.cr0 & CR0_PE) == 0) {
            cpu.setSp(cpu.regs[RSP] + 2L * size + release);
            cpu.segSel[CS] = sel;
            cpu.segBase[CS] = (long) sel << 4;
            cpu.rip = offset & mask(size);
            return;
        }
        long code = Segments.codeDescriptor(cpu, sel, CODE_RETURN);
        long target = farTarget(cpu, code, offset, size);
        int newCpl = sel & 3;
        if (newCpl == cpu.cpl) {
            cpu.setSp(cpu.regs[RSP] + 2L * size + release);
            Segments.loadCode(cpu, sel, code);
            cpu.rip = target;
            return;
        }
        long sp = cpu.peek(size, 2 * size + release);
        int ss = (int) cpu.peek(size, 3 * size + release) & 0xFFFF;
        long stack = 0;
        if ((ss & ~3) == 0) {
            if (!Segments.is64BitCode(cpu, code) || newCpl == 3 || (ss & 3) != newCpl) {
                throw CpuSignal.fault(13, 0);
            }
        } else {
            stack = Segments.stackOrDataDescriptor(cpu, SS, ss, newCpl);
        }
        Segments.loadCode(cpu, sel, code, newCpl);
        if (stack == 0) {
            Segments.loadNull(cpu, SS, ss);
        } else {
            Segments.load(cpu, SS, ss, stack);
        }
        if (cpu.codeSize == 64 || size == 8) {
            cpu.regs[RSP] = sp + release;
        } else {
            cpu.setSp(sp + release);
        }
        Segments.nullInaccessibleDataSegments(cpu);
        cpu.rip = target;
    }

    /**
     * ENTER {@code alloc}, {@code level}: pushes the frame pointer, copies {@code level − 1}
     * outer frame pointers and pushes the new one, then allocates. Nothing changes when a push
     * faults.
     */
    static void enter(X86Cpu cpu, int size, int alloc, int level) {
        long oldSp = cpu.regs[RSP];
        long oldBp = cpu.regs[RBP];
        long ssMask = mask(cpu.stackSize());
        try {
            cpu.push(cpu.regs[RBP], size);
            long frame = cpu.regs[RSP] & mask(size);
            if (level > 0) {
                long bp = cpu.regs[RBP];
                for (int k = 1; k < level; k++) {
                    bp -= size;
                    cpu.push(Memory.readMem(cpu, cpu.linear(SS, bp & ssMask), size), size);
                }
                cpu.push(frame, size);
            }
            if (cpu.codeSize == 64 && size == 8) {
                cpu.regs[RBP] = frame;
            } else {
                cpu.writeReg(RBP, size, frame);
            }
            cpu.setSp(cpu.regs[RSP] - alloc);
        } catch (CpuSignal e) {
            cpu.regs[RSP] = oldSp;
            cpu.regs[RBP] = oldBp;
            throw e;
        }
    }
}
