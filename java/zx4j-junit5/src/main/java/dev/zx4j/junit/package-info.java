/**
 * The JUnit 5 extension: {@link dev.zx4j.junit.SimulatedZircon} gives each test (or class) a
 * simulated kernel with a manual clock, fault injection ({@link dev.zx4j.junit.FaultInjector}),
 * a leak check of handles, a watchdog for waits nothing can end, and optional JNI or native
 * backends skipped with the reason where unavailable. Needs {@code junit-jupiter-api} on the
 * class path; the rest of zx4j does not.
 */
package dev.zx4j.junit;
