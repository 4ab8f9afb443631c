package dev.zx4j;

/**
 * A thread-confined {@link Vcpu} call came from the wrong thread. Thrown in Java before any
 * syscall — the kernel would answer {@code ZX_ERR_BAD_STATE} — and names both threads, in the
 * way Panama's confined arenas throw {@code WrongThreadException}.
 */
public final class VcpuThreadException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** Name of the thread that owns the VCPU. */
    private final String ownerName;
    /** Id of the thread that owns the VCPU. */
    private final long ownerId;
    /** Name of the thread that made the call. */
    private final String callerName;
    /** Id of the thread that made the call. */
    private final long callerId;

    VcpuThreadException(String vcpu, String operation, Thread owner, Thread caller) {
        super(vcpu + " belongs to thread " + describe(owner)
                + (owner.isAlive() ? "" : " (terminated: it can never run again)")
                + "; " + operation + " called from " + describe(caller)
                + ". enter, readState, writeState and writeIo must run on the VCPU's own thread;"
                + " kick, interrupt and close work from any thread");
        this.ownerName = owner.getName();
        this.ownerId = id(owner);
        this.callerName = caller.getName();
        this.callerId = id(caller);
    }

    /** {@return name of the thread the VCPU belongs to} */
    public String ownerName() {
        return ownerName;
    }

    /** {@return id of the thread the VCPU belongs to} */
    public long ownerId() {
        return ownerId;
    }

    /** {@return name of the thread that made the call} */
    public String callerName() {
        return callerName;
    }

    /** {@return id of the thread that made the call} */
    public long callerId() {
        return callerId;
    }

    static String describe(Thread t) {
        return "'" + t.getName() + "' (id " + id(t) + ")";
    }

    @SuppressWarnings("deprecation") // Thread.threadId() arrived in Java 19; getId() is the same
    static long id(Thread t) {
        return t.getId();
    }
}
