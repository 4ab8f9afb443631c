package dev.zx4j.sim.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.zx4j.sim.x86.x87.X87Case;
import dev.zx4j.sim.x86.x87.X87Compare;
import dev.zx4j.sim.x86.x87.X87GoldenVectors;
import dev.zx4j.sim.x86.x87.X87Result;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed x87 host results run through the whole software CPU (decoder, 0x66 prefix,
 * ModR/M with displacement, the bridge, RFLAGS and RAX) rather than the x87 unit alone: each
 * snippet between FRSTOR and FNSAVE at other addresses than on the host, whose FIP, FCS and FDP
 * are relocated before the comparison. Cases that fault on the host are covered by
 * {@code X87GoldenVectorTest} (the CPU would deliver them through the guest IDT).
 */
class X87GoldenCpuTest {
    static final long CODE = 0x100000, MEM = 0x200000, IMAGE = 0x300000;

    @Test
    void goldenVectorsThroughTheCpu() throws Exception {
        List<X87GoldenVectors.Vector> vs = X87GoldenVectors.load();
        int checked = 0, failures = 0;
        StringBuilder report = new StringBuilder();
        for (X87GoldenVectors.Vector v : vs) {
            if (v.r().trap >= 0) {
                continue;
            }
            X87Case c = v.c();
            GuestHarness g = new GuestHarness();
            g.identityMap1G();
            byte[] code = new byte[c.code.length + 5];
            code[0] = (byte) 0xDD; // frstor [rsi]
            code[1] = 0x26;
            System.arraycopy(c.code, 0, code, 2, c.code.length);
            int end = 2 + c.code.length;
            code[end] = (byte) 0xDD; // fnsave [rsi]
            code[end + 1] = 0x36;
            code[end + 2] = (byte) 0xF4; // hlt
            g.write(CODE - 2, code);
            g.write(MEM, c.mem);
            g.write(IMAGE, c.state);
            X86Cpu cpu = X86Cpu.newBootProcessor(g, CODE - 2);
            cpu.setReg(0, c.rax);
            cpu.setReg(6, IMAGE);
            cpu.setReg(7, MEM);
            cpu.setRflags(c.rflags);
            VcpuExit e = cpu.run(100);
            X87Result sw = new X87Result();
            sw.rax = cpu.reg(0);
            sw.rflags = cpu.rflags();
            for (int k = 0; k < X87Case.STATE_SIZE; k++) {
                sw.state[k] = (byte) g.read8(IMAGE + k);
            }
            for (int k = 0; k < X87Case.MEM_SIZE; k++) {
                sw.mem[k] = (byte) g.read8(MEM + k);
            }
            X87Result hw = relocated(v.r(), cpu.segment(X86Cpu.CS).selector());
            String d = e instanceof VcpuExit.HaltExit ? X87Compare.diff(c, hw, sw) : "exit " + e + "\n";
            checked++;
            if (d != null && ++failures <= 5) {
                report.append(X87Compare.reproducer(c, hw, sw, d)).append('\n');
            }
        }
        assertTrue(checked >= 1000, "checked " + checked);
        if (failures > 0) {
            fail(failures + " of " + checked + " x87 golden vectors differ through the CPU:\n" + report);
        }
        assertEquals(0, failures);
    }

    /** The host result with FIP/FCS/FDP moved to where the CPU ran the snippet and its data. */
    static X87Result relocated(X87Result r, int cs) {
        X87Result o = new X87Result();
        o.trap = r.trap;
        o.rax = r.rax;
        o.rflags = r.rflags;
        o.mem = r.mem;
        o.state = r.state.clone();
        long fip = le(o.state, 12);
        if (fip >= X87Case.CODE_ADDR && fip < X87Case.CODE_ADDR + 64) {
            put(o.state, 12, fip - X87Case.CODE_ADDR + CODE);
            long w = le(o.state, 16);
            put(o.state, 16, (w & 0xFFFF_0000L) | cs);
        }
        long fdp = le(o.state, 20);
        if (fdp >= X87Case.MEM_ADDR && fdp < X87Case.MEM_ADDR + 256) {
            put(o.state, 20, fdp - X87Case.MEM_ADDR + MEM);
        }
        return o;
    }

    static long le(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }

    static void put(byte[] b, int at, long v) {
        for (int k = 0; k < 4; k++) {
            b[at + k] = (byte) (v >>> (8 * k));
        }
    }
}
