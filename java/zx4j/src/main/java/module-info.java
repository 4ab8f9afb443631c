/**
 * zx4j: Zircon handles, ports, interrupts, guests and VCPUs from Java — the raw syscall surface,
 * the typed API, the simulated kernel with its software x86-64 VCPU, the JNI kernel and the
 * PC-like VMM that boots Linux ({@code dev.zx4j.vmm}).
 *
 * <p>JavaCPP (the JNI kernel) and ASM (the software VCPU's translator to JVM bytecode) are
 * required at run time, and the JDK's flight recorder module for the VCPU's events. The JNI
 * library itself is in a classifier jar ({@code linux-x86_64}, ...); on the module path it is
 * the automatic module {@code dev.zx4j.natives.linux.x86_64}, resolved with
 * {@code --add-modules}. The JUnit 5 extension ({@code dev.zx4j.junit}) and the guest runner
 * ({@code dev.zx4j.runner}) are modules of their own.
 */
module dev.zx4j {
    requires org.bytedeco.javacpp;
    requires org.objectweb.asm;
    requires jdk.jfr;

    exports dev.zx4j;
    exports dev.zx4j.abi;
    exports dev.zx4j.async;
    exports dev.zx4j.jni;
    exports dev.zx4j.sim;
    exports dev.zx4j.sim.x86;
    exports dev.zx4j.vmm;

    // JavaCPP reads the binding class
    opens dev.zx4j.jni to org.bytedeco.javacpp;
}
