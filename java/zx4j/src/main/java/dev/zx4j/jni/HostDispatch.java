package dev.zx4j.jni;

import dev.zx4j.abi.Layouts;
import dev.zx4j.abi.Syscalls;
import dev.zx4j.abi.Zx;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The Java side of the host libzircon: decodes one forwarded C call (call number + seven 64-bit
 * words) and runs it on the kernel this thread is currently calling through
 * ({@link NativeKernel} sets it around every JNI call).
 *
 * <p>Pointer rule: a NULL pointer becomes a {@code null} array (the kernel then reports
 * {@code ZX_ERR_INVALID_ARGS} at its own copy point); a non-NULL pointer becomes an array of the
 * C object's size, copied in before the call and, for non-const pointers, copied out after it.
 *
 * <p>The call numbers ({@code NR_*}) must match {@code ZX4J_NR_*} in
 * {@code native/include/zx4j/host.h}; {@code SurfaceCheck} verifies it.
 */
final class HostDispatch {
    private HostDispatch() {}

    static final int NR_zx_handle_close = 0;
    static final int NR_zx_handle_duplicate = 1;
    static final int NR_zx_handle_replace = 2;
    static final int NR_zx_object_get_info = 3;
    static final int NR_zx_clock_get_monotonic = 4;
    static final int NR_zx_port_create = 5;
    static final int NR_zx_port_queue = 6;
    static final int NR_zx_port_wait = 7;
    static final int NR_zx_port_cancel = 8;
    static final int NR_zx_interrupt_create = 9;
    static final int NR_zx_interrupt_bind = 10;
    static final int NR_zx_interrupt_bind_vcpu = 11;
    static final int NR_zx_interrupt_ack = 12;
    static final int NR_zx_interrupt_trigger = 13;
    static final int NR_zx_interrupt_wait = 14;
    static final int NR_zx_interrupt_destroy = 15;
    static final int NR_zx_vmo_create = 16;
    static final int NR_zx_vmo_read = 17;
    static final int NR_zx_vmo_write = 18;
    static final int NR_zx_vmo_get_size = 19;
    static final int NR_zx_vmo_replace_as_executable = 20;
    static final int NR_zx_vmar_map = 21;
    static final int NR_zx_vmar_unmap = 22;
    static final int NR_zx_guest_create = 23;
    static final int NR_zx_guest_set_trap = 24;
    static final int NR_zx_vcpu_create = 25;
    static final int NR_zx_vcpu_enter = 26;
    static final int NR_zx_vcpu_kick = 27;
    static final int NR_zx_vcpu_interrupt = 28;
    static final int NR_zx_vcpu_read_state = 29;
    static final int NR_zx_vcpu_write_state = 30;
    static final int NR_zx_event_create = 31;
    static final int NR_zx_object_signal = 32;
    static final int NR_zx_object_wait_one = 33;
    static final int NR_zx_object_wait_many = 34;
    static final int NR_zx_object_wait_async = 35;
    static final int NR_zx_timer_create = 36;
    static final int NR_zx_timer_set = 37;
    static final int NR_zx_timer_cancel = 38;

    /** Largest C buffer that can become a Java array; larger ones are treated as faulting. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private static final ThreadLocal<Syscalls> TARGET = new ThreadLocal<>();

    /** Callbacks that failed with a Java exception (turned into ZX_ERR_INTERNAL). */
    static final AtomicLong FAILURES = new AtomicLong();
    static volatile Throwable lastFailure;

    static Syscalls enter(Syscalls target) {
        Syscalls previous = TARGET.get();
        TARGET.set(target);
        return previous;
    }

    static void exit(Syscalls previous) {
        if (previous == null) {
            TARGET.remove();
        } else {
            TARGET.set(previous);
        }
    }

    static long internalError(int nr, Throwable t) {
        try {
            FAILURES.incrementAndGet();
            lastFailure = t;
        } catch (Throwable ignored) {
            // nothing may escape into C
        }
        return nr == NR_zx_clock_get_monotonic ? 0 : Zx.ZX_ERR_INTERNAL;
    }

    static long dispatch(int nr, long a0, long a1, long a2, long a3, long a4, long a5, long a6) {
        Syscalls k = TARGET.get();
        if (k == null) {
            // A zx_* call on a thread that is not inside a NativeKernel call: no kernel.
            return nr == NR_zx_clock_get_monotonic ? 0 : Zx.ZX_ERR_BAD_STATE;
        }
        switch (nr) {
            case NR_zx_handle_close:
                return k.zx_handle_close((int) a0);
            case NR_zx_handle_duplicate: {
                int[] out = inInt(a2);
                int s = k.zx_handle_duplicate((int) a0, (int) a1, out);
                outInt(a2, out);
                return s;
            }
            case NR_zx_handle_replace: {
                int[] out = inInt(a2);
                int s = k.zx_handle_replace((int) a0, (int) a1, out);
                outInt(a2, out);
                return s;
            }
            case NR_zx_object_get_info: {
                byte[] buf = inBytes(a2, a3);
                long[] actual = inLong(a4);
                long[] avail = inLong(a5);
                int s = k.zx_object_get_info((int) a0, (int) a1, buf, a3, actual, avail);
                outBytes(a2, buf);
                outLong(a4, actual);
                outLong(a5, avail);
                return s;
            }
            case NR_zx_clock_get_monotonic:
                return k.zx_clock_get_monotonic();
            case NR_zx_port_create: {
                int[] out = inInt(a1);
                int s = k.zx_port_create((int) a0, out);
                outInt(a1, out);
                return s;
            }
            case NR_zx_port_queue:
                return k.zx_port_queue((int) a0, inBytes(a1, Layouts.PORT_PACKET_SIZE));
            case NR_zx_port_wait: {
                byte[] packet = inBytes(a2, Layouts.PORT_PACKET_SIZE);
                int s = k.zx_port_wait((int) a0, a1, packet);
                outBytes(a2, packet);
                return s;
            }
            case NR_zx_port_cancel:
                return k.zx_port_cancel((int) a0, (int) a1, a2);
            case NR_zx_interrupt_create: {
                int[] out = inInt(a3);
                int s = k.zx_interrupt_create((int) a0, (int) a1, (int) a2, out);
                outInt(a3, out);
                return s;
            }
            case NR_zx_interrupt_bind:
                return k.zx_interrupt_bind((int) a0, (int) a1, a2, (int) a3);
            case NR_zx_interrupt_bind_vcpu:
                return k.zx_interrupt_bind_vcpu((int) a0, (int) a1, (int) a2);
            case NR_zx_interrupt_ack:
                return k.zx_interrupt_ack((int) a0);
            case NR_zx_interrupt_trigger:
                return k.zx_interrupt_trigger((int) a0, (int) a1, a2);
            case NR_zx_interrupt_wait: {
                long[] ts = inLong(a1);
                int s = k.zx_interrupt_wait((int) a0, ts);
                outLong(a1, ts);
                return s;
            }
            case NR_zx_interrupt_destroy:
                return k.zx_interrupt_destroy((int) a0);
            case NR_zx_vmo_create: {
                int[] out = inInt(a2);
                int s = k.zx_vmo_create(a0, (int) a1, out);
                outInt(a2, out);
                return s;
            }
            case NR_zx_vmo_read: {
                byte[] buf = inBytes(a1, a3);
                int s = k.zx_vmo_read((int) a0, buf, a2, a3);
                outBytes(a1, buf);
                return s;
            }
            case NR_zx_vmo_write:
                return k.zx_vmo_write((int) a0, inBytes(a1, a3), a2, a3);
            case NR_zx_vmo_get_size: {
                long[] size = inLong(a1);
                int s = k.zx_vmo_get_size((int) a0, size);
                outLong(a1, size);
                return s;
            }
            case NR_zx_vmo_replace_as_executable: {
                int[] out = inInt(a2);
                int s = k.zx_vmo_replace_as_executable((int) a0, (int) a1, out);
                outInt(a2, out);
                return s;
            }
            case NR_zx_vmar_map: {
                long[] mapped = inLong(a6);
                int s = k.zx_vmar_map((int) a0, (int) a1, a2, (int) a3, a4, a5, mapped);
                outLong(a6, mapped);
                return s;
            }
            case NR_zx_vmar_unmap:
                return k.zx_vmar_unmap((int) a0, a1, a2);
            case NR_zx_guest_create: {
                int[] guest = inInt(a2);
                int[] vmar = inInt(a3);
                int s = k.zx_guest_create((int) a0, (int) a1, guest, vmar);
                outInt(a2, guest);
                outInt(a3, vmar);
                return s;
            }
            case NR_zx_guest_set_trap:
                return k.zx_guest_set_trap((int) a0, (int) a1, a2, a3, (int) a4, a5);
            case NR_zx_vcpu_create: {
                int[] out = inInt(a3);
                int s = k.zx_vcpu_create((int) a0, (int) a1, a2, out);
                outInt(a3, out);
                return s;
            }
            case NR_zx_vcpu_enter: {
                byte[] packet = inBytes(a1, Layouts.PORT_PACKET_SIZE);
                int s = k.zx_vcpu_enter((int) a0, packet);
                outBytes(a1, packet);
                return s;
            }
            case NR_zx_vcpu_kick:
                return k.zx_vcpu_kick((int) a0);
            case NR_zx_vcpu_interrupt:
                return k.zx_vcpu_interrupt((int) a0, (int) a1);
            case NR_zx_vcpu_read_state: {
                byte[] buf = inBytes(a2, a3);
                int s = k.zx_vcpu_read_state((int) a0, (int) a1, buf, a3);
                outBytes(a2, buf);
                return s;
            }
            case NR_zx_vcpu_write_state:
                return k.zx_vcpu_write_state((int) a0, (int) a1, inBytes(a2, a3), a3);
            case NR_zx_event_create: {
                int[] out = inInt(a1);
                int s = k.zx_event_create((int) a0, out);
                outInt(a1, out);
                return s;
            }
            case NR_zx_object_signal:
                return k.zx_object_signal((int) a0, (int) a1, (int) a2);
            case NR_zx_object_wait_one: {
                int[] observed = inInt(a3);
                int s = k.zx_object_wait_one((int) a0, (int) a1, a2, observed);
                outInt(a3, observed);
                return s;
            }
            case NR_zx_object_wait_many: {
                // More than ZX_WAIT_MANY_MAX_ITEMS is refused before the kernel reads the items.
                long bytes = a1 >= 0 && a1 <= Zx.ZX_WAIT_MANY_MAX_ITEMS
                        ? a1 * Layouts.WAIT_ITEM_SIZE : -1;
                byte[] items = bytes < 0 ? null : inBytes(a0, bytes);
                int s = k.zx_object_wait_many(items, a1, a2);
                outBytes(a0, items);
                return s;
            }
            case NR_zx_object_wait_async:
                return k.zx_object_wait_async((int) a0, (int) a1, a2, (int) a3, (int) a4);
            case NR_zx_timer_create: {
                int[] out = inInt(a2);
                int s = k.zx_timer_create((int) a0, (int) a1, out);
                outInt(a2, out);
                return s;
            }
            case NR_zx_timer_set:
                return k.zx_timer_set((int) a0, a1, a2);
            case NR_zx_timer_cancel:
                return k.zx_timer_cancel((int) a0);
            default:
                return Zx.ZX_ERR_BAD_SYSCALL;
        }
    }

    // ---- copying between C memory and Java arrays -------------------------------------------

    /** A view of a raw C address (JavaCPP's {@code address} is protected). */
    private static final class At extends Pointer {
        At(long address) {
            this.address = address;
        }
    }

    private static byte[] inBytes(long address, long size) {
        if (address == 0 || size < 0 || size > MAX_ARRAY) {
            return null;
        }
        byte[] b = new byte[(int) size];
        if (size > 0) {
            new BytePointer(new At(address)).get(b, 0, b.length);
        }
        return b;
    }

    private static void outBytes(long address, byte[] b) {
        if (address != 0 && b != null && b.length > 0) {
            new BytePointer(new At(address)).put(b, 0, b.length);
        }
    }

    private static int[] inInt(long address) {
        return address == 0 ? null : new int[] {new IntPointer(new At(address)).get()};
    }

    private static void outInt(long address, int[] v) {
        if (address != 0) {
            new IntPointer(new At(address)).put(v[0]);
        }
    }

    private static long[] inLong(long address) {
        return address == 0 ? null : new long[] {new LongPointer(new At(address)).get()};
    }

    private static void outLong(long address, long[] v) {
        if (address != 0) {
            new LongPointer(new At(address)).put(v[0]);
        }
    }
}
