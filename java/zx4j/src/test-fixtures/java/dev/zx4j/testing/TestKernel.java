package dev.zx4j.testing;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.sim.ManualClock;
import dev.zx4j.sim.SimKernel;

/**
 * The kernel a conformance test runs against.
 *
 * @param name  short name shown in test reports ("sim", "jni")
 * @param zx    the raw syscall surface under test
 * @param sim   the simulated kernel behind it (directly, or behind JNI and the host libzircon);
 *              tests use it only for what the raw surface cannot do: the platform (resources,
 *              IRQ lines) and the clock
 * @param clock the manual clock of {@code sim}
 */
public record TestKernel(String name, Syscalls zx, SimKernel sim, ManualClock clock) {
    @Override
    public String toString() {
        return name;
    }
}
