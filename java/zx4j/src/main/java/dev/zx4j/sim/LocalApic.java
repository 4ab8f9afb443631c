package dev.zx4j.sim;

import static dev.zx4j.abi.Layouts.*;
import static dev.zx4j.abi.Zx.*;

import java.util.Arrays;

/**
 * A VCPU's local APIC as the Zircon hypervisor emulates it in the kernel: x2APIC mode only (MSRs
 * 0x800–0x83F, no xAPIC MMIO page), {@code IA32_APIC_BASE}, the LVT timer in one-shot, periodic
 * and TSC-deadline modes, and guest IPIs through the ICR. Facts from the late-2021/2022 kernel
 * ({@code arch/x86/hypervisor/vmexit.cc}: {@code handle_apic_rdmsr}, {@code handle_apic_wrmsr},
 * {@code handle_ipi}, {@code lvt_deadline}, {@code update_timer}, {@code deadline_callback};
 * state as {@code LocalApicState} in {@code arch/hypervisor.h}).
 *
 * <p>What the kernel does, and therefore this class (where it departs from silicon, the kernel
 * is modelled):
 * <ul>
 *   <li>there is no ISR, IRR or TPR: reads of ISR/TMR/IRR and TPR give 0, TPR writes are ignored,
 *       an EOI of 0 does nothing; delivery order is the {@link InterruptTracker}'s;</li>
 *   <li>a write of a non-zero upper half (EDX) to any register but the ICR injects #GP;</li>
 *   <li>PPR, TMCCT, the LVT error register, TMICT and TDCR cannot be read (#GP);</li>
 *   <li>the timer counts TSC ticks ({@link SimTsc}), not bus clocks: TMICT shifted left by the
 *       divide configuration's shift plus one (mod 8), as a 32-bit shift that can wrap; TMICT = 0
 *       still fires at once; every write of LVT timer, TMICT or TDCR re-arms it from now;</li>
 *   <li>on expiry a masked timer injects nothing and a masked periodic timer is not re-armed;
 *       otherwise a periodic timer is re-armed at now + period and the vector is raised with
 *       {@link InterruptTracker#interrupt}, which also wakes a halted VCPU;</li>
 *   <li>{@code IA32_TSC_DEADLINE} can be written only in TSC-deadline mode (anything else fails
 *       {@code zx_vcpu_enter} with INVALID_ARGS) and cannot be read (#GP); the value is a raw host
 *       TSC and a deadline of 0 or in the past fires at once (0 disarms).</li>
 * </ul>
 *
 * <p>Handlers return the exit handler's status: {@code ZX_OK} (re-enter the guest),
 * {@code ZX_ERR_NEXT} ({@code packet} holds a packet for the VMM) or the status that ends
 * {@code zx_vcpu_enter}. An injected #GP is vector 13 in the tracker with RIP left at the
 * instruction.
 */
final class LocalApic {
    static final int MSR_APIC_BASE = 0x1B;
    static final int MSR_TSC_DEADLINE = 0x6E0;
    static final int MSR_X2APIC_FIRST = 0x800;
    static final int MSR_X2APIC_LAST = 0x83F;

    // x2APIC registers: MSR 0x800 + (xAPIC offset >> 4).
    static final int ID = 0x802;
    static final int VERSION = 0x803;
    static final int TPR = 0x808;
    static final int PPR = 0x80A;
    static final int EOI = 0x80B;
    static final int LDR = 0x80D;
    static final int SVR = 0x80F;
    static final int ISR_FIRST = 0x810;
    static final int IRR_LAST = 0x827;
    static final int ESR = 0x828;
    static final int LVT_CMCI = 0x82F;
    static final int ICR = 0x830;
    static final int LVT_TIMER = 0x832;
    static final int LVT_THERMAL = 0x833;
    static final int LVT_MONITOR = 0x834;
    static final int LVT_LINT0 = 0x835;
    static final int LVT_LINT1 = 0x836;
    static final int LVT_ERROR = 0x837;
    static final int TMICT = 0x838;
    static final int TMCCT = 0x839;
    static final int TDCR = 0x83E;
    static final int SELF_IPI = 0x83F;

    /** {@code IA32_APIC_BASE}: 0xFEE00000, xAPIC global enable (bit 11), x2APIC enable (bit 10). */
    static final long APIC_BASE = 0xFEE0_0000L | (1L << 11) | (1L << 10);
    /** {@code IA32_APIC_BASE} bit 8: the bootstrap processor (VPID 1 only). */
    static final long APIC_BASE_BSP = 1L << 8;
    /** The version register: version 0x15, max LVT entry 6, no EOI-broadcast suppression. */
    static final int VERSION_VALUE = 0x15 | (6 << 16);
    static final int LVT_MASKED = 1 << 16;
    static final int LVT_MODE_MASK = 3 << 17;
    static final int LVT_ONESHOT = 0;
    static final int LVT_PERIODIC = 1 << 17;
    static final int LVT_TSC_DEADLINE = 2 << 17;
    static final int LVT_RESERVED = 3 << 17;

    static final int GP = 13;
    static final int NMI = 2;

    private final int vpid;
    private final SimClock clock;
    private final InterruptTracker tracker;
    final KernelTimer timer;

    // LocalApicState; guarded by this object (the timer callback runs on other threads).
    private int lvtTimer = LVT_MASKED;
    private int initialCount;
    private int divideConfig;

    LocalApic(int vpid, SimClock clock, InterruptTracker tracker) {
        this.vpid = vpid;
        this.clock = clock;
        this.tracker = tracker;
        this.timer = new KernelTimer(clock, this::deadlineCallback);
    }

    // ---- IA32_APIC_BASE -------------------------------------------------------------------

    /** RDMSR {@code IA32_APIC_BASE}. */
    int readApicBase(ExitState s) {
        s.nextRip();
        s.setEdxEax(APIC_BASE | (vpid == 1 ? APIC_BASE_BSP : 0));
        return ZX_OK;
    }

    /** WRMSR {@code IA32_APIC_BASE}: only the value it already has (BSP bit ignored) is accepted. */
    int writeApicBase(ExitState s) {
        if ((s.edxEax() & ~APIC_BASE_BSP) != APIC_BASE) {
            return ZX_ERR_INVALID_ARGS;
        }
        s.nextRip();
        return ZX_OK;
    }

    // ---- x2APIC registers -----------------------------------------------------------------

    /** RDMSR of 0x800–0x83F ({@code handle_apic_rdmsr}); the value goes to RAX only, RDX untouched. */
    int read(ExitState s) {
        int reg = (int) s.reg(ExitState.RCX);
        long value;
        switch (reg) {
            case ID:
                value = vpid - 1;
                break;
            case VERSION:
                value = VERSION_VALUE;
                break;
            case SVR:
                value = 0xFF;
                break;
            case TPR:
            case LDR:
            case ESR:
            case LVT_MONITOR:
                value = 0;
                break;
            case LVT_LINT0:
            case LVT_LINT1:
            case LVT_THERMAL:
            case LVT_CMCI:
                value = LVT_MASKED;
                break;
            case LVT_TIMER:
                synchronized (this) {
                    value = lvtTimer & 0xFFFF_FFFFL;
                }
                break;
            default:
                if (reg >= ISR_FIRST && reg <= IRR_LAST) {
                    value = 0; // ISR, TMR, IRR
                    break;
                }
                tracker.interrupt(GP); // write-only, unimplemented or reserved registers
                return ZX_OK;
        }
        s.nextRip();
        s.setReg(ExitState.RAX, value);
        return ZX_OK;
    }

    /** WRMSR of 0x800–0x83F ({@code handle_apic_wrmsr}). */
    int write(ExitState s, byte[] packet) {
        int reg = (int) s.reg(ExitState.RCX);
        int eax = (int) s.reg(ExitState.RAX);
        if ((int) s.reg(ExitState.RDX) != 0 && reg != ICR) {
            tracker.interrupt(GP); // the upper 32 bits of every x2APIC MSR but the ICR are reserved
            return ZX_OK;
        }
        switch (reg) {
            case EOI:
            case ESR:
                if (eax != 0) {
                    tracker.interrupt(GP);
                    return ZX_OK;
                }
                s.nextRip();
                return ZX_OK;
            case TPR:
            case SVR:
            case LVT_MONITOR:
            case LVT_ERROR:
            case LVT_LINT0:
            case LVT_LINT1:
            case LVT_THERMAL:
            case LVT_CMCI:
                s.nextRip();
                return ZX_OK;
            case LVT_TIMER:
                if ((eax & LVT_MODE_MASK) == LVT_RESERVED) {
                    return ZX_ERR_INVALID_ARGS;
                }
                s.nextRip();
                synchronized (this) {
                    lvtTimer = eax;
                    updateTimer(lvtDeadline());
                }
                return ZX_OK;
            case TMICT:
                s.nextRip();
                synchronized (this) {
                    initialCount = eax;
                    updateTimer(lvtDeadline());
                }
                return ZX_OK;
            case TDCR:
                s.nextRip();
                synchronized (this) {
                    divideConfig = eax;
                    updateTimer(lvtDeadline());
                }
                return ZX_OK;
            case SELF_IPI:
                s.nextRip();
                tracker.interrupt(eax & 0xFF);
                return ZX_OK;
            case ICR:
                return ipi(s, packet);
            default:
                tracker.interrupt(GP); // read-only, unimplemented or reserved registers
                return ZX_OK;
        }
    }

    /** WRMSR {@code IA32_TSC_DEADLINE} (0x6E0). */
    int writeTscDeadline(ExitState s) {
        synchronized (this) {
            if ((lvtTimer & LVT_MODE_MASK) != LVT_TSC_DEADLINE) {
                return ZX_ERR_INVALID_ARGS;
            }
            s.nextRip();
            // A raw host TSC value (no TSC offset), converted to a monotonic deadline.
            updateTimer(SimTsc.nanosOf(s.edxEax()));
        }
        return ZX_OK;
    }

    // ---- the timer ------------------------------------------------------------------------

    /** {@code lvt_deadline}: the deadline the one-shot/periodic registers give, or 0. */
    private long lvtDeadline() {
        int mode = lvtTimer & LVT_MODE_MASK;
        if (mode != LVT_ONESHOT && mode != LVT_PERIODIC) {
            return 0;
        }
        int shift = (divideConfig & 3) | (((divideConfig >>> 3) & 1) << 2);
        int divisorShift = (shift + 1) & 7;
        long ticks = (initialCount << divisorShift) & 0xFFFF_FFFFL; // a 32-bit shift
        return clock.now() + SimTsc.nanosOf(ticks);
    }

    /** {@code update_timer}: cancel, then set a one-shot if the deadline is positive. */
    private void updateTimer(long deadline) {
        timer.cancel();
        if (deadline > 0) {
            timer.setOneshot(deadline);
        }
    }

    /** {@code deadline_callback}. */
    private void deadlineCallback() {
        int vector;
        synchronized (this) {
            if ((lvtTimer & LVT_MASKED) != 0) {
                return;
            }
            if ((lvtTimer & LVT_MODE_MASK) == LVT_PERIODIC) {
                updateTimer(lvtDeadline());
            }
            vector = lvtTimer & 0xFF;
        }
        tracker.interrupt(vector);
    }

    /** The timer's deadline while it is set, else -1 (for tests and diagnostics). */
    long timerDeadline() {
        return timer.armed() ? timer.deadline() : -1;
    }

    /** Cancels the timer for good ({@code ~NormalVcpu}). */
    void close() {
        timer.cancel();
    }

    // ---- IPIs -----------------------------------------------------------------------------

    private static final int ICR_FIXED = 0;
    private static final int ICR_NMI = 4;
    private static final int ICR_INIT = 5;
    private static final int ICR_STARTUP = 6;
    private static final long ICR_BROADCAST = 0xFFFF_FFFFL;
    private static final int MAX_GUEST_VCPUS = 64;

    /**
     * An ICR write ({@code handle_ipi}, 2022): logical destination mode → NOT_SUPPORTED; FIXED and
     * NMI → a GUEST_VCPU/INTERRUPT packet (NMI: vector 2, never to the sender); STARTUP → a
     * GUEST_VCPU/STARTUP packet {@code {id = destination, entry = vector << 12}}; INIT is ignored;
     * any other delivery mode → NOT_SUPPORTED. RIP moves on whenever the write is accepted.
     */
    private int ipi(ExitState s, byte[] packet) {
        long lo = s.reg(ExitState.RAX) & 0xFFFF_FFFFL;
        long dest = s.reg(ExitState.RDX) & 0xFFFF_FFFFL;
        int vector = (int) (lo & 0xFF);
        int mode = (int) ((lo >>> 8) & 7);
        if ((lo & (1L << 11)) != 0) {
            return ZX_ERR_NOT_SUPPORTED; // logical destination mode
        }
        int shorthand = (int) ((lo >>> 18) & 3);
        int self = vpid - 1;
        switch (mode) {
            case ICR_FIXED:
            case ICR_NMI: {
                // ipi_target_mask builds the single-VCPU masks with a 32-bit `1u << n` (so
                // "all but self" has its upper 32 bits clear, and n >= 32 shifts by n mod 32 as
                // the x86 SHL the kernel compiles to does); the NMI case clears the sender's bit
                // with a sign-extended int. Java's int shifts have the same semantics.
                long mask = switch (shorthand) {
                    case 1 -> (1 << self) & 0xFFFF_FFFFL;
                    case 2 -> -1L;
                    case 3 -> ~(1 << self) & 0xFFFF_FFFFL;
                    default -> dest == ICR_BROADCAST ? -1L
                            : dest >= MAX_GUEST_VCPUS ? 0 : (1 << (int) dest) & 0xFFFF_FFFFL;
                };
                if (mode == ICR_NMI) {
                    mask &= (long) ~(1 << self);
                    vector = NMI;
                }
                Arrays.fill(packet, (byte) 0);
                put32(packet, PACKET_TYPE, ZX_PKT_TYPE_GUEST_VCPU);
                put8(packet, PACKET_VCPU_TYPE, ZX_PKT_GUEST_VCPU_INTERRUPT);
                put64(packet, PACKET_VCPU_INTERRUPT_MASK, mask);
                put8(packet, PACKET_VCPU_INTERRUPT_VECTOR, vector);
                s.nextRip();
                return ZX_ERR_NEXT;
            }
            case ICR_INIT:
                s.nextRip();
                return ZX_OK;
            case ICR_STARTUP:
                Arrays.fill(packet, (byte) 0);
                put32(packet, PACKET_TYPE, ZX_PKT_TYPE_GUEST_VCPU);
                put8(packet, PACKET_VCPU_TYPE, ZX_PKT_GUEST_VCPU_STARTUP);
                put64(packet, PACKET_VCPU_STARTUP_ID, dest);
                put64(packet, PACKET_VCPU_STARTUP_ENTRY, (long) vector << 12);
                s.nextRip();
                return ZX_ERR_NEXT;
            default:
                return ZX_ERR_NOT_SUPPORTED; // lowest priority, SMI, ExtINT, reserved
        }
    }
}
