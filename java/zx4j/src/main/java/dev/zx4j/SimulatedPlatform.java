package dev.zx4j;

import dev.zx4j.sim.SimKernel;
import dev.zx4j.sim.SimPlatform;
import java.util.Objects;

/**
 * The typed view of a simulated kernel's machine: the resources a driver or VMM is handed, as
 * owned {@link Resource} objects, and its hardware interrupt lines. Get it with
 * {@link Kernel#simulatedPlatform()}.
 *
 * <pre>{@code
 * Kernel k = Kernel.simulated();
 * try (Resource hv = k.simulatedPlatform().hypervisorResource();
 *      Guest guest = k.createGuest(hv)) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Every resource method creates a fresh handle that the caller owns and must close.
 */
public final class SimulatedPlatform {
    private final Kernel kernel;
    private final SimKernel sim;

    SimulatedPlatform(Kernel kernel, SimKernel sim) {
        this.kernel = Objects.requireNonNull(kernel);
        this.sim = Objects.requireNonNull(sim);
    }

    /**

     * {@return the simulated kernel behind this platform (clock, fault injection, live handles)}

     */
    public SimKernel simKernel() {
        return sim;
    }

    /** {@return the untyped platform of the raw layer, for what this view does not wrap} */
    public SimPlatform raw() {
        return sim.platform();
    }

    /**
     * The root resource, which passes every resource check.
     *
     * @return a new owned handle
     */
    public Resource rootResource() {
        return own(sim.platform().createRootResource());
    }

    /**
     * The hypervisor resource {@link Kernel#createGuest(Resource)} needs.
     *
     * @return a new owned handle
     */
    public Resource hypervisorResource() {
        return own(sim.platform().createHypervisorResource());
    }

    /**
     * The VMEX resource {@link Vmo#replaceAsExecutable(Resource)} needs.
     *
     * @return a new owned handle
     */
    public Resource vmexResource() {
        return own(sim.platform().createVmexResource());
    }

    /**
     * An IRQ resource covering the hardware vectors {@code [firstVector, firstVector + count)},
     * for {@link Kernel#createInterrupt(Resource, int, InterruptOptions...)}.
     *
     * @param firstVector the first vector covered
     * @param count       how many vectors are covered
     * @return a new owned handle
     */
    public Resource irqResource(int firstVector, int count) {
        if (firstVector < 0 || count < 0) {
            throw new IllegalArgumentException("negative IRQ range: " + firstVector + ", "
                    + count);
        }
        return own(sim.platform().createIrqResource(firstVector, count));
    }

    /**
     * The hardware interrupt line of {@code vector}: {@link SimPlatform.IrqLine#fire()} raises
     * it through the same path as hardware.
     *
     * @param vector 0 … {@value SimPlatform#IRQ_VECTORS} − 1
     * @return the line
     * @throws IllegalArgumentException for a vector outside the machine's lines
     */
    public SimPlatform.IrqLine irqLine(int vector) {
        return sim.platform().irqLine(vector);
    }

    private Resource own(int raw) {
        return kernel.wrapOwned(raw, Resource.class);
    }

    @Override
    public String toString() {
        return "SimulatedPlatform[" + sim + "]";
    }
}
