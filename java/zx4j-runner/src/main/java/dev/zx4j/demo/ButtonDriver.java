package dev.zx4j.demo;

import dev.zx4j.Event;
import dev.zx4j.Interrupt;
import dev.zx4j.Signals;
import dev.zx4j.Status;
import dev.zx4j.async.AsyncLoop;
import java.time.Duration;

/**
 * The example driver of the README, built on {@link AsyncLoop}: a push button on an interrupt
 * line, debounced in software.
 *
 * <ul>
 *   <li>IRQ handler: acknowledges the interrupt and (re)starts a debounce task {@link #DEBOUNCE}
 *       later, so a burst of edges counts once;</li>
 *   <li>debounce task: counts the press and pulses {@link Signals#USER_0} on the
 *       {@linkplain #pressed() pressed event} that clients wait on;</li>
 *   <li>wait handler: a client asserting {@link Signals#USER_1} on the {@linkplain #control()
 *       control event} asks the driver to reset its count; the wait is re-armed each time.</li>
 * </ul>
 * Everything runs on the loop's threads; the driver keeps no lock of its own.
 */
public final class ButtonDriver implements AutoCloseable {
    /** How long the line must stay quiet before a press counts. */
    public static final Duration DEBOUNCE = Duration.ofMillis(10);

    private final AsyncLoop loop;
    private final Event pressed;
    private final Event control;
    private volatile int presses;
    private AsyncLoop.Task debounce;

    /**
     * Starts the driver: creates its two events, binds the button's interrupt to the loop and arms
     * the wait on the control event.
     *
     * @param loop the loop whose threads run the driver
     * @param button the button's interrupt; the driver acknowledges it after each delivery
     */
    public ButtonDriver(AsyncLoop loop, Interrupt button) {
        this.loop = loop;
        this.pressed = loop.kernel().createEvent();
        this.control = loop.kernel().createEvent();
        loop.bindIrq(button, this::onIrq);
        loop.beginWait(control, Signals.USER_1, this::onControl);
    }

    /**
     * Pulses {@link Signals#USER_0} (set, then cleared by the next press) once per press.
     *
     * @return a borrowed view of the pressed event
     */
    public Event pressed() {
        return pressed.borrow();
    }

    /**
     * Assert {@link Signals#USER_1} here to reset the press count.
     *
     * @return a borrowed view of the control event
     */
    public Event control() {
        return control.borrow();
    }

    /** {@return the number of debounced presses since the start or the last reset} */
    public int presses() {
        return presses;
    }

    private void onIrq(AsyncLoop l, AsyncLoop.Irq irq, Status status, long timestamp) {
        if (!status.equals(Status.OK)) {
            return; // the loop is shutting down
        }
        irq.ack();
        if (debounce != null) {
            debounce.cancel();
        }
        debounce = l.postDelayed(DEBOUNCE, this::onQuiet);
    }

    private void onQuiet(AsyncLoop l, AsyncLoop.Task task, Status status) {
        if (!status.equals(Status.OK)) {
            return;
        }
        presses++;
        pressed.signal(Signals.USER_0, Signals.USER_0.or(Signals.EVENT_SIGNALED));
    }

    private void onControl(AsyncLoop l, AsyncLoop.Wait wait, Status status,
                           dev.zx4j.PortPacket.SignalPacket packet) {
        if (!status.equals(Status.OK)) {
            return;
        }
        presses = 0;
        control.signal(Signals.USER_1, Signals.NONE);
        wait.begin();
    }

    /** Closes the driver's events (shut the loop down first). */
    @Override
    public void close() {
        pressed.close();
        control.close();
    }
}
