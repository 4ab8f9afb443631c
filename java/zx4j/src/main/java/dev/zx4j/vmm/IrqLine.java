package dev.zx4j.vmm;

/**
 * A device's interrupt output, wired to an input of the interrupt controller. The line has a
 * level; an edge-triggered input fires on the rising edge.
 */
@FunctionalInterface
public interface IrqLine {

    /**
     * Drives the line high ({@code true}) or low.
     *
     * @param high the new level
     */
    void set(boolean high);

    /** A short pulse: high, then low (an edge for an edge-triggered input). */
    default void pulse() {
        set(true);
        set(false);
    }

    /** A line connected to nothing. */
    IrqLine NONE = high -> { };
}
