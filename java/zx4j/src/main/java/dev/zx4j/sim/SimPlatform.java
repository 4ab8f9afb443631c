package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.ZX_DEFAULT_RESOURCE_RIGHTS;
import static dev.zx4j.abi.Zx.ZX_ERR_ALREADY_BOUND;
import static dev.zx4j.abi.Zx.ZX_RSRC_KIND_IRQ;
import static dev.zx4j.abi.Zx.ZX_RSRC_KIND_ROOT;
import static dev.zx4j.abi.Zx.ZX_RSRC_KIND_SYSTEM;
import static dev.zx4j.abi.Zx.ZX_RSRC_SYSTEM_HYPERVISOR_BASE;
import static dev.zx4j.abi.Zx.ZX_RSRC_SYSTEM_VMEX_BASE;

/**
 * The simulated machine around the kernel: the resources a driver or VMM would be handed, and
 * hardware interrupt lines a test can raise.
 *
 * <p>Every {@code create…Resource} call returns a fresh handle that the caller owns (and must
 * close). {@link IrqLine#fire()} runs the same interrupt handler path as real hardware: the
 * interrupt object registered for that vector (by {@code zx_interrupt_create} with an IRQ
 * resource) queues a port packet, wakes a waiter, or forwards its vector to bound VCPUs.
 */
public final class SimPlatform {

    /** Number of hardware interrupt vectors of the simulated machine (0 … 255). */
    public static final int IRQ_VECTORS = 256;

    private final SimKernel kernel;
    private final InterruptObject[] registered = new InterruptObject[IRQ_VECTORS];

    SimPlatform(SimKernel kernel) {
        this.kernel = kernel;
    }

    /**
     * A resource of any kind over [base, base+size).
     *
     * @param kind a {@code ZX_RSRC_KIND_*} value
     * @param base the first value covered
     * @param size how many values are covered
     * @return a new raw handle the caller owns
     */
    public int createResource(int kind, long base, long size) {
        kernel.lock.lock();
        try {
            return kernel.addHandle(new ResourceObject(kernel, kind, base, size),
                    ZX_DEFAULT_RESOURCE_RIGHTS).value;
        } catch (SysErr e) {
            throw new IllegalStateException("handle table exhausted", e);
        } finally {
            kernel.lock.unlock();
        }
    }

    /** {@return the root resource: passes every resource check} */
    public int createRootResource() {
        return createResource(ZX_RSRC_KIND_ROOT, 0, 0);
    }

    /**
     * An IRQ resource covering vectors [base, base+count).
     *
     * @param base  the first vector
     * @param count how many vectors
     * @return a new raw handle the caller owns
     */
    public int createIrqResource(long base, long count) {
        return createResource(ZX_RSRC_KIND_IRQ, base, count);
    }

    /**
     * {@return a new raw handle to the hypervisor resource {@code zx_guest_create} needs (SYSTEM,
     * base HYPERVISOR, size 1)}
     */
    public int createHypervisorResource() {
        return createResource(ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_HYPERVISOR_BASE, 1);
    }

    /**
     * {@return a new raw handle to the VMEX resource {@code zx_vmo_replace_as_executable} needs
     * (SYSTEM, base VMEX, size 1)}
     */
    public int createVmexResource() {
        return createResource(ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_VMEX_BASE, 1);
    }

    /**
     * The hardware line of {@code vector}.
     *
     * @param vector 0 … {@value #IRQ_VECTORS} − 1
     * @return the line
     * @throws IllegalArgumentException for a vector outside the machine's lines
     */
    public IrqLine irqLine(int vector) {
        if (vector < 0 || vector >= IRQ_VECTORS) {
            throw new IllegalArgumentException(
                    "no interrupt line " + vector + " (lines are 0.." + (IRQ_VECTORS - 1) + ")");
        }
        return new IrqLine(vector);
    }

    /** A hardware interrupt line. */
    public final class IrqLine {
        private final int vector;

        private IrqLine(int vector) {
            this.vector = vector;
        }

        /** {@return the vector of this line} */
        public int vector() {
            return vector;
        }

        /**
         * Raises the line once (an edge), timestamped with the kernel clock. An unregistered
         * line's edge is lost, as on hardware whose vector is masked.
         *
         * @return whether an interrupt object was registered for the line
         */
        public boolean fire() {
            kernel.lock.lock();
            try {
                InterruptObject irq = registered[vector];
                if (irq == null) {
                    return false;
                }
                irq.fire(kernel.clock.now());
                return true;
            } finally {
                kernel.lock.unlock();
            }
        }

        @Override
        public String toString() {
            return "IRQ line " + vector;
        }
    }

    /** Installs the handler of a physical interrupt; one object per vector at a time. */
    void register(InterruptObject irq) throws SysErr {
        if (registered[irq.vector] != null) {
            throw new SysErr(ZX_ERR_ALREADY_BOUND);
        }
        registered[irq.vector] = irq;
    }

    void unregister(InterruptObject irq) {
        if (registered[irq.vector] == irq) {
            registered[irq.vector] = null;
        }
    }
}
