package dev.zx4j.sim.x86;

import static dev.zx4j.abi.Zx.ZX_ERR_NOT_SUPPORTED;
import static dev.zx4j.abi.Zx.ZX_ERR_OUT_OF_RANGE;
import static dev.zx4j.sim.x86.X86Cpu.I16;
import static dev.zx4j.sim.x86.X86Cpu.I32;
import static dev.zx4j.sim.x86.X86Cpu.I64;
import static dev.zx4j.sim.x86.X86Cpu.TLB_CODE;
import static dev.zx4j.sim.x86.X86Cpu.TLB_SIZE;

/**
 * Linear-address memory access: the software TLB (read, write and code-page tags), the
 * fixed-size accessors the compiled ops use with the TLB hit inline, page-straddling accesses,
 * writes that drop decoded code, and accesses that end in a MEM/BELL trap or outside RAM.
 */
final class Memory {
    private Memory() {
    }

    static byte[] fillRead(X86Cpu cpu, long la) {
        long gpa = Paging.translate(cpu, la, 0);
        byte[] p = cpu.bus.ramPageForRead(gpa >>> 12);
        if (p == null) {
            cpu.missGpa = gpa;
            return null;
        }
        if (p == GuestPhysicalBus.ZERO_PAGE || cpu.walkUncacheable) {
            return p; // the zero page is never cached: a later write commits a page of its own
        }
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        cpu.rTag[idx] = vpn | cpu.tlbKey;
        cpu.rPage[idx] = p;
        return p;
    }

    static byte[] fillWrite(X86Cpu cpu, long la) {
        long gpa = Paging.translate(cpu, la, 1);
        long pn = gpa >>> 12;
        byte[] p = cpu.bus.ramPage(pn);
        if (p == null) {
            cpu.missGpa = gpa;
            return null;
        }
        if (cpu.walkUncacheable) {
            cpu.missGpa = gpa; // the page written, for pageForWrite's code check
            return p;
        }
        X86Cpu.CodePage cp = cpu.codePages.get(pn);
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        cpu.wTag[idx] = vpn | cpu.tlbKey | (cp != null ? TLB_CODE : 0);
        cpu.wPage[idx] = p;
        cpu.wPfn[idx] = pn;
        cpu.wCode[idx] = cp;
        return p;
    }

    static CpuSignal trapped(X86Cpu cpu, boolean write) {
        long gpa = cpu.missGpa;
        GuestPhysicalBus.Trap t = cpu.bus.trapAt(gpa);
        if (t == GuestPhysicalBus.Trap.MEM) {
            return CpuSignal.memTrap(gpa);
        }
        if (t == GuestPhysicalBus.Trap.BELL) {
            return write ? CpuSignal.bellTrap(gpa)
                    : CpuSignal.error(ZX_ERR_NOT_SUPPORTED,
                            "read of BELL-trapped guest-physical 0x" + Long.toHexString(gpa));
        }
        return CpuSignal.error(ZX_ERR_OUT_OF_RANGE,
                "access to guest-physical 0x" + Long.toHexString(gpa) + ", which is not RAM or a trap");
    }

    /** Reads as an implicit supervisor access (descriptor tables, TSS), whatever the CPL. */
    static long readSys(X86Cpu cpu, long la, int size) {
        if (cpu.sysAccess) {
            return readMem(cpu, la, size);
        }
        cpu.setSysAccess(true);
        try {
            return readMem(cpu, la, size);
        } finally {
            cpu.setSysAccess(false);
        }
    }

    /** Writes as an implicit supervisor access (accessed and busy bits), whatever the CPL. */
    static void writeSys(X86Cpu cpu, long la, int size, long v) {
        if (cpu.sysAccess) {
            writeMem(cpu, la, size, v);
            return;
        }
        cpu.setSysAccess(true);
        try {
            writeMem(cpu, la, size, v);
        } finally {
            cpu.setSysAccess(false);
        }
    }

    /** Reads {@code size} (1, 2, 4, 8) bytes at linear address {@code la}, zero-extended. */
    static long readMem(X86Cpu cpu, long la, int size) {
        if (cpu.dataBreakpoints) {
            Debug.checkData(cpu, la, size, false);
        }
        int off = (int) la & 0xFFF;
        if (off + size <= 4096) {
            long vpn = la >>> 12;
            int idx = (int) vpn & (TLB_SIZE - 1);
            byte[] p = cpu.rTag[idx] == (vpn | cpu.tlbKey) ? cpu.rPage[idx] : fillRead(cpu, la);
            if (p == null) {
                throw trapped(cpu, false);
            }
            switch (size) {
                case 1: return p[off] & 0xFFL;
                case 2: return ((short) I16.get(p, off)) & 0xFFFFL;
                case 4: return ((int) I32.get(p, off)) & 0xFFFFFFFFL;
                default: return (long) I64.get(p, off);
            }
        }
        long v = 0;
        for (int k = 0; k < size; k++) {
            v |= readMem(cpu, la + k, 1) << (8 * k);
        }
        return v;
    }

    /**
     * The page to write {@code size} bytes at {@code la} (within one page) into. A write over
     * decoded code drops that page's blocks first and sets {@link X86Cpu#codeInvalidated}.
     */
    static byte[] pageForWrite(X86Cpu cpu, long la, int size) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        long tag = cpu.wTag[idx];
        if (tag == (vpn | cpu.tlbKey)) {
            return cpu.wPage[idx];
        }
        if (tag != (vpn | cpu.tlbKey | TLB_CODE)) {
            byte[] p = fillWrite(cpu, la);
            if (p == null) {
                throw trapped(cpu, true);
            }
            if (cpu.walkUncacheable) {
                long pn = cpu.missGpa >>> 12;
                X86Cpu.CodePage cp = cpu.codePages.get(pn);
                if (cp != null && cp.overlaps((int) la & 0xFFF, size)) {
                    cpu.invalidatePage(pn);
                }
                return p;
            }
            tag = cpu.wTag[idx];
        }
        if ((tag & TLB_CODE) != 0 && cpu.wCode[idx].overlaps((int) la & 0xFFF, size)) {
            cpu.invalidatePage(cpu.wPfn[idx]);
        }
        return cpu.wPage[idx];
    }

    /** Checks that {@code la} is writable (translation and RAM) without writing. */
    static void probeWrite(X86Cpu cpu, long la) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        if ((cpu.wTag[idx] & ~TLB_CODE) != (vpn | cpu.tlbKey) && fillWrite(cpu, la) == null) {
            throw trapped(cpu, true);
        }
    }

    /** Writes the low {@code size} bytes of {@code v} at linear address {@code la}. */
    static void writeMem(X86Cpu cpu, long la, int size, long v) {
        if (cpu.dataBreakpoints) {
            Debug.checkData(cpu, la, size, true);
        }
        int off = (int) la & 0xFFF;
        if (off + size <= 4096) {
            byte[] p = pageForWrite(cpu, la, size);
            switch (size) {
                case 1: p[off] = (byte) v; break;
                case 2: I16.set(p, off, (short) v); break;
                case 4: I32.set(p, off, (int) v); break;
                default: I64.set(p, off, v); break;
            }
            return;
        }
        // Crossing a page: check both pages before writing anything.
        probeWrite(cpu, la);
        probeWrite(cpu, la + size - 1);
        for (int k = 0; k < size; k++) {
            writeMem(cpu, la + k, 1, v >>> (8 * k));
        }
    }

    static long ld8(X86Cpu cpu, long la) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        if (cpu.rTag[idx] == (vpn | cpu.tlbKey)) {
            return cpu.rPage[idx][(int) la & 0xFFF] & 0xFFL;
        }
        return readMem(cpu, la, 1);
    }

    static long ld16(X86Cpu cpu, long la) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        int off = (int) la & 0xFFF;
        if (cpu.rTag[idx] == (vpn | cpu.tlbKey) && off <= 4094) {
            return ((short) I16.get(cpu.rPage[idx], off)) & 0xFFFFL;
        }
        return readMem(cpu, la, 2);
    }

    static long ld32(X86Cpu cpu, long la) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        int off = (int) la & 0xFFF;
        if (cpu.rTag[idx] == (vpn | cpu.tlbKey) && off <= 4092) {
            return ((int) I32.get(cpu.rPage[idx], off)) & 0xFFFFFFFFL;
        }
        return readMem(cpu, la, 4);
    }

    static long ld64(X86Cpu cpu, long la) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        int off = (int) la & 0xFFF;
        if (cpu.rTag[idx] == (vpn | cpu.tlbKey) && off <= 4088) {
            return (long) I64.get(cpu.rPage[idx], off);
        }
        return readMem(cpu, la, 8);
    }

    static void st8(X86Cpu cpu, long la, long v) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        if (cpu.wTag[idx] == (vpn | cpu.tlbKey)) {
            cpu.wPage[idx][(int) la & 0xFFF] = (byte) v;
            return;
        }
        writeMem(cpu, la, 1, v);
    }

    static void st16(X86Cpu cpu, long la, long v) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        int off = (int) la & 0xFFF;
        if (cpu.wTag[idx] == (vpn | cpu.tlbKey) && off <= 4094) {
            I16.set(cpu.wPage[idx], off, (short) v);
            return;
        }
        writeMem(cpu, la, 2, v);
    }

    static void st32(X86Cpu cpu, long la, long v) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        int off = (int) la & 0xFFF;
        if (cpu.wTag[idx] == (vpn | cpu.tlbKey) && off <= 4092) {
            I32.set(cpu.wPage[idx], off, (int) v);
            return;
        }
        writeMem(cpu, la, 4, v);
    }

    static void st64(X86Cpu cpu, long la, long v) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        int off = (int) la & 0xFFF;
        if (cpu.wTag[idx] == (vpn | cpu.tlbKey) && off <= 4088) {
            I64.set(cpu.wPage[idx], off, v);
            return;
        }
        writeMem(cpu, la, 8, v);
    }

    /** Reads {@code size} (1, 2, 4 or 8) bytes at {@code la} through the fixed-size paths. */
    static long ld(X86Cpu cpu, long la, int size) {
        switch (size) {
            case 1: return ld8(cpu, la);
            case 2: return ld16(cpu, la);
            case 4: return ld32(cpu, la);
            default: return ld64(cpu, la);
        }
    }

    /** Writes {@code size} (1, 2, 4 or 8) bytes at {@code la} through the fixed-size paths. */
    static void st(X86Cpu cpu, long la, int size, long v) {
        switch (size) {
            case 1: st8(cpu, la, v); break;
            case 2: st16(cpu, la, v); break;
            case 4: st32(cpu, la, v); break;
            default: st64(cpu, la, v); break;
        }
    }
}
