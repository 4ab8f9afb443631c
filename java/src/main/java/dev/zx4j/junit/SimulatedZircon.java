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

    /** The kernel clock: a {@code ManualClock} (default) or the system clock. */
    ClockKind clock() default ClockKind.MANUAL;

    /** Start time of a manual clock, in nanoseconds (non-zero by default, to catch zeros). */
    long clockStart() default 1_000_000_000L;

    /** Whether a test fails when it leaves handles open (default true). */
    boolean failOnLeaks() default true;

    /** Which clock the simulated kernel of a test uses. */
    enum ClockKind {
        /** A {@code ManualClock}: time moves only when the test advances it. */
        MANUAL,
        /** The system monotonic clock; no {@code ManualClock} can be injected. */
        SYSTEM
    }
}
