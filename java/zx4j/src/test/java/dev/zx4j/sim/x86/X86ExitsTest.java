package dev.zx4j.sim.x86;

import static dev.zx4j.abi.Zx.ZX_ERR_NOT_SUPPORTED;
import static dev.zx4j.abi.Zx.ZX_ERR_OUT_OF_RANGE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Exits of {@code run}: I/O, MEM, BELL, HLT, errors, stop requests; state access quirks. */
class X86ExitsTest {
    GuestHarness g;
    X86Cpu cpu;
    Map<String, Long> sym;
    byte[] image;

    @BeforeEach
    void setUp() {
        g = new GuestHarness();
        g.identityMap1G();
        sym = g.load("io", 0x2000);
        image = GuestHarness.resource("io.bin");
        cpu = X86Cpu.newBootProcessor(g, 0x2000);
    }

    byte[] bytesAt(String symbol, int len) {
        int off = (int) (sym.get(symbol) - 0x2000);
        return Arrays.copyOfRange(image, off, off + len);
    }

    @Test
    void bootProcessorInitialState() {
        assertEquals(0x2000, cpu.rip());
        assertEquals(0x2, cpu.rflags());
        assertEquals(0, cpu.cr3());
        assertTrue(cpu.is64BitMode());
        assertEquals(X86Cpu.CR0_PG | X86Cpu.CR0_PE, cpu.cr0() & (X86Cpu.CR0_PG | X86Cpu.CR0_PE));
        assertEquals(X86Cpu.EFER_LMA | X86Cpu.EFER_LME, cpu.efer() & (X86Cpu.EFER_LMA | X86Cpu.EFER_LME));
        for (int r = 0; r < 16; r++) {
            assertEquals(0, cpu.reg(r));
        }
        assertTrue(!cpu.canTakeExternalInterrupt(), "IF = 0 at boot");
    }

    @Test
    void portIoMemBellAndHaltExits() {
        VcpuExit e = cpu.run(1000);
        assertEquals(new VcpuExit.IoExit(0x11, 1, false, 0xCD), e);
        assertEquals(sym.get("after_out_imm"), cpu.rip(), "RIP already past the OUT");
        assertEquals(new VcpuExit.IoExit(0x3F8, 2, false, 0xABCD), cpu.run(1000));
        assertEquals(new VcpuExit.IoExit(0x3F8, 4, false, 0x1234ABCD), cpu.run(1000));

        assertEquals(new VcpuExit.IoExit(0x12, 4, true, 0), cpu.run(1000));
        assertEquals(sym.get("in32") + 2, cpu.rip());
        assertEquals(0, cpu.reg(X86Cpu.RAX), "32-bit IN zeroes RAX at the exit");
        cpu.writeIoInput(4, 0x55667788);
        assertEquals(new VcpuExit.IoExit(0x3F8, 1, true, 0), cpu.run(1000));
        assertEquals(0x55667788L, cpu.reg(X86Cpu.RBX));
        assertEquals(-1L, cpu.reg(X86Cpu.RAX), "8-bit IN leaves RAX until the value is written");
        cpu.writeIoInput(1, 0x42);

        e = cpu.run(1000);
        VcpuExit.MemExit m = assertInstanceOf(VcpuExit.MemExit.class, e);
        assertEquals(0xFFF010L, m.addr());
        assertEquals(11, m.instructionLength());
        assertArrayEquals(bytesAt("mem_write", 11), m.instruction());
        assertEquals(4, m.defaultOperandSize());
        assertEquals(sym.get("mem_read"), cpu.rip(), "RIP past the trapped store");
        assertEquals(0xFFFF_FFFF_FFFF_FF42L, cpu.reg(X86Cpu.RCX));

        m = assertInstanceOf(VcpuExit.MemExit.class, cpu.run(1000));
        assertEquals(0xFFF020L, m.addr());
        assertEquals(8, m.instructionLength());
        assertArrayEquals(bytesAt("mem_read", 8), m.instruction());
        assertEquals(0, cpu.reg(8), "the trapped load is left to the VMM");
        assertEquals(sym.get("bell_write"), cpu.rip());

        assertEquals(new VcpuExit.BellExit(0xFFE008L), cpu.run(1000));
        assertEquals(sym.get("bell_write") + 12, cpu.rip());
        assertEquals(new VcpuExit.HaltExit(), cpu.run(1000));
        assertEquals(sym.get("after_hlt"), cpu.rip(), "RIP past the HLT");
        assertTrue(cpu.halted());
        assertEquals(new VcpuExit.IoExit(0x99, 1, false, 0x42), cpu.run(1000));
    }

    @Test
    void errorExits() {
        cpu.setRip(sym.get("unsupported"));
        VcpuExit.ErrorExit e = assertInstanceOf(VcpuExit.ErrorExit.class, cpu.run(1000));
        assertEquals(ZX_ERR_NOT_SUPPORTED, e.status(), e.detail());
        assertEquals(sym.get("unsupported"), cpu.rip(), "RIP stays on the unsupported instruction");
        assertTrue(e.detail().contains("rip 0x" + Long.toHexString(sym.get("unsupported")))
                && e.detail().contains("bytes "), "the reason names RIP and the bytes: " + e.detail());

        cpu.setRip(sym.get("out_of_ram"));
        e = assertInstanceOf(VcpuExit.ErrorExit.class, cpu.run(1000));
        assertEquals(ZX_ERR_OUT_OF_RANGE, e.status(), e.detail());

        cpu.setRip(sym.get("bell_read"));
        e = assertInstanceOf(VcpuExit.ErrorExit.class, cpu.run(1000));
        assertEquals(ZX_ERR_NOT_SUPPORTED, e.status(), "reading a BELL page: " + e.detail());
    }

    @Test
    void budgetAndStopRequests() throws Exception {
        cpu.setRip(sym.get("spin"));
        long before = cpu.instructionsRetired();
        assertEquals(new VcpuExit.Stopped(VcpuExit.StopReason.BUDGET_EXHAUSTED), cpu.run(1000));
        assertTrue(cpu.instructionsRetired() - before >= 1000);
        cpu.requestStop();
        assertEquals(new VcpuExit.Stopped(VcpuExit.StopReason.STOP_REQUESTED), cpu.run(1000));
        assertEquals(sym.get("spin"), cpu.rip());
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(30);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            cpu.requestStop();
        });
        t.start();
        assertEquals(new VcpuExit.Stopped(VcpuExit.StopReason.STOP_REQUESTED), cpu.run(Long.MAX_VALUE));
        t.join();
    }

    @Test
    void selfModifyingCodeInTheSameBlock() {
        cpu.setRip(sym.get("smc"));
        assertEquals(new VcpuExit.IoExit(0x22, 1, false, 0), cpu.run(1000));
        cpu.setRip(sym.get("smc"));
        assertEquals(new VcpuExit.IoExit(0x22, 1, false, 0), cpu.run(1000), "re-run of patched code");
    }

    @Test
    void vcpuStateReadWriteQuirks() {
        byte[] st = new byte[X86Cpu.VCPU_STATE_SIZE];
        ByteBuffer bb = ByteBuffer.wrap(st).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < 16; r++) {
            bb.putLong(r * 8, 0x1000 + r);
        }
        bb.putLong(128, 0); // bit 1 clear: RFLAGS not written
        cpu.setRflags(0x2 | X86Cpu.FLAG_IF | X86Cpu.FLAG_ZF);
        cpu.writeState(st);
        for (int r = 0; r < 16; r++) {
            assertEquals(0x1000 + r, cpu.reg(r));
        }
        assertEquals(0x2 | X86Cpu.FLAG_IF | X86Cpu.FLAG_ZF, cpu.rflags());
        bb.putLong(128, 0x2 | X86Cpu.FLAG_CF); // IF clear in the value but IF is not a user flag
        cpu.writeState(st);
        assertEquals(0x2 | X86Cpu.FLAG_IF | X86Cpu.FLAG_CF, cpu.rflags(), "only user bits merged");
        byte[] out = new byte[X86Cpu.VCPU_STATE_SIZE];
        cpu.readState(out);
        ByteBuffer ob = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x1004, ob.getLong(32), "rsp");
        assertEquals(X86Cpu.FLAG_CF, ob.getLong(128), "RFLAGS masked to user bits (no IF, no bit 1)");
        cpu.setReg(0, 0x1111_2222_3333_4444L);
        cpu.writeIoInput(2, 0xABCD);
        assertEquals(0x1111_2222_3333_ABCDL, cpu.reg(0));
    }
}
