/**
 * zx4j: Zircon handles, ports, interrupts, guests and VCPUs from Java — the raw syscall surface,
 * the typed API, the simulated kernel with its software x86-64 VCPU, the JNI kernel, the JUnit 5
 * extension, the guest runner and the PC-like VMM that boots Linux ({@code dev.zx4j.vmm}).
 *
 * <p>JavaCPP (the JNI kernel) and ASM (the software VCPU's translator to JVM bytecode) are
 * required at run time, and the JDK's flight recorder module for the VCPU's events. The JUnit
 * extension needs
 * {@code org.junit.jupiter.api} and the runner {@code info.picocli}; both are optional here, so
 * library users are not made to carry them.
 */
module dev.zx4j {
    requires org.bytedeco.javacpp;
    requires org.objectweb.asm;
    requires jdk.jfr;
    requires static info.picocli;
    requires static org.junit.jupiter.api;
    requires static org.junit.platform.commons;

    exports dev.zx4j;
    exports dev.zx4j.abi;
    exports dev.zx4j.async;
    exports dev.zx4j.demo;
    exports dev.zx4j.jni;
    exports dev.zx4j.junit;
    exports dev.zx4j.runner;
    exports dev.zx4j.sim;
    exports dev.zx4j.sim.x86;
    exports dev.zx4j.tools;
    exports dev.zx4j.vmm;

    // picocli fills the runner's option fields reflectively; JavaCPP reads the binding class
    opens dev.zx4j.runner to info.picocli;
    opens dev.zx4j.jni to org.bytedeco.javacpp;
}
