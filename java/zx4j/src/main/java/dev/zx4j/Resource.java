package dev.zx4j;

/**
 * A resource handle: the capability that authorises physical interrupts (an IRQ resource),
 * guests (the hypervisor resource) and the like. A resource is usually handed to a driver or VMM;
 * take ownership of a raw one with {@link Kernel#adopt(int, Class)}.
 */
public final class Resource extends HandleObject<Resource> {

    Resource(Kernel kernel, HandleCell cell, boolean owner) {
        super(kernel, cell, owner);
    }

    @Override
    Resource wrap(HandleCell cell, boolean owner) {
        return new Resource(kernel, cell, owner);
    }
}
