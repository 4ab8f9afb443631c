package dev.zx4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.junit.SimulatedZircon;
import dev.zx4j.sim.SimKernel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Guests, their memory and traps on the simulated kernel; each test must be leak-free. */
@SimulatedZircon
class GuestTest {

    private static final long PAGE = 4096;

    private static Guest newGuest(Kernel zx, SimKernel sim) {
        try (Resource hypervisor = zx.adopt(sim.platform().createHypervisorResource(),
                Resource.class)) {
            return zx.createGuest(hypervisor);
        }
    }

    private static void assertStatus(Status status, Executable call) {
        ZxException e = assertThrows(ZxException.class, call);
        assertEquals(status, e.status(), e.getMessage());
    }

    @Test
    void guestMemoryIsAVmoMappedIntoThePhysicalVmar(Kernel zx, SimKernel sim) {
        try (Guest guest = newGuest(zx, sim); Vmo ram = zx.createVmo(16 * PAGE)) {
            assertEquals(16 * PAGE, ram.size());
            assertEquals(0, guest.physicalVmar().mapAt(0, ram, VmPerms.READ_WRITE));
            byte[] hello = "hello, guest".getBytes(StandardCharsets.US_ASCII);
            ram.write(0x2000, hello);
            assertArrayEquals(hello, ram.read(0x2000, hello.length));
            byte[] into = new byte[5];
            ram.read(0x2000, into);
            assertEquals("hello", new String(into, StandardCharsets.US_ASCII));
            assertStatus(Status.OUT_OF_RANGE, () -> ram.read(16 * PAGE - 1, 2));
            assertStatus(Status.ALREADY_EXISTS,
                    () -> guest.memory().mapAt(0, ram, VmPerms.READ_WRITE));
            guest.memory().unmap(0, 16 * PAGE);
            assertEquals(0, guest.memory().mapAt(0, ram, VmPerms.READ));
            long anywhere = guest.memory().map(0, ram, PAGE, PAGE, VmPerms.READ_WRITE);
            assertEquals(16 * PAGE, anywhere); // the first free gap after the RAM
        }
    }

    @Test
    void vmoSizesRoundUpToPagesAndTypesAreReported(Kernel zx, SimKernel sim) {
        try (Vmo vmo = zx.createVmo(5000, VmoOptions.RESIZABLE); Guest guest = newGuest(zx, sim)) {
            assertEquals(2 * PAGE, vmo.size());
            assertEquals(ObjectType.VMO, vmo.info().type());
            assertEquals(ObjectType.GUEST, guest.info().type());
            assertEquals(ObjectType.VMAR, guest.physicalVmar().info().type());
            assertEquals(guest.info().koid(), guest.physicalVmar().info().relatedKoid());
        }
    }

    @Test
    void executeNeedsAVmoReplacedAsExecutable(Kernel zx, SimKernel sim) {
        try (Guest guest = newGuest(zx, sim);
             Resource vmex = zx.adopt(sim.platform().createVmexResource(), Resource.class)) {
            Vmo plain = zx.createVmo(PAGE);
            assertStatus(Status.ACCESS_DENIED,
                    () -> guest.memory().mapAt(0, plain, VmPerms.READ_WRITE_EXECUTE));
            try (Vmo code = plain.replaceAsExecutable(vmex)) {
                assertTrue(plain.isClosed());
                assertThrows(ClosedHandleException.class, plain::size);
                assertTrue(code.info().rights().contains(Rights.EXECUTE));
                assertEquals(0, guest.memory().mapAt(0, code, VmPerms.READ_WRITE_EXECUTE));
            }
        }
    }

    @Test
    void vmPermsPrintAndCheckTheirBits() {
        assertEquals("VmPerms[READ|WRITE|EXECUTE]", VmPerms.READ_WRITE_EXECUTE.toString());
        assertEquals(VmPerms.READ_WRITE, VmPerms.of(VmPerms.WRITE, VmPerms.READ));
        assertTrue(VmPerms.READ_WRITE.contains(VmPerms.READ));
        assertThrows(IllegalArgumentException.class, () -> VmPerms.fromBits(1 << 4));
    }

    @Test
    void trapRulesSurfaceAsZxExceptions(Kernel zx, SimKernel sim) {
        try (Guest guest = newGuest(zx, sim); Port port = zx.createPort()) {
            assertStatus(Status.INVALID_ARGS, () -> guest.setTrap(TrapKind.MEM, 0, PAGE, port, 1));
            assertStatus(Status.INVALID_ARGS, () -> guest.setTrap(TrapKind.BELL, 0, PAGE, null, 1));
            assertStatus(Status.INVALID_ARGS, () -> guest.setTrap(TrapKind.IO, 0x60, 1, port, 1));
            assertStatus(Status.INVALID_ARGS, () -> guest.setMemTrap(0x1001, PAGE, 1));
            assertStatus(Status.INVALID_ARGS, () -> guest.setBellTrap(0x1000, 100, port, 1));
            assertStatus(Status.OUT_OF_RANGE, () -> guest.setIoTrap(0x60, 0, 1));
            assertStatus(Status.OUT_OF_RANGE, () -> guest.setIoTrap(0xFFF0, 0x20, 1));

            guest.setMemTrap(0xFFF000, PAGE, 1);
            guest.setBellTrap(0xFFE000, PAGE, port, 2);
            guest.setIoTrap(0x3F8, 8, 3);
            // BELL and MEM share one address space, IO has its own.
            assertStatus(Status.ALREADY_EXISTS, () -> guest.setBellTrap(0xFFF000, PAGE, port, 4));
            assertStatus(Status.ALREADY_EXISTS, () -> guest.setMemTrap(0xFFE000, 2 * PAGE, 4));
            assertStatus(Status.ALREADY_EXISTS, () -> guest.setIoTrap(0x3FF, 1, 4));
            guest.setIoTrap(0x1000, 1, 5); // no clash with the MEM space at that number
            assertThrows(NullPointerException.class, () -> guest.setBellTrap(0, PAGE, null, 1));
        }
    }

    @Test
    void aTrapNeedsWriteOnTheGuest(Kernel zx, SimKernel sim) {
        try (Guest guest = newGuest(zx, sim);
             Guest readOnly = guest.duplicate(Rights.BASIC.minus(Rights.WAIT))) {
            assertStatus(Status.ACCESS_DENIED, () -> readOnly.setIoTrap(0x60, 1, 1));
        }
    }

    @Test
    void vcpuCreationFollowsTheKernelRules(Kernel zx, SimKernel sim) {
        try (Guest guest = newGuest(zx, sim);
             Guest noManage = guest.duplicate(Rights.of(Rights.WRITE, Rights.DUPLICATE))) {
            assertStatus(Status.INVALID_ARGS, () -> guest.createVcpu(1L << 48));
            assertStatus(Status.ACCESS_DENIED, () -> noManage.createVcpu(0));
            try (Vcpu vcpu = guest.createVcpu(0x2000)) {
                assertEquals(ObjectType.VCPU, vcpu.info().type());
                assertEquals(guest.info().koid(), vcpu.info().relatedKoid());
                X86Registers r = vcpu.readState();
                assertEquals(X86Registers.SIZE, r.toBytes().length);
                vcpu.writeState(r.withRax(7));
            }
        }
    }

    @Test
    void closingTheGuestClosesItsPhysicalVmar(Kernel zx, SimKernel sim) {
        Guest guest = newGuest(zx, sim);
        Vmar vmar = guest.physicalVmar();
        Guest view = guest.borrow();
        assertTrue(view.hasPhysicalVmar());
        assertFalse(view.physicalVmar().isOwner());
        guest.close();
        assertTrue(vmar.isClosed());
        assertThrows(ClosedHandleException.class, () -> view.physicalVmar().info());
    }

    @Test
    void aReplacementTakesTheVmarAlongAndADuplicateHasNone(Kernel zx, SimKernel sim) {
        Guest guest = newGuest(zx, sim);
        Vmar vmar = guest.physicalVmar();
        try (Guest replaced = guest.replace(Rights.SAME_RIGHTS);
             Guest dup = replaced.duplicate(Rights.SAME_RIGHTS)) {
            assertTrue(guest.isClosed());
            assertFalse(vmar.isClosed());
            assertEquals(vmar, replaced.physicalVmar());
            assertFalse(dup.hasPhysicalVmar());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    dup::physicalVmar);
            assertTrue(e.getMessage().contains("no physical VMAR"), e.getMessage());
            dup.close();
            assertFalse(vmar.isClosed()); // closing a duplicate leaves the VMAR alone
        }
        assertTrue(vmar.isClosed());
    }

    @Test
    void releasingTheGuestLeavesTheVmarToTheCaller(Kernel zx, SimKernel sim) {
        Guest guest = newGuest(zx, sim);
        int raw = guest.release();
        Vmar vmar = guest.physicalVmar();
        assertFalse(vmar.isClosed());
        vmar.close();
        try (Guest adopted = zx.adopt(raw, Guest.class)) {
            assertFalse(adopted.hasPhysicalVmar());
        }
    }

    @Test
    void guestCreationNeedsTheHypervisorResource(Kernel zx, SimKernel sim) {
        try (Resource irq = zx.adopt(sim.platform().createIrqResource(0, 16), Resource.class)) {
            assertStatus(Status.WRONG_TYPE, () -> zx.createGuest(irq));
        }
    }
}
