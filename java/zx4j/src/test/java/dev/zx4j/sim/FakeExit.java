package dev.zx4j.sim;

/** An {@link ExitState} without a CPU: registers in an array, RIP advances counted. */
final class FakeExit implements ExitState {
    final long[] regs = new long[16];
    int advanced;
    long xcr0 = 7;

    static FakeExit rdmsr(int msr) {
        FakeExit e = new FakeExit();
        e.regs[RCX] = msr;
        e.regs[RAX] = 0xDEAD_BEEF_0000_0000L;
        e.regs[RDX] = -1;
        return e;
    }

    static FakeExit wrmsr(int msr, long value) {
        FakeExit e = new FakeExit();
        e.regs[RCX] = msr;
        e.regs[RAX] = 0xAAAA_AAAA_0000_0000L | (value & 0xFFFF_FFFFL); // upper halves ignored
        e.regs[RDX] = 0x5555_5555_0000_0000L | (value >>> 32);
        return e;
    }

    @Override
    public long reg(int index) {
        return regs[index];
    }

    @Override
    public void setReg(int index, long value) {
        regs[index] = value;
    }

    @Override
    public void nextRip() {
        advanced++;
    }

    @Override
    public long xcr0() {
        return xcr0;
    }
}
