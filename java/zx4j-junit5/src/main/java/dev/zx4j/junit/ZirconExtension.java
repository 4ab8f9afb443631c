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
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
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
public final class ZirconExtension implements BeforeAllCallback, AfterAllCallback,
        BeforeEachCallback, AfterEachCallback, ParameterResolver, ExecutionCondition,
        TestExecutionExceptionHandler {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(ZirconExtension.class);
    private static final String STATE = "state";

    private static final List<Class<?>> INJECTABLE = List.of(SimKernel.class, Kernel.class,
            ManualClock.class, SimPlatform.class, FaultInjector.class);

    /** The configuration of a test or class: its annotation or the defaults. */
    private record Config(SimulatedZircon.ClockKind clock, long clockStart, boolean failOnLeaks,
                          long stallTimeoutMillis, SimulatedZircon.Lifecycle lifecycle,
                          SimulatedZircon.Backend backend) {
        static final Config DEFAULT = new Config(SimulatedZircon.ClockKind.MANUAL,
                1_000_000_000L, true, 2_000, SimulatedZircon.Lifecycle.PER_TEST,
                SimulatedZircon.Backend.SIMULATED);

        static Config of(SimulatedZircon a) {
            return new Config(a.clock(), a.clockStart(), a.failOnLeaks(), a.stallTimeoutMillis(),
                    a.lifecycle(), a.backend());
        }
    }

    /** Everything one test (or class) gets; closing it (when its store closes) frees leftovers. */
    static final class TestState implements ExtensionContext.Store.CloseableResource {
        final Config config;
        final SimKernel sim;
        final ManualClock manualClock;
        final Kernel kernel;
        final FaultInjector faults;
        /** The first wait found stalled on the manual clock, or null. */
        volatile ManualClock.StalledWait stall;
        volatile boolean stallReported;
        private final Thread watchdog;

        TestState(Config config) {
            this.config = config;
            this.manualClock = config.clock() == SimulatedZircon.ClockKind.MANUAL
                    ? new ManualClock(config.clockStart()) : null;
            SimClock clock = manualClock != null ? manualClock : SimClock.system();
            this.sim = new SimKernel(clock);
            sim.recordHandleOrigins(true);
            this.kernel = switch (config.backend()) {
                case JNI -> Kernel.of(Backends.hostedJni(sim));
                case NATIVE -> Kernel.nativeKernel();
                default -> Kernel.simulated(sim);
            };
            this.faults = new FaultInjector(sim);
            if (manualClock != null && config.stallTimeoutMillis() > 0) {
                watchdog = new Thread(this::watch, "junit-zircon-stall-watchdog");
                watchdog.setDaemon(true);
                watchdog.start();
            } else {
                watchdog = null;
            }
        }

        /** Ends every wait that nothing can end, remembering the first for the failure. */
        private void watch() {
            Duration limit = Duration.ofMillis(config.stallTimeoutMillis());
            long period = Math.max(10, Math.min(100, config.stallTimeoutMillis() / 4));
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(period);
                    for (ManualClock.StalledWait w : manualClock.stalledWaits(limit)) {
                        if (stall == null) {
                            stall = w;
                        }
                        w.thread().interrupt(); // the call returns ZX_ERR_CANCELED
                    }
                }
            } catch (InterruptedException e) {
                // closed
            }
        }

        /** The failure for a stalled wait, or null. */
        AssertionError stallFailure(Throwable cause) {
            ManualClock.StalledWait w = stall;
            if (w == null || stallReported) {
                return null;
            }
            stallReported = true;
            AssertionError e = new AssertionError(w.describe());
            if (cause != null) {
                e.initCause(cause);
            }
            return e;
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
            if (watchdog != null) {
                watchdog.interrupt();
            }
            for (LiveHandle h : sim.liveHandles()) {
                sim.zx_handle_close(h.value());
            }
        }
    }

    /** Created by JUnit for {@code @ExtendWith} or {@link SimulatedZircon}; holds no state itself. */
    public ZirconExtension() {
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Config config = config(context);
        Optional<String> why = switch (config.backend()) {
            case JNI -> Backends.jniUnavailable();
            case NATIVE -> Backends.nativeUnavailable();
            default -> Optional.empty();
        };
        if (why.isPresent()) {
            return ConditionEvaluationResult.disabled("backend " + config.backend()
                    + " unavailable: " + why.get());
        }
        return ConditionEvaluationResult.enabled("backend " + config.backend() + " available");
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IllegalAccessException {
        if (config(context).lifecycle() == SimulatedZircon.Lifecycle.PER_CLASS
                && context.getTestClass().isPresent()) {
            state(context); // created now, so @BeforeAll methods can receive it
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (config(context).lifecycle() != SimulatedZircon.Lifecycle.PER_CLASS) {
            return;
        }
        TestState state = context.getStore(NAMESPACE).get(STATE, TestState.class);
        if (state == null) {
            return;
        }
        AssertionError stalled = state.stallFailure(null);
        if (stalled != null) {
            throw stalled;
        }
        if (state.config.failOnLeaks()) {
            List<LiveHandle> leaked = state.sim.liveHandles();
            if (!leaked.isEmpty()) {
                throw new AssertionError(leakReport(leaked));
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
        TestState state = state(context);
        AssertionError stalled = state.stallFailure(null);
        if (stalled != null) {
            throw stalled;
        }
        if (state.config.lifecycle() == SimulatedZircon.Lifecycle.PER_CLASS
                || !state.config.failOnLeaks()) {
            return;
        }
        List<LiveHandle> leaked = state.sim.liveHandles();
        if (!leaked.isEmpty()) {
            throw new AssertionError(leakReport(leaked));
        }
    }

    /** A test that failed because its wait was ended by the stall watchdog says so. */
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable)
            throws Throwable {
        TestState state = context.getStore(NAMESPACE).get(STATE, TestState.class);
        if (state == null) {
            state = classStore(context).get(STATE, TestState.class);
        }
        AssertionError stalled = state == null ? null : state.stallFailure(throwable);
        throw stalled != null ? stalled : throwable;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext,
                                     ExtensionContext extensionContext) {
        if (!INJECTABLE.contains(parameterContext.getParameter().getType())) {
            return false;
        }
        return extensionContext.getTestMethod().isPresent()
                || config(extensionContext).lifecycle() == SimulatedZircon.Lifecycle.PER_CLASS;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext,
                                   ExtensionContext extensionContext) {
        return state(extensionContext).get(parameterContext.getParameter().getType());
    }

    private static TestState state(ExtensionContext context) {
        Config config = config(context);
        ExtensionContext.Store store = config.lifecycle() == SimulatedZircon.Lifecycle.PER_CLASS
                ? classStore(context) : context.getStore(NAMESPACE);
        return store.getOrComputeIfAbsent(STATE, k -> new TestState(config), TestState.class);
    }

    /** The store of the outermost class context that configures PER_CLASS (or the class's). */
    private static ExtensionContext.Store classStore(ExtensionContext context) {
        ExtensionContext owner = null;
        for (ExtensionContext c = context; c != null && c.getTestClass().isPresent();
                c = c.getParent().orElse(null)) {
            if (c.getTestMethod().isEmpty()) {
                Optional<SimulatedZircon> a = c.getTestClass().flatMap(k ->
                        AnnotationSupport.findAnnotation(k, SimulatedZircon.class));
                if (owner == null || (a.isPresent()
                        && a.get().lifecycle() == SimulatedZircon.Lifecycle.PER_CLASS)) {
                    owner = c;
                }
            }
        }
        return (owner != null ? owner : context).getStore(NAMESPACE);
    }

    private static Config config(ExtensionContext context) {
        return context.getTestMethod()
                .flatMap(m -> AnnotationSupport.findAnnotation(m, SimulatedZircon.class))
                .or(() -> context.getTestClass().flatMap(ZirconExtension::classConfig))
                .map(Config::of)
                .orElse(Config.DEFAULT);
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

    /** Where zx4j's classes come from: this extension's jar and the library's jar. */
    private static final List<CodeSource> LIBRARY_SOURCES = Stream.of(
                    ZirconExtension.class.getProtectionDomain().getCodeSource(),
                    Kernel.class.getProtectionDomain().getCodeSource())
            .filter(Objects::nonNull).toList();

    /**
     * Whether a frame belongs to zx4j: a {@code dev.zx4j.*} class loaded from where this
     * extension or the library was; users' classes (and zx4j's own tests) come from elsewhere
     * even in the same packages.
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
        if (source == null || LIBRARY_SOURCES.isEmpty()) {
            return true;
        }
        return LIBRARY_SOURCES.stream()
                .anyMatch(s -> Objects.equals(source.getLocation(), s.getLocation()));
    }
}
