package dev.zx4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.zx4j.abi.Layouts;
import dev.zx4j.junit.SimulatedZircon;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code zx_vcpu_kick} ends {@code zx_vcpu_enter} at each place enter can block: running guest
 * code, halted with interrupts off, blocked on a full BELL-trap packet pool; and a kick before
 * enter makes the next enter return at once. A BELL write cut short by a kick is queued by the
 * next enter: no packet is lost.
 */
@SimulatedZircon(clock = SimulatedZircon.ClockKind.SYSTEM)
class VcpuKickTest {

    private static final long ENTRY = 0x2000;
    private static final long BELL = 0x800000; // mapped by the page tables, no RAM there
    private static final int POOL = 256;       // packets a BELL trap may have in flight

    /** The VCPU thread: runs enter() each time it is told to, reporting every exit. */
    private static final class VcpuLoop implements AutoCloseable {
        final SynchronousQueue<Boolean> go = new SynchronousQueue<>();
        final BlockingQueue<Object> exits = new LinkedBlockingQueue<>();
        final CompletableFuture<VcpuController> controller = new CompletableFuture<>();
        final Thread thread;

        VcpuLoop(Guest guest) {
            thread = new Thread(() -> {
                try (Vcpu vcpu = guest.createVcpu(ENTRY)) {
                    controller.complete(vcpu.controller());
                    while (go.take()) {
                        try {
                            exits.add(vcpu.enter());
                        } catch (RuntimeException e) {
                            exits.add(e);
                        }
                    }
                } catch (Throwable e) {
                    controller.completeExceptionally(e);
                    exits.add(e);
                }
            }, "vcpu-0");
            thread.start();
        }

        void enter() throws InterruptedException {
            go.put(true);
        }

        Object next() throws InterruptedException {
            Object e = exits.poll(20, TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("enter did not return within 20 s");
            }
            return e;
        }

        /** Waits until the VCPU thread is blocked (WAITING) inside enter. */
        void awaitBlocked() throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (thread.getState() != Thread.State.WAITING || !exits.isEmpty()) {
                if (System.nanoTime() > end) {
                    throw new AssertionError("the VCPU never blocked: " + thread.getState()
                            + ", exits " + exits);
                }
                Thread.sleep(5);
            }
        }

        void kick() throws Exception {
            controller.get(20, TimeUnit.SECONDS).kick();
        }

        @Override
        public void close() throws InterruptedException {
            go.offer(false, 20, TimeUnit.SECONDS);
            thread.join(20_000);
        }
    }

    private static Guest guest(Kernel zx, Vmo ram, byte[] code) {
        try (Resource hypervisor = zx.simulatedPlatform().hypervisorResource()) {
            Guest guest = zx.createGuest(hypervisor);
            guest.physicalVmar().mapAt(0, ram, VmPerms.READ_WRITE);
            byte[] e = new byte[8];
            Layouts.put64(e, 0, 0x1000 | 0x7);
            ram.write(0, e);
            Layouts.put64(e, 0, 0x87);
            ram.write(0x1000, e);
            ram.write(ENTRY, code);
            return guest;
        }
    }

    @Test
    void aKickEndsARunningGuestAndAKickBeforeEnterIsKept(Kernel zx) throws Exception {
        byte[] spin = {(byte) 0xEB, (byte) 0xFE}; // jmp $
        try (Vmo ram = zx.createVmo(1 << 20);
             Guest guest = guest(zx, ram, spin);
             VcpuLoop loop = new VcpuLoop(guest)) {
            loop.kick(); // before any enter: the next enter returns at once
            loop.enter();
            assertInstanceOf(VcpuExit.Kicked.class, loop.next());
            loop.enter();
            Thread.sleep(50); // running "jmp $"
            loop.kick();
            assertInstanceOf(VcpuExit.Kicked.class, loop.next());
        }
    }

    @Test
    void aKickEndsAHaltedGuestAndAFullBellPoolWithoutLosingTheWrite(Kernel zx)
            throws Exception {
        byte[] code = {
            (byte) 0xB8, 0x00, 0x00, (byte) 0x80, 0x00,  // mov eax, BELL
            (byte) 0xB9, 0x01, 0x01, 0x00, 0x00,         // mov ecx, 257
            (byte) 0x88, 0x00,                           // L: mov [rax], al (rings the bell)
            (byte) 0xFF, (byte) 0xC9,                    // dec ecx
            0x75, (byte) 0xFA,                           // jnz L
            (byte) 0xFA,                                 // cli
            (byte) 0xF4,                                 // H: hlt
            (byte) 0xEB, (byte) 0xFD,                    // jmp H
        };
        try (Vmo ram = zx.createVmo(1 << 20);
             Guest guest = guest(zx, ram, code);
             Port port = zx.createPort()) {
            guest.setBellTrap(BELL, 0x1000, port, 5);
            try (VcpuLoop loop = new VcpuLoop(guest)) {
                // 256 packets fill the pool; the 257th write blocks inside enter
                loop.enter();
                loop.awaitBlocked();
                loop.kick();
                assertInstanceOf(VcpuExit.Kicked.class, loop.next());
                assertEquals(POOL, drain(port));

                // the next enter queues the pending 257th packet first, then halts (IF = 0)
                loop.enter();
                loop.awaitBlocked();
                loop.kick();
                assertInstanceOf(VcpuExit.Kicked.class, loop.next());
                assertEquals(1, drain(port), "the write cut short by the kick was queued once");
                loop.enter();
                loop.awaitBlocked(); // halted again
                loop.kick();
                assertInstanceOf(VcpuExit.Kicked.class, loop.next());
                assertEquals(0, drain(port));
            }
        }
    }

    private static int drain(Port port) {
        int n = 0;
        while (true) {
            try {
                PortPacket p = port.waitFor(Duration.ZERO);
                assertEquals(new PortPacket.GuestBellPacket(5, BELL), p);
                n++;
            } catch (ZxException e) {
                assertEquals(Status.TIMED_OUT, e.status());
                return n;
            }
        }
    }
}
