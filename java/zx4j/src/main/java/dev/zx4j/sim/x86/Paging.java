package dev.zx4j.sim.x86;

import static dev.zx4j.abi.Zx.ZX_ERR_OUT_OF_RANGE;
import static dev.zx4j.sim.x86.X86Cpu.CR0_PG;
import static dev.zx4j.sim.x86.X86Cpu.CR0_WP;
import static dev.zx4j.sim.x86.X86Cpu.CR4_PAE;
import static dev.zx4j.sim.x86.X86Cpu.CR4_PGE;
import static dev.zx4j.sim.x86.X86Cpu.CR4_PSE;
import static dev.zx4j.sim.x86.X86Cpu.CR4_SMAP;
import static dev.zx4j.sim.x86.X86Cpu.CR4_SMEP;
import static dev.zx4j.sim.x86.X86Cpu.EFER_LMA;
import static dev.zx4j.sim.x86.X86Cpu.EFER_NXE;
import static dev.zx4j.sim.x86.X86Cpu.FLAG_AC;
import static dev.zx4j.sim.x86.X86Cpu.I32;
import static dev.zx4j.sim.x86.X86Cpu.I64;

/**
 * The page walk: 4-level paging in IA-32e mode, 32-bit and PAE paging otherwise, with the
 * P/RW/NX checks, A/D bits and the #PF it raises; guest-physical reads and writes of page-table
 * entries. The software TLB that caches its results lives in {@link Memory}.
 */
final class Paging {
    static final long ADDR_MASK = 0x000FFFFFFFFFF000L;
    static final long PTE_P = 1, PTE_RW = 2, PTE_US = 4, PTE_A = 1L << 5, PTE_D = 1L << 6,
            PTE_PS = 1L << 7, PTE_G = 1L << 8, PTE_NX = 1L << 63;

    private Paging() {
    }

    static boolean canonical(long la) {
        return ((la << 16) >> 16) == la;
    }

    static long physRead64(X86Cpu cpu, long gpa) {
        byte[] p = cpu.ramPageForRead(gpa >>> 12);
        if (p == null) {
            throw CpuSignal.error(ZX_ERR_OUT_OF_RANGE,
                    "page-table access to guest-physical 0x" + Long.toHexString(gpa)
                            + ", which is not RAM");
        }
        return (long) I64.get(p, (int) (gpa & 0xFF8));
    }

    static void physWrite64(X86Cpu cpu, long gpa, long v) {
        byte[] p = cpu.ramPage(gpa >>> 12);
        I64.set(p, (int) (gpa & 0xFF8), v);
    }

    /**
     * The guest-physical address of linear {@code la}, walked for an error report: no accessed
     * or dirty bit is set, no fault raised, CR2 untouched.
     *
     * @return the address, or -1 where a read would fault or the walk leaves RAM
     */
    static long probe(X86Cpu cpu, long la) {
        if ((cpu.cr0 & CR0_PG) == 0) {
            return la & 0xFFFFFFFFL;
        }
        try {
            if ((cpu.efer & EFER_LMA) != 0) {
                return canonical(la) ? probeLevels(cpu, cpu.cr3 & ADDR_MASK, la, 3) : -1;
            }
            la &= 0xFFFFFFFFL;
            if ((cpu.cr4 & CR4_PAE) == 0) {
                long pde = physRead32(cpu, (cpu.cr3 & 0xFFFFF000L) + ((la >>> 22) << 2));
                if ((pde & PTE_P) == 0) {
                    return -1;
                }
                if ((pde & PTE_PS) != 0 && (cpu.cr4 & CR4_PSE) != 0) {
                    return (pde & 0xFFC00000L) | (((pde >>> 13) & 0xFF) << 32) | (la & 0x3FFFFF);
                }
                long pte = physRead32(cpu, (pde & 0xFFFFF000L) + (((la >>> 12) & 0x3FF) << 2));
                return (pte & PTE_P) == 0 ? -1 : (pte & 0xFFFFF000L) | (la & 0xFFF);
            }
            long pdpte = physRead64(cpu, (cpu.cr3 & 0xFFFFFFE0L) + ((la >>> 30) << 3));
            return (pdpte & PTE_P) == 0 ? -1 : probeLevels(cpu, pdpte & ADDR_MASK, la, 1);
        } catch (CpuSignal s) {
            return -1; // a table outside RAM
        }
    }

    /** The 64-bit-entry levels {@code top} … 0 of {@link #probe}. */
    private static long probeLevels(X86Cpu cpu, long table, long la, int top) {
        for (int level = top; level >= 0; level--) {
            long e = physRead64(cpu, table + (((la >>> (12 + 9 * level)) & 511) << 3));
            if ((e & PTE_P) == 0) {
                return -1;
            }
            if (level == 0 || ((level == 1 || level == 2) && (e & PTE_PS) != 0)) {
                long pageMask = (1L << (12 + 9 * level)) - 1;
                return ((e & ADDR_MASK) & ~pageMask) | (la & pageMask);
            }
            table = e & ADDR_MASK;
        }
        return -1;
    }

    /**
     * The #PF for {@code la}: CR2 = la; error code P (a protection violation rather than a
     * missing page), W/R (a write), U/S (a user-mode access: CPL 3 and not an implicit
     * supervisor access such as a descriptor-table read), I/D (an instruction fetch, reported
     * when EFER.NXE or CR4.SMEP is set, with PAE or 4-level paging for NXE) (Intel SDM vol. 3,
     * 4.7).
     */
    static CpuSignal pageFault(X86Cpu cpu, long la, boolean present, int access) {
        boolean fetchBit = access == 2 && (((cpu.efer & EFER_NXE) != 0 && (cpu.cr4 & CR4_PAE) != 0)
                || (cpu.cr4 & CR4_SMEP) != 0);
        int err = (present ? 1 : 0) | (access == 1 ? 2 : 0) | (cpu.userAccess() ? 4 : 0)
                | (fetchBit ? 16 : 0);
        cpu.cr2 = la;
        return CpuSignal.fault(14, err);
    }

    /**
     * The access-rights checks of a completed walk (Intel SDM vol. 3, 4.6): {@code user} and
     * {@code writable} are the U/S and R/W bits ANDed over all levels, {@code nx} the XD bits
     * ORed (with EFER.NXE). A user-mode access needs U/S = 1, and R/W = 1 to write. A supervisor
     * write to a read-only page faults when CR0.WP = 1. A fetch from an NX page faults; a
     * supervisor fetch from a user page faults with CR4.SMEP; a supervisor data access to a user
     * page faults with CR4.SMAP unless it is explicit and RFLAGS.AC = 1. Records in
     * {@link X86Cpu#walkUncacheable} whether the translation may go into the software TLB (not
     * when the outcome depends on RFLAGS.AC).
     */
    static void checkAccess(X86Cpu cpu, long la, int access, boolean user, boolean writable,
            boolean nx) {
        boolean um = cpu.userAccess();
        cpu.walkUncacheable = cpu.dataBreakpoints;
        if (um) {
            if (!user || (access == 1 && !writable) || (access == 2 && nx)) {
                throw pageFault(cpu, la, true, access);
            }
            return;
        }
        if (access == 2) {
            if (nx || (user && (cpu.cr4 & CR4_SMEP) != 0)) {
                throw pageFault(cpu, la, true, access);
            }
            return;
        }
        if (access == 1 && !writable && (cpu.cr0 & CR0_WP) != 0) {
            throw pageFault(cpu, la, true, access);
        }
        if (user && (cpu.cr4 & CR4_SMAP) != 0) {
            if (cpu.sysAccess || (cpu.rflags & FLAG_AC) == 0 || cpu.cpl == 3) {
                throw pageFault(cpu, la, true, access);
            }
            cpu.walkUncacheable = true;
        }
    }

    /**
     * Linear → guest-physical translation.
     *
     * @param access 0 read, 1 write, 2 instruction fetch
     */
    static long translate(X86Cpu cpu, long la, int access) {
        if ((cpu.cr0 & CR0_PG) == 0) {
            cpu.walkUncacheable = cpu.dataBreakpoints;
            cpu.walkGlobal = false;
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
        boolean user = true;
        boolean nx = false;
        for (int level = 3; level >= 0; level--) {
            long ea = table + (((la >>> (12 + 9 * level)) & 511) << 3);
            long e = physRead64(cpu, ea);
            if ((e & PTE_P) == 0) {
                throw pageFault(cpu, la, false, access);
            }
            writable &= (e & PTE_RW) != 0;
            user &= (e & PTE_US) != 0;
            nx |= (e & PTE_NX) != 0 && (cpu.efer & EFER_NXE) != 0;
            boolean leaf = level == 0 || ((level == 1 || level == 2) && (e & PTE_PS) != 0);
            if (leaf) {
                checkAccess(cpu, la, access, user, writable, nx);
                long ne = e | PTE_A | (access == 1 ? PTE_D : 0);
                if (ne != e) {
                    physWrite64(cpu, ea, ne);
                }
                cpu.walkGlobal = global(cpu, e);
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

    /** Whether the leaf entry {@code e} makes a global translation: its G bit, with CR4.PGE. */
    static boolean global(X86Cpu cpu, long e) {
        return (e & PTE_G) != 0 && (cpu.cr4 & CR4_PGE) != 0;
    }

    static long physRead32(X86Cpu cpu, long gpa) {
        byte[] p = cpu.ramPageForRead(gpa >>> 12);
        if (p == null) {
            throw CpuSignal.error(ZX_ERR_OUT_OF_RANGE,
                    "page-table access to guest-physical 0x" + Long.toHexString(gpa)
                            + ", which is not RAM");
        }
        return ((int) I32.get(p, (int) (gpa & 0xFFC))) & 0xFFFFFFFFL;
    }

    static void physWrite32(X86Cpu cpu, long gpa, long v) {
        byte[] p = cpu.ramPage(gpa >>> 12);
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
            boolean user = (pde & PTE_US) != 0;
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
                user &= (pte & PTE_US) != 0;
            }
            checkAccess(cpu, la, access, user, writable, false);
            long ne = pte | PTE_A | (access == 1 ? PTE_D : 0);
            if (ne != pte) {
                physWrite32(cpu, pteAddr, ne);
            }
            cpu.walkGlobal = global(cpu, pte);
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
        boolean user = true;
        for (int level = 1; level >= 0; level--) {
            long ea = table + (((la >>> (12 + 9 * level)) & 511) << 3);
            long e = physRead64(cpu, ea);
            if ((e & PTE_P) == 0) {
                throw pageFault(cpu, la, false, access);
            }
            writable &= (e & PTE_RW) != 0;
            user &= (e & PTE_US) != 0;
            nx |= (e & PTE_NX) != 0 && (cpu.efer & EFER_NXE) != 0;
            if (level == 0 || (e & PTE_PS) != 0) {
                checkAccess(cpu, la, access, user, writable, nx);
                long ne = e | PTE_A | (access == 1 ? PTE_D : 0);
                if (ne != e) {
                    physWrite64(cpu, ea, ne);
                }
                cpu.walkGlobal = global(cpu, e);
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
