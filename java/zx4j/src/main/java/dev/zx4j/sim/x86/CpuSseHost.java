package dev.zx4j.sim.x86;

/** {@link SseHost} over an {@link X86Cpu}: its memory path, registers, flags and CRs. */
final class CpuSseHost implements SseHost {
    private final X86Cpu cpu;

    CpuSseHost(X86Cpu cpu) {
        this.cpu = cpu;
    }

    @Override
    public long readMem(long la, int size) {
        return Memory.readMem(cpu, la, size);
    }

    @Override
    public void writeMem(long la, int size, long v) {
        Memory.writeMem(cpu, la, size, v);
    }

    @Override
    public void probeWrite(long la, int size) {
        for (long p = la & ~0xFFFL; p < la + size; p += 4096) {
            Memory.probeWrite(cpu, Math.max(p, la));
        }
    }

    @Override
    public long gpr(int id) {
        return cpu.regs[id];
    }

    @Override
    public void setGpr(int id, int size, long v) {
        cpu.writeReg(id, size, v);
    }

    @Override
    public void setArithFlags(long f) {
        Flags.setArith(cpu, f);
    }

    @Override
    public long cr0() {
        return cpu.cr0;
    }

    @Override
    public long cr4() {
        return cpu.cr4;
    }

    @Override
    public long xcr0() {
        return cpu.xcr0;
    }

    @Override
    public void setXcr0(long v) {
        cpu.xcr0 = v;
    }

    @Override
    public int cpl() {
        return cpu.cpl;
    }
}
