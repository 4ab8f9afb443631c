package dev.zx4j;

import dev.zx4j.abi.Layouts;
import java.util.Objects;

/**
 * The x86-64 registers a VMM reads and writes with {@link Vcpu#readState()} and
 * {@link Vcpu#writeState(X86Registers)}: the 136-byte {@code zx_vcpu_state_t} (sixteen
 * general-purpose registers in the C order rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8…r15, then
 * rflags). It holds no RIP: the kernel owns the instruction pointer.
 *
 * <p>Immutable; change it with the {@code with…} copies or {@link #with(Register, long)}:
 * <pre>{@code
 * vcpu.writeState(vcpu.readState().withRax(42).withRflags(0x202));
 * }</pre>
 * Kernel quirks worth knowing: reads report only the user-controllable RFLAGS bits, and a write
 * changes RFLAGS only when bit 1 (the always-one bit, {@value #RFLAGS_RESERVED_ONE}) is set in
 * the value written — so {@code rflags = 0} leaves RFLAGS as it was.
 *
 * @param rax general-purpose register RAX
 * @param rcx general-purpose register RCX
 * @param rdx general-purpose register RDX
 * @param rbx general-purpose register RBX
 * @param rsp general-purpose register RSP
 * @param rbp general-purpose register RBP
 * @param rsi general-purpose register RSI
 * @param rdi general-purpose register RDI
 * @param r8 general-purpose register R8
 * @param r9 general-purpose register R9
 * @param r10 general-purpose register R10
 * @param r11 general-purpose register R11
 * @param r12 general-purpose register R12
 * @param r13 general-purpose register R13
 * @param r14 general-purpose register R14
 * @param r15 general-purpose register R15
 * @param rflags RFLAGS; see the class comment for which bits reads report and writes change
 */
public record X86Registers(
        long rax,
        long rcx,
        long rdx,
        long rbx,
        long rsp,
        long rbp,
        long rsi,
        long rdi,
        long r8,
        long r9,
        long r10,
        long r11,
        long r12,
        long r13,
        long r14,
        long r15,
        long rflags) {

    /** Size of {@code zx_vcpu_state_t} on x86-64. */
    public static final int SIZE = Layouts.VCPU_STATE_SIZE;
    /** RFLAGS bit 1, always one in hardware; must be set for a write to change RFLAGS. */
    public static final long RFLAGS_RESERVED_ONE = 0x2;
    /** RFLAGS.IF, interrupts enabled. */
    public static final long RFLAGS_IF = 1L << 9;

    /** All registers zero (a write of it leaves RFLAGS unchanged). */
    public static final X86Registers ZERO = new X86Registers(
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** The registers of {@code zx_vcpu_state_t}, each with its byte offset in the C layout. */
    public enum Register {
        /** RAX, at byte offset 0. */
        RAX(0),
        /** RCX, at byte offset 8. */
        RCX(8),
        /** RDX, at byte offset 16. */
        RDX(16),
        /** RBX, at byte offset 24. */
        RBX(24),
        /** RSP, at byte offset 32. */
        RSP(32),
        /** RBP, at byte offset 40. */
        RBP(40),
        /** RSI, at byte offset 48. */
        RSI(48),
        /** RDI, at byte offset 56. */
        RDI(56),
        /** R8, at byte offset 64. */
        R8(64),
        /** R9, at byte offset 72. */
        R9(72),
        /** R10, at byte offset 80. */
        R10(80),
        /** R11, at byte offset 88. */
        R11(88),
        /** R12, at byte offset 96. */
        R12(96),
        /** R13, at byte offset 104. */
        R13(104),
        /** R14, at byte offset 112. */
        R14(112),
        /** R15, at byte offset 120. */
        R15(120),
        /** RFLAGS, at byte offset 128. */
        RFLAGS(128);

        private final int offset;

        Register(int offset) {
            this.offset = offset;
        }

        /** {@return byte offset in the 136-byte C layout} */
        public int offset() {
            return offset;
        }
    }

    /**
     * Parses the C layout in {@code state} (at least {@value #SIZE} bytes).
     *
     * @param state the {@code zx_vcpu_state_t} bytes, little-endian
     * @return the registers
     * @throws IllegalArgumentException if the buffer is shorter
     */
    public static X86Registers fromBytes(byte[] state) {
        Objects.requireNonNull(state, "state");
        if (state.length < SIZE) {
            throw new IllegalArgumentException(
                    "zx_vcpu_state_t is " + SIZE + " bytes, got " + state.length);
        }
        return new X86Registers(
                Layouts.i64(state, 0),
                Layouts.i64(state, 8),
                Layouts.i64(state, 16),
                Layouts.i64(state, 24),
                Layouts.i64(state, 32),
                Layouts.i64(state, 40),
                Layouts.i64(state, 48),
                Layouts.i64(state, 56),
                Layouts.i64(state, 64),
                Layouts.i64(state, 72),
                Layouts.i64(state, 80),
                Layouts.i64(state, 88),
                Layouts.i64(state, 96),
                Layouts.i64(state, 104),
                Layouts.i64(state, 112),
                Layouts.i64(state, 120),
                Layouts.i64(state, 128));
    }

    /**
     * The {@value #SIZE}-byte C layout.
     *
     * @return a new array holding the registers in the C layout
     */
    public byte[] toBytes() {
        byte[] b = new byte[SIZE];
        Layouts.put64(b, 0, rax);
        Layouts.put64(b, 8, rcx);
        Layouts.put64(b, 16, rdx);
        Layouts.put64(b, 24, rbx);
        Layouts.put64(b, 32, rsp);
        Layouts.put64(b, 40, rbp);
        Layouts.put64(b, 48, rsi);
        Layouts.put64(b, 56, rdi);
        Layouts.put64(b, 64, r8);
        Layouts.put64(b, 72, r9);
        Layouts.put64(b, 80, r10);
        Layouts.put64(b, 88, r11);
        Layouts.put64(b, 96, r12);
        Layouts.put64(b, 104, r13);
        Layouts.put64(b, 112, r14);
        Layouts.put64(b, 120, r15);
        Layouts.put64(b, 128, rflags);
        return b;
    }

    /**
     * The value of {@code register}.
     *
     * @param register the register to read
     * @return its value
     */
    public long get(Register register) {
        switch (register) {
            case RAX: return rax;
            case RCX: return rcx;
            case RDX: return rdx;
            case RBX: return rbx;
            case RSP: return rsp;
            case RBP: return rbp;
            case RSI: return rsi;
            case RDI: return rdi;
            case R8: return r8;
            case R9: return r9;
            case R10: return r10;
            case R11: return r11;
            case R12: return r12;
            case R13: return r13;
            case R14: return r14;
            case R15: return r15;
            case RFLAGS: return rflags;
            default: throw new AssertionError(register);
        }
    }

    /**
     * A copy with {@code register} = {@code value}.
     *
     * @param register the register to change
     * @param value its new value
     * @return the copy
     */
    public X86Registers with(Register register, long value) {
        switch (register) {
            case RAX: return new X86Registers(value, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15, rflags);
            case RCX: return new X86Registers(rax, value, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15, rflags);
            case RDX: return new X86Registers(rax, rcx, value, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15, rflags);
            case RBX: return new X86Registers(rax, rcx, rdx, value, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15, rflags);
            case RSP: return new X86Registers(rax, rcx, rdx, rbx, value, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15, rflags);
            case RBP: return new X86Registers(rax, rcx, rdx, rbx, rsp, value, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15, rflags);
            case RSI: return new X86Registers(rax, rcx, rdx, rbx, rsp, rbp, value, rdi, r8, r9, r10, r11, r12, r13, r14, r15, rflags);
            case RDI: return new X86Registers(rax, rcx, rdx, rbx, rsp, rbp, rsi, value, r8, r9, r10, r11, r12, r13, r14, r15, rflags);
            case R8: return new X86Registers(rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, value, r9, r10, r11, r12, r13, r14, r15, rflags);
            case R9: return new X86Registers(rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, value, r10, r11, r12, r13, r14, r15, rflags);
            case R10: return new X86Registers(rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, value, r11, r12, r13, r14, r15, rflags);
            case R11: return new X86Registers(rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, value, r12, r13, r14, r15, rflags);
            case R12: return new X86Registers(rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, value, r13, r14, r15, rflags);
            case R13: return new X86Registers(rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, value, r14, r15, rflags);
            case R14: return new X86Registers(rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, value, r15, rflags);
            case R15: return new X86Registers(rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, value, rflags);
            case RFLAGS: return new X86Registers(rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15, value);
            default: throw new AssertionError(register);
        }
    }

    /**
     * A copy with rax = {@code value}.
     *
     * @param value the new RAX
     * @return the copy
     */
    public X86Registers withRax(long value) {
        return with(Register.RAX, value);
    }

    /**
     * A copy with rcx = {@code value}.
     *
     * @param value the new RCX
     * @return the copy
     */
    public X86Registers withRcx(long value) {
        return with(Register.RCX, value);
    }

    /**
     * A copy with rdx = {@code value}.
     *
     * @param value the new RDX
     * @return the copy
     */
    public X86Registers withRdx(long value) {
        return with(Register.RDX, value);
    }

    /**
     * A copy with rbx = {@code value}.
     *
     * @param value the new RBX
     * @return the copy
     */
    public X86Registers withRbx(long value) {
        return with(Register.RBX, value);
    }

    /**
     * A copy with rsp = {@code value}.
     *
     * @param value the new RSP
     * @return the copy
     */
    public X86Registers withRsp(long value) {
        return with(Register.RSP, value);
    }

    /**
     * A copy with rbp = {@code value}.
     *
     * @param value the new RBP
     * @return the copy
     */
    public X86Registers withRbp(long value) {
        return with(Register.RBP, value);
    }

    /**
     * A copy with rsi = {@code value}.
     *
     * @param value the new RSI
     * @return the copy
     */
    public X86Registers withRsi(long value) {
        return with(Register.RSI, value);
    }

    /**
     * A copy with rdi = {@code value}.
     *
     * @param value the new RDI
     * @return the copy
     */
    public X86Registers withRdi(long value) {
        return with(Register.RDI, value);
    }

    /**
     * A copy with r8 = {@code value}.
     *
     * @param value the new R8
     * @return the copy
     */
    public X86Registers withR8(long value) {
        return with(Register.R8, value);
    }

    /**
     * A copy with r9 = {@code value}.
     *
     * @param value the new R9
     * @return the copy
     */
    public X86Registers withR9(long value) {
        return with(Register.R9, value);
    }

    /**
     * A copy with r10 = {@code value}.
     *
     * @param value the new R10
     * @return the copy
     */
    public X86Registers withR10(long value) {
        return with(Register.R10, value);
    }

    /**
     * A copy with r11 = {@code value}.
     *
     * @param value the new R11
     * @return the copy
     */
    public X86Registers withR11(long value) {
        return with(Register.R11, value);
    }

    /**
     * A copy with r12 = {@code value}.
     *
     * @param value the new R12
     * @return the copy
     */
    public X86Registers withR12(long value) {
        return with(Register.R12, value);
    }

    /**
     * A copy with r13 = {@code value}.
     *
     * @param value the new R13
     * @return the copy
     */
    public X86Registers withR13(long value) {
        return with(Register.R13, value);
    }

    /**
     * A copy with r14 = {@code value}.
     *
     * @param value the new R14
     * @return the copy
     */
    public X86Registers withR14(long value) {
        return with(Register.R14, value);
    }

    /**
     * A copy with r15 = {@code value}.
     *
     * @param value the new R15
     * @return the copy
     */
    public X86Registers withR15(long value) {
        return with(Register.R15, value);
    }

    /**
     * A copy with rflags = {@code value}.
     *
     * @param value the new RFLAGS
     * @return the copy
     */
    public X86Registers withRflags(long value) {
        return with(Register.RFLAGS, value);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("X86Registers[");
        for (Register r : Register.values()) {
            if (r.ordinal() > 0) {
                sb.append(", ");
            }
            sb.append(r.name().toLowerCase(java.util.Locale.ROOT)).append("=0x")
                    .append(Long.toHexString(get(r)));
        }
        return sb.append(']').toString();
    }
}
