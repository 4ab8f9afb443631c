package dev.zx4j.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zx4j.X86Registers;
import org.junit.jupiter.api.Test;

/** The MOV forms a guest uses on device registers (encodings: Intel SDM vol. 2). */
class MmioInstructionTest {

    static byte[] b(int... v) {
        byte[] r = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (byte) v[i];
        }
        return r;
    }

    final X86Registers regs = X86Registers.ZERO.withRax(0x1122_3344_5566_7788L)
            .withRdx(0xAABB_CCDDL).withR9(0x99);

    @Test
    void storesFromRegisters() throws Exception {
        MmioInstruction i = MmioInstruction.decode(b(0x89, 0x02), 4);    // mov [rdx], eax
        assertEquals(true, i.write());
        assertEquals(4, i.size());
        assertEquals(0x5566_7788L, i.storeValue(regs));
        i = MmioInstruction.decode(b(0x44, 0x89, 0x08), 4);              // mov [rax], r9d
        assertEquals(0x99, i.storeValue(regs));
        i = MmioInstruction.decode(b(0x88, 0x32), 4);                    // mov [rdx], dh
        assertEquals(1, i.size());
        assertEquals(0xCC, i.storeValue(regs));
        i = MmioInstruction.decode(b(0x66, 0x89, 0x02), 4);              // mov [rdx], ax
        assertEquals(0x7788, i.storeValue(regs));
    }

    @Test
    void storesImmediates() throws Exception {
        // mov dword [rip+0x10], 0x12345678
        MmioInstruction i = MmioInstruction.decode(b(0xC7, 0x05, 0x10, 0, 0, 0, 0x78, 0x56,
                0x34, 0x12), 4);
        assertEquals(0x1234_5678L, i.storeValue(regs));
        // mov byte [rax+rcx*1+8], 0x7f
        i = MmioInstruction.decode(b(0xC6, 0x44, 0x08, 0x08, 0x7F), 4);
        assertEquals(0x7F, i.storeValue(regs));
    }

    @Test
    void loadsIntoRegisters() throws Exception {
        MmioInstruction i = MmioInstruction.decode(b(0x8B, 0x02), 4);    // mov eax, [rdx]
        assertEquals(false, i.write());
        assertEquals(0xFEEDL, i.load(regs, 0xFEED).rax(), "32-bit load zeroes the top");
        i = MmioInstruction.decode(b(0x8A, 0x22), 4);                    // mov ah, [rdx]
        assertEquals(0x1122_3344_5566_EE88L, i.load(regs, 0xEE).rax());
        i = MmioInstruction.decode(b(0x0F, 0xB7, 0x02), 4);              // movzx eax, word [rdx]
        assertEquals(2, i.size());
        assertEquals(0xBEEFL, i.load(regs, 0xBEEF).rax());
        i = MmioInstruction.decode(b(0x4C, 0x8B, 0x0A), 4);              // mov r9, [rdx]
        assertEquals(8, i.size());
        assertEquals(-1L, i.load(regs, -1L).r9());
    }

    @Test
    void refusesOtherInstructions() {
        assertThrows(MmioInstruction.UnsupportedException.class,
                () -> MmioInstruction.decode(b(0x01, 0x02), 4));          // add [rdx], eax
        assertThrows(MmioInstruction.UnsupportedException.class,
                () -> MmioInstruction.decode(b(0x89), 4));
    }
}
