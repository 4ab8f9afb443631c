package dev.zx4j;

import dev.zx4j.abi.Zx;

/**
 * An interrupt object: physical (an IRQ line, from {@link Kernel#createInterrupt}) or virtual
 * (software-triggered, from {@link Kernel#createVirtualInterrupt()}).
 *
 * <p>It is delivered either to a thread blocked in {@link #waitForInterrupt()} or, once
 * {@linkplain #bind(Port, long) bound}, as {@link PortPacket.InterruptPacket}s to a port created
 * with {@link PortOptions#BIND_TO_INTERRUPT}; after each packet the interrupt must be
 * {@linkplain #ack() acknowledged} before it can deliver again. {@link #destroy()} is the way to
 * wake a thread blocked in {@code waitForInterrupt()} — closing the handle does not.
 */
public final class Interrupt extends HandleObject<Interrupt> {

    Interrupt(Kernel kernel, HandleCell cell, boolean owner) {
        super(kernel, cell, owner);
    }

    @Override
    Interrupt wrap(HandleCell cell, boolean owner) {
        return new Interrupt(kernel, cell, owner);
    }

    /**
     * Binds this interrupt to {@code port}: each delivery queues a packet with {@code key}
     * ({@code zx_interrupt_bind}; needs {@link Rights#READ} here and {@link Rights#WRITE} on the
     * port).
     *
     * @param port the port, created with {@link PortOptions#BIND_TO_INTERRUPT}
     * @param key the key of the interrupt packets
     */
    public void bind(Port port, long key) {
        bindOp(port, key, Zx.ZX_INTERRUPT_BIND);
    }

    /**
     * Routes this (physical) interrupt to {@code vcpu}: each delivery marks the interrupt's
     * vector pending on every VCPU it is bound to, as if by {@link Vcpu#interrupt(int)}
     * ({@code zx_interrupt_bind_vcpu}; needs {@link Rights#READ} here and {@link Rights#WRITE}
     * on the VCPU). Bind it to several VCPUs of one guest by calling this once per VCPU; no
     * acknowledgement is needed between deliveries. Any thread.
     *
     * @param vcpu the VCPU to deliver to
     * @throws ZxException {@link Status#ALREADY_BOUND} when the interrupt is bound to a port,
     *                     {@link Status#INVALID_ARGS} for a VCPU of another guest than the
     *                     VCPUs already bound, {@link Status#NOT_SUPPORTED} for a virtual
     *                     interrupt, {@link Status#BAD_STATE} while a thread waits on it
     */
    public void bindVcpu(Vcpu vcpu) {
        java.util.Objects.requireNonNull(vcpu, "vcpu");
        int h = cell.acquire();
        try {
            int v = vcpu.cell.acquire();
            try {
                ZxException.check("zx_interrupt_bind_vcpu",
                        kernel.syscalls().zx_interrupt_bind_vcpu(h, v, 0));
            } finally {
                vcpu.cell.release();
            }
        } finally {
            cell.release();
        }
    }

    /**
     * Unbinds this interrupt from {@code port}, which must be the port it is bound to.
     *
     * @param port the port the interrupt is bound to
     */
    public void unbind(Port port) {
        bindOp(port, 0, Zx.ZX_INTERRUPT_UNBIND);
    }

    private void bindOp(Port port, long key, int options) {
        int h = cell.acquire();
        try {
            int p = port.cell.acquire();
            try {
                ZxException.check("zx_interrupt_bind",
                        kernel.syscalls().zx_interrupt_bind(h, p, key, options));
            } finally {
                port.cell.release();
            }
        } finally {
            cell.release();
        }
    }

    /** Acknowledges the last packet so the interrupt can deliver again (needs {@link Rights#WRITE}). */
    public void ack() {
        int h = cell.acquire();
        try {
            ZxException.check("zx_interrupt_ack", kernel.syscalls().zx_interrupt_ack(h));
        } finally {
            cell.release();
        }
    }

    /**
     * Triggers a virtual interrupt with {@code timestamp} ({@code zx_interrupt_trigger}; needs
     * {@link Rights#SIGNAL}). A physical interrupt fails with {@link Status#BAD_STATE}.
     *
     * @param timestamp the timestamp the waiter or packet reports, in monotonic nanoseconds
     */
    public void trigger(long timestamp) {
        int h = cell.acquire();
        try {
            ZxException.check("zx_interrupt_trigger",
                    kernel.syscalls().zx_interrupt_trigger(h, 0, timestamp));
        } finally {
            cell.release();
        }
    }

    /** Triggers a virtual interrupt stamped with the current {@link Kernel#monotonicNow()}. */
    public void trigger() {
        trigger(kernel.monotonicNow());
    }

    /**
     * Blocks until the (unbound) interrupt is delivered and returns its timestamp
     * ({@code zx_interrupt_wait}; needs {@link Rights#WAIT}). Waiting again acknowledges it.
     *
     * @return the delivery's timestamp in monotonic nanoseconds
     * @throws ZxException with {@link Status#CANCELED} if the interrupt is destroyed meanwhile,
     *                     {@link Status#BAD_STATE} if it is bound to a port
     */
    public long waitForInterrupt() {
        long[] ts = new long[1];
        int h = cell.acquire();
        try {
            ZxException.check("zx_interrupt_wait", kernel.syscalls().zx_interrupt_wait(h, ts));
        } finally {
            cell.release();
        }
        return ts[0];
    }

    /**
     * Destroys the interrupt object: it delivers nothing more and a thread blocked in
     * {@link #waitForInterrupt()} returns {@link Status#CANCELED}. The handle stays open (close
     * it as usual). No right is needed.
     *
     * @return false when the kernel reported {@code ZX_ERR_NOT_FOUND}: a packet had been
     *         delivered to the bound port and not acknowledged; true otherwise
     */
    public boolean destroy() {
        int h = cell.acquire();
        try {
            int status = kernel.syscalls().zx_interrupt_destroy(h);
            if (status == Zx.ZX_ERR_NOT_FOUND) {
                return false;
            }
            ZxException.check("zx_interrupt_destroy", status);
            return true;
        } finally {
            cell.release();
        }
    }
}
