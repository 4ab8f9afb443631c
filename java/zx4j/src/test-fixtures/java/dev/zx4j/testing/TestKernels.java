package dev.zx4j.testing;

import dev.zx4j.jni.NativeKernel;
import dev.zx4j.sim.ManualClock;
import dev.zx4j.sim.SimKernel;
import java.util.List;
import java.util.function.Supplier;

/** Every kernel the conformance suite runs against. Each supplier builds a fresh kernel. */
public final class TestKernels {
    private TestKernels() {}

    /** Start time of each test's manual clock: arbitrary, non-zero, far from overflow. */
    public static final long CLOCK_START = 1_000_000_000L;

    public static TestKernel simulated() {
        ManualClock clock = new ManualClock(CLOCK_START);
        SimKernel sim = new SimKernel(clock);
        return new TestKernel("sim", sim, sim, clock);
    }

    /**
     * The same simulated kernel behind JNI: Java → JNI → host libzircon (C) → back into Java.
     * Fails (rather than skips) when the JNI library is unavailable: on Linux it is part of the
     * normal build.
     */
    public static TestKernel jni() {
        ManualClock clock = new ManualClock(CLOCK_START);
        SimKernel sim = new SimKernel(clock);
        return new TestKernel("jni", NativeKernel.hosted(sim), sim, clock);
    }

    /** A named way to build a fresh kernel. */
    public record Factory(String name, Supplier<TestKernel> make) {}

    public static List<Factory> all() {
        return List.of(new Factory("sim", TestKernels::simulated), new Factory("jni", TestKernels::jni));
    }
}
