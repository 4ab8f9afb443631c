package dev.zx4j.sim.x86.diff;

import java.util.List;

/**
 * One differential case: a snippet of user-mode code at a fixed guest address and the state it
 * starts from. RSP points to the top of the case's stack area and R15 to its scratch area; both
 * lie in the {@link Layout#MEM_SIZE}-byte memory block at {@code memAddress}, whose final contents
 * are compared as well.
 *
 * @param id index in its batch or file
 * @param codeAddress guest address of the snippet's first byte
 * @param code the snippet (without any terminator)
 * @param asm the instructions, in order, as Intel-syntax text
 * @param regs the 16 initial GPRs (RAX..R15)
 * @param rflags the initial RFLAGS (only the arithmetic flags and bit 1 set)
 * @param memAddress guest address of the compared memory block (scratch, then stack)
 * @param mem its initial contents
 * @param definedFlags the arithmetic flags architecturally defined at the end of the snippet
 */
record DiffCase(int id, long codeAddress, byte[] code, List<String> asm, long[] regs, long rflags,
        long memAddress, byte[] mem, int definedFlags) {

    String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("case ").append(id).append(" at 0x").append(Long.toHexString(codeAddress))
                .append(": ").append(Asm.hex(code)).append('\n');
        for (String a : asm) {
            sb.append("    ").append(a).append('\n');
        }
        sb.append("  initial:").append(Outcome.formatRegs(regs)).append("\n    rflags=0x")
                .append(Long.toHexString(rflags)).append(" (").append(Flags.names(rflags & (Flags.ALL | Flags.DF)))
                .append(")  defined at end: ").append(Flags.names(definedFlags)).append('\n');
        sb.append("  memory at 0x").append(Long.toHexString(memAddress)).append(": ")
                .append(Asm.hex(mem)).append('\n');
        return sb.toString();
    }
}
