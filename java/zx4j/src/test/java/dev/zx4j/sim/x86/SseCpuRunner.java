package dev.zx4j.sim.x86;

/**
 * Runs {@link SseCase}s on the software VCPU the way the oracle runs them on the host: 64-bit
 * mode, code and data at the same addresses (identity-mapped 1 GiB page), CR4.OSFXSR and
 * OSXMMEXCPT set, the x87/SSE state loaded from the case's FXSAVE image. Exceptions go through
 * an IDT whose gates point at one HLT each, so the HLT's address names the vector.
 */
final class SseCpuRunner {
    private static final long GDT = 0x2000;
    private static final long GDTR = 0x2080;
    private static final long IDT = 0x3000;
    private static final long STUBS = 0x4000;
    private static final long SETUP = 0x6000;
    private static final long STACK_TOP = 0x9000;
    private static final long FX_AREA = 0x10020000L;

    /** RAM anywhere below 1 GiB, pages allocated on first use. */
    private static final class Ram implements GuestPhysicalBus {
        private final java.util.Map<Long, byte[]> pages = new java.util.HashMap<>();

        @Override
        public byte[] ramPage(long pn) {
            return pn < (1L << 18) ? pages.computeIfAbsent(pn, k -> new byte[PAGE_SIZE]) : null;
        }

        @Override
        public Trap trapAt(long gpa) {
            return Trap.NONE;
        }

        void write(long gpa, byte[] d) {
            for (int k = 0; k < d.length; k++) {
                ramPage((gpa + k) >>> 12)[(int) ((gpa + k) & 0xFFF)] = d[k];
            }
        }

        void write64(long gpa, long v) {
            byte[] b = new byte[8];
            for (int k = 0; k < 8; k++) {
                b[k] = (byte) (v >>> (8 * k));
            }
            write(gpa, b);
        }

        byte[] read(long gpa, int n) {
            byte[] b = new byte[n];
            for (int k = 0; k < n; k++) {
                b[k] = ramPage((gpa + k) >>> 12)[(int) ((gpa + k) & 0xFFF)];
            }
            return b;
        }
    }

    private final Ram ram = new Ram();
    private final X86Cpu cpu;
    private final CpuSseHost host;

    SseCpuRunner() {
        ram.write64(0x0, 0x1000 | 0x7);   // PML4 -> PDPT
        ram.write64(0x1000, 0x87);         // one 1 GiB page at 0
        cpu = X86Cpu.newBootProcessor(ram, SETUP);
        ram.write64(GDT + 8, 0x00AF9A000000FFFFL);
        ram.write(GDTR, new byte[] {15, 0, (byte) GDT, (byte) (GDT >> 8), 0, 0, 0, 0, 0, 0});
        for (int v = 0; v < 32; v++) {
            long h = STUBS + 16L * v;
            ram.write(h, new byte[] {(byte) 0xF4});
            long lo = (h & 0xFFFF) | (8L << 16) | (0x8E00L << 32) | (((h >> 16) & 0xFFFF) << 48);
            ram.write64(IDT + 16L * v, lo);
            ram.write64(IDT + 16L * v + 8, h >>> 32);
        }
        ram.write(IDT - 16, new byte[] {(byte) 0xFF, 1, (byte) IDT, (byte) (IDT >> 8), 0, 0, 0, 0, 0, 0});
        ram.write(SETUP, new byte[] {0x0F, 0x01, 0x14, 0x25, (byte) GDTR, (byte) (GDTR >> 8), 0, 0,
            0x0F, 0x01, 0x1C, 0x25, (byte) (IDT - 16), (byte) ((IDT - 16) >> 8), 0, 0, (byte) 0xF4});
        VcpuExit e = cpu.run(100);
        if (!(e instanceof VcpuExit.HaltExit)) {
            throw new IllegalStateException("set-up: " + e);
        }
        cpu.cr4 |= X86Cpu.CR4_OSXMMEXCPT;
        host = new CpuSseHost(cpu);
    }

    X86Cpu cpu() {
        return cpu;
    }

    SseCase.Result run(SseCase c) {
        ram.write(SseCase.CODE_ADDR, c.code);
        ram.write(SseCase.CODE_ADDR + c.code.length, new byte[] {(byte) 0xF4});
        ram.write(SseCase.DATA_ADDR, c.mem);
        ram.write(FX_AREA, c.fx);
        cpu.invalidateAllCode();
        ExtendedState.fxrstor(cpu.fpu, host, FX_AREA, true, true);
        for (int r = 0; r < 16; r++) {
            cpu.setReg(r, c.gpr[r]);
        }
        cpu.setReg(X86Cpu.RSP, STACK_TOP);
        cpu.setRflags(c.rflags | 2);
        cpu.setRip(SseCase.CODE_ADDR);
        VcpuExit e = cpu.run(1000);
        int trap;
        String note = null;
        long end = SseCase.CODE_ADDR + c.code.length + 1;
        if (e instanceof VcpuExit.HaltExit && cpu.rip() == end) {
            trap = -1;
        } else if (e instanceof VcpuExit.HaltExit && cpu.rip() > STUBS && cpu.rip() <= STUBS + 16 * 32) {
            trap = (int) ((cpu.rip() - STUBS - 1) / 16);
        } else {
            trap = -2;
            note = String.valueOf(e);
        }
        long[] g = new long[16];
        for (int r = 0; r < 16; r++) {
            g[r] = cpu.reg(r);
        }
        ExtendedState.fxsave(cpu.fpu, host, FX_AREA, true, true);
        byte[] fx = ram.read(FX_AREA, 512);
        return new SseCase.Result(trap, g, cpu.rflags(), fx, ram.read(SseCase.DATA_ADDR, SseCase.MEM_SIZE), note);
    }
}
