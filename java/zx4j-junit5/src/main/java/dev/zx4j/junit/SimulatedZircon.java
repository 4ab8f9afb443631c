package dev.zx4j.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs each test of the annotated class (or the annotated test method) against a fresh simulated
 * Zircon kernel, through {@link ZirconExtension}.
 *
 * <pre>{@code
 * @SimulatedZircon
 * class DriverTest {
 *     @Test
 *     void timesOut(Kernel zx, ManualClock clock, FaultInjector faults) { ... }
 * }
 * }</pre>
 *
 * <p>Test and lifecycle methods receive parameters of type {@code SimKernel}, {@code Kernel},
 * {@code ManualClock}, {@code SimPlatform} and {@link FaultInjector}; fields of those types
 * annotated with {@link InjectZircon} are set before each test. After each test, the test fails
 * if handles are still open in its kernel, each reported with its type, rights and the line that
 * created it. Handles of a failed leak check are then closed so their objects (and threads
 * blocked on interrupts) go away.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ZirconExtension.class)
public @interface SimulatedZircon {

    /**
     * The kernel clock.
     *
     * @return a {@code ManualClock} (default) or the system clock
     */
    ClockKind clock() default ClockKind.MANUAL;

    /**
     * Start time of a manual clock.
     *
     * @return nanoseconds (non-zero by default, to catch zeros)
     */
    long clockStart() default 1_000_000_000L;

    /**
     * Whether a test fails when it leaves handles open (default true).
     *
     * @return true to check for leaks
     */
    boolean failOnLeaks() default true;

    /**
     * With a manual clock: how long, in real milliseconds, a syscall may stay blocked on a
     * deadline of the manual clock while nothing advances the clock before the test fails with
     * a message naming the call, the thread and the deadline (the blocked call is ended with a
     * Java interrupt, so it returns {@code ZX_ERR_CANCELED}). 0 turns the check off.
     *
     * @return the real-time limit in milliseconds (default 2,000)
     */
    long stallTimeoutMillis() default 2_000;

    /**
     * One kernel per test (default) or one kernel shared by all tests of the class, created
     * before {@code @BeforeAll} methods (which may then receive it as parameters) and checked for
     * leaks after the {@code @AfterAll} methods.
     *
     * @return the lifecycle
     */
    Lifecycle lifecycle() default Lifecycle.PER_TEST;

    /**
     * Which kernel the injected {@code Kernel} calls: the simulated kernel directly (default),
     * or the same simulated kernel through the JNI library and the host libzircon. When the
     * backend cannot be used here the test is skipped (not failed) with the reason.
     *
     * @return the backend
     */
    Backend backend() default Backend.SIMULATED;

    /** How long one simulated kernel lives. */
    enum Lifecycle {
        /** A fresh kernel for every test method. */
        PER_TEST,
        /** One kernel for all tests of the class (and its {@code @Nested} classes). */
        PER_CLASS
    }

    /** The path from the injected {@code Kernel} to the simulated kernel. */
    enum Backend {
        /** {@code Kernel.simulated(sim)}: pure Java. */
        SIMULATED,
        /**
         * {@code NativeKernel.hosted(sim)}: Java → JNI → the host libzircon (C) → the simulated
         * kernel, on Linux x86-64; skipped with the reason where the JNI library is unavailable.
         */
        JNI,
        /**
         * {@code Kernel.nativeKernel()}: the real Zircon kernel (on Fuchsia); skipped with the
         * reason anywhere else. The {@code SimKernel}, {@code ManualClock}, {@code SimPlatform}
         * and {@code FaultInjector} parameters still name the test's simulated kernel, which the
         * injected {@code Kernel} does not use, and handles are checked for leaks only there.
         */
        NATIVE
    }

    /** Which clock the simulated kernel of a test uses. */
    enum ClockKind {
        /** A {@code ManualClock}: time moves only when the test advances it. */
        MANUAL,
        /** The system monotonic clock; no {@code ManualClock} can be injected. */
        SYSTEM
    }
}
