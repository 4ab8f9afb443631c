package dev.zx4j.sim.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * Locked read-modify-writes are atomic across VCPUs running on different host threads, as the
 * bus/cache lock makes them on silicon (SDM Vol. 3A 9.1.2.2): two CPUs on one guest memory run
 * the same loop at once, and no update is lost — neither another locked one nor a plain store
 * (a spinlock release) that lands between a locked instruction's read and its write. Before
 * this was so, an SMP Linux guest could lose a qspinlock release to another VCPU's failed
 * {@code LOCK CMPXCHG} writing back the stale locked value, and both VCPUs spun forever.
 */
class X86LockedAtomicityTest {
    static final long CODE = 0x2000;
    static final long DATA = 0x3000;
    static final long ITERATIONS = 200_000;

    /** {@code loop: lock inc qword [rdi]; dec rcx; jnz loop; hlt}. */
    static final byte[] LOCK_INC = {
        (byte) 0xF0, 0x48, (byte) 0xFF, 0x07,
        0x48, (byte) 0xFF, (byte) 0xC9,
        0x75, (byte) 0xF7,
        (byte) 0xF4,
    };

    /** {@code loop: mov rax, 1; lock xadd [rdi], rax; dec rcx; jnz loop; hlt}. */
    static final byte[] LOCK_XADD = {
        0x48, (byte) 0xC7, (byte) 0xC0, 0x01, 0x00, 0x00, 0x00,
        (byte) 0xF0, 0x48, 0x0F, (byte) 0xC1, 0x07,
        0x48, (byte) 0xFF, (byte) 0xC9,
        0x75, (byte) 0xEF,
        (byte) 0xF4,
    };

    /**
     * A test-and-set lock taken with {@code LOCK CMPXCHG} (whose failure writes the old value
     * back) and released with a plain store, guarding a plain increment:
     * <pre>
     * top:  xor eax, eax; mov edx, 1; lock cmpxchg [rdi], edx; jnz top
     *       inc qword [rdi + 8]; mov dword [rdi], 0; dec rcx; jnz top; hlt
     * </pre>
     */
    static final byte[] CMPXCHG_LOCK = {
        0x31, (byte) 0xC0,                          // 0: xor eax, eax
        (byte) 0xBA, 0x01, 0x00, 0x00, 0x00,        // 2: mov edx, 1
        (byte) 0xF0, 0x0F, (byte) 0xB1, 0x17,       // 7: lock cmpxchg [rdi], edx
        0x75, (byte) 0xF3,                          // 11: jnz top (13 - 13 = 0)
        0x48, (byte) 0xFF, 0x47, 0x08,              // 13: inc qword [rdi + 8]
        (byte) 0xC7, 0x07, 0x00, 0x00, 0x00, 0x00,  // 17: mov dword [rdi], 0
        0x48, (byte) 0xFF, (byte) 0xC9,             // 23: dec rcx
        0x75, (byte) 0xE4,                          // 26: jnz top (28 - 28 = 0)
        (byte) 0xF4,                                // 28: hlt
    };

    /** The same lock taken with {@code XCHG} (locked without a prefix). */
    static final byte[] XCHG_LOCK = {
        (byte) 0xB8, 0x01, 0x00, 0x00, 0x00,        // 0: mov eax, 1
        (byte) 0x87, 0x07,                          // 5: xchg [rdi], eax
        (byte) 0x85, (byte) 0xC0,                   // 7: test eax, eax
        0x75, (byte) 0xF5,                          // 9: jnz top (11 - 11 = 0)
        0x48, (byte) 0xFF, 0x47, 0x08,              // 11: inc qword [rdi + 8]
        (byte) 0xC7, 0x07, 0x00, 0x00, 0x00, 0x00,  // 15: mov dword [rdi], 0
        0x48, (byte) 0xFF, (byte) 0xC9,             // 21: dec rcx
        0x75, (byte) 0xE6,                          // 24: jnz top (26 - 26 = 0)
        (byte) 0xF4,                                // 26: hlt
    };

    /** Runs {@code code} on two CPUs at once; returns the qword at {@code DATA + offset}. */
    static long runOnTwoCpus(byte[] code, int offset) throws Exception {
        GuestHarness g = new GuestHarness();
        g.identityMap1G();
        g.write(CODE, code);
        g.write64(DATA, 0);
        g.write64(DATA + 8, 0);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?>[] done = new Future<?>[2];
            for (int k = 0; k < 2; k++) {
                X86Cpu cpu = X86Cpu.newBootProcessor(g, CODE);
                cpu.setReg(X86Cpu.RDI, DATA);
                cpu.setReg(X86Cpu.RCX, ITERATIONS);
                done[k] = pool.submit(() -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (true) {
                        VcpuExit e = cpu.run(1_000_000);
                        if (!(e instanceof VcpuExit.Stopped) || System.nanoTime() > deadline) {
                            assertInstanceOf(VcpuExit.HaltExit.class, e, "the loop ends in HLT");
                            return null;
                        }
                    }
                });
            }
            for (Future<?> f : done) {
                f.get(40, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return g.read64(DATA + offset);
    }

    @Test
    void lockIncLosesNoUpdate() throws Exception {
        assertEquals(2 * ITERATIONS, runOnTwoCpus(LOCK_INC, 0));
    }

    @Test
    void lockXaddLosesNoUpdate() throws Exception {
        assertEquals(2 * ITERATIONS, runOnTwoCpus(LOCK_XADD, 0));
    }

    @Test
    void cmpxchgSpinlockWithPlainReleaseExcludes() throws Exception {
        assumeTrue(Memory.HOST_CAS, "this JVM has no compare-and-set on byte-array views (JDK 22+),"
                + " so a plain store racing with a locked operation can be lost");
        assertEquals(2 * ITERATIONS, runOnTwoCpus(CMPXCHG_LOCK, 8));
    }

    @Test
    void xchgSpinlockWithPlainReleaseExcludes() throws Exception {
        assumeTrue(Memory.HOST_CAS, "this JVM has no compare-and-set on byte-array views (JDK 22+),"
                + " so a plain store racing with a locked operation can be lost");
        assertEquals(2 * ITERATIONS, runOnTwoCpus(XCHG_LOCK, 8));
    }
}
