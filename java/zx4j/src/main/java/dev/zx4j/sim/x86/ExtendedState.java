package dev.zx4j.sim.x86;

/**
 * FXSAVE/FXRSTOR and XSAVE/XRSTOR images of {@link FpuState} (Intel SDM vol. 1 §10.5.1
 * table 10-2/10-3 and §13.4–13.8), and XGETBV/XSETBV's XCR0 rules.
 *
 * <pre>
 * legacy region (512 bytes): 0 FCW, 2 FSW, 4 abridged FTW, 6 FOP,
 *   8 FIP (64-bit form: 8 bytes; else 4 bytes + FCS), 16 FDP (64-bit: 8; else 4 + FDS),
 *   24 MXCSR, 28 MXCSR_MASK, 32 ST0..ST7 (16 bytes each, 10 used), 160 XMM0..XMM15
 * XSAVE header (64 bytes at 512): XSTATE_BV, XCOMP_BV, 48 reserved bytes
 * </pre>
 * The x87 registers are stored in stack order (ST0 first). XSAVE is modelled with every
 * component in use (XINUSE all ones), which the SDM allows: XSTATE_BV[i] = RFBM[i].
 */
final class ExtendedState {
    private ExtendedState() {
    }

    /** MXCSR bits that may be set (FLAGS, DAZ, masks, RC, FTZ): MXCSR_MASK. */
    static final int MXCSR_MASK = 0xFFFF;
    /** XCR0 components implemented: x87 (bit 0) and SSE (bit 1). */
    static final long XCR0_SUPPORTED = 3;
    /** Bytes of the standard-form XSAVE area for x87|SSE: legacy region plus header. */
    static final int XSAVE_SIZE = 576;

    static void fxsave(FpuState st, SseHost h, long la, boolean w64, boolean withSse) {
        h.probeWrite(la, 512);
        saveX87(st, h, la, w64);
        if (withSse) {
            h.writeMem(la + 24, 4, st.mxcsr & 0xFFFFFFFFL);
            h.writeMem(la + 28, 4, MXCSR_MASK);
            saveXmm(st, h, la);
        }
    }

    static void fxrstor(FpuState st, SseHost h, long la, boolean w64, boolean withSse) {
        long mx = h.readMem(la + 24, 4);
        if (withSse && (mx & ~MXCSR_MASK) != 0) {
            throw CpuSignal.fault(13, 0);
        }
        h.readMem(la + 511, 1); // the whole image must be readable before anything changes
        loadX87(st, h, la, w64);
        if (withSse) {
            st.mxcsr = (int) mx;
            loadXmm(st, h, la);
        }
    }

    private static void saveX87(FpuState st, SseHost h, long la, boolean w64) {
        h.writeMem(la, 2, st.fcw);
        h.writeMem(la + 2, 2, st.fsw);
        h.writeMem(la + 4, 1, st.ftw & 0xFF);
        h.writeMem(la + 5, 1, 0);
        h.writeMem(la + 6, 2, st.fop & 0x7FF);
        if (w64) {
            h.writeMem(la + 8, 8, st.fip);
            h.writeMem(la + 16, 8, st.fdp);
        } else {
            h.writeMem(la + 8, 4, st.fip & 0xFFFFFFFFL);
            h.writeMem(la + 12, 4, st.fcs & 0xFFFF);
            h.writeMem(la + 16, 4, st.fdp & 0xFFFFFFFFL);
            h.writeMem(la + 20, 4, st.fds & 0xFFFF);
        }
        int top = st.top();
        for (int k = 0; k < 8; k++) {
            int p = (top + k) & 7;
            long o = la + 32 + 16L * k;
            h.writeMem(o, 8, st.mant[p]);
            h.writeMem(o + 8, 2, st.se[p] & 0xFFFF);
            h.writeMem(o + 10, 2, 0);
            h.writeMem(o + 12, 4, 0);
        }
    }

    private static void loadX87(FpuState st, SseHost h, long la, boolean w64) {
        // FCW: reserved bits 7 and 13-15 read as 0, bit 6 as 1; FSW: ES (bit 7) and B (bit 15)
        // are recomputed from the exception flags not masked in FCW (host CPU)
        st.fcw = ((int) h.readMem(la, 2) & 0x1F3F) | 0x40;
        int fsw = (int) h.readMem(la + 2, 2) & 0x7F7F;
        if ((fsw & ~st.fcw & 0x3F) != 0) {
            fsw |= 0x8080;
        }
        st.fsw = fsw;
        st.ftw = (int) h.readMem(la + 4, 1);
        st.fop = (int) h.readMem(la + 6, 2) & 0x7FF;
        if (w64) {
            st.fip = h.readMem(la + 8, 8);
            st.fdp = h.readMem(la + 16, 8);
        } else {
            st.fip = h.readMem(la + 8, 4);
            st.fcs = (int) h.readMem(la + 12, 2);
            st.fdp = h.readMem(la + 16, 4);
            st.fds = (int) h.readMem(la + 20, 2);
        }
        int top = st.top();
        for (int k = 0; k < 8; k++) {
            int p = (top + k) & 7;
            long o = la + 32 + 16L * k;
            st.mant[p] = h.readMem(o, 8);
            st.se[p] = (int) h.readMem(o + 8, 2);
        }
    }

    private static void saveXmm(FpuState st, SseHost h, long la) {
        for (int k = 0; k < 32; k++) {
            h.writeMem(la + 160 + 8L * k, 8, st.xmm[k]);
        }
    }

    private static void loadXmm(FpuState st, SseHost h, long la) {
        for (int k = 0; k < 32; k++) {
            st.xmm[k] = h.readMem(la + 160 + 8L * k, 8);
        }
    }

    static void xsave(FpuState st, SseHost h, long la, long rfbm, boolean w64) {
        h.probeWrite(la, XSAVE_SIZE);
        if ((rfbm & 1) != 0) {
            saveX87(st, h, la, w64);
        }
        if ((rfbm & 2) != 0) {
            h.writeMem(la + 24, 4, st.mxcsr & 0xFFFFFFFFL);
            h.writeMem(la + 28, 4, MXCSR_MASK);
            saveXmm(st, h, la);
        }
        long bv = h.readMem(la + 512, 8);
        bv = (bv & ~rfbm) | (rfbm & XCR0_SUPPORTED);
        h.writeMem(la + 512, 8, bv);
    }

    static void xrstor(FpuState st, SseHost h, long la, long rfbm, boolean w64) {
        long bv = h.readMem(la + 512, 8);
        long comp = h.readMem(la + 520, 8);
        if (comp != 0 || (bv & ~XCR0_SUPPORTED) != 0) {
            throw CpuSignal.fault(13, 0);
        }
        for (int k = 16; k < 64; k += 8) {
            if (h.readMem(la + 512 + k, 8) != 0) {
                throw CpuSignal.fault(13, 0);
            }
        }
        long mx = h.readMem(la + 24, 4);
        if ((rfbm & 2) != 0 && (mx & ~MXCSR_MASK) != 0) {
            throw CpuSignal.fault(13, 0);
        }
        if ((rfbm & 1) != 0) {
            if ((bv & 1) != 0) {
                loadX87(st, h, la, w64);
            } else {
                st.finit();
                java.util.Arrays.fill(st.mant, 0);
                java.util.Arrays.fill(st.se, 0);
            }
        }
        if ((rfbm & 2) != 0) {
            st.mxcsr = (int) mx;
            if ((bv & 2) != 0) {
                loadXmm(st, h, la);
            } else {
                java.util.Arrays.fill(st.xmm, 0);
            }
        }
    }

    /** XGETBV: #UD without CR4.OSXSAVE; ECX = 0 reads XCR0 into EDX:EAX, anything else #GP(0). */
    static void xgetbv(X86Cpu cpu) {
        if ((cpu.cr4 & X86Cpu.CR4_OSXSAVE) == 0) {
            throw CpuSignal.fault(6);
        }
        if ((int) cpu.regs[1] != 0) {
            throw CpuSignal.fault(13, 0);
        }
        cpu.regs[0] = cpu.xcr0 & 0xFFFFFFFFL;
        cpu.regs[2] = cpu.xcr0 >>> 32;
    }

    /**
     * XSETBV: #UD without CR4.OSXSAVE (and #GP(0) above CPL 0) in the guest; otherwise it exits
     * to the kernel, which requires ECX = 0 and a value that is a subset of the supported
     * components, has x87 and not AVX without SSE. Any violation ends {@code zx_vcpu_enter}
     * with ZX_ERR_INVALID_ARGS (no #GP), as the modelled kernel does.
     */
    static void xsetbv(X86Cpu cpu) {
        if ((cpu.cr4 & X86Cpu.CR4_OSXSAVE) == 0) {
            throw CpuSignal.fault(6);
        }
        if (cpu.cpl != 0) {
            throw CpuSignal.fault(13, 0); // checked by the processor before any exit
        }
        long v = (cpu.regs[2] << 32) | (cpu.regs[0] & 0xFFFFFFFFL);
        if ((int) cpu.regs[1] != 0 || (v & ~XCR0_SUPPORTED) != 0 || (v & 1) == 0
                || ((v & 4) != 0 && (v & 2) == 0)) {
            throw CpuSignal.error(dev.zx4j.abi.Zx.ZX_ERR_INVALID_ARGS,
                    "XSETBV ecx=" + (int) cpu.regs[1] + " value 0x" + Long.toHexString(v)
                    + " (the kernel accepts only XCR0 subsets of 0x" + Long.toHexString(XCR0_SUPPORTED)
                    + " with x87)");
        }
        cpu.xcr0 = v;
    }
}
