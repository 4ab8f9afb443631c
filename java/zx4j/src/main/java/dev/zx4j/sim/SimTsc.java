package dev.zx4j.sim;

/**
 * The time-stamp counter of the simulated host, derived from the kernel's monotonic clock: tick 0
 * is monotonic time 0 and the counter runs at {@link #HZ}. Guest RDTSC, the local APIC timer's
 * TSC arithmetic and kvmclock all use this one mapping, so they agree with each other and, under
 * a {@link ManualClock}, move only when the clock does.
 *
 * <p>The Zircon kernel converts TSC values with a fixed ratio (ticks → nanoseconds, rounding
 * down): {@code convert_raw_tsc_duration_to_nanoseconds} for LAPIC timer durations and
 * {@code convert_raw_tsc_timestamp_to_clock_monotonic} for TSC deadlines (platform/pc/timer.cc;
 * with the TSC as the kernel's clock the latter adds the boot offset, which is 0 here).
 */
public final class SimTsc {
    /** Frequency of the simulated host TSC: 2.5 GHz (not 1 GHz, so that no unit mix-up hides). */
    public static final long HZ = 2_500_000_000L;

    // 10^9 / HZ reduced: nanoseconds = ticks * NS_NUM / NS_DEN.
    private static final long NS_NUM;
    private static final long NS_DEN;

    static {
        long g = gcd(1_000_000_000L, HZ);
        NS_NUM = 1_000_000_000L / g;
        NS_DEN = HZ / g;
    }

    private SimTsc() {}

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /**
     * The TSC at monotonic time {@code nanos} (rounded down; negative times give negative ticks).
     *
     * @param nanos the monotonic time in nanoseconds
     * @return the TSC value
     */
    public static long ticksAt(long nanos) {
        return Math.floorDiv(nanos, NS_NUM) * NS_DEN + Math.floorMod(nanos, NS_NUM) * NS_DEN / NS_NUM;
    }

    /**
     * Nanoseconds for a duration of {@code ticks} TSC ticks, rounded toward negative infinity; also
     * the monotonic time of TSC value {@code ticks}.
     *
     * @param ticks a TSC tick count
     * @return the nanoseconds
     */
    public static long nanosOf(long ticks) {
        return Math.floorDiv(ticks, NS_DEN) * NS_NUM + Math.floorMod(ticks, NS_DEN) * NS_NUM / NS_DEN;
    }
}
