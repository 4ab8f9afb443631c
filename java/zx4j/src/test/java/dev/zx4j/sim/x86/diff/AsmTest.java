package dev.zx4j.sim.x86.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zx4j.sim.x86.diff.Asm.Form;
import dev.zx4j.sim.x86.diff.Asm.Mem;
import dev.zx4j.sim.x86.diff.Asm.Reg;
import org.junit.jupiter.api.Test;

/** Encodings of the generator's encoder against bytes checked with GNU objdump. */
class AsmTest {
    static String enc(long addr, int size, Reg reg, int digit, Asm.Opnd rm, int... opcode) {
        Form f = Asm.form(size, opcode);
        f.reg = reg;
        f.regField = digit;
        f.rm = rm;
        return Asm.hex(Asm.encode(addr, f));
    }

    @Test
    void registerForms() {
        assertEquals("01d8", enc(0, 4, new Reg(3, 4), -1, new Reg(0, 4), 0x01));          // add eax, ebx
        assertEquals("4d01c8", enc(0, 8, new Reg(9, 8), -1, new Reg(8, 8), 0x01));        // add r8, r9
        assertEquals("664401c0", enc(0, 2, new Reg(8, 2), -1, new Reg(0, 2), 0x01));      // add ax, r8w
        assertEquals("00e0", enc(0, 1, new Reg(0, 1, true), -1, new Reg(0, 1), 0x00));    // add al, ah
        assertEquals("4000f0", enc(0, 1, new Reg(6, 1), -1, new Reg(0, 1), 0x00));        // add al, sil (REX 40)
    }

    @Test
    void ahToBhCannotTakeRex() {
        assertThrows(Asm.Unencodable.class, () -> enc(0, 1, new Reg(0, 1, true), -1, new Reg(6, 1), 0x00));
        assertThrows(Asm.Unencodable.class, () -> enc(0, 1, new Reg(1, 1, true), -1, new Mem(1, Asm.R15, 0), 0x88));
    }

    @Test
    void memoryForms() {
        // mov eax, [r15+0x10]; mov rax, [r15]; mov eax, [rbp] (disp8 0); mov eax, [r13] (disp8 0)
        assertEquals("418b4710", enc(0, 4, new Reg(0, 4), -1, new Mem(4, Asm.R15, 0x10), 0x8B));
        assertEquals("498b07", enc(0, 8, new Reg(0, 8), -1, new Mem(8, Asm.R15, 0), 0x8B));
        assertEquals("8b4500", enc(0, 4, new Reg(0, 4), -1, new Mem(4, Asm.RBP, 0), 0x8B));
        assertEquals("418b4500", enc(0, 4, new Reg(0, 4), -1, new Mem(4, 13, 0), 0x8B));
        // rsp and r12 bases need a SIB byte
        assertEquals("8b442408", enc(0, 4, new Reg(0, 4), -1, new Mem(4, Asm.RSP, 8), 0x8B));
        assertEquals("418b0424", enc(0, 4, new Reg(0, 4), -1, new Mem(4, 12, 0), 0x8B));
        // [r15 + rbx*4 - 8], [disp32] absolute, 32-bit address size
        assertEquals("418b449ff8", enc(0, 4, new Reg(0, 4), -1, new Mem(4, Asm.R15, 3, 4, -8, false), 0x8B));
        assertEquals("8b042578563412", enc(0, 4, new Reg(0, 4), -1, new Mem(4, Asm.NONE, 0x12345678), 0x8B));
        assertEquals("67418b4710", enc(0, 4, new Reg(0, 4), -1, new Mem(4, Asm.R15, -1, 1, 0x10, true), 0x8B));
        // r12 as index needs REX.X: lea rax, [rbx + r12*2 + 0x100]
        assertEquals("4a8d8463" + "00010000", enc(0, 8, new Reg(0, 8), -1, new Mem(8, 3, 12, 2, 0x100, false), 0x8D));
        assertThrows(Asm.Unencodable.class, () -> enc(0, 8, new Reg(0, 8), -1, new Mem(8, 3, Asm.RSP, 1, 0, false), 0x8D));
    }

    @Test
    void ripRelativeDisplacementCountsFromTheInstructionEnd() {
        // at 0x1000: add dword [rip -> 0x2000], 0x7 (83 /0 ib): 7 bytes, so disp = 0x2000 - 0x1007
        Form f = Asm.form(4, 0x83);
        f.regField = 0;
        f.rm = new Mem(4, Asm.RIP, 0x2000);
        f.imm = 7;
        f.immBytes = 1;
        assertEquals("8305f90f000007", Asm.hex(Asm.encode(0x1000, f)));
    }

    @Test
    void opcodeRegisterForms() {
        assertEquals("41b8efbeadde", Asm.hex(Asm.opReg(new Reg(8, 4), false, false, new int[] {0xB8}, 0xDEADBEEFL, 4)));
        assertEquals("b4ff", Asm.hex(Asm.opReg(new Reg(0, 1, true), false, false, new int[] {0xB0}, 0xFF, 1)));
        assertEquals("490fcc", Asm.hex(Asm.opReg(new Reg(12, 8), false, true, new int[] {0x0F, 0xC8}, 0, 0)));
        assertEquals("6641 50".replace(" ", ""), Asm.hex(Asm.opReg(new Reg(8, 2), true, false, new int[] {0x50}, 0, 0)));
    }
}
