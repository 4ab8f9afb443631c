package dev.zx4j.vmm;

import dev.zx4j.X86Registers;

/**
 * Decodes the instruction of a MEM-trap exit ({@code VcpuExit.MemExit}) far enough to emulate
 * a device register access, as a VMM must on Zircon (the kernel hands over the instruction
 * bytes, not the access): {@code MOV r/m, r} (0x88, 0x89), {@code MOV r, r/m} (0x8A, 0x8B),
 * {@code MOV r/m, imm} (0xC6 /0, 0xC7 /0) and {@code MOVZX r, r/m8|16} (0x0F 0xB6, 0x0F 0xB7),
 * with operand-size (0x66), address-size (0x67), segment and REX prefixes — the forms compilers
 * emit for {@code readl}/{@code writel}-style accessors. Encodings: Intel SDM vol. 2.
 *
 * @param write     true for a store to the device
 * @param size      access size in bytes (1, 2, 4 or 8)
 * @param register  the general register read (store) or written (load), 0–15; -1 for an
 *                  immediate store
 * @param highByte  an 8-bit register AH, CH, DH or BH (no REX prefix, register 4–7)
 * @param immediate the value of an immediate store
 * @param destSize  for loads, the register's size (MOVZX widens)
 */
public record MmioInstruction(boolean write, int size, int register, boolean highByte,
                              long immediate, int destSize) {

    /** An instruction the decoder does not handle. */
    public static final class UnsupportedException extends Exception {
        private static final long serialVersionUID = 1L;

        UnsupportedException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Decodes the MOV (or other supported load or store) that trapped on MMIO.
     *
     * @param bytes              the instruction (as many bytes as the exit gave)
     * @param defaultOperandSize 2 or 4 (the exit's default operand size)
     * @return the decoded access
     * @throws UnsupportedException for an instruction the VMM does not emulate
     */
    public static MmioInstruction decode(byte[] bytes, int defaultOperandSize)
            throws UnsupportedException {
        int i = 0;
        boolean opsize = false;
        int rex = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xFF;
            if (b == 0x66) {
                opsize = true;
            } else if (b == 0x67 || b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E
                    || b == 0x64 || b == 0x65) {
                // address size and segments do not change the access
            } else {
                break;
            }
            i++;
        }
        if (i < bytes.length && (bytes[i] & 0xF0) == 0x40) {
            rex = bytes[i] & 0x0F;
            i++;
        }
        if (i + 1 >= bytes.length) {
            throw new UnsupportedException("truncated instruction " + hex(bytes));
        }
        int op = bytes[i++] & 0xFF;
        boolean twoByte = false;
        if (op == 0x0F) {
            twoByte = true;
            op = bytes[i++] & 0xFF;
        }
        if (i >= bytes.length) {
            throw new UnsupportedException("truncated instruction " + hex(bytes));
        }
        int modrm = bytes[i] & 0xFF;
        int reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
        int wide = (rex & 8) != 0 ? 8 : opsize ? (defaultOperandSize == 4 ? 2 : 4)
                : defaultOperandSize;
        boolean high8 = rex == 0 && reg >= 4 && reg < 8;
        if (!twoByte) {
            switch (op) {
                case 0x88:
                    return new MmioInstruction(true, 1, high8 ? reg - 4 : reg, high8, 0, 1);
                case 0x89:
                    return new MmioInstruction(true, wide, reg, false, 0, wide);
                case 0x8A:
                    return new MmioInstruction(false, 1, high8 ? reg - 4 : reg, high8, 0, 1);
                case 0x8B:
                    return new MmioInstruction(false, wide, reg, false, 0, wide);
                case 0xC6:
                case 0xC7: {
                    if (((modrm >> 3) & 7) != 0) {
                        break;
                    }
                    int size = op == 0xC6 ? 1 : wide;
                    int immAt = i + 1 + addressingBytes(bytes, i);
                    int immLen = Math.min(size, 4);
                    if (immAt + immLen > bytes.length) {
                        throw new UnsupportedException("truncated instruction " + hex(bytes));
                    }
                    long imm = 0;
                    for (int k = immLen - 1; k >= 0; k--) {
                        imm = imm << 8 | (bytes[immAt + k] & 0xFF);
                    }
                    if (size == 8) {
                        imm = (int) imm; // sign-extended imm32
                    }
                    return new MmioInstruction(true, size, -1, false, imm, size);
                }
                default:
                    break;
            }
        } else if (op == 0xB6 || op == 0xB7) {
            return new MmioInstruction(false, op == 0xB6 ? 1 : 2, reg, false, 0, wide);
        }
        throw new UnsupportedException("cannot emulate a device access by " + hex(bytes));
    }

    /** Bytes of ModRM + SIB + displacement, minus the ModRM byte itself. */
    private static int addressingBytes(byte[] b, int modrmAt) throws UnsupportedException {
        int modrm = b[modrmAt] & 0xFF;
        int mod = modrm >> 6;
        int rm = modrm & 7;
        int n = 0;
        if (mod != 3 && rm == 4) {
            if (modrmAt + 1 >= b.length) {
                throw new UnsupportedException("truncated instruction " + hex(b));
            }
            n++;
            int base = b[modrmAt + 1] & 7;
            if (mod == 0 && base == 5) {
                return n + 4;
            }
        }
        if (mod == 0 && rm == 5) {
            return n + 4; // RIP-relative disp32
        }
        return n + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
    }

    /**
     * The value a store writes, from the registers at the exit.
     *
     * @param regs the registers at the exit
     * @return the value, in the low {@link #size} bytes
     */
    public long storeValue(X86Registers regs) {
        long v = register < 0 ? immediate : regs.get(X86Registers.Register.values()[register]);
        if (highByte) {
            v >>>= 8;
        }
        return size == 8 ? v : v & ((1L << (8 * size)) - 1);
    }

    /**
     * The registers after a load of {@code value} (already {@link #size} bytes).
     *
     * @param regs the registers at the exit
     * @param value the value the device returned
     * @return the registers to write back
     */
    public X86Registers load(X86Registers regs, long value) {
        X86Registers.Register r = X86Registers.Register.values()[register];
        long old = regs.get(r);
        long v;
        if (highByte) {
            v = (old & ~0xFF00L) | (value & 0xFF) << 8;
        } else if (destSize == 1) {
            v = (old & ~0xFFL) | (value & 0xFF);
        } else if (destSize == 2) {
            v = (old & ~0xFFFFL) | (value & 0xFFFF);
        } else if (destSize == 4) {
            v = value & 0xFFFF_FFFFL; // 32-bit destinations zero the upper half
        } else {
            v = value;
        }
        return regs.with(r, v);
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x ", x & 0xFF));
        }
        return s.toString().trim();
    }
}
