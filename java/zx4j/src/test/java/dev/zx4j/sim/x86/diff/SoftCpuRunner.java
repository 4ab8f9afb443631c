package dev.zx4j.sim.x86.diff;

import dev.zx4j.sim.x86.GuestPhysicalBus;
import dev.zx4j.sim.x86.VcpuExit;
import dev.zx4j.sim.x86.X86Cpu;

/**
 * Runs {@link DiffCase}s on the software VCPU: one boot processor (64-bit mode) over an
 * identity-mapped RAM, each snippet written at its own address followed by HLT, the registers
 * and RFLAGS set directly, run to the HLT.
 */
final class SoftCpuRunner {
    private static final int PAGES = (int) (Layout.RAM_SIZE >>> 12);
    private static final long BUDGET = 10_000;

    private final byte[][] ram = new byte[PAGES][];
    private final X86Cpu cpu;

    SoftCpuRunner() {
        GuestPhysicalBus bus = new GuestPhysicalBus() {
            @Override
            public byte[] ramPage(long pageNumber) {
                if (pageNumber < 0 || pageNumber >= PAGES) {
                    return null;
                }
                byte[] p = ram[(int) pageNumber];
                if (p == null) {
                    p = new byte[PAGE_SIZE];
                    ram[(int) pageNumber] = p;
                }
                return p;
            }

            @Override
            public Trap trapAt(long gpa) {
                return Trap.NONE;
            }
        };
        // PML4 at 0 -> PDPT at 0x1000 -> one 1 GiB page at 0 (P | RW | US | PS)
        write64(0x0, 0x1000 | 0x7);
        write64(0x1000, 0x87);
        cpu = X86Cpu.newBootProcessor(bus, Layout.CODE_BASE);
    }

    private byte[] page(long gpa) {
        int pn = (int) (gpa >>> 12);
        if (ram[pn] == null) {
            ram[pn] = new byte[GuestPhysicalBus.PAGE_SIZE];
        }
        return ram[pn];
    }

    private void write(long gpa, byte[] data) {
        for (int k = 0; k < data.length; k++) {
            page(gpa + k)[(int) ((gpa + k) & 0xFFF)] = data[k];
        }
    }

    private void write64(long gpa, long v) {
        for (int k = 0; k < 8; k++) {
            page(gpa + k)[(int) ((gpa + k) & 0xFFF)] = (byte) (v >>> (8 * k));
        }
    }

    private byte[] read(long gpa, int len) {
        byte[] b = new byte[len];
        for (int k = 0; k < len; k++) {
            b[k] = page(gpa + k)[(int) ((gpa + k) & 0xFFF)];
        }
        return b;
    }

    Outcome run(DiffCase c) {
        byte[] code = c.code();
        if (c.codeAddress() < 0x2000 || c.codeAddress() + code.length + 1 > Layout.RAM_SIZE
                || c.memAddress() < 0x2000 || c.memAddress() + c.mem().length > Layout.RAM_SIZE) {
            throw new IllegalArgumentException("case " + c.id() + " outside guest RAM");
        }
        write(c.codeAddress(), code);
        write(c.codeAddress() + code.length, new byte[] {(byte) 0xF4});
        write(c.memAddress(), c.mem());
        cpu.invalidateCode(c.codeAddress(), code.length + 1L);
        cpu.invalidateCode(c.memAddress(), c.mem().length);
        for (int r = 0; r < 16; r++) {
            cpu.setReg(r, c.regs()[r]);
        }
        cpu.setRflags(c.rflags());
        cpu.setRip(c.codeAddress());
        VcpuExit e = cpu.run(BUDGET);
        long end = c.codeAddress() + code.length + 1;
        if (!(e instanceof VcpuExit.HaltExit) || cpu.rip() != end) {
            return new Outcome(null, 0, null, "software VCPU stopped with " + e + " at rip 0x"
                    + Long.toHexString(cpu.rip()) + " (the HLT after the snippet is at 0x"
                    + Long.toHexString(end - 1) + ")");
        }
        long[] regs = new long[16];
        for (int r = 0; r < 16; r++) {
            regs[r] = cpu.reg(r);
        }
        return new Outcome(regs, cpu.rflags(), read(c.memAddress(), c.mem().length));
    }
}
