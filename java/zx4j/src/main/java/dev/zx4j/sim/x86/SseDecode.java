package dev.zx4j.sim.x86;

/**
 * The opcode table of the MMX/SSE–SSE4.2 instructions: which forms exist and what their
 * operands are. An instruction is keyed by its mandatory prefix class (0 none, 1 66, 2 F3,
 * 3 F2; F2/F3 take precedence over 66), its opcode map (0 = 0F, 1 = 0F 38, 2 = 0F 3A) and
 * its opcode byte: {@code key = pc << 10 | map << 8 | opcode}. {@link Sse#exec} defines each
 * one; the decoder uses {@link #info} to parse ModRM and the immediate.
 */
final class SseDecode {
    private SseDecode() {
    }

    static final int XMM = 0, MM = 1, GPR = 2;

    // info bits
    static final int REG_SHIFT = 0;     // 2 bits: kind of ModRM.reg
    static final int RM_SHIFT = 2;      // 2 bits: kind of ModRM.rm when a register
    static final int IMM8 = 1 << 4;
    static final int MEM_ONLY = 1 << 5;
    static final int REG_ONLY = 1 << 6;
    static final int SIZE_SHIFT = 8;    // 5 bits: memory operand size in bytes
    static final int ALIGN = 1 << 13;   // a memory operand must be 16-byte aligned
    static final int VALID = 1 << 14;
    static final int GROUP = 1 << 15;   // 0F 71/72/73/AE: ModRM.reg selects the operation
    static final int W_SIZE = 1 << 16;  // GPR operand is 64-bit with REX.W (memory size 8)

    private static final int[] TABLE = new int[4 << 10];

    static int key(int pc, int map, int op) {
        return pc << 10 | map << 8 | op;
    }

    /** The form's info bits, 0 when the form does not exist (#UD). */
    static int info(int key) {
        return key >= 0 && key < TABLE.length ? TABLE[key] : 0;
    }

    static int regKind(int info) {
        return info & 3;
    }

    static int rmKind(int info) {
        return (info >> RM_SHIFT) & 3;
    }

    static int memSize(int info) {
        return (info >> SIZE_SHIFT) & 31;
    }

    private static int k(int reg, int rm, int size) {
        return VALID | reg << REG_SHIFT | rm << RM_SHIFT | size << SIZE_SHIFT;
    }

    private static void put(int pc, int map, int op, int info) {
        TABLE[key(pc, map, op)] = info;
    }

    /** An MMX form (no prefix, MM registers, m64) and an SSE2 form (66, XMM, m128 aligned). */
    private static void mmxAndSse2(int map, int op, int extra) {
        put(0, map, op, k(MM, MM, 8) | extra);
        put(1, map, op, k(XMM, XMM, 16) | ALIGN | extra);
    }

    /** Packed single (none), packed double (66), scalar single (F3), scalar double (F2). */
    private static void psPdSsSd(int op, int extra) {
        put(0, 0, op, k(XMM, XMM, 16) | ALIGN | extra);
        put(1, 0, op, k(XMM, XMM, 16) | ALIGN | extra);
        put(2, 0, op, k(XMM, XMM, 4) | extra);
        put(3, 0, op, k(XMM, XMM, 8) | extra);
    }

    private static void psPd(int op, int extra) {
        put(0, 0, op, k(XMM, XMM, 16) | ALIGN | extra);
        put(1, 0, op, k(XMM, XMM, 16) | ALIGN | extra);
    }

    static {
        // ---- 0F map: moves
        put(0, 0, 0x10, k(XMM, XMM, 16));
        put(1, 0, 0x10, k(XMM, XMM, 16));
        put(2, 0, 0x10, k(XMM, XMM, 4));
        put(3, 0, 0x10, k(XMM, XMM, 8));
        put(0, 0, 0x11, k(XMM, XMM, 16));
        put(1, 0, 0x11, k(XMM, XMM, 16));
        put(2, 0, 0x11, k(XMM, XMM, 4));
        put(3, 0, 0x11, k(XMM, XMM, 8));
        put(0, 0, 0x12, k(XMM, XMM, 8));              // MOVLPS m64 / MOVHLPS
        put(1, 0, 0x12, k(XMM, XMM, 8) | MEM_ONLY);   // MOVLPD
        put(2, 0, 0x12, k(XMM, XMM, 16) | ALIGN);     // MOVSLDUP
        put(3, 0, 0x12, k(XMM, XMM, 8));              // MOVDDUP
        put(0, 0, 0x13, k(XMM, XMM, 8) | MEM_ONLY);
        put(1, 0, 0x13, k(XMM, XMM, 8) | MEM_ONLY);
        psPd(0x14, 0);
        psPd(0x15, 0);
        put(0, 0, 0x16, k(XMM, XMM, 8));              // MOVHPS m64 / MOVLHPS
        put(1, 0, 0x16, k(XMM, XMM, 8) | MEM_ONLY);   // MOVHPD
        put(2, 0, 0x16, k(XMM, XMM, 16) | ALIGN);     // MOVSHDUP
        put(0, 0, 0x17, k(XMM, XMM, 8) | MEM_ONLY);
        put(1, 0, 0x17, k(XMM, XMM, 8) | MEM_ONLY);
        psPd(0x28, 0);
        psPd(0x29, 0);
        put(0, 0, 0x2A, k(XMM, MM, 8));               // CVTPI2PS
        put(1, 0, 0x2A, k(XMM, MM, 8));               // CVTPI2PD
        put(2, 0, 0x2A, k(XMM, GPR, 4) | W_SIZE);     // CVTSI2SS
        put(3, 0, 0x2A, k(XMM, GPR, 4) | W_SIZE);     // CVTSI2SD
        put(0, 0, 0x2B, k(XMM, XMM, 16) | ALIGN | MEM_ONLY);
        put(1, 0, 0x2B, k(XMM, XMM, 16) | ALIGN | MEM_ONLY);
        for (int op = 0x2C; op <= 0x2D; op++) {
            put(0, 0, op, k(MM, XMM, 8));             // CVT(T)PS2PI
            put(1, 0, op, k(MM, XMM, 16) | ALIGN);    // CVT(T)PD2PI
            put(2, 0, op, k(GPR, XMM, 4) | W_SIZE);   // CVT(T)SS2SI (memory m32)
            put(3, 0, op, k(GPR, XMM, 8) | W_SIZE);   // CVT(T)SD2SI (memory m64)
        }
        put(0, 0, 0x2E, k(XMM, XMM, 4));
        put(1, 0, 0x2E, k(XMM, XMM, 8));
        put(0, 0, 0x2F, k(XMM, XMM, 4));
        put(1, 0, 0x2F, k(XMM, XMM, 8));
        put(0, 0, 0x50, k(GPR, XMM, 0) | REG_ONLY);
        put(1, 0, 0x50, k(GPR, XMM, 0) | REG_ONLY);
        psPdSsSd(0x51, 0);
        put(0, 0, 0x52, k(XMM, XMM, 16) | ALIGN);     // RSQRTPS
        put(2, 0, 0x52, k(XMM, XMM, 4));
        put(0, 0, 0x53, k(XMM, XMM, 16) | ALIGN);     // RCPPS
        put(2, 0, 0x53, k(XMM, XMM, 4));
        for (int op = 0x54; op <= 0x57; op++) {
            psPd(op, 0);
        }
        psPdSsSd(0x58, 0);
        psPdSsSd(0x59, 0);
        put(0, 0, 0x5A, k(XMM, XMM, 8));              // CVTPS2PD m64
        put(1, 0, 0x5A, k(XMM, XMM, 16) | ALIGN);     // CVTPD2PS
        put(2, 0, 0x5A, k(XMM, XMM, 4));              // CVTSS2SD
        put(3, 0, 0x5A, k(XMM, XMM, 8));              // CVTSD2SS
        put(0, 0, 0x5B, k(XMM, XMM, 16) | ALIGN);
        put(1, 0, 0x5B, k(XMM, XMM, 16) | ALIGN);
        put(2, 0, 0x5B, k(XMM, XMM, 16) | ALIGN);
        for (int op = 0x5C; op <= 0x5F; op++) {
            psPdSsSd(op, 0);
        }
        for (int op = 0x60; op <= 0x62; op++) {       // PUNPCKL*: MMX reads m32
            put(0, 0, op, k(MM, MM, 4));
            put(1, 0, op, k(XMM, XMM, 16) | ALIGN);
        }
        for (int op = 0x63; op <= 0x6B; op++) {
            mmxAndSse2(0, op, 0);
        }
        put(1, 0, 0x6C, k(XMM, XMM, 16) | ALIGN);
        put(1, 0, 0x6D, k(XMM, XMM, 16) | ALIGN);
        put(0, 0, 0x6E, k(MM, GPR, 4) | W_SIZE);
        put(1, 0, 0x6E, k(XMM, GPR, 4) | W_SIZE);
        put(0, 0, 0x6F, k(MM, MM, 8));
        put(1, 0, 0x6F, k(XMM, XMM, 16) | ALIGN);
        put(2, 0, 0x6F, k(XMM, XMM, 16));
        put(0, 0, 0x70, k(MM, MM, 8) | IMM8);
        put(1, 0, 0x70, k(XMM, XMM, 16) | ALIGN | IMM8);
        put(2, 0, 0x70, k(XMM, XMM, 16) | ALIGN | IMM8);
        put(3, 0, 0x70, k(XMM, XMM, 16) | ALIGN | IMM8);
        for (int op = 0x71; op <= 0x73; op++) {
            put(0, 0, op, k(MM, MM, 0) | IMM8 | REG_ONLY | GROUP);
            put(1, 0, op, k(XMM, XMM, 0) | IMM8 | REG_ONLY | GROUP);
        }
        for (int op = 0x74; op <= 0x76; op++) {
            mmxAndSse2(0, op, 0);
        }
        put(0, 0, 0x77, VALID);                       // EMMS
        put(1, 0, 0x7C, k(XMM, XMM, 16) | ALIGN);
        put(3, 0, 0x7C, k(XMM, XMM, 16) | ALIGN);
        put(1, 0, 0x7D, k(XMM, XMM, 16) | ALIGN);
        put(3, 0, 0x7D, k(XMM, XMM, 16) | ALIGN);
        put(0, 0, 0x7E, k(MM, GPR, 4) | W_SIZE);      // MOVD r/m32, mm
        put(1, 0, 0x7E, k(XMM, GPR, 4) | W_SIZE);
        put(2, 0, 0x7E, k(XMM, XMM, 8));              // MOVQ xmm, xmm/m64
        put(0, 0, 0x7F, k(MM, MM, 8));
        put(1, 0, 0x7F, k(XMM, XMM, 16) | ALIGN);
        put(2, 0, 0x7F, k(XMM, XMM, 16));
        put(0, 0, 0xAE, GROUP | VALID);               // FXSAVE..CLFLUSH, fences
        put(1, 0, 0xAE, GROUP | VALID);               // CLFLUSHOPT (66 0F AE /7); the rest #UD
        psPdSsSd(0xC2, IMM8);
        put(0, 0, 0xC3, k(GPR, GPR, 4) | W_SIZE | MEM_ONLY); // MOVNTI
        put(0, 0, 0xC4, k(MM, GPR, 2) | IMM8);
        put(1, 0, 0xC4, k(XMM, GPR, 2) | IMM8);
        put(0, 0, 0xC5, k(GPR, MM, 0) | IMM8 | REG_ONLY);
        put(1, 0, 0xC5, k(GPR, XMM, 0) | IMM8 | REG_ONLY);
        psPd(0xC6, IMM8);
        put(1, 0, 0xD0, k(XMM, XMM, 16) | ALIGN);
        put(3, 0, 0xD0, k(XMM, XMM, 16) | ALIGN);
        for (int op = 0xD1; op <= 0xFE; op++) {
            if (op == 0xD6 || op == 0xD7 || op == 0xE6 || op == 0xE7 || op == 0xF0
                    || op == 0xF7 || op == 0xFF) {
                continue;
            }
            mmxAndSse2(0, op, 0);
        }
        put(1, 0, 0xD6, k(XMM, XMM, 8));              // MOVQ xmm/m64, xmm
        put(2, 0, 0xD6, k(XMM, MM, 0) | REG_ONLY);    // MOVQ2DQ
        put(3, 0, 0xD6, k(MM, XMM, 0) | REG_ONLY);    // MOVDQ2Q
        put(0, 0, 0xD7, k(GPR, MM, 0) | REG_ONLY);
        put(1, 0, 0xD7, k(GPR, XMM, 0) | REG_ONLY);
        put(1, 0, 0xE6, k(XMM, XMM, 16) | ALIGN);     // CVTTPD2DQ
        put(2, 0, 0xE6, k(XMM, XMM, 8));              // CVTDQ2PD m64
        put(3, 0, 0xE6, k(XMM, XMM, 16) | ALIGN);     // CVTPD2DQ
        put(0, 0, 0xE7, k(MM, MM, 8) | MEM_ONLY);     // MOVNTQ
        put(1, 0, 0xE7, k(XMM, XMM, 16) | ALIGN | MEM_ONLY);
        put(3, 0, 0xF0, k(XMM, XMM, 16) | MEM_ONLY);  // LDDQU
        put(0, 0, 0xF7, k(MM, MM, 0) | REG_ONLY);     // MASKMOVQ
        put(1, 0, 0xF7, k(XMM, XMM, 0) | REG_ONLY);   // MASKMOVDQU

        // ---- 0F 38 map: SSSE3 (MMX and XMM forms)
        for (int op = 0x00; op <= 0x0B; op++) {
            mmxAndSse2(1, op, 0);
        }
        for (int op = 0x1C; op <= 0x1E; op++) {
            mmxAndSse2(1, op, 0);
        }
        // SSE4.1 / 4.2
        put(1, 1, 0x10, k(XMM, XMM, 16) | ALIGN);
        put(1, 1, 0x14, k(XMM, XMM, 16) | ALIGN);
        put(1, 1, 0x15, k(XMM, XMM, 16) | ALIGN);
        put(1, 1, 0x17, k(XMM, XMM, 16) | ALIGN);
        int[] pmovSizes = {8, 4, 2, 8, 4, 8};
        for (int j = 0; j < 6; j++) {
            put(1, 1, 0x20 + j, k(XMM, XMM, pmovSizes[j]));
            put(1, 1, 0x30 + j, k(XMM, XMM, pmovSizes[j]));
        }
        put(1, 1, 0x28, k(XMM, XMM, 16) | ALIGN);
        put(1, 1, 0x29, k(XMM, XMM, 16) | ALIGN);
        put(1, 1, 0x2A, k(XMM, XMM, 16) | ALIGN | MEM_ONLY);
        put(1, 1, 0x2B, k(XMM, XMM, 16) | ALIGN);
        put(1, 1, 0x37, k(XMM, XMM, 16) | ALIGN);
        for (int op = 0x38; op <= 0x41; op++) {
            put(1, 1, op, k(XMM, XMM, 16) | ALIGN);
        }
        put(3, 1, 0xF0, k(GPR, GPR, 1));              // CRC32 r, r/m8
        put(3, 1, 0xF1, k(GPR, GPR, 4) | W_SIZE);     // CRC32 r, r/m16/32/64 (66: 16)

        // ---- 0F 3A map
        put(1, 2, 0x08, k(XMM, XMM, 16) | ALIGN | IMM8);
        put(1, 2, 0x09, k(XMM, XMM, 16) | ALIGN | IMM8);
        put(1, 2, 0x0A, k(XMM, XMM, 4) | IMM8);
        put(1, 2, 0x0B, k(XMM, XMM, 8) | IMM8);
        put(1, 2, 0x0C, k(XMM, XMM, 16) | ALIGN | IMM8);
        put(1, 2, 0x0D, k(XMM, XMM, 16) | ALIGN | IMM8);
        put(1, 2, 0x0E, k(XMM, XMM, 16) | ALIGN | IMM8);
        mmxAndSse2(2, 0x0F, IMM8);
        put(1, 2, 0x14, k(XMM, GPR, 1) | IMM8);       // PEXTRB r32/m8
        put(1, 2, 0x15, k(XMM, GPR, 2) | IMM8);       // PEXTRW r32/m16
        put(1, 2, 0x16, k(XMM, GPR, 4) | IMM8 | W_SIZE);
        put(1, 2, 0x17, k(XMM, GPR, 4) | IMM8);       // EXTRACTPS
        put(1, 2, 0x20, k(XMM, GPR, 1) | IMM8);       // PINSRB
        put(1, 2, 0x21, k(XMM, XMM, 4) | IMM8);       // INSERTPS
        put(1, 2, 0x22, k(XMM, GPR, 4) | IMM8 | W_SIZE);
        put(1, 2, 0x40, k(XMM, XMM, 16) | ALIGN | IMM8);
        put(1, 2, 0x41, k(XMM, XMM, 16) | ALIGN | IMM8);
        put(1, 2, 0x42, k(XMM, XMM, 16) | ALIGN | IMM8);
        for (int op = 0x60; op <= 0x63; op++) {
            put(1, 2, op, k(XMM, XMM, 16) | IMM8 | W_SIZE);
        }
    }
}
