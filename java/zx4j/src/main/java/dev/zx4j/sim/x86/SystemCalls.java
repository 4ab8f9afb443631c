package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.X86Cpu.CR0_PE;
import static dev.zx4j.sim.x86.X86Cpu.CS;
import static dev.zx4j.sim.x86.X86Cpu.EFER_LMA;
import static dev.zx4j.sim.x86.X86Cpu.EFER_SCE;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_IF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_RESERVED_ONE;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_RF;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_VM;
import static dev.zx4j.sim.x86.X86Cpu.GS;
import static dev.zx4j.sim.x86.X86Cpu.RAX;
import static dev.zx4j.sim.x86.X86Cpu.RBX;
import static dev.zx4j.sim.x86.X86Cpu.RCX;
import static dev.zx4j.sim.x86.X86Cpu.RDX;
import static dev.zx4j.sim.x86.X86Cpu.RSP;
import static dev.zx4j.sim.x86.X86Cpu.SS;

/**
 * The fast system-call instructions as Intel processors implement them (Intel SDM vol. 2,
 * SYSCALL, SYSRET, SYSENTER, SYSEXIT, SWAPGS), and VMCALL as the modelled Zircon kernel answers
 * it. CS and SS are loaded with fixed flat descriptors (base 0, limit 4 GiB), not read from the
 * GDT.
 *
 * <p>Where AMD differs: AMD processors also accept SYSCALL in compatibility mode (through
 * CSTAR) and in legacy mode, and refuse SYSENTER/SYSEXIT in IA-32e mode; this CPU reports
 * itself as Intel and follows Intel.
 */
final class SystemCalls {
    /** Flat 64-bit code, DPL 0 / DPL 3 (VMX access rights: G, L, P, S, type 0xB). */
    static final int ATTR_CODE64_DPL0 = 0xA09B, ATTR_CODE64_DPL3 = 0xA0FB;
    /** Flat 32-bit code (G, D/B), DPL 0 / DPL 3. */
    static final int ATTR_CODE32_DPL0 = 0xC09B, ATTR_CODE32_DPL3 = 0xC0FB;
    /** Flat 32-bit writable data (G, D/B, type 3), DPL 0 / DPL 3. */
    static final int ATTR_DATA_DPL0 = 0xC093, ATTR_DATA_DPL3 = 0xC0F3;

    /** KVM_HC_CLOCK_PAIRING, the one hypercall the modelled kernel implements. */
    static final long HC_CLOCK_PAIRING = 9;

    private SystemCalls() {
    }

    private static void flat(X86Cpu cpu, int seg, int sel, int attr) {
        cpu.segSel[seg] = sel;
        cpu.segBase[seg] = 0;
        cpu.segLimit[seg] = 0xFFFFFFFFL;
        cpu.segAttr[seg] = attr;
    }

    private static void setCs(X86Cpu cpu, int sel, int attr) {
        flat(cpu, CS, sel, attr);
        cpu.setCpl(sel & 3);
        Segments.updateMode(cpu);
    }

    /**
     * SYSCALL: #UD unless in 64-bit mode with EFER.SCE. RCX = next RIP, R11 = RFLAGS (RF
     * clear), RIP = LSTAR, RFLAGS &amp;= ~FMASK (and RF cleared), CS = STAR[47:32] (CPL 0),
     * SS = STAR[47:32] + 8.
     */
    static void syscall(X86Cpu cpu, long next) {
        if (cpu.codeSize != 64 || (cpu.efer & EFER_SCE) == 0) {
            throw CpuSignal.fault(6);
        }
        cpu.regs[RCX] = next;
        cpu.regs[11] = cpu.rflags() & ~FLAG_RF;
        long flags = cpu.rflags() & ~(cpu.sfmask | FLAG_RF);
        cpu.setRflags(flags);
        int sel = (int) (cpu.star >>> 32) & 0xFFFC;
        setCs(cpu, sel, ATTR_CODE64_DPL0);
        flat(cpu, SS, (sel + 8) & 0xFFFF, ATTR_DATA_DPL0);
        cpu.rip = cpu.lstar;
    }

    /**
     * SYSRET: #UD unless in 64-bit mode with EFER.SCE; #GP(0) at CPL ≠ 0, or (Intel) when
     * returning to 64-bit mode with a non-canonical RCX. RIP = RCX (ECX for compatibility mode),
     * RFLAGS = R11 with RF and VM clear, CS = STAR[63:48] + 16 (64-bit) or STAR[63:48] (32-bit),
     * RPL 3; SS = STAR[63:48] + 8, RPL 3.
     */
    static void sysret(X86Cpu cpu, int size) {
        if (cpu.codeSize != 64 || (cpu.efer & EFER_SCE) == 0) {
            throw CpuSignal.fault(6);
        }
        if (cpu.cpl != 0) {
            throw CpuSignal.fault(13, 0);
        }
        long target = cpu.regs[RCX];
        if (size == 8 && !Paging.canonical(target)) {
            throw CpuSignal.fault(13, 0);
        }
        int base = (int) (cpu.star >>> 48) & 0xFFFF;
        cpu.setRflags((cpu.regs[11] & ~(FLAG_RF | FLAG_VM)) | FLAG_RESERVED_ONE);
        if (size == 8) {
            setCs(cpu, ((base + 16) & 0xFFFC) | 3, ATTR_CODE64_DPL3);
            cpu.rip = target;
        } else {
            setCs(cpu, (base & 0xFFFC) | 3, ATTR_CODE32_DPL3);
            cpu.rip = target & 0xFFFFFFFFL;
        }
        flat(cpu, SS, ((base + 8) & 0xFFFC) | 3, ATTR_DATA_DPL3);
    }

    /**
     * SYSENTER: #GP(0) in real mode or when IA32_SYSENTER_CS[15:2] = 0. Clears VM, IF and RF;
     * CS = SYSENTER_CS (64-bit code in IA-32e mode, else 32-bit), SS = SYSENTER_CS + 8, CPL 0,
     * RIP = SYSENTER_EIP and RSP = SYSENTER_ESP (32 bits outside IA-32e mode).
     */
    static void sysenter(X86Cpu cpu) {
        int cs = (int) cpu.sysenterCs & 0xFFFC;
        if ((cpu.cr0 & CR0_PE) == 0 || cs == 0) {
            throw CpuSignal.fault(13, 0);
        }
        cpu.rflags &= ~(FLAG_VM | FLAG_IF | FLAG_RF);
        boolean lma = (cpu.efer & EFER_LMA) != 0;
        setCs(cpu, cs, lma ? ATTR_CODE64_DPL0 : ATTR_CODE32_DPL0);
        flat(cpu, SS, cs + 8, ATTR_DATA_DPL0);
        cpu.rip = lma ? cpu.sysenterEip : cpu.sysenterEip & 0xFFFFFFFFL;
        cpu.regs[RSP] = lma ? cpu.sysenterEsp : cpu.sysenterEsp & 0xFFFFFFFFL;
    }

    /**
     * SYSEXIT: #GP(0) in real mode, at CPL ≠ 0 or when IA32_SYSENTER_CS[15:2] = 0; with REX.W
     * (to 64-bit mode) also for a non-canonical RDX or RCX. RIP = RDX, RSP = RCX (32 bits
     * without REX.W); CS = SYSENTER_CS + 32 (64-bit) or + 16 (32-bit), SS = CS + 8, RPL 3.
     */
    static void sysexit(X86Cpu cpu, int size) {
        int cs = (int) cpu.sysenterCs & 0xFFFC;
        if ((cpu.cr0 & CR0_PE) == 0 || cs == 0 || cpu.cpl != 0) {
            throw CpuSignal.fault(13, 0);
        }
        if (size == 8) {
            if (!Paging.canonical(cpu.regs[RDX]) || !Paging.canonical(cpu.regs[RCX])) {
                throw CpuSignal.fault(13, 0);
            }
            setCs(cpu, ((cs + 32) & 0xFFFC) | 3, ATTR_CODE64_DPL3);
            flat(cpu, SS, ((cs + 40) & 0xFFFC) | 3, ATTR_DATA_DPL3);
            cpu.rip = cpu.regs[RDX];
            cpu.regs[RSP] = cpu.regs[RCX];
        } else {
            setCs(cpu, ((cs + 16) & 0xFFFC) | 3, ATTR_CODE32_DPL3);
            flat(cpu, SS, ((cs + 24) & 0xFFFC) | 3, ATTR_DATA_DPL3);
            cpu.rip = cpu.regs[RDX] & 0xFFFFFFFFL;
            cpu.regs[RSP] = cpu.regs[RCX] & 0xFFFFFFFFL;
        }
    }

    /** SWAPGS (64-bit mode only; #GP(0) at CPL ≠ 0): exchanges GS.base and IA32_KERNEL_GS_BASE. */
    static void swapgs(X86Cpu cpu) {
        if (cpu.cpl != 0) {
            throw CpuSignal.fault(13, 0);
        }
        long t = cpu.segBase[GS];
        cpu.segBase[GS] = cpu.kernelGsBase;
        cpu.kernelGsBase = t;
    }

    /**
     * VMCALL as the modelled kernel's exit handler answers it (zircon-x86-hypervisor notes §6):
     * RIP is advanced; at CPL ≠ 0 (SS.DPL) RAX = −1; otherwise RAX selects the hypercall:
     * KVM_HC_CLOCK_PAIRING (9) with RCX = 0 writes {sec, nsec, tsc, flags = 0, 36 zero bytes}
     * (64 bytes) at guest-physical RBX and sets RAX = 0 (−14 if RBX is not RAM, −95 for
     * RCX ≠ 0); any other number gives RAX = −1000. It never ends the run. The clock is the
     * VCPU's time source (nanoseconds), the TSC as RDTSC reads it.
     */
    static void vmcall(X86Cpu cpu) {
        if (((cpu.segAttr[SS] >>> 5) & 3) != 0) {
            cpu.regs[RAX] = -1;
            return;
        }
        if (cpu.regs[RAX] != HC_CLOCK_PAIRING) {
            cpu.regs[RAX] = -1000;
            return;
        }
        if (cpu.regs[RCX] != 0) {
            cpu.regs[RAX] = -95;
            return;
        }
        long gpa = cpu.regs[RBX];
        if (cpu.bus.ramPage(gpa >>> 12) == null || cpu.bus.ramPage((gpa + 63) >>> 12) == null) {
            cpu.regs[RAX] = -14;
            return;
        }
        long now = cpu.tscSource.getAsLong();
        long[] words = {now / 1_000_000_000L, now % 1_000_000_000L, SystemRegisters.readTsc(cpu),
            0, 0, 0, 0, 0};
        for (int k = 0; k < 64; k++) {
            long a = gpa + k;
            byte[] page = cpu.bus.ramPage(a >>> 12);
            page[(int) (a & 0xFFF)] = (byte) (words[k >>> 3] >>> (8 * (k & 7)));
        }
        cpu.invalidateCode(gpa, 64);
        cpu.regs[RAX] = 0;
    }
}
