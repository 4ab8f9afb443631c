package dev.zx4j.sim.x86;

import static dev.zx4j.abi.Zx.ZX_ERR_INTERNAL;
import static dev.zx4j.abi.Zx.ZX_ERR_NOT_SUPPORTED;
import static dev.zx4j.abi.Zx.ZX_ERR_OUT_OF_RANGE;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 *       through the interpreter ({@code Interpreter.exec}) as a generic op, so an instruction added to the
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
 * Hot 64-bit code is translated to JVM bytecode ({@code Translator}, {@code CodeCache}): the run
 * loop counts each op block's runs and replaces a hot one by an entry of a translated unit.
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
 * presents them to a guest (see {@code Cpuid} and {@code SystemRegisters}); the local
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
    /** RFLAGS.CF (bit 0), carry. */
    public static final long FLAG_CF = 1L;
    /** RFLAGS.PF (bit 2), parity of the result's low byte. */
    public static final long FLAG_PF = 1L << 2;
    /** RFLAGS.AF (bit 4), carry out of bit 3 (BCD adjust). */
    public static final long FLAG_AF = 1L << 4;
    /** RFLAGS.ZF (bit 6), zero result. */
    public static final long FLAG_ZF = 1L << 6;
    /** RFLAGS.SF (bit 7), sign of the result. */
    public static final long FLAG_SF = 1L << 7;
    /** RFLAGS.TF (bit 8), single-step trap. */
    public static final long FLAG_TF = 1L << 8;
    /** RFLAGS.IF (bit 9), maskable external interrupts enabled. */
    public static final long FLAG_IF = 1L << 9;
    /** RFLAGS.DF (bit 10), string instructions count down. */
    public static final long FLAG_DF = 1L << 10;
    /** RFLAGS.OF (bit 11), signed overflow. */
    public static final long FLAG_OF = 1L << 11;
    /** RFLAGS.IOPL (bits 12–13), the I/O privilege level. */
    public static final long FLAG_IOPL = 3L << 12;
    /** RFLAGS.NT (bit 14), nested task. */
    public static final long FLAG_NT = 1L << 14;
    /** RFLAGS.RF (bit 16), resume: suppresses instruction breakpoints once. */
    public static final long FLAG_RF = 1L << 16;
    /** RFLAGS.VM (bit 17), virtual-8086 mode. */
    public static final long FLAG_VM = 1L << 17;
    /** RFLAGS.AC (bit 18), alignment check (with CR0.AM, or SMAP override). */
    public static final long FLAG_AC = 1L << 18;
    /** RFLAGS.VIF (bit 19), virtual interrupt flag. */
    public static final long FLAG_VIF = 1L << 19;
    /** RFLAGS.VIP (bit 20), virtual interrupt pending. */
    public static final long FLAG_VIP = 1L << 20;
    /** RFLAGS.ID (bit 21); software that can toggle it knows CPUID exists. */
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
    static final long FLAGS_WRITABLE = FLAGS_ARITH | FLAG_TF | FLAG_IF | FLAG_DF | FLAG_IOPL
            | FLAG_NT | FLAG_RF | FLAG_AC | FLAG_VIF | FLAG_VIP | FLAG_ID;

    // ---- control registers, EFER, MSRs --------------------------------------------------
    /** CR0.PE (bit 0), protected mode enabled. */
    public static final long CR0_PE = 1L;
    /** CR0.ET (bit 4), extension type; hard-wired to 1 on modern processors. */
    public static final long CR0_ET = 1L << 4;
    /** CR0.NE (bit 5), native x87 error reporting (#MF instead of IRQ 13). */
    public static final long CR0_NE = 1L << 5;
    /** CR0.WP (bit 16), supervisor writes honour read-only pages. */
    public static final long CR0_WP = 1L << 16;
    /** CR0.PG (bit 31), paging enabled. */
    public static final long CR0_PG = 1L << 31;
    /** CR0.NW (bit 29), not write-through. */
    public static final long CR0_NW = 1L << 29;
    /** CR0.CD (bit 30), cache disable. */
    public static final long CR0_CD = 1L << 30;
    /**
     * CR0 bits in the kernel's guest/host mask (NE, NW, CD, ET): MOV from CR0 reads them from the
     * read shadow, i.e. as the guest last wrote them (ET before the first write), whatever the
     * CR0 in force holds (the kernel keeps NE set and NW/CD clear there).
     */
    static final long CR0_SHADOWED = CR0_ET | CR0_NE | CR0_NW | CR0_CD;
    /** CR4.PSE (bit 4), 4 MiB pages in 32-bit paging. */
    public static final long CR4_PSE = 1L << 4;
    /** CR4.PAE (bit 5), physical address extension (required for long mode). */
    public static final long CR4_PAE = 1L << 5;
    /** CR4.PGE (bit 7), global pages. */
    public static final long CR4_PGE = 1L << 7;
    /** CR4.OSFXSR (bit 9), the OS supports FXSAVE/FXRSTOR and SSE. */
    public static final long CR4_OSFXSR = 1L << 9;
    /** CR4.OSXMMEXCPT (bit 10), the OS handles SIMD exceptions (#XM). */
    public static final long CR4_OSXMMEXCPT = 1L << 10;
    /** CR4.FSGSBASE (bit 16), RDFSBASE/WRFSBASE and friends enabled. */
    public static final long CR4_FSGSBASE = 1L << 16;
    /** CR4.OSXSAVE (bit 18), XSAVE and XGETBV/XSETBV enabled. */
    public static final long CR4_OSXSAVE = 1L << 18;
    /** CR4.TSD (bit 2), RDTSC only at CPL 0. */
    public static final long CR4_TSD = 1L << 2;
    /** CR4.DE (bit 3), debugging extensions. */
    public static final long CR4_DE = 1L << 3;
    /** CR4.PCE (bit 8), RDPMC allowed at any CPL. */
    public static final long CR4_PCE = 1L << 8;
    /** CR4.UMIP (bit 11), SGDT/SIDT/SLDT/SMSW/STR only at CPL 0. */
    public static final long CR4_UMIP = 1L << 11;
    /** CR4.SMEP (bit 20), supervisor-mode execution prevention. */
    public static final long CR4_SMEP = 1L << 20;
    /** CR4.SMAP (bit 21), supervisor-mode access prevention. */
    public static final long CR4_SMAP = 1L << 21;
    /** Set in the real CR4 under VMX and hidden from the guest (mask VMXE, read shadow 0). */
    public static final long CR4_VMXE = 1L << 13;
    /** EFER.SCE (bit 0), SYSCALL/SYSRET enabled. */
    public static final long EFER_SCE = 1L;
    /** EFER.LME (bit 8), long mode enable. */
    public static final long EFER_LME = 1L << 8;
    /** EFER.LMA (bit 10), long mode active (set by the processor). */
    public static final long EFER_LMA = 1L << 10;
    /** EFER.NXE (bit 11), no-execute page bit enabled. */
    public static final long EFER_NXE = 1L << 11;
    /** MSR number of IA32_EFER. */
    public static final int MSR_EFER = 0xC0000080;
    /** MSR number of IA32_FS_BASE (the FS segment base in 64-bit mode). */
    public static final int MSR_FS_BASE = 0xC0000100;
    /** MSR number of IA32_GS_BASE (the GS segment base in 64-bit mode). */
    public static final int MSR_GS_BASE = 0xC0000101;
    /** MSR number of IA32_KERNEL_GS_BASE (the value SWAPGS exchanges with GS.base). */
    public static final int MSR_KERNEL_GS_BASE = 0xC0000102;
    /** MSR number of IA32_TSC_AUX (the value RDTSCP and RDPID return). */
    public static final int MSR_TSC_AUX = 0xC0000103;
    /** MSR number of IA32_TSC_ADJUST (an offset added to the time-stamp counter). */
    public static final int MSR_TSC_ADJUST = 0x3B;
    /** MSR number of IA32_SYSENTER_CS. */
    public static final int MSR_SYSENTER_CS = 0x174;
    /** MSR number of IA32_SYSENTER_ESP. */
    public static final int MSR_SYSENTER_ESP = 0x175;
    /** MSR number of IA32_SYSENTER_EIP. */
    public static final int MSR_SYSENTER_EIP = 0x176;
    long sysenterCs, sysenterEsp, sysenterEip;
    long tscAux, tscAdjust, lastTsc;
    boolean tscRead;

    // ---- segment indexes and attributes (VMX access-rights format) ------------------------
    /**
     * Segment register indexes for {@link #segment(int)} and {@link #setSegment}, in x86 encoding
     * order.
     */
    public static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;
    /** Present, accessed execute/read code segment with the L (64-bit) bit. */
    public static final int ATTR_CODE64 = 0x209B;
    /** Present, accessed execute/read 16-bit code segment. */
    public static final int ATTR_CODE16 = 0x009B;
    /** Present, accessed read/write data segment. */
    public static final int ATTR_DATA = 0x0093;
    static final int ATTR_L = 0x2000;
    static final int ATTR_DB = 0x4000;

    /** Register indexes in {@link #reg(int)} order (x86 encoding order). */
    public static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;

    /** Size of the x86 {@code zx_vcpu_state_t}. */
    public static final int VCPU_STATE_SIZE = 136;

    static final VarHandle I16 =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    /**
     * Whether locked read-modify-writes are atomic against plain stores of other VCPU threads
     * on this JVM (it needs compare-and-set on byte-array views, which JDK 22+ refuse; without
     * it they are atomic only against each other).
     *
     * @return true on JDK 17–21
     */
    public static boolean lockedOperationsAtomicAcrossVcpus() {
        return Memory.HOST_CAS;
    }

    static final VarHandle I32 =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle I64 =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * Segment register contents (hidden part included).
     *
     * @param selector the visible selector
     * @param base the segment base address
     * @param limit the segment limit in bytes (granularity already applied)
     * @param attributes the access rights in VMX format (type, S, DPL, P, L, D/B, G)
     */
    public record SegmentRegister(int selector, long base, long limit, int attributes) {}

    /**
     * GDTR or IDTR.
     *
     * @param base the table's linear base address
     * @param limit the table's limit in bytes (size − 1)
     */
    public record TableRegister(long base, int limit) {}

    // ---- architectural state --------------------------------------------------------------
    final long[] regs = new long[16];
    long rip;
    /** Non-arithmetic flags always; arithmetic flags when {@link #lfOp} is LF_NONE. */
    long rflags = FLAG_RESERVED_ONE;
    long cr0, cr2, cr3, cr4, cr8, efer;
    long cr0Shadow = CR0_ET;
    /** The x87/MMX/SSE register file, shared by X87 and {@link Sse}. */
    final FpuState fpu = new FpuState();
    /**
     * XCR0. The modelled kernel starts a guest with its host's XCR0 (x87|SSE|AVX); AVX is not
     * implemented here, so the value is x87|SSE (see ExtendedState.XCR0_SUPPORTED).
     */
    long xcr0 = ExtendedState.XCR0_SUPPORTED;
    /** The MMX/SSE unit. */
    final Sse sse = new Sse(new CpuSseHost(this), fpu);
    /** The x87 unit. */
    final X87 x87 = new X87(fpu);
    final int[] segSel = new int[6];
    final long[] segBase = new long[6];
    final long[] segLimit = new long[6];
    final int[] segAttr = new int[6];
    long trBase;
    long gdtrBase, idtrBase;
    int gdtrLimit, idtrLimit;
    long kernelGsBase, star, lstar, cstar, sfmask, pat = 0x0007040600070406L;
    boolean shadow, shadowFresh;
    /** DR0–DR3, DR6, DR7 and the debug state of the run loop (see {@link Debug}). */
    final long[] dr = new long[4];
    long dr6 = Debug.DR6_ONES;
    long dr7 = Debug.DR7_ONES;
    boolean execBreakpoints, dataBreakpoints;
    /** Any breakpoint armed or debug trap pending or held: the run loop goes step by step. */
    boolean debugSlow;
    /** Data-breakpoint hits (DR6 B0–B3) of the instruction running. */
    long dataHits;
    /** #DB trap conditions due before the next instruction, and those held by MOV SS. */
    long pendingDebugTraps, heldDebugTraps;
    /** Whether the interrupt shadow comes from MOV SS / POP SS (it also holds debug traps). */
    boolean movSsShadow;
    /** Current privilege level (CS.RPL in protected mode, 0 in real mode). */
    int cpl;
    /** TR and LDTR: selector and the hidden base, limit and attributes. */
    int trSel, ldtrSel;
    long trLimit, ldtrBase, ldtrLimit;
    int trAttr, ldtrAttr;
    boolean halted;
    boolean shutdown;
    final int apicId;

    // ---- lazy flags -----------------------------------------------------------------------
    static final int LF_NONE = 0, LF_ADD = 1, LF_ADC = 2, LF_SUB = 3, LF_SBB = 4,
            LF_LOGIC = 5, LF_INC = 6, LF_DEC = 7;
    int lfOp;
    int lfSize;
    long lfA, lfB, lfR, lfCin;
    // Flags computed by an instruction but committed only after its last memory write.
    int pOp, pSize;
    long pA, pB, pR, pCin;

    // ---- engine state ---------------------------------------------------------------------
    final GuestPhysicalBus bus;
    volatile boolean stopRequested;
    boolean windowExiting;
    int pendingInjection = -1;
    long retired;
    LongSupplier tscSource = System::nanoTime;
    int codeSize = 64;
    long nip;
    Insn cur;
    VcpuExit exitPending;
    /** Whether CPUID exits to the kernel ({@link VcpuExit.Cpuid}) instead of answering. */
    boolean cpuidExits;
    /** Length of the instruction of the last {@link VcpuExit.Cpuid}/Rdmsr/Wrmsr exit; 0: none. */
    int interceptLength;
    /** Set when a write dropped cached code; the running block stops after that instruction. */
    boolean codeInvalidated;

    static final int TLB_SIZE = 256;
    static final long TLB_VALID = 1L << 62;
    /** Marks TLB entries filled by user-mode accesses (CPL 3); supervisor entries lack it. */
    static final long TLB_USER = 1L << 60;
    /** What a TLB tag holds besides the page number: TLB_VALID, plus TLB_USER at CPL 3. */
    long tlbKey = TLB_VALID;
    /** Set while the CPU makes implicit supervisor accesses (descriptor tables, TSS, event stacks). */
    boolean sysAccess;
    /** Set while delivering INT n/INT3/INTO, whose gate must have DPL ≥ CPL. */
    boolean softEvent;
    /** Set by a page walk whose outcome depends on RFLAGS.AC (SMAP): not put in the TLB. */
    boolean walkUncacheable;
    /**
     * A locked read-modify-write in progress ({@link Memory#execAtomic}): 0 = none, 1 = armed
     * (the next data read is the operand), 2 = operand read (address, size and value below),
     * 3 = not a CAS-able operand (crossing a page).
     */
    int atomicState;
    long atomicLa;
    int atomicSize;
    long atomicOld;
    /** Marks a write-TLB entry of a page holding decoded code: writes take the checking path. */
    static final long TLB_CODE = 1L << 61;
    final long[] rTag = new long[TLB_SIZE];
    final byte[][] rPage = new byte[TLB_SIZE][];
    final long[] wTag = new long[TLB_SIZE];
    final byte[][] wPage = new byte[TLB_SIZE][];
    final long[] wPfn = new long[TLB_SIZE];
    final CodePage[] wCode = new CodePage[TLB_SIZE];
    final long[] xTag = new long[TLB_SIZE];
    final long[] xPfn = new long[TLB_SIZE];
    /**
     * Which read, write and fetch TLB entries hold global translations (the leaf entry's G bit
     * with CR4.PGE): a MOV to CR3 keeps them, as silicon does (Intel SDM vol. 3, 4.10.2.4);
     * INVLPG and MOV to CR4 or CR0 drop them with the rest.
     */
    final boolean[] rGlobal = new boolean[TLB_SIZE];
    final boolean[] wGlobal = new boolean[TLB_SIZE];
    final boolean[] xGlobal = new boolean[TLB_SIZE];
    /** Set by each successful page walk: whether its translation is global. */
    boolean walkGlobal;
    long missGpa;
    static final int PHYS_CACHE_SIZE = 1024;
    /**
     * A cache of the bus's RAM pages by guest-physical page number (direct-mapped; a tag holds
     * the page number + 1, 0 is empty): the page walks and TLB fills that follow a TLB flush find
     * their pages here instead of asking the bus. It holds the bus's own arrays, so every write
     * to guest memory is seen through it; the zero page of a page never written is not kept.
     * Cleared by {@link #flushTlb()} (the guest-physical layout changed), not by the guest's own
     * TLB flushes.
     */
    final long[] physTag = new long[PHYS_CACHE_SIZE];
    final byte[][] physPage = new byte[PHYS_CACHE_SIZE][];

    static final int MAX_BLOCK = 64;
    static final int MAX_REP_PER_STEP = 4096;

    /** A guest-physical page holding decoded code: which bytes, and the blocks decoded from it. */
    static final class CodePage {
        final long[] bytes = new long[GuestPhysicalBus.PAGE_SIZE / 64];
        final ArrayList<Long> keys = new ArrayList<>();

        void mark(int off, int len) {
            for (int k = off; k < off + len; k++) {
                bytes[k >>> 6] |= 1L << k;
            }
        }

        /** Whether {@code [off, off + len)} (within the page) holds decoded bytes. */
        boolean overlaps(int off, int len) {
            int last = off + len - 1;
            int w0 = off >>> 6;
            int w1 = last >>> 6;
            long head = -1L << off;          // bits off.. of word w0 (shift counts are mod 64)
            long tail = -1L >>> (63 - (last & 63)); // bits ..last of word w1
            if (w0 == w1) {
                return (bytes[w0] & head & tail) != 0;
            }
            if ((bytes[w0] & head) != 0 || (bytes[w1] & tail) != 0) {
                return true;
            }
            for (int w = w0 + 1; w < w1; w++) {
                if (bytes[w] != 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Blocks by guest-physical address | mode key. */
    final HashMap<Long, CodeBlock> blocks = new HashMap<>();
    final HashMap<Long, CodePage> codePages = new HashMap<>();
    /**
     * Advanced whenever a block link or jump-cache entry may have become wrong: cached code
     * dropped, TLB flushed, paging or mode changed. Links and entries of older epochs are ignored.
     */
    long codeEpoch;
    /**
     * Advanced by each MOV to CR3, which drops the non-global translations only: a link or
     * jump-cache entry to a block on a page with a global translation is tagged -1 and survives
     * it; the others are tagged with this value and do not.
     */
    long asEpoch;
    /** The CPL the current {@link #codeEpoch} began at ({@link Segments#updateMode}). */
    int epochCpl;
    /** The {@link #asEpoch} tag of the block the last {@link #lookup} returned (-1: global). */
    long lookupAs;
    static final int JUMP_CACHE_SIZE = 16384;
    /**
     * Blocks by linear address (64-bit mode), valid in the epochs stored beside them; an entry
     * from before the last MOV to CR3 is still used when its page translates to the frame it
     * was decoded from ({@link #jumpCachePfn}).
     */
    final CodeBlock[] jumpCache = new CodeBlock[JUMP_CACHE_SIZE];
    final long[] jumpCacheEpoch = new long[JUMP_CACHE_SIZE];
    final long[] jumpCacheAs = new long[JUMP_CACHE_SIZE];
    final long[] jumpCachePfn = new long[JUMP_CACHE_SIZE];
    /** Whether 64-bit blocks are built as {@link CodeBlock.OpBlock}s (else interpreted; for tests). */
    boolean compileBlocks = true;
    /**
     * Runs after which a 64-bit op block is translated to JVM bytecode ({@link Translator}); 0
     * translates every block when it is built (the test mode), negative never. Defaults to the
     * system property {@code zx4j.jit.threshold}.
     */
    int translateAfter = Translator.configuredThreshold();
    /** The translated units of this CPU and how blocks become units. */
    final CodeCache codeCache = new CodeCache(CodeCache.DEFAULT_MAX_UNITS, CodeCache.DEFAULT_MAX_BYTES);
    /** The retired count at which the current {@link #run} ends (its budget), for translated units. */
    long runEnd;

    private X86Cpu(GuestPhysicalBus bus, int apicId) {
        this.bus = bus;
        this.apicId = apicId;
    }

    /**
     * The boot VCPU (the guest's first VCPU, VPID 1) as {@code zx_vcpu_create} leaves it: 64-bit
     * long mode, paging on with CR3 = 0, RIP = {@code entry}, RFLAGS = 0x2, all GPRs 0.
     *
     * @param bus the guest-physical memory and traps
     * @param entry the guest-physical start address
     * @return the processor
     */
    public static X86Cpu newBootProcessor(GuestPhysicalBus bus, long entry) {
        X86Cpu c = new X86Cpu(bus, 0);
        c.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
        c.cr4 = CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_FSGSBASE | CR4_OSXSAVE;
        c.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
        c.initSegments(0, 0, ATTR_CODE64);
        c.rip = entry;
        Segments.updateMode(c);
        return c;
    }

    /**
     * An application processor (every later VCPU): real mode, paging off, CS.selector =
     * {@code entry >> 4}, CS.base = {@code entry}, RIP = 0, RFLAGS = 0x2.
     *
     * @param apicId the initial APIC ID reported by CPUID (VPID − 1)
     * @param bus the guest-physical memory and traps
     * @param entry the guest-physical start address, which becomes CS.base
     * @return the processor
     */
    public static X86Cpu newApplicationProcessor(GuestPhysicalBus bus, long entry, int apicId) {
        X86Cpu c = new X86Cpu(bus, apicId);
        c.cr0 = CR0_ET | CR0_NE | CR0_WP;
        c.cr4 = CR4_OSFXSR | CR4_FSGSBASE | CR4_OSXSAVE;
        c.efer = EFER_SCE | EFER_NXE;
        c.initSegments((int) (entry >>> 4) & 0xFFFF, entry, ATTR_CODE16);
        c.rip = 0;
        Segments.updateMode(c);
        return c;
    }

    void initSegments(int csSel, long csBase, int csAttr) {
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

    /**
     * General-purpose register {@code index} (0 = RAX … 15 = R15).
     *
     * @param index the register number
     * @return its value
     */
    public long reg(int index) {
        return regs[index];
    }

    /**
     * Sets general-purpose register {@code index} (0 = RAX … 15 = R15).
     *
     * @param index the register number
     * @param value the new value
     */
    public void setReg(int index, long value) {
        regs[index] = value;
    }

    /** {@return the instruction pointer} */
    public long rip() {
        return rip;
    }

    /**
     * Sets the instruction pointer.
     *
     * @param value the new RIP
     */
    public void setRip(long value) {
        rip = value;
    }

    /** {@return the full RFLAGS value (lazy flags materialised; bit 1 always set)} */
    public long rflags() {
        return (rflags & ~FLAGS_ARITH) | Flags.arith(this) | FLAG_RESERVED_ONE;
    }

    /**
     * Sets RFLAGS directly (no masking except forcing bit 1).
     *
     * @param value the new RFLAGS
     */
    public void setRflags(long value) {
        rflags = (value & FLAGS_WRITABLE) | FLAG_RESERVED_ONE;
        lfOp = LF_NONE;
    }

    /** {@return CR0 as in force} */
    public long cr0() { return cr0; }
    /** {@return CR2, the linear address of the last page fault} */
    public long cr2() { return cr2; }
    /** {@return CR3, the page-table root} */
    public long cr3() { return cr3; }
    /** {@return CR4 as in force} */
    public long cr4() { return cr4; }
    /** {@return IA32_EFER} */
    public long efer() { return efer; }

    /**
     * Sets when hot 64-bit code is translated to JVM bytecode, for the blocks built from now on
     * (the default comes from the system property {@code zx4j.jit.threshold}).
     *
     * @param runs runs of a block before it heads a translated unit; 0 translates every block
     *        when it is built; a negative value never translates
     */
    public void setTranslationThreshold(int runs) {
        translateAfter = runs < 0 ? -1 : runs;
    }

    /**
     * Sets CR3 and flushes the TLB.
     *
     * @param value the new CR3
     */
    public void setCr3(long value) {
        cr3 = value;
        flushTlb();
    }

    /**
     * The visible and hidden parts of a segment register.
     *
     * @param index {@link #ES}, {@link #CS}, {@link #SS}, {@link #DS}, {@link #FS} or {@link #GS}
     * @return the register's contents
     */
    public SegmentRegister segment(int index) {
        return new SegmentRegister(segSel[index], segBase[index], segLimit[index], segAttr[index]);
    }

    /**
     * Loads a segment register's visible and hidden parts directly.
     *
     * @param index {@link #ES}, {@link #CS}, {@link #SS}, {@link #DS}, {@link #FS} or {@link #GS}
     * @param s the new contents
     */
    public void setSegment(int index, SegmentRegister s) {
        segSel[index] = s.selector();
        segBase[index] = s.base();
        segLimit[index] = s.limit();
        segAttr[index] = s.attributes();
        if (index == CS) {
            setCpl((cr0 & CR0_PE) != 0 ? (s.attributes() >>> 5) & 3 : 0);
        }
        Segments.updateMode(this);
    }

    /** {@return the GDTR} */
    public TableRegister gdtr() { return new TableRegister(gdtrBase, gdtrLimit); }
    /** {@return the IDTR} */
    public TableRegister idtr() { return new TableRegister(idtrBase, idtrLimit); }

    /**

     * {@return whether the last instruction was an STI that set IF, or a MOV/POP SS (one-
     * instruction shadow)}

     */
    public boolean interruptShadow() { return shadow; }

    /**
     * Whether the last exit was a HLT (cleared by {@link #run} and by event delivery).
     *
     * @return true after a HLT exit
     */
    public boolean halted() { return halted; }

    /** {@return whether the CPU is in 64-bit mode (EFER.LMA and CS.L)} */
    public boolean is64BitMode() { return codeSize == 64; }

    /** {@return code-segment size in bits: 16, 32 or 64} */
    public int codeSize() { return codeSize; }

    /** {@return instructions retired since creation} */
    public long instructionsRetired() { return retired; }

    /**
     * Makes CPUID exit to the kernel as {@link VcpuExit.Cpuid} (the VMX set-up of a VCPU),
     * instead of answering with this processor's own leaves (a bare CPU).
     *
     * @param exits true to exit on CPUID
     */
    public void setCpuidExits(boolean exits) {
        cpuidExits = exits;
    }

    /**
     * This processor's own CPUID leaf (what it answers without a hypervisor): {@code out} =
     * EAX, EBX, ECX, EDX. The kernel's CPUID exit handler starts from these values.
     *
     * @param leaf the leaf (EAX)
     * @param subleaf the subleaf (ECX)
     * @param out receives EAX, EBX, ECX, EDX; at least 4 elements
     */
    public void hostCpuid(int leaf, int subleaf, int[] out) {
        long[] r = Cpuid.query(this, leaf, subleaf);
        for (int k = 0; k < 4; k++) {
            out[k] = (int) r[k];
        }
    }

    /**
     * The guest's XCR0.
     *
     * @return XCR0, the enabled XSAVE state components
     */
    public long xcr0() {
        return xcr0;
    }

    /**
     * Completes the instruction of the last {@link VcpuExit.Cpuid}, {@link VcpuExit.Rdmsr} or
     * {@link VcpuExit.Wrmsr} exit the way the kernel's {@code next_rip} does: RIP moves past it
     * and STI and MOV-SS blocking end. Without this call the guest re-executes the instruction
     * at the next run (after an injected #GP, for instance).
     *
     * @throws IllegalStateException if the last run did not end in such an exit, or it was
     *     already completed
     */
    public void nextRip() {
        if (interceptLength == 0) {
            throw new IllegalStateException("no intercepted instruction to complete");
        }
        rip = maskIp(rip + interceptLength);
        interceptLength = 0;
        retired++;
        shadow = false;
        shadowFresh = false;
    }

    /**
     * Source of RDTSC values (default {@link System#nanoTime()}).
     *
     * @param source supplies the time-stamp counter at each read
     */
    public void setTimeStampCounter(LongSupplier source) {
        tscSource = source;
    }

    /**
     * Fills {@code buf[0..136)} with the x86 {@code zx_vcpu_state_t}: rax rcx rdx rbx rsp rbp rsi
     * rdi r8–r15, then RFLAGS masked to {@link #FLAGS_USER} (as {@code zx_vcpu_read_state}).
     *
     * @param buf the destination, at least 136 bytes
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
     *
     * @param buf the source, at least 136 bytes
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
     * @param data the value read by the IN
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

    /**

     * {@return whether an external interrupt (vector ≥ 32) can be delivered now: IF = 1 and no
     * shadow}

     */
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

    /**
     * The vector queued by {@link #injectVector} and not yet delivered, or -1.
     *
     * @return the vector, or -1
     */
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
     *
     * @param enabled true to exit as soon as an interrupt can be taken
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
        if (CpuEvents.ON) {
            CpuEvents.VcpuExitEvent ev = new CpuEvents.VcpuExitEvent();
            if (ev.isEnabled()) {
                ev.begin();
                long before = retired;
                VcpuExit e = runLoop(maxInstructions);
                ev.exit = String.valueOf(e);
                ev.instructions = retired - before;
                ev.rip = rip;
                ev.apicId = apicId;
                ev.commit();
                return e;
            }
        }
        return runLoop(maxInstructions);
    }

    private VcpuExit runLoop(long maxInstructions) {
        if (shutdown) {
            return new VcpuExit.ErrorExit(ZX_ERR_NOT_SUPPORTED, "VCPU is in shutdown (triple fault)");
        }
        halted = false;
        try {
            if (pendingInjection >= 0) {
                int v = pendingInjection;
                pendingInjection = -1;
                VcpuExit e = Events.raise(this, v, Events.hasErrorCode(v), 0);
                if (CpuEvents.ON) {
                    CpuEvents.InterruptDeliveryEvent ev = new CpuEvents.InterruptDeliveryEvent();
                    if (ev.isEnabled()) {
                        ev.vector = v;
                        ev.delivered = e == null;
                        ev.apicId = apicId;
                        ev.commit();
                    }
                }
                if (e != null) {
                    return e;
                }
            }
            codeInvalidated = false;
            long end = retired + maxInstructions;
            runEnd = end;
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
                    if (shadow || debugSlow || (rflags & (FLAG_TF | FLAG_RF)) != 0) {
                        // One instruction at a time: the shadow ends at an instruction boundary
                        // the loop sees, and debug traps are taken between instructions.
                        prev = null;
                        if (pendingDebugTraps != 0) {
                            VcpuExit e = Debug.deliverPending(this);
                            if (e != null) {
                                return e;
                            }
                            continue;
                        }
                        if (debugSlow || (rflags & (FLAG_TF | FLAG_RF)) != 0) {
                            Debug.step(this);
                        } else {
                            interpret(lookup().insns, 1);
                        }
                    } else {
                        long ip = rip;
                        CodeBlock b = prev == null ? null : prev.successor(ip, codeEpoch, asEpoch);
                        if (b == null) {
                            b = lookup();
                            if (prev != null && b.cacheable && codeSize == 64) {
                                prev.link(ip, b, codeEpoch, lookupAs, asEpoch);
                            }
                        }
                        b.run(this);
                        if (--b.heat == 0) {
                            b = codeCache.promote(this, b);
                        }
                        prev = b;
                    }
                } catch (CpuSignal s) {
                    prev = null;
                    if (s.kind == CpuSignal.CODE_WRITTEN) {
                        codeInvalidated = false;
                    } else {
                        VcpuExit e = Events.handleSignal(this, s);
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
     * Runs the first {@code n} instructions of {@code insns} one by one through {@link Interpreter#exec},
     * stopping early after an instruction that dropped cached code. On a signal the retired count
     * covers the instructions before the one that raised it.
     */
    void interpret(Insn[] insns, int n) {
        int done = 0;
        try {
            for (; done < n; ) {
                Insn in = insns[done];
                cur = in;
                Interpreter.exec(this, in);
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

    // =====================================================================================
    // Code cache
    // =====================================================================================

    /**
     * Whether a translated unit must return to this loop at a block boundary: a stop request, an
     * interrupt shadow, a pending exit, or an open interrupt window being watched.
     */
    boolean mustLeave() {
        return stopRequested || shadow || exitPending != null
                || (windowExiting && canTakeExternalInterrupt());
    }

    /** Drops all cached decoded code. */
    public void invalidateAllCode() {
        if (CpuEvents.ON) {
            CpuEvents.CodeInvalidationEvent ev = new CpuEvents.CodeInvalidationEvent();
            if (ev.isEnabled()) {
                ev.page = -1;
                ev.blocks = blocks.size();
                ev.units = codeCache.size();
                ev.commit();
            }
        }
        blocks.clear();
        codeCache.clear();
        codePages.clear();
        Arrays.fill(wTag, 0);
        Arrays.fill(wCode, null);
        codeEpoch++;
    }

    /**
     * Drops cached decoded code for the guest-physical range {@code [gpa, gpa + length)}. Call
     * after writing guest RAM other than through this CPU.
     *
     * @param gpa the guest-physical start
     * @param length the length in bytes
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
        Arrays.fill(physTag, 0);
        Arrays.fill(physPage, null);
        flushLinear();
    }

    /**
     * The guest's TLB flush (MOV to CR3/CR4/CR0, INVLPG, EFER): drops every cached translation
     * of a linear address, and the links and jump-cache entries that depend on them.
     */
    /**
     * MOV to CR3: drops the translations that are not global, and the links and jump-cache
     * entries to blocks whose page translation is not global.
     */
    void flushNonGlobal() {
        for (int k = 0; k < TLB_SIZE; k++) {
            if (!rGlobal[k]) {
                rTag[k] = 0;
                rPage[k] = null;
            }
            if (!wGlobal[k]) {
                wTag[k] = 0;
                wPage[k] = null;
                wCode[k] = null;
            }
            if (!xGlobal[k]) {
                xTag[k] = 0;
            }
        }
        asEpoch++;
    }

    void flushLinear() {
        Arrays.fill(rTag, 0);
        Arrays.fill(wTag, 0);
        Arrays.fill(xTag, 0);
        Arrays.fill(rPage, null);
        Arrays.fill(wPage, null);
        Arrays.fill(wCode, null);
        codeEpoch++;
    }

    void invalidatePage(long pn) {
        CodePage cp = codePages.remove(pn);
        if (cp != null) {
            int units = 0;
            for (Long k : cp.keys) {
                CodeBlock b = blocks.remove(k);
                if (b instanceof TranslatedUnit.Entry && codeCache.remove(((TranslatedUnit.Entry) b).unit)) {
                    units++;
                }
            }
            if (CpuEvents.ON) {
                CpuEvents.CodeInvalidationEvent ev = new CpuEvents.CodeInvalidationEvent();
                if (ev.isEnabled()) {
                    ev.page = pn << 12;
                    ev.blocks = cp.keys.size();
                    ev.units = units;
                    ev.commit();
                }
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

    long modeKey() {
        return codeSize == 64 ? 2L << 60 : codeSize == 32 ? 1L << 60 : 0;
    }

    /** The block at RIP: from the jump cache (64-bit mode), else decoded or found by address. */
    CodeBlock lookup() {
        if (codeSize != 64) {
            lookupAs = asEpoch;
            return blockAt((segBase[CS] + rip) & 0xFFFFFFFFL);
        }
        long la = rip;
        int h = (int) (la ^ (la >>> 12)) & (JUMP_CACHE_SIZE - 1);
        CodeBlock b = jumpCache[h];
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        if (b != null && b.la == la && jumpCacheEpoch[h] == codeEpoch) {
            long as = jumpCacheAs[h];
            if (as == asEpoch || as < 0) {
                lookupAs = as;
                return b;
            }
            // Made before the last MOV to CR3 (and no code, mode or CPL change since): the block
            // is still the one at la if la's page still translates to its frame.
            if (!(b instanceof StraddleBlock) && fetchFrame(la) == jumpCachePfn[h]) {
                as = xGlobal[idx] ? -1 : asEpoch;
                jumpCacheAs[h] = as;
                lookupAs = as;
                return b;
            }
        }
        b = blockAt(la);
        boolean mapped = xTag[idx] == (vpn | tlbKey);
        long as = !(b instanceof StraddleBlock) && mapped && xGlobal[idx] ? -1 : asEpoch;
        lookupAs = as;
        if (b.cacheable) {
            jumpCache[h] = b;
            jumpCacheEpoch[h] = codeEpoch;
            jumpCacheAs[h] = as;
            jumpCachePfn[h] = mapped ? xPfn[idx] : -1;
        }
        return b;
    }

    CodeBlock blockAt(long la) {
        long gpa = (fetchFrame(la) << 12) | (la & 0xFFF);
        long key = gpa | modeKey();
        CodeBlock b = blocks.get(key);
        if (b == null || b.la != la
                || b instanceof StraddleBlock && fetchFrame(((StraddleBlock) b).nextLa) != ((StraddleBlock) b).nextPfn) {
            // (The same physical code reached at another linear address is decoded again: 64-bit
            // blocks hold absolute addresses. An instruction crossing a page is decoded again when
            // its second page now translates to another frame.)
            b = build(la, gpa, key);
        }
        return b;
    }

    /**
     * The guest-physical frame an instruction fetch at {@code la} reads, through the fetch TLB
     * (a page walk with fetch rights on a miss, which may raise #PF).
     */
    long fetchFrame(long la) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        if (xTag[idx] == (vpn | tlbKey)) {
            return xPfn[idx];
        }
        long pfn = Paging.translate(this, la, 2) >>> 12;
        xTag[idx] = vpn | tlbKey;
        xPfn[idx] = pfn;
        xGlobal[idx] = walkGlobal;
        return pfn;
    }

    /** The block-map key of the code at linear address {@code la} in the current mode. */
    long codeKey(long la) {
        long vpn = la >>> 12;
        int idx = (int) vpn & (TLB_SIZE - 1);
        long pfn = xTag[idx] == (vpn | TLB_VALID) ? xPfn[idx] : Paging.translate(this, la, 2) >>> 12;
        return (pfn << 12) | (la & 0xFFF) | modeKey();
    }

    /**
     * Up to 15 bytes at CS:RIP as an instruction fetch would read them, for error reports. No
     * effect on the guest: no accessed bits, no fault, CR2 untouched. Stops at the first byte
     * whose page is not present or not RAM (so the result may be shorter, or empty).
     *
     * @return the bytes, at most 15
     */
    public byte[] peekInstruction() {
        byte[] out = new byte[15];
        int n = 0;
        long la = codeSize == 64 ? rip : (segBase[CS] + rip) & 0xFFFFFFFFL;
        while (n < out.length) {
            long gpa = Paging.probe(this, la);
            byte[] page = gpa < 0 ? null : bus.ramPageForRead(gpa >>> 12);
            if (page == null) {
                break;
            }
            int off = (int) (gpa & 0xFFF);
            int k = Math.min(out.length - n, 4096 - off);
            System.arraycopy(page, off, out, n, k);
            n += k;
            la = codeSize == 64 ? la + k : (la + k) & 0xFFFFFFFFL;
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** The bus's {@link GuestPhysicalBus#ramPage} through the RAM-page cache ({@link #physTag}). */
    byte[] ramPage(long pn) {
        int i = (int) pn & (PHYS_CACHE_SIZE - 1);
        if (physTag[i] == pn + 1) {
            return physPage[i];
        }
        byte[] p = bus.ramPage(pn);
        if (p != null) {
            physTag[i] = pn + 1;
            physPage[i] = p;
        }
        return p;
    }

    /**
     * The bus's {@link GuestPhysicalBus#ramPageForRead} through the RAM-page cache: a committed
     * page is the same array a write would get, so it is kept; the zero page is not.
     */
    byte[] ramPageForRead(long pn) {
        int i = (int) pn & (PHYS_CACHE_SIZE - 1);
        if (physTag[i] == pn + 1) {
            return physPage[i];
        }
        byte[] p = bus.ramPageForRead(pn);
        if (p != null && p != GuestPhysicalBus.ZERO_PAGE) {
            physTag[i] = pn + 1;
            physPage[i] = p;
        }
        return p;
    }

    byte[] codePage(long gpa) {
        byte[] page = ramPageForRead(gpa >>> 12);
        if (page == null) {
            throw CpuSignal.error(ZX_ERR_OUT_OF_RANGE,
                    "instruction fetch from guest-physical 0x" + Long.toHexString(gpa)
                            + ", which is not RAM");
        }
        return page;
    }

    CodeBlock build(long la, long gpa, long key) {
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
                    return straddle(la, gpa, key, page, off);
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
        boolean fresh = blocks.put(key, b) == null;
        codeOn(gpa >>> 12, key, fresh, (int) (gpa & 0xFFF), off - (int) (gpa & 0xFFF));
        if (b instanceof CodeBlock.OpBlock) {
            return codeCache.built(this, (CodeBlock.OpBlock) b, key);
        }
        return b;
    }

    /**
     * Records that bytes {@code [off, off + len)} of guest-physical page {@code pn} were decoded
     * into the block at {@code key} (listed with the page when {@code addKey}), and marks the
     * write-TLB entries of that page so that writes there take the checking path.
     */
    private void codeOn(long pn, long key, boolean addKey, int off, int len) {
        CodePage cp = codePages.get(pn);
        if (cp == null) {
            cp = new CodePage();
            codePages.put(pn, cp);
        }
        if (addKey) {
            cp.keys.add(key);
        }
        cp.mark(off, len);
        for (int k = 0; k < TLB_SIZE; k++) {
            if ((wTag[k] & TLB_VALID) != 0 && wPfn[k] == pn) {
                wTag[k] |= TLB_CODE;
                wCode[k] = cp;
            }
        }
    }

    /**
     * An instruction crossing a page boundary, as a block of its own: kept in the block map under
     * its first byte's key and listed with both pages, so a write to the decoded bytes of either
     * page drops it; {@link #blockAt} re-checks the frame its second page translates to.
     */
    static final class StraddleBlock extends CodeBlock {
        /** Linear address of the second page. */
        final long nextLa;
        /** The guest-physical frame the second page translated to when it was decoded. */
        final long nextPfn;

        StraddleBlock(long la, int mode, Insn insn, long nextLa, long nextPfn) {
            super(la, mode, new Insn[] {insn}, true);
            this.nextLa = nextLa;
            this.nextPfn = nextPfn;
        }

        @Override
        void run(X86Cpu c) {
            c.interpret(insns, 1);
        }
    }

    /** Decodes the instruction crossing a page boundary at {@code la} and caches it ({@link StraddleBlock}). */
    CodeBlock straddle(long la, long gpa, long key, byte[] page, int off) {
        byte[] buf = new byte[15];
        int first = 4096 - off;
        System.arraycopy(page, off, buf, 0, first);
        long nextLa = codeSize == 64 ? la + first : (la + first) & 0xFFFFFFFFL;
        long nextPfn = fetchFrame(nextLa);
        byte[] next = codePage(nextPfn << 12);
        System.arraycopy(next, 0, buf, first, 15 - first);
        Insn in = Decoder.decode(buf, 15, codeSize);
        StraddleBlock b = new StraddleBlock(la, codeSize, in, nextLa, nextPfn);
        boolean fresh = blocks.put(key, b) == null;
        codeOn(gpa >>> 12, key, fresh, off, first);
        CodePage cp2 = codePages.get(nextPfn);
        codeOn(nextPfn, key, cp2 == null || !cp2.keys.contains(key), 0, in.len - first);
        return b;
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

    long linear(int seg, long off) {
        if (codeSize == 64) {
            return seg >= FS ? segBase[seg] + off : off;
        }
        return (segBase[seg] + off) & 0xFFFFFFFFL;
    }

    /** Whether a memory access now is a user-mode access (CPL 3, not an implicit supervisor one). */
    boolean userAccess() {
        return cpl == 3 && !sysAccess;
    }

    /** Sets the CPL and the software TLB key that goes with it. */
    void setCpl(int level) {
        cpl = level;
        tlbKey = TLB_VALID | (userAccess() ? TLB_USER : 0);
    }

    /** Starts (true) or ends (false) implicit supervisor accesses, keeping the TLB key in step. */
    void setSysAccess(boolean on) {
        sysAccess = on;
        tlbKey = TLB_VALID | (userAccess() ? TLB_USER : 0);
    }

    /** A linear address from a table base (GDT, IDT): 32-bit outside 64-bit mode. */
    long linear0(long v) {
        return codeSize == 64 ? v : v & 0xFFFFFFFFL;
    }

    long offsetOf(Insn i) {
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

    long ea(Insn i) {
        return linear(i.seg, offsetOf(i));
    }

    long readRm(Insn i, int size) {
        return i.mem ? Memory.readMem(this, ea(i), size) : readReg(i.rm, size);
    }

    void writeRm(Insn i, int size, long la, long v) {
        if (i.mem) {
            Memory.writeMem(this, la, size, v);
        } else {
            writeReg(i.rm, size, v);
        }
    }

    long maskIp(long v) {
        return codeSize == 64 ? v : codeSize == 32 ? v & 0xFFFFFFFFL : v & 0xFFFF;
    }

    int stackSize() {
        return codeSize == 64 ? 8 : (segAttr[SS] & ATTR_DB) != 0 ? 4 : 2;
    }

    void setSp(long v) {
        writeReg(RSP, stackSize(), v);
    }

    void push(long v, int size) {
        long sp = regs[RSP] - size;
        int ss = stackSize();
        Memory.writeMem(this, linear(SS, sp & mask(ss)), size, v);
        setSp(sp);
    }

    long peek(int size, int depth) {
        int ss = stackSize();
        return Memory.readMem(this, linear(SS, (regs[RSP] + depth) & mask(ss)), size);
    }

    long pop(int size) {
        long v = peek(size, 0);
        setSp(regs[RSP] + size);
        return v;
    }

    /** Sets RIP to a branch target of the given operand size (canonical check in 64-bit mode). */
    void branch(long target, int size) {
        if (size == 2) {
            target &= 0xFFFF;
        } else if (size == 4) {
            target &= 0xFFFFFFFFL;
        } else if (!Paging.canonical(target)) {
            throw CpuSignal.fault(13, 0);
        }
        rip = target;
    }
}
