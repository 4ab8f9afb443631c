/**
 * The JNI kernel: {@link dev.zx4j.jni.NativeKernel} implements the raw surface through the
 * JavaCPP binding class {@link dev.zx4j.jni.LibZircon}. On Fuchsia it calls the real kernel; on
 * Linux x86-64 the same JNI library is linked against a host libzircon that forwards every call
 * back into a Java kernel (normally a simulated one), so the whole bridge is tested on every
 * build. Needs {@code --enable-native-access} on JDK 22 and newer (see the README).
 */
package dev.zx4j.jni;
