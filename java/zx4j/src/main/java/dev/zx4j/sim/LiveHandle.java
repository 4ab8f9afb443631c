package dev.zx4j.sim;

/**
 * A handle open in a simulated kernel, as reported by {@link SimKernel#liveHandles()}.
 *
 * @param value  the handle value
 * @param type   the object type ({@code ZX_OBJ_TYPE_*})
 * @param rights the handle's rights
 * @param koid   the object's koid
 * @param origin where the handle was created, when the kernel records origins; else null
 */
public record LiveHandle(int value, int type, int rights, long koid, Throwable origin) {}
