package dev.zx4j;

/**
 * The part of a {@link Vcpu} that other threads may use: {@link #kick()} and
 * {@link #interrupt(int)}, which Zircon allows from any thread. Hand this to the threads that
 * control a VCPU (a VMM's device or control threads) and keep the {@code Vcpu} itself on its own
 * thread. It owns nothing: it stops working (with {@link ClosedHandleException}) once the VCPU's
 * handle is closed.
 */
public final class VcpuController {
    private final Vcpu view;

    VcpuController(Vcpu view) {
        this.view = view;
    }

    /** See {@link Vcpu#kick()}. */
    public void kick() {
        view.kick();
    }

    /**
     * See {@link Vcpu#interrupt(int)}.
     *
     * @param vector the interrupt vector, 0 to 255
     */
    public void interrupt(int vector) {
        view.interrupt(vector);
    }

    /** {@return whether the VCPU's handle was closed} */
    public boolean isClosed() {
        return view.isClosed();
    }

    @Override
    public String toString() {
        return "VcpuController[" + view + "]";
    }
}
