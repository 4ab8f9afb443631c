package dev.zx4j.sim.x86.diff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.zx4j.sim.x86.GuestPhysicalBus;
import dev.zx4j.sim.x86.VcpuExit;
import dev.zx4j.sim.x86.X86Cpu;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The batch kvm-oracle runs (prologue, snippet, epilogue per case, chained, ending with the
 * write to DONE), run whole on the software VCPU, must give every case the outcome that running
 * the case alone gives: this checks the layout, the register order of the prologue and epilogue
 * and the result parsing without /dev/kvm.
 */
class BatchImageTest {
    @Test
    void theOracleBatchRunWholeGivesEachCaseItsOwnOutcome() {
        Layout l = new Layout(400);
        List<DiffCase> cases = Differential.generate(99, l, SequenceGenerator.Features.ALL, 12);
        byte[] batch = KvmOracle.image(cases, l);
        int header = 56;
        byte[][] ram = new byte[(int) (Layout.RAM_SIZE >>> 12)][];
        GuestPhysicalBus bus = new GuestPhysicalBus() {
            @Override
            public byte[] ramPage(long pn) {
                if (pn >= ram.length) {
                    return null;
                }
                if (ram[(int) pn] == null) {
                    ram[(int) pn] = new byte[PAGE_SIZE];
                }
                return ram[(int) pn];
            }

            @Override
            public Trap trapAt(long gpa) {
                return gpa >>> 12 == Layout.DONE >>> 12 ? Trap.MEM : Trap.NONE;
            }
        };
        ByteBuffer.wrap(bus.ramPage(0)).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0x1000 | 7);
        ByteBuffer.wrap(bus.ramPage(1)).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0x87);
        for (int k = header; k < batch.length; k++) {
            long gpa = Layout.CODE_BASE + k - header;
            bus.ramPage(gpa >>> 12)[(int) (gpa & 0xFFF)] = batch[k];
        }
        X86Cpu cpu = X86Cpu.newBootProcessor(bus, l.codeSlot(0));
        VcpuExit e = cpu.run(10_000_000);
        VcpuExit.MemExit done = assertInstanceOf(VcpuExit.MemExit.class, e);
        assertEquals(Layout.DONE, done.addr());

        int len = l.count * Layout.DATA_SLOT;
        ByteBuffer data = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < len; k++) {
            long gpa = l.dataBase() + k;
            data.put(k, bus.ramPage(gpa >>> 12)[(int) (gpa & 0xFFF)]);
        }
        List<Outcome> whole = KvmOracle.outcomes(data, 0, l);
        SoftCpuRunner alone = new SoftCpuRunner();
        for (int i = 0; i < l.count; i++) {
            DiffCase c = cases.get(i);
            Outcome a = alone.run(c);
            Outcome w = whole.get(i);
            assertArrayEquals(a.regs(), w.regs(), c::describe);
            assertEquals(a.rflags() & (Flags.ALL | Flags.DF), w.rflags() & (Flags.ALL | Flags.DF), c::describe);
            assertArrayEquals(a.mem(), w.mem(), c::describe);
        }
    }
}
