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
        byte[] p = cpu.ramPageForRead(gpa >>> 12);
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
        cpu.rGlobal[idx] = cpu.walkGlobal;
        return p;
    }

    static byte[] fillWrite(X86Cpu cpu, long la) {
        long gpa = Paging.translate(cpu, la, 1);
        long pn = gpa >>> 12;
        byte[] p = cpu.ramPage(pn);
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
        cpu.wGlobal[idx] = cpu.walkGlobal;
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

    // ---- locked read-modify-writes ---------------------------------------------------------

    /** Thrown inside {@link #execAtomic} when another thread changed the operand meanwhile. */
    private static final class AtomicRetry extends RuntimeException {
        AtomicRetry() {
            super("locked operand changed", null, false, false);
        }
    }

    private static final AtomicRetry RETRY = new AtomicRetry();
    private static final java.lang.invoke.VarHandle I8 =
            java.lang.invoke.MethodHandles.arrayElementVarHandle(byte[].class);
    /**
     * Whether the host JVM compare-and-sets through byte-array views (JDK 17–21 do; newer JDKs
     * refuse atomic access modes on heap byte arrays). Without it every locked operation runs
     * under {@link #SPLIT_LOCK}: atomic against the other locked operations, but a plain store
     * by another VCPU racing with one can be lost.
     */
    public static final boolean HOST_CAS = hostCas();

    private static boolean hostCas() {
        try {
            return X86Cpu.I32.compareAndSet(new byte[16], 0, 0, 0)
                    && X86Cpu.I64.compareAndSet(new byte[16], 0, 0L, 0L);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Serialises the locked operations whose operand no host CAS covers (split locks). */
    private static final Object SPLIT_LOCK = new Object();

    /**
     * Runs a LOCK-prefixed instruction (or XCHG with memory, locked implicitly) so that its
     * read-modify-write of the memory operand is atomic, as the bus lock / cache-line lock makes
     * it on silicon (SDM Vol. 3A 9.1.2): the operand's value is recorded when the instruction
     * reads it, and its write becomes a compare-and-set of the guest page against that value.
     * If another VCPU thread wrote the operand in between, nothing is written and the
     * instruction runs again from the start (its register and flag results come after its
     * memory write, so a re-run is invisible). Without this, a locked operation racing with a
     * plain store on another VCPU (a spinlock release) could write back a stale value.
     *
     * <p>CMPXCHG16B has a 16-byte operand, wider than any host CAS: its first qword is
     * compare-and-set as above, and all 16-byte ones run under one lock, so they are atomic
     * with respect to each other and to plain stores to the first qword (a plain store to the
     * second qword racing with one can still be lost).
     */
    static void execAtomic(X86Cpu cpu, Insn i) {
        if (i.op == Insn.CMPXCHG8B && i.opSize == 16) {
            synchronized (SPLIT_LOCK) {
                execAtomicOnce(cpu, i);
            }
            return;
        }
        execAtomicOnce(cpu, i);
    }

    private static void execAtomicOnce(X86Cpu cpu, Insn i) {
        while (true) {
            cpu.atomicState = 1;
            try {
                Interpreter.execPlain(cpu, i);
                return;
            } catch (AtomicRetry r) {
                Thread.onSpinWait();
            } finally {
                cpu.atomicState = 0;
            }
        }
    }

    /** Compare-and-set of {@code size} bytes at {@code off} of {@code p}: false if it differed. */
    private static boolean cas(byte[] p, int off, int size, long expect, long v) {
        switch (HOST_CAS ? size : 0) {
            case 0: // no host CAS: the split lock below
                break;
            case 1:
                return I8.compareAndSet(p, off, (byte) expect, (byte) v);
            case 2:
                if ((off & 3) != 3) { // within one aligned int
                    int base = off & ~3;
                    int sh = (off & 3) * 8;
                    int m = 0xFFFF << sh;
                    while (true) {
                        int cur = (int) I32.getVolatile(p, base);
                        if (((cur & m) >>> sh) != (int) (expect & 0xFFFF)) {
                            return false;
                        }
                        int nw = (cur & ~m) | (((int) v & 0xFFFF) << sh);
                        if (I32.compareAndSet(p, base, cur, nw)) {
                            return true;
                        }
                    }
                }
                break;
            case 4:
                if ((off & 3) == 0) {
                    return I32.compareAndSet(p, off, (int) expect, (int) v);
                }
                break;
            default:
                if ((off & 7) == 0) {
                    return I64.compareAndSet(p, off, expect, v);
                }
                break;
        }
        // A misaligned operand: atomic only against the other split locks.
        synchronized (SPLIT_LOCK) {
            long cur = 0;
            for (int k = size - 1; k >= 0; k--) {
                cur = cur << 8 | (p[off + k] & 0xFFL);
            }
            long m = X86Cpu.mask(size);
            if ((cur & m) != (expect & m)) {
                return false;
            }
            for (int k = 0; k < size; k++) {
                p[off + k] = (byte) (v >>> (8 * k));
            }
            return true;
        }
    }

    /** Reads {@code size} (1, 2, 4, 8) bytes at linear address {@code la}, zero-extended. */
    static long readMem(X86Cpu cpu, long la, int size) {
        if (cpu.atomicState == 1) {
            cpu.atomicState = 3;
            long v = readMem(cpu, la, size);
            if (((int) la & 0xFFF) + size <= 4096) {
                cpu.atomicLa = la;
                cpu.atomicSize = size;
                cpu.atomicOld = v;
                cpu.atomicState = 2;
            }
            return v;
        }
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

    /** The page to read at {@code la} from (through the read TLB); a trapped page throws. */
    static byte[] pageForRead(X86Cpu cpu, long la) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        byte[] p = cpu.rTag[idx] == (vpn | cpu.tlbKey) ? cpu.rPage[idx] : fillRead(cpu, la);
        if (p == null) {
            throw trapped(cpu, false);
        }
        return p;
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
            if (cpu.atomicState == 2 && la == cpu.atomicLa && size == cpu.atomicSize) {
                if (!cas(p, off, size, cpu.atomicOld, v)) {
                    throw RETRY;
                }
                cpu.atomicState = 0;
                return;
            }
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
