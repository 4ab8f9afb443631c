package dev.zx4j.conformance;

import static dev.zx4j.abi.Layouts.*;
import static dev.zx4j.abi.Zx.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.abi.Syscalls;
import dev.zx4j.testing.KernelTest;
import dev.zx4j.testing.TestKernel;
import org.junit.jupiter.api.Timeout;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Guests that run: a VMM loop on the raw surface drives guest programs assembled from
 * {@code native/guests/} through IO, MEM and BELL traps and takes interrupts both from
 * {@code zx_vcpu_interrupt} and from a hardware line bound with {@code zx_interrupt_bind_vcpu}.
 *
 * <p>A kernel that lost an interrupt would leave a guest halted forever: the timeout turns that
 * into a failure.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GuestRunConformanceTest {

    private static final long MEM = 16L << 20;
    private static final long MEM_TRAP = 0x1000000;
    private static final long BELL_TRAP = 0x1001000;
    private static final int IRQ_LINE = 40;

    static byte[] guestImage(String name) {
        try (InputStream in = GuestRunConformanceTest.class.getResourceAsStream("/guests/" + name)) {
            assertNotNull(in, "guest image " + name + " (built by scripts/build-guests.sh)");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A guest with 16 MiB of RAM at 0, identity page tables (PML4 0x0, 1 GiB page), and traps. */
    private static final class World implements AutoCloseable {
        final Syscalls zx;
        final int guest;
        final int vmar;
        final int vmo;
        final int port;
        final List<Integer> extra = new ArrayList<>();

        World(TestKernel k) {
            zx = k.zx();
            int[] out = new int[1];
            int[] out2 = new int[1];
            int rsrc = k.sim().platform().createHypervisorResource();
            assertEquals(ZX_OK, zx.zx_guest_create(rsrc, 0, out, out2));
            guest = out[0];
            vmar = out2[0];
            assertEquals(ZX_OK, zx.zx_handle_close(rsrc));
            assertEquals(ZX_OK, zx.zx_vmo_create(MEM, 0, out));
            int plain = out[0];
            int vmex = k.sim().platform().createVmexResource();
            assertEquals(ZX_OK, zx.zx_vmo_replace_as_executable(plain, vmex, out));
            vmo = out[0];
            assertEquals(ZX_OK, zx.zx_handle_close(vmex));
            long[] addr = new long[1];
            assertEquals(ZX_OK, zx.zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE
                    | ZX_VM_PERM_EXECUTE | ZX_VM_SPECIFIC, 0, vmo, 0, MEM, addr));
            byte[] tables = new byte[0x2000];
            put64(tables, 0, 0x1000 | 0x3);        // PML4[0] → PDPT, present | writable
            put64(tables, 0x1000, 0x83);           // PDPT[0] → 1 GiB page at 0, P | RW | PS
            write(0, tables);
            assertEquals(ZX_OK, zx.zx_port_create(0, out));
            port = out[0];
        }

        void write(long gpa, byte[] data) {
            assertEquals(ZX_OK, zx.zx_vmo_write(vmo, data, gpa, data.length));
        }

        void trap(int kind, long addr, long size, int port, long key) {
            assertEquals(ZX_OK, zx.zx_guest_set_trap(guest, kind, addr, size, port, key));
        }

        int vcpu(long entry) {
            int[] out = new int[1];
            assertEquals(ZX_OK, zx.zx_vcpu_create(guest, 0, entry, out));
            return out[0];
        }

        @Override
        public void close() {
            for (int h : extra) {
                zx.zx_handle_close(h);
            }
            for (int h : new int[] {port, vmo, vmar, guest}) {
                assertEquals(ZX_OK, zx.zx_handle_close(h));
            }
        }
    }

    /** Enters until an exit packet; fails the test on any other status. */
    private static byte[] enter(Syscalls zx, int vcpu) {
        byte[] p = new byte[PORT_PACKET_SIZE];
        int status = zx.zx_vcpu_enter(vcpu, p);
        assertEquals(ZX_OK, status, "zx_vcpu_enter");
        return p;
    }

    /** Runs vmm.bin up to its MEM-trap write, answering its IN with 0 on the way. */
    private static void runToMemExit(Syscalls zx, int vcpu) {
        while (true) {
            byte[] p = enter(zx, vcpu);
            if (i32(p, PACKET_TYPE) == ZX_PKT_TYPE_GUEST_MEM) {
                return;
            }
            if (u16(p, PACKET_IO_PORT) == 0x3F9) {
                byte[] io = new byte[VCPU_IO_SIZE];
                io[VCPU_IO_ACCESS_SIZE] = 1;
                assertEquals(ZX_OK, zx.zx_vcpu_write_state(vcpu, ZX_VCPU_IO, io, io.length));
            }
        }
    }

    @KernelTest
    void guestPrintsTakesTrapsAndInterruptsFromBothSources(TestKernel k) throws Exception {
        try (World w = new World(k)) {
            Syscalls zx = w.zx;
            w.write(0x2000, guestImage("vmm.bin"));
            w.trap(ZX_GUEST_TRAP_IO, 0x3F8, 3, ZX_HANDLE_INVALID, 1);
            w.trap(ZX_GUEST_TRAP_IO, 0xE0, 1, ZX_HANDLE_INVALID, 2);
            w.trap(ZX_GUEST_TRAP_IO, 0xFF, 1, ZX_HANDLE_INVALID, 3);
            w.trap(ZX_GUEST_TRAP_MEM, MEM_TRAP, 0x1000, ZX_HANDLE_INVALID, 4);
            w.trap(ZX_GUEST_TRAP_BELL, BELL_TRAP, 0x1000, w.port, 5);
            int vcpu = w.vcpu(0x2000);
            w.extra.add(vcpu);
            int irqRsrc = k.sim().platform().createIrqResource(IRQ_LINE, 1);
            w.extra.add(irqRsrc);
            int[] out = new int[1];
            assertEquals(ZX_OK, zx.zx_interrupt_create(irqRsrc, IRQ_LINE, 0, out));
            int irq = out[0];
            w.extra.add(irq);
            assertEquals(ZX_OK, zx.zx_interrupt_bind_vcpu(irq, vcpu, 0));

            // The VMM loop, on the VCPU's thread.
            StringBuilder uart = new StringBuilder();
            List<Integer> vectors = new ArrayList<>();
            boolean done = false;
            boolean memSeen = false;
            int echoed = -1;
            for (int exits = 0; !done; exits++) {
                assertTrue(exits < 200, "guest did not finish; UART so far: " + uart);
                byte[] p = enter(zx, vcpu);
                int type = i32(p, PACKET_TYPE);
                long key = i64(p, PACKET_KEY);
                if (type == ZX_PKT_TYPE_GUEST_IO) {
                    int portNo = u16(p, PACKET_IO_PORT);
                    boolean input = u8(p, PACKET_IO_INPUT) != 0;
                    int data = u8(p, PACKET_IO_DATA);
                    assertEquals(1, u8(p, PACKET_IO_ACCESS_SIZE));
                    if (portNo == 0x3F8) {
                        assertEquals(1, key);
                        uart.append((char) data);
                    } else if (portNo == 0x3F9) {
                        assertTrue(input);
                        byte[] io = new byte[VCPU_IO_SIZE];
                        io[VCPU_IO_ACCESS_SIZE] = 1;
                        io[VCPU_IO_DATA] = 0x5A;
                        assertEquals(ZX_OK, zx.zx_vcpu_write_state(vcpu, ZX_VCPU_IO, io, io.length));
                    } else if (portNo == 0x3FA) {
                        echoed = data;
                    } else if (portNo == 0xE0) {
                        assertEquals(2, key);
                        vectors.add(data);
                    } else if (portNo == 0xFF) {
                        assertEquals(3, key);
                        done = true;
                    }
                } else if (type == ZX_PKT_TYPE_GUEST_MEM) {
                    assertEquals(4, key);
                    assertEquals(MEM_TRAP, i64(p, PACKET_MEM_ADDR));
                    int len = u8(p, PACKET_MEM_INST_LEN);
                    // movl $0xCAFE, (%rcx): C7 01 FE CA 00 00
                    byte[] inst = java.util.Arrays.copyOfRange(p, PACKET_MEM_INST_BUF,
                            PACKET_MEM_INST_BUF + len);
                    assertArrayEquals(new byte[] {(byte) 0xC7, 0x01, (byte) 0xFE, (byte) 0xCA, 0, 0},
                            inst);
                    assertEquals(4, u8(p, PACKET_MEM_DEFAULT_OPERAND_SIZE));
                    memSeen = true;
                    // While the guest still runs with interrupts off, raise the hardware line and
                    // inject a vector from another thread: both are held until the guest's STI.
                    CompletableFuture<Integer> other = CompletableFuture.supplyAsync(() -> {
                        assertTrue(k.sim().platform().irqLine(IRQ_LINE).fire());
                        return zx.zx_vcpu_interrupt(vcpu, 48);
                    });
                    assertEquals(ZX_OK, other.get(10, TimeUnit.SECONDS));
                } else {
                    throw new AssertionError("unexpected packet type " + type);
                }
            }
            assertEquals("hello from the guest\nbye\n", uart.toString());
            assertEquals(0x5A, echoed);
            assertTrue(memSeen);
            assertEquals(List.of(48, IRQ_LINE), vectors, "highest vector first, both delivered");

            // The BELL write arrived on the port, asynchronously.
            byte[] bell = new byte[PORT_PACKET_SIZE];
            assertEquals(ZX_OK, zx.zx_port_wait(w.port, 0, bell));
            assertEquals(ZX_PKT_TYPE_GUEST_BELL, i32(bell, PACKET_TYPE));
            assertEquals(5, i64(bell, PACKET_KEY));
            assertEquals(BELL_TRAP, i64(bell, PACKET_BELL_ADDR));
        }
    }

    @KernelTest
    void twoVcpusOfOneGuestRunOnTwoThreads(TestKernel k) throws Exception {
        try (World w = new World(k)) {
            Syscalls zx = w.zx;
            w.write(0x2000, guestImage("vmm.bin"));
            w.write(0x8000, guestImage("ap.bin"));
            w.trap(ZX_GUEST_TRAP_IO, 0x3F8, 3, ZX_HANDLE_INVALID, 1);
            w.trap(ZX_GUEST_TRAP_IO, 0xE9, 3, ZX_HANDLE_INVALID, 9);
            int boot = w.vcpu(0x2000);
            w.extra.add(boot);
            // The second VCPU is an application processor: real mode at CS.base = 0x8000.
            CompletableFuture<String> ap = CompletableFuture.supplyAsync(() -> {
                int vcpu = w.vcpu(0x8000);
                try {
                    StringBuilder out = new StringBuilder();
                    while (true) {
                        byte[] p = enter(zx, vcpu);
                        assertEquals(ZX_PKT_TYPE_GUEST_IO, i32(p, PACKET_TYPE));
                        assertEquals(9, i64(p, PACKET_KEY));
                        if (u16(p, PACKET_IO_PORT) == 0xEB) {
                            assertEquals(4, u8(p, PACKET_IO_ACCESS_SIZE));
                            assertEquals(0x12345678, i32(p, PACKET_IO_DATA));
                            return out.toString();
                        }
                        out.append((char) u8(p, PACKET_IO_DATA));
                    }
                } finally {
                    zx.zx_handle_close(vcpu);
                }
            }, r -> new Thread(r, "ap-vcpu").start());
            StringBuilder uart = new StringBuilder();
            while (uart.indexOf("\n") < 0) {
                byte[] p = enter(zx, boot);
                assertEquals(1, i64(p, PACKET_KEY));
                uart.append((char) u8(p, PACKET_IO_DATA));
            }
            assertEquals("hello from the guest\n", uart.toString());
            assertEquals("AP ok", ap.get(20, TimeUnit.SECONDS));
        }
    }

    /** {@code mov ecx, msr; mov edx, hi; mov eax, lo; wrmsr}, then {@code tail}. */
    private static byte[] wrmsrThen(int msr, int hi, int lo, int... tail) {
        byte[] code = new byte[17 + tail.length];
        int at = 0;
        for (int[] op : new int[][] {{0xB9, msr}, {0xBA, hi}, {0xB8, lo}}) {
            code[at] = (byte) op[0];
            put32(code, at + 1, op[1]);
            at += 5;
        }
        code[at++] = 0x0F;
        code[at++] = 0x30;
        for (int b : tail) {
            code[at++] = (byte) b;
        }
        return code;
    }

    private static final int OUT_11 = 0xE6, HLT = 0xF4;

    /**
     * x2APIC ICR writes as the kernel handles them: FIXED and NMI become GUEST_VCPU/INTERRUPT
     * packets (physical destination 0xFFFFFFFF broadcasts, 64 and more reach nobody; an NMI
     * never goes to its sender), STARTUP a GUEST_VCPU/STARTUP packet, INIT is ignored, logical
     * destination mode and the other delivery modes fail {@code zx_vcpu_enter} with
     * NOT_SUPPORTED. After a packet the guest goes on past the WRMSR.
     */
    @KernelTest
    void icrWritesBecomePacketsOrFailAsTheKernelDoes(TestKernel k) {
        record Case(String what, int hi, int lo, int status, int type, long maskOrId,
                    long vectorOrEntry) {}
        List<Case> cases = List.of(
                new Case("fixed to APIC ID 3", 3, 0x40, ZX_OK,
                        ZX_PKT_GUEST_VCPU_INTERRUPT, 1L << 3, 0x40),
                new Case("fixed, physical broadcast", -1, 0x41, ZX_OK,
                        ZX_PKT_GUEST_VCPU_INTERRUPT, -1L, 0x41),
                new Case("fixed to APIC ID 64", 64, 0x42, ZX_OK,
                        ZX_PKT_GUEST_VCPU_INTERRUPT, 0, 0x42),
                // the kernel computes "all but self" as the 32-bit ~(1u << self): upper half 0
                new Case("fixed, shorthand all but self", 0, (3 << 18) | 0x43, ZX_OK,
                        ZX_PKT_GUEST_VCPU_INTERRUPT, 0xFFFF_FFFEL, 0x43),
                new Case("fixed to APIC ID 40 (the kernel's 32-bit 1u << 40)", 40, 0x44, ZX_OK,
                        ZX_PKT_GUEST_VCPU_INTERRUPT, 1L << 8, 0x44),
                new Case("NMI, shorthand all including self", 0, (2 << 18) | (4 << 8) | 0x99,
                        ZX_OK, ZX_PKT_GUEST_VCPU_INTERRUPT, ~1L, 2),
                new Case("STARTUP of APIC ID 2 at page 8", 2, 0x4608, ZX_OK,
                        ZX_PKT_GUEST_VCPU_STARTUP, 2, 0x8000),
                new Case("INIT (ignored)", 1, 0x4500, ZX_OK, -1, 0, 0),
                new Case("logical destination mode", 1, 0x800 | 0x40, ZX_ERR_NOT_SUPPORTED,
                        -1, 0, 0),
                new Case("lowest priority", 1, (1 << 8) | 0x40, ZX_ERR_NOT_SUPPORTED, -1, 0, 0),
                new Case("ExtINT", 1, 7 << 8, ZX_ERR_NOT_SUPPORTED, -1, 0, 0));
        for (Case c : cases) {
            // a guest per case: its only VCPU is the boot VCPU (VPID 1, APIC ID 0)
            try (World w = new World(k)) {
                Syscalls zx = w.zx;
                w.trap(ZX_GUEST_TRAP_IO, 0x11, 1, ZX_HANDLE_INVALID, 7);
                w.write(0x2000, wrmsrThen(0x830, c.hi, c.lo, OUT_11, 0x11, HLT));
                int vcpu = w.vcpu(0x2000);
                try {
                    byte[] p = new byte[PORT_PACKET_SIZE];
                    assertEquals(c.status, zx.zx_vcpu_enter(vcpu, p), c.what);
                    if (c.status != ZX_OK) {
                        continue;
                    }
                    if (c.type >= 0) {
                        assertEquals(ZX_PKT_TYPE_GUEST_VCPU, i32(p, PACKET_TYPE), c.what);
                        assertEquals(c.type, u8(p, PACKET_VCPU_TYPE), c.what);
                        if (c.type == ZX_PKT_GUEST_VCPU_INTERRUPT) {
                            assertEquals(c.maskOrId, i64(p, PACKET_VCPU_INTERRUPT_MASK), c.what);
                            assertEquals(c.vectorOrEntry, u8(p, PACKET_VCPU_INTERRUPT_VECTOR),
                                    c.what);
                        } else {
                            assertEquals(c.maskOrId, i64(p, PACKET_VCPU_STARTUP_ID), c.what);
                            assertEquals(c.vectorOrEntry, i64(p, PACKET_VCPU_STARTUP_ENTRY),
                                    c.what);
                        }
                        p = enter(zx, vcpu);
                    }
                    assertEquals(ZX_PKT_TYPE_GUEST_IO, i32(p, PACKET_TYPE), c.what + ": goes on");
                    assertEquals(0x11, u16(p, PACKET_IO_PORT), c.what);
                } finally {
                    assertEquals(ZX_OK, zx.zx_handle_close(vcpu));
                }
            }
        }
    }

    /**
     * A write of the x2APIC SELF IPI register queues the vector on the VCPU itself, with no
     * packet: with interrupts disabled it stays pending, so the HLT after it does not block.
     */
    @KernelTest
    void selfIpiQueuesTheVectorLocally(TestKernel k) {
        try (World w = new World(k)) {
            Syscalls zx = w.zx;
            w.trap(ZX_GUEST_TRAP_IO, 0x11, 1, ZX_HANDLE_INVALID, 7);
            w.write(0x2000, wrmsrThen(0x83F, 0, 0x40, HLT, OUT_11, 0x11, HLT));
            int vcpu = w.vcpu(0x2000);
            w.extra.add(vcpu);
            byte[] p = enter(zx, vcpu);
            assertEquals(ZX_PKT_TYPE_GUEST_IO, i32(p, PACKET_TYPE));
            assertEquals(0x11, u16(p, PACKET_IO_PORT));
        }
    }

    @KernelTest
    void kickFromAnotherThreadCancelsAHaltedGuest(TestKernel k) throws Exception {
        try (World w = new World(k)) {
            Syscalls zx = w.zx;
            w.write(0x2000, guestImage("vmm.bin"));
            w.trap(ZX_GUEST_TRAP_IO, 0x3F8, 3, ZX_HANDLE_INVALID, 1);
            w.trap(ZX_GUEST_TRAP_IO, 0xE0, 1, ZX_HANDLE_INVALID, 2);
            w.trap(ZX_GUEST_TRAP_MEM, MEM_TRAP, 0x1000, ZX_HANDLE_INVALID, 4);
            w.trap(ZX_GUEST_TRAP_BELL, BELL_TRAP, 0x1000, w.port, 5);
            int vcpu = w.vcpu(0x2000);
            w.extra.add(vcpu);
            runToMemExit(zx, vcpu);
            // Next the guest halts waiting for interrupts that never come: a kick from another
            // thread ends that enter with CANCELED, exactly once.
            Thread self = Thread.currentThread();
            CompletableFuture<Integer> kicker = CompletableFuture.supplyAsync(() -> {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (self.getState() != Thread.State.WAITING && System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                return zx.zx_vcpu_kick(vcpu);
            });
            byte[] p = new byte[PORT_PACKET_SIZE];
            assertEquals(ZX_ERR_CANCELED, zx.zx_vcpu_enter(vcpu, p));
            assertEquals(ZX_OK, kicker.get(10, TimeUnit.SECONDS));
            // An interrupt now wakes the halted guest: its handler reports the vector.
            assertEquals(ZX_OK, zx.zx_vcpu_interrupt(vcpu, 48));
            p = enter(zx, vcpu);
            assertEquals(ZX_PKT_TYPE_GUEST_IO, i32(p, PACKET_TYPE));
            assertEquals(0xE0, u16(p, PACKET_IO_PORT));
            assertEquals(48, u8(p, PACKET_IO_DATA));
        }
    }

    @KernelTest
    void bellWithItsPortClosedFailsEnterWithBadState(TestKernel k) {
        try (World w = new World(k)) {
            Syscalls zx = w.zx;
            w.write(0x2000, guestImage("vmm.bin"));
            w.trap(ZX_GUEST_TRAP_IO, 0x3F8, 3, ZX_HANDLE_INVALID, 1);
            w.trap(ZX_GUEST_TRAP_MEM, MEM_TRAP, 0x1000, ZX_HANDLE_INVALID, 4);
            int[] out = new int[1];
            assertEquals(ZX_OK, zx.zx_port_create(0, out));
            int bellPort = out[0];
            w.trap(ZX_GUEST_TRAP_BELL, BELL_TRAP, 0x1000, bellPort, 5);
            int vcpu = w.vcpu(0x2000);
            w.extra.add(vcpu);
            runToMemExit(zx, vcpu);
            // The next instruction rings the doorbell; nobody holds the port any more.
            assertEquals(ZX_OK, zx.zx_handle_close(bellPort));
            assertEquals(ZX_ERR_BAD_STATE, zx.zx_vcpu_enter(vcpu, new byte[PORT_PACKET_SIZE]));
        }
    }
}
