package dev.zx4j.sim.x86;

/**
 * The floating-point register file of one VCPU: the eight x87 data registers (aliased by the
 * MMX registers), the x87 control, status and tag words and the last-instruction pointers, the
 * sixteen XMM registers and MXCSR. Plain mutable state: the x87 instructions ({@code X87}) and
 * the MMX/SSE instructions act on it, FXSAVE/FXRSTOR and FSAVE/FRSTOR copy it.
 *
 * <p>Data registers are indexed by physical number R0..R7; ST(i) is R[(TOP + i) &amp; 7]. Each
 * holds an 80-bit extended value as a 64-bit significand with its explicit integer bit (bit 63)
 * in {@link #mant} and sign and 15-bit biased exponent in {@link #se} (sign in bit 15).
 *
 * <p>The tag word is kept abridged, as the processor keeps it (one bit per physical register,
 * 1 = valid, the FXSAVE format); the full two-bit tags that FSTENV/FSAVE write are computed from
 * the register contents (Intel SDM vol. 1 §8.1.7: "the processor ... recomputes the tag
 * values"), and FLDENV/FRSTOR keep only empty (11) versus not empty.
 */
public final class FpuState {
    /** Significands of physical R0..R7, integer bit in bit 63. */
    public final long[] mant = new long[8];
    /** Sign (bit 15) and biased exponent (bits 14..0) of physical R0..R7. */
    public final int[] se = new int[8];
    /** x87 control word. */
    public int fcw = 0x037F;
    /** x87 status word; TOP in bits 13..11. */
    public int fsw;
    /** Abridged tag word: bit i set = physical register i is valid (not empty). */
    public int ftw;
    /** Last x87 non-control instruction's opcode (11 bits: low 3 bits of the first byte, ModR/M). */
    public int fop;
    /** Last x87 non-control instruction's offset and its code selector. */
    public long fip;
    /** The code selector of that instruction. */
    public int fcs;
    /** Last x87 memory operand's offset and its data selector. */
    public long fdp;
    /** The data selector of that operand. */
    public int fds;
    /** XMM0..15: XMMi is xmm[2i] (bits 63..0) and xmm[2i+1] (bits 127..64). */
    public final long[] xmm = new long[32];
    /** SSE control and status. */
    public int mxcsr = 0x1F80;

    /** The state after FNINIT and a reset of MXCSR: all registers empty, control word 0x037F. */
    public FpuState() {
        reset();
    }

    /** {@return TOP, the physical number of ST(0)} */
    public int top() {
        return (fsw >> 11) & 7;
    }

    /**
     * Sets TOP, the physical number of ST(0), in the status word.
     *
     * @param top the new TOP; only its low 3 bits are used
     */
    public void setTop(int top) {
        fsw = (fsw & ~0x3800) | ((top & 7) << 11);
    }

    /**

     * {@return the full tag word as FSTENV/FSAVE store it: 00 valid, 01 zero, 10 special, 11 empty}

     */
    public int fullTagWord() {
        int tw = 0;
        for (int r = 0; r < 8; r++) {
            tw |= tagOf(r) << (2 * r);
        }
        return tw;
    }

    /**
     * The two-bit tag of physical register r computed from its contents.
     *
     * @param r the physical register number, 0 to 7
     * @return 00 valid, 01 zero, 10 special or 11 empty
     */
    public int tagOf(int r) {
        if ((ftw & (1 << r)) == 0) {
            return 3;
        }
        int exp = se[r] & 0x7FFF;
        long m = mant[r];
        if (exp == 0x7FFF) {
            return 2;
        }
        if (exp == 0) {
            return m == 0 ? 1 : 2;
        }
        return m < 0 ? 0 : 2; // integer bit clear with a nonzero exponent: unnormal, special
    }

    /**
     * Loads a full tag word as FLDENV/FRSTOR do: 11 is empty, every other value valid.
     *
     * @param tw the 16-bit tag word, two bits per physical register
     */
    public void setFullTagWord(int tw) {
        int t = 0;
        for (int r = 0; r < 8; r++) {
            if (((tw >> (2 * r)) & 3) != 3) {
                t |= 1 << r;
            }
        }
        ftw = t;
    }

    /** The x87 state after FNINIT: FCW 0x037F, FSW 0, all empty, pointers 0 (registers kept). */
    public void finit() {
        fcw = 0x037F;
        fsw = 0;
        ftw = 0;
        fop = 0;
        fip = 0;
        fcs = 0;
        fdp = 0;
        fds = 0;
    }

    /** Power-on / INIT state: FINIT, data registers +0, XMM 0, MXCSR 0x1F80. */
    public void reset() {
        finit();
        java.util.Arrays.fill(mant, 0);
        java.util.Arrays.fill(se, 0);
        java.util.Arrays.fill(xmm, 0);
        mxcsr = 0x1F80;
    }

    /**
     * Copies every field of {@code o} into this state.
     *
     * @param o the state to copy
     */
    public void copyFrom(FpuState o) {
        System.arraycopy(o.mant, 0, mant, 0, 8);
        System.arraycopy(o.se, 0, se, 0, 8);
        System.arraycopy(o.xmm, 0, xmm, 0, 32);
        fcw = o.fcw;
        fsw = o.fsw;
        ftw = o.ftw;
        fop = o.fop;
        fip = o.fip;
        fcs = o.fcs;
        fdp = o.fdp;
        fds = o.fds;
        mxcsr = o.mxcsr;
    }
}
