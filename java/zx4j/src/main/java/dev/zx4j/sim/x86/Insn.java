package dev.zx4j.sim.x86;

/**
 * One pre-decoded instruction. Produced once by {@link Decoder} and executed many times from the
 * basic-block cache, so every field is fixed at decode time and execution never looks at the
 * instruction bytes again (they are kept only for MEM-trap packets).
 *
 * <p>Register operands are register ids: 0–15 for RAX..R15; for byte-sized operands the ids
 * 16–19 stand for AH, CH, DH, BH (only reachable without a REX prefix).
 */
final class Insn {
    /** Base value meaning "RIP-relative" (64-bit mode, mod=00 rm=101). */
    static final int BASE_RIP = 16;

    // ---- operations ---------------------------------------------------------------------
    static final int UNSUPPORTED = 0;   // valid or unknown opcode the emulator does not implement
    static final int UD = 1;            // architecturally invalid: raise #UD
    static final int GP_TOO_LONG = 2;   // instruction longer than 15 bytes: #GP(0)
    static final int ALU_RM_R = 3;      // sub = ADD OR ADC SBB AND SUB XOR CMP
    static final int ALU_R_RM = 4;
    static final int ALU_RM_IMM = 5;
    static final int TEST_RM_R = 6;
    static final int TEST_RM_IMM = 7;
    static final int INC = 8;
    static final int DEC = 9;
    static final int NEG = 10;
    static final int NOT = 11;
    static final int SHIFT = 12;        // sub = ROL ROR RCL RCR SHL SHR SAL SAR; imm2=1: count in CL
    static final int MUL = 13;
    static final int IMUL1 = 14;
    static final int DIV = 15;
    static final int IDIV = 16;
    static final int IMUL_R_RM = 17;
    static final int IMUL_R_RM_IMM = 18;
    static final int MOV_RM_R = 19;
    static final int MOV_R_RM = 20;
    static final int MOV_RM_IMM = 21;
    static final int MOVZX = 22;        // srcSize holds the source width
    static final int MOVSX = 23;
    static final int LEA = 24;
    static final int XCHG = 25;
    static final int PUSH_R = 26;
    static final int POP_R = 27;
    static final int PUSH_IMM = 28;
    static final int PUSH_RM = 29;
    static final int POP_RM = 30;
    static final int CBW = 31;          // CBW/CWDE/CDQE by opSize
    static final int CWD = 32;          // CWD/CDQ/CQO by opSize
    static final int SETCC = 33;
    static final int CMOVCC = 34;
    static final int JCC = 35;          // imm = displacement
    static final int JMP_REL = 36;
    static final int CALL_REL = 37;
    static final int JMP_RM = 38;
    static final int CALL_RM = 39;
    static final int RET = 40;          // imm = bytes to release
    static final int NOP = 41;
    static final int CLI = 42;
    static final int STI = 43;
    static final int HLT = 44;
    static final int CLD = 45;
    static final int STD = 46;
    static final int CLC = 47;
    static final int STC = 48;
    static final int CMC = 49;
    static final int IN = 50;           // imm2=1: port in DX, else imm = port
    static final int OUT = 51;
    static final int LGDT = 52;
    static final int LIDT = 53;
    static final int SGDT = 54;
    static final int SIDT = 55;
    static final int INVLPG = 56;
    static final int MOV_FROM_CR = 57;  // reg = CR number, rm = GPR
    static final int MOV_TO_CR = 58;
    static final int IRET = 59;
    static final int STRING = 60;       // sub = MOVS STOS LODS CMPS SCAS
    static final int CPUID = 61;
    static final int RDTSC = 62;
    static final int RDMSR = 63;
    static final int WRMSR = 64;
    static final int INT = 65;          // imm = vector
    static final int INT3 = 66;
    static final int PUSHF = 67;
    static final int POPF = 68;
    static final int LAHF = 69;
    static final int SAHF = 70;
    static final int LEAVE = 71;
    static final int MOV_MOFFS = 72;    // imm = offset; sub 0: load acc, 1: store acc
    static final int BSF = 73;
    static final int BSR = 74;
    static final int TZCNT = 75;
    static final int LZCNT = 76;
    static final int BSWAP = 77;
    static final int BT = 78;           // sub 0 BT 1 BTS 2 BTR 3 BTC; imm2=1: bit index is imm
    static final int CMPXCHG = 79;
    static final int XADD = 80;
    static final int MOV_SREG_RM = 81;  // reg = segment index
    static final int MOV_RM_SREG = 82;
    static final int JMP_FAR = 83;      // imm = offset, imm2 = selector
    static final int LOOP = 84;         // sub 0 LOOPNE 1 LOOPE 2 LOOP 3 JrCXZ
    static final int SHLD = 85;         // imm2=1: count in CL else imm
    static final int SHRD = 86;
    static final int MOV_R_IMM = 87;    // rm = register
    static final int PUSH_SEG = 88;     // reg = segment index (16/32-bit modes)
    static final int POP_SEG = 89;
    static final int CALL_FAR = 100;    // imm = offset, imm2 = selector; mem: m16:16/32/64 operand
    static final int JMP_FAR_M = 101;   // JMP m16:16/32/64
    static final int RET_FAR = 102;     // imm = bytes to release
    static final int ENTER = 103;       // imm = frame size, imm2 = nesting level
    static final int CMPXCHG8B = 104;   // opSize 8: CMPXCHG8B, 16: CMPXCHG16B
    static final int POPCNT = 105;
    static final int RDTSCP = 106;
    static final int SYSCALL = 107;
    static final int SYSRET = 108;      // opSize 8: to 64-bit mode, 4: to compatibility mode
    static final int SYSENTER = 109;
    static final int SYSEXIT = 110;     // opSize 8: to 64-bit mode, 4: to 32-bit code
    static final int SWAPGS = 111;
    static final int VMCALL = 112;
    static final int MOV_FROM_DR = 113; // reg = DR number, rm = GPR
    static final int MOV_TO_DR = 114;
    static final int ICEBP = 115;       // INT1 (F1)
    static final int XLAT = 116;
    static final int LAR = 117;
    static final int LSL = 118;
    static final int VERR = 119;
    static final int VERW = 120;
    static final int SLDT = 121;
    static final int STR = 122;
    static final int LLDT = 123;
    static final int LTR = 124;
    static final int SMSW = 125;
    static final int LMSW = 126;
    static final int CLTS = 127;
    static final int WBINVD = 128;      // WBINVD and INVD
    static final int STAC = 130;
    static final int CLAC = 131;
    /** MMX/SSE–SSE4.2 and 0F AE: sub = SseDecode key, imm2 = ModRM.reg, opSize 8 with REX.W. */
    static final int SSE = 132;
    static final int XGETBV = 133;
    static final int XSETBV = 134;
    static final int X87 = 140;         // sub = escape opcode (D8..DF) << 8 | ModR/M byte; opSize 2 or 4
    static final int FWAIT = 141;       // WAIT/FWAIT (9B)
    static final int PUSHA = 150;       // PUSHA/PUSHAD (16/32-bit modes)
    static final int POPA = 151;        // POPA/POPAD

    static final int STR_MOVS = 0, STR_STOS = 1, STR_LODS = 2, STR_CMPS = 3, STR_SCAS = 4;

    int op;
    int sub;
    /** Instruction length in bytes (1..15). */
    int len;
    /** Operand size in bytes: 1, 2, 4 or 8. */
    int opSize;
    /** Address size in bytes: 2, 4 or 8. */
    int addrSize;
    /** ModRM.reg operand (register id), or -1. */
    int reg = -1;
    /** Register id of the r/m operand when {@link #mem} is false, or -1. */
    int rm = -1;
    /** Whether the r/m operand is in memory. */
    boolean mem;
    int base = -1;
    int index = -1;
    int scale;
    long disp;
    /** Segment used for the memory operand (ES=0 CS=1 SS=2 DS=3 FS=4 GS=5). */
    int seg = 3;
    /** Whether the segment came from a prefix (matters for string sources). */
    boolean segOverride;
    long imm;
    long imm2;
    /** Width in bytes of the source of MOVZX/MOVSX. */
    int srcSize;
    /** 0: none, 1: REP/REPE (F3), 2: REPNE (F2). */
    int rep;
    boolean lock;
    /** Whether this instruction ends a basic block. */
    boolean endsBlock;
    /** The raw instruction bytes (length {@link #len}). */
    byte[] bytes;
}
