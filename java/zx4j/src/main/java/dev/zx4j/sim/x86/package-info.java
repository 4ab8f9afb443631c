/**
 * The software x86-64 CPU behind simulated VCPUs: {@link dev.zx4j.sim.x86.X86Cpu} decodes guest
 * code into cached basic blocks and runs them until an exit ({@link dev.zx4j.sim.x86.VcpuExit});
 * guest-physical memory comes from a {@link dev.zx4j.sim.x86.GuestPhysicalBus}. Used by the
 * simulated kernel; public for tests and tools that drive a CPU directly.
 */
package dev.zx4j.sim.x86;
