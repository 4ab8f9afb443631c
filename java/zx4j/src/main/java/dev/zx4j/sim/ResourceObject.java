package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.ZX_ERR_OUT_OF_RANGE;
import static dev.zx4j.abi.Zx.ZX_ERR_WRONG_TYPE;
import static dev.zx4j.abi.Zx.ZX_OBJ_TYPE_RESOURCE;
import static dev.zx4j.abi.Zx.ZX_RSRC_KIND_ROOT;

/** A resource: a capability over a range [base, base+size) of one kind (IRQ, SYSTEM, …). */
final class ResourceObject extends KernelObject {
    final int kind;
    final long base;
    final long size;

    ResourceObject(SimKernel kernel, int kind, long base, long size) {
        super(kernel);
        this.kind = kind;
        this.base = base;
        this.size = size;
    }

    @Override
    int type() {
        return ZX_OBJ_TYPE_RESOURCE;
    }

    /**
     * {@code validate_ranged_resource} after the handle lookup: a root resource allows
     * everything; otherwise the kind must match ({@code WRONG_TYPE}) and the range must lie
     * inside the resource ({@code OUT_OF_RANGE}).
     */
    void validate(int wantKind, long wantBase, long wantSize) throws SysErr {
        if (kind == ZX_RSRC_KIND_ROOT) {
            return;
        }
        if (kind != wantKind) {
            throw new SysErr(ZX_ERR_WRONG_TYPE);
        }
        long end = wantBase + wantSize;
        if (Long.compareUnsigned(end, wantBase) < 0
                || Long.compareUnsigned(wantBase, base) < 0
                || Long.compareUnsigned(end, base + size) > 0) {
            throw new SysErr(ZX_ERR_OUT_OF_RANGE);
        }
    }
}
