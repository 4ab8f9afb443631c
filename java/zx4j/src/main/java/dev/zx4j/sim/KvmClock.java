package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.ZX_OK;

import java.lang.invoke.VarHandle;

/**
 * A VCPU's paravirtual clock, as the Zircon hypervisor provides it to guests that use KVM's
 * clock ABI ({@code arch/x86/hypervisor/pv.cc}, {@code pv_priv.h}, {@code arch/x86/pv.h}, and
 * {@code handle_kvm_wrmsr} in {@code vmexit.cc}; late 2021/2022).
 *
 * <ul>
 *   <li>WRMSR {@code MSR_KVM_SYSTEM_TIME_NEW} (0x4B564D01) or the old 0x12 with bit 0 set maps the
 *       32-byte {@code pvclock_vcpu_time_info} at the value with bit 0 cleared, zeroes it and turns
 *       updates on; with bit 0 clear it turns them off.</li>
 *   <li>WRMSR {@code MSR_KVM_WALL_CLOCK_NEW} (0x4B564D00) or the old 0x11 zeroes the 12-byte
 *       {@code pvclock_wall_clock} there: boot time is always the epoch, version 0.</li>
 *   <li>RIP moves past the WRMSR before the mapping is tried; a mapping failure ends
 *       {@code zx_vcpu_enter} with its status (no #GP). RDMSR of these MSRs is not handled (#GP).</li>
 *   <li>Before <b>every</b> VM entry while enabled, the struct is rewritten: version = counter + 1
 *       (odd), fence, {@code tsc_mul}, {@code tsc_shift}, {@code system_time} = monotonic
 *       nanoseconds, {@code tsc_timestamp} = the TSC, {@code flags} = 1 (TSC stable) or 0, fence,
 *       version = counter + 2. The counter belongs to the VCPU and survives re-registration.</li>
 * </ul>
 * Here monotonic time is the simulated kernel's clock and the TSC is {@link SimTsc}'s, read at
 * the same instant, so the guest's {@code system_time + (tsc - tsc_timestamp) · mul · 2^(shift−32)}
 * is exact.
 */
final class KvmClock {
    static final int MSR_WALL_CLOCK_OLD = 0x11;
    static final int MSR_SYSTEM_TIME_OLD = 0x12;
    static final int MSR_WALL_CLOCK = 0x4B564D00;
    static final int MSR_SYSTEM_TIME = 0x4B564D01;

    /** {@code pvclock_vcpu_time_info}: version, pad, tsc_timestamp, system_time, mul, shift, flags, pad. */
    static final int SYSTEM_TIME_SIZE = 32;
    /** {@code pvclock_wall_clock}: version, sec, nsec. */
    static final int WALL_CLOCK_SIZE = 12;
    static final int OFF_VERSION = 0;
    static final int OFF_TSC_TIMESTAMP = 8;
    static final int OFF_SYSTEM_TIME = 16;
    static final int OFF_TSC_MUL = 24;
    static final int OFF_TSC_SHIFT = 28;
    static final int OFF_FLAGS = 29;
    /** {@code kKvmSystemTimeStable} (PVCLOCK_TSC_STABLE_BIT). */
    static final int FLAG_TSC_STABLE = 1;

    /** The scale for {@link SimTsc#HZ}: {@code {mul, shift}}. */
    static final int[] SCALE = scale(SimTsc.HZ);

    private final boolean stable;
    private int version;
    private GuestPtr systemTime;

    /**
     * @param stable the kernel's {@code is_stable}: the host TSC is invariant (CPUID
     *     0x80000007:EDX[8]) — or the host's own pvclock is stable when it is itself a KVM guest
     */
    KvmClock(boolean stable) {
        this.stable = stable;
    }

    /** Whether the guest has the system-time struct registered. */
    boolean enabled() {
        return systemTime != null;
    }

    /** WRMSR of one of the four KVM clock MSRs ({@code handle_kvm_wrmsr}). */
    int write(ExitState s, GuestPtr.Space memory) {
        long value = s.edxEax();
        s.nextRip();
        int msr = (int) s.reg(ExitState.RCX);
        try {
            if (msr == MSR_SYSTEM_TIME || msr == MSR_SYSTEM_TIME_OLD) {
                if ((value & 1) != 0) {
                    GuestPtr p = memory.map(value & ~1L, SYSTEM_TIME_SIZE);
                    p.zero();
                    systemTime = p;
                } else {
                    systemTime = null;
                }
            } else {
                memory.map(value, WALL_CLOCK_SIZE).zero();
            }
            return ZX_OK;
        } catch (SysErr e) {
            return e.status;
        }
    }

    /** {@code pv_clock_update_system_time}: rewrites the struct if registered. */
    void update(long monotonicNanos, long tsc) {
        GuestPtr p = systemTime;
        if (p == null) {
            return;
        }
        p.put(OFF_VERSION, 4, version + 1);
        VarHandle.fullFence();
        p.put(OFF_TSC_MUL, 4, SCALE[0]);
        p.put(OFF_TSC_SHIFT, 1, SCALE[1]);
        p.put(OFF_SYSTEM_TIME, 8, monotonicNanos);
        p.put(OFF_TSC_TIMESTAMP, 8, tsc);
        p.put(OFF_FLAGS, 1, stable ? FLAG_TSC_STABLE : 0);
        VarHandle.fullFence();
        p.put(OFF_VERSION, 4, version + 2);
        version += 2;
    }

    /**
     * {@code calculate_scale_factor}: {@code {mul, shift}} such that a guest computes nanoseconds
     * as {@code ticks · mul · 2^(shift − 32)}. Starts from x = 10^9, y = {@code tscHz}, e = 32;
     * shrinks y below 2^31; doubles x while x < y·2^31 and x's top bit is clear; halves y while
     * x < y; halves x while x ≥ y·2^32; then shift = e and mul = x / y.
     */
    static int[] scale(long tscHz) {
        int exponent = 32;
        long x = 1_000_000_000L;
        long y = tscHz;
        while (Long.compareUnsigned(y, 1L << 31) >= 0) {
            y >>>= 1;
            exponent--;
        }
        while (Long.compareUnsigned(x, y << 31) < 0 && x >= 0) {
            x <<= 1;
            exponent--;
        }
        while (Long.compareUnsigned(x, y) < 0) {
            y >>>= 1;
            exponent++;
        }
        while (Long.compareUnsigned(x, y << 32) >= 0) {
            x >>>= 1;
            exponent++;
        }
        return new int[] {(int) Long.divideUnsigned(x, y), (byte) exponent};
    }
}
