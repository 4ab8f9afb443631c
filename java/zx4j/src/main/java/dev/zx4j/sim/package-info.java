/**
 * The simulated kernel: {@link dev.zx4j.sim.SimKernel}, a pure-Java Zircon with the statuses,
 * check order and blocking behaviour of the modelled kernel era; its machine
 * ({@link dev.zx4j.sim.SimPlatform}: resources and hardware interrupt lines); its clocks
 * ({@link dev.zx4j.sim.SimClock}, {@link dev.zx4j.sim.ManualClock}); and the kernel memory budget
 * that turns exhaustion into {@code ZX_ERR_NO_MEMORY}.
 */
package dev.zx4j.sim;
