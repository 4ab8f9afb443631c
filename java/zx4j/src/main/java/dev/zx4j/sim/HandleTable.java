package dev.zx4j.sim;

import static dev.zx4j.abi.Zx.ZX_ERR_ACCESS_DENIED;
import static dev.zx4j.abi.Zx.ZX_ERR_BAD_HANDLE;
import static dev.zx4j.abi.Zx.ZX_ERR_NO_RESOURCES;
import static dev.zx4j.abi.Zx.ZX_ERR_WRONG_TYPE;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The handle table of the (single) simulated process.
 *
 * <p>A handle value is {@code slot << 10 | generation << 2 | 0b11}: the two low bits are always
 * set, as on Zircon. Each slot's generation advances when its handle is removed, and a slot whose
 * generation is used up is retired rather than reused, so a stale value can never name another
 * object: looking it up is {@code ZX_ERR_BAD_HANDLE}.
 *
 * <p>Changes ({@link #add}, {@link #remove}) happen under the kernel lock. Lookups need no lock:
 * the slots are an atomic array published through a volatile field, and a handle is immutable,
 * so a lookup racing a close sees either the whole handle (the lookup came first) or nothing
 * ({@code ZX_ERR_BAD_HANDLE}), never a torn entry. A lookup that still sees a handle being closed
 * is ordered before the close, as on Zircon, where a syscall keeps the object it looked up.
 */
final class HandleTable {
    private static final int GEN_BITS = 8;
    private static final int GEN_MASK = (1 << GEN_BITS) - 1;
    private static final int SLOT_SHIFT = 2 + GEN_BITS;
    private static final int MAX_SLOTS = 1 << (32 - SLOT_SHIFT);

    /** One handle: a reference to an object with rights. */
    static final class Handle {
        final KernelObject object;
        final int rights;
        final int value;
        /** Where the handle was created, when the kernel records origins; else null. */
        final Throwable origin;

        Handle(KernelObject object, int rights, int value, Throwable origin) {
            this.object = object;
            this.rights = rights;
            this.value = value;
            this.origin = origin;
        }
    }

    /** Replaced (grown) only under the kernel lock; read without it. */
    private volatile AtomicReferenceArray<Handle> slots = new AtomicReferenceArray<>(64);
    private int[] generations = new int[64];
    private int used;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private int live;

    int liveCount() {
        return live;
    }

    /** Adds a handle for {@code object}; the object's handle count goes up. */
    Handle add(KernelObject object, int rights, Throwable origin) throws SysErr {
        int slot;
        if (!free.isEmpty()) {
            slot = free.poll();
        } else {
            if (used == MAX_SLOTS) {
                throw new SysErr(ZX_ERR_NO_RESOURCES);
            }
            if (used == slots.length()) {
                AtomicReferenceArray<Handle> old = slots;
                AtomicReferenceArray<Handle> grown = new AtomicReferenceArray<>(old.length() * 2);
                for (int i = 0; i < old.length(); i++) {
                    grown.set(i, old.get(i));
                }
                slots = grown;
                generations = Arrays.copyOf(generations, generations.length * 2);
            }
            slot = used++;
        }
        int value = (slot << SLOT_SHIFT) | (generations[slot] << 2) | 0b11;
        Handle h = new Handle(object, rights, value, origin);
        object.handleCount++;
        slots.set(slot, h);
        live++;
        return h;
    }

    /** The handle named by {@code value}, or null when the value names none. Lock-free. */
    Handle get(int value) {
        if ((value & 0b11) != 0b11) {
            return null;
        }
        int slot = value >>> SLOT_SHIFT;
        AtomicReferenceArray<Handle> table = slots;
        if (slot >= table.length()) {
            return null;
        }
        Handle h = table.get(slot);
        return h != null && h.value == value ? h : null;
    }

    /** Looks a handle up: {@code BAD_HANDLE}, then nothing else. */
    Handle lookup(int value) throws SysErr {
        Handle h = get(value);
        if (h == null) {
            throw new SysErr(ZX_ERR_BAD_HANDLE);
        }
        return h;
    }

    /** Looks a handle up with Zircon's order: bad handle, then wrong type, then missing rights. */
    <T> T lookup(int value, Class<T> type, int rights) throws SysErr {
        Handle h = lookup(value);
        if (!type.isInstance(h.object)) {
            throw new SysErr(ZX_ERR_WRONG_TYPE);
        }
        if ((h.rights & rights) != rights) {
            throw new SysErr(ZX_ERR_ACCESS_DENIED);
        }
        return type.cast(h.object);
    }

    /**
     * Removes a handle. Returns its object when that was the object's last handle (the caller
     * then runs {@link KernelObject#onZeroHandles()}), else null.
     */
    KernelObject remove(Handle h) {
        int slot = h.value >>> SLOT_SHIFT;
        slots.set(slot, null);
        live--;
        int gen = generations[slot] + 1;
        if (gen <= GEN_MASK) {
            generations[slot] = gen;
            free.add(slot);
        } // else: the slot is retired for good, so no value can ever be seen twice
        return --h.object.handleCount == 0 ? h.object : null;
    }

    List<Handle> snapshot() {
        List<Handle> out = new ArrayList<>(live);
        AtomicReferenceArray<Handle> table = slots;
        for (int i = 0; i < used; i++) {
            Handle h = table.get(i);
            if (h != null) {
                out.add(h);
            }
        }
        return out;
    }
}
