/**
 * The typed API: one {@link dev.zx4j.Kernel} chosen explicitly (simulated or native), owned
 * handles closed exactly once ({@link dev.zx4j.Port}, {@link dev.zx4j.Interrupt},
 * {@link dev.zx4j.Guest}, {@link dev.zx4j.Vcpu}, {@link dev.zx4j.Vmo}, …), typed rights and
 * options, and {@link dev.zx4j.ZxException} carrying the {@link dev.zx4j.Status} of a failed
 * syscall. Everything here calls only the raw surface of {@link dev.zx4j.abi.Syscalls}.
 */
package dev.zx4j;
