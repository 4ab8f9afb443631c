package dev.zx4j.sim;

/** Makes the engine of a new VCPU. */
interface VcpuEngines {
    /**
     * @param bus   the guest's physical memory
     * @param boot  true for the guest's boot VCPU (VPID 1: 64-bit mode, RIP = entry); false for
     *              an application processor (real mode, CS.base = entry, RIP = 0)
     * @param entry the entry address given to {@code zx_vcpu_create}
     */
    VcpuEngine create(VcpuEngine.Bus bus, boolean boot, long entry);
}
