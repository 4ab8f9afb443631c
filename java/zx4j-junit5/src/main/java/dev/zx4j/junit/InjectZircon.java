package dev.zx4j.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a non-static, non-final field of type {@code SimKernel}, {@code Kernel},
 * {@code ManualClock}, {@code SimPlatform} or {@link FaultInjector} that {@link ZirconExtension}
 * sets before each test to that test's simulated kernel (or its part).
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface InjectZircon {}
