/**
 * The zx4j JUnit 5 extension: {@code @SimulatedZircon} gives each test a fresh simulated kernel,
 * fails tests that leak handles, and offers fault injection and a manual clock.
 */
module dev.zx4j.junit {
    requires transitive dev.zx4j;
    requires transitive org.junit.jupiter.api;
    requires org.junit.platform.commons;

    exports dev.zx4j.junit;
}
