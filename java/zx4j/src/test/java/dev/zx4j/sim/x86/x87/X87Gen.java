package dev.zx4j.sim.x86.x87;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random x87 cases: every opcode form (D8–DF, register and memory operands, the undocumented
 * aliases, a few undefined encodings for #UD), edge-heavy operands (±0, denormals and
 * pseudo-denormals, unnormals, pseudo-NaNs and pseudo-infinities, ±∞, quiet and signalling NaNs
 * with payloads, the extremes, values on and next to rounding boundaries of every precision,
 * integers at and beyond the conversion limits), random control words (precision × rounding ×
 * masks), random status and tag words, and short sequences with FWAIT for pending exceptions.
 */
final class X87Gen {
    /** One instruction form: opcode, ModR/M (for memory forms reg field only), memory operand kind. */
    record Form(int op, int modrm, boolean mem, Kind kind, String name, boolean approx) {
    }

    enum Kind { NONE, R32, R64, R80, I16, I32, I64, BCD, ENV32, ENV16, SAVE32, SAVE16, W16 }

    private static final String[] ARITH = {"fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr"};

    static final List<Form> FORMS = forms();

    private static List<Form> forms() {
        List<Form> l = new ArrayList<>();
        Kind[] arithKinds = {Kind.R32, Kind.I32, Kind.R64, Kind.I16};
        int[] arithOps = {0xD8, 0xDA, 0xDC, 0xDE};
        for (int k = 0; k < 4; k++) {
            for (int r = 0; r < 8; r++) {
                l.add(new Form(arithOps[k], r << 3, true, arithKinds[k], (k % 2 == 1 ? "fi" + ARITH[r].substring(1) : ARITH[r])
                        + " " + arithKinds[k], false));
            }
        }
        addMem(l, 0xD9, 0, Kind.R32, "fld");
        addMem(l, 0xD9, 2, Kind.R32, "fst");
        addMem(l, 0xD9, 3, Kind.R32, "fstp");
        addMem(l, 0xD9, 4, Kind.ENV32, "fldenv");
        addMem(l, 0xD9, 4, Kind.ENV16, "fldenv16");
        addMem(l, 0xD9, 5, Kind.W16, "fldcw");
        addMem(l, 0xD9, 6, Kind.ENV32, "fnstenv");
        addMem(l, 0xD9, 6, Kind.ENV16, "fnstenv16");
        addMem(l, 0xD9, 7, Kind.W16, "fnstcw");
        addMem(l, 0xDB, 0, Kind.I32, "fild");
        addMem(l, 0xDB, 1, Kind.I32, "fisttp");
        addMem(l, 0xDB, 2, Kind.I32, "fist");
        addMem(l, 0xDB, 3, Kind.I32, "fistp");
        addMem(l, 0xDB, 5, Kind.R80, "fld");
        addMem(l, 0xDB, 7, Kind.R80, "fstp");
        addMem(l, 0xDD, 0, Kind.R64, "fld");
        addMem(l, 0xDD, 1, Kind.I64, "fisttp");
        addMem(l, 0xDD, 2, Kind.R64, "fst");
        addMem(l, 0xDD, 3, Kind.R64, "fstp");
        addMem(l, 0xDD, 4, Kind.SAVE32, "frstor");
        addMem(l, 0xDD, 4, Kind.SAVE16, "frstor16");
        addMem(l, 0xDD, 6, Kind.SAVE32, "fnsave");
        addMem(l, 0xDD, 6, Kind.SAVE16, "fnsave16");
        addMem(l, 0xDD, 7, Kind.W16, "fnstsw");
        addMem(l, 0xDF, 0, Kind.I16, "fild");
        addMem(l, 0xDF, 1, Kind.I16, "fisttp");
        addMem(l, 0xDF, 2, Kind.I16, "fist");
        addMem(l, 0xDF, 3, Kind.I16, "fistp");
        addMem(l, 0xDF, 4, Kind.BCD, "fbld");
        addMem(l, 0xDF, 5, Kind.I64, "fild");
        addMem(l, 0xDF, 6, Kind.BCD, "fbstp");
        addMem(l, 0xDF, 7, Kind.I64, "fistp");
        for (int op = 0xD8; op <= 0xDF; op++) {
            for (int modrm = 0xC0; modrm <= 0xFF; modrm++) {
                boolean approx = op == 0xD9 && (modrm == 0xF0 || modrm == 0xF1 || modrm == 0xF2 || modrm == 0xF3
                        || modrm == 0xF9 || modrm == 0xFB || modrm == 0xFE || modrm == 0xFF);
                l.add(new Form(op, modrm, false, Kind.NONE, String.format("%02x %02x", op, modrm), approx));
            }
        }
        return l;
    }

    private static void addMem(List<Form> l, int op, int reg, Kind k, String name) {
        l.add(new Form(op, reg << 3, true, k, name + " " + k, false));
    }

    private final SplittableRandom rnd;
    private final List<Form> forms;

    X87Gen(long seed) {
        this(seed, null);
    }

    /** Cases of the forms whose name starts with {@code only} (all forms when null). */
    X87Gen(long seed, String only) {
        this.rnd = new SplittableRandom(seed);
        this.forms = only == null ? FORMS : FORMS.stream().filter(f -> f.name.startsWith(only)).toList();
        if (forms.isEmpty()) {
            throw new IllegalArgumentException("no x87 form named " + only);
        }
    }

    // ---- values ---------------------------------------------------------------------------------

    /** An 80-bit value as {se, mantissa}. */
    long[] ext() {
        int sign = rnd.nextInt(2) << 15;
        long m = rnd.nextLong() | 0x8000_0000_0000_0000L;
        int e;
        switch (rnd.nextInt(22)) {
            case 0:
                return new long[] {sign, 0};
            case 1: // denormal
                return new long[] {sign, (rnd.nextLong() >>> (1 + rnd.nextInt(63)))};
            case 2: // pseudo-denormal
                return new long[] {sign, m};
            case 3: // unnormal
                return new long[] {sign | (1 + rnd.nextInt(0x7FFE)), m >>> (1 + rnd.nextInt(8))};
            case 4:
                return new long[] {sign | 0x7FFF, 0x8000_0000_0000_0000L};
            case 5: // qNaN with payload
                return new long[] {sign | 0x7FFF, 0xC000_0000_0000_0000L | (rnd.nextBoolean() ? 0 : rnd.nextLong() >>> 2)};
            case 6: // sNaN with payload
                return new long[] {sign | 0x7FFF, 0x8000_0000_0000_0000L | ((rnd.nextLong() >>> 2) | 1)};
            case 7: // pseudo-NaN / pseudo-infinity
                return new long[] {sign | 0x7FFF, rnd.nextBoolean() ? 0 : rnd.nextLong() >>> 1};
            case 8: // extremes
                e = rnd.nextBoolean() ? 1 + rnd.nextInt(3) : 0x7FFE - rnd.nextInt(3);
                return new long[] {sign | e, rnd.nextBoolean() ? -1L : 0x8000_0000_0000_0000L};
            case 9: // near the single/double/extended range limits (overflow and underflow of stores)
                e = 0x3FFF + (rnd.nextBoolean() ? 1 : -1) * (rnd.nextBoolean() ? 127 : 1023) + rnd.nextInt(60) - 30;
                return new long[] {sign | e, boundary(m)};
            case 10: // small integers and halves
                return small(sign);
            case 11:
            case 12: // rounding boundaries
                return new long[] {sign | (0x3FFF + rnd.nextInt(130) - 65), boundary(m)};
            case 13: // near integer limits
                e = 0x3FFF + (rnd.nextBoolean() ? 15 : rnd.nextBoolean() ? 31 : 63) + rnd.nextInt(3) - 1;
                return new long[] {sign | e, rnd.nextBoolean() ? m : boundary(m)};
            case 14: // tiny (underflow of arithmetic)
                return new long[] {sign | (1 + rnd.nextInt(80)), m};
            default:
                return new long[] {sign | (0x3FFF + rnd.nextInt(200) - 100), m};
        }
    }

    private long[] small(int sign) {
        long v = rnd.nextInt(20) + 1;
        int n = Long.numberOfLeadingZeros(v);
        int e = 0x3FFF + 63 - n - (rnd.nextInt(4) == 0 ? 1 : 0);
        return new long[] {sign | e, v << n};
    }

    /** A significand on or next to a rounding boundary of 24, 53 or 64 bits. */
    private long boundary(long m) {
        int bits = switch (rnd.nextInt(3)) {
            case 0 -> 24;
            case 1 -> 53;
            default -> 64;
        };
        if (bits == 64) {
            return rnd.nextBoolean() ? m | 0x7FFFL : (m & ~0xFFFFL) | rnd.nextInt(3);
        }
        long low = (1L << (64 - bits)) - 1;
        long half = 1L << (63 - bits);
        long hi = m & ~low;
        switch (rnd.nextInt(5)) {
            case 0:
                return hi | half;
            case 1:
                return hi | half | 1;
            case 2:
                return hi | (half - 1);
            case 3:
                return hi | low;
            default:
                return hi;
        }
    }

    /** A related second operand: same or close exponent, for cancellation and ties. */
    long[] near(long[] a) {
        int se = (int) a[0];
        long m = a[1];
        switch (rnd.nextInt(4)) {
            case 0:
                return new long[] {se ^ 0x8000, m};
            case 1:
                return new long[] {se ^ (rnd.nextBoolean() ? 0x8000 : 0), m ^ (1L << rnd.nextInt(12))};
            case 2:
                return new long[] {(se & 0x8000) | ((se & 0x7FFF) - rnd.nextInt(70) & 0x7FFF), rnd.nextLong() | Long.MIN_VALUE};
            default:
                return new long[] {se, m + rnd.nextInt(5) - 2};
        }
    }

    long single() {
        switch (rnd.nextInt(10)) {
            case 0:
                return rnd.nextBoolean() ? 0 : 0x8000_0000L;
            case 1:
                return (rnd.nextLong() & 0x807F_FFFFL);
            case 2:
                return 0x7F80_0000L | (rnd.nextBoolean() ? 0x8000_0000L : 0) | (rnd.nextBoolean() ? 0 : rnd.nextInt(0x80_0000));
            case 3:
                return 0x7FC0_0000L | (rnd.nextBoolean() ? 0x8000_0000L : 0) | rnd.nextInt(0x40_0000);
            default:
                return rnd.nextLong() & 0xFFFF_FFFFL;
        }
    }

    long dbl() {
        switch (rnd.nextInt(10)) {
            case 0:
                return rnd.nextBoolean() ? 0 : Long.MIN_VALUE;
            case 1:
                return rnd.nextLong() & 0x800F_FFFF_FFFF_FFFFL;
            case 2:
                return 0x7FF0_0000_0000_0000L | (rnd.nextBoolean() ? Long.MIN_VALUE : 0)
                        | (rnd.nextBoolean() ? 0 : rnd.nextLong() & 0xF_FFFF_FFFF_FFFFL);
            case 3:
                return Double.doubleToRawLongBits((rnd.nextInt(2000) - 1000) / 8.0);
            default:
                long v = rnd.nextLong();
                return (v & 0x800F_FFFF_FFFF_FFFFL) | ((long) (1023 + rnd.nextInt(200) - 100) << 52);
        }
    }

    long integer(int bits) {
        long v;
        switch (rnd.nextInt(6)) {
            case 0:
                v = rnd.nextInt(5) - 2;
                break;
            case 1:
                v = 1L << (bits - 1);
                break;
            case 2:
                v = (1L << (bits - 1)) - 1;
                break;
            default:
                v = rnd.nextLong();
        }
        return bits == 64 ? v : v & ((1L << bits) - 1);
    }

    // ---- state ----------------------------------------------------------------------------------

    int controlWord() {
        int masks = rnd.nextInt(10) < 6 ? 0x3F : rnd.nextInt(64);
        int pc = new int[] {0, 2, 3, 3, 1}[rnd.nextInt(rnd.nextInt(20) == 0 ? 5 : 4)];
        int rcw = rnd.nextInt(4);
        return 0x40 | masks | (pc << 8) | (rcw << 10);
    }

    /** A random FNSAVE image (32-bit format; 16-bit when {@code o16}). */
    byte[] stateImage(boolean o16, boolean allowPending) {
        int fcw = controlWord();
        int flags = 0;
        for (int b = 0; b < 7; b++) {
            if (rnd.nextInt(5) == 0) {
                flags |= 1 << b;
            }
        }
        if (!allowPending || rnd.nextInt(10) != 0) {
            flags &= fcw | 0x40;
        }
        int fsw = flags | (rnd.nextInt(16) == 0 ? 0 : (rnd.nextInt(8) << 11)) | (rnd.nextInt(16) << 8 & 0x700)
                | (rnd.nextBoolean() ? 0x4000 : 0);
        int tw = 0;
        int emptyOdds = rnd.nextInt(4) == 0 ? 2 : 12;
        for (int r = 0; r < 8; r++) {
            int t = rnd.nextInt(emptyOdds) == 0 ? 3 : rnd.nextInt(3);
            tw |= t << (2 * r);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int size = o16 ? 94 : 108;
        byte[] img = new byte[size];
        long fip = rnd.nextLong() & 0xFFFF_FFFFL, fdp = rnd.nextLong() & 0xFFFF_FFFFL;
        int fop = rnd.nextInt(0x800);
        if (o16) {
            put(img, 0, 2, fcw);
            put(img, 2, 2, fsw);
            put(img, 4, 2, tw);
            put(img, 6, 2, fip);
            put(img, 8, 2, rnd.nextInt(0x10000));
            put(img, 10, 2, fdp);
            put(img, 12, 2, rnd.nextInt(0x10000));
        } else {
            put(img, 0, 4, 0xFFFF_0000L | fcw);
            put(img, 4, 4, 0xFFFF_0000L | fsw);
            put(img, 8, 4, 0xFFFF_0000L | tw);
            put(img, 12, 4, fip);
            put(img, 16, 4, ((long) fop << 16) | 0x33);
            put(img, 20, 4, fdp);
            put(img, 24, 4, 0xFFFF_0000L);
        }
        int base = o16 ? 14 : 28;
        long[] prev = null;
        for (int i = 0; i < 8; i++) {
            long[] v = prev != null && rnd.nextInt(3) == 0 ? near(prev) : ext();
            prev = v;
            put(img, base + 10 * i, 8, v[1]);
            put(img, base + 10 * i + 8, 2, v[0]);
        }
        out.writeBytes(img);
        return out.toByteArray();
    }

    static void put(byte[] b, int at, int size, long v) {
        for (int k = 0; k < size; k++) {
            b[at + k] = (byte) (v >>> (8 * k));
        }
    }

    // ---- cases ----------------------------------------------------------------------------------

    X87Case next() {
        boolean seq = forms == FORMS && rnd.nextInt(6) == 0;
        byte[] state = stateImage(false, true);
        byte[] mem = new byte[X87Case.MEM_SIZE];
        for (int k = 0; k < mem.length; k++) {
            mem[k] = (byte) rnd.nextInt(256);
        }
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        StringBuilder text = new StringBuilder();
        boolean approx = false;
        int n = seq ? 2 + rnd.nextInt(3) : 1;
        for (int i = 0; i < n; i++) {
            if (seq && rnd.nextInt(4) == 0) {
                code.write(0x9B);
                text.append(text.length() > 0 ? "; " : "").append("fwait");
                continue;
            }
            Form f = forms.get(rnd.nextInt(forms.size()));
            while (i > 0 && !f.mem && f.op == 0xD9 && (f.modrm == 0xF0 || f.modrm == 0xF9)) {
                // F2XM1/FYL2XP1 are defined on a bounded domain: only first, where ST0 is set up
                f = FORMS.get(rnd.nextInt(FORMS.size()));
            }
            approx |= f.approx;
            boolean image = f.kind == Kind.ENV32 || f.kind == Kind.ENV16 || f.kind == Kind.SAVE32 || f.kind == Kind.SAVE16;
            int disp = seq && !image ? 16 * i : 0;
            emit(f, code, mem, disp);
            text.append(text.length() > 0 ? "; " : "").append(f.name).append(f.mem ? " [rdi+" + disp + "]" : "");
            restrictDomain(f, state);
        }
        long rflags = 2 | (rnd.nextLong() & 0x8D5L);
        return new X87Case(code.toByteArray(), rnd.nextLong(), rflags, state, mem, text.toString(), approx);
    }

    private void emit(Form f, ByteArrayOutputStream code, byte[] mem, int disp) {
        boolean o16 = f.kind == Kind.ENV16 || f.kind == Kind.SAVE16;
        if (o16) {
            code.write(0x66);
        }
        code.write(f.op);
        if (!f.mem) {
            code.write(f.modrm);
            return;
        }
        if (disp == 0) {
            code.write(f.modrm | 0x07);
        } else {
            code.write(f.modrm | 0x47);
            code.write(disp);
        }
        switch (f.kind) {
            case R32 -> put(mem, disp, 4, single());
            case R64 -> put(mem, disp, 8, dbl());
            case R80 -> {
                long[] v = ext();
                put(mem, disp, 8, v[1]);
                put(mem, disp + 8, 2, v[0]);
            }
            case I16 -> put(mem, disp, 2, integer(16));
            case I32 -> put(mem, disp, 4, integer(32));
            case I64 -> put(mem, disp, 8, integer(64));
            case BCD -> {
                long lo = 0;
                for (int d = 0; d < 16; d++) {
                    lo |= (long) rnd.nextInt(10) << (4 * d);
                }
                put(mem, disp, 8, rnd.nextInt(4) == 0 ? 0 : lo);
                put(mem, disp + 8, 1, rnd.nextInt(10) << 4 | rnd.nextInt(10));
                put(mem, disp + 9, 1, rnd.nextBoolean() ? 0x80 : 0);
            }
            case W16 -> put(mem, disp, 2, rnd.nextBoolean() ? controlWord() : rnd.nextInt(0x10000));
            case ENV32, SAVE32, ENV16, SAVE16 -> {
                byte[] img = stateImage(o16, true);
                int len = Math.min(img.length, mem.length - disp);
                System.arraycopy(img, 0, mem, disp, len);
            }
            default -> {
            }
        }
    }

    /** Keeps ST0/ST1 inside the domains where the SDM defines F2XM1 and FYL2XP1. */
    private void restrictDomain(Form f, byte[] state) {
        if (f.mem || f.op != 0xD9) {
            return;
        }
        int top = (state[5] >> 3) & 7;
        if (f.modrm == 0xF0 || f.modrm == 0xF9) {
            // ST0 is the image's first register (FNSAVE stores ST order)
            long m = rnd.nextLong() | Long.MIN_VALUE;
            int e = f.modrm == 0xF0 ? 0x3FFE - rnd.nextInt(70) : 0x3FFC - rnd.nextInt(70);
            if (rnd.nextInt(8) == 0) {
                e = 0;
                m >>>= 1;
            }
            put(state, 28, 8, m);
            put(state, 36, 2, (rnd.nextBoolean() ? 0x8000 : 0) | e);
        }
        if (top < 0) {
            throw new AssertionError();
        }
    }
}
