package dev.zx4j.jni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.abi.Zx;
import dev.zx4j.tools.Fidl;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every syscall of the surface through Java → JNI → host libzircon (C) → Java, against a fake
 * kernel that records what it receives: arguments arrive unchanged (including high bits), outputs
 * come back, NULL stays NULL, and nothing thrown in Java reaches C.
 */
class NativeKernelForwardingTest {

    private static Fidl.Surface surface;

    @BeforeAll
    static void load() {
        assertTrue(NativeKernel.isAvailable(), () -> NativeKernel.unavailableReason().orElse(""));
        surface = Fidl.load(Path.of("fidl"));
        assertTrue(surface.errors().isEmpty(), surface.errors().toString());
    }

    /** What the fake kernel saw of one call. */
    record Call(String name, Object[] args, Thread thread) {}

    /** A kernel that records calls and answers with a fixed status, filling out-parameters. */
    static Syscalls recorder(List<Call> calls, BiFunction<Method, Object[], Object> answer) {
        return (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(),
                new Class<?>[] {Syscalls.class}, (proxy, m, args) -> {
                    if (m.getDeclaringClass() == Object.class) {
                        return m.getName().equals("toString") ? "recorder" : m.invoke(calls, args);
                    }
                    Object[] copy = args == null ? new Object[0] : args.clone();
                    for (int i = 0; i < copy.length; i++) {
                        copy[i] = cloneArray(copy[i]);
                    }
                    calls.add(new Call(m.getName(), copy, Thread.currentThread()));
                    return answer.apply(m, args == null ? new Object[0] : args);
                });
    }

    private static Object cloneArray(Object o) {
        if (o instanceof byte[] b) {
            return b.clone();
        } else if (o instanceof int[] i) {
            return i.clone();
        } else if (o instanceof long[] l) {
            return l.clone();
        }
        return o;
    }

    private static int statusOf(String name) {
        return -1000 - name.length();
    }

    private static final long CLOCK = 0x8123_4567_89AB_CDEFL;

    /** Fills outputs: int[] → 0xF00D0000+i, long[] → high-bit pattern, non-const byte[] → 0xA5. */
    private static Object fill(Method m, Object[] args) {
        Fidl.Signature sig = Fidl.signature(surface.methods().get(m.getName()), surface.structs());
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof int[] a) {
                a[0] = 0xF00D_0000 + i;
            } else if (args[i] instanceof long[] a) {
                a[0] = 0xC000_0000_0000_0000L + i;
            } else if (args[i] instanceof byte[] a && !sig.params().get(i).cType().startsWith("const")) {
                Arrays.fill(a, (byte) 0xA5);
            }
        }
        return m.getReturnType() == long.class ? (Object) CLOCK : (Object) statusOf(m.getName());
    }

    /** Arguments for one method: distinctive scalars with high bits set, arrays sized as C expects. */
    private static Object[] argsFor(Method m, boolean valid) {
        Fidl.Signature sig = Fidl.signature(surface.methods().get(m.getName()), surface.structs());
        Class<?>[] types = m.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            if (types[i] == int.class) {
                args[i] = 0x8000_0000 | (0x100 * (i + 1)) | m.getName().length();
            } else if (types[i] == long.class) {
                args[i] = 0x9000_0000_0000_0000L | ((long) (i + 1) << 32) | m.getName().length();
            } else if (types[i] == int[].class) {
                args[i] = valid ? new int[] {0x7777} : new int[0];
            } else if (types[i] == long[].class) {
                args[i] = valid ? new long[] {0x7777} : new long[0];
            } else if (types[i] == byte[].class) {
                String sizeName = sig.params().get(i).name() + "_size";
                int len = 48;
                for (int j = 0; j < sig.params().size(); j++) {
                    if (sig.params().get(j).name().equals(sizeName)) {
                        len = 20 + i;
                        args[j] = (long) len; // may be overwritten below if j > i: set after loop
                    }
                }
                byte[] b = new byte[valid ? len : len - 1];
                for (int k = 0; k < b.length; k++) {
                    b[k] = (byte) (k * 7 + i);
                }
                args[i] = b;
            }
        }
        // zx_object_wait_many: the items are counted in 12-byte zx_wait_item_t, not bytes
        for (int i = 0; i < types.length; i++) {
            if (sig.params().get(i).cType().equals("zx_wait_item_t*")) {
                byte[] b = new byte[valid ? 3 * 12 : 3 * 12 - 1];
                for (int k = 0; k < b.length; k++) {
                    b[k] = (byte) (k * 7 + i);
                }
                args[i] = b;
                args[i + 1] = 3L;
            }
        }
        // sizes: the long that names a buffer's size is that buffer's (valid) length
        for (int i = 0; i < types.length; i++) {
            if (types[i] == byte[].class) {
                String sizeName = sig.params().get(i).name() + "_size";
                for (int j = 0; j < sig.params().size(); j++) {
                    if (sig.params().get(j).name().equals(sizeName)) {
                        args[j] = (long) (valid ? ((byte[]) args[i]).length
                                                : ((byte[]) args[i]).length + 1);
                    }
                }
            }
        }
        return args;
    }

    private static Object invoke(Syscalls k, Method m, Object[] args) throws Exception {
        try {
            return m.invoke(k, args);
        } catch (InvocationTargetException e) {
            throw (Exception) e.getCause();
        }
    }

    @Test
    void everySyscallArrivesUnchangedAndOutputsComeBack() throws Exception {
        List<Call> calls = new ArrayList<>();
        NativeKernel k = NativeKernel.hosted(recorder(calls, NativeKernelForwardingTest::fill));
        Method[] methods = Syscalls.class.getMethods();
        assertEquals(surface.methods().size(), methods.length);
        for (Method m : methods) {
            calls.clear();
            Object[] args = argsFor(m, true);
            Object[] before = args.clone();
            for (int i = 0; i < before.length; i++) {
                before[i] = cloneArray(before[i]);
            }
            Object result = invoke(k, m, args);
            assertEquals(m.getReturnType() == long.class ? (Object) CLOCK : (Object) statusOf(m.getName()),
                    result, () -> m.getName() + " " + NativeKernel.lastCallbackFailure()
                            .map(t -> { var w = new java.io.StringWriter();
                                        t.printStackTrace(new java.io.PrintWriter(w));
                                        return w.toString(); }).orElse(""));
            assertEquals(1, calls.size(), m.getName());
            Call c = calls.get(0);
            assertEquals(m.getName(), c.name());
            assertEquals(Thread.currentThread(), c.thread(), "forwarded on the calling thread");
            Fidl.Signature sig = Fidl.signature(surface.methods().get(m.getName()), surface.structs());
            for (int i = 0; i < args.length; i++) {
                String what = m.getName() + " arg " + i;
                Object seen = c.args()[i];
                if (before[i] instanceof byte[] b) {
                    assertNotNull(seen, what);
                    byte[] s = (byte[]) seen;
                    // the kernel sees exactly the C object: a copy of the caller's bytes
                    assertArrayEquals(Arrays.copyOf(b, s.length), s, what);
                    if (sig.params().get(i).cType().startsWith("const")) {
                        assertArrayEquals(b, (byte[]) args[i], what + " (input not written)");
                    } else {
                        byte[] expect = b.clone();
                        Arrays.fill(expect, 0, s.length, (byte) 0xA5);
                        assertArrayEquals(expect, (byte[]) args[i], what + " (output copied back)");
                    }
                } else if (before[i] instanceof int[] a) {
                    assertArrayEquals(a, (int[]) seen, what + " (copied in)");
                    assertEquals(0xF00D_0000 + i, ((int[]) args[i])[0], what + " (copied out)");
                } else if (before[i] instanceof long[] a) {
                    assertArrayEquals(a, (long[]) seen, what + " (copied in)");
                    assertEquals(0xC000_0000_0000_0000L + i, ((long[]) args[i])[0], what);
                } else {
                    assertEquals(before[i], seen, what);
                }
            }
        }
    }

    /**
     * Optional out-pointers (NULL is legal there): a short array cannot travel as NULL, so it
     * travels as a scratch cell and the Java side reports the fault at the kernel's copy point.
     */
    private static final java.util.Map<String, java.util.Set<Integer>> OPTIONAL_OUTS = java.util.Map.of(
            "zx_object_get_info", java.util.Set.of(4, 5),
            "zx_interrupt_wait", java.util.Set.of(1),
            "zx_object_wait_one", java.util.Set.of(3));

    @Test
    void nullOrShortArraysArriveAsNullExceptOptionalOuts() throws Exception {
        List<Call> calls = new ArrayList<>();
        NativeKernel k = NativeKernel.hosted(recorder(calls, NativeKernelForwardingTest::fill));
        for (boolean useNull : new boolean[] {true, false}) {
            for (Method m : Syscalls.class.getMethods()) {
                calls.clear();
                Object[] args = argsFor(m, false);
                for (int i = 0; i < args.length; i++) {
                    if (useNull && args[i] != null && args[i].getClass().isArray()) {
                        args[i] = null;
                    }
                }
                invoke(k, m, args);
                Call c = calls.get(0);
                for (int i = 0; i < args.length; i++) {
                    if (!m.getParameterTypes()[i].isArray()) {
                        continue;
                    }
                    String what = m.getName() + " arg " + i + (useNull ? " null" : " short");
                    if (!useNull && OPTIONAL_OUTS.getOrDefault(m.getName(), java.util.Set.of()).contains(i)) {
                        assertNotNull(c.args()[i], what + " (scratch cell)");
                    } else {
                        assertNull(c.args()[i], what);
                    }
                }
            }
        }
    }

    @Test
    void aThrowingKernelGivesInternalErrorAndTheJvmSurvives() {
        long before = NativeKernel.callbackFailures();
        NativeKernel k = NativeKernel.hosted(recorder(new ArrayList<>(), (m, a) -> {
            throw new IllegalStateException("boom in " + m.getName());
        }));
        assertEquals(Zx.ZX_ERR_INTERNAL, k.zx_port_queue(3, new byte[48]));
        assertEquals(Zx.ZX_ERR_INTERNAL, k.zx_handle_close(7));
        assertEquals(0L, k.zx_clock_get_monotonic());
        NativeKernel oom = NativeKernel.hosted(recorder(new ArrayList<>(), (m, a) -> {
            throw new OutOfMemoryError("simulated");
        }));
        assertEquals(Zx.ZX_ERR_INTERNAL, oom.zx_vcpu_kick(1));
        assertEquals(before + 4, NativeKernel.callbackFailures());
        assertTrue(NativeKernel.lastCallbackFailure().orElseThrow() instanceof OutOfMemoryError);
    }

    @Test
    void aCallOutsideAnyNativeKernelFindsNoKernel() {
        assertEquals(Zx.ZX_ERR_BAD_STATE, LibZircon.zx_handle_close(5));
        assertEquals(0L, LibZircon.zx_clock_get_monotonic());
    }

    @Test
    void severalHostedKernelsAtOnceEachGetOnlyTheirCalls() throws Exception {
        int threads = 4;
        int perThread = 2000;
        Map<Integer, List<Call>> seen = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger wrong = new AtomicInteger();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            List<Call> calls = java.util.Collections.synchronizedList(new ArrayList<>());
            seen.put(id, calls);
            NativeKernel k = NativeKernel.hosted(recorder(calls, (m, a) -> id));
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        if (k.zx_handle_close(id * 100_000 + i) != id) {
                            wrong.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            ts.add(th);
            th.start();
        }
        start.countDown();
        for (Thread th : ts) {
            th.join();
        }
        assertEquals(0, wrong.get());
        for (var e : seen.entrySet()) {
            assertEquals(perThread, e.getValue().size());
            for (int i = 0; i < perThread; i++) {
                assertEquals(e.getKey() * 100_000 + i, e.getValue().get(i).args()[0]);
            }
        }
    }

    @Test
    void aKernelCallingAnotherHostedKernelRestoresTheTarget() {
        List<Call> inner = new ArrayList<>();
        NativeKernel innerK = NativeKernel.hosted(recorder(inner, (m, a) -> 11));
        List<Call> outer = new ArrayList<>();
        NativeKernel outerK = NativeKernel.hosted(recorder(outer, (m, a) -> {
            int s = innerK.zx_handle_close(1);
            return s == 11 ? 22 : -1;
        }));
        assertEquals(22, outerK.zx_handle_close(2));
        assertEquals(22, outerK.zx_handle_close(3));
        assertEquals(2, outer.size());
        assertEquals(2, inner.size());
    }

    @Test
    void structLayoutsCompiledInCAgreeWithTheAbi() {
        long[][] expected = {
            {0, 48}, {1, 0}, {2, 8}, {3, 12}, {4, 16},
            {5, dev.zx4j.abi.Layouts.PACKET_INTERRUPT_TIMESTAMP},
            {6, dev.zx4j.abi.Layouts.PACKET_BELL_ADDR},
            {7, dev.zx4j.abi.Layouts.PACKET_IO_PORT},
            {8, dev.zx4j.abi.Layouts.PACKET_IO_ACCESS_SIZE},
            {9, dev.zx4j.abi.Layouts.PACKET_IO_INPUT},
            {10, dev.zx4j.abi.Layouts.PACKET_IO_DATA},
            // x86 guest_mem of this era: addr u64@0, inst_len u8@8, inst_buf[15]@9, dos u8@24
            {11, 16}, {12, 16 + 8}, {13, 16 + 9}, {14, 16 + 24},
            // guest_vcpu of this era: union@0, u8 type@16
            {15, 16 + 16}, {16, 16}, {17, 16 + 8}, {18, 16}, {19, 16 + 8},
            {20, dev.zx4j.abi.Layouts.VCPU_STATE_SIZE}, {21, dev.zx4j.abi.Layouts.VCPU_STATE_RFLAGS},
            {22, dev.zx4j.abi.Layouts.VCPU_IO_SIZE}, {23, dev.zx4j.abi.Layouts.VCPU_IO_ACCESS_SIZE},
            {24, dev.zx4j.abi.Layouts.VCPU_IO_DATA},
            {25, dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_SIZE},
            {26, dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_KOID},
            {27, dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_RIGHTS},
            {28, dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_TYPE},
            {29, dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_RELATED_KOID},
            {30, dev.zx4j.abi.Layouts.INFO_HANDLE_BASIC_RESERVED},
        };
        assertEquals(dev.zx4j.abi.Layouts.PORT_PACKET_SIZE, LibZircon.zx4j_abi_layout(0));
        for (long[] e : expected) {
            assertEquals(e[1], LibZircon.zx4j_abi_layout((int) e[0]), "layout item " + e[0]);
        }
        assertEquals(-1, LibZircon.zx4j_abi_layout(31));
    }
}
