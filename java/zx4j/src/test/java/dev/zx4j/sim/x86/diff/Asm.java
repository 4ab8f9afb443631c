package dev.zx4j.sim.x86.diff;

import java.io.ByteArrayOutputStream;

/**
 * A small x86-64 encoder for the random sequences of the differential tests: operands, the
 * REX/ModRM/SIB/displacement rules, and Intel-syntax text for failure messages. It encodes only
 * what {@link SequenceGenerator} asks for and refuses impossible combinations (AH–BH together
 * with a REX prefix) by returning {@code null}.
 */
final class Asm {
    private Asm() {}

    static final String[] R64 = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    static final String[] R32 = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
        "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
    static final String[] R16 = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
        "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"};
    static final String[] R8 = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
        "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"};
    static final String[] R8_HIGH = {"ah", "ch", "dh", "bh"};

    static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7,
            R15 = 15;

    /** An operand: a register or a memory reference. */
    sealed interface Opnd permits Reg, Mem {
        int size();
    }

    /**
     * A general register of {@code size} bytes; {@code high} selects AH, CH, DH, BH
     * ({@code num} 0–3, only encodable without REX).
     */
    record Reg(int num, int size, boolean high) implements Opnd {
        Reg(int num, int size) {
            this(num, size, false);
        }

        /** Whether encoding this register requires a REX prefix (R8–R15, SPL–DIL). */
        boolean needsRex() {
            return !high && (num >= 8 || (size == 1 && num >= 4));
        }

        /** The 3-bit field value (with the high bit in REX). */
        int field() {
            return high ? num + 4 : num;
        }

        @Override
        public String toString() {
            switch (size) {
                case 1: return high ? R8_HIGH[num] : R8[num];
                case 2: return R16[num];
                case 4: return R32[num];
                default: return R64[num];
            }
        }
    }

    /** Base value for RIP-relative operands. */
    static final int RIP = -2;
    /** Base value for absolute disp32 operands (SIB with no base). */
    static final int NONE = -1;

    /**
     * A memory operand of {@code size} bytes: {@code [base + index*scale + disp]}. For
     * {@link #RIP} bases {@code disp} is the absolute target address (the encoder computes the
     * displacement from the end of the instruction); {@code addr32} adds the 0x67 prefix.
     */
    record Mem(int size, int base, int index, int scale, long disp, boolean addr32) implements Opnd {
        Mem(int size, int base, long disp) {
            this(size, base, -1, 1, disp, false);
        }

        Mem withSize(int s) {
            return new Mem(s, base, index, scale, disp, addr32);
        }

        String address() {
            StringBuilder sb = new StringBuilder("[");
            String[] names = addr32 ? R32 : R64;
            if (base == RIP) {
                return "[rip -> 0x" + Long.toHexString(disp) + "]";
            }
            boolean any = false;
            if (base >= 0) {
                sb.append(names[base]);
                any = true;
            }
            if (index >= 0) {
                sb.append(any ? "+" : "").append(names[index]).append('*').append(scale);
                any = true;
            }
            if (disp != 0 || !any) {
                sb.append(disp < 0 ? "-" : any ? "+" : "").append("0x")
                        .append(Long.toHexString(Math.abs(disp)));
            }
            return sb.append(']').toString();
        }

        @Override
        public String toString() {
            String p = size == 1 ? "byte" : size == 2 ? "word" : size == 4 ? "dword" : "qword";
            return p + " " + address();
        }
    }

    /** Thrown for an operand combination that x86 cannot encode. */
    static final class Unencodable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unencodable(String why) {
            super(why, null, false, false);
        }
    }

    /** Options of one ModRM-form instruction. */
    static final class Form {
        boolean lock;
        int mandatory;        // 0, or 0xF3 / 0xF2 before REX
        boolean opsize16;     // 0x66
        boolean rexW;
        int[] opcode;
        int regField = -1;    // /digit, or -1 when reg is a register operand
        Reg reg;
        Opnd rm;
        long imm;
        int immBytes;
    }

    /** Standard prefix/REX.W choice for an operand size on a non-byte opcode. */
    static Form form(int size, int... opcode) {
        Form f = new Form();
        f.opsize16 = size == 2;
        f.rexW = size == 8;
        f.opcode = opcode;
        return f;
    }

    /**
     * Encodes a ModRM instruction starting at guest address {@code addr}.
     *
     * @throws Unencodable if the operands need REX and also name AH–BH
     */
    static byte[] encode(long addr, Form f) {
        int rex = f.rexW ? 8 : 0;
        boolean needRex = false;
        boolean highByte = false;
        int regBits;
        if (f.reg != null) {
            regBits = f.reg.field() & 7;
            if (!f.reg.high && f.reg.num >= 8) {
                rex |= 4;
            }
            needRex |= f.reg.needsRex();
            highByte |= f.reg.high;
        } else {
            regBits = f.regField;
        }
        Mem mem = null;
        int modrm;
        int sib = -1;
        int dispBytes = 0;
        long disp = 0;
        if (f.rm instanceof Reg r) {
            if (!r.high && r.num >= 8) {
                rex |= 1;
            }
            needRex |= r.needsRex();
            highByte |= r.high;
            modrm = 0xC0 | (regBits << 3) | (r.field() & 7);
        } else {
            mem = (Mem) f.rm;
            if (mem.base >= 8) {
                rex |= 1;
            }
            if (mem.index >= 8) {
                rex |= 2;
            }
            if (mem.index == RSP) {
                throw new Unencodable("rsp as index");
            }
            int ss = Integer.numberOfTrailingZeros(mem.scale);
            if (mem.base == RIP) {
                modrm = (regBits << 3) | 5;
                dispBytes = 4;
            } else if (mem.base == NONE) {
                modrm = (regBits << 3) | 4;
                sib = (ss << 6) | ((mem.index >= 0 ? mem.index & 7 : 4) << 3) | 5;
                dispBytes = 4;
                disp = mem.disp;
            } else {
                disp = mem.disp;
                int mod;
                if (disp == 0 && (mem.base & 7) != 5) {
                    mod = 0;
                } else if (disp >= -128 && disp <= 127) {
                    mod = 1;
                    dispBytes = 1;
                } else {
                    mod = 2;
                    dispBytes = 4;
                }
                if (mem.index >= 0 || (mem.base & 7) == 4) {
                    modrm = (mod << 6) | (regBits << 3) | 4;
                    sib = (ss << 6) | ((mem.index >= 0 ? mem.index & 7 : 4) << 3) | (mem.base & 7);
                } else {
                    modrm = (mod << 6) | (regBits << 3) | (mem.base & 7);
                }
            }
        }
        if (highByte && (rex != 0 || needRex)) {
            throw new Unencodable("AH-BH with REX");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16);
        if (f.lock) {
            out.write(0xF0);
        }
        if (f.opsize16) {
            out.write(0x66);
        }
        if (mem != null && mem.addr32) {
            out.write(0x67);
        }
        if (f.mandatory != 0) {
            out.write(f.mandatory);
        }
        if (rex != 0 || needRex) {
            out.write(0x40 | rex);
        }
        for (int b : f.opcode) {
            out.write(b);
        }
        out.write(modrm);
        if (sib >= 0) {
            out.write(sib);
        }
        int dispAt = out.size();
        for (int k = 0; k < dispBytes; k++) {
            out.write((int) (disp >>> (8 * k)));
        }
        for (int k = 0; k < f.immBytes; k++) {
            out.write((int) (f.imm >>> (8 * k)));
        }
        byte[] b = out.toByteArray();
        if (mem != null && mem.base == RIP) {
            long rel = mem.disp - (addr + b.length);
            if (rel != (int) rel) {
                throw new Unencodable("rip-relative target out of range");
            }
            for (int k = 0; k < 4; k++) {
                b[dispAt + k] = (byte) (rel >>> (8 * k));
            }
        }
        return b;
    }

    /**
     * An instruction whose register is in the low 3 opcode bits (50+r, 58+r, 90+r, B0+r, B8+r,
     * 0F C8+r), with optional 0x66 / REX.W and immediate.
     */
    static byte[] opReg(Reg r, boolean opsize16, boolean rexW, int[] opcode, long imm, int immBytes) {
        int rex = rexW ? 8 : 0;
        if (!r.high && r.num >= 8) {
            rex |= 1;
        }
        boolean need = r.needsRex();
        if (r.high && rex != 0) {
            throw new Unencodable("AH-BH with REX");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(12);
        if (opsize16) {
            out.write(0x66);
        }
        if (rex != 0 || need) {
            out.write(0x40 | rex);
        }
        for (int k = 0; k < opcode.length - 1; k++) {
            out.write(opcode[k]);
        }
        out.write(opcode[opcode.length - 1] + (r.field() & 7));
        for (int k = 0; k < immBytes; k++) {
            out.write((int) (imm >>> (8 * k)));
        }
        return out.toByteArray();
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        }
        return sb.toString();
    }

    static byte[] unhex(String s) {
        if (s.length() % 2 != 0) {
            throw new IllegalArgumentException("odd hex length: " + s);
        }
        byte[] b = new byte[s.length() / 2];
        for (int k = 0; k < b.length; k++) {
            b[k] = (byte) Integer.parseInt(s.substring(2 * k, 2 * k + 2), 16);
        }
        return b;
    }

    static String imm(long v) {
        return v < 0 ? "-0x" + Long.toHexString(-v) : "0x" + Long.toHexString(v);
    }
}
