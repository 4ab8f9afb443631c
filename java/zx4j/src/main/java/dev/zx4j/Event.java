package dev.zx4j;

/**
 * An event ({@code zx_event_create}): a signal word only, changed with
 * {@link #signal(Signals, Signals)} ({@link Signals#EVENT_SIGNALED} and the user signals) and
 * observed with {@link #waitOne} or {@link #waitAsync}. Create one with {@link Kernel#createEvent()}.
 */
public final class Event extends HandleObject<Event> {

    Event(Kernel kernel, HandleCell cell, boolean owner) {
        super(kernel, cell, owner);
    }

    @Override
    Event wrap(HandleCell cell, boolean owner) {
        return new Event(kernel, cell, owner);
    }
}
