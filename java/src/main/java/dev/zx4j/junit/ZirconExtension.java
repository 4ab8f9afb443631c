package dev.zx4j.junit;

import dev.zx4j.Kernel;
import dev.zx4j.ObjectType;
import dev.zx4j.Rights;
import dev.zx4j.sim.LiveHandle;
import dev.zx4j.sim.ManualClock;
import dev.zx4j.sim.SimClock;
import dev.zx4j.sim.SimKernel;
import dev.zx4j.sim.SimPlatform;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.security.CodeSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * JUnit 5 extension giving each test a fresh simulated Zircon kernel and failing tests that leak
 * handles. Use it through {@link SimulatedZircon} (or {@code @ExtendWith(ZirconExtension.class)}
 * for the defaults).
 *
 * <p>Per test, in the test method's {@link ExtensionContext.Store}: a {@link SimKernel} with a
 * {@link ManualClock} (or the system clock) and handle-origin recording on, a {@link Kernel}
 * over it and a {@link FaultInjector}. These are resolved as parameters of test, {@code
 * @BeforeEach} and {@code @AfterEach} methods, and set into {@link InjectZircon} fields. After
 * the {@code @AfterEach} methods, every handle still open fails the test; the message lists each
 * one's object type, rights and the first stack frame outside zx4j where it was created.
 */
public final class ZirconExtension implements BeforeEachCallback, AfterEachCallback,
        ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(ZirconExtension.class);
    private static final String STATE = "state";

    private static final List<Class<?>> INJECTABLE = List.of(SimKernel.class, Kernel.class,
            ManualClock.class, SimPlatform.class, FaultInjector.class);

    /** Everything one test gets; closing it (when the test's store closes) frees leftovers. */
    static final class TestState implements ExtensionContext.Store.CloseableResource {
        final SimulatedZircon.ClockKind clockKind;
        final boolean failOnLeaks;
        final SimKernel sim;
        final ManualClock manualClock;
        final Kernel kernel;
        final FaultInjector faults;

        TestState(SimulatedZircon.ClockKind clockKind, long clockStart, boolean failOnLeaks) {
            this.clockKind = clockKind;
            this.failOnLeaks = failOnLeaks;
            this.manualClock = clockKind == SimulatedZircon.ClockKind.MANUAL
                    ? new ManualClock(clockStart) : null;
            SimClock clock = manualClock != null ? manualClock : SimClock.system();
            this.sim = new SimKernel(clock);
            sim.recordHandleOrigins(true);
            this.kernel = Kernel.simulated(sim);
            this.faults = new FaultInjector(sim);
        }

        Object get(Class<?> type) {
            if (type == SimKernel.class) {
                return sim;
            } else if (type == Kernel.class) {
                return kernel;
            } else if (type == SimPlatform.class) {
                return sim.platform();
            } else if (type == FaultInjector.class) {
                return faults;
            } else if (type == ManualClock.class) {
                if (manualClock == null) {
                    throw new ParameterResolutionException("a ManualClock was requested but this "
                            + "test runs with @SimulatedZircon(clock = SYSTEM)");
                }
                return manualClock;
            }
            throw new IllegalArgumentException("not injectable: " + type);
        }

        /** Closes every handle still open, so leaked interrupts are destroyed (waking waiters). */
        @Override
        public void close() {
            for (LiveHandle h : sim.liveHandles()) {
                sim.zx_handle_close(h.value());
            }
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IllegalAccessException {
        TestState state = state(context);
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            inject(instance, state);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TestState state = context.getStore(NAMESPACE).get(STATE, TestState.class);
        if (state == null || !state.failOnLeaks) {
            return;
        }
        List<LiveHandle> leaked = state.sim.liveHandles();
        if (!leaked.isEmpty()) {
            throw new AssertionError(leakReport(leaked));
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext,
                                     ExtensionContext extensionContext) {
        return INJECTABLE.contains(parameterContext.getParameter().getType())
                && extensionContext.getTestMethod().isPresent();
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext,
                                   ExtensionContext extensionContext) {
        return state(extensionContext).get(parameterContext.getParameter().getType());
    }

    private static TestState state(ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(STATE, k -> newState(context),
                TestState.class);
    }

    private static TestState newState(ExtensionContext context) {
        Optional<SimulatedZircon> config = context.getTestMethod()
                .flatMap(m -> AnnotationSupport.findAnnotation(m, SimulatedZircon.class))
                .or(() -> context.getTestClass().flatMap(ZirconExtension::classConfig));
        return config.map(c -> new TestState(c.clock(), c.clockStart(), c.failOnLeaks()))
                .orElseGet(() -> new TestState(SimulatedZircon.ClockKind.MANUAL,
                        1_000_000_000L, true));
    }

    /** The annotation on a class or, for {@code @Nested} classes, on an enclosing one. */
    private static Optional<SimulatedZircon> classConfig(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            Optional<SimulatedZircon> a = AnnotationSupport.findAnnotation(k, SimulatedZircon.class);
            if (a.isPresent()) {
                return a;
            }
        }
        return Optional.empty();
    }

    private static void inject(Object instance, TestState state) throws IllegalAccessException {
        for (Class<?> c = instance.getClass(); c != null && c != Object.class;
                c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!f.isAnnotationPresent(InjectZircon.class)) {
                    continue;
                }
                if (Modifier.isStatic(f.getModifiers()) || Modifier.isFinal(f.getModifiers())
                        || !INJECTABLE.contains(f.getType())) {
                    throw new ExtensionConfigurationException("@InjectZircon field " + f
                            + " must be non-static, non-final and of one of the types "
                            + INJECTABLE.stream().map(Class::getSimpleName).toList());
                }
                f.setAccessible(true);
                f.set(instance, state.get(f.getType()));
            }
        }
    }

    /** The failure message for leaked handles. */
    static String leakReport(List<LiveHandle> leaked) {
        StringBuilder sb = new StringBuilder();
        sb.append(leaked.size()).append(" handle(s) leaked: still open in the test's simulated ")
                .append("kernel after the test");
        for (LiveHandle h : leaked) {
            sb.append("\n  ").append(ObjectType.nameOf(h.type()))
                    .append(String.format(" handle 0x%08x", h.value()))
                    .append(' ').append(Rights.fromBits(h.rights()))
                    .append(" koid ").append(h.koid())
                    .append(", created at ").append(origin(h.origin()));
        }
        return sb.toString();
    }

    private static String origin(Throwable origin) {
        if (origin == null) {
            return "<unknown: handle-origin recording was off when it was created>";
        }
        for (StackTraceElement e : origin.getStackTrace()) {
            if (!isLibraryFrame(e.getClassName())) {
                return e.toString();
            }
        }
        return "<inside zx4j only>";
    }

    private static final CodeSource LIBRARY_SOURCE =
            ZirconExtension.class.getProtectionDomain().getCodeSource();

    /**
     * Whether a frame belongs to zx4j: a {@code dev.zx4j.*} class loaded from where this one
     * was; users' classes (and zx4j's own tests) come from elsewhere even in the same packages.
     */
    static boolean isLibraryFrame(String className) {
        if (!className.startsWith("dev.zx4j.")) {
            return false;
        }
        Class<?> c;
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            c = Class.forName(className, false,
                    loader != null ? loader : ZirconExtension.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return true;
        }
        CodeSource source = c.getProtectionDomain().getCodeSource();
        if (source == null || LIBRARY_SOURCE == null) {
            return true;
        }
        return Objects.equals(source.getLocation(), LIBRARY_SOURCE.getLocation());
    }
}
