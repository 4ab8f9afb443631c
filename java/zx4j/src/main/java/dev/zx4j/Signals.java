package dev.zx4j;

import dev.zx4j.abi.Zx;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of signals ({@code zx_signals_t}): the bits of an object's signal word. The user may set
 * and clear {@link #USER_0} … {@link #USER_7} on every waitable object, and
 * {@link #EVENT_SIGNALED} on events ({@link HandleObject#signal}); the kernel owns the others
 * ({@link #TIMER_SIGNALED}, {@link #VMO_ZERO_CHILDREN}, {@link #HANDLE_CLOSED}).
 *
 * @param bits the raw signal bits
 */
public record Signals(int bits) {
    /** The empty set. */
    public static final Signals NONE = new Signals(0);
    /** {@code ZX_EVENT_SIGNALED}: the signal of an event, set and cleared by the user. */
    public static final Signals EVENT_SIGNALED = new Signals(Zx.ZX_EVENT_SIGNALED);
    /** {@code ZX_TIMER_SIGNALED}: asserted by a timer when its deadline passes. */
    public static final Signals TIMER_SIGNALED = new Signals(Zx.ZX_TIMER_SIGNALED);
    /** {@code ZX_VMO_ZERO_CHILDREN}: asserted while a VMO has no child VMOs. */
    public static final Signals VMO_ZERO_CHILDREN = new Signals(Zx.ZX_VMO_ZERO_CHILDREN);
    /** {@code ZX_SIGNAL_HANDLE_CLOSED}: reported to a wait whose handle was closed. */
    public static final Signals HANDLE_CLOSED = new Signals(Zx.ZX_SIGNAL_HANDLE_CLOSED);
    /** User signal 0 ({@code ZX_USER_SIGNAL_0}). */
    public static final Signals USER_0 = new Signals(Zx.ZX_USER_SIGNAL_0);
    /** User signal 1 ({@code ZX_USER_SIGNAL_1}). */
    public static final Signals USER_1 = new Signals(Zx.ZX_USER_SIGNAL_1);
    /** User signal 2 ({@code ZX_USER_SIGNAL_2}). */
    public static final Signals USER_2 = new Signals(Zx.ZX_USER_SIGNAL_2);
    /** User signal 3 ({@code ZX_USER_SIGNAL_3}). */
    public static final Signals USER_3 = new Signals(Zx.ZX_USER_SIGNAL_3);
    /** User signal 4 ({@code ZX_USER_SIGNAL_4}). */
    public static final Signals USER_4 = new Signals(Zx.ZX_USER_SIGNAL_4);
    /** User signal 5 ({@code ZX_USER_SIGNAL_5}). */
    public static final Signals USER_5 = new Signals(Zx.ZX_USER_SIGNAL_5);
    /** User signal 6 ({@code ZX_USER_SIGNAL_6}). */
    public static final Signals USER_6 = new Signals(Zx.ZX_USER_SIGNAL_6);
    /** User signal 7 ({@code ZX_USER_SIGNAL_7}). */
    public static final Signals USER_7 = new Signals(Zx.ZX_USER_SIGNAL_7);
    /** All eight user signals. */
    public static final Signals USER_ALL = new Signals(Zx.ZX_USER_SIGNAL_ALL);

    /**
     * User signal {@code n} (0–7).
     *
     * @param n the user signal number, 0 to 7
     * @return the set holding only that signal
     * @throws IllegalArgumentException if {@code n} is outside 0..7
     */
    public static Signals user(int n) {
        if (n < 0 || n > 7) {
            throw new IllegalArgumentException("user signals are 0..7, not " + n);
        }
        return new Signals(Zx.ZX_USER_SIGNAL_0 << n);
    }

    /**
     * The union of both sets.
     *
     * @param other the other set
     * @return the union
     */
    public Signals or(Signals other) {
        return new Signals(bits | other.bits);
    }

    /**
     * The signals present in both sets.
     *
     * @param other the other set
     * @return the intersection
     */
    public Signals and(Signals other) {
        return new Signals(bits & other.bits);
    }

    /**
     * Whether every signal of {@code other} is in this set.
     *
     * @param other the signals to look for
     * @return true if all of them are present
     */
    public boolean containsAll(Signals other) {
        return (bits & other.bits) == other.bits;
    }

    /**
     * Whether some signal of {@code other} is in this set.
     *
     * @param other the signals to look for
     * @return true if at least one is present
     */
    public boolean containsAny(Signals other) {
        return (bits & other.bits) != 0;
    }

    /** {@return whether no signal is in the set} */
    public boolean isEmpty() {
        return bits == 0;
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        int rest = bits;
        for (int i = 0; i < 8; i++) {
            if ((rest & (Zx.ZX_USER_SIGNAL_0 << i)) != 0) {
                names.add("USER_" + i);
                rest &= ~(Zx.ZX_USER_SIGNAL_0 << i);
            }
        }
        if ((rest & Zx.ZX_SIGNAL_HANDLE_CLOSED) != 0) {
            names.add("HANDLE_CLOSED");
            rest &= ~Zx.ZX_SIGNAL_HANDLE_CLOSED;
        }
        if ((rest & Zx.ZX_EVENT_SIGNALED) != 0) {
            names.add("SIGNALED");
            rest &= ~Zx.ZX_EVENT_SIGNALED;
        }
        if (rest != 0) {
            names.add(String.format("0x%x", rest));
        }
        return "Signals[" + String.join("|", names) + "]";
    }
}
