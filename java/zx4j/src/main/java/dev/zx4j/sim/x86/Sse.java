package dev.zx4j.sim.x86;

import static dev.zx4j.sim.x86.SoftFp.F32;
import static dev.zx4j.sim.x86.SoftFp.F64;

/**
 * The MMX and SSE–SSE4.2 execution unit of one VCPU: every instruction of {@link SseDecode}'s
 * table, on the shared register file {@link FpuState}. Floating point goes through
 * {@link SoftFp} (exact under every MXCSR setting), integer lanes through {@link SseInt},
 * FXSAVE/XSAVE through {@link ExtendedState}.
 *
 * <p>Gating (Intel SDM vol. 3 §2.5, §13.1, vol. 2 instruction exception tables): CR0.EM = 1 →
 * #UD; SSE forms need CR4.OSFXSR = 1 (else #UD); CR0.TS = 1 → #NM. An unmasked SIMD
 * floating-point exception raises #XM when CR4.OSXMMEXCPT = 1, else #UD, and leaves the
 * destination unchanged (pre-computation exceptions IE/DE/ZE of any lane are reported alone,
 * before any computation; otherwise all flags found are set).
 *
 * <p>MMX registers alias the x87 significands: an MMX instruction sets TOP = 0 and all tags
 * valid; writing MMi stores its 64 bits in physical R{i}'s significand and sets its sign and
 * exponent to all ones; EMMS empties the tag word.
 */
final class Sse {
    static final long CR0_MP = 1L << 1, CR0_EM = 1L << 2, CR0_TS = 1L << 3;
    static final long CR4_OSFXSR = 1L << 9, CR4_OSXMMEXCPT = 1L << 10, CR4_OSXSAVE = 1L << 18;

    private final SseHost host;
    final FpuState st;
    final SoftFp fp = new SoftFp();
    private final long[] a = new long[2];
    private final long[] b = new long[2];
    private final long[] r = new long[2];

    Sse(SseHost host, FpuState st) {
        this.host = host;
        this.st = st;
    }

    // ------------------------------------------------------------------------------------
    // registers
    // ------------------------------------------------------------------------------------

    private void touchMmx() {
        st.fsw &= ~0x3800;
        st.ftw = 0xFF;
    }

    private long mm(int n) {
        return st.mant[n & 7];
    }

    private void setMm(int n, long v) {
        st.mant[n & 7] = v;
        st.se[n & 7] = 0xFFFF;
    }

    private void loadX(int n, long[] v) {
        v[0] = st.xmm[2 * n];
        v[1] = st.xmm[2 * n + 1];
    }

    private void storeX(int n, long[] v) {
        st.xmm[2 * n] = v[0];
        st.xmm[2 * n + 1] = v[1];
    }

    private void load(int kind, int n, long[] v) {
        if (kind == SseDecode.MM) {
            v[0] = mm(n);
            v[1] = 0;
        } else {
            loadX(n, v);
        }
    }

    private void store(int kind, int n, long[] v) {
        if (kind == SseDecode.MM) {
            setMm(n, v[0]);
        } else {
            storeX(n, v);
        }
    }

    /** Reads the r/m operand into v: a register of the form's kind or memSize bytes. */
    private void loadRm(Insn i, long la, int info, long[] v) {
        if (!i.mem) {
            load(SseDecode.rmKind(info), i.rm, v);
            return;
        }
        int size = SseDecode.memSize(info);
        checkAlign(info, la);
        v[0] = 0;
        v[1] = 0;
        if (size == 16) {
            v[0] = host.readMem(la, 8);
            v[1] = host.readMem(la + 8, 8);
        } else {
            v[0] = host.readMem(la, size);
        }
    }

    private void checkAlign(int info, long la) {
        if ((info & SseDecode.ALIGN) != 0 && (la & 15) != 0 && (st.mxcsr & (1 << 17)) == 0) {
            throw CpuSignal.fault(13, 0);
        }
    }

    private void storeMem(long la, int size, long[] v) {
        if (size == 16) {
            if ((la & 0xFFF) > 0xFF0) {
                host.probeWrite(la, 16); // across a page: nothing is written if either faults
            }
            host.writeMem(la, 8, v[0]);
            host.writeMem(la + 8, 8, v[1]);
        } else {
            host.writeMem(la, size, v[0]);
        }
    }

    // ------------------------------------------------------------------------------------
    // gating and exceptions
    // ------------------------------------------------------------------------------------

    private void gate(boolean sse) {
        long cr0 = host.cr0();
        if ((cr0 & CR0_EM) != 0) {
            throw CpuSignal.fault(6);
        }
        if (sse && (host.cr4() & CR4_OSFXSR) == 0) {
            throw CpuSignal.fault(6);
        }
        if ((cr0 & CR0_TS) != 0) {
            throw CpuSignal.fault(7);
        }
    }

    private void beginFp() {
        fp.mxcsr = st.mxcsr;
        fp.flags = 0;
    }

    /** Ends an FP instruction: merges flags, or raises #XM/#UD for an unmasked exception. */
    private void endFp() {
        int f = fp.flags;
        int unmasked = f & ~(st.mxcsr >> 7) & 0x3F;
        if (unmasked != 0) {
            int pre = f & (SoftFp.IE | SoftFp.DE | SoftFp.ZE);
            st.mxcsr |= (pre & unmasked) != 0 ? pre : f;
            throw CpuSignal.fault((host.cr4() & CR4_OSXMMEXCPT) != 0 ? 19 : 6);
        }
        st.mxcsr |= f;
    }

    // ------------------------------------------------------------------------------------
    // float lanes
    // ------------------------------------------------------------------------------------

    private static long f32(long[] v, int k) {
        return (v[k >> 1] >>> (32 * (k & 1))) & 0xFFFFFFFFL;
    }

    private static void setF32(long[] v, int k, long x) {
        int sh = 32 * (k & 1);
        v[k >> 1] = (v[k >> 1] & ~(0xFFFFFFFFL << sh)) | ((x & 0xFFFFFFFFL) << sh);
    }

    private long arith(int op, SoftFp.Fmt f, long x, long y) {
        switch (op) {
            case 0x58: return fp.add(f, x, y);
            case 0x59: return fp.mul(f, x, y);
            case 0x5C: return fp.sub(f, x, y);
            case 0x5D: return fp.minMax(f, x, y, false);
            case 0x5E: return fp.div(f, x, y);
            case 0x5F: return fp.minMax(f, x, y, true);
            case 0x51: return fp.sqrt(f, y);
            default: throw new IllegalStateException();
        }
    }

    /** Packed/scalar float arithmetic 0F 51, 58–5F (not 5A/5B) and CMP (C2). */
    private void floatOp(Insn i, long la, int info, int pc, int op) {
        loadX(i.reg, a);
        loadRm(i, la, info, b);
        r[0] = a[0];
        r[1] = a[1];
        beginFp();
        int pred = (int) i.imm & 7;
        switch (pc) {
            case 0:
                for (int k = 0; k < 4; k++) {
                    setF32(r, k, op == 0xC2 ? (fp.cmp(F32, f32(a, k), f32(b, k), pred) ? -1 : 0)
                            : arith(op, F32, f32(a, k), f32(b, k)));
                }
                break;
            case 1:
                for (int k = 0; k < 2; k++) {
                    r[k] = op == 0xC2 ? (fp.cmp(F64, a[k], b[k], pred) ? -1 : 0)
                            : arith(op, F64, a[k], b[k]);
                }
                break;
            case 2:
                setF32(r, 0, op == 0xC2 ? (fp.cmp(F32, f32(a, 0), f32(b, 0), pred) ? -1 : 0)
                        : arith(op, F32, f32(a, 0), f32(b, 0)));
                break;
            default:
                r[0] = op == 0xC2 ? (fp.cmp(F64, a[0], b[0], pred) ? -1 : 0)
                        : arith(op, F64, a[0], b[0]);
                break;
        }
        endFp();
        storeX(i.reg, r);
    }

    // ------------------------------------------------------------------------------------
    // execution
    // ------------------------------------------------------------------------------------

    /**
     * Executes one MMX/SSE instruction; {@code la} is the linear address of its memory
     * operand (when {@code i.mem}).
     */
    void exec(Insn i, long la) {
        int key = i.sub;
        int info = SseDecode.info(key);
        int pc = key >> 10;
        int map = (key >> 8) & 3;
        int op = key & 0xFF;
        if (info == 0 || ((info & SseDecode.MEM_ONLY) != 0 && !i.mem)
                || ((info & SseDecode.REG_ONLY) != 0 && i.mem)) {
            throw CpuSignal.fault(6);
        }
        if (map == 0 && op == 0xAE) {
            group15(i, la);
            return;
        }
        boolean mmxForm = SseDecode.regKind(info) == SseDecode.MM
                || SseDecode.rmKind(info) == SseDecode.MM;
        boolean sseForm = SseDecode.regKind(info) == SseDecode.XMM
                || SseDecode.rmKind(info) == SseDecode.XMM;
        gate(sseForm);
        int fsw = st.fsw;
        int ftw = st.ftw;
        // CVTPI2PS/PD from memory do not switch the x87 unit to MMX use
        if (mmxForm && !(map == 0 && op == 0x2A && i.mem)) {
            touchMmx();
        }
        try {
            dispatch(i, la, info, pc, map, op, mmxForm);
        } catch (CpuSignal e) {
            // A memory fault comes before the switch to MMX use (TOP and tags unchanged); a
            // SIMD floating-point exception comes after it (host CPU).
            if (e.kind != CpuSignal.FAULT || e.vector != 19) {
                st.fsw = fsw;
                st.ftw = ftw;
            }
            throw e;
        }
    }

    private void dispatch(Insn i, long la, int info, int pc, int map, int op, boolean mmxForm) {
        if (map == 1) {
            exec38(i, la, info, pc, op);
            return;
        }
        if (map == 2) {
            exec3A(i, la, info, pc, op);
            return;
        }
        int words = mmxForm ? 1 : 2;
        switch (op) {
            case 0x10: case 0x11: {
                boolean storeForm = op == 0x11;
                int size = SseDecode.memSize(info);
                if (storeForm) {
                    loadX(i.reg, a);
                    if (i.mem) {
                        storeMem(la, size, a);
                    } else {
                        loadX(i.rm, r);
                        moveSized(r, a, pc);
                        storeX(i.rm, r);
                    }
                } else if (i.mem) {
                    loadRm(i, la, info, a);
                    storeX(i.reg, a); // scalar loads zero the rest
                } else {
                    loadX(i.reg, r);
                    loadX(i.rm, a);
                    moveSized(r, a, pc);
                    storeX(i.reg, r);
                }
                return;
            }
            case 0x12: case 0x16: {
                loadX(i.reg, r);
                boolean high = op == 0x16;
                if (pc == 2) {          // MOVSLDUP / MOVSHDUP
                    loadRm(i, la, info, a);
                    int o = high ? 1 : 0;
                    setF32(r, 0, f32(a, o));
                    setF32(r, 1, f32(a, o));
                    setF32(r, 2, f32(a, 2 + o));
                    setF32(r, 3, f32(a, 2 + o));
                } else if (pc == 3) {   // MOVDDUP
                    loadRm(i, la, info, a);
                    r[0] = a[0];
                    r[1] = a[0];
                } else if (i.mem) {
                    r[high ? 1 : 0] = host.readMem(la, 8);
                } else {                // MOVHLPS / MOVLHPS
                    loadX(i.rm, a);
                    if (high) {
                        r[1] = a[0];
                    } else {
                        r[0] = a[1];
                    }
                }
                storeX(i.reg, r);
                return;
            }
            case 0x13: case 0x17:
                loadX(i.reg, a);
                host.writeMem(la, 8, a[op == 0x17 ? 1 : 0]);
                return;
            case 0x14: case 0x15: {
                loadX(i.reg, a);
                loadRm(i, la, info, b);
                boolean high = op == 0x15;
                if (pc == 0) {
                    SseInt.unpack(4, high, a, b, r, 2);
                } else {
                    SseInt.unpack(8, high, a, b, r, 2);
                }
                storeX(i.reg, r);
                return;
            }
            case 0x28: case 0x6F:
                if (op == 0x6F && words == 1) {
                    loadRm(i, la, info, a);
                    setMm(i.reg, a[0]);
                    return;
                }
                loadRm(i, la, info, a);
                storeX(i.reg, a);
                return;
            case 0x29: case 0x2B: case 0x7F: case 0xE7:
                if (words == 1) {
                    a[0] = mm(i.reg);
                    if (i.mem) {
                        host.writeMem(la, 8, a[0]);
                    } else {
                        setMm(i.rm, a[0]);
                    }
                    return;
                }
                loadX(i.reg, a);
                if (i.mem) {
                    checkAlign(info, la);
                    storeMem(la, 16, a);
                } else {
                    storeX(i.rm, a);
                }
                return;
            case 0x2A:
                cvtToFloat(i, la, info, pc);
                return;
            case 0x2C: case 0x2D:
                cvtToInt(i, la, info, pc, op == 0x2C);
                return;
            case 0x2E: case 0x2F: {
                loadX(i.reg, a);
                loadRm(i, la, info, b);
                beginFp();
                int f = pc == 0 ? fp.comi(F32, f32(a, 0), f32(b, 0), op == 0x2F)
                        : fp.comi(F64, a[0], b[0], op == 0x2F);
                endFp();
                host.setArithFlags(f);
                return;
            }
            case 0x50: {
                loadX(i.rm, a);
                long m = pc == 0 ? (a[0] >>> 31 & 1) | (a[0] >>> 62 & 2) | (a[1] >>> 29 & 4)
                        | (a[1] >>> 60 & 8) : (a[0] >>> 63) | (a[1] >>> 62 & 2);
                host.setGpr(i.reg, 4, m);
                return;
            }
            case 0x51: case 0x58: case 0x59: case 0x5C: case 0x5D: case 0x5E: case 0x5F:
            case 0xC2:
                floatOp(i, la, info, pc, op);
                return;
            case 0x52: case 0x53: { // RSQRTPS/SS, RCPPS/SS (the host's approximations)
                loadX(i.reg, r);
                loadRm(i, la, info, a);
                for (int k = 0; k < (pc == 2 ? 1 : 4); k++) {
                    long x = f32(a, k);
                    setF32(r, k, op == 0x53 ? SseApprox.rcp(x) : SseApprox.rsqrt(x));
                }
                storeX(i.reg, r);
                return;
            }
            case 0x54: case 0x55: case 0x56: case 0x57:
            case 0xDB: case 0xDF: case 0xEB: case 0xEF: {
                load(SseDecode.regKind(info), i.reg, a);
                loadRm(i, la, info, b);
                for (int k = 0; k < 2; k++) {
                    switch (op) {
                        case 0x54: case 0xDB: r[k] = a[k] & b[k]; break;
                        case 0x55: case 0xDF: r[k] = ~a[k] & b[k]; break;
                        case 0x56: case 0xEB: r[k] = a[k] | b[k]; break;
                        default: r[k] = a[k] ^ b[k]; break;
                    }
                }
                store(SseDecode.regKind(info), i.reg, r);
                return;
            }
            case 0x5A: case 0x5B: case 0xE6:
                cvtPacked(i, la, info, pc, op);
                return;
            case 0x60: case 0x61: case 0x62: case 0x68: case 0x69: case 0x6A:
            case 0x6C: case 0x6D: {
                load(SseDecode.regKind(info), i.reg, a);
                loadRm(i, la, info, b);
                int size = op == 0x6C || op == 0x6D ? 8 : 1 << (op & 3);
                boolean high = op >= 0x68 && op != 0x6C;
                SseInt.unpack(size, high, a, b, r, words);
                store(SseDecode.regKind(info), i.reg, r);
                return;
            }
            case 0x63: case 0x67: case 0x6B: {
                load(SseDecode.regKind(info), i.reg, a);
                loadRm(i, la, info, b);
                SseInt.pack(op == 0x6B ? 4 : 2, op == 0x67, a, b, r, words);
                store(SseDecode.regKind(info), i.reg, r);
                return;
            }
            case 0x64: case 0x65: case 0x66: case 0x74: case 0x75: case 0x76: {
                load(SseDecode.regKind(info), i.reg, a);
                loadRm(i, la, info, b);
                SseInt.binary(op >= 0x74 ? SseInt.CMPEQ : SseInt.CMPGT, 1 << (op & 3), a, b, r,
                        words);
                store(SseDecode.regKind(info), i.reg, r);
                return;
            }
            case 0x6E: {
                long v = i.mem ? host.readMem(la, i.opSize) : host.gpr(i.rm)
                        & (i.opSize == 8 ? -1L : 0xFFFFFFFFL);
                if (words == 1) {
                    setMm(i.reg, v);
                } else {
                    a[0] = v;
                    a[1] = 0;
                    storeX(i.reg, a);
                }
                return;
            }
            case 0x7E:
                if (pc == 2) {          // MOVQ xmm, xmm/m64
                    loadRm(i, la, info, a);
                    a[1] = 0;
                    storeX(i.reg, a);
                    return;
                } else {
                    long v = words == 1 ? mm(i.reg) : st.xmm[2 * i.reg];
                    if (i.opSize != 8) {
                        v &= 0xFFFFFFFFL;
                    }
                    if (i.mem) {
                        host.writeMem(la, i.opSize, v);
                    } else {
                        host.setGpr(i.rm, i.opSize, v);
                    }
                    return;
                }
            case 0x70: {
                loadRm(i, la, info, a);
                int imm = (int) i.imm;
                if (words == 1 || pc == 1) {
                    int size = words == 1 ? 2 : 4;
                    int n = words == 1 ? 4 : 4;
                    r[0] = 0;
                    r[1] = 0;
                    for (int k = 0; k < n; k++) {
                        SseInt.setLane(r, size, k, SseInt.lane(a, size, (imm >> (2 * k)) & 3));
                    }
                    if (words == 1) {
                        setMm(i.reg, r[0]);
                        return;
                    }
                } else {
                    int half = pc == 2 ? 1 : 0; // F3: PSHUFHW, F2: PSHUFLW
                    r[0] = a[0];
                    r[1] = a[1];
                    long[] t = {a[half], 0};
                    long[] o = new long[1];
                    for (int k = 0; k < 4; k++) {
                        SseInt.setLane(o, 2, k, SseInt.lane(t, 2, (imm >> (2 * k)) & 3));
                    }
                    r[half] = o[0];
                }
                storeX(i.reg, r);
                return;
            }
            case 0x71: case 0x72: case 0x73: {
                int sub = (int) i.imm2;
                load(SseDecode.rmKind(info), i.rm, a);
                int count = (int) i.imm & 0xFF;
                if (op == 0x73 && (sub == 3 || sub == 7)) {
                    if (words == 1) {
                        throw CpuSignal.fault(6);
                    }
                    SseInt.byteShift(a, count, sub == 7, r);
                    storeX(i.rm, r);
                    return;
                }
                int size = op == 0x71 ? 2 : op == 0x72 ? 4 : 8;
                int kind = sub == 2 ? 0 : sub == 4 ? 1 : sub == 6 ? 2 : -1;
                if (kind < 0 || (kind == 1 && size == 8)) {
                    throw CpuSignal.fault(6);
                }
                SseInt.shift(size, kind, count, a, r, words);
                store(SseDecode.rmKind(info), i.rm, r);
                return;
            }
            case 0x77: // EMMS: TOP = 0 (as every MMX instruction), then all tags empty
                st.fsw &= ~0x3800;
                st.ftw = 0;
                return;
            case 0x7C: case 0x7D: case 0xD0:
                sse3Float(i, la, info, pc, op);
                return;
            case 0xC3:
                host.writeMem(la, i.opSize, host.gpr(i.reg));
                return;
            case 0xC4: {
                long v = i.mem ? host.readMem(la, 2) : host.gpr(i.rm);
                load(SseDecode.regKind(info), i.reg, r);
                SseInt.setLane(r, 2, (int) i.imm & (words * 4 - 1), v);
                store(SseDecode.regKind(info), i.reg, r);
                return;
            }
            case 0xC5:
                load(SseDecode.rmKind(info), i.rm, a);
                host.setGpr(i.reg, 4, SseInt.lane(a, 2, (int) i.imm & (words * 4 - 1)));
                return;
            case 0xC6: {
                loadX(i.reg, a);
                loadRm(i, la, info, b);
                int imm = (int) i.imm;
                if (pc == 0) {
                    setF32(r, 0, f32(a, imm & 3));
                    setF32(r, 1, f32(a, (imm >> 2) & 3));
                    setF32(r, 2, f32(b, (imm >> 4) & 3));
                    setF32(r, 3, f32(b, (imm >> 6) & 3));
                } else {
                    r[0] = a[imm & 1];
                    r[1] = b[(imm >> 1) & 1];
                }
                storeX(i.reg, r);
                return;
            }
            case 0xD6:
                if (pc == 1) {
                    loadX(i.reg, a);
                    if (i.mem) {
                        host.writeMem(la, 8, a[0]);
                    } else {
                        a[1] = 0;
                        storeX(i.rm, a);
                    }
                } else if (pc == 2) {   // MOVQ2DQ xmm, mm
                    a[0] = mm(i.rm);
                    a[1] = 0;
                    storeX(i.reg, a);
                } else {                // MOVDQ2Q mm, xmm
                    setMm(i.reg, st.xmm[2 * i.rm]);
                }
                return;
            case 0xD7:
                load(SseDecode.rmKind(info), i.rm, a);
                host.setGpr(i.reg, 4, SseInt.pmovmskb(a, words));
                return;
            case 0xF0:
                loadRm(i, la, info, a);
                storeX(i.reg, a);
                return;
            case 0xF7: {
                load(SseDecode.regKind(info), i.reg, a);
                load(SseDecode.rmKind(info), i.rm, b);
                long base = host.gpr(7); // DS:rDI (address size: 64-bit here)
                for (int k = 0; k < words * 8; k++) {
                    if ((SseInt.lane(b, 1, k) & 0x80) != 0) {
                        host.writeMem(base + k, 1, SseInt.lane(a, 1, k));
                    }
                }
                return;
            }
            default:
                intBinary(i, la, info, op, words);
                return;
        }
    }

    /** MOVSS/MOVSD between registers: only the low element moves. */
    private static void moveSized(long[] dst, long[] src, int pc) {
        switch (pc) {
            case 2: setF32(dst, 0, f32(src, 0)); break;
            case 3: dst[0] = src[0]; break;
            default: dst[0] = src[0]; dst[1] = src[1]; break;
        }
    }

    /** The 0F D1–FE integer operations (MMX and SSE2 forms). */
    private void intBinary(Insn i, long la, int info, int op, int words) {
        int kind = SseDecode.regKind(info);
        load(kind, i.reg, a);
        loadRm(i, la, info, b);
        switch (op) {
            case 0xD1: case 0xD2: case 0xD3: case 0xE1: case 0xE2:
            case 0xF1: case 0xF2: case 0xF3: {
                int size = 1 << (op & 3);
                int sk = op >= 0xF0 ? 2 : op >= 0xE0 ? 1 : 0;
                SseInt.shift(size, sk, b[0], a, r, words);
                break;
            }
            case 0xD4: SseInt.binary(SseInt.ADD, 8, a, b, r, words); break;
            case 0xD5: SseInt.binary(SseInt.MULLO, 2, a, b, r, words); break;
            case 0xD8: SseInt.binary(SseInt.SUBUS, 1, a, b, r, words); break;
            case 0xD9: SseInt.binary(SseInt.SUBUS, 2, a, b, r, words); break;
            case 0xDA: SseInt.binary(SseInt.MINU, 1, a, b, r, words); break;
            case 0xDC: SseInt.binary(SseInt.ADDUS, 1, a, b, r, words); break;
            case 0xDD: SseInt.binary(SseInt.ADDUS, 2, a, b, r, words); break;
            case 0xDE: SseInt.binary(SseInt.MAXU, 1, a, b, r, words); break;
            case 0xE0: SseInt.binary(SseInt.AVG, 1, a, b, r, words); break;
            case 0xE3: SseInt.binary(SseInt.AVG, 2, a, b, r, words); break;
            case 0xE4: SseInt.binary(SseInt.MULHU, 2, a, b, r, words); break;
            case 0xE5: SseInt.binary(SseInt.MULHI, 2, a, b, r, words); break;
            case 0xE8: SseInt.binary(SseInt.SUBS, 1, a, b, r, words); break;
            case 0xE9: SseInt.binary(SseInt.SUBS, 2, a, b, r, words); break;
            case 0xEA: SseInt.binary(SseInt.MINS, 2, a, b, r, words); break;
            case 0xEC: SseInt.binary(SseInt.ADDS, 1, a, b, r, words); break;
            case 0xED: SseInt.binary(SseInt.ADDS, 2, a, b, r, words); break;
            case 0xEE: SseInt.binary(SseInt.MAXS, 2, a, b, r, words); break;
            case 0xF4: SseInt.mulDq(false, a, b, r, words); break;
            case 0xF5: SseInt.pmaddwd(a, b, r, words); break;
            case 0xF6: SseInt.psadbw(a, b, r, words); break;
            case 0xF8: case 0xF9: case 0xFA: case 0xFB:
                SseInt.binary(SseInt.SUB, 1 << (op & 3), a, b, r, words);
                break;
            case 0xFC: case 0xFD: case 0xFE:
                SseInt.binary(SseInt.ADD, 1 << (op & 3), a, b, r, words);
                break;
            default:
                throw CpuSignal.fault(6);
        }
        store(kind, i.reg, r);
    }

    // ------------------------------------------------------------------------------------
    // conversions
    // ------------------------------------------------------------------------------------

    private void cvtToFloat(Insn i, long la, int info, int pc) {
        loadX(i.reg, r);
        beginFp();
        if (pc >= 2) {              // CVTSI2SS / CVTSI2SD
            long v = i.mem ? host.readMem(la, i.opSize) : host.gpr(i.rm);
            v = i.opSize == 8 ? v : (long) (int) v;
            if (pc == 2) {
                setF32(r, 0, fp.fromInt(F32, v));
            } else {
                r[0] = fp.fromInt(F64, v);
            }
        } else {                    // CVTPI2PS / CVTPI2PD from mm/m64
            long v = i.mem ? host.readMem(la, 8) : mm(i.rm);
            if (pc == 0) {
                setF32(r, 0, fp.fromInt(F32, (int) v));
                setF32(r, 1, fp.fromInt(F32, (int) (v >> 32)));
            } else {
                r[0] = fp.fromInt(F64, (int) v);
                r[1] = fp.fromInt(F64, (int) (v >> 32));
            }
        }
        endFp();
        storeX(i.reg, r);
    }

    private void cvtToInt(Insn i, long la, int info, int pc, boolean trunc) {
        loadRm(i, la, info, a);
        beginFp();
        if (pc >= 2) {
            long v = pc == 2 ? fp.toInt(F32, f32(a, 0), i.opSize * 8, trunc)
                    : fp.toInt(F64, a[0], i.opSize * 8, trunc);
            endFp();
            host.setGpr(i.reg, i.opSize, v);
            return;
        }
        long lo;
        long hi;
        if (pc == 0) {
            lo = fp.toInt(F32, f32(a, 0), 32, trunc);
            hi = fp.toInt(F32, f32(a, 1), 32, trunc);
        } else {
            lo = fp.toInt(F64, a[0], 32, trunc);
            hi = fp.toInt(F64, a[1], 32, trunc);
        }
        endFp();
        setMm(i.reg, (lo & 0xFFFFFFFFL) | (hi << 32));
    }

    private void cvtPacked(Insn i, long la, int info, int pc, int op) {
        loadX(i.reg, r);
        loadRm(i, la, info, a);
        long[] o = {r[0], r[1]};
        beginFp();
        if (op == 0x5A) {
            switch (pc) {
                case 0: // CVTPS2PD
                    o[0] = fp.convert(F32, F64, f32(a, 0));
                    o[1] = fp.convert(F32, F64, f32(a, 1));
                    break;
                case 1: // CVTPD2PS
                    o[0] = (fp.convert(F64, F32, a[0]) & 0xFFFFFFFFL)
                            | (fp.convert(F64, F32, a[1]) << 32);
                    o[1] = 0;
                    break;
                case 2: // CVTSS2SD
                    o[0] = fp.convert(F32, F64, f32(a, 0));
                    break;
                default: // CVTSD2SS
                    setF32(o, 0, fp.convert(F64, F32, a[0]));
                    break;
            }
        } else if (op == 0x5B) {
            for (int k = 0; k < 4; k++) {
                long x = f32(a, k);
                setF32(o, k, pc == 0 ? fp.fromInt(F32, (int) x)
                        : fp.toInt(F32, x, 32, pc == 2));
            }
        } else { // E6
            if (pc == 2) {          // CVTDQ2PD
                o[0] = fp.fromInt(F64, (int) a[0]);
                o[1] = fp.fromInt(F64, (int) (a[0] >> 32));
            } else {                // CVTTPD2DQ (66) / CVTPD2DQ (F2)
                long lo = fp.toInt(F64, a[0], 32, pc == 1);
                long hi = fp.toInt(F64, a[1], 32, pc == 1);
                o[0] = (lo & 0xFFFFFFFFL) | (hi << 32);
                o[1] = 0;
            }
        }
        endFp();
        storeX(i.reg, o);
    }

    /** SSE3 HADDPS/PD, HSUBPS/PD, ADDSUBPS/PD. */
    private void sse3Float(Insn i, long la, int info, int pc, int op) {
        loadX(i.reg, a);
        loadRm(i, la, info, b);
        beginFp();
        if (op == 0xD0) {
            if (pc == 1) {
                r[0] = fp.sub(F64, a[0], b[0]);
                r[1] = fp.add(F64, a[1], b[1]);
            } else {
                for (int k = 0; k < 4; k++) {
                    setF32(r, k, (k & 1) == 0 ? fp.sub(F32, f32(a, k), f32(b, k))
                            : fp.add(F32, f32(a, k), f32(b, k)));
                }
            }
        } else {
            boolean sub = op == 0x7D;
            if (pc == 1) {
                long x = sub ? fp.sub(F64, a[0], a[1]) : fp.add(F64, a[0], a[1]);
                long y = sub ? fp.sub(F64, b[0], b[1]) : fp.add(F64, b[0], b[1]);
                r[0] = x;
                r[1] = y;
            } else {
                long[] o = new long[2];
                for (int k = 0; k < 4; k++) {
                    long[] src = k < 2 ? a : b;
                    int j = (k & 1) * 2;
                    long x = f32(src, j);
                    long y = f32(src, j + 1);
                    setF32(o, k, sub ? fp.sub(F32, x, y) : fp.add(F32, x, y));
                }
                r[0] = o[0];
                r[1] = o[1];
            }
        }
        endFp();
        storeX(i.reg, r);
    }

    // ------------------------------------------------------------------------------------
    // 0F 38
    // ------------------------------------------------------------------------------------

    private void exec38(Insn i, long la, int info, int pc, int op) {
        if (op == 0xF0 || op == 0xF1) {
            int size = op == 0xF0 ? 1 : i.opSize;
            long v = i.mem ? host.readMem(la, size)
                    : i.rm >= 16 ? host.gpr(i.rm - 16) >>> 8 // AH..BH
                    : host.gpr(i.rm);
            long crc = SseInt.crc32c(host.gpr(i.reg), v, size);
            host.setGpr(i.reg, i.opSize == 8 ? 8 : 4, crc);
            return;
        }
        int words = pc == 0 ? 1 : 2;
        int kind = SseDecode.regKind(info);
        load(kind, i.reg, a);
        loadRm(i, la, info, b);
        switch (op) {
            case 0x00: SseInt.pshufb(a, b, r, words); break;
            case 0x01: SseInt.horizontal(2, false, false, a, b, r, words); break;
            case 0x02: SseInt.horizontal(4, false, false, a, b, r, words); break;
            case 0x03: SseInt.horizontal(2, false, true, a, b, r, words); break;
            case 0x04: SseInt.pmaddubsw(a, b, r, words); break;
            case 0x05: SseInt.horizontal(2, true, false, a, b, r, words); break;
            case 0x06: SseInt.horizontal(4, true, false, a, b, r, words); break;
            case 0x07: SseInt.horizontal(2, true, true, a, b, r, words); break;
            case 0x08: case 0x09: case 0x0A:
                SseInt.binary(SseInt.SIGN, 1 << (op & 3), a, b, r, words);
                break;
            case 0x0B: SseInt.binary(SseInt.MULHRS, 2, a, b, r, words); break;
            case 0x1C: case 0x1D: case 0x1E:
                SseInt.abs(1 << (op & 3), b, r, words);
                break;
            case 0x10: case 0x14: case 0x15: { // PBLENDVB, BLENDVPS, BLENDVPD (mask XMM0)
                int size = op == 0x10 ? 1 : op == 0x14 ? 4 : 8;
                long[] m = {st.xmm[0], st.xmm[1]};
                for (int k = 0; k < 16 / size; k++) {
                    boolean sel = (SseInt.lane(m, size, k) >>> (size * 8 - 1) & 1) != 0;
                    SseInt.setLane(r, size, k, SseInt.lane(sel ? b : a, size, k));
                }
                break;
            }
            case 0x17: { // PTEST
                boolean zf = (a[0] & b[0]) == 0 && (a[1] & b[1]) == 0;
                boolean cf = (~a[0] & b[0]) == 0 && (~a[1] & b[1]) == 0;
                host.setArithFlags((zf ? 0x40 : 0) | (cf ? 1 : 0));
                return;
            }
            case 0x20: SseInt.extend(1, 2, true, b, r); break;
            case 0x21: SseInt.extend(1, 4, true, b, r); break;
            case 0x22: SseInt.extend(1, 8, true, b, r); break;
            case 0x23: SseInt.extend(2, 4, true, b, r); break;
            case 0x24: SseInt.extend(2, 8, true, b, r); break;
            case 0x25: SseInt.extend(4, 8, true, b, r); break;
            case 0x30: SseInt.extend(1, 2, false, b, r); break;
            case 0x31: SseInt.extend(1, 4, false, b, r); break;
            case 0x32: SseInt.extend(1, 8, false, b, r); break;
            case 0x33: SseInt.extend(2, 4, false, b, r); break;
            case 0x34: SseInt.extend(2, 8, false, b, r); break;
            case 0x35: SseInt.extend(4, 8, false, b, r); break;
            case 0x28: SseInt.mulDq(true, a, b, r, 2); break;
            case 0x29: SseInt.binary(SseInt.CMPEQ, 8, a, b, r, 2); break;
            case 0x2A: r[0] = b[0]; r[1] = b[1]; break;
            case 0x2B: SseInt.pack(4, true, a, b, r, 2); break;
            case 0x37: SseInt.binary(SseInt.CMPGT, 8, a, b, r, 2); break;
            case 0x38: SseInt.binary(SseInt.MINS, 1, a, b, r, 2); break;
            case 0x39: SseInt.binary(SseInt.MINS, 4, a, b, r, 2); break;
            case 0x3A: SseInt.binary(SseInt.MINU, 2, a, b, r, 2); break;
            case 0x3B: SseInt.binary(SseInt.MINU, 4, a, b, r, 2); break;
            case 0x3C: SseInt.binary(SseInt.MAXS, 1, a, b, r, 2); break;
            case 0x3D: SseInt.binary(SseInt.MAXS, 4, a, b, r, 2); break;
            case 0x3E: SseInt.binary(SseInt.MAXU, 2, a, b, r, 2); break;
            case 0x3F: SseInt.binary(SseInt.MAXU, 4, a, b, r, 2); break;
            case 0x40: SseInt.binary(SseInt.MULLO, 4, a, b, r, 2); break;
            case 0x41: SseInt.phminposuw(b, r); break;
            default: throw CpuSignal.fault(6);
        }
        store(kind, i.reg, r);
    }

    // ------------------------------------------------------------------------------------
    // 0F 3A
    // ------------------------------------------------------------------------------------

    private void exec3A(Insn i, long la, int info, int pc, int op) {
        int imm = (int) i.imm & 0xFF;
        int words = pc == 0 ? 1 : 2;
        switch (op) {
            case 0x14: case 0x15: case 0x16: case 0x17: {
                loadX(i.reg, a);
                int size = op == 0x14 ? 1 : op == 0x15 ? 2 : op == 0x17 ? 4 : i.opSize;
                long v = SseInt.lane(a, size, imm & (16 / size - 1));
                if (i.mem) {
                    host.writeMem(la, size, v);
                } else {
                    host.setGpr(i.rm, size == 8 ? 8 : 4, v);
                }
                return;
            }
            case 0x20: case 0x22: {
                int size = op == 0x20 ? 1 : i.opSize;
                long v = i.mem ? host.readMem(la, size) : host.gpr(i.rm);
                loadX(i.reg, r);
                SseInt.setLane(r, size, imm & (16 / size - 1), v);
                storeX(i.reg, r);
                return;
            }
            case 0x21: { // INSERTPS
                long v;
                if (i.mem) {
                    v = host.readMem(la, 4);
                } else {
                    loadX(i.rm, b);
                    v = f32(b, (imm >> 6) & 3);
                }
                loadX(i.reg, r);
                setF32(r, (imm >> 4) & 3, v);
                for (int k = 0; k < 4; k++) {
                    if ((imm & (1 << k)) != 0) {
                        setF32(r, k, 0);
                    }
                }
                storeX(i.reg, r);
                return;
            }
            default:
                break;
        }
        int kind = SseDecode.regKind(info);
        load(kind, i.reg, a);
        loadRm(i, la, info, b);
        switch (op) {
            case 0x08: case 0x09: case 0x0A: case 0x0B: {
                int mode = (imm & 4) != 0 ? -1 : imm & 3;
                boolean noPe = (imm & 8) != 0;
                beginFp();
                r[0] = a[0];
                r[1] = a[1];
                switch (op) {
                    case 0x08:
                        for (int k = 0; k < 4; k++) {
                            setF32(r, k, fp.roundInt(F32, f32(b, k), mode, noPe));
                        }
                        break;
                    case 0x09:
                        r[0] = fp.roundInt(F64, b[0], mode, noPe);
                        r[1] = fp.roundInt(F64, b[1], mode, noPe);
                        break;
                    case 0x0A:
                        setF32(r, 0, fp.roundInt(F32, f32(b, 0), mode, noPe));
                        break;
                    default:
                        r[0] = fp.roundInt(F64, b[0], mode, noPe);
                        break;
                }
                endFp();
                break;
            }
            case 0x0C: case 0x0D: case 0x0E: {
                int size = op == 0x0C ? 4 : op == 0x0D ? 8 : 2;
                for (int k = 0; k < 16 / size; k++) {
                    SseInt.setLane(r, size, k, SseInt.lane((imm >> k & 1) != 0 ? b : a, size, k));
                }
                break;
            }
            case 0x0F: SseInt.palignr(a, b, imm, r, words); break;
            case 0x40: case 0x41: dot(op, imm); break;
            case 0x42: SseInt.mpsadbw(a, b, imm, r); break;
            case 0x60: case 0x61: case 0x62: case 0x63:
                SseStrings.pcmpstr(this, host, op, imm, a, b, i.opSize == 8);
                return;
            default: throw CpuSignal.fault(6);
        }
        store(kind, i.reg, r);
    }

    /** DPPS/DPPD: products of the selected lanes, summed pairwise, each step rounded. */
    private void dot(int op, int imm) {
        beginFp();
        if (op == 0x40) {
            long[] p = new long[4];
            for (int k = 0; k < 4; k++) {
                p[k] = (imm >> (4 + k) & 1) != 0 ? fp.mul(F32, f32(a, k), f32(b, k)) : 0;
            }
            long s01 = fp.add(F32, p[0], p[1]);
            long s23 = fp.add(F32, p[2], p[3]);
            long sum = fp.add(F32, s01, s23);
            for (int k = 0; k < 4; k++) {
                setF32(r, k, (imm >> k & 1) != 0 ? sum : 0);
            }
        } else {
            long p0 = (imm >> 4 & 1) != 0 ? fp.mul(F64, a[0], b[0]) : 0;
            long p1 = (imm >> 5 & 1) != 0 ? fp.mul(F64, a[1], b[1]) : 0;
            long sum = fp.add(F64, p0, p1);
            r[0] = (imm & 1) != 0 ? sum : 0;
            r[1] = (imm & 2) != 0 ? sum : 0;
        }
        endFp();
    }

    /** For {@link SseStrings}: writes XMM0. */
    void setXmm0(long lo, long hi) {
        st.xmm[0] = lo;
        st.xmm[1] = hi;
    }

    // ------------------------------------------------------------------------------------
    // 0F AE: FXSAVE, FXRSTOR, LDMXCSR, STMXCSR, XSAVE, XRSTOR, fences, CLFLUSH
    // ------------------------------------------------------------------------------------

    private void group15(Insn i, long la) {
        int sub = (int) i.imm2;
        int pc = i.sub >> 10;
        if (!i.mem) {
            // LFENCE (5), MFENCE (6), SFENCE (7): no effect on a single in-order VCPU
            if (pc == 0 && sub >= 5) {
                return;
            }
            throw CpuSignal.fault(6);
        }
        if (pc == 1 && sub == 7) {
            // CLFLUSHOPT (66 0F AE /7): like CLFLUSH, checks the address only
            host.readMem(la, 1);
            return;
        }
        if (pc != 0) {
            throw CpuSignal.fault(6);
        }
        switch (sub) {
            case 0: case 1: {
                long cr0 = host.cr0();
                if ((cr0 & (CR0_TS | CR0_EM)) != 0) {
                    throw CpuSignal.fault(7);
                }
                if ((la & 15) != 0) {
                    throw CpuSignal.fault(13, 0);
                }
                if (sub == 0) {
                    ExtendedState.fxsave(st, host, la, i.opSize == 8,
                            (host.cr4() & CR4_OSFXSR) != 0);
                } else {
                    ExtendedState.fxrstor(st, host, la, i.opSize == 8,
                            (host.cr4() & CR4_OSFXSR) != 0);
                }
                return;
            }
            case 2: case 3: {
                gate(true);
                if (sub == 2) {
                    long v = host.readMem(la, 4);
                    if ((v & ~ExtendedState.MXCSR_MASK) != 0) {
                        throw CpuSignal.fault(13, 0);
                    }
                    st.mxcsr = (int) v;
                } else {
                    host.writeMem(la, 4, st.mxcsr & 0xFFFFFFFFL);
                }
                return;
            }
            case 4: case 5: {
                if ((host.cr4() & CR4_OSXSAVE) == 0) {
                    throw CpuSignal.fault(6);
                }
                if ((host.cr0() & CR0_TS) != 0) {
                    throw CpuSignal.fault(7);
                }
                if ((la & 63) != 0) {
                    throw CpuSignal.fault(13, 0);
                }
                long rfbm = host.xcr0() & ((host.gpr(2) << 32) | (host.gpr(0) & 0xFFFFFFFFL));
                if (sub == 4) {
                    ExtendedState.xsave(st, host, la, rfbm, i.opSize == 8);
                } else {
                    ExtendedState.xrstor(st, host, la, rfbm, i.opSize == 8);
                }
                return;
            }
            case 7: // CLFLUSH: a memory-ordering/cache operation; checks the address only
                host.readMem(la, 1);
                return;
            default:
                throw CpuSignal.fault(6);
        }
    }
}
