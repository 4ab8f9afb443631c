package dev.zx4j.sim;

/** A syscall's failure status, thrown inside the simulated kernel and returned at its edge. */
final class SysErr extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    SysErr(int status) {
        super(null, null, false, false);
        this.status = status;
    }
}
