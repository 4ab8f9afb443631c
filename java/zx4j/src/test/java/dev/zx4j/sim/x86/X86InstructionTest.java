package dev.zx4j.sim.x86;

import static dev.zx4j.abi.Zx.ZX_ERR_INVALID_ARGS;
import static dev.zx4j.abi.Zx.ZX_ERR_NOT_SUPPORTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Single-instruction semantics in 64-bit mode: snippets from {@code native/guests/ops.S} run on
 * registers set by the test; results and flags are compared with {@link RefModel} or with plain
 * Java arithmetic.
 */
class X86InstructionTest {
    static final long DATA = 0x100000;
    static final long STACK = 0x80000;
    static final String[] ALU = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
    static final long[] EDGES = {0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFFL,
        0x80000000L, 0xFFFFFFFFL, Long.MAX_VALUE, Long.MIN_VALUE, -1, -2, 0x0F, 0x10};

    GuestHarness g;
    X86Cpu cpu;
    Map<String, Long> sym;
    Random rnd = new Random(0x5EED);

    @BeforeEach
    void setUp() {
        g = new GuestHarness();
        g.identityMap1G();
        sym = g.load("ops", 0x2000);
        cpu = X86Cpu.newBootProcessor(g, 0x2000);
    }

    long operand(int k) {
        if (k < EDGES.length * 2) {
            long e = EDGES[k % EDGES.length];
            return k < EDGES.length ? e : e ^ (rnd.nextLong() & 0xFFFFFFFF00000000L);
        }
        return rnd.nextLong() >> rnd.nextInt(64);
    }

    /** Runs the snippet {@code name} from the current registers to its HLT. */
    void run(String name) {
        Long at = sym.get(name);
        assertNotNull(at, "snippet " + name);
        cpu.setRip(at);
        VcpuExit e = cpu.run(1000);
        assertInstanceOf(VcpuExit.HaltExit.class, e, name + " ended with " + e);
    }

    void clearRegs(long flags) {
        for (int r = 0; r < 16; r++) {
            cpu.setReg(r, 0);
        }
        cpu.setReg(X86Cpu.RSP, STACK);
        cpu.setRflags(flags);
    }

    static void assertFlags(RefModel.Res want, long rflags, String what) {
        assertEquals(Long.toHexString(want.flags() & want.defined()),
                Long.toHexString(rflags & want.defined()), what + " flags");
    }

    static long merge(long old, long v, int bits) {
        if (bits == 32) {
            return v & 0xFFFFFFFFL;
        }
        long m = RefModel.mask(bits);
        return (old & ~m) | (v & m);
    }

    @Test
    void aluRegisterFormsAllSizes() {
        int[] sizes = {8, 16, 32, 64};
        String[] sfx = {"_b", "_w", "_l", "_q"};
        for (int op = 0; op < 8; op++) {
            for (int si = 0; si < 4; si++) {
                int bits = sizes[si];
                for (int k = 0; k < 60; k++) {
                    long a = operand(k);
                    long b = operand(59 - k) ^ rnd.nextInt(4);
                    long cin = rnd.nextInt(2);
                    clearRegs(0x2 | cin | (rnd.nextBoolean() ? RefModel.ZF | RefModel.OF : 0));
                    cpu.setReg(0, a);
                    cpu.setReg(3, b);
                    String name = ALU[op] + sfx[si];
                    run(name);
                    RefModel.Res want = RefModel.alu(op, a, b, cin, bits);
                    long expect = op == 7 ? a : merge(a, want.value(), bits);
                    String what = name + "(" + Long.toHexString(a) + ", " + Long.toHexString(b) + ", cf=" + cin + ")";
                    assertEquals(expect, cpu.reg(0), what);
                    assertEquals(b, cpu.reg(3), what + " source");
                    assertFlags(want, cpu.rflags(), what);
                }
            }
        }
    }

    @Test
    void aluMemoryImmediateAndByteRegisterForms() {
        for (int op = 0; op < 8; op++) {
            String n = ALU[op];
            for (int k = 0; k < 24; k++) {
                long a = operand(k);
                long b = operand(k + 7);
                long cin = k & 1;
                // r/m64 (memory), reg
                clearRegs(0x2 | cin);
                g.write64(DATA, a);
                cpu.setReg(3, b);
                cpu.setReg(7, DATA);
                run(n + "_mq");
                RefModel.Res w = RefModel.alu(op, a, b, cin, 64);
                assertEquals(op == 7 ? a : w.value(), g.read64(DATA), n + "_mq");
                assertFlags(w, cpu.rflags(), n + "_mq");
                // reg, r/m64 (memory)
                clearRegs(0x2 | cin);
                g.write64(DATA, b);
                cpu.setReg(0, a);
                cpu.setReg(7, DATA);
                run(n + "_qm");
                assertEquals(op == 7 ? a : w.value(), cpu.reg(0), n + "_qm");
                assertFlags(w, cpu.rflags(), n + "_qm");
                // 8(%rdi,%rsi,4) 32-bit memory destination (SIB)
                clearRegs(0x2 | cin);
                g.write64(DATA + 20, a);
                cpu.setReg(3, b);
                cpu.setReg(7, DATA);
                cpu.setReg(6, 3);
                run(n + "_ml");
                RefModel.Res w32 = RefModel.alu(op, a, b, cin, 32);
                long expect32 = op == 7 ? a : (a & 0xFFFFFFFF00000000L) | w32.value();
                assertEquals(expect32, g.read64(DATA + 20), n + "_ml");
                assertFlags(w32, cpu.rflags(), n + "_ml");
                // r/m64, imm8 (sign-extended) and imm32
                clearRegs(0x2 | cin);
                cpu.setReg(1, a);
                run(n + "_i8q");
                w = RefModel.alu(op, a, -3, cin, 64);
                assertEquals(op == 7 ? a : w.value(), cpu.reg(1), n + "_i8q");
                assertFlags(w, cpu.rflags(), n + "_i8q");
                clearRegs(0x2 | cin);
                cpu.setReg(1, a);
                run(n + "_i32q");
                w = RefModel.alu(op, a, 0x12345678, cin, 64);
                assertEquals(op == 7 ? a : w.value(), cpu.reg(1), n + "_i32q");
                assertFlags(w, cpu.rflags(), n + "_i32q");
                clearRegs(0x2 | cin);
                cpu.setReg(1, a);
                run(n + "_i8b");
                w = RefModel.alu(op, a, 0x85, cin, 8);
                assertEquals(op == 7 ? a : merge(a, w.value(), 8), cpu.reg(1), n + "_i8b");
                assertFlags(w, cpu.rflags(), n + "_i8b");
                // accumulator forms
                clearRegs(0x2 | cin);
                cpu.setReg(0, a);
                run(n + "_acc_l");
                w = RefModel.alu(op, a, 0x7FFFFFFF, cin, 32);
                assertEquals(op == 7 ? a : w.value(), cpu.reg(0), n + "_acc_l");
                assertFlags(w, cpu.rflags(), n + "_acc_l");
                clearRegs(0x2 | cin);
                cpu.setReg(0, a);
                run(n + "_acc_b");
                w = RefModel.alu(op, a, 0x7F, cin, 8);
                assertEquals(op == 7 ? a : merge(a, w.value(), 8), cpu.reg(0), n + "_acc_b");
                assertFlags(w, cpu.rflags(), n + "_acc_b");
                // AH op= BH (legacy high-byte registers)
                clearRegs(0x2 | cin);
                cpu.setReg(0, a);
                cpu.setReg(3, b);
                run(n + "_ah");
                w = RefModel.alu(op, a >>> 8, b >>> 8, cin, 8);
                long ah = op == 7 ? a : (a & ~0xFF00L) | (w.value() << 8);
                assertEquals(ah, cpu.reg(0), n + "_ah");
                assertFlags(w, cpu.rflags(), n + "_ah");
                // SIL op= DIL (REX byte registers)
                clearRegs(0x2 | cin);
                cpu.setReg(6, a);
                cpu.setReg(7, b);
                run(n + "_sil");
                w = RefModel.alu(op, a, b, cin, 8);
                assertEquals(op == 7 ? a : merge(a, w.value(), 8), cpu.reg(6), n + "_sil");
                assertFlags(w, cpu.rflags(), n + "_sil");
                // R9W op= R10W
                clearRegs(0x2 | cin);
                cpu.setReg(9, a);
                cpu.setReg(10, b);
                run(n + "_r9w");
                w = RefModel.alu(op, a, b, cin, 16);
                assertEquals(op == 7 ? a : merge(a, w.value(), 16), cpu.reg(9), n + "_r9w");
                assertFlags(w, cpu.rflags(), n + "_r9w");
            }
        }
    }

    @Test
    void testInstruction() {
        for (int k = 0; k < 40; k++) {
            long a = operand(k);
            long b = operand(k + 3);
            clearRegs(0x2 | RefModel.CF | RefModel.OF);
            cpu.setReg(0, a);
            cpu.setReg(3, b);
            run("test_q");
            assertFlags(RefModel.logic(a & b, 64), cpu.rflags(), "test_q");
            assertEquals(a, cpu.reg(0));
            run("test_b");
            assertFlags(RefModel.logic(a & b, 8), cpu.rflags(), "test_b");
            run("test_imm_l");
            assertFlags(RefModel.logic(a & 0x80000001L, 32), cpu.rflags(), "test_imm_l");
            g.write64(DATA, a);
            cpu.setReg(7, DATA);
            run("test_imm_m");
            assertFlags(RefModel.logic(a & 0x81, 8), cpu.rflags(), "test_imm_m");
        }
    }

    @Test
    void incDecNegNot() {
        int[] sizes = {8, 16, 32, 64};
        String[] sfx = {"_b", "_w", "_l", "_q"};
        for (int k = 0; k < 40; k++) {
            long a = operand(k);
            for (int si = 0; si < 4; si++) {
                int bits = sizes[si];
                for (long cin = 0; cin < 2; cin++) {
                    clearRegs(0x2 | cin);
                    cpu.setReg(0, a);
                    run("inc" + sfx[si]);
                    RefModel.Res w = RefModel.add(a, 1, 0, bits);
                    w = new RefModel.Res(w.value(), (w.flags() & ~RefModel.CF) | cin, RefModel.ALL);
                    assertEquals(merge(a, w.value(), bits), cpu.reg(0), "inc" + sfx[si]);
                    assertFlags(w, cpu.rflags(), "inc" + sfx[si] + " " + Long.toHexString(a));

                    clearRegs(0x2 | cin);
                    cpu.setReg(0, a);
                    run("dec" + sfx[si]);
                    w = RefModel.sub(a, 1, 0, bits);
                    w = new RefModel.Res(w.value(), (w.flags() & ~RefModel.CF) | cin, RefModel.ALL);
                    assertEquals(merge(a, w.value(), bits), cpu.reg(0), "dec" + sfx[si]);
                    assertFlags(w, cpu.rflags(), "dec" + sfx[si]);
                }
                clearRegs(0x2);
                cpu.setReg(0, a);
                run("neg" + sfx[si]);
                RefModel.Res w = RefModel.sub(0, a, 0, bits);
                assertEquals(merge(a, w.value(), bits), cpu.reg(0), "neg" + sfx[si]);
                assertFlags(w, cpu.rflags(), "neg" + sfx[si]);

                clearRegs(0x2 | RefModel.ZF | RefModel.CF);
                cpu.setReg(0, a);
                run("not" + sfx[si]);
                assertEquals(merge(a, ~a, bits), cpu.reg(0), "not" + sfx[si]);
                assertEquals(0x2 | RefModel.ZF | RefModel.CF, cpu.rflags() & (RefModel.ALL | 2), "not keeps flags");
            }
            g.write64(DATA, a);
            clearRegs(0x2);
            cpu.setReg(7, DATA);
            run("inc_mq");
            assertEquals(a + 1, g.read64(DATA), "inc mem");
            run("neg_mq");
            assertEquals(-(a + 1), g.read64(DATA), "neg mem");
        }
    }

    @Test
    void shiftsAndRotates() {
        String[] ops = {"rol", "ror", "rcl", "rcr", "shl", "shr", null, "sar"};
        int[] sizes = {8, 16, 32, 64};
        String[] sfx = {"_b", "_w", "_l", "_q"};
        for (int op = 0; op < 8; op++) {
            if (ops[op] == null) {
                continue;
            }
            for (int k = 0; k < 30; k++) {
                long a = operand(k);
                for (int si = 0; si < 4; si++) {
                    int bits = sizes[si];
                    int count = k < 4 ? k : rnd.nextInt(80);
                    long fin = 0x2 | (rnd.nextLong() & RefModel.ALL);
                    clearRegs(fin);
                    cpu.setReg(0, a);
                    cpu.setReg(1, count);
                    String name = ops[op] + "_cl" + sfx[si];
                    run(name);
                    RefModel.Res w = RefModel.shift(op, a, count, fin, bits);
                    String what = name + "(" + Long.toHexString(a) + ", " + count + ")";
                    assertEquals(merge(a, w.value(), bits), cpu.reg(0), what);
                    assertFlags(w, cpu.rflags(), what);
                }
                long fin = 0x2 | (rnd.nextLong() & RefModel.ALL);
                clearRegs(fin);
                cpu.setReg(0, a);
                run(ops[op] + "_1_q");
                RefModel.Res w = RefModel.shift(op, a, 1, fin, 64);
                assertEquals(w.value(), cpu.reg(0), ops[op] + "_1_q");
                assertFlags(w, cpu.rflags(), ops[op] + "_1_q");
                clearRegs(fin);
                cpu.setReg(0, a);
                run(ops[op] + "_1_b");
                w = RefModel.shift(op, a, 1, fin, 8);
                assertEquals(merge(a, w.value(), 8), cpu.reg(0), ops[op] + "_1_b");
                assertFlags(w, cpu.rflags(), ops[op] + "_1_b");
                clearRegs(fin);
                cpu.setReg(0, a);
                run(ops[op] + "_imm_q");
                w = RefModel.shift(op, a, 13, fin, 64);
                assertEquals(w.value(), cpu.reg(0), ops[op] + "_imm_q");
                assertFlags(w, cpu.rflags(), ops[op] + "_imm_q");
                clearRegs(fin);
                g.write64(DATA, a);
                cpu.setReg(7, DATA);
                run(ops[op] + "_imm_m");
                w = RefModel.shift(op, a, 5, fin, 64);
                assertEquals(w.value(), g.read64(DATA), ops[op] + "_imm_m");
                assertFlags(w, cpu.rflags(), ops[op] + "_imm_m");
            }
        }
    }

    static BigInteger big(long v, int bits, boolean signed) {
        return signed ? RefModel.s(v, bits) : RefModel.u(v, bits);
    }

    @Test
    void multiply() {
        int[] sizes = {8, 16, 32, 64};
        String[] sfx = {"_b", "_w", "_l", "_q"};
        for (int k = 0; k < 40; k++) {
            long a = operand(k);
            long b = operand(k + 11);
            for (int si = 0; si < 4; si++) {
                int bits = sizes[si];
                for (int signed = 0; signed < 2; signed++) {
                    clearRegs(0x2);
                    cpu.setReg(0, a);
                    cpu.setReg(3, b);
                    cpu.setReg(2, 0x5A5A5A5A5A5A5A5AL);
                    String name = (signed == 1 ? "imul1" : "mul") + sfx[si];
                    run(name);
                    BigInteger p = big(a, bits, signed == 1).multiply(big(b, bits, signed == 1));
                    long lo = p.longValue() & RefModel.mask(bits);
                    long hi = p.shiftRight(bits).longValue() & RefModel.mask(bits);
                    boolean ovf = signed == 1 ? RefModel.signedOverflow(p, bits) : p.bitLength() > bits;
                    String what = name + "(" + Long.toHexString(a) + "," + Long.toHexString(b) + ")";
                    if (bits == 8) {
                        assertEquals(merge(a, lo | (hi << 8), 16), cpu.reg(0), what);
                    } else {
                        assertEquals(merge(a, lo, bits), cpu.reg(0), what);
                        assertEquals(merge(0x5A5A5A5A5A5A5A5AL, hi, bits), cpu.reg(2), what + " rdx");
                    }
                    long cfof = ovf ? RefModel.CF | RefModel.OF : 0;
                    assertEquals(cfof, cpu.rflags() & (RefModel.CF | RefModel.OF), what + " CF/OF");
                }
            }
            // two- and three-operand IMUL
            clearRegs(0x2);
            cpu.setReg(0, a);
            cpu.setReg(3, b);
            run("imul2_q");
            BigInteger p = RefModel.s(a, 64).multiply(RefModel.s(b, 64));
            assertEquals(a * b, cpu.reg(0), "imul2_q");
            assertEquals(RefModel.signedOverflow(p, 64) ? RefModel.CF | RefModel.OF : 0,
                    cpu.rflags() & (RefModel.CF | RefModel.OF), "imul2_q flags");
            clearRegs(0x2);
            cpu.setReg(0, a);
            cpu.setReg(3, b);
            run("imul2_l");
            p = RefModel.s(a, 32).multiply(RefModel.s(b, 32));
            assertEquals(p.longValue() & 0xFFFFFFFFL, cpu.reg(0), "imul2_l");
            assertEquals(RefModel.signedOverflow(p, 32) ? RefModel.CF | RefModel.OF : 0,
                    cpu.rflags() & (RefModel.CF | RefModel.OF), "imul2_l flags");
            clearRegs(0x2);
            cpu.setReg(0, a);
            cpu.setReg(3, b);
            run("imul2_w");
            p = RefModel.s(a, 16).multiply(RefModel.s(b, 16));
            assertEquals(merge(a, p.longValue(), 16), cpu.reg(0), "imul2_w");
            clearRegs(0x2);
            cpu.setReg(3, b);
            run("imul3_q");
            p = RefModel.s(b, 64).multiply(BigInteger.valueOf(-1000));
            assertEquals(b * -1000, cpu.reg(0), "imul3_q");
            assertEquals(RefModel.signedOverflow(p, 64) ? RefModel.CF | RefModel.OF : 0,
                    cpu.rflags() & (RefModel.CF | RefModel.OF), "imul3_q flags");
            clearRegs(0x2);
            cpu.setReg(3, b);
            run("imul3_l8");
            assertEquals((b * 7) & 0xFFFFFFFFL, cpu.reg(0), "imul3_l8");
        }
    }

    @Test
    void divide() {
        int[] sizes = {8, 16, 32, 64};
        String[] sfx = {"_b", "_w", "_l", "_q"};
        int checked = 0;
        for (int k = 0; k < 400; k++) {
            int si = k % 4;
            int bits = sizes[si];
            boolean signed = (k / 4) % 2 == 1;
            long d = operand(k % 37 + 1);
            if ((d & RefModel.mask(bits)) == 0) {
                continue;
            }
            long lo = rnd.nextLong();
            long hi = rnd.nextLong() >> rnd.nextInt(64);
            BigInteger dividend;
            if (bits == 8) {
                dividend = big(lo, 16, signed);
            } else {
                BigInteger h = signed ? RefModel.s(hi, bits) : RefModel.u(hi, bits);
                dividend = h.shiftLeft(bits).or(RefModel.u(lo, bits));
            }
            BigInteger dv = big(d, bits, signed);
            BigInteger[] qr = dividend.divideAndRemainder(dv); // truncating, like IDIV
            boolean fits = signed ? !RefModel.signedOverflow(qr[0], bits)
                    : qr[0].bitLength() <= bits;
            if (!fits) {
                continue; // #DE is covered by the interrupt tests
            }
            clearRegs(0x2);
            cpu.setReg(0, lo);
            cpu.setReg(2, hi);
            cpu.setReg(3, d);
            String name = (signed ? "idiv" : "div") + sfx[si];
            run(name);
            long q = qr[0].longValue() & RefModel.mask(bits);
            long r = qr[1].longValue() & RefModel.mask(bits);
            String what = name + " " + dividend + " / " + dv;
            if (bits == 8) {
                assertEquals(merge(lo, q | (r << 8), 16), cpu.reg(0), what);
            } else {
                assertEquals(merge(lo, q, bits), cpu.reg(0), what);
                assertEquals(merge(hi, r, bits), cpu.reg(2), what + " remainder");
            }
            checked++;
        }
        assertEquals(true, checked > 100, "enough division cases: " + checked);
    }

    @Test
    void movesAndConversions() {
        clearRegs(0x2);
        cpu.setReg(0, 0xFFFF_FFFF_FFFF_FFFFL);
        run("mov_imm64");
        assertEquals(0x123456789abcdef0L, cpu.reg(11));
        cpu.setReg(12, -1);
        run("mov_imm32_l");
        assertEquals(0x89abcdefL, cpu.reg(12), "32-bit write zero-extends");
        run("mov_imm_sx");
        assertEquals(-2L, cpu.reg(13));
        cpu.setReg(0, 0x1234);
        cpu.setReg(3, 0xFFFF_FFFF_FFFF_FF00L);
        run("mov_b_ah");
        assertEquals(0xFFFF_FFFF_FFFF_FF12L, cpu.reg(3));
        cpu.setReg(6, 0x99);
        cpu.setReg(8, 0x1111);
        run("mov_b_sil");
        assertEquals(0x1199, cpu.reg(8));
        cpu.setReg(0, 0xAAAA_BBBB_CCCC_DDDDL);
        cpu.setReg(3, -1);
        run("mov_w");
        assertEquals(0xFFFF_FFFF_FFFF_DDDDL, cpu.reg(3));
        run("mov_l_zext");
        assertEquals(0xCCCC_DDDDL, cpu.reg(3));
        g.write64(DATA + 16, 0x0102030405060708L);
        cpu.setReg(7, DATA);
        run("mov_load_q");
        assertEquals(0x0102030405060708L, cpu.reg(0));
        cpu.setReg(0, 0xDEADBEEFL);
        cpu.setReg(6, 2);
        run("mov_store_l");
        assertEquals(0xDEADBEEF_00000000L, g.read64(DATA + 8), "store at rdi+rsi*8-4");
        run("mov_store_imm_b");
        assertEquals(0xA5, g.read8(DATA + 3));
        run("mov_store_imm_q");
        assertEquals(-5L, g.read64(DATA));
        run("mov_rip_rel");
        assertEquals(0x1122334455667788L, cpu.reg(0));
        run("lea_rip");
        assertEquals(sym.get("rip_data"), cpu.reg(0));
        cpu.setReg(3, 0x80);
        cpu.setReg(0, 0x1234);
        run("movzx_bq");
        assertEquals(0x80, cpu.reg(0));
        run("movsx_bq");
        assertEquals(-128L, cpu.reg(0));
        cpu.setReg(3, 0x8001);
        run("movzx_wl");
        assertEquals(0x8001, cpu.reg(0));
        run("movsx_wq");
        assertEquals(-32767L, cpu.reg(0));
        cpu.setReg(0, 0xAB00);
        run("movzx_bl_ah");
        assertEquals(0xAB, cpu.reg(1));
        cpu.setReg(3, 0x1_8000_0000L);
        run("movsxd");
        assertEquals(0xFFFF_FFFF_8000_0000L, cpu.reg(0));
        g.write64(DATA, 0xF0);
        cpu.setReg(0, 0x7777_0000);
        run("movsx_mem_bw");
        assertEquals(0x7777_FFF0L, cpu.reg(0));
        cpu.setReg(0, 0x1234_8000_0000L);
        run("cdqe");
        assertEquals(0xFFFF_FFFF_8000_0000L, cpu.reg(0));
        run("cqo");
        assertEquals(-1L, cpu.reg(2));
        cpu.setReg(0, 0x7FFF_FFFFL);
        cpu.setReg(2, -1);
        run("cdq");
        assertEquals(0, cpu.reg(2));
        cpu.setReg(0, 0x8000);
        run("cwde");
        assertEquals(0xFFFF_8000L, cpu.reg(0));
        cpu.setReg(3, 0x1000);
        cpu.setReg(1, 3);
        run("lea_sib");
        assertEquals(0x1000 + 0x10 + 24, cpu.reg(0));
        cpu.setReg(3, 0xFFFF_FFFFL);
        cpu.setReg(1, 0x1_0000_0001L);
        run("lea_l");
        assertEquals((0xFFFF_FFFFL + 0x1_0000_0001L - 1) & 0xFFFF_FFFFL, cpu.reg(0));
        cpu.setReg(0, 1);
        cpu.setReg(3, 2);
        run("xchg_q");
        assertEquals(2, cpu.reg(0));
        assertEquals(1, cpu.reg(3));
        cpu.setReg(0, -1);
        cpu.setReg(3, -2);
        run("xchg_l");
        assertEquals(0xFFFF_FFFEL, cpu.reg(0));
        assertEquals(0xFFFF_FFFFL, cpu.reg(3));
        g.write64(DATA, 77);
        cpu.setReg(3, 88);
        cpu.setReg(7, DATA);
        run("xchg_mem");
        assertEquals(77, cpu.reg(3));
        assertEquals(88, g.read64(DATA));
        cpu.setReg(8, 5);
        cpu.setReg(0, 6);
        run("xchg_r8");
        assertEquals(6, cpu.reg(8));
        assertEquals(5, cpu.reg(0));
        cpu.setReg(0, 0x0102030405060708L);
        run("bswap_q");
        assertEquals(0x0807060504030201L, cpu.reg(0));
        run("bswap_l");
        assertEquals(0x01020304L, cpu.reg(0));
    }

    @Test
    void stackOperations() {
        clearRegs(0x2);
        cpu.setReg(3, 0xABCDEF);
        run("push_pop");
        assertEquals(0xABCDEF, cpu.reg(0));
        assertEquals(STACK, cpu.reg(4));
        assertEquals(0xABCDEF, g.read64(STACK - 8), "pushed value in memory");
        run("push_imm");
        assertEquals(-7L, cpu.reg(1));
        g.write64(DATA, 0x55);
        cpu.setReg(7, DATA);
        run("push_mem");
        assertEquals(0x55, g.read64(DATA + 8));
        cpu.setReg(12, 99);
        run("push_r12_pop_r13");
        assertEquals(99, cpu.reg(13));
        assertEquals(STACK, cpu.reg(4));
        cpu.setReg(0, 0);
        run("call_ret");
        assertEquals(101, cpu.reg(0), "call, add 1, ret to the add 100, jmp over the callee");
        assertEquals(STACK, cpu.reg(4));
        run("call_indirect");
        assertEquals(42, cpu.reg(0));
        for (int k = 0; k < 3; k++) {
            cpu.setReg(1, k);
            run("jmp_table");
            assertEquals(100 + k, cpu.reg(0), "jump table entry " + k);
        }
        run("ret_imm");
        assertEquals(STACK + 16, cpu.reg(4), "ret $16 releases 16 bytes");
        cpu.setReg(4, STACK);
        cpu.setReg(5, STACK - 64);
        g.write64(STACK - 64, 0x1357);
        run("leave");
        assertEquals(0x1357, cpu.reg(5));
        assertEquals(STACK - 56, cpu.reg(4));
    }

    @Test
    void conditionCodes() {
        String[] cc = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};
        for (int k = 0; k < 40; k++) {
            long a = operand(k);
            long b = operand(k + 5);
            RefModel.Res r = RefModel.sub(a, b, 0, 64);
            long f = r.flags();
            boolean cf = (f & RefModel.CF) != 0, zf = (f & RefModel.ZF) != 0, sf = (f & RefModel.SF) != 0;
            boolean of = (f & RefModel.OF) != 0, pf = (f & RefModel.PF) != 0;
            boolean[] truth = {of, !of, cf, !cf, zf, !zf, cf || zf, !(cf || zf), sf, !sf, pf, !pf,
                sf != of, sf == of, zf || sf != of, !(zf || sf != of)};
            for (int c = 0; c < 16; c++) {
                clearRegs(0x2);
                cpu.setReg(0, a);
                cpu.setReg(3, b);
                cpu.setReg(1, -1);
                run("set" + cc[c]);
                assertEquals(0xFFFF_FFFF_FFFF_FF00L | (truth[c] ? 1 : 0), cpu.reg(1), "set" + cc[c]);
                cpu.setReg(1, 0x1111_2222_3333_4444L);
                cpu.setReg(2, 0x5555_6666_7777_8888L);
                run("cmov" + cc[c]);
                assertEquals(truth[c] ? 0x5555_6666_7777_8888L : 0x1111_2222_3333_4444L, cpu.reg(1), "cmov" + cc[c]);
                cpu.setReg(1, 0x1111_2222_3333_4444L);
                run("cmovd_" + cc[c]);
                assertEquals(truth[c] ? 0x7777_8888L : 0x3333_4444L, cpu.reg(1),
                        "cmov" + cc[c] + " 32-bit zero-extends even when not taken");
            }
        }
    }

    @Test
    void branchesAndLoops() {
        clearRegs(0x2);
        run("loop3");
        assertEquals(3, cpu.reg(0));
        assertEquals(0, cpu.reg(1));
        run("jumps");
        assertEquals(10, cpu.reg(0), "jmp skips the inc, je taken, jne not taken, add $10 executed");
    }

    @Test
    void bitInstructions() {
        clearRegs(0x2);
        cpu.setReg(3, 0x0000_0100_0000_0000L);
        cpu.setReg(0, 77);
        run("bsf_q");
        assertEquals(40, cpu.reg(0));
        assertEquals(0, cpu.rflags() & RefModel.ZF);
        cpu.setReg(3, 0x0000_0100_0000_0001L);
        run("bsr_q");
        assertEquals(40, cpu.reg(0));
        cpu.setReg(3, 0);
        cpu.setReg(0, 1234);
        run("bsf_q");
        assertEquals(1234, cpu.reg(0), "BSF of 0 leaves the destination");
        assertEquals(RefModel.ZF, cpu.rflags() & RefModel.ZF);
        run("tzcnt_q");
        assertEquals(64, cpu.reg(0));
        assertEquals(RefModel.CF, cpu.rflags() & (RefModel.CF | RefModel.ZF));
        cpu.setReg(3, 8);
        run("tzcnt_q");
        assertEquals(3, cpu.reg(0));
        cpu.setReg(0, 0b1010);
        cpu.setReg(3, 67); // 67 & 63 = 3
        run("bt_q");
        assertEquals(RefModel.CF, cpu.rflags() & RefModel.CF);
        run("bts_imm");
        assertEquals(0b1010 | (1L << 33), cpu.reg(0));
        cpu.setReg(3, 1);
        run("btr_q");
        assertEquals(0b1000 | (1L << 33), cpu.reg(0));
        assertEquals(RefModel.CF, cpu.rflags() & RefModel.CF);
        run("btc_imm_l");
        assertEquals(0b101000, cpu.reg(0), "32-bit BTC zero-extends");
        cpu.setReg(0, 0x8000_0000_0000_0001L);
        cpu.setReg(3, 0xF000_0000_0000_0000L);
        cpu.setReg(1, 4);
        run("shld_q");
        assertEquals(0x0000_0000_0000_001FL, cpu.reg(0));
        assertEquals(0, cpu.rflags() & RefModel.CF);
        cpu.setReg(0, 0x80);
        cpu.setReg(3, 0x7F);
        run("shrd_q");
        assertEquals(0xFE00_0000_0000_0001L, cpu.reg(0));
        // CMPXCHG success and failure
        g.write64(DATA, 10);
        cpu.setReg(7, DATA);
        cpu.setReg(0, 10);
        cpu.setReg(3, 20);
        run("cmpxchg_q");
        assertEquals(20, g.read64(DATA));
        assertEquals(RefModel.ZF, cpu.rflags() & RefModel.ZF);
        cpu.setReg(0, 11);
        run("cmpxchg_q");
        assertEquals(20, cpu.reg(0), "failed CMPXCHG loads the accumulator");
        assertEquals(0, cpu.rflags() & RefModel.ZF);
        cpu.setReg(0, 5);
        cpu.setReg(3, 7);
        run("xadd_q");
        assertEquals(12, cpu.reg(0));
        assertEquals(5, cpu.reg(3));
        g.write64(DATA, 1);
        cpu.setReg(3, 2);
        run("lock_add");
        assertEquals(3, g.read64(DATA));
    }

    @Test
    void flagInstructions() {
        clearRegs(0x2 | RefModel.ZF);
        run("clc_stc_cmc");
        assertEquals(RefModel.ZF, cpu.rflags() & RefModel.ALL, "clc; stc; cmc leaves CF clear");
        cpu.setRflags(0x2 | RefModel.SF | RefModel.CF | RefModel.OF);
        cpu.setReg(0, 0);
        run("lahf");
        assertEquals((0x2 | RefModel.SF | RefModel.CF) << 8, cpu.reg(0));
        cpu.setReg(0, (RefModel.ZF | RefModel.PF) << 8);
        run("sahf");
        assertEquals(RefModel.ZF | RefModel.PF | RefModel.OF, cpu.rflags() & RefModel.ALL, "SAHF keeps OF");
        cpu.setRflags(0x2 | RefModel.CF | X86Cpu.FLAG_DF);
        run("pushf_popf");
        assertEquals(0x2 | RefModel.CF | X86Cpu.FLAG_DF, cpu.reg(0));
        cpu.setReg(3, 0x2 | X86Cpu.FLAG_IF | RefModel.OF);
        run("popf");
        assertEquals(0x2 | X86Cpu.FLAG_IF | RefModel.OF, cpu.rflags());
        cpu.setRflags(0x2);
        run("nops");
        assertEquals(sym.get("rep_movsb"), cpu.rip(), "all NOP forms decoded; RIP is past the HLT");
    }

    @Test
    void stringInstructions() {
        clearRegs(0x2);
        byte[] src = new byte[300];
        for (int k = 0; k < src.length; k++) {
            src[k] = (byte) (k * 7 + 3);
        }
        g.write(DATA, src);
        cpu.setReg(6, DATA);
        cpu.setReg(7, DATA + 0x1000);
        cpu.setReg(1, 300);
        run("rep_movsb");
        for (int k = 0; k < 300; k++) {
            assertEquals(src[k] & 0xFF, g.read8(DATA + 0x1000 + k));
        }
        assertEquals(0, cpu.reg(1));
        assertEquals(DATA + 300, cpu.reg(6));
        assertEquals(DATA + 0x1000 + 300, cpu.reg(7));
        cpu.setReg(0, 0xAB);
        cpu.setReg(7, DATA + 0x2000);
        cpu.setReg(1, 10_000); // longer than one REP step: resumes across block boundaries
        cpu.setRip(sym.get("rep_stosb"));
        VcpuExit e = cpu.run(100_000);
        assertInstanceOf(VcpuExit.HaltExit.class, e);
        assertEquals(0xAB, g.read8(DATA + 0x2000 + 9_999));
        assertEquals(0, g.read8(DATA + 0x2000 + 10_000));
        cpu.setReg(0, 0x1122334455667788L);
        cpu.setReg(7, DATA + 0x5000);
        cpu.setReg(1, 3);
        run("rep_stosq");
        assertEquals(0x1122334455667788L, g.read64(DATA + 0x5010));
        assertEquals(DATA + 0x5018, cpu.reg(7));
        cpu.setReg(6, DATA + 0x5000);
        cpu.setReg(7, DATA + 0x6000);
        cpu.setReg(1, 3);
        run("rep_movsq");
        assertEquals(0x1122334455667788L, g.read64(DATA + 0x6010));
        // backwards copy with DF=1
        cpu.setReg(6, DATA + 0x5010);
        cpu.setReg(7, DATA + 0x7010);
        cpu.setReg(1, 3);
        run("std_rep_movsq");
        assertEquals(0x1122334455667788L, g.read64(DATA + 0x7000));
        assertEquals(DATA + 0x7010 - 24, cpu.reg(7));
        assertEquals(0, cpu.rflags() & X86Cpu.FLAG_DF);
        // REPE CMPSB stops at the first difference
        g.write(DATA + 0x8000, new byte[] {1, 2, 3, 4});
        g.write(DATA + 0x9000, new byte[] {1, 2, 9, 4});
        cpu.setReg(6, DATA + 0x8000);
        cpu.setReg(7, DATA + 0x9000);
        cpu.setReg(1, 4);
        run("repe_cmpsb");
        assertEquals(1, cpu.reg(1));
        assertEquals(DATA + 0x8003, cpu.reg(6));
        assertEquals(0, cpu.rflags() & RefModel.ZF);
        // REPNE SCASB finds a byte
        cpu.setReg(0, 9);
        cpu.setReg(7, DATA + 0x9000);
        cpu.setReg(1, 100);
        run("repne_scasb");
        assertEquals(DATA + 0x9003, cpu.reg(7));
        assertEquals(RefModel.ZF, cpu.rflags() & RefModel.ZF);
        cpu.setReg(6, DATA + 0x5000);
        run("lodsq");
        assertEquals(0x1122334455667788L, cpu.reg(0));
    }

    @Test
    void systemInstructions() {
        clearRegs(0x2);
        cpu.setReg(0, 0x40000000L);
        run("cpuid");
        assertEquals(0x4B4D564BL, cpu.reg(3), "hypervisor vendor KVMK");
        assertEquals(0x564B4D56L, cpu.reg(1));
        assertEquals(0x4DL, cpu.reg(2));
        cpu.setReg(0, 1);
        run("cpuid");
        assertEquals(1L << 31, cpu.reg(1) & (1L << 31), "hypervisor bit");
        assertEquals(0, cpu.reg(3) >>> 24, "initial APIC ID of the boot VCPU");
        cpu.setTimeStampCounter(() -> 0x1_2345_6789L);
        run("rdtsc");
        assertEquals(0x2345_6789L, cpu.reg(0));
        assertEquals(1, cpu.reg(2));
        run("cr_rw");
        assertEquals(X86Cpu.CR0_PG | X86Cpu.CR0_PE, cpu.reg(0) & (X86Cpu.CR0_PG | X86Cpu.CR0_PE));
        assertEquals(X86Cpu.CR4_PAE, cpu.reg(3) & X86Cpu.CR4_PAE);
        assertEquals(0, cpu.reg(1));
    }

    /** Runs {@code name} from the current registers and expects the run to fail with {@code status}. */
    VcpuExit.ErrorExit runToError(String name, int status) {
        cpu.setRip(sym.get(name));
        VcpuExit e = cpu.run(1000);
        VcpuExit.ErrorExit err = assertInstanceOf(VcpuExit.ErrorExit.class, e, name + " ended with " + e);
        assertEquals(status, err.status(), err.detail());
        return err;
    }

    /** After {@code exc_setup}: runs {@code name} and expects its first instruction to raise {@code vector}. */
    void expectFault(String name, int vector, long errorCode) {
        cpu.setReg(X86Cpu.RSP, STACK);
        cpu.setReg(14, -1);
        run(name);
        assertEquals(vector, cpu.reg(14), name + ": vector");
        assertEquals(errorCode, cpu.reg(15), name + ": error code");
        assertEquals(sym.get(name), cpu.reg(13), name + ": a fault, RIP of the instruction pushed");
    }

    @Test
    void popcntCountsBitsAndSetsOnlyZf() {
        for (int k = 0; k < 60; k++) {
            long v = operand(k);
            long old = 0xDEAD_BEEF_CAFE_F00DL;
            long zf = v == 0 ? RefModel.ZF : 0;
            clearRegs(0x2 | RefModel.ALL);
            cpu.setReg(0, old);
            cpu.setReg(3, v);
            run("popcnt_q");
            assertEquals(Long.bitCount(v), cpu.reg(0), "popcnt %rbx of " + Long.toHexString(v));
            assertEquals(zf, cpu.rflags() & RefModel.ALL, "POPCNT clears OF SF AF CF PF, ZF = (src == 0)");
            cpu.setReg(0, old);
            run("popcnt_l");
            assertEquals(Long.bitCount(v & 0xFFFFFFFFL), cpu.reg(0), "32-bit: zero-extended");
            assertEquals((v & 0xFFFFFFFFL) == 0 ? RefModel.ZF : 0, cpu.rflags() & RefModel.ALL);
            cpu.setReg(0, old);
            run("popcnt_w");
            assertEquals((old & ~0xFFFFL) | Long.bitCount(v & 0xFFFF), cpu.reg(0), "16-bit: merged");
            g.write64(DATA, v);
            cpu.setReg(7, DATA);
            cpu.setRflags(0x2 | RefModel.ALL);
            run("popcnt_m");
            assertEquals(Long.bitCount(v), cpu.reg(0), "memory source");
            assertEquals(zf, cpu.rflags() & RefModel.ALL);
        }
        clearRegs(0x2);
        cpu.setReg(0, 1);
        run("cpuid");
        assertEquals(1L << 23, cpu.reg(1) & (1L << 23), "CPUID.1:ECX.POPCNT");
    }

    @Test
    void cmpxchg8bAnd16b() {
        long flags = 0x2 | RefModel.CF | RefModel.SF | RefModel.OF | RefModel.PF;
        for (String name : new String[] {"cmpxchg8b", "lock_cmpxchg8b"}) {
            clearRegs(flags);
            g.write64(DATA, 0x1111_2222_3333_4444L);
            cpu.setReg(7, DATA);
            cpu.setReg(X86Cpu.RDX, 0xAAAA_BBBB_1111_2222L);
            cpu.setReg(X86Cpu.RAX, 0xCCCC_DDDD_3333_4444L);
            cpu.setReg(X86Cpu.RCX, 0xEEEE_FFFF_5555_6666L);
            cpu.setReg(X86Cpu.RBX, 0x9999_0000_7777_8888L);
            run(name);
            assertEquals(0x5555_6666_7777_8888L, g.read64(DATA), name + ": ECX:EBX stored");
            assertEquals(flags | RefModel.ZF, cpu.rflags() & (RefModel.ALL | 0x2), name + ": ZF set, other flags kept");
            assertEquals(0xAAAA_BBBB_1111_2222L, cpu.reg(X86Cpu.RDX), name + ": RDX untouched on success");
            assertEquals(0xCCCC_DDDD_3333_4444L, cpu.reg(X86Cpu.RAX), name + ": RAX untouched on success");
            g.write64(DATA, 0x0102_0304_0506_0708L);
            cpu.setRflags(flags | RefModel.ZF);
            run(name);
            assertEquals(0x0102_0304_0506_0708L, g.read64(DATA), name + ": memory unchanged on failure");
            assertEquals(0x0506_0708L, cpu.reg(X86Cpu.RAX), name + ": EAX loaded, upper half cleared");
            assertEquals(0x0102_0304L, cpu.reg(X86Cpu.RDX), name + ": EDX loaded, upper half cleared");
            assertEquals(flags, cpu.rflags() & (RefModel.ALL | 0x2), name + ": ZF cleared, other flags kept");
        }
        for (String name : new String[] {"cmpxchg16b", "lock_cmpxchg16b"}) {
            clearRegs(flags);
            g.write64(DATA, 0x1111L);
            g.write64(DATA + 8, 0x2222L);
            cpu.setReg(7, DATA);
            cpu.setReg(X86Cpu.RAX, 0x1111L);
            cpu.setReg(X86Cpu.RDX, 0x2222L);
            cpu.setReg(X86Cpu.RBX, 0x8000_0000_0000_0003L);
            cpu.setReg(X86Cpu.RCX, 0x7000_0000_0000_0004L);
            run(name);
            assertEquals(0x8000_0000_0000_0003L, g.read64(DATA), name + ": RBX stored");
            assertEquals(0x7000_0000_0000_0004L, g.read64(DATA + 8), name + ": RCX stored");
            assertEquals(flags | RefModel.ZF, cpu.rflags() & (RefModel.ALL | 0x2), name);
            cpu.setReg(X86Cpu.RAX, 0x1111L);
            cpu.setRflags(flags | RefModel.ZF);
            run(name);
            assertEquals(0x8000_0000_0000_0003L, cpu.reg(X86Cpu.RAX), name + ": RDX:RAX loaded on failure");
            assertEquals(0x7000_0000_0000_0004L, cpu.reg(X86Cpu.RDX), name);
            assertEquals(0x8000_0000_0000_0003L, g.read64(DATA), name + ": memory unchanged");
            assertEquals(flags, cpu.rflags() & (RefModel.ALL | 0x2), name + ": ZF cleared");
        }
        clearRegs(0x2);
        cpu.setReg(0, 1);
        run("cpuid");
        assertEquals(1L << 13, cpu.reg(1) & (1L << 13), "CPUID.1:ECX.CX16");
        assertEquals(1L << 8, cpu.reg(2) & (1L << 8), "CPUID.1:EDX.CX8");
        clearRegs(0x2);
        run("exc_setup");
        cpu.setReg(7, DATA + 8);
        expectFault("cmpxchg16b", 13, 0);
        cpu.setReg(7, DATA + 8);
        run("cmpxchg8b");
        assertEquals(0, cpu.rflags() & RefModel.ZF, "CMPXCHG8B needs no 16-byte alignment");
    }

    @Test
    void enterBuildsFramesAndLeaveUndoesThem() {
        long outer = STACK + 0x100;
        clearRegs(0x2);
        cpu.setReg(X86Cpu.RBP, outer);
        run("enter_0");
        assertEquals(outer, g.read64(STACK - 8), "old RBP pushed");
        assertEquals(STACK - 8, cpu.reg(X86Cpu.RBP));
        assertEquals(STACK - 8 - 0x20, cpu.reg(X86Cpu.RSP));

        clearRegs(0x2);
        cpu.setReg(X86Cpu.RBP, outer);
        run("enter_1");
        assertEquals(outer, g.read64(STACK - 8));
        assertEquals(STACK - 8, g.read64(STACK - 16), "level 1: the new frame pointer pushed");
        assertEquals(STACK - 8, cpu.reg(X86Cpu.RBP));
        assertEquals(STACK - 16 - 0x10, cpu.reg(X86Cpu.RSP));

        clearRegs(0x2 | RefModel.CF);
        cpu.setReg(X86Cpu.RBP, outer);
        g.write64(outer - 8, 0xD1);
        g.write64(outer - 16, 0xD2);
        run("enter_3");
        assertEquals(outer, g.read64(STACK - 8));
        assertEquals(0xD1, g.read64(STACK - 16), "level 3: two outer frame pointers copied");
        assertEquals(0xD2, g.read64(STACK - 24));
        assertEquals(STACK - 8, g.read64(STACK - 32));
        assertEquals(STACK - 8, cpu.reg(X86Cpu.RBP));
        assertEquals(STACK - 32 - 8, cpu.reg(X86Cpu.RSP));
        assertEquals(RefModel.CF, cpu.rflags() & RefModel.ALL, "no flags changed");

        clearRegs(0x2);
        cpu.setReg(X86Cpu.RBP, outer);
        run("enter_leave");
        assertEquals(STACK - 8 - 0x40, cpu.reg(8));
        assertEquals(STACK, cpu.reg(X86Cpu.RSP), "LEAVE undoes ENTER");
        assertEquals(outer, cpu.reg(X86Cpu.RBP));

        clearRegs(0x2);
        g.write64(STACK - 64, 0x5555_6666_7777_ABCDL);
        cpu.setReg(X86Cpu.RBP, STACK - 64);
        run("leave_w");
        assertEquals(STACK - 62, cpu.reg(X86Cpu.RSP), "16-bit LEAVE pops two bytes");
        assertEquals((STACK - 64) & ~0xFFFFL | 0xABCD, cpu.reg(X86Cpu.RBP), "BP replaced, upper RBP kept");
    }

    @Test
    void timeStampCounterIsMonotonicWithTscAuxAndTscAdjust() {
        clearRegs(0x2);
        cpu.setTimeStampCounter(() -> 5000);
        run("rdtsc");
        long first = (cpu.reg(2) << 32) | cpu.reg(0);
        assertEquals(5000, first);
        run("rdtsc");
        long second = (cpu.reg(2) << 32) | cpu.reg(0);
        assertTrue(second > first, "a clock standing still still moves the TSC: " + second);
        cpu.setReg(X86Cpu.RCX, X86Cpu.MSR_TSC_AUX);
        cpu.setReg(X86Cpu.RAX, 7);
        cpu.setReg(X86Cpu.RDX, 0);
        run("wrmsr");
        cpu.setReg(X86Cpu.RCX, X86Cpu.MSR_TSC_ADJUST);
        cpu.setReg(X86Cpu.RAX, 1_000_000);
        run("wrmsr");
        run("rdtscp");
        assertEquals(1_005_000, (cpu.reg(2) << 32) | cpu.reg(0), "TSC = source + IA32_TSC_ADJUST");
        assertEquals(7, cpu.reg(X86Cpu.RCX), "RDTSCP returns IA32_TSC_AUX in ECX");
        cpu.setReg(0, 0x80000001);
        run("cpuid");
        assertEquals(1L << 27, cpu.reg(2) & (1L << 27), "CPUID.80000001H:EDX.RDTSCP");
        cpu.setReg(0, 7);
        cpu.setReg(1, 0);
        run("cpuid");
        assertEquals(1L << 1, cpu.reg(3) & (1L << 1), "CPUID.7:EBX.TSC_ADJUST");
        // With the default source (System.nanoTime) as well.
        X86Cpu other = X86Cpu.newBootProcessor(g, 0x2000);
        cpu = other;
        long prev = -1;
        for (int k = 0; k < 50; k++) {
            run("rdtsc");
            long t = (cpu.reg(2) << 32) | cpu.reg(0);
            assertTrue(t > prev, "strictly increasing");
            prev = t;
        }
    }

    long rdmsr(int msr) {
        cpu.setReg(X86Cpu.RCX, msr);
        cpu.setReg(X86Cpu.RAX, -1);
        cpu.setReg(X86Cpu.RDX, -1);
        run("rdmsr");
        assertEquals(0, cpu.reg(X86Cpu.RAX) >>> 32, "RDMSR writes EAX");
        assertEquals(0, cpu.reg(X86Cpu.RDX) >>> 32, "RDMSR writes EDX");
        return (cpu.reg(X86Cpu.RDX) << 32) | cpu.reg(X86Cpu.RAX);
    }

    void wrmsr(int msr, long v) {
        cpu.setReg(X86Cpu.RCX, msr);
        cpu.setReg(X86Cpu.RAX, v & 0xFFFFFFFFL);
        cpu.setReg(X86Cpu.RDX, v >>> 32);
        run("wrmsr");
    }

    /**
     * The MSR bitmap: the MSRs the processor owns behave as on hardware; RDMSR and WRMSR of every
     * other MSR is a VM exit with RIP on the instruction, completed by the kernel's nextRip()
     * (the kernel's answers are tested in dev.zx4j.sim: MsrExitsTest, LocalApicTest).
     */
    @Test
    void msrsOutsideTheBitmapExitToTheKernel() {
        clearRegs(0x2);
        run("exc_setup");
        for (int msr : new int[] {0xC0000081, 0xC0000082, 0xC0000084, X86Cpu.MSR_KERNEL_GS_BASE,
                X86Cpu.MSR_SYSENTER_ESP, X86Cpu.MSR_SYSENTER_EIP, 0x277}) {
            long v = 0x0123_4567_89AB_C000L + msr;
            wrmsr(msr, v);
            assertEquals(v, rdmsr(msr), "MSR 0x" + Integer.toHexString(msr));
        }
        for (long[] w : new long[][] {{X86Cpu.MSR_TSC_AUX, 1L << 32}, {X86Cpu.MSR_EFER, 1L << 12}}) {
            cpu.setReg(X86Cpu.RCX, w[0]);
            cpu.setReg(X86Cpu.RAX, w[1] & 0xFFFFFFFFL);
            cpu.setReg(X86Cpu.RDX, w[1] >>> 32);
            expectFault("wrmsr", 13, 0);
        }
        for (int msr : new int[] {0x10, 0x1B, 0x1A0, 0x6E0, 0x802, 0x830, 0x4B564D01, 0xC0000083,
                0xFE, 0x1234}) {
            cpu.setReg(X86Cpu.RCX, msr);
            cpu.setRip(sym.get("rdmsr"));
            long retired = cpu.instructionsRetired();
            assertEquals(new VcpuExit.Rdmsr(msr), cpu.run(1000));
            assertEquals(sym.get("rdmsr"), cpu.rip(), "RIP on the RDMSR");
            assertEquals(retired, cpu.instructionsRetired(), "not retired until the kernel says");
        }
        cpu.setReg(X86Cpu.RCX, 0x830);
        cpu.setReg(X86Cpu.RAX, 0xFFFF_FFFF_0000_4031L);
        cpu.setReg(X86Cpu.RDX, 0x7777_7777_0000_0002L);
        cpu.setRip(sym.get("wrmsr"));
        assertEquals(new VcpuExit.Wrmsr(0x830, 0x2_0000_4031L), cpu.run(1000), "EDX:EAX");
        assertEquals(sym.get("wrmsr"), cpu.rip());
        cpu.nextRip();
        assertEquals(sym.get("wrmsr") + 2, cpu.rip(), "completed by the kernel");
        assertThrows(IllegalStateException.class, cpu::nextRip, "only once");
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(1000));
    }

    @Test
    void cpuidExitsWhenTheKernelAnswersIt() {
        clearRegs(0x2);
        cpu.setReg(0, 1);
        run("cpuid");
        long[] bare = {cpu.reg(0), cpu.reg(3), cpu.reg(1), cpu.reg(2)};
        int[] host = new int[4];
        cpu.hostCpuid(1, 0, host);
        for (int k = 0; k < 4; k++) {
            assertEquals(bare[k], host[k] & 0xFFFFFFFFL, "hostCpuid is the processor's own leaf");
        }
        cpu.setCpuidExits(true);
        cpu.setReg(0, 1);
        cpu.setRip(sym.get("cpuid"));
        assertEquals(new VcpuExit.Cpuid(), cpu.run(1000));
        assertEquals(sym.get("cpuid"), cpu.rip());
        assertEquals(1, cpu.reg(0), "registers untouched: the kernel answers");
        cpu.nextRip();
        assertInstanceOf(VcpuExit.HaltExit.class, cpu.run(1000));
    }

    @Test
    void cpuidAsTheKernelPresentsIt() {
        clearRegs(0x2);
        cpu.setReg(0, 0);
        run("cpuid");
        assertEquals(0xD, cpu.reg(0), "leaf 0xD (XSAVE state) is the highest basic leaf");
        assertEquals(0x756E6547L, cpu.reg(3));
        cpu.setReg(0, 1);
        run("cpuid");
        long ecx = cpu.reg(1);
        long edx = cpu.reg(2);
        assertEquals(0, cpu.reg(3) >>> 24, "initial APIC ID = VPID - 1 = 0");
        assertEquals((1L << 31) | (1L << 21), ecx & ((1L << 31) | (1L << 21)), "hypervisor, x2APIC");
        assertEquals(0, ecx & ((1L << 5) | (1L << 3)), "no VMX, no MONITOR");
        assertEquals(1, edx & 1, "x87 FPU");
        assertEquals(1L << 11, edx & (1L << 11), "SEP: SYSENTER/SYSEXIT (the kernel forces it too)");
        cpu.setReg(0, 0xB);
        cpu.setReg(1, 0);
        run("cpuid");
        assertEquals(0, cpu.reg(0) | cpu.reg(3) | cpu.reg(1), "leaf 0xB: EAX = EBX = ECX = 0");
        assertEquals(0, cpu.reg(2), "leaf 0xB: EDX = x2APIC ID");
        cpu.setReg(0, 0x40000000);
        run("cpuid");
        assertEquals(0x40000001L, cpu.reg(0));
        byte[] vendor = new byte[12];
        for (int k = 0; k < 4; k++) {
            vendor[k] = (byte) (cpu.reg(3) >>> (8 * k));
            vendor[4 + k] = (byte) (cpu.reg(1) >>> (8 * k));
            vendor[8 + k] = (byte) (cpu.reg(2) >>> (8 * k));
        }
        assertEquals("KVMKVMKVM\0\0\0", new String(vendor, java.nio.charset.StandardCharsets.US_ASCII));
        cpu.setReg(0, 0x80000001);
        run("cpuid");
        assertEquals(1L << 11, cpu.reg(2) & (1L << 11), "SYSCALL/SYSRET");
        assertEquals((1L << 29) | (1L << 20), cpu.reg(2) & ((1L << 29) | (1L << 20)), "LM, NX");
        assertEquals(1L << 5, cpu.reg(1) & (1L << 5), "LZCNT");
        for (long leaf : new long[] {0xC, 0x12345, 0x40000002L, 0x80000002L, 0xFFFFFFFFL}) {
            cpu.setReg(0, leaf);
            cpu.setReg(1, 5);
            cpu.setReg(2, -1);
            run("cpuid");
            assertEquals(0, cpu.reg(0), "leaf 0x" + Long.toHexString(leaf) + " answers as leaf 0xD subleaf 5");
            assertEquals(0, cpu.reg(2));
        }
    }

    @Test
    void anApplicationProcessorSeesItsOwnApicIdAndNoBspFlag() {
        GuestHarness ram = new GuestHarness();
        ram.write(0x8000, new byte[] {0x0F, (byte) 0xA2, (byte) 0xF4,   // cpuid; hlt
                                      0x0F, 0x32, (byte) 0xF4});        // rdmsr; hlt
        X86Cpu ap = X86Cpu.newApplicationProcessor(ram, 0x8000, 3);    // VPID 4
        ap.setReg(X86Cpu.RAX, 1);
        assertInstanceOf(VcpuExit.HaltExit.class, ap.run(10));
        assertEquals(3, ap.reg(X86Cpu.RBX) >>> 24, "CPUID.1:EBX[31:24] = VPID - 1");
        ap.setRip(0);
        ap.setReg(X86Cpu.RAX, 0xB);
        ap.setReg(X86Cpu.RCX, 0);
        assertInstanceOf(VcpuExit.HaltExit.class, ap.run(10));
        assertEquals(3, ap.reg(X86Cpu.RDX), "CPUID.0BH:EDX = x2APIC ID");
    }

    @Test
    void controlRegisterReadShadowsAsTheKernelSetsThem() {
        clearRegs(0x2);
        run("cr_rw");
        assertEquals(X86Cpu.CR0_PE | X86Cpu.CR0_ET | X86Cpu.CR0_WP | X86Cpu.CR0_PG, cpu.reg(0),
                "the boot VCPU reads PE|ET|WP|PG: NE is in the guest/host mask, shadow ET");
        assertEquals(X86Cpu.CR0_NE, cpu.cr0() & X86Cpu.CR0_NE, "NE is set in the CR0 in force");
        assertEquals(0, cpu.reg(3) & X86Cpu.CR4_VMXE, "VMXE hidden");
        cpu.setReg(0, cpu.reg(0) | X86Cpu.CR0_CD | X86Cpu.CR0_NW);
        run("cr0_write_read");
        assertEquals(cpu.reg(0), cpu.reg(3), "MOV from CR0 reads back what the guest wrote");
        assertEquals(0, cpu.cr0() & (X86Cpu.CR0_CD | X86Cpu.CR0_NW), "CD and NW never reach CR0");
        cpu.setReg(0, X86Cpu.CR0_PE | X86Cpu.CR0_PG | X86Cpu.CR0_WP);
        run("cr0_write_read");
        assertEquals(X86Cpu.CR0_PE | X86Cpu.CR0_PG | X86Cpu.CR0_WP, cpu.reg(3), "ET and NE read as written");
        assertEquals(X86Cpu.CR0_NE | X86Cpu.CR0_ET, cpu.cr0() & (X86Cpu.CR0_NE | X86Cpu.CR0_ET));
        run("exc_setup");
        cpu.setReg(0, X86Cpu.CR0_PE | X86Cpu.CR0_PG | X86Cpu.CR0_NW);
        expectFault("cr0_write_read", 13, 0); // NW without CD
        cpu.setReg(0, cpu.cr4() | X86Cpu.CR4_VMXE);
        runToError("cr4_write_read", ZX_ERR_NOT_SUPPORTED);
    }
}
