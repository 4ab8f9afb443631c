package dev.zx4j.sim.x86.diff;

/**
 * One generated instruction: its bytes, Intel-syntax text, and its architectural flag effect
 * (Intel SDM and AMD APM, the flags both define).
 *
 * @param bytes the encoding
 * @param text Intel syntax, for failure messages
 * @param reads flags whose value the instruction uses (must be defined when it runs)
 * @param defines flags it sets to a defined value
 * @param undefines flags it leaves undefined; flags in neither set are unaffected
 */
record Ins(byte[] bytes, String text, int reads, int defines, int undefines) {
    Ins {
        if ((defines & undefines) != 0) {
            throw new IllegalArgumentException("flag both defined and undefined: " + text);
        }
    }

    /** The defined-flag set after this instruction, from the set before it. */
    int apply(int defined) {
        return (defined & ~undefines) | defines;
    }

    @Override
    public String toString() {
        return Asm.hex(bytes) + "  " + text;
    }
}
