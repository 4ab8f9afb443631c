package dev.zx4j.sim.x86;

/**
 * The x87 instruction set: semantics of every escape opcode D8–DF on a {@link FpuState}, with
 * 80-bit arithmetic from {@link Float80} and the transcendental functions from
 * {@link X87Transcendental}.
 *
 * <p>The CPU decodes the instruction (prefixes, ModR/M, effective address) and calls
 * {@link #exec}; memory goes through {@link Host}, whose accesses may throw the CPU's own fault
 * signals (every read of an instruction happens before any state changes, and state changes
 * only after its memory writes, so a faulting access leaves the x87 state untouched).
 *
 * <p>Exception model (Intel SDM vol. 1 §8.4–8.7): every instruction except the non-waiting
 * control instructions (FNINIT, FNCLEX, FNSTSW, FNSTCW, FNSTENV, FNSAVE) first checks for a
 * pending unmasked exception and then reports {@link #MF} without executing — measured: FLDCW,
 * FLDENV and FRSTOR wait too. An unmasked invalid-operation, denormal or zero-divide exception
 * leaves destination and TOP unchanged; unmasked overflow/underflow deliver the
 * exponent-adjusted result to a register but store nothing to memory (and do not pop). ES and B
 * are the summary of the unmasked exception flags, recomputed after every instruction and after
 * FLDCW, FLDENV and FRSTOR.
 */
public final class X87 {
    /** Memory and the integer state an x87 instruction touches. */
    public interface Host {
        /**
         * Reads {@code size} (1, 2, 4 or 8) bytes at an offset in the instruction's data segment.
         *
         * @param off the offset in the data segment
         * @param size the number of bytes
         * @return the bytes, little-endian, zero-extended
         */
        long read(long off, int size);

        /**
         * Writes {@code size} (1, 2, 4 or 8) bytes at an offset in the instruction's data segment.
         *
         * @param off the offset in the data segment
         * @param size the number of bytes
         * @param v the value; its low {@code size} bytes are stored little-endian
         */
        void write(long off, int size, long v);

        /** {@return the guest's RFLAGS (FCOMI and friends set ZF, PF and CF)} */
        long rflags();

        /**
         * Sets the guest's RFLAGS.
         *
         * @param v the new RFLAGS
         */
        void setRflags(long v);

        /**
         * FNSTSW AX.
         *
         * @param v the status word to store in AX
         */
        void setAx(int v);
    }

    /** Outcome of {@link #exec}: done, #MF pending (not executed) or #UD. */
    public static final int OK = -1, MF = 16, UD = 6;

    static final int SF = 0x40, ES = 0x80, C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000, B = 0x8000;
    static final int CC = C0 | C1 | C2 | C3;

    final FpuState s;
    final Float80 f = new Float80();
    final X87Transcendental tr;

    /**
     * An x87 unit working on {@code s}.
     *
     * @param s the register state it reads and writes
     */
    public X87(FpuState s) {
        this.s = s;
        this.tr = new X87Transcendental(f);
    }

    /** A control word as the processor keeps it: bits 15..13 and 7 read 0, bit 6 reads 1 (measured). */
    static int storedControlWord(int v) {
        return (v & 0x1F3F) | 0x40;
    }

    // ---- register stack ------------------------------------------------------------------------

    int phys(int i) {
        return (s.top() + i) & 7;
    }

    boolean empty(int i) {
        return (s.ftw & (1 << phys(i))) == 0;
    }

    int se(int i) {
        return s.se[phys(i)];
    }

    long m(int i) {
        return s.mant[phys(i)];
    }

    void set(int i, int se, long m) {
        int p = phys(i);
        s.se[p] = se & 0xFFFF;
        s.mant[p] = m;
        s.ftw |= 1 << p;
    }

    void pop() {
        s.ftw &= ~(1 << phys(0));
        s.setTop(s.top() + 1);
    }

    void push(int se, long m) {
        s.setTop(s.top() - 1);
        set(0, se, m);
    }

    private boolean masked(int flag) {
        return (s.fcw & flag) != 0;
    }

    /** Sets the condition codes (mask of C0..C3 bits to replace). */
    void cc(int mask, int value) {
        s.fsw = (s.fsw & ~mask) | (value & mask);
    }

    /** Merges f.flags into FSW and recomputes ES/B. */
    void raise(int fl) {
        s.fsw |= fl & 0x3F;
        summary();
    }

    void summary() {
        if ((s.fsw & ~s.fcw & 0x3F) != 0) {
            s.fsw |= ES | B;
        } else {
            s.fsw &= ~(ES | B);
        }
    }

    /** Stack underflow: IE + SF, C1 = 0; true when IE is unmasked (nothing else happens). */
    boolean underflow() {
        s.fsw |= Float80.IE | SF;
        cc(C1, 0);
        summary();
        return !masked(Float80.IE);
    }

    /** Stack overflow: IE + SF, C1 = 1; true when IE is unmasked. */
    boolean overflow() {
        s.fsw |= Float80.IE | SF;
        cc(C1, C1);
        summary();
        return !masked(Float80.IE);
    }

    /** Whether the flags of f hold an unmasked exception that suppresses the result (IE/DE/ZE). */
    boolean blocked() {
        return (f.flags & ~s.fcw & (Float80.IE | Float80.DE | Float80.ZE)) != 0;
    }

    /** Finishes an arithmetic result: flags, C1 (rounded up), ES. */
    void finishFlags() {
        int fl = f.flags;
        cc(C1, (fl & Float80.PE) != 0 && f.c1 && !blocked() ? C1 : 0);
        raise(fl);
    }

    // ---- entry ---------------------------------------------------------------------------------

    /**
     * Executes one x87 instruction.
     *
     * @param op the escape opcode 0xD8..0xDF
     * @param modrm the ModR/M byte
     * @param ea the memory operand's offset (when mod != 3)
     * @param opsize16 a 16-bit operand size (FSTENV/FLDENV/FSAVE/FRSTOR layouts)
     * @param ip the instruction's offset (recorded in FIP)
     * @param cs the instruction's code selector (recorded in FCS)
     * @param ds the data selector of the memory operand (recorded in FDS, its offset in FDP)
     * @param ignne CR0.NE = 0: pending exceptions are not reported (as with IGNNE# asserted)
     * @param h the memory and integer state
     * @return {@link #OK}, {@link #MF} or {@link #UD}
     */
    public int exec(int op, int modrm, long ea, boolean opsize16, long ip, int cs, int ds, boolean ignne, Host h) {
        int reg = (modrm >> 3) & 7, rm = modrm & 7;
        boolean mem = (modrm & 0xC0) != 0xC0;
        if (mem ? !validMemForm(op, reg) : !validRegForm(op, modrm)) {
            return UD;
        }
        if (!isControl(op, modrm, mem) && (s.fsw & ~s.fcw & 0x3F) != 0 && !ignne) {
            return MF;
        }
        if (!isControl(op, modrm, mem) && !noPointerUpdate(op, modrm, mem)) {
            s.fop = ((op & 7) << 8) | modrm;
            s.fip = ip;
            s.fcs = cs;
            if (mem) {
                s.fdp = ea;
                s.fds = ds;
            }
        }
        f.flags = 0;
        f.c1 = false;
        f.aDenormal = false;
        f.bDenormal = false;
        f.cw = s.fcw;
        if (mem) {
            execMem(op, reg, ea, opsize16, h);
        } else {
            execReg(op, reg, rm, modrm, h);
        }
        return OK;
    }

    /** The non-waiting control instructions (and FLDENV/FRSTOR/FLDCW do not record FOP/FIP). */
    static boolean isControl(int op, int modrm, boolean mem) {
        int reg = (modrm >> 3) & 7;
        if (mem) {
            return (op == 0xD9 && reg >= 6) || (op == 0xDD && (reg == 6 || reg == 7));
        }
        // DB E0/E1/E4 (FENI, FDISI, FSETPM: no-ops) leave the pointers alone too (measured)
        return (op == 0xDB && modrm >= 0xE0 && modrm <= 0xE4) || (op == 0xDF && modrm == 0xE0);
    }

    /** Control instructions that wait but leave FOP/FIP/FDP alone. */
    static boolean noPointerUpdate(int op, int modrm, boolean mem) {
        int reg = (modrm >> 3) & 7;
        return mem && ((op == 0xD9 && (reg == 4 || reg == 5)) || (op == 0xDD && reg == 4));
    }

    static boolean validMemForm(int op, int reg) {
        switch (op) {
            case 0xD9:
                return reg != 1;
            case 0xDB:
                return reg != 4 && reg != 6;
            case 0xDD:
                return reg != 5;
            default:
                return true;
        }
    }

    static boolean validRegForm(int op, int modrm) {
        switch (op) {
            case 0xD9:
                return !(modrm == 0xD1 || (modrm >= 0xD2 && modrm <= 0xD7) || modrm == 0xE2 || modrm == 0xE3
                        || modrm == 0xE6 || modrm == 0xE7 || modrm == 0xEF);
            case 0xDA:
                return modrm < 0xE0 || modrm == 0xE9;
            case 0xDB:
                return modrm < 0xE0 || (modrm >= 0xE0 && modrm <= 0xE4) || modrm >= 0xE8 && modrm < 0xF8;
            case 0xDD:
                return modrm < 0xF0;
            case 0xDE:
                return !(modrm >= 0xD8 && modrm <= 0xDF && modrm != 0xD9);
            case 0xDF:
                return modrm < 0xE0 || modrm == 0xE0 || (modrm >= 0xE8 && modrm < 0xF8);
            default:
                return true;
        }
    }

    // ---- memory forms --------------------------------------------------------------------------

    private void execMem(int op, int reg, long ea, boolean o16, Host h) {
        switch (op) {
            case 0xD8:
                arithMem(reg, 4, true, ea, h);
                return;
            case 0xDC:
                arithMem(reg, 8, true, ea, h);
                return;
            case 0xDA:
                arithMem(reg, 4, false, ea, h);
                return;
            case 0xDE:
                arithMem(reg, 2, false, ea, h);
                return;
            case 0xD9:
                switch (reg) {
                    case 0:
                        loadReal(h.read(ea, 4), 4);
                        return;
                    case 2:
                        storeReal(ea, 4, false, h);
                        return;
                    case 3:
                        storeReal(ea, 4, true, h);
                        return;
                    case 4:
                        X87State.ldenv(this, ea, o16, h);
                        return;
                    case 5:
                        s.fcw = X87.storedControlWord((int) h.read(ea, 2));
                        summary();
                        return;
                    case 6:
                        X87State.stenv(this, ea, o16, h);
                        s.fcw |= 0x3F;
                        summary();
                        return;
                    default:
                        h.write(ea, 2, s.fcw);
                        return;
                }
            case 0xDB:
                switch (reg) {
                    case 0:
                        loadInt((int) h.read(ea, 4));
                        return;
                    case 1:
                        storeInt(ea, 4, true, true, h);
                        return;
                    case 2:
                        storeInt(ea, 4, false, false, h);
                        return;
                    case 3:
                        storeInt(ea, 4, true, false, h);
                        return;
                    case 5: {
                        long lo = h.read(ea, 8);
                        int hi = (int) h.read(ea + 8, 2) & 0xFFFF;
                        loadExact(hi, lo);
                        return;
                    }
                    default: // 7: FSTP m80
                        storeExt(ea, h);
                        return;
                }
            case 0xDD:
                switch (reg) {
                    case 0:
                        loadReal(h.read(ea, 8), 8);
                        return;
                    case 1:
                        storeInt(ea, 8, true, true, h);
                        return;
                    case 2:
                        storeReal(ea, 8, false, h);
                        return;
                    case 3:
                        storeReal(ea, 8, true, h);
                        return;
                    case 4:
                        X87State.rstor(this, ea, o16, h);
                        return;
                    case 6:
                        X87State.save(this, ea, o16, h);
                        s.finit();
                        return;
                    default: // 7: FNSTSW m16
                        h.write(ea, 2, s.fsw);
                        return;
                }
            default: // 0xDF
                switch (reg) {
                    case 0:
                        loadInt((short) h.read(ea, 2));
                        return;
                    case 1:
                        storeInt(ea, 2, true, true, h);
                        return;
                    case 2:
                        storeInt(ea, 2, false, false, h);
                        return;
                    case 3:
                        storeInt(ea, 2, true, false, h);
                        return;
                    case 4: {
                        long lo = h.read(ea, 8);
                        int hi = (int) h.read(ea + 8, 2) & 0xFFFF;
                        loadBcd(hi, lo);
                        return;
                    }
                    case 5:
                        loadInt(h.read(ea, 8));
                        return;
                    case 6:
                        storeBcd(ea, h);
                        return;
                    default:
                        storeInt(ea, 8, true, false, h);
                        return;
                }
        }
    }

    /** Converts a memory operand to 80 bits exactly (keeping signalling NaNs signalling). */
    private long memOperand(long raw, int size, boolean real) {
        f.bDenormal = false;
        f.aDenormal = false;
        if (!real) {
            long v = size == 2 ? (short) raw : size == 4 ? (int) raw : raw;
            return f.fromInt(v);
        }
        int saved = f.flags;
        long m = size == 4 ? f.fromSingle((int) raw) : f.fromDouble(raw);
        if ((f.flags & Float80.DE) != 0 && (saved & Float80.DE) == 0) {
            f.bDenormal = true;
        }
        f.flags = saved; // the arithmetic operation raises IE/DE itself
        if (Float80.classify(f.rse, m) == Float80.QNAN) {
            // a signalling source NaN arrives quietened by fromIeee: restore its signalling form
            boolean snan = size == 4 ? (raw & 0x0040_0000L) == 0 : (raw & 0x0008_0000_0000_0000L) == 0;
            if (snan) {
                m &= ~0x4000_0000_0000_0000L;
            }
        }
        return m;
    }

    private void arithMem(int reg, int size, boolean real, long ea, Host h) {
        long raw = h.read(ea, size);
        if (empty(0)) {
            if (reg == 2 || reg == 3) {
                cc(C0 | C2 | C3, C0 | C2 | C3);
                if (underflow()) {
                    return;
                }
                if (reg == 3) {
                    pop();
                }
            } else {
                if (underflow()) {
                    return;
                }
                set(0, Float80.INDEF_SE, Float80.INDEF_M);
            }
            return;
        }
        long bm = memOperand(raw, size, real);
        int bse = f.rse;
        if (reg == 2 || reg == 3) {
            compareTo(se(0), m(0), bse, bm, false);
            f.bDenormal = false;
            if (reg == 3 && !blocked()) {
                pop();
            }
            return;
        }
        arith(reg, 0, se(0), m(0), bse, bm);
        f.bDenormal = false;
    }

    /** dest(ST(i)) = a op b for op ADD MUL - - SUB SUBR DIV DIVR (a = destination value). */
    private void arith(int reg, int dest, int ase, long am, int bse, long bm) {
        long r;
        int rse;
        switch (reg) {
            case 0:
                r = f.add(ase, am, bse, bm, false);
                break;
            case 1:
                r = f.mul(ase, am, bse, bm);
                break;
            case 4:
                r = f.add(ase, am, bse, bm, true);
                break;
            case 5:
                f.swapDenormal();
                r = f.add(bse, bm, ase, am, true);
                break;
            case 6:
                r = f.div(ase, am, bse, bm);
                break;
            default:
                f.swapDenormal();
                r = f.div(bse, bm, ase, am);
                break;
        }
        rse = f.rse;
        finishFlags();
        if (!blocked()) {
            set(dest, rse, r);
        }
    }

    /** Compares and sets C3 C2 C0 — also when the exception is unmasked (measured). */
    private void compareTo(int ase, long am, int bse, long bm, boolean quiet) {
        int c = f.compare(ase, am, bse, bm, quiet);
        raise(f.flags);
        cc(C1, 0);
        cc(C0 | C2 | C3, ccOf(c));
    }

    static int ccOf(int c) {
        switch (c) {
            case Float80.GT:
                return 0;
            case Float80.LT:
                return C0;
            case Float80.EQ:
                return C3;
            default:
                return C0 | C2 | C3;
        }
    }

    // ---- loads ---------------------------------------------------------------------------------

    /** Pushes a value after the stack-overflow check; false when the push was refused. */
    private boolean pushChecked(int se, long m) {
        if (!empty(7)) {
            if (overflow()) {
                return false;
            }
            push(Float80.INDEF_SE, Float80.INDEF_M);
            return false;
        }
        return true;
    }

    private void loadReal(long raw, int size) {
        long m = size == 4 ? f.fromSingle((int) raw) : f.fromDouble(raw);
        int se = f.rse;
        if (!pushChecked(se, m)) {
            return;
        }
        cc(C1, 0);
        raise(f.flags);
        // only an unmasked invalid operation stops the load; a denormal is loaded (measured)
        if ((f.flags & ~s.fcw & Float80.IE) != 0) {
            return;
        }
        push(se, m);
    }

    private void loadExact(int se, long m) {
        if (!pushChecked(se, m)) {
            return;
        }
        cc(C1, 0);
        push(se, m);
    }

    private void loadInt(long v) {
        long m = f.fromInt(v);
        loadExact(f.rse, m);
    }

    private void loadBcd(int hi, long lo) {
        long v = 0;
        for (int d = 15; d >= 0; d--) {
            v = v * 10 + ((lo >>> (4 * d)) & 0xF);
        }
        long top = ((hi & 0xFF) >>> 4) * 10 + (hi & 0xF);
        v += top * 10_000_000_000_000_000L;
        long m = f.fromInt(v);
        int se = f.rse | ((hi & 0x8000) != 0 ? 0x8000 : 0);
        loadExact(se, m);
    }

    // ---- stores --------------------------------------------------------------------------------

    private void storeReal(long ea, int size, boolean popAfter, Host h) {
        long bits;
        if (empty(0)) {
            if (underflow()) {
                return;
            }
            bits = size == 4 ? 0xFFC0_0000L : 0xFFF8_0000_0000_0000L;
            h.write(ea, size, bits);
            if (popAfter) {
                pop();
            }
            return;
        }
        bits = size == 4 ? f.toSingle(se(0), m(0)) : f.toDouble(se(0), m(0));
        int unm = f.flags & ~s.fcw & 0x3F;
        if ((unm & (Float80.IE | Float80.DE | Float80.OE | Float80.UE)) != 0) {
            cc(C1, 0);
            raise(f.flags);
            return;
        }
        h.write(ea, size, bits);
        finishFlags();
        if (popAfter) {
            pop();
        }
    }

    private void storeExt(long ea, Host h) {
        int se;
        long m;
        if (empty(0)) {
            if (underflow()) {
                return;
            }
            se = Float80.INDEF_SE;
            m = Float80.INDEF_M;
        } else {
            se = se(0);
            m = m(0);
            cc(C1, 0);
        }
        h.write(ea, 8, m);
        h.write(ea + 8, 2, se);
        pop();
    }

    private void storeInt(long ea, int size, boolean popAfter, boolean truncate, Host h) {
        long v;
        if (empty(0)) {
            if (underflow()) {
                return;
            }
            v = 1L << (8 * size - 1);
        } else {
            v = f.toInt(se(0), m(0), 8 * size, truncate);
            if (blocked()) {
                cc(C1, 0);
                raise(f.flags);
                return;
            }
        }
        h.write(ea, size, v);
        if (!empty(0)) {
            finishFlags();
        }
        if (popAfter) {
            pop();
        }
    }

    private void storeBcd(long ea, Host h) {
        long lo;
        int hi;
        if (empty(0)) {
            if (underflow()) {
                return;
            }
            lo = 0xC000_0000_0000_0000L;
            hi = 0xFFFF;
        } else {
            long v = f.toInt(se(0), m(0), 64, false);
            if ((f.flags & Float80.IE) == 0 && (v > 999_999_999_999_999_999L || v < -999_999_999_999_999_999L)) {
                f.flags = (f.flags & ~Float80.PE) | Float80.IE;
                f.c1 = false;
            }
            if (blocked()) {
                cc(C1, 0);
                raise(f.flags);
                return;
            }
            if ((f.flags & Float80.IE) != 0) {
                lo = 0xC000_0000_0000_0000L;
                hi = 0xFFFF;
            } else {
                boolean neg = v < 0 || (v == 0 && (se(0) & 0x8000) != 0);
                long a = Math.abs(v);
                lo = 0;
                for (int d = 0; d < 16; d++) {
                    lo |= (a % 10) << (4 * d);
                    a /= 10;
                }
                hi = (int) ((a / 10) << 4 | (a % 10)) | (neg ? 0x8000 : 0);
            }
        }
        h.write(ea, 8, lo);
        h.write(ea + 8, 2, hi);
        if (!empty(0)) {
            finishFlags();
        }
        pop();
    }

    // ---- register forms ------------------------------------------------------------------------

    private void execReg(int op, int reg, int i, int modrm, Host h) {
        switch (op) {
            case 0xD8:
                if (reg == 2 || reg == 3) {
                    fcom(i, false, reg == 3 ? 1 : 0);
                } else {
                    arithReg(reg, 0, i, false);
                }
                return;
            case 0xDC:
                if (reg == 2 || reg == 3) {
                    fcom(i, false, reg == 3 ? 1 : 0); // FCOM2/FCOMP3 aliases
                } else {
                    arithReg(reg ^ (reg >= 4 ? 1 : 0), i, 0, false);
                }
                return;
            case 0xDE:
                if (reg == 3) {
                    if (i == 1) {
                        fcom(1, false, 2); // FCOMPP
                    } else {
                        throw new IllegalStateException();
                    }
                } else if (reg == 2) {
                    fcom(i, false, 1); // FCOMP5 alias
                } else {
                    arithReg(reg ^ (reg >= 4 ? 1 : 0), i, 0, true);
                }
                return;
            case 0xD9:
                execD9(reg, i, modrm);
                return;
            case 0xDA:
                if (modrm == 0xE9) {
                    fcom(1, true, 2); // FUCOMPP
                } else {
                    fcmov(reg, i, false, h);
                }
                return;
            case 0xDB:
                if (reg < 4) {
                    fcmov(reg, i, true, h);
                } else if (reg == 4) {
                    if (modrm == 0xE2) {
                        s.fsw &= ~(0x3F | SF | ES | B);
                    } else if (modrm == 0xE3) {
                        s.finit();
                    } // E0 FENI, E1 FDISI, E4 FSETPM: no-ops since the 387
                } else {
                    fcomi(i, reg == 5, false, h); // FUCOMI / FCOMI
                }
                return;
            case 0xDD:
                switch (reg) {
                    case 0: // FFREE (clears C1, measured)
                        s.ftw &= ~(1 << phys(i));
                        cc(C1, 0);
                        return;
                    case 1: // FXCH4 alias
                        fxch(i);
                        return;
                    case 2:
                        fst(i, false);
                        return;
                    case 3:
                        fst(i, true);
                        return;
                    case 4:
                        fcom(i, true, 0);
                        return;
                    default:
                        fcom(i, true, 1);
                        return;
                }
            default: // 0xDF
                switch (reg) {
                    case 0: // FFREEP
                        s.ftw &= ~(1 << phys(i));
                        cc(C1, 0);
                        pop();
                        return;
                    case 1: // FXCH7 alias
                        fxch(i);
                        return;
                    case 2:
                    case 3: // FSTP8/FSTP9 aliases
                        fst(i, true);
                        return;
                    case 4: // FNSTSW AX
                        h.setAx(s.fsw);
                        return;
                    default:
                        fcomi(i, reg == 5, true, h); // FUCOMIP / FCOMIP
                        return;
                }
        }
    }

    private void arithReg(int reg, int dest, int src, boolean popAfter) {
        if (empty(dest) || empty(src)) {
            if (underflow()) {
                return;
            }
            set(dest, Float80.INDEF_SE, Float80.INDEF_M);
        } else {
            arith(reg, dest, se(dest), m(dest), se(src), m(src));
            if (blocked()) {
                return;
            }
        }
        if (popAfter) {
            pop();
        }
    }

    /** FCOM/FUCOM family: compare ST0 with ST(i), then pop {@code pops} times. */
    private void fcom(int i, boolean quiet, int pops) {
        if (empty(0) || empty(i)) {
            cc(C0 | C2 | C3, C0 | C2 | C3);
            if (underflow()) {
                return;
            }
        } else {
            compareTo(se(0), m(0), se(i), m(i), quiet);
            if (blocked()) {
                return;
            }
        }
        for (int k = 0; k < pops; k++) {
            pop();
        }
    }

    private void fcomi(int i, boolean quiet, boolean popAfter, Host h) {
        long fl = h.rflags() & ~(X86Cpu.FLAG_CF | X86Cpu.FLAG_PF | X86Cpu.FLAG_ZF
                | X86Cpu.FLAG_OF | X86Cpu.FLAG_SF | X86Cpu.FLAG_AF);
        if (empty(0) || empty(i)) {
            h.setRflags(fl | X86Cpu.FLAG_CF | X86Cpu.FLAG_PF | X86Cpu.FLAG_ZF);
            if (underflow()) {
                return;
            }
        } else {
            // the flags are set also when the exception is unmasked; C1 is left alone (measured)
            int c = f.compare(se(0), m(0), se(i), m(i), quiet);
            raise(f.flags);
            switch (c) {
                case Float80.LT:
                    fl |= X86Cpu.FLAG_CF;
                    break;
                case Float80.EQ:
                    fl |= X86Cpu.FLAG_ZF;
                    break;
                case Float80.UNORDERED:
                    fl |= X86Cpu.FLAG_CF | X86Cpu.FLAG_PF | X86Cpu.FLAG_ZF;
                    break;
                default:
                    break;
            }
            h.setRflags(fl);
            if (blocked()) {
                return;
            }
        }
        if (popAfter) {
            pop();
        }
    }

    private void fcmov(int reg, int i, boolean negate, Host h) {
        long fl = h.rflags();
        boolean c;
        switch (reg) {
            case 0:
                c = (fl & X86Cpu.FLAG_CF) != 0;
                break;
            case 1:
                c = (fl & X86Cpu.FLAG_ZF) != 0;
                break;
            case 2:
                c = (fl & (X86Cpu.FLAG_CF | X86Cpu.FLAG_ZF)) != 0;
                break;
            default:
                c = (fl & X86Cpu.FLAG_PF) != 0;
                break;
        }
        if (negate) {
            c = !c;
        }
        if (empty(0) || empty(i)) {
            if (underflow()) {
                return;
            }
            set(0, Float80.INDEF_SE, Float80.INDEF_M);
            return;
        }
        if (c) {
            set(0, se(i), m(i));
        }
    }

    private void fxch(int i) {
        if (empty(0) || empty(i)) {
            if (underflow()) {
                return;
            }
            if (empty(0)) {
                set(0, Float80.INDEF_SE, Float80.INDEF_M);
            }
            if (empty(i)) {
                set(i, Float80.INDEF_SE, Float80.INDEF_M);
            }
        } else {
            cc(C1, 0);
        }
        int a = se(0), b = se(i);
        long ma = m(0), mb = m(i);
        set(0, b, mb);
        set(i, a, ma);
    }

    private void fst(int i, boolean popAfter) {
        if (empty(0)) {
            if (underflow()) {
                return;
            }
            set(i, Float80.INDEF_SE, Float80.INDEF_M);
        } else {
            cc(C1, 0);
            set(i, se(0), m(0));
        }
        if (popAfter) {
            pop();
        }
    }

    private static final int[] CONST_SE = {0x3FFF, 0x4000, 0x3FFF, 0x4000, 0x3FFD, 0x3FFE, 0};
    private static final long[] CONST_M = {0x8000_0000_0000_0000L, 0xD49A_784B_CD1B_8AFEL,
        0xB8AA_3B29_5C17_F0BBL, 0xC90F_DAA2_2168_C234L, 0x9A20_9A84_FBCF_F798L, 0xB172_17F7_D1CF_79ABL, 0};
    /** The bits below the 64 kept ones (left-aligned) of each constant, for rounding by RC. */
    private static final long[] CONST_REST = {0, 0x492B_F6FF_4DAF_DB4CL, 0xBE87_FED0_691D_3E88L,
        0xC4C6_628B_80DC_1CD1L, 0x8F89_59AC_0B7C_9178L, 0xC9E3_B398_03F2_F6AFL, 0};

    private void execD9(int reg, int i, int modrm) {
        switch (reg) {
            case 0: { // FLD ST(i): an empty source is an underflow before any overflow check
                if (empty(i)) {
                    if (underflow()) {
                        return;
                    }
                    push(Float80.INDEF_SE, Float80.INDEF_M);
                    return;
                }
                loadExact(se(i), m(i));
                return;
            }
            case 1:
                fxch(i);
                return;
            case 2: // D9 D0 FNOP
                return;
            case 3: // D9 D8+i: FSTP1 alias; with ST0 empty it only pops, no underflow (measured)
                if (empty(0)) {
                    cc(C1, 0);
                    pop();
                } else {
                    fst(i, true);
                }
                return;
            default:
                break;
        }
        switch (modrm) {
            case 0xE0: // FCHS
            case 0xE1: // FABS
                if (empty(0)) {
                    if (underflow()) {
                        return;
                    }
                    set(0, Float80.INDEF_SE, Float80.INDEF_M);
                    return;
                }
                cc(C1, 0);
                set(0, modrm == 0xE0 ? se(0) ^ 0x8000 : se(0) & 0x7FFF, m(0));
                return;
            case 0xE4: // FTST
                if (empty(0)) {
                    cc(C0 | C2 | C3, C0 | C2 | C3);
                    underflow();
                    return;
                }
                compareTo(se(0), m(0), 0, 0, false);
                return;
            case 0xE5: // FXAM
                fxam();
                return;
            case 0xE8: case 0xE9: case 0xEA: case 0xEB: case 0xEC: case 0xED: case 0xEE: {
                int k = modrm - 0xE8;
                if (!empty(7)) {
                    if (overflow()) {
                        return;
                    }
                    push(Float80.INDEF_SE, Float80.INDEF_M);
                    return;
                }
                int se = CONST_SE[k];
                long m = CONST_M[k];
                long rest = CONST_REST[k];
                int rc = (s.fcw >> 10) & 3;
                if (rest != 0 && (rc == 2 || (rc == 0 && rest < 0))) {
                    m++;
                }
                cc(C1, 0);
                push(se, m);
                return;
            }
            case 0xF6: // FDECSTP
                cc(C1, 0);
                s.setTop(s.top() - 1);
                return;
            case 0xF7: // FINCSTP
                cc(C1, 0);
                s.setTop(s.top() + 1);
                return;
            case 0xFA: // FSQRT
                unary(() -> f.sqrt(se(0), m(0)));
                return;
            case 0xFC: // FRNDINT
                unary(() -> f.roundToIntegral(se(0), m(0)));
                return;
            case 0xF4:
                X87Misc.fxtract(this);
                return;
            case 0xFD:
                X87Misc.fscale(this);
                return;
            case 0xF8:
                X87Misc.fprem(this, false);
                return;
            case 0xF5:
                X87Misc.fprem(this, true);
                return;
            default:
                tr.exec(this, modrm);
        }
    }

    interface Unary {
        long apply();
    }

    /** ST0 = op(ST0) with stack-underflow handling. */
    void unary(Unary op) {
        if (empty(0)) {
            if (underflow()) {
                return;
            }
            set(0, Float80.INDEF_SE, Float80.INDEF_M);
            return;
        }
        long r = op.apply();
        int rse = f.rse;
        finishFlags();
        if (!blocked()) {
            set(0, rse, r);
        }
    }

    private void fxam() {
        int se = se(0);
        long m = m(0);
        int c1 = (se & 0x8000) != 0 ? C1 : 0;
        int code;
        if (empty(0)) {
            code = C3 | C0;
        } else {
            switch (Float80.classify(se, m)) {
                case Float80.UNSUPPORTED:
                    code = 0;
                    break;
                case Float80.QNAN:
                case Float80.SNAN:
                    code = C0;
                    break;
                case Float80.NORMAL:
                    code = C2;
                    break;
                case Float80.INF:
                    code = C2 | C0;
                    break;
                case Float80.ZERO:
                    code = C3;
                    break;
                default:
                    code = C3 | C2;
                    break;
            }
        }
        cc(CC, code | c1);
    }
}
