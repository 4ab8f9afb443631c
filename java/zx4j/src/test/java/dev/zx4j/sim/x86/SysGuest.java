package dev.zx4j.sim.x86;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A freestanding test kernel of {@code native/sysguests} (multiboot, loaded at 1 MiB), built
 * with GNU as/ld/objcopy, run on {@code qemu-system-x86_64 -accel tcg} and on the software VCPU;
 * both runs give the text the kernel wrote to COM1 up to its write to the isa-debug-exit port.
 */
final class SysGuest {
    static final Path SOURCES = Path.of("native/sysguests");
    static final long LOAD_ADDRESS = 0x100000;
    static final int COM1 = 0x3F8;
    static final int DEBUG_EXIT = 0xF4;

    private SysGuest() {
    }

    /** Why the oracle cannot run here, or null when as, ld, objcopy and QEMU are all present. */
    static String missingTools() {
        for (String tool : new String[] {"as", "ld", "objcopy", "qemu-system-x86_64"}) {
            if (!onPath(tool)) {
                return tool + " is not installed (Debian: "
                        + (tool.startsWith("qemu") ? "qemu-system-x86" : "binutils") + ")";
            }
        }
        return null;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Assembles {@code source} (which includes kernel.inc) into a flat image. */
    static byte[] build(Path source, Path work) throws IOException, InterruptedException {
        Files.createDirectories(work);
        String name = source.getFileName().toString().replaceAll("\\.S$", "");
        Path obj = work.resolve(name + ".o");
        Path elf = work.resolve(name + ".elf");
        Path bin = work.resolve(name + ".bin");
        run(List.of("as", "--64", "-I", SOURCES.resolve("include").toString(), "-o", obj.toString(),
                source.toString()));
        run(List.of("ld", "-m", "elf_x86_64", "-nostdlib", "-static", "-N", "-Ttext=0x100000",
                "-e", "_start", "-o", elf.toString(), obj.toString()));
        run(List.of("objcopy", "-O", "binary", elf.toString(), bin.toString()));
        return Files.readAllBytes(bin);
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + text);
        }
        return text;
    }

    /**
     * Runs the image on QEMU (TCG, an Intel-vendor "max" CPU so that SYSENTER works in long
     * mode, 16 MiB) and returns the serial transcript.
     */
    static String runQemu(Path bin, Path work) throws IOException, InterruptedException {
        Path serial = work.resolve(bin.getFileName() + ".serial");
        Files.deleteIfExists(serial);
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-accel", "tcg",
                "-cpu", "max,vendor=GenuineIntel", "-m", "16", "-display", "none",
                "-monitor", "none", "-no-reboot", "-kernel", bin.toString(),
                "-serial", "file:" + serial, "-device", "isa-debug-exit,iobase=0xf4,iosize=4"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("QEMU did not finish: " + cmd);
        }
        if (p.exitValue() != 1) { // isa-debug-exit: (0 << 1) | 1
            throw new IOException("QEMU exited with " + p.exitValue() + ": "
                    + new String(out, StandardCharsets.UTF_8) + "\nserial:\n"
                    + (Files.exists(serial) ? Files.readString(serial) : ""));
        }
        return Files.readString(serial);
    }

    /**
     * Runs the image on the software VCPU in the state a multiboot loader leaves: 32-bit
     * protected mode with flat segments, paging off, EAX = 0x2BADB002, IF = 0.
     */
    static String runSoft(byte[] image) {
        GuestHarness g = new GuestHarness();
        g.write(LOAD_ADDRESS, image);
        X86Cpu cpu = X86Cpu.newApplicationProcessor(g, LOAD_ADDRESS, 1);
        cpu.cr0 = X86Cpu.CR0_PE | X86Cpu.CR0_ET | X86Cpu.CR0_NE;
        cpu.cr0Shadow = X86Cpu.CR0_PE | X86Cpu.CR0_ET;
        cpu.cr4 = 0;
        cpu.efer = 0;
        cpu.setSegment(X86Cpu.CS, new X86Cpu.SegmentRegister(0x10, 0, 0xFFFFFFFFL, 0xC09B));
        for (int seg : new int[] {X86Cpu.ES, X86Cpu.SS, X86Cpu.DS, X86Cpu.FS, X86Cpu.GS}) {
            cpu.setSegment(seg, new X86Cpu.SegmentRegister(0x18, 0, 0xFFFFFFFFL, 0xC093));
        }
        cpu.setRip(LOAD_ADDRESS);
        cpu.setReg(X86Cpu.RAX, 0x2BADB002L);
        cpu.setRflags(0x2);
        StringBuilder out = new StringBuilder();
        long budget = 200_000_000L;
        while (true) {
            long before = cpu.instructionsRetired();
            VcpuExit e = cpu.run(budget);
            budget -= cpu.instructionsRetired() - before;
            if (e instanceof VcpuExit.IoExit io) {
                if (io.input()) {
                    cpu.writeIoInput(io.accessSize(), 0xFF);
                } else if (io.port() == COM1) {
                    out.append((char) (io.data() & 0xFF));
                } else if (io.port() == DEBUG_EXIT) {
                    return out.toString();
                }
            } else if (e instanceof VcpuExit.Stopped s
                    && s.reason() == VcpuExit.StopReason.BUDGET_EXHAUSTED && budget > 0) {
                continue;
            } else {
                throw new AssertionError("software VCPU ended with " + e + " at rip 0x"
                        + Long.toHexString(cpu.rip()) + "; serial so far:\n" + out);
            }
        }
    }
}
