/**
 * The raw syscall surface: {@link dev.zx4j.abi.Syscalls} has one method per C syscall (same
 * names, same argument order, {@code int} statuses), {@link dev.zx4j.abi.Zx} the ABI constants
 * and {@link dev.zx4j.abi.Layouts} the C struct layouts in {@code byte[]}. Implemented by the
 * simulated kernel ({@code dev.zx4j.sim}) and the JNI kernel ({@code dev.zx4j.jni}).
 */
package dev.zx4j.abi;
