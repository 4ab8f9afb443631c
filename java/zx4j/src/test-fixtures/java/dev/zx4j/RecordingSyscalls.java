package dev.zx4j;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.abi.Zx;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Syscalls} decorator for tests: forwards every call and records every violation of
 * "no closed handle value ever reaches the kernel" — a call naming a value already closed (or
 * consumed by replace), and a close of a value while another call with it is still inside the
 * kernel.
 */
final class RecordingSyscalls implements InvocationHandler {

    /** Which arguments of each syscall are handles (by position). */
    private static final Map<String, int[]> HANDLE_ARGS = Map.ofEntries(
            Map.entry("zx_handle_close", new int[] {0}),
            Map.entry("zx_handle_duplicate", new int[] {0}),
            Map.entry("zx_handle_replace", new int[] {0}),
            Map.entry("zx_object_get_info", new int[] {0}),
            Map.entry("zx_port_queue", new int[] {0}),
            Map.entry("zx_port_wait", new int[] {0}),
            Map.entry("zx_port_cancel", new int[] {0, 1}),
            Map.entry("zx_interrupt_bind", new int[] {0, 1}),
            Map.entry("zx_interrupt_ack", new int[] {0}),
            Map.entry("zx_interrupt_trigger", new int[] {0}),
            Map.entry("zx_interrupt_wait", new int[] {0}),
            Map.entry("zx_interrupt_destroy", new int[] {0}),
            Map.entry("zx_object_signal", new int[] {0}),
            Map.entry("zx_object_wait_one", new int[] {0}),
            Map.entry("zx_object_wait_async", new int[] {0, 1}),
            Map.entry("zx_timer_set", new int[] {0}),
            Map.entry("zx_timer_cancel", new int[] {0}));

    private final Syscalls target;
    private final Set<Integer> closed = ConcurrentHashMap.newKeySet();
    private final Map<Integer, AtomicInteger> inKernel = new ConcurrentHashMap<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    private RecordingSyscalls(Syscalls target) {
        this.target = target;
    }

    static RecordingSyscalls wrap(Syscalls target) {
        return new RecordingSyscalls(target);
    }

    Syscalls proxy() {
        return (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(),
                new Class<?>[] {Syscalls.class}, this);
    }

    int count(String syscall) {
        AtomicInteger n = calls.get(syscall);
        return n == null ? 0 : n.get();
    }

    boolean wasClosed(int value) {
        return closed.contains(value);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (method.getDeclaringClass() == Object.class) {
            return method.invoke(this, args);
        }
        calls.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        int[] positions = HANDLE_ARGS.getOrDefault(name, new int[0]);
        if (name.equals("zx_interrupt_create") && ((Integer) args[2] & Zx.ZX_INTERRUPT_VIRTUAL) == 0) {
            positions = new int[] {0};
        }
        boolean consumes = name.equals("zx_handle_close") || name.equals("zx_handle_replace");
        // Mark first, check second, on both sides: any overlap of a call and a close is seen.
        if (consumes) {
            int v = (Integer) args[0];
            if (!closed.add(v)) {
                violations.add(name + " called with closed value " + Integer.toHexString(v));
            }
            AtomicInteger busy = inKernel.get(v);
            if (busy != null && busy.get() > 0) {
                violations.add(name + " of " + Integer.toHexString(v) + " while " + busy.get()
                        + " call(s) with it are in the kernel");
            }
        } else {
            for (int p : positions) {
                int v = (Integer) args[p];
                inKernel.computeIfAbsent(v, k -> new AtomicInteger()).incrementAndGet();
                if (v != Zx.ZX_HANDLE_INVALID && closed.contains(v)) {
                    violations.add(name + " called with closed value " + Integer.toHexString(v));
                }
            }
        }
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            if (!consumes) {
                for (int p : positions) {
                    inKernel.get((Integer) args[p]).decrementAndGet();
                }
            }
        }
    }
}
