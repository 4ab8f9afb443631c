package dev.zx4j.junit;

import dev.zx4j.Status;
import dev.zx4j.sim.SimKernel;

/**
 * Typed access to the fault injection of a test's simulated kernel: {@code
 * faults.failNext("zx_port_wait", Status.NO_MEMORY)} makes the next {@code zx_port_wait} return
 * that error at once, without effect.
 */
public final class FaultInjector {
    private final SimKernel sim;

    FaultInjector(SimKernel sim) {
        this.sim = sim;
    }

    /**
     * Makes the next call of {@code syscall} fail with {@code status}; several injections for one
     * syscall apply in order, one per call.
     *
     * @param syscall the C name of the syscall, e.g. {@code "zx_port_wait"}
     * @param status  the error it returns
     * @return this injector, to chain calls
     * @throws IllegalArgumentException for an unknown syscall name or a non-error status
     */
    public FaultInjector failNext(String syscall, Status status) {
        sim.failNext(syscall, status.raw());
        return this;
    }

    /**
     * Same as {@link #failNext(String, Status)}, {@code times} times in a row.
     *
     * @param syscall the C name of the syscall
     * @param status  the error each of those calls returns
     * @param times   how many calls fail
     * @return this injector, to chain calls
     */
    public FaultInjector failNext(String syscall, Status status, int times) {
        for (int i = 0; i < times; i++) {
            sim.failNext(syscall, status.raw());
        }
        return this;
    }
}
