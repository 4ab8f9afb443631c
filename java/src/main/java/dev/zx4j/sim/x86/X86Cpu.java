package dev.zx4j.sim.x86;

import static dev.zx4j.abi.Zx.ZX_ERR_BAD_STATE;
import static dev.zx4j.abi.Zx.ZX_ERR_INTERNAL;
import static dev.zx4j.abi.Zx.ZX_ERR_INVALID_ARGS;
import static dev.zx4j.abi.Zx.ZX_ERR_NOT_SUPPORTED;
import static dev.zx4j.abi.Zx.ZX_ERR_OUT_OF_RANGE;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.function.LongSupplier;

/**
 * A software x86-64 CPU: the execution engine behind {@code zx_vcpu_enter} of the simulated
 * kernel. It owns the architectural state of one VCPU and runs guest code from a
 * {@link GuestPhysicalBus} until an exit.
 *
 * <h2>Threading</h2>
 * All methods must be called from the single thread that owns the VCPU, except
 * {@link #requestStop()}, which any thread may call.
 *
 * <h2>Execution model</h2>
 * Instructions are decoded once into basic blocks ({@code CodeBlock}: at most 64 instructions,
 * ending at a control transfer, an instruction that may exit or change the mode, or the end of a
 * page), cached by guest-physical address and code size. The run loop goes from block to block
 * through links each block keeps to its last two successors, then through a jump cache indexed
 * by linear address, and only then through the page walk and the block map; links and cache
 * entries carry a code epoch that is advanced whenever one of them might have become wrong.
 * <ul>
 *   <li>In 64-bit mode a block is built once into {@code Op}s ({@code Ops}): the common
 *       integer, move, stack and branch forms get ops fixed to their operands and operand size,
 *       flag updates that nothing can observe before the next full flag write are left out, a
 *       compare or test ending the block is fused with its Jcc, and memory operands go through
 *       fixed-size accessors with the software-TLB hit inline. Every other instruction runs
 *       through the interpreter ({@code exec}) as a generic op, so an instruction added to the
 *       interpreter works in compiled blocks without further change. Other modes, and single
 *       steps in an interrupt shadow, run the interpreter directly.</li>
 *   <li>RIP and the retired-instruction count are updated per block. When an instruction
 *       faults, traps or exits, the block restores both for that instruction, and registers,
 *       memory and RFLAGS are exactly as the instructions before it left them (flag updates are
 *       only skipped where no fault, exit or block end can see them). Arithmetic flags are
 *       otherwise evaluated lazily from the last operation's operands.</li>
 *   <li>Pages holding cached code keep a map of their decoded bytes. A guest write that overlaps
 *       decoded bytes drops that page's blocks and ends the running block after the writing
 *       instruction, so the next instruction is decoded afresh; writes next to code (data on the
 *       same page) cost only a check. The caches belong to this CPU: the VMM writing guest RAM
 *       behind the CPU's back (or another VCPU writing code this one has run) must be followed by
 *       {@link #invalidateCode(long, long)} or {@link #invalidateAllCode()}; changing which
 *       pages are RAM or trapped must be followed by {@link #flushTlb()}.</li>
 *   <li>Stop requests, the instruction budget and the interrupt window are checked at block
 *       boundaries, so a run may exceed its budget by up to one block.</li>
 * </ul>
 * How a block translated to JVM bytecode would plug into this loop is described in
 * {@code CodeBlock}.
 *
 * <h2>Modes and limits of this version</h2>
 * Real mode, 16- and 32-bit protected mode and IA-32e mode (64-bit and compatibility mode) are
 * supported, with the transitions an AP trampoline makes: LGDT (a 24-bit base with a 16-bit
 * operand), CR0.PE, far JMP/CALL (ptr16:16/32, m16:16/32/64), far RET (RETF, RETF imm16) and
 * IRET loading CS from the GDT (base, limit with granularity, access rights with D/B and L; the
 * accessed bit is set in the GDT), MOV/POP to data segment registers from the GDT, and
 * CR4.PAE + EFER.LME + CR0.PG entering IA-32e mode (EFER.LMA), where the code segment's L bit
 * picks 64-bit or compatibility mode. Paging: 4-level paging in IA-32e mode (4 KiB, 2 MiB,
 * 1 GiB pages), otherwise 32-bit paging (4 KiB pages, 4 MiB with CR4.PSE) or PAE paging (4 KiB,
 * 2 MiB); P, RW (with CR0.WP) and NX checks, A/D bits set; PAE PDPTEs are read at each walk,
 * not cached at MOV to CR3. Events are delivered through the real-mode IVT, a 32-bit IDT
 * (8-byte interrupt and trap gates, 16- or 32-bit) or a 64-bit IDT (IST stacks), with error
 * codes for vectors 8, 10–14 and 17 and the same double- and triple-fault rules in every mode.
 *
 * <p>Everything runs at CPL 0 and transfers stay at CPL 0: a far RET or IRET to another
 * privilege level, a far transfer through a call gate, task gate or TSS, an event through a
 * task gate, and IRET with NT = 1 (in legacy mode) or to virtual-8086 mode end the run with
 * {@code ZX_ERR_NOT_SUPPORTED}. Segment limits, U/S page checks and I/O permissions are not
 * checked; selectors with TI = 1 fault (no LDT is modelled). CPUID, the MSRs (including the
 * x2APIC registers), CR0/CR4 read shadows and RDTSC behave as the late-2021 Zircon kernel
 * presents them to a guest (see the notes at {@code cpuid()} and {@code readMsr}); the local
 * APIC timer is not modelled.
 *
 * <h2>Undefined opcodes</h2>
 * Opcodes that are architecturally invalid (UD2, UD0/UD1, opcodes removed in 64-bit mode, LEA
 * with a register operand, a LOCK prefix on a non-lockable instruction) raise #UD through the
 * guest IDT, exactly as VMX hardware would without the kernel noticing. Valid or unknown opcodes
 * this emulator does not implement (x87, SSE, ...) end the run with
 * {@link VcpuExit.ErrorExit} {@code ZX_ERR_NOT_SUPPORTED}, so a missing instruction is never
 * mistaken for a guest bug.
 */
public final class X86Cpu {
    // ---- RFLAGS bits ----------------------------------------------------------------------
    public static final long FLAG_CF = 1L;
    public static final long FLAG_PF = 1L << 2;
    public static final long FLAG_AF = 1L << 4;
    public static final long FLAG_ZF = 1L << 6;
    public static final long FLAG_SF = 1L << 7;
    public static final long FLAG_TF = 1L << 8;
    public static final long FLAG_IF = 1L << 9;
    public static final long FLAG_DF = 1L << 10;
    public static final long FLAG_OF = 1L << 11;
    public static final long FLAG_IOPL = 3L << 12;
    public static final long FLAG_NT = 1L << 14;
    public static final long FLAG_RF = 1L << 16;
    public static final long FLAG_VM = 1L << 17;
    public static final long FLAG_AC = 1L << 18;
    public static final long FLAG_VIF = 1L << 19;
    public static final long FLAG_VIP = 1L << 20;
    public static final long FLAG_ID = 1L << 21;
    /** The always-one reserved bit 1. */
    public static final long FLAG_RESERVED_ONE = 1L << 1;
    /**
     * Zircon's {@code X86_FLAGS_USER}: the bits {@code zx_vcpu_read_state} reports and
     * {@code zx_vcpu_write_state} may change (CF PF AF ZF SF TF DF OF NT AC ID).
     */
    public static final long FLAGS_USER = FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_TF
            | FLAG_DF | FLAG_OF | FLAG_NT | FLAG_AC | FLAG_ID;
    /** The six arithmetic status flags. */
    public static final long FLAGS_ARITH = FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_OF;
    private static final long FLAGS_WRITABLE = FLAGS_ARITH | FLAG_TF | FLAG_IF | FLAG_DF | FLAG_IOPL
            | FLAG_NT | FLAG_RF | FLAG_AC | FLAG_VIF | FLAG_VIP | FLAG_ID;

    // ---- control registers, EFER, MSRs --------------------------------------------------
    public static final long CR0_PE = 1L;
    public static final long CR0_ET = 1L << 4;
    public static final long CR0_NE = 1L << 5;
    public static final long CR0_WP = 1L << 16;
    public static final long CR0_PG = 1L << 31;
    public static final long CR0_NW = 1L << 29;
    public static final long CR0_CD = 1L << 30;
    /**
     * CR0 bits in the kernel's guest/host mask (NE, NW, CD, ET): MOV from CR0 reads them from the
     * read shadow, i.e. as the guest last wrote them (ET before the first write), whatever the
     * CR0 in force holds (the kernel keeps NE set and NW/CD clear there).
     */
    private static final long CR0_SHADOWED = CR0_ET | CR0_NE | CR0_NW | CR0_CD;
    public static final long CR4_PSE = 1L << 4;
    public static final long CR4_PAE = 1L << 5;
    public static final long CR4_PGE = 1L << 7;
    public static final long CR4_OSFXSR = 1L << 9;
    public static final long CR4_FSGSBASE = 1L << 16;
    public static final long CR4_OSXSAVE = 1L << 18;
    /** Set in the real CR4 under VMX and hidden from the guest (mask VMXE, read shadow 0). */
    public static final long CR4_VMXE = 1L << 13;
    public static final long EFER_SCE = 1L;
    public static final long EFER_LME = 1L << 8;
    public static final long EFER_LMA = 1L << 10;
    public static final long EFER_NXE = 1L << 11;
    public static final int MSR_EFER = 0xC0000080;
    public static final int MSR_FS_BASE = 0xC0000100;
    public static final int MSR_GS_BASE = 0xC0000101;
    public static final int MSR_KERNEL_GS_BASE = 0xC0000102;
    public static final int MSR_TSC_AUX = 0xC0000103;
    public static final int MSR_APIC_BASE = 0x1B;
    public static final int MSR_TSC_ADJUST = 0x3B;
    public static final int MSR_SYSENTER_CS = 0x174;
    public static final int MSR_SYSENTER_ESP = 0x175;
    public static final int MSR_SYSENTER_EIP = 0x176;
    public static final int MSR_MISC_ENABLE = 0x1A0;
    public static final int MSR_TSC_DEADLINE = 0x6E0;
    /**
     * What RDMSR of {@code IA32_APIC_BASE} shows: the x2APIC at 0xFEE00000, enabled in x2APIC
     * mode; the BSP flag (bit 8) is added for the boot VCPU only.
     */
    public static final long APIC_BASE_VALUE = 0xFEE00000L | 0x800 | 0x400;
    public static final long APIC_BASE_BSP = 0x100;
    /** x2APIC registers (MSR 0x800 + APIC register offset / 16). */
    public static final int MSR_X2APIC_ID = 0x802;
    public static final int MSR_X2APIC_VERSION = 0x803;
    public static final int MSR_X2APIC_TPR = 0x808;
    public static final int MSR_X2APIC_EOI = 0x80B;
    public static final int MSR_X2APIC_LDR = 0x80D;
    public static final int MSR_X2APIC_SVR = 0x80F;
    public static final int MSR_X2APIC_ESR = 0x828;
    public static final int MSR_X2APIC_LVT_CMCI = 0x82F;
    public static final int MSR_X2APIC_ICR = 0x830;
    public static final int MSR_X2APIC_LVT_TIMER = 0x832;
    public static final int MSR_X2APIC_LVT_THERMAL = 0x833;
    public static final int MSR_X2APIC_LVT_PMC = 0x834;
    public static final int MSR_X2APIC_LVT_LINT0 = 0x835;
    public static final int MSR_X2APIC_LVT_LINT1 = 0x836;
    public static final int MSR_X2APIC_LVT_ERROR = 0x837;
    public static final int MSR_X2APIC_INITIAL_COUNT = 0x838;
    public static final int MSR_X2APIC_DCR = 0x83E;
    public static final int MSR_X2APIC_SELF_IPI = 0x83F;
    /** The x2APIC version register as the kernel reports it: version 0x15, 7 LVT entries. */
    public static final long X2APIC_VERSION_VALUE = 0x15 | (6L << 16);
    private static final long LVT_MASKED = 1L << 16;
    private long lvtTimer = LVT_MASKED;
    private long sysenterCs, sysenterEsp, sysenterEip;
    private long tscAux, tscAdjust, lastTsc;
    private boolean tscRead;

    // ---- segment indexes and attributes (VMX access-rights format) ------------------------
    public static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;
    /** Present, accessed execute/read code segment with the L (64-bit) bit. */
    public static final int ATTR_CODE64 = 0x209B;
    /** Present, accessed execute/read 16-bit code segment. */
    public static final int ATTR_CODE16 = 0x009B;
    /** Present, accessed read/write data segment. */
    public static final int ATTR_DATA = 0x0093;
    private static final int ATTR_L = 0x2000;
    private static final int ATTR_DB = 0x4000;

    /** Register indexes in {@link #reg(int)} order (x86 encoding order). */
    public static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;

    /** Size of the x86 {@code zx_vcpu_state_t}. */
    public static final int VCPU_STATE_SIZE = 136;

    /** Interrupt vectors with an error code. */
    private static boolean hasErrorCode(int v) {
        return v == 8 || (v >= 10 && v <= 14) || v == 17;
    }

    private static final VarHandle I16 =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Segment register contents (hidden part included). */
    public record SegmentRegister(int selector, long base, long limit, int attributes) {}

    /** GDTR or IDTR. */
    public record TableRegister(long base, int limit) {}

    // ---- architectural state --------------------------------------------------------------
    final long[] regs = new long[16];
    long rip;
    /** Non-arithmetic flags always; arithmetic flags when {@link #lfOp} is LF_NONE. */
    long rflags = FLAG_RESERVED_ONE;
    private long cr0, cr2, cr3, cr4, cr8, efer;
    private long cr0Shadow = CR0_ET;
    private final int[] segSel = new int[6];
    private final long[] segBase = new long[6];
    private final long[] segLimit = new long[6];
    private final int[] segAttr = new int[6];
    private long trBase;
    private long gdtrBase, idtrBase;
    private int gdtrLimit, idtrLimit;
    private long kernelGsBase, star, lstar, cstar, sfmask, pat = 0x0007040600070406L;
    boolean shadow, shadowFresh;
    private boolean halted;
    private boolean shutdown;
    private final int apicId;

    // ---- lazy flags -----------------------------------------------------------------------
    static final int LF_NONE = 0, LF_ADD = 1, LF_ADC = 2, LF_SUB = 3, LF_SBB = 4,
            LF_LOGIC = 5, LF_INC = 6, LF_DEC = 7;
    int lfOp;
    int lfSize;
    long lfA, lfB, lfR, lfCin;
    // Flags computed by an instruction but committed only after its last memory write.
    private int pOp, pSize;
    private long pA, pB, pR, pCin;

    // ---- engine state ---------------------------------------------------------------------
    private final GuestPhysicalBus bus;
    private volatile boolean stopRequested;
    private boolean windowExiting;
    private int pendingInjection = -1;
    long retired;
    private LongSupplier tscSource = System::nanoTime;
    private int codeSize = 64;
    private long nip;
    Insn cur;
    VcpuExit exitPending;
    /** Set when a write dropped cached code; the running block stops after that instruction. */
    boolean codeInvalidated;

    private static final int TLB_SIZE = 256;
    private static final long TLB_VALID = 1L << 62;
    /** Marks a write-TLB entry of a page holding decoded code: writes take the checking path. */
    private static final long TLB_CODE = 1L << 61;
    private final long[] rTag = new long[TLB_SIZE];
    private final byte[][] rPage = new byte[TLB_SIZE][];
    private final long[] wTag = new long[TLB_SIZE];
    private final byte[][] wPage = new byte[TLB_SIZE][];
    private final long[] wPfn = new long[TLB_SIZE];
    private final CodePage[] wCode = new CodePage[TLB_SIZE];
    private final long[] xTag = new long[TLB_SIZE];
    private final long[] xPfn = new long[TLB_SIZE];
    private long missGpa;

    private static final int MAX_BLOCK = 64;
    private static final int MAX_REP_PER_STEP = 4096;

    /** A guest-physical page holding decoded code: which bytes, and the blocks decoded from it. */
    private static final class CodePage {
        final long[] bytes = new long[GuestPhysicalBus.PAGE_SIZE / 64];
        final ArrayList<Long> keys = new ArrayList<>();

        void mark(int off, int len) {
            for (int k = off; k < off + len; k++) {
                bytes[k >>> 6] |= 1L << k;
            }
        }

        boolean overlaps(int off, int len) {
            for (int k = off; k < off + len; k++) {
                if ((bytes[k >>> 6] & (1L << k)) != 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Blocks by guest-physical address | mode key. */
    private final HashMap<Long, CodeBlock> blocks = new HashMap<>();
    private final HashMap<Long, CodePage> codePages = new HashMap<>();
    /**
     * Advanced whenever a block link or jump-cache entry may have become wrong: cached code
     * dropped, TLB flushed, paging or mode changed. Links and entries of older epochs are ignored.
     */
    long codeEpoch;
    private static final int JUMP_CACHE_SIZE = 4096;
    /** Blocks by linear address (64-bit mode), valid in the epoch stored beside them. */
    private final CodeBlock[] jumpCache = new CodeBlock[JUMP_CACHE_SIZE];
    private final long[] jumpCacheEpoch = new long[JUMP_CACHE_SIZE];
    /** Whether 64-bit blocks are built as {@link CodeBlock.OpBlock}s (else interpreted; for tests). */
    boolean compileBlocks = true;

    private X86Cpu(GuestPhysicalBus bus, int apicId) {
        this.bus = bus;
        this.apicId = apicId;
    }

    /**
     * The boot VCPU (the guest's first VCPU, VPID 1) as {@code zx_vcpu_create} leaves it: 64-bit
     * long mode, paging on with CR3 = 0, RIP = {@code entry}, RFLAGS = 0x2, all GPRs 0.
     */
    public static X86Cpu newBootProcessor(GuestPhysicalBus bus, long entry) {
        X86Cpu c = new X86Cpu(bus, 0);
        c.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
        c.cr4 = CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_FSGSBASE | CR4_OSXSAVE;
        c.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
        c.initSegments(0, 0, ATTR_CODE64);
        c.rip = entry;
        c.updateMode();
        return c;
    }

    /**
     * An application processor (every later VCPU): real mode, paging off, CS.selector =
     * {@code entry >> 4}, CS.base = {@code entry}, RIP = 0, RFLAGS = 0x2.
     *
     * @param apicId the initial APIC ID reported by CPUID (VPID − 1)
     */
    public static X86Cpu newApplicationProcessor(GuestPhysicalBus bus, long entry, int apicId) {
        X86Cpu c = new X86Cpu(bus, apicId);
        c.cr0 = CR0_ET | CR0_NE | CR0_WP;
        c.cr4 = CR4_OSFXSR | CR4_FSGSBASE | CR4_OSXSAVE;
        c.efer = EFER_SCE | EFER_NXE;
        c.initSegments((int) (entry >>> 4) & 0xFFFF, entry, ATTR_CODE16);
        c.rip = 0;
        c.updateMode();
        return c;
    }

    private void initSegments(int csSel, long csBase, int csAttr) {
        for (int s = 0; s < 6; s++) {
            segSel[s] = 0;
            segBase[s] = 0;
            segLimit[s] = 0xFFFF;
            segAttr[s] = ATTR_DATA;
        }
        segSel[CS] = csSel;
        segBase[CS] = csBase;
        segAttr[CS] = csAttr;
        gdtrLimit = 0xFFFF;
        idtrLimit = 0xFFFF;
    }

    // =====================================================================================
    // Public state access
    // =====================================================================================

    /** General-purpose register {@code index} (0 = RAX … 15 = R15). */
    public long reg(int index) {
        return regs[index];
    }

    /** Sets general-purpose register {@code index} (0 = RAX … 15 = R15). */
    public void setReg(int index, long value) {
        regs[index] = value;
    }

    public long rip() {
        return rip;
    }

    public void setRip(long value) {
        rip = value;
    }

    /** The full RFLAGS value (lazy flags materialised; bit 1 always set). */
    public long rflags() {
        return (rflags & ~FLAGS_ARITH) | arith() | FLAG_RESERVED_ONE;
    }

    /** Sets RFLAGS directly (no masking except forcing bit 1). */
    public void setRflags(long value) {
        rflags = (value & FLAGS_WRITABLE) | FLAG_RESERVED_ONE;
        lfOp = LF_NONE;
    }

    public long cr0() { return cr0; }
    public long cr2() { return cr2; }
    public long cr3() { return cr3; }
    public long cr4() { return cr4; }
    public long efer() { return efer; }

    /** Sets CR3 and flushes the TLB. */
    public void setCr3(long value) {
        cr3 = value;
        flushTlb();
    }

    public SegmentRegister segment(int index) {
        return new SegmentRegister(segSel[index], segBase[index], segLimit[index], segAttr[index]);
    }

    /** Loads a segment register's visible and hidden parts directly. */
    public void setSegment(int index, SegmentRegister s) {
        segSel[index] = s.selector();
        segBase[index] = s.base();
        segLimit[index] = s.limit();
        segAttr[index] = s.attributes();
        updateMode();
    }

    public TableRegister gdtr() { return new TableRegister(gdtrBase, gdtrLimit); }
    public TableRegister idtr() { return new TableRegister(idtrBase, idtrLimit); }

    /** Whether the last instruction was an STI that set IF, or a MOV/POP SS (one-instruction shadow). */
    public boolean interruptShadow() { return shadow; }

    /** Whether the last exit was a HLT (cleared by {@link #run} and by event delivery). */
    public boolean halted() { return halted; }

    /** Whether the CPU is in 64-bit mode (EFER.LMA and CS.L). */
    public boolean is64BitMode() { return codeSize == 64; }

    /** Code-segment size in bits: 16, 32 or 64. */
    public int codeSize() { return codeSize; }

    /** Instructions retired since creation. */
    public long instructionsRetired() { return retired; }

    /** Source of RDTSC values (default {@link System#nanoTime()}). */
    public void setTimeStampCounter(LongSupplier source) {
        tscSource = source;
    }

    /**
     * Fills {@code buf[0..136)} with the x86 {@code zx_vcpu_state_t}: rax rcx rdx rbx rsp rbp rsi
     * rdi r8–r15, then RFLAGS masked to {@link #FLAGS_USER} (as {@code zx_vcpu_read_state}).
     */
    public void readState(byte[] buf) {
        for (int k = 0; k < 16; k++) {
            I64.set(buf, k * 8, regs[k]);
        }
        I64.set(buf, 128, rflags() & FLAGS_USER);
    }

    /**
     * Loads registers from a 136-byte x86 {@code zx_vcpu_state_t} (as {@code zx_vcpu_write_state}):
     * all GPRs; RFLAGS only if bit 1 is set in the supplied value, and then only the
     * {@link #FLAGS_USER} bits are merged.
     */
    public void writeState(byte[] buf) {
        for (int k = 0; k < 16; k++) {
            regs[k] = (long) I64.get(buf, k * 8);
        }
        long f = (long) I64.get(buf, 128);
        if ((f & FLAG_RESERVED_ONE) != 0) {
            setRflags((rflags() & ~FLAGS_USER) | (f & FLAGS_USER));
        }
    }

    /**
     * The {@code ZX_VCPU_IO} write: copies the low {@code accessSize} bytes of {@code data} into
     * the low bytes of RAX, leaving the rest of RAX alone. (For a 4-byte IN the upper half of RAX
     * was already zeroed when the IN exited, as the kernel's exit handler does.)
     *
     * @param accessSize 1, 2 or 4
     * @throws IllegalArgumentException for another access size (the kernel reports INVALID_ARGS
     *     before calling this)
     */
    public void writeIoInput(int accessSize, int data) {
        long m;
        switch (accessSize) {
            case 1: m = 0xFFL; break;
            case 2: m = 0xFFFFL; break;
            case 4: m = 0xFFFFFFFFL; break;
            default: throw new IllegalArgumentException("access size " + accessSize);
        }
        regs[RAX] = (regs[RAX] & ~m) | (data & m);
    }

    // =====================================================================================
    // Interrupts and run control
    // =====================================================================================

    /** Whether an external interrupt (vector ≥ 32) can be delivered now: IF = 1 and no shadow. */
    public boolean canTakeExternalInterrupt() {
        return (rflags & FLAG_IF) != 0 && !shadow;
    }

    /**
     * Queues {@code vector} for delivery through the guest IDT at the start of the next
     * {@link #run}, like VMX event injection at VM entry. The kernel chooses the vector (NMI
     * first, then highest pending; externals only when {@link #canTakeExternalInterrupt()}).
     * Vectors 8, 10–14 and 17 push error code 0. Delivery failures (bad gate, stack fault, ...)
     * escalate to #DF and then to a triple-fault exit reported by {@code run}.
     *
     * @param vector 0–20 or 32–255
     * @throws IllegalArgumentException for vectors 21–31 or outside 0–255 (the kernel rejects
     *     those itself)
     */
    public void injectVector(int vector) {
        if (vector < 0 || vector > 255 || (vector >= 21 && vector <= 31)) {
            throw new IllegalArgumentException("vector " + vector);
        }
        pendingInjection = vector;
    }

    /** The vector queued by {@link #injectVector} and not yet delivered, or -1. */
    public int pendingInjection() {
        return pendingInjection;
    }

    /**
     * Asks a running (or the next) {@link #run} to return {@link VcpuExit.Stopped} with
     * {@link VcpuExit.StopReason#STOP_REQUESTED} at the next basic-block boundary. Safe from any
     * thread. The request is consumed by the run that honours it.
     */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * While enabled, {@link #run} returns {@link VcpuExit.StopReason#INTERRUPT_WINDOW} as soon as
     * {@link #canTakeExternalInterrupt()} holds at an instruction boundary (interrupt-window
     * exiting, used while an external interrupt is pending but blocked).
     */
    public void setInterruptWindowExiting(boolean enabled) {
        windowExiting = enabled;
    }

    /**
     * Runs guest code until an exit. Delivers a vector queued by {@link #injectVector} first.
     *
     * @param maxInstructions instruction budget; the run stops with
     *     {@link VcpuExit.StopReason#BUDGET_EXHAUSTED} at the first block boundary at or after it
     * @return the exit; never {@code null}; guest behaviour never throws
     */
    public VcpuExit run(long maxInstructions) {
        if (shutdown) {
            return new VcpuExit.ErrorExit(ZX_ERR_BAD_STATE, "VCPU is in shutdown (triple fault)");
        }
        halted = false;
        try {
            if (pendingInjection >= 0) {
                int v = pendingInjection;
                pendingInjection = -1;
                VcpuExit e = raise(v, hasErrorCode(v), 0);
                if (e != null) {
                    return e;
                }
            }
            codeInvalidated = false;
            long end = retired + maxInstructions;
            CodeBlock prev = null;
            for (;;) {
                if (stopRequested) {
                    stopRequested = false;
                    return new VcpuExit.Stopped(VcpuExit.StopReason.STOP_REQUESTED);
                }
                if (windowExiting && canTakeExternalInterrupt()) {
                    return new VcpuExit.Stopped(VcpuExit.StopReason.INTERRUPT_WINDOW);
                }
                if (retired - end >= 0) {
                    return new VcpuExit.Stopped(VcpuExit.StopReason.BUDGET_EXHAUSTED);
                }
                try {
                    if (shadow) {
                        // One instruction, so the shadow ends at an instruction boundary the
                        // loop sees.
                        prev = null;
                        interpret(lookup().insns, 1);
                    } else {
                        long ip = rip;
                        CodeBlock b = prev == null ? null : prev.successor(ip, codeEpoch);
                        if (b == null) {
                            b = lookup();
                            if (prev != null && b.cacheable && codeSize == 64) {
                                prev.link(ip, b, codeEpoch);
                            }
                        }
                        b.run(this);
                        prev = b;
                    }
                } catch (CpuSignal s) {
                    prev = null;
                    if (s.kind == CpuSignal.CODE_WRITTEN) {
                        codeInvalidated = false;
                    } else {
                        VcpuExit e = handleSignal(s);
                        if (e != null) {
                            return e;
                        }
                    }
                }
                VcpuExit e = exitPending;
                if (e != null) {
                    exitPending = null;
                    return e;
                }
            }
        } catch (RuntimeException e) {
            // An emulator bug, not guest behaviour: still never thrown at the kernel.
            return new VcpuExit.ErrorExit(ZX_ERR_INTERNAL, "emulator failure: " + e);
        }
    }

    /**
     * Runs the first {@code n} instructions of {@code insns} one by one through {@link #exec},
     * stopping early after an instruction that dropped cached code. On a signal the retired count
     * covers the instructions before the one that raised it.
     */
    void interpret(Insn[] insns, int n) {
        int done = 0;
        try {
            for (; done < n; ) {
                Insn in = insns[done];
                cur = in;
                exec(in);
                done++;
                if (shadow) {
                    if (shadowFresh) {
                        shadowFresh = false;
                    } else {
                        shadow = false;
                    }
                }
                if (codeInvalidated) {
                    codeInvalidated = false;
                    break;
                }
            }
            retired += done;
        } catch (CpuSignal s) {
            retired += done;
            throw s;
        }
    }

    private VcpuExit handleSignal(CpuSignal s) {
        switch (s.kind) {
            case CpuSignal.FAULT:
                return raise(s.vector, s.hasErrorCode, s.errorCode);
            case CpuSignal.SOFT_INT:
                retired++;
                // RIP is past the INT n; a fault while delivering it points at the INT n.
                return raise(s.vector, false, 0, maskIp(rip - cur.len));
            case CpuSignal.MEM_TRAP: {
                Insn in = cur;
                rip = maskIp(rip + in.len);
                retired++;
                int dos = (codeSize == 64 || (segAttr[CS] & ATTR_DB) != 0) ? 4 : 2;
                return new VcpuExit.MemExit(s.addr, in.len, in.bytes, dos);
            }
            case CpuSignal.BELL_TRAP:
                rip = maskIp(rip + cur.len);
                retired++;
                return new VcpuExit.BellExit(s.addr);
            default:
                return new VcpuExit.ErrorExit(s.status, s.getMessage());
        }
    }

    private static boolean contributory(int v) {
        return v == 0 || (v >= 10 && v <= 13);
    }

    /**
     * Delivers an event, applying the double-fault rules when delivery itself faults. Returns
     * null on success or the exit that ends the run.
     */
    private VcpuExit raise(int vector, boolean hasErr, int err) {
        return raise(vector, hasErr, err, rip);
    }

    private VcpuExit raise(int vector, boolean hasErr, int err, long faultRip) {
        for (;;) {
            try {
                deliver(vector, hasErr, err);
                return null;
            } catch (CpuSignal s) {
                rip = faultRip;
                if (s.kind == CpuSignal.ERROR) {
                    return new VcpuExit.ErrorExit(s.status, s.getMessage());
                }
                if (s.kind != CpuSignal.FAULT) {
                    return new VcpuExit.ErrorExit(ZX_ERR_NOT_SUPPORTED,
                            "event delivery touched a trapped guest-physical page");
                }
                int second = s.vector;
                if (vector == 8) {
                    shutdown = true;
                    return new VcpuExit.ErrorExit(ZX_ERR_BAD_STATE,
                            "triple fault (exception " + second + " while delivering #DF)");
                }
                if ((contributory(vector) && contributory(second))
                        || (vector == 14 && (contributory(second) || second == 14))) {
                    vector = 8;
                    hasErr = true;
                    err = 0;
                } else {
                    vector = second;
                    hasErr = s.hasErrorCode;
                    err = s.errorCode;
                }
            }
        }
    }

    private void deliver(int vector, boolean hasErr, int err) {
        if ((efer & EFER_LMA) != 0) {
            deliverLong(vector, hasErr, err);
        } else if ((cr0 & CR0_PE) == 0) {
            deliverReal(vector);
        } else {
            deliverProtected(vector, hasErr, err);
        }
        shadow = false;
        shadowFresh = false;
        halted = false;
    }

    private void deliverLong(int vector, boolean hasErr, int err) {
        if (vector * 16 + 15 > idtrLimit) {
            throw CpuSignal.fault(13, vector * 8 + 2);
        }
        long gate = idtrBase + vector * 16L;
        long lo = readMem(gate, 8);
        long hi = readMem(gate + 8, 8);
        int type = (int) (lo >>> 40) & 0x1F;
        if (type != 0x0E && type != 0x0F) {
            throw CpuSignal.fault(13, vector * 8 + 2);
        }
        if ((lo & (1L << 47)) == 0) {
            throw CpuSignal.fault(11, vector * 8 + 2);
        }
        long target = (lo & 0xFFFFL) | ((lo >>> 32) & 0xFFFF0000L) | (hi << 32);
        int sel = (int) (lo >>> 16) & 0xFFFF;
        int ist = (int) (lo >>> 32) & 7;
        if (!canonical(target)) {
            throw CpuSignal.fault(13, 0);
        }
        long code = codeDescriptor(sel, CODE_GATE);
        long sp = regs[RSP];
        if (ist != 0) {
            sp = readMem(trBase + 0x24 + (ist - 1) * 8L, 8);
        }
        sp &= ~0xFL;
        long flags = rflags();
        long[] frame = {segSel[SS], regs[RSP], flags, segSel[CS], rip, err};
        int count = hasErr ? 6 : 5;
        for (int k = 0; k < count; k++) {
            writeMem(sp - 8L * (k + 1), 8, frame[k]);
        }
        regs[RSP] = sp - 8L * count;
        loadCode(sel, code);
        long clear = FLAG_TF | FLAG_NT | FLAG_RF | FLAG_VM;
        if (type == 0x0E) {
            clear |= FLAG_IF;
        }
        rflags &= ~clear;
        rip = target;
    }

    private void deliverReal(int vector) {
        if (vector * 4 + 3 > idtrLimit) {
            throw CpuSignal.fault(13, vector * 8 + 2);
        }
        long ent = readMem((idtrBase + vector * 4L) & 0xFFFFFFFFL, 4);
        long flags = rflags();
        int sp = (int) regs[RSP] & 0xFFFF;
        long ss = segBase[SS];
        writeMem((ss + ((sp - 2) & 0xFFFF)) & 0xFFFFFFFFL, 2, flags);
        writeMem((ss + ((sp - 4) & 0xFFFF)) & 0xFFFFFFFFL, 2, segSel[CS]);
        writeMem((ss + ((sp - 6) & 0xFFFF)) & 0xFFFFFFFFL, 2, rip);
        regs[RSP] = (regs[RSP] & ~0xFFFFL) | ((sp - 6) & 0xFFFF);
        rflags &= ~(FLAG_IF | FLAG_TF | FLAG_AC);
        int sel = (int) (ent >>> 16) & 0xFFFF;
        segSel[CS] = sel;
        segBase[CS] = (long) sel << 4;
        rip = ent & 0xFFFF;
    }

    /**
     * Event delivery in protected mode without long mode: an 8-byte gate of the IDT, interrupt
     * or trap, 16- or 32-bit, to a code segment of the GDT. Everything runs at CPL 0, so the
     * frame (EFLAGS, CS, EIP and the error code) goes on the current stack; a task gate ends
     * the run (task switches are not modelled).
     */
    private void deliverProtected(int vector, boolean hasErr, int err) {
        int gateErr = vector * 8 + 2;
        if (vector * 8 + 7 > idtrLimit) {
            throw CpuSignal.fault(13, gateErr);
        }
        long gate = readMem(linear0(idtrBase + vector * 8L), 8);
        int type = (int) (gate >>> 40) & 0x1F;
        if (type == 0x05) {
            throw CpuSignal.error(ZX_ERR_NOT_SUPPORTED, "task gate for vector " + vector
                    + ": task switches are not modelled");
        }
        if (type != 0x06 && type != 0x07 && type != 0x0E && type != 0x0F) {
            throw CpuSignal.fault(13, gateErr);
        }
        if ((gate & (1L << 47)) == 0) {
            throw CpuSignal.fault(11, gateErr);
        }
        boolean gate32 = (type & 8) != 0;
        int sel = (int) (gate >>> 16) & 0xFFFF;
        long target = (gate & 0xFFFF) | (gate32 ? (gate >>> 32) & 0xFFFF0000L : 0);
        long code = codeDescriptor(sel, CODE_GATE);
        int w = gate32 ? 4 : 2;
        long[] frame = {rflags(), segSel[CS], rip, err & 0xFFFFFFFFL};
        int count = hasErr ? 4 : 3;
        long ssMask = mask(stackSize());
        long sp = regs[RSP];
        for (int k = 0; k < count; k++) {
            writeMem(linear(SS, (sp - (long) w * (k + 1)) & ssMask), w, frame[k]);
        }
        setSp(sp - (long) w * count);
        long clear = FLAG_TF | FLAG_NT | FLAG_RF | FLAG_VM;
        if ((type & 1) == 0) {
            clear |= FLAG_IF;
        }
        rflags &= ~clear;
        loadCode(sel, code);
        rip = target;
    }

    // =====================================================================================
    // Code cache
    // =====================================================================================

    /** Drops all cached decoded code. */
    public void invalidateAllCode() {
        blocks.clear();
        codePages.clear();
        Arrays.fill(wTag, 0);
        Arrays.fill(wCode, null);
        codeEpoch++;
    }

    /**
     * Drops cached decoded code for the guest-physical range {@code [gpa, gpa + length)}. Call
     * after writing guest RAM other than through this CPU.
     */
    public void invalidateCode(long gpa, long length) {
        if (length <= 0) {
            return;
        }
        for (long pn = gpa >>> 12; pn <= (gpa + length - 1) >>> 12; pn++) {
            invalidatePage(pn);
        }
    }

    /** Flushes the software TLB (call when the RAM/trap layout of guest-physical memory changes). */
    public void flushTlb() {
        Arrays.fill(rTag, 0);
        Arrays.fill(wTag, 0);
        Arrays.fill(xTag, 0);
        Arrays.fill(rPage, null);
        Arrays.fill(wPage, null);
        Arrays.fill(wCode, null);
        codeEpoch++;
    }

    private void invalidatePage(long pn) {
        CodePage cp = codePages.remove(pn);
        if (cp != null) {
            for (Long k : cp.keys) {
                blocks.remove(k);
            }
            for (int k = 0; k < TLB_SIZE; k++) {
                if (wCode[k] == cp) {
                    wTag[k] &= ~TLB_CODE;
                    wCode[k] = null;
                }
            }
            codeInvalidated = true;
            codeEpoch++;
        }
    }

    private long modeKey() {
        return codeSize == 64 ? 2L << 60 : codeSize == 32 ? 1L << 60 : 0;
    }

    /** The block at RIP: from the jump cache (64-bit mode), else decoded or found by address. */
    private CodeBlock lookup() {
        if (codeSize != 64) {
            return blockAt((segBase[CS] + rip) & 0xFFFFFFFFL);
        }
        long la = rip;
        int h = (int) (la ^ (la >>> 12)) & (JUMP_CACHE_SIZE - 1);
        CodeBlock b = jumpCache[h];
        if (b != null && b.la == la && jumpCacheEpoch[h] == codeEpoch) {
            return b;
        }
        b = blockAt(la);
        if (b.cacheable) {
            jumpCache[h] = b;
            jumpCacheEpoch[h] = codeEpoch;
        }
        return b;
    }

    private CodeBlock blockAt(long la) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        long pfn;
        if (xTag[idx] == (vpn | TLB_VALID)) {
            pfn = xPfn[idx];
        } else {
            pfn = translate(la, 2) >>> 12;
            xTag[idx] = vpn | TLB_VALID;
            xPfn[idx] = pfn;
        }
        long gpa = (pfn << 12) | (la & 0xFFF);
        long key = gpa | modeKey();
        CodeBlock b = blocks.get(key);
        if (b == null || b.la != la) {
            // (The same physical code reached at another linear address is decoded again: 64-bit
            // blocks hold absolute addresses.)
            b = build(la, gpa, key);
        }
        return b;
    }

    private byte[] codePage(long gpa) {
        byte[] page = bus.ramPage(gpa >>> 12);
        if (page == null) {
            throw CpuSignal.error(ZX_ERR_OUT_OF_RANGE,
                    "instruction fetch from guest-physical 0x" + Long.toHexString(gpa)
                            + ", which is not RAM");
        }
        return page;
    }

    private CodeBlock build(long la, long gpa, long key) {
        byte[] page = codePage(gpa);
        int off = (int) (gpa & 0xFFF);
        ArrayList<Insn> list = new ArrayList<>();
        byte[] buf = new byte[15];
        for (;;) {
            int avail = Math.min(15, 4096 - off);
            System.arraycopy(page, off, buf, 0, avail);
            Insn in;
            try {
                in = Decoder.decode(buf, avail, codeSize);
            } catch (Decoder.NeedMore e) {
                if (list.isEmpty()) {
                    return straddle(la, page, off);
                }
                break;
            }
            list.add(in);
            off += in.len;
            if (in.endsBlock || list.size() >= MAX_BLOCK || off >= 4096) {
                break;
            }
        }
        Insn[] insns = list.toArray(new Insn[0]);
        CodeBlock b = codeSize == 64 && compileBlocks
                ? Ops.compile(insns, la)
                : new CodeBlock.InterpretedBlock(la, codeSize, insns, true);
        long pn = gpa >>> 12;
        CodePage cp = codePages.get(pn);
        if (cp == null) {
            cp = new CodePage();
            codePages.put(pn, cp);
        }
        if (blocks.put(key, b) == null) {
            cp.keys.add(key);
        }
        cp.mark((int) (gpa & 0xFFF), off - (int) (gpa & 0xFFF));
        for (int k = 0; k < TLB_SIZE; k++) {
            if ((wTag[k] & TLB_VALID) != 0 && wPfn[k] == pn) {
                wTag[k] |= TLB_CODE;
                wCode[k] = cp;
            }
        }
        return b;
    }

    /** An instruction crossing a page boundary: decoded afresh every time, never cached. */
    private CodeBlock straddle(long la, byte[] page, int off) {
        byte[] buf = new byte[15];
        int first = 4096 - off;
        System.arraycopy(page, off, buf, 0, first);
        long nextLa = codeSize == 64 ? la + first : (la + first) & 0xFFFFFFFFL;
        byte[] next = codePage(translate(nextLa, 2));
        System.arraycopy(next, 0, buf, first, 15 - first);
        return new CodeBlock.InterpretedBlock(la, codeSize,
                new Insn[] {Decoder.decode(buf, 15, codeSize)}, false);
    }

    // =====================================================================================
    // Paging and memory
    // =====================================================================================

    static boolean canonical(long la) {
        return ((la << 16) >> 16) == la;
    }

    private static final long ADDR_MASK = 0x000FFFFFFFFFF000L;
    private static final long PTE_P = 1, PTE_RW = 2, PTE_A = 1L << 5, PTE_D = 1L << 6,
            PTE_PS = 1L << 7, PTE_NX = 1L << 63;

    private long physRead64(long gpa) {
        byte[] p = bus.ramPage(gpa >>> 12);
        if (p == null) {
            throw CpuSignal.error(ZX_ERR_OUT_OF_RANGE,
                    "page-table access to guest-physical 0x" + Long.toHexString(gpa)
                            + ", which is not RAM");
        }
        return (long) I64.get(p, (int) (gpa & 0xFF8));
    }

    private void physWrite64(long gpa, long v) {
        byte[] p = bus.ramPage(gpa >>> 12);
        I64.set(p, (int) (gpa & 0xFF8), v);
    }

    private CpuSignal pageFault(long la, boolean present, int access) {
        int err = (present ? 1 : 0) | (access == 1 ? 2 : 0)
                | (access == 2 && (efer & EFER_NXE) != 0 && (cr4 & CR4_PAE) != 0 ? 16 : 0);
        cr2 = la;
        return CpuSignal.fault(14, err);
    }

    /**
     * Linear → guest-physical translation.
     *
     * @param access 0 read, 1 write, 2 instruction fetch
     */
    private long translate(long la, int access) {
        if ((cr0 & CR0_PG) == 0) {
            return la & 0xFFFFFFFFL;
        }
        if ((efer & EFER_LMA) == 0) {
            return translateLegacy(la & 0xFFFFFFFFL, access);
        }
        if (!canonical(la)) {
            throw CpuSignal.fault(13, 0);
        }
        long table = cr3 & ADDR_MASK;
        boolean writable = true;
        boolean nx = false;
        for (int level = 3; level >= 0; level--) {
            long ea = table + (((la >>> (12 + 9 * level)) & 511) << 3);
            long e = physRead64(ea);
            if ((e & PTE_P) == 0) {
                throw pageFault(la, false, access);
            }
            writable &= (e & PTE_RW) != 0;
            nx |= (e & PTE_NX) != 0 && (efer & EFER_NXE) != 0;
            boolean leaf = level == 0 || ((level == 1 || level == 2) && (e & PTE_PS) != 0);
            if (leaf) {
                if ((access == 1 && !writable && (cr0 & CR0_WP) != 0) || (access == 2 && nx)) {
                    throw pageFault(la, true, access);
                }
                long ne = e | PTE_A | (access == 1 ? PTE_D : 0);
                if (ne != e) {
                    physWrite64(ea, ne);
                }
                long pageMask = (1L << (12 + 9 * level)) - 1;
                return ((e & ADDR_MASK) & ~pageMask) | (la & pageMask);
            }
            if ((e & PTE_A) == 0) {
                physWrite64(ea, e | PTE_A);
            }
            table = e & ADDR_MASK;
        }
        throw new IllegalStateException("unreachable");
    }

    private long physRead32(long gpa) {
        byte[] p = bus.ramPage(gpa >>> 12);
        if (p == null) {
            throw CpuSignal.error(ZX_ERR_OUT_OF_RANGE,
                    "page-table access to guest-physical 0x" + Long.toHexString(gpa)
                            + ", which is not RAM");
        }
        return ((int) I32.get(p, (int) (gpa & 0xFFC))) & 0xFFFFFFFFL;
    }

    private void physWrite32(long gpa, long v) {
        byte[] p = bus.ramPage(gpa >>> 12);
        I32.set(p, (int) (gpa & 0xFFC), (int) v);
    }

    /**
     * Paging outside long mode: 32-bit paging (CR4.PAE = 0; 4 KiB pages, 4 MiB pages when
     * CR4.PSE = 1, no NX) or PAE paging (CR4.PAE = 1; 4 KiB and 2 MiB pages, NX with
     * EFER.NXE). The four PDPTEs are read at each walk rather than cached at MOV to CR3, and
     * reserved bits are not checked.
     */
    private long translateLegacy(long la, int access) {
        boolean writable = true;
        if ((cr4 & CR4_PAE) == 0) {
            long pdeAddr = (cr3 & 0xFFFFF000L) + ((la >>> 22) << 2);
            long pde = physRead32(pdeAddr);
            if ((pde & PTE_P) == 0) {
                throw pageFault(la, false, access);
            }
            writable = (pde & PTE_RW) != 0;
            boolean large = (pde & PTE_PS) != 0 && (cr4 & CR4_PSE) != 0;
            long pteAddr = pdeAddr;
            long pte = pde;
            if (!large) {
                if ((pde & PTE_A) == 0) {
                    physWrite32(pdeAddr, pde | PTE_A);
                }
                pteAddr = (pde & 0xFFFFF000L) + (((la >>> 12) & 0x3FF) << 2);
                pte = physRead32(pteAddr);
                if ((pte & PTE_P) == 0) {
                    throw pageFault(la, false, access);
                }
                writable &= (pte & PTE_RW) != 0;
            }
            if (access == 1 && !writable && (cr0 & CR0_WP) != 0) {
                throw pageFault(la, true, access);
            }
            long ne = pte | PTE_A | (access == 1 ? PTE_D : 0);
            if (ne != pte) {
                physWrite32(pteAddr, ne);
            }
            if (large) {
                return (pte & 0xFFC00000L) | (((pte >>> 13) & 0xFF) << 32) | (la & 0x3FFFFF);
            }
            return (pte & 0xFFFFF000L) | (la & 0xFFF);
        }
        long pdpte = physRead64((cr3 & 0xFFFFFFE0L) + ((la >>> 30) << 3));
        if ((pdpte & PTE_P) == 0) {
            throw pageFault(la, false, access);
        }
        long table = pdpte & ADDR_MASK;
        boolean nx = false;
        for (int level = 1; level >= 0; level--) {
            long ea = table + (((la >>> (12 + 9 * level)) & 511) << 3);
            long e = physRead64(ea);
            if ((e & PTE_P) == 0) {
                throw pageFault(la, false, access);
            }
            writable &= (e & PTE_RW) != 0;
            nx |= (e & PTE_NX) != 0 && (efer & EFER_NXE) != 0;
            if (level == 0 || (e & PTE_PS) != 0) {
                if ((access == 1 && !writable && (cr0 & CR0_WP) != 0) || (access == 2 && nx)) {
                    throw pageFault(la, true, access);
                }
                long ne = e | PTE_A | (access == 1 ? PTE_D : 0);
                if (ne != e) {
                    physWrite64(ea, ne);
                }
                long pageMask = (1L << (12 + 9 * level)) - 1;
                return ((e & ADDR_MASK) & ~pageMask) | (la & pageMask);
            }
            if ((e & PTE_A) == 0) {
                physWrite64(ea, e | PTE_A);
            }
            table = e & ADDR_MASK;
        }
        throw new IllegalStateException("unreachable");
    }

    private byte[] fillRead(long la) {
        long gpa = translate(la, 0);
        byte[] p = bus.ramPage(gpa >>> 12);
        if (p == null) {
            missGpa = gpa;
            return null;
        }
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        rTag[idx] = vpn | TLB_VALID;
        rPage[idx] = p;
        return p;
    }

    private byte[] fillWrite(long la) {
        long gpa = translate(la, 1);
        long pn = gpa >>> 12;
        byte[] p = bus.ramPage(pn);
        if (p == null) {
            missGpa = gpa;
            return null;
        }
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        CodePage cp = codePages.get(pn);
        wTag[idx] = vpn | TLB_VALID | (cp != null ? TLB_CODE : 0);
        wPage[idx] = p;
        wPfn[idx] = pn;
        wCode[idx] = cp;
        return p;
    }

    private CpuSignal trapped(boolean write) {
        long gpa = missGpa;
        GuestPhysicalBus.Trap t = bus.trapAt(gpa);
        if (t == GuestPhysicalBus.Trap.MEM) {
            return CpuSignal.memTrap(gpa);
        }
        if (t == GuestPhysicalBus.Trap.BELL) {
            return write ? CpuSignal.bellTrap(gpa)
                    : CpuSignal.error(ZX_ERR_NOT_SUPPORTED,
                            "read of BELL-trapped guest-physical 0x" + Long.toHexString(gpa));
        }
        return CpuSignal.error(ZX_ERR_OUT_OF_RANGE,
                "access to guest-physical 0x" + Long.toHexString(gpa) + ", which is not RAM or a trap");
    }

    /** Reads {@code size} (1, 2, 4, 8) bytes at linear address {@code la}, zero-extended. */
    long readMem(long la, int size) {
        int off = (int) la & 0xFFF;
        if (off + size <= 4096) {
            long vpn = la >>> 12;
            int idx = (int) vpn & (TLB_SIZE - 1);
            byte[] p = rTag[idx] == (vpn | TLB_VALID) ? rPage[idx] : fillRead(la);
            if (p == null) {
                throw trapped(false);
            }
            switch (size) {
                case 1: return p[off] & 0xFFL;
                case 2: return ((short) I16.get(p, off)) & 0xFFFFL;
                case 4: return ((int) I32.get(p, off)) & 0xFFFFFFFFL;
                default: return (long) I64.get(p, off);
            }
        }
        long v = 0;
        for (int k = 0; k < size; k++) {
            v |= readMem(la + k, 1) << (8 * k);
        }
        return v;
    }

    /**
     * The page to write {@code size} bytes at {@code la} (within one page) into. A write over
     * decoded code drops that page's blocks first and sets {@link #codeInvalidated}.
     */
    private byte[] pageForWrite(long la, int size) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        long tag = wTag[idx];
        if (tag == (vpn | TLB_VALID)) {
            return wPage[idx];
        }
        if (tag != (vpn | TLB_VALID | TLB_CODE)) {
            if (fillWrite(la) == null) {
                throw trapped(true);
            }
            tag = wTag[idx];
        }
        if ((tag & TLB_CODE) != 0 && wCode[idx].overlaps((int) la & 0xFFF, size)) {
            invalidatePage(wPfn[idx]);
        }
        return wPage[idx];
    }

    /** Checks that {@code la} is writable (translation and RAM) without writing. */
    private void probeWrite(long la) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        if ((wTag[idx] & ~TLB_CODE) != (vpn | TLB_VALID) && fillWrite(la) == null) {
            throw trapped(true);
        }
    }

    /** Writes the low {@code size} bytes of {@code v} at linear address {@code la}. */
    void writeMem(long la, int size, long v) {
        int off = (int) la & 0xFFF;
        if (off + size <= 4096) {
            byte[] p = pageForWrite(la, size);
            switch (size) {
                case 1: p[off] = (byte) v; break;
                case 2: I16.set(p, off, (short) v); break;
                case 4: I32.set(p, off, (int) v); break;
                default: I64.set(p, off, v); break;
            }
            return;
        }
        // Crossing a page: check both pages before writing anything.
        probeWrite(la);
        probeWrite(la + size - 1);
        for (int k = 0; k < size; k++) {
            writeMem(la + k, 1, v >>> (8 * k));
        }
    }

    // ---- fixed-size accesses for compiled ops: TLB hit inline, everything else via the above ----

    long ld8(long la) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        if (rTag[idx] == (vpn | TLB_VALID)) {
            return rPage[idx][(int) la & 0xFFF] & 0xFFL;
        }
        return readMem(la, 1);
    }

    long ld16(long la) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        int off = (int) la & 0xFFF;
        if (rTag[idx] == (vpn | TLB_VALID) && off <= 4094) {
            return ((short) I16.get(rPage[idx], off)) & 0xFFFFL;
        }
        return readMem(la, 2);
    }

    long ld32(long la) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        int off = (int) la & 0xFFF;
        if (rTag[idx] == (vpn | TLB_VALID) && off <= 4092) {
            return ((int) I32.get(rPage[idx], off)) & 0xFFFFFFFFL;
        }
        return readMem(la, 4);
    }

    long ld64(long la) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        int off = (int) la & 0xFFF;
        if (rTag[idx] == (vpn | TLB_VALID) && off <= 4088) {
            return (long) I64.get(rPage[idx], off);
        }
        return readMem(la, 8);
    }

    void st8(long la, long v) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        if (wTag[idx] == (vpn | TLB_VALID)) {
            wPage[idx][(int) la & 0xFFF] = (byte) v;
            return;
        }
        writeMem(la, 1, v);
    }

    void st16(long la, long v) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        int off = (int) la & 0xFFF;
        if (wTag[idx] == (vpn | TLB_VALID) && off <= 4094) {
            I16.set(wPage[idx], off, (short) v);
            return;
        }
        writeMem(la, 2, v);
    }

    void st32(long la, long v) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        int off = (int) la & 0xFFF;
        if (wTag[idx] == (vpn | TLB_VALID) && off <= 4092) {
            I32.set(wPage[idx], off, (int) v);
            return;
        }
        writeMem(la, 4, v);
    }

    void st64(long la, long v) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        int off = (int) la & 0xFFF;
        if (wTag[idx] == (vpn | TLB_VALID) && off <= 4088) {
            I64.set(wPage[idx], off, v);
            return;
        }
        writeMem(la, 8, v);
    }

    /** Reads {@code size} (1, 2, 4 or 8) bytes at {@code la} through the fixed-size paths. */
    long ld(long la, int size) {
        switch (size) {
            case 1: return ld8(la);
            case 2: return ld16(la);
            case 4: return ld32(la);
            default: return ld64(la);
        }
    }

    /** Writes {@code size} (1, 2, 4 or 8) bytes at {@code la} through the fixed-size paths. */
    void st(long la, int size, long v) {
        switch (size) {
            case 1: st8(la, v); break;
            case 2: st16(la, v); break;
            case 4: st32(la, v); break;
            default: st64(la, v); break;
        }
    }

    // =====================================================================================
    // Registers, operands, addressing
    // =====================================================================================

    static long mask(int size) {
        return size == 8 ? -1L : (1L << (size * 8)) - 1;
    }

    static long signBit(int size) {
        return 1L << (size * 8 - 1);
    }

    static long sext(long v, int size) {
        int sh = 64 - size * 8;
        return (v << sh) >> sh;
    }

    long readReg(int id, int size) {
        switch (size) {
            case 1: return id >= 16 ? (regs[id - 16] >>> 8) & 0xFF : regs[id] & 0xFF;
            case 2: return regs[id] & 0xFFFF;
            case 4: return regs[id] & 0xFFFFFFFFL;
            default: return regs[id];
        }
    }

    void writeReg(int id, int size, long v) {
        switch (size) {
            case 1:
                if (id >= 16) {
                    regs[id - 16] = (regs[id - 16] & ~0xFF00L) | ((v & 0xFF) << 8);
                } else {
                    regs[id] = (regs[id] & ~0xFFL) | (v & 0xFF);
                }
                break;
            case 2: regs[id] = (regs[id] & ~0xFFFFL) | (v & 0xFFFF); break;
            case 4: regs[id] = v & 0xFFFFFFFFL; break;
            default: regs[id] = v;
        }
    }

    private long linear(int seg, long off) {
        if (codeSize == 64) {
            return seg >= FS ? segBase[seg] + off : off;
        }
        return (segBase[seg] + off) & 0xFFFFFFFFL;
    }

    private long offsetOf(Insn i) {
        long a = i.disp;
        if (i.base >= 0) {
            a += i.base == Insn.BASE_RIP ? nip : regs[i.base];
        }
        if (i.index >= 0) {
            a += regs[i.index] << i.scale;
        }
        if (i.addrSize == 4) {
            a &= 0xFFFFFFFFL;
        } else if (i.addrSize == 2) {
            a &= 0xFFFF;
        }
        return a;
    }

    private long ea(Insn i) {
        return linear(i.seg, offsetOf(i));
    }

    private long readRm(Insn i, int size) {
        return i.mem ? readMem(ea(i), size) : readReg(i.rm, size);
    }

    private void writeRm(Insn i, int size, long la, long v) {
        if (i.mem) {
            writeMem(la, size, v);
        } else {
            writeReg(i.rm, size, v);
        }
    }

    private long maskIp(long v) {
        return codeSize == 64 ? v : codeSize == 32 ? v & 0xFFFFFFFFL : v & 0xFFFF;
    }

    private int stackSize() {
        return codeSize == 64 ? 8 : (segAttr[SS] & ATTR_DB) != 0 ? 4 : 2;
    }

    private void setSp(long v) {
        writeReg(RSP, stackSize(), v);
    }

    private void push(long v, int size) {
        long sp = regs[RSP] - size;
        int ss = stackSize();
        writeMem(linear(SS, sp & mask(ss)), size, v);
        setSp(sp);
    }

    private long peek(int size, int depth) {
        int ss = stackSize();
        return readMem(linear(SS, (regs[RSP] + depth) & mask(ss)), size);
    }

    private long pop(int size) {
        long v = peek(size, 0);
        setSp(regs[RSP] + size);
        return v;
    }

    /** Sets RIP to a branch target of the given operand size (canonical check in 64-bit mode). */
    private void branch(long target, int size) {
        if (size == 2) {
            target &= 0xFFFF;
        } else if (size == 4) {
            target &= 0xFFFFFFFFL;
        } else if (!canonical(target)) {
            throw CpuSignal.fault(13, 0);
        }
        rip = target;
    }

    // =====================================================================================
    // Flags
    // =====================================================================================

    static boolean parity(long r) {
        return (Long.bitCount(r & 0xFF) & 1) == 0;
    }

    static long szp(long r, int size) {
        long f = 0;
        if ((r & mask(size)) == 0) {
            f |= FLAG_ZF;
        }
        if ((r & signBit(size)) != 0) {
            f |= FLAG_SF;
        }
        if (parity(r)) {
            f |= FLAG_PF;
        }
        return f;
    }

    /** The six arithmetic flags, computed from the lazy state if needed. */
    private long arith() {
        int op = lfOp;
        if (op == LF_NONE) {
            return rflags & FLAGS_ARITH;
        }
        int s = lfSize;
        long a = lfA, b = lfB, r = lfR;
        long sb = signBit(s);
        long f = szp(r, s);
        switch (op) {
            case LF_LOGIC:
                return f;
            case LF_ADD:
            case LF_ADC:
                if (Long.compareUnsigned(r, a) < 0 || (op == LF_ADC && lfCin != 0 && r == a)) {
                    f |= FLAG_CF;
                }
                if (((a ^ r) & (b ^ r) & sb) != 0) {
                    f |= FLAG_OF;
                }
                break;
            case LF_SUB:
            case LF_SBB:
                if (Long.compareUnsigned(a, b) < 0 || (op == LF_SBB && lfCin != 0 && a == b)) {
                    f |= FLAG_CF;
                }
                if (((a ^ b) & (a ^ r) & sb) != 0) {
                    f |= FLAG_OF;
                }
                break;
            case LF_INC:
                f |= rflags & FLAG_CF;
                if (r == sb) {
                    f |= FLAG_OF;
                }
                break;
            default: // LF_DEC
                f |= rflags & FLAG_CF;
                if (r == sb - 1) {
                    f |= FLAG_OF;
                }
                break;
        }
        if (((a ^ b ^ r) & 0x10) != 0) {
            f |= FLAG_AF;
        }
        return f;
    }

    /** The carry flag as 0 or 1. */
    long cfBit() {
        switch (lfOp) {
            case LF_ADD: return Long.compareUnsigned(lfR, lfA) < 0 ? 1 : 0;
            case LF_SUB: return Long.compareUnsigned(lfA, lfB) < 0 ? 1 : 0;
            case LF_LOGIC: return 0;
            case LF_NONE:
            case LF_INC:
            case LF_DEC:
                return rflags & FLAG_CF;
            default: return arith() & FLAG_CF;
        }
    }

    /** Replaces all six arithmetic flags. */
    void setArith(long f) {
        rflags = (rflags & ~FLAGS_ARITH) | (f & FLAGS_ARITH);
        lfOp = LF_NONE;
    }

    /** Replaces only the arithmetic flags in {@code which}. */
    private void setSomeArith(long which, long f) {
        long cur = arith();
        rflags = (rflags & ~FLAGS_ARITH) | (cur & ~which) | (f & which);
        lfOp = LF_NONE;
    }

    private void pend(int op, int size, long a, long b, long r, long cin) {
        pOp = op;
        pSize = size;
        pA = a;
        pB = b;
        pR = r;
        pCin = cin;
    }

    private void commit() {
        if (pOp == LF_INC || pOp == LF_DEC) {
            long cf = cfBit();
            rflags = (rflags & ~FLAG_CF) | cf;
        }
        lfOp = pOp;
        lfSize = pSize;
        lfA = pA;
        lfB = pB;
        lfR = pR;
        lfCin = pCin;
    }

    /** Computes an ALU operation (masked result) and leaves its flags pending. */
    private long alu(int sub, long a, long b, int s) {
        long m = mask(s);
        long r;
        switch (sub) {
            case 0: r = (a + b) & m; pend(LF_ADD, s, a, b, r, 0); break;
            case 1: r = (a | b) & m; pend(LF_LOGIC, s, a, b, r, 0); break;
            case 2: {
                long c = cfBit();
                r = (a + b + c) & m;
                pend(LF_ADC, s, a, b, r, c);
                break;
            }
            case 3: {
                long c = cfBit();
                r = (a - b - c) & m;
                pend(LF_SBB, s, a, b, r, c);
                break;
            }
            case 4: r = a & b & m; pend(LF_LOGIC, s, a, b, r, 0); break;
            case 6: r = (a ^ b) & m; pend(LF_LOGIC, s, a, b, r, 0); break;
            default: r = (a - b) & m; pend(LF_SUB, s, a, b, r, 0); break; // SUB, CMP
        }
        return r;
    }

    /** Condition {@code cc} (the low nibble of Jcc/SETcc/CMOVcc) on the current flags. */
    boolean cond(int cc) {
        switch (lfOp) {
            case LF_SUB: return condSub(cc, lfSize, lfA, lfB, lfR);
            case LF_LOGIC: return condLogic(cc, lfSize, lfR);
            case LF_ADD: return condAdd(cc, lfSize, lfA, lfB, lfR);
            default: return condFlags(cc, arith());
        }
    }

    /** Condition {@code cc} after {@code r = a - b} (SUB, CMP, NEG) of {@code s} bytes. */
    static boolean condSub(int cc, int s, long a, long b, long r) {
        boolean t;
        switch (cc >> 1) {
            case 0: t = ((a ^ b) & (a ^ r) & signBit(s)) != 0; break;
            case 1: t = Long.compareUnsigned(a, b) < 0; break;
            case 2: t = r == 0; break;
            case 3: t = Long.compareUnsigned(a, b) <= 0; break;
            case 4: t = (r & signBit(s)) != 0; break;
            case 5: t = parity(r); break;
            case 6: t = sext(a, s) < sext(b, s); break;
            default: t = sext(a, s) <= sext(b, s); break;
        }
        return (cc & 1) != 0 ? !t : t;
    }

    /** Condition {@code cc} after {@code r = a + b} (ADD) of {@code s} bytes. */
    static boolean condAdd(int cc, int s, long a, long b, long r) {
        boolean t;
        switch (cc >> 1) {
            case 0: t = ((a ^ r) & (b ^ r) & signBit(s)) != 0; break;
            case 1: t = Long.compareUnsigned(r, a) < 0; break;
            case 2: t = r == 0; break;
            case 3: t = Long.compareUnsigned(r, a) < 0 || r == 0; break;
            case 4: t = (r & signBit(s)) != 0; break;
            case 5: t = parity(r); break;
            case 6: t = ((r & signBit(s)) != 0) != (((a ^ r) & (b ^ r) & signBit(s)) != 0); break;
            default: t = r == 0
                    || ((r & signBit(s)) != 0) != (((a ^ r) & (b ^ r) & signBit(s)) != 0); break;
        }
        return (cc & 1) != 0 ? !t : t;
    }

    /** Condition {@code cc} after a logic operation (CF = OF = 0) with result {@code r}. */
    static boolean condLogic(int cc, int s, long r) {
        boolean t;
        switch (cc >> 1) {
            case 0: case 1: t = false; break;
            case 2: case 3: t = r == 0; break;
            case 4: case 6: t = (r & signBit(s)) != 0; break;
            case 5: t = parity(r); break;
            default: t = r == 0 || (r & signBit(s)) != 0; break;
        }
        return (cc & 1) != 0 ? !t : t;
    }

    private static boolean condFlags(int cc, long f) {
        boolean r;
        switch (cc >> 1) {
            case 0: r = (f & FLAG_OF) != 0; break;
            case 1: r = (f & FLAG_CF) != 0; break;
            case 2: r = (f & FLAG_ZF) != 0; break;
            case 3: r = (f & (FLAG_CF | FLAG_ZF)) != 0; break;
            case 4: r = (f & FLAG_SF) != 0; break;
            case 5: r = (f & FLAG_PF) != 0; break;
            case 6: r = ((f & FLAG_SF) != 0) != ((f & FLAG_OF) != 0); break;
            default: r = (f & FLAG_ZF) != 0 || (((f & FLAG_SF) != 0) != ((f & FLAG_OF) != 0)); break;
        }
        return (cc & 1) != 0 ? !r : r;
    }

    // =====================================================================================
    // Mode, segments, control registers
    // =====================================================================================

    private void updateMode() {
        codeEpoch++;
        if ((efer & EFER_LMA) != 0 && (segAttr[CS] & ATTR_L) != 0) {
            codeSize = 64;
        } else if ((cr0 & CR0_PE) != 0 && (segAttr[CS] & ATTR_DB) != 0) {
            codeSize = 32;
        } else {
            codeSize = 16;
        }
    }

    /** Loads a segment register from a selector (real mode: base = selector × 16; else the GDT). */
    private void loadSegment(int seg, int sel) {
        if ((cr0 & CR0_PE) == 0) {
            segSel[seg] = sel;
            segBase[seg] = (long) sel << 4;
            return;
        }
        if ((sel & ~3) == 0) {
            if (seg == CS || (seg == SS && codeSize != 64)) {
                throw CpuSignal.fault(13, 0);
            }
            segSel[seg] = sel;
            segBase[seg] = 0;
            return;
        }
        long d = dataDescriptor(seg, sel);
        segSel[seg] = sel;
        segBase[seg] = descriptorBase(d);
        segLimit[seg] = descriptorLimit(d);
        segAttr[seg] = descriptorAttributes(d);
    }

    // ---- descriptors (GDT only: selectors with TI = 1 fault, no LDT is modelled) ------------

    /** The GDT descriptor a non-null selector names; #GP(selector) past the GDT limit. */
    private long descriptor(int sel) {
        if ((sel & 4) != 0 || (sel | 7) > gdtrLimit) {
            throw CpuSignal.fault(13, sel & 0xFFFC);
        }
        return readMem(linear0(gdtrBase + (sel & 0xFFF8)), 8);
    }

    /** Access rights of a descriptor in the VMX format of {@link #segment(int)}. */
    private static int descriptorAttributes(long d) {
        return (int) ((d >>> 40) & 0xFF) | ((int) ((d >>> 52) & 0xF) << 12);
    }

    private static long descriptorBase(long d) {
        return ((d >>> 16) & 0xFFFFFF) | (((d >>> 56) & 0xFF) << 24);
    }

    private static long descriptorLimit(long d) {
        long limit = (d & 0xFFFF) | (((d >>> 48) & 0xF) << 16);
        return (d & (1L << 55)) != 0 ? (limit << 12) | 0xFFF : limit;
    }

    /** Sets the accessed bit of a descriptor about to be loaded, in the GDT too, as the CPU does. */
    private long markAccessed(int sel, long d) {
        if ((d & (1L << 40)) == 0) {
            d |= 1L << 40;
            writeMem(linear0(gdtrBase + (sel & 0xFFF8) + 5), 1, d >>> 40);
        }
        return d;
    }

    /**
     * Checks a descriptor for MOV/POP to a data segment register (or SS) at CPL 0: SS needs a
     * present writable data segment with DPL 0 and RPL 0 (else #GP, or #SS when not present);
     * DS, ES, FS and GS take data or readable code segments with DPL ≥ RPL (else #GP, or #NP).
     */
    private long dataDescriptor(int seg, int sel) {
        long d = descriptor(sel);
        int attr = descriptorAttributes(d);
        int err = sel & 0xFFFC;
        boolean code = (attr & 0x08) != 0;
        int dpl = (attr >>> 5) & 3;
        if ((attr & 0x10) == 0) {
            throw CpuSignal.fault(13, err); // a system descriptor
        }
        if (seg == SS) {
            if (code || (attr & 0x02) == 0 || (sel & 3) != 0 || dpl != 0) {
                throw CpuSignal.fault(13, err);
            }
        } else if ((code && (attr & 0x02) == 0)
                || ((!code || (attr & 0x04) == 0) && (sel & 3) > dpl)) {
            throw CpuSignal.fault(13, err);
        }
        if ((attr & 0x80) == 0) {
            throw CpuSignal.fault(seg == SS ? 12 : 11, err);
        }
        return markAccessed(sel, d);
    }

    private static final int CODE_JUMP = 0, CODE_RETURN = 1, CODE_GATE = 2;

    /**
     * Checks the code segment a far JMP/CALL ({@code CODE_JUMP}), a far RET/IRET
     * ({@code CODE_RETURN}) or an IDT gate ({@code CODE_GATE}) names, for a transfer from and to
     * CPL 0: null → #GP(0); a data or system descriptor → #GP(selector), except that call gates,
     * task gates and TSSs as far JMP/CALL targets end the run (privilege changes and task
     * switches are not modelled); DPL ≠ 0 or, for a non-conforming JMP/CALL target, RPL ≠ 0 →
     * #GP(selector); in IA-32e mode L = D = 1 → #GP(selector), and a gate must name a 64-bit
     * segment; not present → #NP(selector). Returns the descriptor with its accessed bit set.
     */
    private long codeDescriptor(int sel, int use) {
        if ((sel & ~3) == 0) {
            throw CpuSignal.fault(13, 0);
        }
        long d = descriptor(sel);
        int attr = descriptorAttributes(d);
        int err = sel & 0xFFFC;
        if ((attr & 0x10) == 0) {
            int type = attr & 0xF;
            if (use == CODE_JUMP && (type == 0x1 || type == 0x4 || type == 0x5 || type == 0x9
                    || type == 0xC)) {
                throw CpuSignal.error(ZX_ERR_NOT_SUPPORTED, "far transfer through a call gate, "
                        + "task gate or TSS (selector 0x" + Integer.toHexString(sel)
                        + "): privilege changes and task switches are not modelled");
            }
            throw CpuSignal.fault(13, err);
        }
        boolean conforming = (attr & 0x04) != 0;
        if ((attr & 0x08) == 0 || ((attr >>> 5) & 3) != 0
                || (use == CODE_JUMP && !conforming && (sel & 3) != 0)) {
            throw CpuSignal.fault(13, err);
        }
        if ((efer & EFER_LMA) != 0) {
            boolean l = (attr & ATTR_L) != 0;
            if ((l && (attr & ATTR_DB) != 0) || (use == CODE_GATE && !l)) {
                throw CpuSignal.fault(13, err);
            }
        }
        if ((attr & 0x80) == 0) {
            throw CpuSignal.fault(11, err);
        }
        return markAccessed(sel, d);
    }

    /** Loads CS (RPL = CPL = 0) from a descriptor checked by {@link #codeDescriptor}. */
    private void loadCode(int sel, long d) {
        segSel[CS] = sel & 0xFFFC;
        segBase[CS] = descriptorBase(d);
        segLimit[CS] = descriptorLimit(d);
        segAttr[CS] = descriptorAttributes(d);
        updateMode();
    }

    /** Whether a checked code descriptor makes the CPU run 64-bit code (IA-32e mode and L). */
    private boolean is64BitCode(long d) {
        return (efer & EFER_LMA) != 0 && (d & (1L << 53)) != 0;
    }

    private long linear0(long v) {
        return codeSize == 64 ? v : v & 0xFFFFFFFFL;
    }

    private long readCr(int n) {
        switch (n) {
            case 0: return (cr0 & ~CR0_SHADOWED) | (cr0Shadow & CR0_SHADOWED);
            case 2: return cr2;
            case 3: return cr3;
            case 4: return cr4;
            default: return cr8;
        }
    }

    private void writeCr(int n, long v) {
        switch (n) {
            case 0: {
                if ((v >>> 32) != 0 || ((v & CR0_PG) != 0 && (v & CR0_PE) == 0)
                        || ((v & CR0_NW) != 0 && (v & CR0_CD) == 0)) {
                    throw CpuSignal.fault(13, 0);
                }
                // As the kernel's CR0 exit handler: the guest's value becomes the read shadow,
                // the CR0 in force keeps NE (fixed under VMX) and ET, never NW or CD.
                long written = v;
                v = (v | CR0_ET | CR0_NE) & ~(CR0_NW | CR0_CD);
                boolean pgOn = (v & CR0_PG) != 0 && (cr0 & CR0_PG) == 0;
                boolean pgOff = (v & CR0_PG) == 0 && (cr0 & CR0_PG) != 0;
                if (pgOn && (efer & EFER_LME) != 0) {
                    if ((cr4 & CR4_PAE) == 0) {
                        throw CpuSignal.fault(13, 0);
                    }
                    efer |= EFER_LMA;
                }
                if (pgOff && (efer & EFER_LMA) != 0) {
                    if (codeSize == 64) {
                        throw CpuSignal.fault(13, 0);
                    }
                    efer &= ~EFER_LMA;
                }
                cr0 = v;
                cr0Shadow = written;
                break;
            }
            case 2: cr2 = v; return;
            case 3: cr3 = v; break;
            case 4:
                if ((v & CR4_VMXE) != 0) {
                    // VMXE is in the CR4 guest/host mask with shadow 0: setting it exits, and
                    // the kernel's exit handler supports MOV to CR0 only.
                    throw CpuSignal.error(ZX_ERR_NOT_SUPPORTED,
                            "MOV to CR4 setting VMXE (nested virtualisation is not supported)");
                }
                if ((efer & EFER_LMA) != 0 && (v & CR4_PAE) == 0) {
                    throw CpuSignal.fault(13, 0);
                }
                cr4 = v;
                break;
            default: cr8 = v & 0xF; return;
        }
        flushTlb();
        updateMode();
    }

    // MSRs as a VCPU of the late-2021 Zircon kernel sees them (arch/x86/hypervisor):
    //  * the MSRs the guest owns (not intercepted: EFER, PAT, FS/GS base, KERNEL_GS_BASE, STAR,
    //    LSTAR, FMASK, SYSENTER_CS/ESP/EIP, TSC_ADJUST, TSC_AUX) behave as on hardware;
    //  * IA32_APIC_BASE, IA32_MISC_ENABLE, the MTRRs, machine-check and power/thermal MSRs and
    //    the x2APIC range are emulated by the kernel's RDMSR/WRMSR exit handlers, with the values
    //    below;
    //  * every other MSR, IA32_TSC and a read of CSTAR included, is intercepted and unknown: the
    //    kernel injects #GP(0) into the guest (it does not fail zx_vcpu_enter), and so does this
    //    CPU. The kernel's few enter failures are kept: a WRMSR of IA32_APIC_BASE changing
    //    anything but the BSP flag, and a reserved LVT timer mode, fail with INVALID_ARGS.
    //  * A write of the SELF IPI register exits as VcpuExit.SelfIpi, which the kernel queues on
    //    the same VCPU; ICR writes exit as VcpuExit.IcrWrite for the kernel's IPI rules.
    //  * The local APIC timer (LVT timer counting, TSC deadline) and the KVM clock MSRs are not
    //    modelled: arming the timer ends the run with NOT_SUPPORTED rather than never
    //    interrupting; CPUID does not advertise the KVM clock, so its MSRs are unknown ones.

    /** MSRs the kernel's RDMSR handler answers with 0 (MTRRs, MCG, platform and power MSRs). */
    private static boolean msrReadsAsZero(int msr) {
        switch (msr) {
            case 0x17:  // IA32_PLATFORM_ID
            case 0x34:  // MSR_SMI_COUNT
            case 0x8B:  // IA32_BIOS_SIGN_ID
            case 0xFE:  // IA32_MTRRCAP
            case 0x179: // IA32_MCG_CAP
            case 0x17A: // IA32_MCG_STATUS
            case 0x1A2: // MSR_TEMPERATURE_TARGET
            case 0x250: // IA32_MTRR_FIX64K_00000
            case 0x258: case 0x259: // IA32_MTRR_FIX16K_*
            case 0x2FF: // IA32_MTRR_DEF_TYPE
            case 0x606: // MSR_RAPL_POWER_UNIT
            case 0x611: // MSR_PKG_ENERGY_STATUS
            case 0x618: case 0x619: // MSR_DRAM_POWER_LIMIT, MSR_DRAM_ENERGY_STATUS
            case 0x638: case 0x639: // MSR_PP0_POWER_LIMIT, MSR_PP0_ENERGY_STATUS
            case 0x640: case 0x641: // MSR_PP1_POWER_LIMIT, MSR_PP1_ENERGY_STATUS
            case 0x64D: // MSR_PLATFORM_ENERGY_COUNTER
            case 0x64E: // MSR_PPERF
            case 0x65C: // MSR_PLATFORM_POWER_LIMIT
                return true;
            default:
                return (msr >= 0x268 && msr <= 0x26F)    // IA32_MTRR_FIX4K_*
                        || (msr >= 0x200 && msr <= 0x213); // IA32_MTRR_PHYSBASE0..PHYSMASK9
        }
    }

    /** MSRs whose writes the kernel's WRMSR handler accepts and ignores. */
    private static boolean msrWriteIgnored(int msr) {
        switch (msr) {
            case 0x48:  // IA32_SPEC_CTRL
            case 0x49:  // IA32_PRED_CMD
            case 0x8B:  // IA32_BIOS_SIGN_ID
            case 0xFE: case 0x250: case 0x258: case 0x259: case 0x2FF: // MTRRs
            case 0x618: case 0x638: case 0x640: case 0x65C: // power limits
            case 0xC0000083: // IA32_CSTAR: written by Linux, never read
                return true;
            default:
                return (msr >= 0x268 && msr <= 0x26F) || (msr >= 0x200 && msr <= 0x213);
        }
    }

    private long readMsr(int msr) {
        switch (msr) {
            case MSR_EFER: return efer;
            case MSR_FS_BASE: return segBase[FS];
            case MSR_GS_BASE: return segBase[GS];
            case MSR_KERNEL_GS_BASE: return kernelGsBase;
            case 0xC0000081: return star;
            case 0xC0000082: return lstar;
            case 0xC0000084: return sfmask;
            case 0x277: return pat;
            case MSR_SYSENTER_CS: return sysenterCs;
            case MSR_SYSENTER_ESP: return sysenterEsp;
            case MSR_SYSENTER_EIP: return sysenterEip;
            case MSR_TSC_ADJUST: return tscAdjust;
            case MSR_TSC_AUX: return tscAux;
            case MSR_APIC_BASE: return APIC_BASE_VALUE | (apicId == 0 ? APIC_BASE_BSP : 0);
            case MSR_MISC_ENABLE: return 1; // fast strings, the only bit the kernel passes on
            default:
                if (msrReadsAsZero(msr)) {
                    return 0;
                }
                if (msr >= 0x800 && msr <= 0x83F) {
                    return readX2apic(msr);
                }
                throw CpuSignal.fault(13, 0);
        }
    }

    private long readX2apic(int msr) {
        switch (msr) {
            case MSR_X2APIC_ID: return apicId;
            case MSR_X2APIC_VERSION: return X2APIC_VERSION_VALUE;
            case MSR_X2APIC_SVR: return 0xFF; // the reset value; writes are ignored
            case MSR_X2APIC_TPR:
            case MSR_X2APIC_LDR:
            case MSR_X2APIC_ESR:
            case MSR_X2APIC_LVT_PMC:
                return 0;
            case MSR_X2APIC_LVT_CMCI:
            case MSR_X2APIC_LVT_THERMAL:
            case MSR_X2APIC_LVT_LINT0:
            case MSR_X2APIC_LVT_LINT1:
                return LVT_MASKED;
            case MSR_X2APIC_LVT_TIMER: return lvtTimer;
            default:
                if (msr >= 0x810 && msr <= 0x827) {
                    return 0; // ISR, TMR, IRR
                }
                throw CpuSignal.fault(13, 0); // write-only or unimplemented registers
        }
    }

    private void writeMsr(int msr, long v) {
        switch (msr) {
            case MSR_EFER: {
                long allowed = EFER_SCE | EFER_LME | EFER_NXE;
                if ((v & ~(allowed | EFER_LMA)) != 0) {
                    throw CpuSignal.fault(13, 0);
                }
                if ((cr0 & CR0_PG) != 0 && ((v ^ efer) & EFER_LME) != 0) {
                    throw CpuSignal.fault(13, 0);
                }
                efer = (efer & EFER_LMA) | (v & allowed);
                flushTlb();
                updateMode();
                return;
            }
            case MSR_FS_BASE: segBase[FS] = v; return;
            case MSR_GS_BASE: segBase[GS] = v; return;
            case MSR_KERNEL_GS_BASE: kernelGsBase = v; return;
            case 0xC0000081: star = v; return;
            case 0xC0000082: lstar = v; return;
            case 0xC0000084: sfmask = v; return;
            case 0x277: pat = v; return;
            case MSR_SYSENTER_CS: sysenterCs = v & 0xFFFFFFFFL; return;
            case MSR_SYSENTER_ESP: sysenterEsp = v; return;
            case MSR_SYSENTER_EIP: sysenterEip = v; return;
            case MSR_TSC_ADJUST: tscAdjust = v; return;
            case MSR_TSC_AUX:
                if ((v >>> 32) != 0) {
                    throw CpuSignal.fault(13, 0);
                }
                tscAux = v;
                return;
            case MSR_APIC_BASE:
                if ((v & ~APIC_BASE_BSP) != APIC_BASE_VALUE) {
                    throw CpuSignal.error(ZX_ERR_INVALID_ARGS, "WRMSR of IA32_APIC_BASE moving or "
                            + "disabling the x2APIC (0x" + Long.toHexString(v) + ")");
                }
                return;
            case MSR_TSC_DEADLINE:
                if (((lvtTimer >>> 17) & 3) != 2) {
                    throw CpuSignal.error(ZX_ERR_INVALID_ARGS,
                            "WRMSR of IA32_TSC_DEADLINE with the LVT timer not in TSC-deadline mode");
                }
                if (v != 0) {
                    throw CpuSignal.error(ZX_ERR_NOT_SUPPORTED,
                            "the local APIC timer (TSC deadline) is not modelled");
                }
                return;
            default:
                if (msrWriteIgnored(msr)) {
                    return;
                }
                if (msr >= 0x800 && msr <= 0x83F) {
                    writeX2apic(msr, v);
                    return;
                }
                throw CpuSignal.fault(13, 0);
        }
    }

    private void writeX2apic(int msr, long v) {
        if ((v >>> 32) != 0 && msr != MSR_X2APIC_ICR) {
            throw CpuSignal.fault(13, 0); // the upper half of every x2APIC MSR but the ICR
        }
        switch (msr) {
            case MSR_X2APIC_EOI:
            case MSR_X2APIC_ESR:
                if (v != 0) {
                    throw CpuSignal.fault(13, 0);
                }
                return; // no in-kernel APIC state to update
            case MSR_X2APIC_TPR:
            case MSR_X2APIC_SVR:
            case MSR_X2APIC_LVT_PMC:
            case MSR_X2APIC_LVT_ERROR:
            case MSR_X2APIC_LVT_LINT0:
            case MSR_X2APIC_LVT_LINT1:
            case MSR_X2APIC_LVT_THERMAL:
            case MSR_X2APIC_LVT_CMCI:
            case MSR_X2APIC_DCR:
                return;
            case MSR_X2APIC_LVT_TIMER:
                if (((v >>> 17) & 3) == 3) {
                    throw CpuSignal.error(ZX_ERR_INVALID_ARGS, "reserved LVT timer mode");
                }
                lvtTimer = v;
                return;
            case MSR_X2APIC_INITIAL_COUNT:
                if (v != 0) {
                    throw CpuSignal.error(ZX_ERR_NOT_SUPPORTED,
                            "the local APIC timer is not modelled");
                }
                return;
            case MSR_X2APIC_SELF_IPI:
                // The kernel queues the vector on this VCPU (vector 7:0; the rest is ignored).
                exitPending = new VcpuExit.SelfIpi((int) (v & 0xFF));
                return;
            case MSR_X2APIC_ICR:
                // The kernel turns IPIs and INIT/SIPI into VCPU packets for the VMM.
                exitPending = new VcpuExit.IcrWrite(v);
                return;
            default:
                throw CpuSignal.fault(13, 0); // read-only or unimplemented registers
        }
    }

    /** The highest basic CPUID leaf; higher unknown leaves answer as this one (Intel's rule). */
    private static final int MAX_BASIC_LEAF = 0xB;

    /**
     * CPUID. Feature bits describe what this CPU implements; the fields the kernel overrides
     * are as the kernel sets them: initial APIC ID = VPID − 1 (leaf 1 EBX[31:24], leaf 0xB EDX),
     * hypervisor present and x2APIC (leaf 1 ECX), no VMX, no MONITOR/MWAIT, no performance
     * monitoring (leaf 0xA), hypervisor leaves 0x40000000 ("KVMKVMKVM\0\0\0", max 0x40000001).
     * Unlike the kernel, SEP (SYSENTER) and SYSCALL are not advertised since the instructions
     * are not implemented, and neither are the KVM clock sources of leaf 0x40000001.
     */
    private void cpuid() {
        int leaf = (int) regs[RAX];
        int sub = (int) regs[RCX];
        if (Integer.compareUnsigned(leaf, MAX_BASIC_LEAF) > 0
                && leaf != 0x40000000 && leaf != 0x40000001
                && leaf != 0x80000000 && leaf != 0x80000001) {
            leaf = MAX_BASIC_LEAF;
        }
        long a = 0, b = 0, c = 0, d = 0;
        switch (leaf) {
            case 0:
                a = MAX_BASIC_LEAF;
                b = 0x756E6547L; // "Genu"
                d = 0x49656E69L; // "ineI"
                c = 0x6C65746EL; // "ntel"
                break;
            case 1:
                a = 0x000206A7L;
                b = ((long) apicId << 24) | (1L << 16) | (8L << 8);
                // hypervisor present, POPCNT, x2APIC, CMPXCHG16B
                c = (1L << 31) | (1L << 23) | (1L << 21) | (1L << 13);
                // PSE, TSC, MSR, PAE, CMPXCHG8B, APIC, PGE, CMOV
                d = (1L << 3) | (1L << 4) | (1L << 5) | (1L << 6) | (1L << 8) | (1L << 9)
                        | (1L << 13) | (1L << 15);
                break;
            case 7:
                if (sub == 0) {
                    b = 1L << 1; // IA32_TSC_ADJUST
                }
                break;
            case 0xA:
                b = 0x7F; // no performance-monitoring events
                break;
            case 0xB:
                d = apicId; // the kernel reports only the x2APIC ID
                break;
            case 0x40000000:
                a = 0x40000001L;
                b = 0x4B4D564BL; // "KVMK"
                c = 0x564B4D56L; // "VMKV"
                d = 0x4DL;       // "M\0\0\0"
                break;
            case 0x40000001:
                a = 1L << 1; // KVM_FEATURE_NOP_IO_DELAY
                break;
            case 0x80000000:
                a = 0x80000001L;
                break;
            case 0x80000001:
                c = 1 | (1L << 5); // LAHF/SAHF in 64-bit mode, LZCNT
                d = (1L << 20) | (1L << 27) | (1L << 29); // NX, RDTSCP, LM
                break;
            default:
                break;
        }
        regs[RAX] = a;
        regs[RBX] = b;
        regs[RCX] = c;
        regs[RDX] = d;
    }

    /**
     * The time-stamp counter: the source plus IA32_TSC_ADJUST, strictly increasing on this
     * VCPU (a source that stands still, like a manual clock, still moves the TSC by one per
     * read).
     */
    private long readTsc() {
        long t = tscSource.getAsLong() + tscAdjust;
        if (tscRead && t - lastTsc <= 0) {
            t = lastTsc + 1;
        }
        tscRead = true;
        lastTsc = t;
        return t;
    }

    // =====================================================================================
    // Execution
    // =====================================================================================

    void exec(Insn i) {
        long next = maskIp(rip + i.len);
        nip = next;
        int s = i.opSize;
        switch (i.op) {
            case Insn.ALU_RM_R: {
                long la = i.mem ? ea(i) : 0;
                long a = i.mem ? readMem(la, s) : readReg(i.rm, s);
                long r = alu(i.sub, a, readReg(i.reg, s), s);
                if (i.sub != 7) {
                    writeRm(i, s, la, r);
                }
                commit();
                break;
            }
            case Insn.ALU_R_RM: {
                long b = readRm(i, s);
                long r = alu(i.sub, readReg(i.reg, s), b, s);
                if (i.sub != 7) {
                    writeReg(i.reg, s, r);
                }
                commit();
                break;
            }
            case Insn.ALU_RM_IMM: {
                long la = i.mem ? ea(i) : 0;
                long a = i.mem ? readMem(la, s) : readReg(i.rm, s);
                long r = alu(i.sub, a, i.imm & mask(s), s);
                if (i.sub != 7) {
                    writeRm(i, s, la, r);
                }
                commit();
                break;
            }
            case Insn.TEST_RM_R: {
                long r = readRm(i, s) & readReg(i.reg, s);
                pend(LF_LOGIC, s, 0, 0, r, 0);
                commit();
                break;
            }
            case Insn.TEST_RM_IMM: {
                long r = readRm(i, s) & i.imm & mask(s);
                pend(LF_LOGIC, s, 0, 0, r, 0);
                commit();
                break;
            }
            case Insn.INC:
            case Insn.DEC: {
                long la = i.mem ? ea(i) : 0;
                long a = i.mem ? readMem(la, s) : readReg(i.rm, s);
                boolean inc = i.op == Insn.INC;
                long r = (inc ? a + 1 : a - 1) & mask(s);
                writeRm(i, s, la, r);
                pend(inc ? LF_INC : LF_DEC, s, a, 1, r, 0);
                commit();
                break;
            }
            case Insn.NEG: {
                long la = i.mem ? ea(i) : 0;
                long a = i.mem ? readMem(la, s) : readReg(i.rm, s);
                long r = (-a) & mask(s);
                writeRm(i, s, la, r);
                pend(LF_SUB, s, 0, a, r, 0);
                commit();
                break;
            }
            case Insn.NOT: {
                long la = i.mem ? ea(i) : 0;
                long a = i.mem ? readMem(la, s) : readReg(i.rm, s);
                writeRm(i, s, la, ~a & mask(s));
                break;
            }
            case Insn.SHIFT:
                shift(i, s);
                break;
            case Insn.SHLD:
            case Insn.SHRD:
                doubleShift(i, s);
                break;
            case Insn.MUL:
            case Insn.IMUL1:
                mul1(i, s);
                break;
            case Insn.DIV:
            case Insn.IDIV:
                div(i, s);
                break;
            case Insn.IMUL_R_RM:
            case Insn.IMUL_R_RM_IMM: {
                long a = sext(readRm(i, s), s);
                long b = i.op == Insn.IMUL_R_RM ? sext(readReg(i.reg, s), s) : i.imm;
                long lo = a * b;
                boolean ovf;
                if (s == 8) {
                    ovf = Math.multiplyHigh(a, b) != (lo >> 63);
                } else {
                    ovf = sext(lo, s) != lo;
                }
                writeReg(i.reg, s, lo);
                setArith((ovf ? FLAG_CF | FLAG_OF : 0) | szp(lo, s));
                break;
            }
            case Insn.MOV_RM_R: {
                long v = readReg(i.reg, s);
                if (i.mem) {
                    writeMem(ea(i), s, v);
                } else {
                    writeReg(i.rm, s, v);
                }
                break;
            }
            case Insn.MOV_R_RM:
                writeReg(i.reg, s, readRm(i, s));
                break;
            case Insn.MOV_RM_IMM:
                if (i.mem) {
                    writeMem(ea(i), s, i.imm);
                } else {
                    writeReg(i.rm, s, i.imm);
                }
                break;
            case Insn.MOV_R_IMM:
                writeReg(i.rm, s, i.imm);
                break;
            case Insn.MOVZX:
                writeReg(i.reg, s, readRm(i, i.srcSize));
                break;
            case Insn.MOVSX:
                writeReg(i.reg, s, sext(readRm(i, i.srcSize), i.srcSize));
                break;
            case Insn.LEA:
                writeReg(i.reg, s, offsetOf(i));
                break;
            case Insn.XCHG: {
                long a = readReg(i.reg, s);
                if (i.mem) {
                    long la = ea(i);
                    long b = readMem(la, s);
                    writeMem(la, s, a);
                    writeReg(i.reg, s, b);
                } else {
                    long b = readReg(i.rm, s);
                    writeReg(i.rm, s, a);
                    writeReg(i.reg, s, b);
                }
                break;
            }
            case Insn.CMPXCHG: {
                long la = i.mem ? ea(i) : 0;
                long d = i.mem ? readMem(la, s) : readReg(i.rm, s);
                long acc = readReg(RAX, s);
                alu(7, acc, d, s);
                if (acc == d) {
                    writeRm(i, s, la, readReg(i.reg, s));
                } else {
                    if (i.mem) {
                        writeMem(la, s, d);
                    }
                    writeReg(RAX, s, d);
                }
                commit();
                break;
            }
            case Insn.XADD: {
                long la = i.mem ? ea(i) : 0;
                long d = i.mem ? readMem(la, s) : readReg(i.rm, s);
                long src = readReg(i.reg, s);
                long r = alu(0, d, src, s);
                if (i.mem) {
                    writeMem(la, s, r);
                    writeReg(i.reg, s, d);
                } else {
                    writeReg(i.reg, s, d);
                    writeReg(i.rm, s, r);
                }
                commit();
                break;
            }
            case Insn.PUSH_R:
                push(regs[i.rm], s);
                break;
            case Insn.POP_R: {
                long v = peek(s, 0);
                setSp(regs[RSP] + s);
                writeReg(i.rm, s, v);
                break;
            }
            case Insn.PUSH_IMM:
                push(i.imm, s);
                break;
            case Insn.PUSH_RM:
                push(readRm(i, s), s);
                break;
            case Insn.POP_RM: {
                long v = peek(s, 0);
                long old = regs[RSP];
                setSp(old + s);
                try {
                    writeRm(i, s, i.mem ? ea(i) : 0, v);
                } catch (CpuSignal e) {
                    regs[RSP] = old;
                    throw e;
                }
                break;
            }
            case Insn.PUSH_SEG:
                push(segSel[i.reg], s);
                break;
            case Insn.POP_SEG: {
                long v = peek(s, 0);
                loadSegment(i.reg, (int) v & 0xFFFF);
                setSp(regs[RSP] + s);
                if (i.reg == SS) {
                    shadow = true;
                    shadowFresh = true;
                }
                break;
            }
            case Insn.LEAVE: {
                int ss = stackSize();
                long v = readMem(linear(SS, regs[RBP] & mask(ss)), s);
                setSp(regs[RBP] + s);
                writeReg(RBP, s, v);
                break;
            }
            case Insn.CBW:
                if (s == 2) {
                    writeReg(RAX, 2, sext(regs[RAX], 1));
                } else if (s == 4) {
                    writeReg(RAX, 4, sext(regs[RAX], 2));
                } else {
                    regs[RAX] = sext(regs[RAX], 4);
                }
                break;
            case Insn.CWD: {
                boolean neg = (regs[RAX] & signBit(s)) != 0;
                writeReg(RDX, s, neg ? -1L : 0);
                break;
            }
            case Insn.SETCC: {
                long v = cond(i.sub) ? 1 : 0;
                if (i.mem) {
                    writeMem(ea(i), 1, v);
                } else {
                    writeReg(i.rm, 1, v);
                }
                break;
            }
            case Insn.CMOVCC: {
                long v = readRm(i, s);
                writeReg(i.reg, s, cond(i.sub) ? v : readReg(i.reg, s));
                break;
            }
            case Insn.JCC:
                if (cond(i.sub)) {
                    branch(next + i.imm, s);
                    return;
                }
                break;
            case Insn.JMP_REL:
                branch(next + i.imm, s);
                return;
            case Insn.CALL_REL: {
                long target = next + i.imm;
                push(next, s);
                branch(target, s);
                return;
            }
            case Insn.JMP_RM:
                branch(readRm(i, s), s);
                return;
            case Insn.CALL_RM: {
                long target = readRm(i, s);
                long old = regs[RSP];
                push(next, s);
                try {
                    branch(target, s);
                } catch (CpuSignal e) {
                    regs[RSP] = old;
                    throw e;
                }
                return;
            }
            case Insn.RET: {
                long target = peek(s, 0);
                long old = regs[RSP];
                setSp(regs[RSP] + s + i.imm);
                try {
                    branch(target, s);
                } catch (CpuSignal e) {
                    regs[RSP] = old;
                    throw e;
                }
                return;
            }
            case Insn.LOOP: {
                int as = i.addrSize;
                long cnt = readReg(RCX, as);
                boolean take;
                if (i.sub == 3) {
                    take = cnt == 0;
                } else {
                    cnt = (cnt - 1) & mask(as);
                    take = cnt != 0;
                    if (i.sub == 0) {
                        take &= !cond(4);
                    } else if (i.sub == 1) {
                        take &= cond(4);
                    }
                }
                if (take) {
                    branch(next + i.imm, s);
                }
                if (i.sub != 3) {
                    writeReg(RCX, as, cnt);
                }
                if (take) {
                    return;
                }
                break;
            }
            case Insn.JMP_FAR:
                farTransfer(false, (int) i.imm2, i.imm, s, next);
                return;
            case Insn.CALL_FAR:
            case Insn.JMP_FAR_M: {
                int sel = (int) i.imm2;
                long off = i.imm;
                if (i.mem) {
                    long la = ea(i);
                    off = readMem(la, s);
                    sel = (int) readMem(linear0(la + s), 2);
                }
                farTransfer(i.op == Insn.CALL_FAR, sel, off, s, next);
                return;
            }
            case Insn.RET_FAR:
                farReturn(s, (int) i.imm);
                return;
            case Insn.ENTER:
                enter(s, (int) i.imm, (int) i.imm2 & 31);
                break;
            case Insn.CMPXCHG8B:
                cmpxchg8b(ea(i), s);
                break;
            case Insn.POPCNT: {
                long v = readRm(i, s);
                writeReg(i.reg, s, Long.bitCount(v));
                setArith(v == 0 ? FLAG_ZF : 0);
                break;
            }
            case Insn.RDTSCP: {
                long t = readTsc();
                regs[RAX] = t & 0xFFFFFFFFL;
                regs[RDX] = t >>> 32;
                regs[RCX] = tscAux;
                break;
            }
            case Insn.NOP:
                break;
            case Insn.CLI:
                rflags &= ~FLAG_IF;
                break;
            case Insn.STI:
                if ((rflags & FLAG_IF) == 0) {
                    shadow = true;
                    shadowFresh = true;
                }
                rflags |= FLAG_IF;
                break;
            case Insn.CLD: rflags &= ~FLAG_DF; break;
            case Insn.STD: rflags |= FLAG_DF; break;
            case Insn.CLC: setSomeArith(FLAG_CF, 0); break;
            case Insn.STC: setSomeArith(FLAG_CF, FLAG_CF); break;
            case Insn.CMC: setSomeArith(FLAG_CF, ~arith()); break;
            case Insn.HLT:
                rip = next;
                halted = true;
                exitPending = new VcpuExit.HaltExit();
                return;
            case Insn.IN: {
                int port = i.imm2 == 1 ? (int) regs[RDX] & 0xFFFF : (int) i.imm;
                if (s == 4) {
                    regs[RAX] = 0; // the kernel's IN exit handler zeroes RAX for 32-bit input
                }
                rip = next;
                exitPending = new VcpuExit.IoExit(port, s, true, 0);
                return;
            }
            case Insn.OUT: {
                int port = i.imm2 == 1 ? (int) regs[RDX] & 0xFFFF : (int) i.imm;
                rip = next;
                exitPending = new VcpuExit.IoExit(port, s, false, (int) (regs[RAX] & mask(s)));
                return;
            }
            case Insn.LGDT:
            case Insn.LIDT: {
                long la = ea(i);
                int limit = (int) readMem(la, 2);
                long base = readMem(linear0(la + 2), codeSize == 64 ? 8 : 4);
                if (codeSize != 64 && s == 2) {
                    base &= 0xFFFFFF;
                }
                if (i.op == Insn.LGDT) {
                    gdtrBase = base;
                    gdtrLimit = limit;
                } else {
                    idtrBase = base;
                    idtrLimit = limit;
                }
                break;
            }
            case Insn.SGDT:
            case Insn.SIDT: {
                long la = ea(i);
                boolean g = i.op == Insn.SGDT;
                int bs = codeSize == 64 ? 8 : 4;
                writeMem(linear0(la + 2), bs, g ? gdtrBase : idtrBase);
                writeMem(la, 2, g ? gdtrLimit : idtrLimit);
                break;
            }
            case Insn.INVLPG: {
                long vpn = ea(i) >>> 12;
                int idx = (int) vpn & (TLB_SIZE - 1);
                rTag[idx] = 0;
                wTag[idx] = 0;
                xTag[idx] = 0;
                codeEpoch++;
                break;
            }
            case Insn.MOV_FROM_CR:
                writeReg(i.rm, s, readCr(i.reg));
                break;
            case Insn.MOV_TO_CR:
                writeCr(i.reg, readReg(i.rm, s));
                break;
            case Insn.MOV_RM_SREG:
                if (i.mem) {
                    writeMem(ea(i), 2, segSel[i.reg]);
                } else {
                    writeReg(i.rm, s, segSel[i.reg]);
                }
                break;
            case Insn.MOV_SREG_RM: {
                int sel = (int) readRm(i, 2);
                loadSegment(i.reg, sel);
                if (i.reg == SS) {
                    shadow = true;
                    shadowFresh = true;
                }
                break;
            }
            case Insn.IRET:
                iret(s);
                return;
            case Insn.STRING:
                if (!string(i, s)) {
                    return; // REP not finished: RIP stays on the instruction
                }
                break;
            case Insn.CPUID:
                cpuid();
                break;
            case Insn.RDTSC: {
                long t = readTsc();
                regs[RAX] = t & 0xFFFFFFFFL;
                regs[RDX] = t >>> 32;
                break;
            }
            case Insn.RDMSR: {
                long v = readMsr((int) regs[RCX]);
                regs[RAX] = v & 0xFFFFFFFFL;
                regs[RDX] = v >>> 32;
                break;
            }
            case Insn.WRMSR:
                writeMsr((int) regs[RCX], (regs[RDX] << 32) | (regs[RAX] & 0xFFFFFFFFL));
                break;
            case Insn.INT:
                rip = next;
                throw CpuSignal.softInt((int) i.imm);
            case Insn.INT3:
                rip = next;
                throw CpuSignal.softInt(3);
            case Insn.PUSHF:
                push(rflags() & ~(FLAG_RF | FLAG_VM), s);
                break;
            case Insn.POPF: {
                long v = pop(s);
                long m = s == 2 ? FLAGS_WRITABLE & 0xFFFF : FLAGS_WRITABLE & ~(FLAG_VIF | FLAG_VIP);
                m &= ~FLAG_RF;
                setRflags((rflags() & ~m) | (v & m));
                break;
            }
            case Insn.LAHF: {
                long f = rflags() & 0xD7;
                writeReg(16, 1, f | FLAG_RESERVED_ONE);
                break;
            }
            case Insn.SAHF: {
                long ah = (regs[RAX] >>> 8) & 0xFF;
                long which = FLAG_SF | FLAG_ZF | FLAG_AF | FLAG_PF | FLAG_CF;
                setSomeArith(which, ah);
                break;
            }
            case Insn.MOV_MOFFS: {
                long la = linear(i.seg, i.imm);
                if (i.sub == 0) {
                    writeReg(RAX, s, readMem(la, s));
                } else {
                    writeMem(la, s, regs[RAX]);
                }
                break;
            }
            case Insn.BSF:
            case Insn.BSR: {
                long v = readRm(i, s);
                if (v == 0) {
                    setSomeArith(FLAG_ZF, FLAG_ZF);
                } else {
                    long idx = i.op == Insn.BSF ? Long.numberOfTrailingZeros(v) : 63 - Long.numberOfLeadingZeros(v);
                    writeReg(i.reg, s, idx);
                    setSomeArith(FLAG_ZF, 0);
                }
                break;
            }
            case Insn.TZCNT:
            case Insn.LZCNT: {
                long v = readRm(i, s);
                int bits = s * 8;
                long r;
                if (v == 0) {
                    r = bits;
                } else if (i.op == Insn.TZCNT) {
                    r = Long.numberOfTrailingZeros(v);
                } else {
                    r = Long.numberOfLeadingZeros(v) - (64 - bits);
                }
                writeReg(i.reg, s, r);
                setSomeArith(FLAG_CF | FLAG_ZF, (v == 0 ? FLAG_CF : 0) | (r == 0 ? FLAG_ZF : 0));
                break;
            }
            case Insn.BSWAP:
                if (s == 8) {
                    regs[i.rm] = Long.reverseBytes(regs[i.rm]);
                } else if (s == 4) {
                    writeReg(i.rm, 4, Integer.reverseBytes((int) regs[i.rm]));
                } else {
                    writeReg(i.rm, 2, 0);
                }
                break;
            case Insn.BT:
                bitTest(i, s);
                break;
            case Insn.UD:
                throw CpuSignal.fault(6);
            case Insn.GP_TOO_LONG:
                throw CpuSignal.fault(13, 0);
            default:
                throw CpuSignal.error(ZX_ERR_NOT_SUPPORTED, "unsupported instruction " + hex(i.bytes)
                        + " at rip 0x" + Long.toHexString(rip));
        }
        rip = next;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xFF));
        }
        return sb.toString();
    }

    private void shift(Insn i, int s) {
        int bits = s * 8;
        int count = (int) ((i.imm2 == 1 ? regs[RCX] : i.imm) & (s == 8 ? 0x3F : 0x1F));
        long la = i.mem ? ea(i) : 0;
        long a = i.mem ? readMem(la, s) : readReg(i.rm, s);
        if (count == 0) {
            if (!i.mem && s == 4) {
                writeReg(i.rm, 4, a); // a 32-bit register destination is still zero-extended
            }
            return;
        }
        long m = mask(s);
        long sb = signBit(s);
        long r;
        long cf;
        long of;
        switch (i.sub) {
            case 0: { // ROL
                int n = count % bits;
                r = n == 0 ? a : ((a << n) | (a >>> (bits - n))) & m;
                cf = r & 1;
                of = ((r & sb) != 0 ? 1 : 0) ^ cf;
                writeRm(i, s, la, r);
                setSomeArith(FLAG_CF | FLAG_OF, (cf != 0 ? FLAG_CF : 0) | (of != 0 ? FLAG_OF : 0));
                return;
            }
            case 1: { // ROR
                int n = count % bits;
                r = n == 0 ? a : ((a >>> n) | (a << (bits - n))) & m;
                cf = (r & sb) != 0 ? 1 : 0;
                of = cf ^ ((r & (sb >>> 1)) != 0 ? 1 : 0);
                writeRm(i, s, la, r);
                setSomeArith(FLAG_CF | FLAG_OF, (cf != 0 ? FLAG_CF : 0) | (of != 0 ? FLAG_OF : 0));
                return;
            }
            case 2: // RCL
            case 3: { // RCR
                int n = s == 1 ? count % 9 : s == 2 ? count % 17 : count;
                long c = cfBit();
                r = a;
                for (int k = 0; k < n; k++) {
                    if (i.sub == 2) {
                        long out = (r & sb) != 0 ? 1 : 0;
                        r = ((r << 1) | c) & m;
                        c = out;
                    } else {
                        long out = r & 1;
                        r = (r >>> 1) | (c != 0 ? sb : 0);
                        c = out;
                    }
                }
                if (i.sub == 2) {
                    of = ((r & sb) != 0 ? 1 : 0) ^ c;
                } else {
                    of = ((r & sb) != 0 ? 1 : 0) ^ ((r & (sb >>> 1)) != 0 ? 1 : 0);
                }
                writeRm(i, s, la, r);
                setSomeArith(FLAG_CF | FLAG_OF, (c != 0 ? FLAG_CF : 0) | (of != 0 ? FLAG_OF : 0));
                return;
            }
            case 4: // SHL
            case 6: // SAL
                r = count >= 64 ? 0 : (a << count) & m;
                cf = count > bits ? 0 : (a >>> (bits - count)) & 1;
                of = ((r & sb) != 0 ? 1 : 0) ^ cf;
                break;
            case 5: // SHR
                r = a >>> count;
                cf = (a >>> (count - 1)) & 1;
                of = (a & sb) != 0 ? 1 : 0;
                break;
            default: { // SAR
                long sa = sext(a, s);
                r = (sa >> Math.min(count, 63)) & m;
                cf = (sa >> Math.min(count - 1, 63)) & 1;
                of = 0;
                break;
            }
        }
        writeRm(i, s, la, r);
        setArith(szp(r, s) | (cf != 0 ? FLAG_CF : 0) | (of != 0 ? FLAG_OF : 0));
    }

    private void doubleShift(Insn i, int s) {
        int bits = s * 8;
        int count = (int) ((i.imm2 == 1 ? regs[RCX] : i.imm) & (s == 8 ? 0x3F : 0x1F));
        long la = i.mem ? ea(i) : 0;
        long d = i.mem ? readMem(la, s) : readReg(i.rm, s);
        if (count == 0) {
            if (!i.mem && s == 4) {
                writeReg(i.rm, 4, d);
            }
            return;
        }
        long src = readReg(i.reg, s);
        long m = mask(s);
        long sb = signBit(s);
        long r;
        long cf;
        if (count > bits) {
            // Architecturally undefined (16-bit operands only); pick a deterministic result.
            count = count % bits == 0 ? bits : count % bits;
        }
        if (i.op == Insn.SHLD) {
            r = count == bits ? src : ((d << count) | (src >>> (bits - count))) & m;
            cf = (d >>> (bits - count)) & 1;
        } else {
            r = count == bits ? src : ((d >>> count) | (src << (bits - count))) & m;
            cf = (d >>> (count - 1)) & 1;
        }
        long of = ((r ^ d) & sb) != 0 ? FLAG_OF : 0;
        writeRm(i, s, la, r);
        setArith(szp(r, s) | (cf != 0 ? FLAG_CF : 0) | of);
    }

    private void mul1(Insn i, int s) {
        long src = readRm(i, s);
        boolean signed = i.op == Insn.IMUL1;
        long lo;
        long hi;
        boolean ovf;
        switch (s) {
            case 1: {
                long p = signed ? sext(regs[RAX], 1) * sext(src, 1) : (regs[RAX] & 0xFF) * src;
                writeReg(RAX, 2, p);
                lo = p & 0xFF;
                ovf = signed ? sext(p, 1) != p : (p >>> 8) != 0;
                break;
            }
            case 2:
            case 4: {
                long a = readReg(RAX, s);
                long p = signed ? sext(a, s) * sext(src, s) : a * src;
                lo = p & mask(s);
                hi = (p >> (s * 8)) & mask(s);
                writeReg(RAX, s, lo);
                writeReg(RDX, s, hi);
                ovf = signed ? sext(p, s) != p : hi != 0;
                break;
            }
            default: {
                long a = regs[RAX];
                lo = a * src;
                if (signed) {
                    hi = Math.multiplyHigh(a, src);
                    ovf = hi != (lo >> 63);
                } else {
                    hi = Math.multiplyHigh(a, src) + ((a >> 63) & src) + ((src >> 63) & a);
                    ovf = hi != 0;
                }
                regs[RAX] = lo;
                regs[RDX] = hi;
                break;
            }
        }
        setArith((ovf ? FLAG_CF | FLAG_OF : 0) | szp(lo, s));
    }

    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private static BigInteger unsigned(long v) {
        BigInteger b = BigInteger.valueOf(v);
        return v < 0 ? b.add(TWO_64) : b;
    }

    private void div(Insn i, int s) {
        long d = readRm(i, s);
        boolean signed = i.op == Insn.IDIV;
        if (d == 0) {
            throw CpuSignal.fault(0);
        }
        long q;
        long r;
        if (s < 8) {
            int bits = s * 8;
            long dividend;
            if (s == 1) {
                dividend = regs[RAX] & 0xFFFF;
            } else {
                dividend = (readReg(RDX, s) << bits) | readReg(RAX, s);
            }
            if (signed) {
                long n = sext(dividend, s * 2);
                long dv = sext(d, s);
                if (n == Long.MIN_VALUE && dv == -1) {
                    throw CpuSignal.fault(0);
                }
                q = n / dv;
                r = n % dv;
                if (q != sext(q, s)) {
                    throw CpuSignal.fault(0);
                }
            } else {
                q = Long.divideUnsigned(dividend, d);
                r = Long.remainderUnsigned(dividend, d);
                if ((q & ~mask(s)) != 0) {
                    throw CpuSignal.fault(0);
                }
            }
            if (s == 1) {
                writeReg(RAX, 2, (q & 0xFF) | ((r & 0xFF) << 8));
            } else {
                writeReg(RAX, s, q);
                writeReg(RDX, s, r);
            }
            return;
        }
        long hi = regs[RDX];
        long lo = regs[RAX];
        if (!signed) {
            if (hi == 0) {
                q = Long.divideUnsigned(lo, d);
                r = Long.remainderUnsigned(lo, d);
            } else {
                if (Long.compareUnsigned(hi, d) >= 0) {
                    throw CpuSignal.fault(0);
                }
                BigInteger n = unsigned(hi).shiftLeft(64).or(unsigned(lo));
                BigInteger[] qr = n.divideAndRemainder(unsigned(d));
                q = qr[0].longValue();
                r = qr[1].longValue();
            }
        } else {
            if (hi == (lo >> 63)) {
                if (lo == Long.MIN_VALUE && d == -1) {
                    throw CpuSignal.fault(0);
                }
                q = lo / d;
                r = lo % d;
            } else {
                BigInteger n = BigInteger.valueOf(hi).shiftLeft(64).or(unsigned(lo));
                BigInteger[] qr = n.divideAndRemainder(BigInteger.valueOf(d));
                if (qr[0].bitLength() > 63) {
                    throw CpuSignal.fault(0);
                }
                q = qr[0].longValue();
                r = qr[1].longValue();
            }
        }
        regs[RAX] = q;
        regs[RDX] = r;
    }

    private void bitTest(Insn i, int s) {
        int bits = s * 8;
        long la = 0;
        long v;
        int bit;
        if (i.imm2 == 1) {
            bit = (int) (i.imm & (bits - 1));
            if (i.mem) {
                la = ea(i);
            }
        } else {
            long off = readReg(i.reg, s);
            if (i.mem) {
                long soff = sext(off, s);
                la = ea(i) + (soff >> (bits == 16 ? 4 : bits == 32 ? 5 : 6)) * s;
                la = linear0(la);
                bit = (int) (soff & (bits - 1));
            } else {
                bit = (int) (off & (bits - 1));
            }
        }
        v = i.mem ? readMem(la, s) : readReg(i.rm, s);
        long cf = (v >>> bit) & 1;
        long r;
        switch (i.sub) {
            case 1: r = v | (1L << bit); break;
            case 2: r = v & ~(1L << bit); break;
            case 3: r = v ^ (1L << bit); break;
            default: r = v; break;
        }
        if (i.sub != 0) {
            writeRm(i, s, la, r);
        }
        setSomeArith(FLAG_CF, cf != 0 ? FLAG_CF : 0);
    }

    /**
     * Executes one step of a string instruction. Returns true when the instruction completed
     * (RIP must advance), false when a REP was cut short to let the run loop check for stops.
     */
    private boolean string(Insn i, int s) {
        int as = i.addrSize;
        long am = mask(as);
        long delta = (rflags & FLAG_DF) != 0 ? -s : s;
        boolean rep = i.rep != 0;
        int kind = i.sub;
        for (int iter = 0; ; iter++) {
            if (rep && (regs[RCX] & am) == 0) {
                return true;
            }
            if (iter >= MAX_REP_PER_STEP) {
                return false;
            }
            long si = regs[RSI] & am;
            long di = regs[RDI] & am;
            boolean zf = false;
            switch (kind) {
                case Insn.STR_MOVS: {
                    long v = readMem(linear(i.seg, si), s);
                    writeMem(linear(ES, di), s, v);
                    writeReg(RSI, as, si + delta);
                    writeReg(RDI, as, di + delta);
                    break;
                }
                case Insn.STR_STOS:
                    writeMem(linear(ES, di), s, regs[RAX]);
                    writeReg(RDI, as, di + delta);
                    break;
                case Insn.STR_LODS:
                    writeReg(RAX, s, readMem(linear(i.seg, si), s));
                    writeReg(RSI, as, si + delta);
                    break;
                case Insn.STR_CMPS: {
                    long a = readMem(linear(i.seg, si), s);
                    long b = readMem(linear(ES, di), s);
                    alu(7, a, b, s);
                    commit();
                    zf = a == b;
                    writeReg(RSI, as, si + delta);
                    writeReg(RDI, as, di + delta);
                    break;
                }
                default: { // SCAS
                    long a = readReg(RAX, s);
                    long b = readMem(linear(ES, di), s);
                    alu(7, a, b, s);
                    commit();
                    zf = a == b;
                    writeReg(RDI, as, di + delta);
                    break;
                }
            }
            if (!rep) {
                return true;
            }
            writeReg(RCX, as, regs[RCX] - 1);
            if (kind == Insn.STR_CMPS || kind == Insn.STR_SCAS) {
                if ((i.rep == 1 && !zf) || (i.rep == 2 && zf)) {
                    return true;
                }
            }
        }
    }

    private void iret(int s) {
        if ((efer & EFER_LMA) != 0) {
            iretLong(s);
        } else if ((cr0 & CR0_PE) == 0) {
            long newIp = peek(s, 0);
            long cs = peek(s, s);
            long fl = peek(s, 2 * s);
            setSp(regs[RSP] + 3L * s);
            long m = s == 2 ? FLAGS_WRITABLE & 0xFFFF : FLAGS_WRITABLE & ~(FLAG_VIF | FLAG_VIP);
            setRflags((rflags() & ~m) | (fl & m));
            int sel = (int) cs & 0xFFFF;
            segSel[CS] = sel;
            segBase[CS] = (long) sel << 4;
            rip = newIp & mask(s);
        } else {
            iretProtected(s);
        }
    }

    private static CpuSignal outerPrivilege(String what, int sel) {
        return CpuSignal.error(ZX_ERR_NOT_SUPPORTED, what + " to privilege level " + (sel & 3)
                + " (CS 0x" + Integer.toHexString(sel) + "): privilege changes are not modelled");
    }

    /**
     * IRET in IA-32e mode (64-bit or compatibility): pops RIP, CS, RFLAGS, RSP and SS with the
     * operand size, loads CS from the GDT (its L bit picks 64-bit or compatibility mode) and SS
     * from the GDT (a null SS only when returning to 64-bit mode).
     */
    private void iretLong(int s) {
        if ((rflags & FLAG_NT) != 0) {
            throw CpuSignal.fault(13, 0); // no task returns in IA-32e mode
        }
        long newRip = peek(s, 0);
        int cs = (int) peek(s, s) & 0xFFFF;
        long fl = peek(s, 2 * s);
        long sp = peek(s, 3 * s);
        int ss = (int) peek(s, 4 * s) & 0xFFFF;
        if ((cs & 3) != 0) {
            throw outerPrivilege("IRET", cs);
        }
        long code = codeDescriptor(cs, CODE_RETURN);
        long target = farTarget(code, newRip, s);
        long stack = 0;
        if ((ss & ~3) == 0) {
            if (!is64BitCode(code) || (ss & 3) != 0) {
                throw CpuSignal.fault(13, 0);
            }
        } else {
            stack = dataDescriptor(SS, ss);
        }
        long m = FLAGS_WRITABLE;
        if (s == 2) {
            m &= 0xFFFF;
        } else if (s == 4) {
            m &= 0xFFFFFFFFL;
        }
        setRflags((rflags() & ~m) | (fl & m));
        loadCode(cs, code);
        segSel[SS] = ss;
        if (stack != 0) {
            segBase[SS] = descriptorBase(stack);
            segLimit[SS] = descriptorLimit(stack);
            segAttr[SS] = descriptorAttributes(stack);
        }
        regs[RSP] = s == 8 ? sp : sp & mask(s);
        rip = target;
    }

    /**
     * IRET in protected mode without long mode, to the same privilege level: pops EIP/IP, CS
     * and EFLAGS/FLAGS and loads CS from the GDT. A task return (NT = 1), a return to
     * virtual-8086 mode or to an outer privilege level ends the run (not modelled).
     */
    private void iretProtected(int s) {
        if ((rflags & FLAG_NT) != 0) {
            throw CpuSignal.error(ZX_ERR_NOT_SUPPORTED,
                    "IRET with NT = 1 (task return): task switches are not modelled");
        }
        long newIp = peek(s, 0);
        int cs = (int) peek(s, s) & 0xFFFF;
        long fl = peek(s, 2 * s);
        if (s == 4 && (fl & FLAG_VM) != 0) {
            throw CpuSignal.error(ZX_ERR_NOT_SUPPORTED,
                    "IRET to virtual-8086 mode is not modelled");
        }
        if ((cs & 3) != 0) {
            throw outerPrivilege("IRET", cs);
        }
        long code = codeDescriptor(cs, CODE_RETURN);
        long target = farTarget(code, newIp, s);
        setSp(regs[RSP] + 3L * s);
        long m = s == 2 ? FLAGS_WRITABLE & 0xFFFF : FLAGS_WRITABLE;
        setRflags((rflags() & ~m) | (fl & m));
        loadCode(cs, code);
        rip = target;
    }

    /**
     * The new RIP of a far transfer of operand size {@code size} into a checked code segment:
     * 16-bit offsets wrap to 16 bits; a 64-bit target must be canonical, any other must fit in
     * 32 bits (#GP(0)). Segment limits are not checked.
     */
    private long farTarget(long code, long offset, int size) {
        if (size == 2) {
            offset &= 0xFFFF;
        } else if (size == 4) {
            offset &= 0xFFFFFFFFL;
        }
        if (is64BitCode(code) ? !canonical(offset) : (offset >>> 32) != 0) {
            throw CpuSignal.fault(13, 0);
        }
        return offset;
    }

    /**
     * Far JMP or CALL to {@code sel:offset} with operand size {@code size}. Real mode: CS =
     * selector, base = selector × 16. Protected and IA-32e mode: CS is loaded from the GDT after
     * the checks of {@link #codeDescriptor}; a CALL pushes CS and the return address with the
     * operand size first.
     */
    private void farTransfer(boolean call, int sel, long offset, int size, long next) {
        sel &= 0xFFFF;
        long code = 0;
        long target;
        if ((cr0 & CR0_PE) == 0) {
            target = offset & mask(size);
        } else {
            code = codeDescriptor(sel, CODE_JUMP);
            target = farTarget(code, offset, size);
        }
        if (call) {
            long old = regs[RSP];
            try {
                push(segSel[CS], size);
                push(next, size);
            } catch (CpuSignal e) {
                regs[RSP] = old;
                throw e;
            }
        }
        if ((cr0 & CR0_PE) == 0) {
            segSel[CS] = sel;
            segBase[CS] = (long) sel << 4;
        } else {
            loadCode(sel, code);
        }
        rip = target;
    }

    /** Far RET (RETF, RETF imm16) with operand size {@code size}, to the same privilege level. */
    private void farReturn(int size, int release) {
        long offset = peek(size, 0);
        int sel = (int) peek(size, size) & 0xFFFF;
        if ((cr0 & CR0_PE) == 0) {
            setSp(regs[RSP] + 2L * size + release);
            segSel[CS] = sel;
            segBase[CS] = (long) sel << 4;
            rip = offset & mask(size);
            return;
        }
        if ((sel & 3) != 0) {
            throw outerPrivilege("far RET", sel);
        }
        long code = codeDescriptor(sel, CODE_RETURN);
        long target = farTarget(code, offset, size);
        setSp(regs[RSP] + 2L * size + release);
        loadCode(sel, code);
        rip = target;
    }

    /**
     * ENTER {@code alloc}, {@code level}: pushes the frame pointer, copies {@code level − 1}
     * outer frame pointers and pushes the new one, then allocates. Nothing changes when a push
     * faults.
     */
    private void enter(int size, int alloc, int level) {
        long oldSp = regs[RSP];
        long oldBp = regs[RBP];
        long ssMask = mask(stackSize());
        try {
            push(regs[RBP], size);
            long frame = regs[RSP] & mask(size);
            if (level > 0) {
                long bp = regs[RBP];
                for (int k = 1; k < level; k++) {
                    bp -= size;
                    push(readMem(linear(SS, bp & ssMask), size), size);
                }
                push(frame, size);
            }
            if (codeSize == 64 && size == 8) {
                regs[RBP] = frame;
            } else {
                writeReg(RBP, size, frame);
            }
            setSp(regs[RSP] - alloc);
        } catch (CpuSignal e) {
            regs[RSP] = oldSp;
            regs[RBP] = oldBp;
            throw e;
        }
    }

    /**
     * CMPXCHG8B (size 8) / CMPXCHG16B (size 16, #GP(0) unless 16-byte aligned): compares
     * EDX:EAX (RDX:RAX) with the memory operand; equal → stores ECX:EBX (RCX:RBX), ZF = 1;
     * different → loads the operand into EDX:EAX (RDX:RAX), writes it back unchanged, ZF = 0.
     * Other flags are unchanged.
     */
    private void cmpxchg8b(long la, int size) {
        if (size == 16) {
            if ((la & 15) != 0) {
                throw CpuSignal.fault(13, 0);
            }
            long lo = readMem(la, 8);
            long hi = readMem(la + 8, 8);
            boolean eq = lo == regs[RAX] && hi == regs[RDX];
            writeMem(la, 8, eq ? regs[RBX] : lo);
            writeMem(la + 8, 8, eq ? regs[RCX] : hi);
            if (!eq) {
                regs[RAX] = lo;
                regs[RDX] = hi;
            }
            setSomeArith(FLAG_ZF, eq ? FLAG_ZF : 0);
            return;
        }
        long v = readMem(la, 8);
        long cmp = (regs[RDX] << 32) | (regs[RAX] & 0xFFFFFFFFL);
        boolean eq = v == cmp;
        writeMem(la, 8, eq ? (regs[RCX] << 32) | (regs[RBX] & 0xFFFFFFFFL) : v);
        if (!eq) {
            writeReg(RAX, 4, v);
            writeReg(RDX, 4, v >>> 32);
        }
        setSomeArith(FLAG_ZF, eq ? FLAG_ZF : 0);
    }
}
