package dev.zx4j.async;

import dev.zx4j.ClosedHandleException;
import dev.zx4j.HandleObject;
import dev.zx4j.Interrupt;
import dev.zx4j.Kernel;
import dev.zx4j.Port;
import dev.zx4j.PortOptions;
import dev.zx4j.PortPacket;
import dev.zx4j.Signals;
import dev.zx4j.Status;
import dev.zx4j.Timer;
import dev.zx4j.TimerSlack;
import dev.zx4j.WaitAsyncOptions;
import dev.zx4j.ZxException;
import dev.zx4j.abi.Zx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An async dispatcher in the spirit of Fuchsia's async-loop: one port, drained by the threads
 * that {@linkplain #run() run} the loop (the caller, {@linkplain #startThreads threads of its
 * own}, or a test calling {@link #runUntilIdle()}), dispatching
 *
 * <ul>
 *   <li><b>waits</b> ({@link #beginWait}): one {@code zx_object_wait_async} per wait; its handler
 *       runs once with the {@link PortPacket.SignalPacket} (re-arm with {@link Wait#begin()});</li>
 *   <li><b>tasks</b> ({@link #postTask}, {@link #postTaskAt}, {@link #postDelayed}): run at or
 *       after their deadline on the kernel's monotonic clock, in deadline order (ties in posting
 *       order). One kernel {@link Timer}, armed for the earliest deadline and waited on through
 *       the same port, wakes the loop — so a simulated kernel's {@code ManualClock} drives tasks
 *       in tests;</li>
 *   <li><b>interrupts</b> ({@link #bindIrq}): bound to the loop's port
 *       ({@code ZX_PORT_BIND_TO_INTERRUPT}); the handler runs for each interrupt packet and
 *       acknowledges with {@link Irq#ack()} when it is ready for the next one.</li>
 * </ul>
 *
 * <p><b>Cancellation</b> ({@link Wait#cancel()}, {@link Task#cancel()}) succeeds exactly when the
 * handler has not been (and now never will be) called; a handler already dequeued runs. For a
 * wait this is decided by removing its key from the loop's table, and the kernel's
 * {@code zx_port_cancel} then drops the armed observer or its queued packet.
 *
 * <p><b>Shutdown</b> ({@link #shutdown()} or {@link #close()}) stops the loop threads, then calls
 * every pending wait, task and interrupt handler once with {@link Status#CANCELED} (on the
 * calling thread), unbinds the interrupts, and closes the port and the timer. Handlers must not
 * post more work then; what they post is cancelled too.
 *
 * <p>A handler that throws ends the dispatch call it runs in: {@link #runUntilIdle()} and
 * {@link #run()} rethrow it to their caller; on a loop thread it goes to the thread's uncaught
 * exception handler and that thread ends. All methods are thread-safe.
 */
public final class AsyncLoop implements AutoCloseable {

    /** What a wait's handler receives. */
    @FunctionalInterface
    public interface WaitHandler {
        /**
         * Called on a loop thread once per arming: when the signals matched, or at shutdown.
         *
         * @param loop   the loop
         * @param wait   the wait that fired; {@link Wait#begin()} re-arms it
         * @param status {@link Status#OK} with the packet, or {@link Status#CANCELED} at shutdown
         *               (packet null)
         * @param packet the signal packet, or null when cancelled
         */
        void handle(AsyncLoop loop, Wait wait, Status status, PortPacket.SignalPacket packet);
    }

    /** What a task's handler receives. */
    @FunctionalInterface
    public interface TaskHandler {
        /**
         * Called on a loop thread once: when the task is due, or at shutdown.
         *
         * @param loop   the loop
         * @param task   the task that ran
         * @param status {@link Status#OK} when due, {@link Status#CANCELED} at shutdown
         */
        void handle(AsyncLoop loop, Task task, Status status);
    }

    /** What an interrupt's handler receives. */
    @FunctionalInterface
    public interface IrqHandler {
        /**
         * Called on a loop thread for each interrupt packet, and once at shutdown.
         *
         * @param loop      the loop
         * @param irq       the binding; {@link Irq#ack()} re-arms the interrupt
         * @param status    {@link Status#OK} for an interrupt, {@link Status#CANCELED} at shutdown
         * @param timestamp the interrupt's timestamp (0 when cancelled)
         */
        void handle(AsyncLoop loop, Irq irq, Status status, long timestamp);
    }

    private static final long TIMER_KEY = 1;
    private static final long QUIT_KEY = 2;
    private static final long FIRST_KEY = 16;

    private final Kernel kernel;
    private final Port port;
    private final Timer timer;
    private final AtomicLong keys = new AtomicLong(FIRST_KEY);
    private final Map<Long, Wait> waits = new ConcurrentHashMap<>();
    private final Map<Long, Irq> irqs = new ConcurrentHashMap<>();
    private final Object taskLock = new Object();
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long armedDeadline = Long.MAX_VALUE;
    private long taskSeq;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean shutDown;

    /**
     * A loop on {@code kernel}: creates its port ({@code BIND_TO_INTERRUPT}) and timer.
     *
     * @param kernel the kernel the loop's objects live on
     */
    public AsyncLoop(Kernel kernel) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.port = kernel.createPort(PortOptions.BIND_TO_INTERRUPT);
        Timer t = null;
        try {
            t = kernel.createTimer(TimerSlack.LATE);
            t.waitAsync(port, TIMER_KEY, Signals.TIMER_SIGNALED);
        } catch (RuntimeException e) {
            if (t != null) {
                t.close();
            }
            port.close();
            throw e;
        }
        this.timer = t;
    }

    /** {@return the kernel the loop was created on} */
    public Kernel kernel() {
        return kernel;
    }

    /** {@return a view of the loop's port (it cannot be closed through the view)} */
    public Port port() {
        return port.borrow();
    }

    // ---- waits ----------------------------------------------------------------------------

    /** A wait for signals of one object; see {@link AsyncLoop#beginWait}. */
    public final class Wait {
        private final HandleObject<?> object;
        private final Signals trigger;
        private final WaitAsyncOptions[] options;
        private final WaitHandler handler;
        private volatile long key;

        private Wait(HandleObject<?> object, Signals trigger, WaitHandler handler,
                     WaitAsyncOptions[] options) {
            this.object = object;
            this.trigger = trigger;
            this.handler = handler;
            this.options = options.clone();
        }

        /** {@return the watched object} */
        public HandleObject<?> object() {
            return object;
        }

        /** {@return the signals that fire the wait} */
        public Signals trigger() {
            return trigger;
        }

        /**
         * Arms the wait (again): one more handler call when a trigger signal is asserted.
         *
         * @throws IllegalStateException if it is already armed or the loop is shut down
         */
        public void begin() {
            if (shutDown) {
                throw new IllegalStateException("the loop is shut down");
            }
            if (isPending()) {
                throw new IllegalStateException("the wait is already pending");
            }
            long k = keys.getAndIncrement();
            waits.put(k, this);
            key = k;
            try {
                object.waitAsync(port, k, trigger, options);
            } catch (RuntimeException e) {
                waits.remove(k, this);
                throw e;
            }
        }

        /** {@return whether the wait is armed and its handler not yet dequeued} */
        public boolean isPending() {
            long k = key;
            return k != 0 && waits.get(k) == this;
        }

        /**
         * Cancels the wait: true when its handler will not run for this arming, false when it
         * is not pending (already dispatched, or never begun).
         *
         * @return true if the pending arming was cancelled
         */
        public boolean cancel() {
            long k = key;
            if (k == 0 || !waits.remove(k, this)) {
                return false;
            }
            try {
                port.cancel(object, k); // drops the observer or its queued packet
            } catch (ZxException | ClosedHandleException e) {
                // the object's handle was closed: the kernel dropped the wait already
            }
            return true;
        }
    }

    /**
     * Arms a wait for {@code trigger} signals of {@code object} (which must stay open while the
     * wait is pending: closing it drops the wait in the kernel, and the handler never runs).
     *
     * @param object the object to watch
     * @param trigger the signals that fire the wait
     * @param handler runs on a loop thread when the wait fires
     * @param options wait options, such as {@link WaitAsyncOptions#EDGE}
     * @return the armed wait
     */
    public Wait beginWait(HandleObject<?> object, Signals trigger, WaitHandler handler,
                          WaitAsyncOptions... options) {
        Wait w = new Wait(object, trigger, Objects.requireNonNull(handler, "handler"), options);
        w.begin();
        return w;
    }

    // ---- tasks ----------------------------------------------------------------------------

    /** A task posted to run at a deadline. */
    public final class Task implements Comparable<Task> {
        private final long deadline;
        private final long seq;
        private final TaskHandler handler;
        private boolean queued;

        private Task(long deadline, long seq, TaskHandler handler) {
            this.deadline = deadline;
            this.seq = seq;
            this.handler = handler;
        }

        /** {@return the monotonic time at or after which the task runs} */
        public long deadline() {
            return deadline;
        }

        /** {@return cancels the task: true when it had not run yet and now never will} */
        public boolean cancel() {
            synchronized (taskLock) {
                if (!queued) {
                    return false;
                }
                queued = false;
                tasks.remove(this);
                return true;
            }
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(deadline, o.deadline);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /**
     * Posts a task that runs as soon as the loop gets to it.
     *
     * @param handler runs on a loop thread
     * @return the task, which can be cancelled until it runs
     */
    public Task postTask(TaskHandler handler) {
        return postTaskAt(kernel.monotonicNow(), handler);
    }

    /**
     * Posts a task for {@code delay} from now.
     *
     * @param delay the time from now
     * @param handler runs on a loop thread when due
     * @return the task, which can be cancelled until it runs
     */
    public Task postDelayed(Duration delay, TaskHandler handler) {
        return postTaskAt(kernel.deadlineAfter(delay), handler);
    }

    /**
     * Posts a task for the absolute monotonic time {@code deadline}.
     *
     * @param deadline the absolute monotonic time in nanoseconds
     * @param handler runs on a loop thread when due
     * @return the task, which can be cancelled until it runs
     */
    public Task postTaskAt(long deadline, TaskHandler handler) {
        Objects.requireNonNull(handler, "handler");
        synchronized (taskLock) {
            if (shutDown) {
                throw new IllegalStateException("the loop is shut down");
            }
            Task t = new Task(deadline, taskSeq++, handler);
            t.queued = true;
            tasks.add(t);
            if (deadline < armedDeadline) {
                armedDeadline = deadline;
                timer.set(deadline, Duration.ZERO);
            }
            return t;
        }
    }

    /** The timer fired: take the due tasks, re-arm for the next one, and wait on the timer again. */
    private List<Task> dueTasks() {
        List<Task> due = new ArrayList<>();
        synchronized (taskLock) {
            long now = kernel.monotonicNow();
            while (!tasks.isEmpty() && tasks.peek().deadline <= now) {
                Task t = tasks.poll();
                t.queued = false;
                due.add(t);
            }
            if (tasks.isEmpty()) {
                armedDeadline = Long.MAX_VALUE;
                timer.cancel();
            } else {
                armedDeadline = tasks.peek().deadline;
                timer.set(armedDeadline, Duration.ZERO);
            }
            if (!shutDown) {
                timer.waitAsync(port, TIMER_KEY, Signals.TIMER_SIGNALED);
            }
        }
        return due;
    }

    // ---- interrupts -----------------------------------------------------------------------

    /** An interrupt bound to the loop's port; see {@link AsyncLoop#bindIrq}. */
    public final class Irq {
        private final Interrupt interrupt;
        private final IrqHandler handler;
        private final long key;

        private Irq(Interrupt interrupt, IrqHandler handler, long key) {
            this.interrupt = interrupt;
            this.handler = handler;
            this.key = key;
        }

        /** {@return the bound interrupt} */
        public Interrupt interrupt() {
            return interrupt;
        }

        /** Acknowledges the interrupt ({@code zx_interrupt_ack}), letting the next one through. */
        public void ack() {
            interrupt.ack();
        }

        /**

         * {@return unbinds the interrupt from the loop; true if it was bound (its handler stops)}

         */
        public boolean unbind() {
            if (!irqs.remove(key, this)) {
                return false;
            }
            interrupt.unbind(port);
            return true;
        }
    }

    /**
     * Binds {@code interrupt} to the loop's port; {@code handler} runs for each interrupt.
     *
     * @param interrupt the interrupt, which must not be bound elsewhere
     * @param handler runs on a loop thread for each interrupt
     * @return the binding
     */
    public Irq bindIrq(Interrupt interrupt, IrqHandler handler) {
        if (shutDown) {
            throw new IllegalStateException("the loop is shut down");
        }
        Irq irq = new Irq(interrupt, Objects.requireNonNull(handler, "handler"),
                keys.getAndIncrement());
        irqs.put(irq.key, irq);
        try {
            interrupt.bind(port, irq.key);
        } catch (RuntimeException e) {
            irqs.remove(irq.key);
            throw e;
        }
        return irq;
    }

    // ---- running ----------------------------------------------------------------------------

    /**
     * Dispatches everything that is ready now (packets already queued, tasks already due,
     * including what those handlers make ready) without blocking, on the calling thread.
     *
     * @return the number of handlers called
     */
    public int runUntilIdle() {
        int n = 0;
        while (true) {
            PortPacket p;
            try {
                p = port.waitUntil(Zx.ZX_TIME_INFINITE_PAST);
            } catch (ZxException e) {
                if (e.status().equals(Status.TIMED_OUT)) {
                    return n;
                }
                throw e;
            }
            int d = dispatch(p);
            if (d < 0) {
                return n; // a quit packet: leave it for nobody, stop here
            }
            n += d;
        }
    }

    /** Dispatches on the calling thread until {@link #quit()} (or shutdown). */
    public void run() {
        while (!shutDown) {
            if (dispatch(port.waitForever()) < 0) {
                return;
            }
        }
    }

    /**
     * Starts {@code n} daemon threads named {@code name-0} … that {@link #run()} the loop.
     *
     * @param n how many threads
     * @param name the prefix of their names
     */
    public void startThreads(int n, String name) {
        synchronized (threads) {
            if (shutDown) {
                throw new IllegalStateException("the loop is shut down");
            }
            for (int i = 0; i < n; i++) {
                Thread t = new Thread(this::run, name + "-" + threads.size());
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }
    }

    /** Makes one thread in {@link #run()} (or {@link #runUntilIdle()}) return. */
    public void quit() {
        port.queue(new PortPacket.UserPacket(QUIT_KEY, Status.OK, new byte[32]));
    }

    /** Runs the handler for one packet; -1 for a quit packet, else handlers called. */
    private int dispatch(PortPacket p) {
        long key = p.key();
        if (p instanceof PortPacket.UserPacket && key == QUIT_KEY) {
            return -1;
        }
        if (p instanceof PortPacket.SignalPacket s) {
            if (key == TIMER_KEY) {
                int n = 0;
                for (Task t : dueTasks()) {
                    t.handler.handle(this, t, Status.OK);
                    n++;
                }
                return n;
            }
            Wait w = waits.remove(key);
            if (w == null) {
                return 0; // cancelled after the packet was queued
            }
            w.handler.handle(this, w, Status.OK, s);
            return 1;
        }
        if (p instanceof PortPacket.InterruptPacket ip) {
            Irq irq = irqs.get(key);
            if (irq == null) {
                return 0;
            }
            irq.handler.handle(this, irq, Status.OK, ip.timestamp());
            return 1;
        }
        return 0;
    }

    /**
     * Stops the loop threads (waiting for them to finish their current handler; a loop thread
     * calling this from a handler is not waited for), then calls
     * every pending handler once with {@link Status#CANCELED} and closes the port and timer.
     * Idempotent.
     */
    public void shutdown() {
        List<Thread> toJoin;
        synchronized (threads) {
            if (shutDown) {
                return;
            }
            toJoin = new ArrayList<>(threads);
            for (int i = 0; i < toJoin.size(); i++) {
                quit();
            }
        }
        for (Thread t : toJoin) {
            if (t == Thread.currentThread()) {
                continue; // shutdown from a handler: this thread returns when the handler does
            }
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<Task> pendingTasks;
        synchronized (taskLock) {
            shutDown = true;
            pendingTasks = new ArrayList<>(tasks);
            pendingTasks.sort(null);
            tasks.clear();
            for (Task t : pendingTasks) {
                t.queued = false;
            }
        }
        try {
            for (Wait w : new ArrayList<>(waits.values())) {
                if (w.cancel()) {
                    w.handler.handle(this, w, Status.CANCELED, null);
                }
            }
            for (Task t : pendingTasks) {
                t.handler.handle(this, t, Status.CANCELED);
            }
            for (Irq irq : new ArrayList<>(irqs.values())) {
                if (irqs.remove(irq.key, irq)) {
                    try {
                        irq.interrupt.unbind(port);
                    } catch (ZxException | IllegalStateException e) {
                        // destroyed or closed by its owner: nothing left to unbind
                    }
                    irq.handler.handle(this, irq, Status.CANCELED, 0);
                }
            }
        } finally {
            timer.close();
            port.close();
        }
    }

    /** Same as {@link #shutdown()}. */
    @Override
    public void close() {
        shutdown();
    }
}
