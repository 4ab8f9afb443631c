package dev.zx4j.sim.x86;

/**
 * Connects the decoded x87 instructions (escape opcodes D8–DF, WAIT) to the x87 unit
 * ({@link X87}) of a CPU: the CR0 controls, memory through the instruction's segment, RFLAGS for
 * FCOMI/FCMOVcc, AX for FNSTSW, and the exceptions.
 *
 * <ul>
 *   <li>CR0.EM = 1 or CR0.TS = 1: an x87 instruction raises #NM (7); WAIT raises #NM only when
 *       CR0.MP = 1 and CR0.TS = 1 (Intel SDM vol. 3 table 2-2).</li>
 *   <li>A pending unmasked x87 exception raises #MF (16) at the next waiting x87 instruction or
 *       WAIT. Under VMX the real CR0.NE is fixed at 1 and a guest that clears NE changes only
 *       its read shadow, so the guest always gets #MF, as on the modelled kernel's hardware. (On
 *       bare metal NE = 0 would instead signal FERR# to the interrupt controller, IRQ 13; should
 *       the real NE ever be 0 here, the pending exception is ignored as with IGNNE# asserted.)</li>
 *   <li>A LOCK prefix, and the undefined encodings of the escape space, raise #UD.</li>
 * </ul>
 */
final class X87Bridge {
    private static final long CR0_MP = 1L << 1, CR0_EM = 1L << 2, CR0_TS = 1L << 3;

    private X87Bridge() {
    }

    static void exec(X86Cpu cpu, Insn i) {
        if (i.lock) {
            throw CpuSignal.fault(6);
        }
        if ((cpu.cr0 & (CR0_EM | CR0_TS)) != 0) {
            throw CpuSignal.fault(7);
        }
        int op = i.sub >>> 8, modrm = i.sub & 0xFF;
        long off = i.mem ? cpu.offsetOf(i) : 0;
        int ds = i.mem ? cpu.segSel[i.seg] : 0;
        boolean ignne = (cpu.cr0 & X86Cpu.CR0_NE) == 0;
        int rc = cpu.x87.exec(op, modrm, off, i.opSize == 2, cpu.rip, cpu.segSel[X86Cpu.CS], ds, ignne,
                new Host(cpu, i.seg, i.addrSize));
        if (rc != X87.OK) {
            throw CpuSignal.fault(rc);
        }
    }

    static void fwait(X86Cpu cpu) {
        if ((cpu.cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) {
            throw CpuSignal.fault(7);
        }
        FpuState s = cpu.fpu;
        if ((s.fsw & ~s.fcw & 0x3F) != 0 && (cpu.cr0 & X86Cpu.CR0_NE) != 0) {
            throw CpuSignal.fault(16);
        }
    }

    /** Memory at offsets of the instruction's segment, wrapping at its address size. */
    private static final class Host implements X87.Host {
        private final X86Cpu cpu;
        private final int seg;
        private final long mask;

        Host(X86Cpu cpu, int seg, int addrSize) {
            this.cpu = cpu;
            this.seg = seg;
            this.mask = addrSize == 8 ? -1L : addrSize == 4 ? 0xFFFF_FFFFL : 0xFFFFL;
        }

        @Override
        public long read(long off, int size) {
            return Memory.readMem(cpu, cpu.linear(seg, off & mask), size);
        }

        @Override
        public void write(long off, int size, long v) {
            Memory.writeMem(cpu, cpu.linear(seg, off & mask), size, v);
        }

        @Override
        public long rflags() {
            return cpu.rflags();
        }

        @Override
        public void setRflags(long v) {
            cpu.setRflags(v);
        }

        @Override
        public void setAx(int v) {
            cpu.writeReg(0, 2, v & 0xFFFF);
        }
    }
}
