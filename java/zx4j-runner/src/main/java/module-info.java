/**
 * The zx4j guest runner ({@code dev.zx4j.runner.GuestRunner}): runs x86-64 guest images and
 * Linux on the simulated kernel's software VCPU; with the bundled demo guests and the interrupt
 * demo ({@code dev.zx4j.demo}).
 */
module dev.zx4j.runner {
    requires transitive dev.zx4j;
    requires info.picocli;

    exports dev.zx4j.demo;
    exports dev.zx4j.runner;

    // picocli fills the runner's option fields reflectively
    opens dev.zx4j.runner to info.picocli;
}
