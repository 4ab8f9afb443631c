package dev.zx4j.sim.x86.diff;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The state at the end of a case: the 16 GPRs, RFLAGS and the case's memory block. Either from
 * hardware ({@link KvmOracle}, golden file) or from the software VCPU ({@link SoftCpuRunner}),
 * which also reports when it did not reach the end normally ({@code problem}).
 */
record Outcome(long[] regs, long rflags, byte[] mem, String problem) {
    Outcome(long[] regs, long rflags, byte[] mem) {
        this(regs, rflags, mem, null);
    }

    /**
     * The differences from {@code expected} for a case whose defined flags are
     * {@code definedFlags}: one line per register, the masked flags, and each differing memory
     * byte run. Empty when they agree.
     */
    List<String> diff(Outcome expected, int definedFlags) {
        List<String> out = new ArrayList<>();
        if (problem != null) {
            out.add("did not complete: " + problem);
            return out;
        }
        for (int r = 0; r < 16; r++) {
            if (regs[r] != expected.regs[r]) {
                out.add(String.format("%-4s expected %016x actual %016x (xor %016x)", Asm.R64[r],
                        expected.regs[r], regs[r], expected.regs[r] ^ regs[r]));
            }
        }
        long mask = (definedFlags & Flags.ALL) | Flags.DF;
        if (((rflags ^ expected.rflags) & mask) != 0) {
            out.add(String.format("rflags under mask %s: expected %s actual %s (differ: %s)",
                    Flags.names(mask), Flags.names(expected.rflags & mask), Flags.names(rflags & mask),
                    Flags.names((rflags ^ expected.rflags) & mask)));
        }
        int k = 0;
        while (k < mem.length) {
            if (mem[k] == expected.mem[k]) {
                k++;
                continue;
            }
            int e = k;
            while (e < mem.length && mem[e] != expected.mem[e]) {
                e++;
            }
            out.add(String.format("mem +0x%02x..+0x%02x expected %s actual %s", k, e - 1,
                    Asm.hex(Arrays.copyOfRange(expected.mem, k, e)), Asm.hex(Arrays.copyOfRange(mem, k, e))));
            k = e;
        }
        return out;
    }

    static String formatRegs(long[] regs) {
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < 16; r++) {
            sb.append(r % 4 == 0 ? "\n    " : "  ").append(String.format("%-3s=%016x", Asm.R64[r], regs[r]));
        }
        return sb.toString();
    }

    String describe() {
        if (problem != null) {
            return "  (" + problem + ")";
        }
        return formatRegs(regs) + "\n    rflags=0x" + Long.toHexString(rflags) + " ("
                + Flags.names(rflags & (Flags.ALL | Flags.DF)) + ")\n    memory: " + Asm.hex(mem);
    }
}
