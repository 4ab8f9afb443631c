package dev.zx4j.sim.x86.x87;

import dev.zx4j.sim.x86.FpuState;
import dev.zx4j.sim.x86.X87;

/**
 * Runs an {@link X87Case} on the software x87 ({@link X87} on a {@link FpuState}) exactly as the
 * oracle runs it on the host: FRSTOR the state, the snippet, FNSAVE. Snippets use only the
 * forms the generator emits: an optional 0x66 prefix, FWAIT, and D8–DF with a register operand
 * or a memory operand at [RDI] or [RDI + disp8].
 */
final class X87Model {
    private static final long IMAGE_ADDR = 0x3000_0000L;

    static X87Result run(X87Case c) {
        FpuState st = new FpuState();
        X87 x87 = new X87(st);
        byte[] mem = c.mem.clone();
        byte[] image = c.state.clone();
        long[] regs = {c.rax, c.rflags};
        X87.Host host = new X87.Host() {
            @Override
            public long read(long off, int size) {
                long v = 0;
                for (int k = size - 1; k >= 0; k--) {
                    v = (v << 8) | (at(off + k) & 0xFF);
                }
                return v;
            }

            @Override
            public void write(long off, int size, long v) {
                for (int k = 0; k < size; k++) {
                    put(off + k, (byte) (v >>> (8 * k)));
                }
            }

            private byte at(long a) {
                if (a >= X87Case.MEM_ADDR && a < X87Case.MEM_ADDR + X87Case.MEM_SIZE) {
                    return mem[(int) (a - X87Case.MEM_ADDR)];
                }
                if (a >= IMAGE_ADDR && a < IMAGE_ADDR + X87Case.STATE_SIZE) {
                    return image[(int) (a - IMAGE_ADDR)];
                }
                throw new IllegalStateException("model read outside the case memory: " + Long.toHexString(a));
            }

            private void put(long a, byte b) {
                if (a >= X87Case.MEM_ADDR && a < X87Case.MEM_ADDR + X87Case.MEM_SIZE) {
                    mem[(int) (a - X87Case.MEM_ADDR)] = b;
                } else if (a >= IMAGE_ADDR && a < IMAGE_ADDR + X87Case.STATE_SIZE) {
                    image[(int) (a - IMAGE_ADDR)] = b;
                } else {
                    throw new IllegalStateException("model write outside the case memory: " + Long.toHexString(a));
                }
            }

            @Override
            public long rflags() {
                return regs[1];
            }

            @Override
            public void setRflags(long v) {
                regs[1] = v;
            }

            @Override
            public void setAx(int v) {
                regs[0] = (regs[0] & ~0xFFFFL) | (v & 0xFFFF);
            }
        };
        X87Result r = new X87Result();
        // FRSTOR [image]
        int rc = x87.exec(0xDD, 0x20, IMAGE_ADDR, false, 0, 0, 0, false, host);
        if (rc != X87.OK) {
            throw new IllegalStateException("FRSTOR of the initial image failed");
        }
        byte[] code = c.code;
        int pc = 0;
        while (pc < code.length && (code[pc] & 0xFF) != 0x90) {
            long ip = X87Case.CODE_ADDR + pc;
            boolean o16 = false;
            if ((code[pc] & 0xFF) == 0x66) {
                o16 = true;
                pc++;
            }
            int op = code[pc] & 0xFF;
            if (op == 0x9B) {
                pc++;
                if ((st.fsw & ~st.fcw & 0x3F) != 0) {
                    rc = X87.MF;
                } else {
                    continue;
                }
            } else {
                int modrm = code[pc + 1] & 0xFF;
                pc += 2;
                long ea = 0;
                int mod = modrm >> 6;
                if (mod != 3) {
                    if ((modrm & 7) != 7 || mod == 2) {
                        throw new IllegalStateException("unsupported addressing in a snippet");
                    }
                    ea = X87Case.MEM_ADDR;
                    if (mod == 1) {
                        ea += code[pc++];
                    }
                }
                rc = x87.exec(op, modrm, ea, o16, ip & 0xFFFF_FFFFL, X87Case.CS, X87Case.DS, false, host);
            }
            if (rc != X87.OK) {
                r.trap = rc;
                r.rax = c.rax;
                r.rflags = c.rflags;
                r.mem = mem;
                r.state = trapImage(st);
                return r;
            }
        }
        // FNSAVE [image]
        x87.exec(0xDD, 0x30, IMAGE_ADDR, false, 0, 0, 0, false, host);
        r.rax = regs[0];
        r.rflags = regs[1];
        r.state = image;
        r.mem = mem;
        return r;
    }

    /** The state at a trap, in the layout {@link X87Oracle#fromFxsave} produces. */
    static byte[] trapImage(FpuState st) {
        byte[] s = new byte[X87Case.STATE_SIZE];
        s[0] = (byte) st.fcw;
        s[1] = (byte) (st.fcw >> 8);
        s[4] = (byte) st.fsw;
        s[5] = (byte) (st.fsw >> 8);
        s[8] = (byte) st.ftw;
        for (int i = 0; i < 8; i++) {
            int p = (st.top() + i) & 7;
            for (int k = 0; k < 8; k++) {
                s[28 + 10 * i + k] = (byte) (st.mant[p] >>> (8 * k));
            }
            s[28 + 10 * i + 8] = (byte) st.se[p];
            s[28 + 10 * i + 9] = (byte) (st.se[p] >> 8);
        }
        return s;
    }
}
