package dev.zx4j.sim.x86;

import java.util.Arrays;

/**
 * x86 instruction decoder: turns up to 15 bytes into one {@link Insn}. Pure function of the bytes
 * and the code size (16, 32 or 64); it never touches CPU state or memory.
 *
 * <p>If the instruction needs more bytes than were supplied (and fewer than 15 were supplied,
 * i.e. the instruction may continue on the next page), {@link #NEED_MORE} is thrown so the caller
 * can fetch further bytes and retry.
 */
final class Decoder {
    /** Thrown when the supplied bytes end before the instruction does. */
    static final class NeedMore extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NeedMore() {
            super(null, null, false, false);
        }
    }

    static final NeedMore NEED_MORE = new NeedMore();

    private static final class TooLong extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLong() {
            super(null, null, false, false);
        }
    }

    private static final TooLong TOO_LONG = new TooLong();

    private final byte[] b;
    private final int avail;
    private final int mode;
    private int pos;
    private int rex;
    private boolean opsz;
    private boolean adsz;
    /** Raw ModRM.reg field (0-7) of the last ModRM byte, for group opcodes. */
    private int regField;

    private Decoder(byte[] b, int avail, int mode) {
        this.b = b;
        this.avail = avail;
        this.mode = mode;
    }

    /**
     * Decodes the instruction at {@code b[0..avail)}.
     *
     * @param mode 16, 32 or 64 (the code-segment size)
     * @throws NeedMore if {@code avail < 15} and the instruction runs past {@code avail}
     */
    static Insn decode(byte[] b, int avail, int mode) {
        Decoder d = new Decoder(b, avail, mode);
        Insn i = new Insn();
        try {
            d.decodeInto(i);
        } catch (TooLong e) {
            i = new Insn();
            i.op = Insn.GP_TOO_LONG;
            i.len = 15;
            i.endsBlock = true;
            i.bytes = Arrays.copyOf(b, 15);
            return i;
        }
        i.len = d.pos;
        i.bytes = Arrays.copyOf(b, d.pos);
        if (i.lock && !lockable(i)) {
            i.op = Insn.UD;
        }
        switch (i.op) {
            case Insn.UNSUPPORTED: case Insn.UD: case Insn.GP_TOO_LONG: case Insn.JCC:
            case Insn.JMP_REL: case Insn.CALL_REL: case Insn.JMP_RM: case Insn.CALL_RM:
            case Insn.RET: case Insn.CLI: case Insn.STI: case Insn.HLT: case Insn.IN:
            case Insn.OUT: case Insn.LGDT: case Insn.LIDT: case Insn.INVLPG: case Insn.MOV_TO_CR:
            case Insn.IRET: case Insn.INT: case Insn.INT3: case Insn.POPF: case Insn.WRMSR:
            case Insn.MOV_SREG_RM: case Insn.JMP_FAR: case Insn.LOOP: case Insn.POP_SEG:
            case Insn.STRING: case Insn.CALL_FAR: case Insn.JMP_FAR_M: case Insn.RET_FAR:
            case Insn.SYSCALL: case Insn.SYSRET: case Insn.SYSENTER: case Insn.SYSEXIT:
            case Insn.SWAPGS: case Insn.VMCALL: case Insn.MOV_TO_DR: case Insn.ICEBP:
            case Insn.LLDT: case Insn.LTR: case Insn.LMSW: case Insn.CLTS: case Insn.STAC:
            case Insn.CLAC: case Insn.WBINVD: case Insn.MOV_FROM_DR:
                i.endsBlock = true;
                break;
            default:
                break;
        }
        return i;
    }

    private static boolean lockable(Insn i) {
        if (!i.mem) {
            return false;
        }
        switch (i.op) {
            case Insn.ALU_RM_R: case Insn.ALU_RM_IMM:
                return i.sub != 7;
            case Insn.INC: case Insn.DEC: case Insn.NEG: case Insn.NOT: case Insn.XCHG:
            case Insn.CMPXCHG: case Insn.XADD: case Insn.CMPXCHG8B:
                return true;
            case Insn.BT:
                return i.sub != 0;
            default:
                return false;
        }
    }

    private int u8() {
        if (pos >= 15) {
            throw TOO_LONG;
        }
        if (pos >= avail) {
            if (avail < 15) {
                throw NEED_MORE;
            }
            throw TOO_LONG;
        }
        return b[pos++] & 0xFF;
    }

    private long s8() {
        return (byte) u8();
    }

    private long s16() {
        int lo = u8();
        return (short) (lo | (u8() << 8));
    }

    private long s32() {
        int v = u8();
        v |= u8() << 8;
        v |= u8() << 16;
        v |= u8() << 24;
        return v;
    }

    private long u64() {
        long lo = s32() & 0xFFFFFFFFL;
        long hi = s32() & 0xFFFFFFFFL;
        return lo | (hi << 32);
    }

    /** Immediate of the operand size (imm32 sign-extended for 64-bit operands). */
    private long immOf(int size) {
        switch (size) {
            case 1: return s8();
            case 2: return s16();
            default: return s32();
        }
    }

    private int byteReg(int r) {
        return (rex == 0 && r >= 4 && r <= 7) ? 16 + (r - 4) : r;
    }

    /** Register id for an operand of the given size. */
    private int regId(int r, int size) {
        return size == 1 ? byteReg(r) : r;
    }

    private void decodeInto(Insn i) {
        int seg = -1;
        int op;
        for (;;) {
            op = u8();
            switch (op) {
                case 0x66: opsz = true; rex = 0; continue;
                case 0x67: adsz = true; rex = 0; continue;
                case 0xF0: i.lock = true; rex = 0; continue;
                case 0xF2: i.rep = 2; rex = 0; continue;
                case 0xF3: i.rep = 1; rex = 0; continue;
                case 0x26: if (mode != 64) { seg = 0; } rex = 0; continue;
                case 0x2E: if (mode != 64) { seg = 1; } rex = 0; continue;
                case 0x36: if (mode != 64) { seg = 2; } rex = 0; continue;
                case 0x3E: if (mode != 64) { seg = 3; } rex = 0; continue;
                case 0x64: seg = 4; rex = 0; continue;
                case 0x65: seg = 5; rex = 0; continue;
                default:
                    break;
            }
            if (mode == 64 && (op & 0xF0) == 0x40) {
                rex = op;
                continue;
            }
            break;
        }
        boolean w = (rex & 8) != 0;
        int osize = w ? 8 : (opsz ? (mode == 16 ? 4 : 2) : (mode == 16 ? 2 : 4));
        int asize = mode == 64 ? (adsz ? 4 : 8) : mode == 32 ? (adsz ? 2 : 4) : (adsz ? 4 : 2);
        // Size of stack pushes/pops and near branches.
        int ssize = mode == 64 ? (opsz ? 2 : 8) : osize;
        i.addrSize = asize;
        i.opSize = osize;
        if (seg >= 0) {
            i.seg = seg;
            i.segOverride = true;
        }
        int segPrefix = seg;

        if (op == 0x0F) {
            decodeTwoByte(i, u8(), osize, ssize, segPrefix);
            return;
        }
        if (op < 0x40 && (op & 7) < 6) {
            int alu = op >> 3;
            i.sub = alu;
            switch (op & 7) {
                case 0: i.op = Insn.ALU_RM_R; i.opSize = 1; modrm(i, 1, segPrefix); break;
                case 1: i.op = Insn.ALU_RM_R; modrm(i, osize, segPrefix); break;
                case 2: i.op = Insn.ALU_R_RM; i.opSize = 1; modrm(i, 1, segPrefix); break;
                case 3: i.op = Insn.ALU_R_RM; modrm(i, osize, segPrefix); break;
                case 4: i.op = Insn.ALU_RM_IMM; i.opSize = 1; i.rm = 0; i.imm = s8(); break;
                default: i.op = Insn.ALU_RM_IMM; i.rm = 0; i.imm = immOf(osize); break;
            }
            return;
        }
        switch (op) {
            case 0x06: case 0x0E: case 0x16: case 0x1E:
                if (mode == 64) { i.op = Insn.UD; } else { i.op = Insn.PUSH_SEG; i.reg = op >> 3; i.opSize = ssize; }
                return;
            case 0x07: case 0x17: case 0x1F:
                if (mode == 64) { i.op = Insn.UD; } else { i.op = Insn.POP_SEG; i.reg = op >> 3; i.opSize = ssize; }
                return;
            case 0x60: case 0x61:
                i.op = mode == 64 ? Insn.UD : op == 0x60 ? Insn.PUSHA : Insn.POPA;
                i.opSize = osize;
                return;
            case 0x27: case 0x2F: case 0x37: case 0x3F: case 0x62:
            case 0x82: case 0xCE: case 0xD4: case 0xD5: case 0xD6:
                i.op = mode == 64 ? Insn.UD : Insn.UNSUPPORTED;
                return;
            default:
                break;
        }
        if (op >= 0x40 && op <= 0x4F) { // INC/DEC r (16/32-bit modes only; REX in 64)
            i.op = op < 0x48 ? Insn.INC : Insn.DEC;
            i.rm = op & 7;
            return;
        }
        if (op >= 0x50 && op <= 0x57) {
            i.op = Insn.PUSH_R; i.rm = (op & 7) | ((rex & 1) << 3); i.opSize = ssize; return;
        }
        if (op >= 0x58 && op <= 0x5F) {
            i.op = Insn.POP_R; i.rm = (op & 7) | ((rex & 1) << 3); i.opSize = ssize; return;
        }
        if (op >= 0x70 && op <= 0x7F) {
            i.op = Insn.JCC; i.sub = op & 0xF; i.imm = s8(); i.opSize = ssize; return;
        }
        if (op >= 0x91 && op <= 0x97) {
            i.op = Insn.XCHG; i.rm = (op & 7) | ((rex & 1) << 3); i.reg = 0; return;
        }
        if (op >= 0xB0 && op <= 0xB7) {
            i.op = Insn.MOV_R_IMM; i.opSize = 1; i.rm = byteReg((op & 7) | ((rex & 1) << 3));
            i.imm = u8(); return;
        }
        if (op >= 0xB8 && op <= 0xBF) {
            i.op = Insn.MOV_R_IMM; i.rm = (op & 7) | ((rex & 1) << 3);
            i.imm = osize == 8 ? u64() : immOf(osize); return;
        }
        switch (op) {
            case 0x63:
                if (mode == 64) {
                    i.op = Insn.MOVSX; i.srcSize = 4; modrm(i, osize, segPrefix);
                    if (!i.mem) { i.rm = i.rm & 15; }
                } else {
                    i.op = Insn.UNSUPPORTED;
                }
                return;
            case 0x68: i.op = Insn.PUSH_IMM; i.imm = immOf(ssize == 2 ? 2 : 4); i.opSize = ssize; return;
            case 0x6A: i.op = Insn.PUSH_IMM; i.imm = s8(); i.opSize = ssize; return;
            case 0x69: i.op = Insn.IMUL_R_RM_IMM; modrm(i, osize, segPrefix); i.imm = immOf(osize); return;
            case 0x6B: i.op = Insn.IMUL_R_RM_IMM; modrm(i, osize, segPrefix); i.imm = s8(); return;
            case 0x80: i.opSize = 1; modrm(i, 1, segPrefix); i.op = Insn.ALU_RM_IMM; i.sub = regField; i.reg = -1; i.imm = s8(); return;
            case 0x81: modrm(i, osize, segPrefix); i.op = Insn.ALU_RM_IMM; i.sub = regField; i.reg = -1; i.imm = immOf(osize); return;
            case 0x83: modrm(i, osize, segPrefix); i.op = Insn.ALU_RM_IMM; i.sub = regField; i.reg = -1; i.imm = s8(); return;
            case 0x84: i.op = Insn.TEST_RM_R; i.opSize = 1; modrm(i, 1, segPrefix); return;
            case 0x85: i.op = Insn.TEST_RM_R; modrm(i, osize, segPrefix); return;
            case 0x86: i.op = Insn.XCHG; i.opSize = 1; modrm(i, 1, segPrefix); return;
            case 0x87: i.op = Insn.XCHG; modrm(i, osize, segPrefix); return;
            case 0x88: i.op = Insn.MOV_RM_R; i.opSize = 1; modrm(i, 1, segPrefix); return;
            case 0x89: i.op = Insn.MOV_RM_R; modrm(i, osize, segPrefix); return;
            case 0x8A: i.op = Insn.MOV_R_RM; i.opSize = 1; modrm(i, 1, segPrefix); return;
            case 0x8B: i.op = Insn.MOV_R_RM; modrm(i, osize, segPrefix); return;
            case 0x8C: {
                modrm(i, osize, segPrefix);
                i.op = Insn.MOV_RM_SREG; i.reg = regField;
                if (i.reg > 5) { i.op = Insn.UD; }
                if (i.mem) { i.opSize = 2; }
                return;
            }
            case 0x8D:
                modrm(i, osize, segPrefix);
                i.op = i.mem ? Insn.LEA : Insn.UD;
                return;
            case 0x8E: {
                i.opSize = 2;
                modrm(i, 2, segPrefix);
                i.op = Insn.MOV_SREG_RM; i.reg = regField;
                if (i.reg > 5 || i.reg == 1) { i.op = Insn.UD; }
                return;
            }
            case 0x8F:
                modrm(i, ssize, segPrefix);
                i.opSize = ssize;
                i.op = regField == 0 ? Insn.POP_RM : Insn.UNSUPPORTED;
                return;
            case 0x90:
                if ((rex & 1) != 0) { i.op = Insn.XCHG; i.rm = 8; i.reg = 0; } else { i.op = Insn.NOP; }
                return;
            case 0x9A:
                if (mode == 64) { i.op = Insn.UD; return; }
                i.op = Insn.CALL_FAR;
                i.imm = osize == 2 ? (s16() & 0xFFFF) : (s32() & 0xFFFFFFFFL);
                i.imm2 = s16() & 0xFFFF;
                return;
            case 0xC8: i.op = Insn.ENTER; i.imm = s16() & 0xFFFF; i.imm2 = u8(); i.opSize = ssize; return;
            case 0xCA: i.op = Insn.RET_FAR; i.imm = s16() & 0xFFFF; return;
            case 0xCB: i.op = Insn.RET_FAR; i.imm = 0; return;
            case 0x98: i.op = Insn.CBW; return;
            case 0x99: i.op = Insn.CWD; return;
            case 0x9C: i.op = Insn.PUSHF; i.opSize = ssize; return;
            case 0x9D: i.op = Insn.POPF; i.opSize = ssize; return;
            case 0x9E: i.op = Insn.SAHF; return;
            case 0x9F: i.op = Insn.LAHF; return;
            case 0xA0: case 0xA1: case 0xA2: case 0xA3: {
                i.op = Insn.MOV_MOFFS;
                i.sub = op >= 0xA2 ? 1 : 0;
                if ((op & 1) == 0) { i.opSize = 1; }
                i.imm = asize == 8 ? u64() : asize == 4 ? (s32() & 0xFFFFFFFFL) : (s16() & 0xFFFF);
                i.mem = true;
                i.seg = segPrefix >= 0 ? segPrefix : 3;
                return;
            }
            case 0xA8: i.op = Insn.TEST_RM_IMM; i.opSize = 1; i.rm = 0; i.imm = s8(); return;
            case 0xA9: i.op = Insn.TEST_RM_IMM; i.rm = 0; i.imm = immOf(osize); return;
            case 0xA4: case 0xA5: stringOp(i, Insn.STR_MOVS, op, segPrefix); return;
            case 0xA6: case 0xA7: stringOp(i, Insn.STR_CMPS, op, segPrefix); return;
            case 0xAA: case 0xAB: stringOp(i, Insn.STR_STOS, op, segPrefix); return;
            case 0xAC: case 0xAD: stringOp(i, Insn.STR_LODS, op, segPrefix); return;
            case 0xAE: case 0xAF: stringOp(i, Insn.STR_SCAS, op, segPrefix); return;
            case 0xC0: case 0xC1: case 0xD0: case 0xD1: case 0xD2: case 0xD3: {
                int sz = (op & 1) == 0 ? 1 : osize;
                i.opSize = sz;
                modrm(i, sz, segPrefix);
                i.op = Insn.SHIFT; i.sub = regField; i.reg = -1;
                if (op <= 0xC1) { i.imm = u8(); } else if (op <= 0xD1) { i.imm = 1; } else { i.imm2 = 1; }
                return;
            }
            case 0xC2: i.op = Insn.RET; i.imm = s16() & 0xFFFF; i.opSize = ssize; return;
            case 0xC3: i.op = Insn.RET; i.imm = 0; i.opSize = ssize; return;
            case 0xC6: case 0xC7: {
                int sz = op == 0xC6 ? 1 : osize;
                i.opSize = sz;
                modrm(i, sz, segPrefix);
                i.op = regField == 0 ? Insn.MOV_RM_IMM : Insn.UNSUPPORTED;
                i.reg = -1;
                i.imm = immOf(sz);
                return;
            }
            case 0xC9: i.op = Insn.LEAVE; i.opSize = ssize; return;
            case 0xCC: i.op = Insn.INT3; return;
            case 0xF1: i.op = Insn.ICEBP; return;
            case 0xD7: i.op = Insn.XLAT; i.opSize = 1; i.seg = segPrefix >= 0 ? segPrefix : 3; return;
            case 0xCD: i.op = Insn.INT; i.imm = u8(); return;
            case 0xCF: i.op = Insn.IRET; return;
            case 0xE0: case 0xE1: case 0xE2: case 0xE3:
                i.op = Insn.LOOP; i.sub = op - 0xE0; i.imm = s8(); i.opSize = ssize; return;
            case 0xE4: i.op = Insn.IN; i.opSize = 1; i.imm = u8(); return;
            case 0xE5: i.op = Insn.IN; i.opSize = osize == 2 ? 2 : 4; i.imm = u8(); return;
            case 0xE6: i.op = Insn.OUT; i.opSize = 1; i.imm = u8(); return;
            case 0xE7: i.op = Insn.OUT; i.opSize = osize == 2 ? 2 : 4; i.imm = u8(); return;
            case 0xEC: i.op = Insn.IN; i.opSize = 1; i.imm2 = 1; return;
            case 0xED: i.op = Insn.IN; i.opSize = osize == 2 ? 2 : 4; i.imm2 = 1; return;
            case 0xEE: i.op = Insn.OUT; i.opSize = 1; i.imm2 = 1; return;
            case 0xEF: i.op = Insn.OUT; i.opSize = osize == 2 ? 2 : 4; i.imm2 = 1; return;
            case 0xE8: i.op = Insn.CALL_REL; i.imm = mode == 16 && !opsz ? s16() : s32(); i.opSize = ssize; return;
            case 0xE9: i.op = Insn.JMP_REL; i.imm = mode == 16 && !opsz ? s16() : s32(); i.opSize = ssize; return;
            case 0xEB: i.op = Insn.JMP_REL; i.imm = s8(); i.opSize = ssize; return;
            case 0xEA:
                if (mode == 64) { i.op = Insn.UD; return; }
                i.op = Insn.JMP_FAR;
                i.imm = osize == 2 ? (s16() & 0xFFFF) : (s32() & 0xFFFFFFFFL);
                i.imm2 = s16() & 0xFFFF;
                return;
            case 0x9B: i.op = Insn.FWAIT; return;
            case 0xD8: case 0xD9: case 0xDA: case 0xDB: case 0xDC: case 0xDD: case 0xDE: case 0xDF: {
                // x87 escape: the raw ModR/M selects the form (X87.exec); the operand size picks
                // the 16- or 32-bit FSTENV/FSAVE layout
                int save = pos;
                int m = u8();
                pos = save;
                modrm(i, 8, segPrefix);
                i.op = Insn.X87;
                i.sub = (op << 8) | m;
                i.opSize = osize == 2 ? 2 : 4;
                i.reg = -1;
                return;
            }
            case 0xF4: i.op = Insn.HLT; return;
            case 0xF5: i.op = Insn.CMC; return;
            case 0xF6: case 0xF7: {
                int sz = op == 0xF6 ? 1 : osize;
                i.opSize = sz;
                modrm(i, sz, segPrefix);
                int sub = regField;
                i.reg = -1;
                switch (sub) {
                    case 0: case 1: i.op = Insn.TEST_RM_IMM; i.imm = immOf(sz); break;
                    case 2: i.op = Insn.NOT; break;
                    case 3: i.op = Insn.NEG; break;
                    case 4: i.op = Insn.MUL; break;
                    case 5: i.op = Insn.IMUL1; break;
                    case 6: i.op = Insn.DIV; break;
                    default: i.op = Insn.IDIV; break;
                }
                return;
            }
            case 0xF8: i.op = Insn.CLC; return;
            case 0xF9: i.op = Insn.STC; return;
            case 0xFA: i.op = Insn.CLI; return;
            case 0xFB: i.op = Insn.STI; return;
            case 0xFC: i.op = Insn.CLD; return;
            case 0xFD: i.op = Insn.STD; return;
            case 0xFE: {
                i.opSize = 1;
                modrm(i, 1, segPrefix);
                int sub = regField;
                i.reg = -1;
                i.op = sub == 0 ? Insn.INC : sub == 1 ? Insn.DEC : Insn.UD;
                return;
            }
            case 0xFF: {
                // Peek at the sub-opcode to pick the operand size before decoding the operand.
                int save = pos;
                int m = u8();
                pos = save;
                int sub = (m >> 3) & 7;
                int sz = (sub == 2 || sub == 4 || sub == 6) ? ssize : osize;
                if (mode == 64 && (sub == 2 || sub == 4)) { sz = 8; }
                i.opSize = sz;
                modrm(i, sz, segPrefix);
                i.reg = -1;
                switch (sub) {
                    case 0: i.op = Insn.INC; break;
                    case 1: i.op = Insn.DEC; break;
                    case 2: i.op = Insn.CALL_RM; break;
                    case 4: i.op = Insn.JMP_RM; break;
                    case 6: i.op = Insn.PUSH_RM; break;
                    case 7: i.op = Insn.UD; break;
                    default: i.op = !i.mem ? Insn.UD : sub == 3 ? Insn.CALL_FAR : Insn.JMP_FAR_M; break;
                }
                return;
            }
            default:
                i.op = Insn.UNSUPPORTED;
        }
    }

    private void stringOp(Insn i, int kind, int op, int segPrefix) {
        i.op = Insn.STRING;
        i.sub = kind;
        if ((op & 1) == 0) { i.opSize = 1; }
        i.seg = segPrefix >= 0 ? segPrefix : 3;
    }

    private void decodeTwoByte(Insn i, int op, int osize, int ssize, int segPrefix) {
        if (op == 0x38 || op == 0x3A) {
            int op2 = u8();
            if (op == 0x38 && (op2 == 0xF0 || op2 == 0xF1) && i.rep != 2) {
                i.op = Insn.UNSUPPORTED; // MOVBE
                return;
            }
            sse(i, op == 0x38 ? 1 : 2, op2, segPrefix);
            return;
        }
        if ((op >= 0x10 && op <= 0x17) || (op >= 0x28 && op <= 0x2F) || (op >= 0x50 && op <= 0x7F)
                || (op >= 0xC2 && op <= 0xC6) || (op >= 0xD0 && op <= 0xFE)
                || (op == 0xAE && i.rep == 0)) {
            sse(i, 0, op, segPrefix);
            return;
        }
        if (op >= 0x80 && op <= 0x8F) {
            i.op = Insn.JCC; i.sub = op & 0xF; i.opSize = ssize;
            i.imm = mode == 16 && !opsz ? s16() : s32();
            return;
        }
        if (op >= 0x40 && op <= 0x4F) {
            i.op = Insn.CMOVCC; i.sub = op & 0xF; modrm(i, osize, segPrefix); return;
        }
        if (op >= 0x90 && op <= 0x9F) {
            i.op = Insn.SETCC; i.sub = op & 0xF; i.opSize = 1; modrm(i, 1, segPrefix); i.reg = -1; return;
        }
        if (op >= 0xC8 && op <= 0xCF) {
            i.op = Insn.BSWAP; i.rm = (op & 7) | ((rex & 1) << 3); return;
        }
        switch (op) {
            case 0x00: {
                modrm(i, 2, segPrefix);
                int sub = regField;
                i.reg = -1;
                int[] ops = {Insn.SLDT, Insn.STR, Insn.LLDT, Insn.LTR, Insn.VERR, Insn.VERW};
                i.op = sub < 6 ? ops[sub] : Insn.UNSUPPORTED;
                if ((sub == 0 || sub == 1) && !i.mem) {
                    i.opSize = osize; // SLDT/STR r16/r32/r64: zero-extended
                    i.rm = regId(i.rm & 15, osize);
                } else {
                    i.opSize = 2;
                }
                return;
            }
            case 0x01: {
                int save = pos;
                int m = u8();
                if ((m >> 6) == 3) {
                    // Register forms; SMSW and LMSW also take a register.
                    int sub = (m >> 3) & 7;
                    switch (m) {
                        case 0xC1: i.op = Insn.VMCALL; return;
                        case 0xCA: i.op = Insn.CLAC; return;
                        case 0xCB: i.op = Insn.STAC; return;
                        case 0xF8: i.op = mode == 64 ? Insn.SWAPGS : Insn.UD; return;
                        case 0xF9: i.op = Insn.RDTSCP; return;
                        case 0xD0: i.op = Insn.XGETBV; return;
                        case 0xD1: i.op = Insn.XSETBV; return;
                        default: break;
                    }
                    if (sub == 4 || sub == 6) {
                        pos = save;
                        modrm(i, sub == 4 ? osize : 2, segPrefix);
                        i.reg = -1;
                        i.op = sub == 4 ? Insn.SMSW : Insn.LMSW;
                        i.opSize = sub == 4 ? osize : 2;
                        return;
                    }
                    i.op = Insn.UNSUPPORTED; // MONITOR/MWAIT, VMX, ...
                    return;
                }
                pos = save;
                modrm(i, osize, segPrefix);
                int sub = regField;
                i.reg = -1;
                switch (sub) {
                    case 0: i.op = Insn.SGDT; break;
                    case 1: i.op = Insn.SIDT; break;
                    case 2: i.op = Insn.LGDT; break;
                    case 3: i.op = Insn.LIDT; break;
                    case 4: i.op = Insn.SMSW; i.opSize = 2; break;
                    case 6: i.op = Insn.LMSW; i.opSize = 2; break;
                    case 7: i.op = Insn.INVLPG; break;
                    default: i.op = Insn.UNSUPPORTED; break;
                }
                return;
            }
            case 0x02: case 0x03:
                i.op = op == 0x02 ? Insn.LAR : Insn.LSL;
                modrm(i, osize, segPrefix);
                return;
            case 0x06: i.op = Insn.CLTS; return;
            case 0x08: case 0x09: i.op = Insn.WBINVD; return;
            case 0x21: case 0x23: {
                int m = u8();
                i.reg = ((m >> 3) & 7) | ((rex & 4) << 1);
                i.rm = (m & 7) | ((rex & 1) << 3);
                i.opSize = mode == 64 ? 8 : 4;
                i.op = i.reg > 7 ? Insn.UD : op == 0x21 ? Insn.MOV_FROM_DR : Insn.MOV_TO_DR;
                return;
            }
            case 0xC3:
                modrm(i, osize == 2 ? 4 : osize, segPrefix);
                i.op = i.mem ? Insn.MOV_RM_R : Insn.UD; // MOVNTI: a store (no cache model)
                i.opSize = osize == 2 ? 4 : osize;
                return;
            case 0x0B: i.op = Insn.UD; return; // UD2
            case 0x0D: case 0x18: case 0x19: case 0x1A: case 0x1B: case 0x1C: case 0x1D: case 0x1E: case 0x1F:
                modrm(i, osize, segPrefix); i.op = Insn.NOP; i.reg = -1; return;
            case 0x20: case 0x22: {
                int m = u8();
                int cr = ((m >> 3) & 7) | ((rex & 4) << 1);
                i.rm = (m & 7) | ((rex & 1) << 3);
                i.reg = cr;
                i.opSize = mode == 64 ? 8 : 4;
                boolean valid = cr == 0 || cr == 2 || cr == 3 || cr == 4 || cr == 8;
                i.op = !valid ? Insn.UD : op == 0x20 ? Insn.MOV_FROM_CR : Insn.MOV_TO_CR;
                return;
            }
            case 0x30: i.op = Insn.WRMSR; return;
            case 0x31: i.op = Insn.RDTSC; return;
            case 0x32: i.op = Insn.RDMSR; return;
            case 0xA2: i.op = Insn.CPUID; return;
            case 0xA3: i.op = Insn.BT; i.sub = 0; modrm(i, osize, segPrefix); return;
            case 0xAB: i.op = Insn.BT; i.sub = 1; modrm(i, osize, segPrefix); return;
            case 0xB3: i.op = Insn.BT; i.sub = 2; modrm(i, osize, segPrefix); return;
            case 0xBB: i.op = Insn.BT; i.sub = 3; modrm(i, osize, segPrefix); return;
            case 0xBA: {
                modrm(i, osize, segPrefix);
                int sub = regField;
                i.reg = -1;
                i.imm = u8();
                i.imm2 = 1;
                if (sub < 4) { i.op = Insn.UD; } else { i.op = Insn.BT; i.sub = sub - 4; }
                return;
            }
            case 0xA4: i.op = Insn.SHLD; modrm(i, osize, segPrefix); i.imm = u8(); return;
            case 0xA5: i.op = Insn.SHLD; modrm(i, osize, segPrefix); i.imm2 = 1; return;
            case 0xAC: i.op = Insn.SHRD; modrm(i, osize, segPrefix); i.imm = u8(); return;
            case 0xAD: i.op = Insn.SHRD; modrm(i, osize, segPrefix); i.imm2 = 1; return;
            case 0xA0: case 0xA8:
                i.op = Insn.PUSH_SEG; i.reg = op == 0xA0 ? 4 : 5; i.opSize = ssize; return;
            case 0xA1: case 0xA9:
                i.op = Insn.POP_SEG; i.reg = op == 0xA1 ? 4 : 5; i.opSize = ssize; return;
            case 0xAE: {
                int save = pos;
                int m = u8();
                if ((m >> 6) == 3 && ((m >> 3) & 7) >= 5) {
                    i.op = Insn.NOP; // LFENCE / MFENCE / SFENCE
                    return;
                }
                // Without F3/F2 the group is decoded with the SSE family (FXSAVE..CLFLUSHOPT,
                // Sse.group15); F3 0F AE is FSGSBASE and friends, not implemented.
                pos = save;
                modrm(i, osize, segPrefix);
                i.op = Insn.UNSUPPORTED;
                i.reg = -1;
                return;
            }
            case 0xAF: i.op = Insn.IMUL_R_RM; modrm(i, osize, segPrefix); return;
            case 0xB0: i.op = Insn.CMPXCHG; i.opSize = 1; modrm(i, 1, segPrefix); return;
            case 0xB1: i.op = Insn.CMPXCHG; modrm(i, osize, segPrefix); return;
            case 0xC0: i.op = Insn.XADD; i.opSize = 1; modrm(i, 1, segPrefix); return;
            case 0xC1: i.op = Insn.XADD; modrm(i, osize, segPrefix); return;
            case 0xB8:
                modrm(i, osize, segPrefix);
                i.op = i.rep == 1 ? Insn.POPCNT : Insn.UD;
                return;
            case 0xC7: {
                modrm(i, osize, segPrefix);
                int sub = regField;
                i.reg = -1;
                if (sub == 1) {
                    i.op = i.mem ? Insn.CMPXCHG8B : Insn.UD;
                    i.opSize = (rex & 8) != 0 ? 16 : 8;
                } else {
                    i.op = Insn.UNSUPPORTED; // RDRAND, RDSEED, RDPID, VMX instructions, XSAVES...
                }
                return;
            }
            case 0xB6: case 0xBE: {
                modrm(i, osize, segPrefix);
                i.op = op == 0xB6 ? Insn.MOVZX : Insn.MOVSX;
                i.srcSize = 1;
                if (!i.mem) { i.rm = byteReg(i.rm); }
                return;
            }
            case 0xB7: case 0xBF:
                modrm(i, osize, segPrefix);
                i.op = op == 0xB7 ? Insn.MOVZX : Insn.MOVSX;
                i.srcSize = 2;
                return;
            case 0xBC:
                modrm(i, osize, segPrefix);
                i.op = i.rep == 1 ? Insn.TZCNT : Insn.BSF;
                return;
            case 0xBD:
                modrm(i, osize, segPrefix);
                i.op = i.rep == 1 ? Insn.LZCNT : Insn.BSR;
                return;
            case 0x05: i.op = Insn.SYSCALL; return;
            case 0x07: i.op = Insn.SYSRET; i.opSize = (rex & 8) != 0 ? 8 : 4; return;
            case 0x34: i.op = Insn.SYSENTER; return;
            case 0x35: i.op = Insn.SYSEXIT; i.opSize = (rex & 8) != 0 ? 8 : 4; return;
            case 0xFF: case 0xB9:
                i.op = Insn.UD; // UD0 / UD1
                return;
            default:
                i.op = Insn.UNSUPPORTED;
        }
    }

    /** An MMX/SSE instruction (see {@link SseDecode}): ModRM, then an imm8 when the form has one. */
    private void sse(Insn i, int map, int op, int segPrefix) {
        int pc = i.rep == 1 ? 2 : i.rep == 2 ? 3 : opsz ? 1 : 0;
        int key = SseDecode.key(pc, map, op);
        boolean w = (rex & 8) != 0;
        i.op = Insn.SSE;
        i.sub = key;
        i.opSize = w ? 8 : 4;
        if (map == 1 && op == 0xF1 && opsz && !w) {
            i.opSize = 2; // CRC32 r32, r/m16
        }
        if (op == 0x77 && map == 0) {
            return; // EMMS has no ModRM
        }
        boolean byteRm = map == 1 && op == 0xF0;
        modrm(i, byteRm ? 1 : 4, segPrefix);
        i.reg = regField | ((rex & 4) << 1);
        i.imm2 = regField;
        if ((SseDecode.info(key) & SseDecode.IMM8) != 0) {
            i.imm = u8();
        }
    }

    /**
     * Decodes a ModRM byte (plus SIB and displacement). {@code size} selects how register ids
     * are formed (byte registers when 1).
     */
    private void modrm(Insn i, int size, int segPrefix) {
        int m = u8();
        int mod = m >> 6;
        regField = (m >> 3) & 7;
        i.reg = regId(((m >> 3) & 7) | ((rex & 4) << 1), size);
        int rmf = m & 7;
        if (mod == 3) {
            i.mem = false;
            i.rm = regId(rmf | ((rex & 1) << 3), size);
            return;
        }
        i.mem = true;
        int defSeg = 3;
        if (i.addrSize == 2) {
            switch (rmf) {
                case 0: i.base = 3; i.index = 6; break;
                case 1: i.base = 3; i.index = 7; break;
                case 2: i.base = 5; i.index = 6; defSeg = 2; break;
                case 3: i.base = 5; i.index = 7; defSeg = 2; break;
                case 4: i.base = 6; break;
                case 5: i.base = 7; break;
                case 6:
                    if (mod == 0) { i.base = -1; i.disp = s16(); } else { i.base = 5; defSeg = 2; }
                    break;
                default: i.base = 3; break;
            }
            if (mod == 1) { i.disp = s8(); } else if (mod == 2) { i.disp = s16(); }
        } else {
            if (rmf == 4) {
                int sib = u8();
                i.scale = sib >> 6;
                int idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
                i.index = idx == 4 ? -1 : idx;
                int base = sib & 7;
                if (base == 5 && mod == 0) {
                    i.base = -1;
                    i.disp = s32();
                } else {
                    i.base = base | ((rex & 1) << 3);
                    if (base == 4 || base == 5) { defSeg = 2; }
                }
            } else if (rmf == 5 && mod == 0) {
                i.base = mode == 64 ? Insn.BASE_RIP : -1;
                i.disp = s32();
            } else {
                i.base = rmf | ((rex & 1) << 3);
                if (rmf == 5) { defSeg = 2; }
            }
            if (mod == 1) { i.disp = s8(); } else if (mod == 2) { i.disp = s32(); }
        }
        i.seg = segPrefix >= 0 ? segPrefix : defSeg;
    }
}
