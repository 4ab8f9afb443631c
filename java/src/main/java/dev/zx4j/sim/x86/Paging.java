package dev.zx4j.sim.x86;

import static dev.zx4j.abi.Zx.ZX_ERR_OUT_OF_RANGE;
import static dev.zx4j.sim.x86.X86Cpu.CR0_PG;
import static dev.zx4j.sim.x86.X86Cpu.CR0_WP;
import static dev.zx4j.sim.x86.X86Cpu.CR4_PAE;
import static dev.zx4j.sim.x86.X86Cpu.CR4_PSE;
import static dev.zx4j.sim.x86.X86Cpu.EFER_LMA;
import static dev.zx4j.sim.x86.X86Cpu.EFER_NXE;
import static dev.zx4j.sim.x86.X86Cpu.I32;
import static dev.zx4j.sim.x86.X86Cpu.I64;

/**
 * The page walk: 4-level paging in IA-32e mode, 32-bit and PAE paging otherwise, with the
 * P/RW/NX checks, A/D bits and the #PF it raises; guest-physical reads and writes of page-table
 * entries. The software TLB that caches its results lives in {@link Memory}.
 */
final class Paging {
    static final long ADDR_MASK = 0x000FFFFFFFFFF000L;
    static final long PTE_P = 1, PTE_RW = 2, PTE_A = 1L << 5, PTE_D = 1L << 6,
            PTE_PS = 1L << 7, PTE_NX = 1L << 63;

    private Paging() {
    }

    static boolean canonical(long la) {
        return ((la << 16) >> 16) == la;
    }

    static long physRead64(X86Cpu cpu, long gpa) {
        byte[] p = cpu.bus.ramPage(gpa >>> 12);
        if (p == null) {
            throw CpuSignal.error(ZX_ERR_OUT_OF_RANGE,
                    "page-table access to guest-physical 0x" + Long.toHexString(gpa)
                            + ", which is not RAM");
        }
        return (long) I64.get(p, (int) (gpa & 0xFF8));
    }

    static void physWrite64(X86Cpu cpu, long gpa, long v) {
        byte[] p = cpu.bus.ramPage(gpa >>> 12);
        I64.set(p, (int) (gpa & 0xFF8), v);
    }

    static CpuSignal pageFault(X86Cpu cpu, long la, boolean present, int access) {
        int err = (present ? 1 : 0) | (access == 1 ? 2 : 0)
                | (access == 2 && (cpu.efer & EFER_NXE) != 0 && (cpu.cr4 & CR4_PAE) != 0 ? 16 : 0);
        cpu.cr2 = la;
        return CpuSignal.fault(14, err);
    }

    /**
     * Linear → guest-physical translation.
     *
     * @param access 0 read, 1 write, 2 instruction fetch
     */
    static long translate(X86Cpu cpu, long la, int access) {
        if ((cpu.cr0 & CR0_PG) == 0) {
            return la & 0xFFFFFFFFL;
        }
        if ((cpu.efer & EFER_LMA) == 0) {
            return translateLegacy(cpu, la & 0xFFFFFFFFL, access);
        }
        if (!canonical(la)) {
            throw CpuSignal.fault(13, 0);
        }
        long table = cpu.cr3 & ADDR_MASK;
        boolean writable = true;
        boolean nx = false;
        for (int level = 3; level >= 0; level--) {
            long ea = table + (((la >>> (12 + 9 * level)) & 511) << 3);
            long e = physRead64(cpu, ea);
            if ((e & PTE_P) == 0) {
                throw pageFault(cpu, la, false, access);
            }
            writable &= (e & PTE_RW) != 0;
            nx |= (e & PTE_NX) != 0 && (cpu.efer & EFER_NXE) != 0;
            boolean leaf = level == 0 || ((level == 1 || level == 2) && (e & PTE_PS) != 0);
            if (leaf) {
                if ((access == 1 && !writable && (cpu.cr0 & CR0_WP) != 0) || (access == 2 && nx)) {
                    throw pageFault(cpu, la, true, access);
                }
                long ne = e | PTE_A | (access == 1 ? PTE_D : 0);
                if (ne != e) {
                    physWrite64(cpu, ea, ne);
                }
                long pageMask = (1L << (12 + 9 * level)) - 1;
                return ((e & ADDR_MASK) & ~pageMask) | (la & pageMask);
            }
            if ((e & PTE_A) == 0) {
                physWrite64(cpu, ea, e | PTE_A);
            }
            table = e & ADDR_MASK;
        }
        throw new IllegalStateException("unreachable");
    }

    static long physRead32(X86Cpu cpu, long gpa) {
        byte[] p = cpu.bus.ramPage(gpa >>> 12);
        if (p == null) {
            throw CpuSignal.error(ZX_ERR_OUT_OF_RANGE,
                    "page-table access to guest-physical 0x" + Long.toHexString(gpa)
                            + ", which is not RAM");
        }
        return ((int) I32.get(p, (int) (gpa & 0xFFC))) & 0xFFFFFFFFL;
    }

    static void physWrite32(X86Cpu cpu, long gpa, long v) {
        byte[] p = cpu.bus.ramPage(gpa >>> 12);
        I32.set(p, (int) (gpa & 0xFFC), (int) v);
    }

    /**
     * Paging outside long mode: 32-bit paging (CR4.PAE = 0; 4 KiB pages, 4 MiB pages when
     * CR4.PSE = 1, no NX) or PAE paging (CR4.PAE = 1; 4 KiB and 2 MiB pages, NX with
     * EFER.NXE). The four PDPTEs are read at each walk rather than cached at MOV to CR3, and
     * reserved bits are not checked.
     */
    static long translateLegacy(X86Cpu cpu, long la, int access) {
        boolean writable = true;
        if ((cpu.cr4 & CR4_PAE) == 0) {
            long pdeAddr = (cpu.cr3 & 0xFFFFF000L) + ((la >>> 22) << 2);
            long pde = physRead32(cpu, pdeAddr);
            if ((pde & PTE_P) == 0) {
                throw pageFault(cpu, la, false, access);
            }
            writable = (pde & PTE_RW) != 0;
            boolean large = (pde & PTE_PS) != 0 && (cpu.cr4 & CR4_PSE) != 0;
            long pteAddr = pdeAddr;
            long pte = pde;
            if (!large) {
                if ((pde & PTE_A) == 0) {
                    physWrite32(cpu, pdeAddr, pde | PTE_A);
                }
                pteAddr = (pde & 0xFFFFF000L) + (((la >>> 12) & 0x3FF) << 2);
                pte = physRead32(cpu, pteAddr);
                if ((pte & PTE_P) == 0) {
                    throw pageFault(cpu, la, false, access);
                }
                writable &= (pte & PTE_RW) != 0;
            }
            if (access == 1 && !writable && (cpu.cr0 & CR0_WP) != 0) {
                throw pageFault(cpu, la, true, access);
            }
            long ne = pte | PTE_A | (access == 1 ? PTE_D : 0);
            if (ne != pte) {
                physWrite32(cpu, pteAddr, ne);
            }
            if (large) {
                return (pte & 0xFFC00000L) | (((pte >>> 13) & 0xFF) << 32) | (la & 0x3FFFFF);
            }
            return (pte & 0xFFFFF000L) | (la & 0xFFF);
        }
        long pdpte = physRead64(cpu, (cpu.cr3 & 0xFFFFFFE0L) + ((la >>> 30) << 3));
        if ((pdpte & PTE_P) == 0) {
            throw pageFault(cpu, la, false, access);
        }
        long table = pdpte & ADDR_MASK;
        boolean nx = false;
        for (int level = 1; level >= 0; level--) {
            long ea = table + (((la >>> (12 + 9 * level)) & 511) << 3);
            long e = physRead64(cpu, ea);
            if ((e & PTE_P) == 0) {
                throw pageFault(cpu, la, false, access);
            }
            writable &= (e & PTE_RW) != 0;
            nx |= (e & PTE_NX) != 0 && (cpu.efer & EFER_NXE) != 0;
            if (level == 0 || (e & PTE_PS) != 0) {
                if ((access == 1 && !writable && (cpu.cr0 & CR0_WP) != 0) || (access == 2 && nx)) {
                    throw pageFault(cpu, la, true, access);
                }
                long ne = e | PTE_A | (access == 1 ? PTE_D : 0);
                if (ne != e) {
                    physWrite64(cpu, ea, ne);
                }
                long pageMask = (1L << (12 + 9 * level)) - 1;
                return ((e & ADDR_MASK) & ~pageMask) | (la & pageMask);
            }
            if ((e & PTE_A) == 0) {
                physWrite64(cpu, ea, e | PTE_A);
            }
            table = e & ADDR_MASK;
        }
        throw new IllegalStateException("unreachable");
    }
}
