package dev.zx4j.junit;

import dev.zx4j.abi.Syscalls;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * The kernels a test can run against besides the plain simulated one, found reflectively so the
 * extension does not need the JNI part (or JavaCPP) to be present.
 */
final class Backends {
    private static final String NATIVE_KERNEL = "dev.zx4j.jni.NativeKernel";

    private Backends() {}

    /** Why the JNI kernel over the host libzircon cannot be used here, or empty when it can. */
    static Optional<String> jniUnavailable() {
        if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT)
                .contains("fuchsia")) {
            return Optional.of("there is no host libzircon on Fuchsia");
        }
        try {
            Class<?> c = Class.forName(NATIVE_KERNEL);
            @SuppressWarnings("unchecked")
            Optional<String> why = (Optional<String>) c.getMethod("unavailableReason")
                    .invoke(null);
            return why;
        } catch (ClassNotFoundException e) {
            return Optional.of(NATIVE_KERNEL + " is not on the class path");
        } catch (InvocationTargetException e) {
            return Optional.of("loading " + NATIVE_KERNEL + " failed: " + e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            return Optional.of("loading " + NATIVE_KERNEL + " failed: " + e);
        }
    }

    /** Why {@code Kernel.nativeKernel()} (the real kernel) cannot be used, or empty. */
    static Optional<String> nativeUnavailable() {
        try {
            dev.zx4j.Kernel.nativeKernel();
            return Optional.empty();
        } catch (dev.zx4j.NativeKernelUnavailableException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** {@code NativeKernel.hosted(target)}. */
    static Syscalls hostedJni(Syscalls target) {
        try {
            Method m = Class.forName(NATIVE_KERNEL).getMethod("hosted", Syscalls.class);
            return (Syscalls) m.invoke(null, target);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("the JNI kernel failed to start: " + e.getCause(),
                    e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the JNI kernel is not usable: " + e, e);
        }
    }
}
