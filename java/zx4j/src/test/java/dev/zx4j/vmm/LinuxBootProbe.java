package dev.zx4j.vmm;

import dev.zx4j.sim.SimKernel;
import dev.zx4j.sim.x86.X86Cpu;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A diagnostic, not a test: boots a bzImage on {@link LinuxMachine} and, when a VCPU faults,
 * prints what the typed API cannot show — RIP, the control registers and the bytes at RIP —
 * by looking inside the simulated kernel. This is how the first thing Linux trips over is found.
 *
 * <pre>
 * java -cp target/classes:target/test-classes:... dev.zx4j.vmm.LinuxBootProbe \
 *     target/linux/vmlinuz target/linux/initrd.gz [vcpus] [seconds] [cmdline]
 * </pre>
 */
public final class LinuxBootProbe {

    public static void main(String[] args) throws Exception {
        byte[] kernel = Files.readAllBytes(Path.of(args[0]));
        byte[] initrd = args.length > 1 ? Files.readAllBytes(Path.of(args[1])) : null;
        int vcpus = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        String cmdline = args.length > 4 ? args[4] : "console=ttyS0 panic=-1";
        long memory = 256L << 20;
        SimKernel sim = new SimKernel();
        LinuxMachine m = new LinuxMachine(sim, new LinuxMachine.Config(memory, vcpus, cmdline,
                Duration.ofSeconds(seconds), true), System.out, System.err);
        LinuxBoot.Plan plan = LinuxBoot.plan(BzImage.parse(kernel), initrd, cmdline, memory,
                AcpiTables.build(vcpus), List.of());
        m.load(plan);
        m.onFault((apic, status) -> {
            try {
                X86Cpu cpu = cpuOf(sim, apic);
                StringBuilder s = new StringBuilder();
                s.append(String.format("FAULT vcpu-%d %s rip=%016x cr0=%x cr3=%x cr4=%x efer=%x "
                        + "cs.mode=%d instructions=%d%n", apic, status, cpu.rip(), cpu.cr0(),
                        cpu.cr3(), cpu.cr4(), cpu.efer(), cpu.codeSize(),
                        cpu.instructionsRetired()));
                for (int i = 0; i < 16; i++) {
                    s.append(String.format("  r%d=%016x", i, cpu.reg(i)));
                }
                s.append("\n  bytes at rip: ").append(bytesAt(m, cpu, cpu.rip(), 16));
                System.err.println(s);
            } catch (Exception e) {
                System.err.println("probe failed: " + e);
            }
        });
        int sampleSeconds = Integer.getInteger("zx4j.probe.sample", 0);
        if (sampleSeconds > 0) {
            // Every N seconds: each VCPU's RIP, RFLAGS.IF and the bytes there (read racily).
            Thread sampler = new Thread(() -> {
                while (true) {
                    try {
                        Thread.sleep(sampleSeconds * 1000L);
                        for (int apic = 0; apic < vcpus; apic++) {
                            try {
                                X86Cpu cpu = cpuOf(sim, apic);
                                long rip = cpu.rip();
                                System.err.printf("SAMPLE vcpu-%d rip=%016x rflags=%x rax=%x rcx=%x"
                                        + " rdx=%x rdi=%x rsi=%x insns=%d bytes %s%n", apic, rip,
                                        cpu.rflags(), cpu.reg(0), cpu.reg(1), cpu.reg(2),
                                        cpu.reg(7), cpu.reg(6), cpu.instructionsRetired(),
                                        bytesAt(m, cpu, rip, 16));
                            } catch (Exception e) {
                                System.err.println("SAMPLE vcpu-" + apic + ": " + e);
                            }
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "probe-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }
        LinuxMachine.Result r = m.run(plan);
        System.err.println("outcome: " + r.outcome());
        System.err.println("exits: " + r.exits() + " irqs: " + r.interrupts());
        System.err.println("io: " + r.ioByDevice() + " unclaimed: " + m.unclaimedPorts());
        System.err.println("vcpus: " + r.vcpus());
        m.close();
        System.exit(0);
    }

    @SuppressWarnings("unchecked")
    static X86Cpu cpuOf(SimKernel sim, int apic) throws Exception {
        Field f = SimKernel.class.getDeclaredField("liveVcpus");
        f.setAccessible(true);
        List<Object> all = (List<Object>) f.get(sim);
        synchronized (all) {
            for (Object v : all) {
                Field vpid = v.getClass().getDeclaredField("vpid");
                vpid.setAccessible(true);
                if ((int) vpid.get(v) - 1 == apic) {
                    Field cpu = v.getClass().getDeclaredField("cpu");
                    cpu.setAccessible(true);
                    return (X86Cpu) cpu.get(v);
                }
            }
        }
        throw new IllegalStateException("no vcpu " + apic);
    }

    static String bytesAt(LinuxMachine m, X86Cpu cpu, long linear, int n) {
        long phys = linear;
        if ((cpu.cr0() & 0x8000_0000L) != 0) {
            long table = cpu.cr3() & 0x000F_FFFF_FFFF_F000L;
            int[] shifts = {39, 30, 21, 12};
            phys = -1;
            for (int level = 0; level < 4; level++) {
                long e = read64(m, table + 8 * ((linear >>> shifts[level]) & 0x1FF));
                if ((e & 1) == 0) {
                    return "(not mapped)";
                }
                long addr = e & 0x000F_FFFF_FFFF_F000L;
                if (level < 3 && level > 0 && (e & 0x80) != 0) {
                    long size = 1L << shifts[level];
                    phys = (addr & -size) + (linear & (size - 1));
                    break;
                }
                if (level == 3) {
                    phys = addr + (linear & 0xFFF);
                }
                table = addr;
            }
        }
        byte[] b = new byte[n];
        m.ram().read(phys, b);
        return String.format("(phys %x) ", phys) + MmioInstruction.hex(b);
    }

    static long read64(LinuxMachine m, long addr) {
        byte[] b = new byte[8];
        m.ram().read(addr, b);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (b[i] & 0xFF);
        }
        return v;
    }
}
