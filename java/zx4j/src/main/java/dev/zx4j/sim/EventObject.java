package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.ZX_EVENT_SIGNALED;
import static dev.zx4j.abi.Zx.ZX_OBJ_TYPE_EVENT;

/**
 * An event ({@code zx_event_create}): nothing but a signal word. The kernel asserts nothing on
 * it; {@code zx_object_signal} may change the eight user signals and {@code ZX_EVENT_SIGNALED}.
 */
final class EventObject extends KernelObject {

    EventObject(SimKernel kernel) {
        super(kernel);
    }

    @Override
    int type() {
        return ZX_OBJ_TYPE_EVENT;
    }

    @Override
    boolean waitable() {
        return true;
    }

    @Override
    int extraUserSignals() {
        return ZX_EVENT_SIGNALED;
    }
}
