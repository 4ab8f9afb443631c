package dev.zx4j.sim.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The host CPU at CPL 3 as the oracle for user-mode events: each snippet (assembled here with
 * GNU as) runs in a plain Linux process ({@code native/hostcpu/cpl3-events.c}, built with gcc),
 * which reports every signal with the trap number and error code the kernel got from the CPU
 * and the RIP, continuing after single-step traps and INT3; and it runs at CPL 3 on the
 * software VCPU, whose IDT stubs report vector, error code and RIP. The event lists must agree
 * (vector ↔ signal as Linux maps them: #DE SIGFPE, #DB/#BP SIGTRAP, #UD SIGILL, #GP SIGSEGV).
 *
 * <p>Covered: TF single-stepping with the POPF rule (no trap after the POPF that sets TF, a trap
 * after the one that clears it), the MOV SS rule (the trap waits one more instruction), INT3 and INT1, #UD, #DE, and #GP(0) from privileged and IOPL-sensitive
 * instructions, a non-canonical access, and a DPL 0 gate (#GP(vector × 8 + 2)). Page faults are
 * left to the QEMU oracle (the address spaces differ). Needs gcc and as; skipped otherwise.
 */
class HostCpl3EventOracleTest {
    static Path work;
    static Path runner;

    static final String[] SNIPPETS = {
        // TF stepping over a few instructions, set and cleared with POPF
        "pushfq; orq $0x100, (%rsp); popfq; nop; mov $1, %eax; add %eax, %eax; pushfq;"
                + " andq $~0x100, (%rsp); popfq; nop; ret",
        // MOV SS holds the single-step trap for one instruction
        "pushfq; orq $0x100, (%rsp); popfq; mov %ss, %eax; mov %eax, %ss; nop; nop; pushfq;"
                + " andq $~0x100, (%rsp); popfq; ret",
        // stepping through a taken branch and a CALL/RET
        "pushfq; orq $0x100, (%rsp); popfq; jmp 1f; nop; 1: call 2f; jmp 3f; 2: ret; 3: pushfq;"
                + " andq $~0x100, (%rsp); popfq; ret",
        "int3; nop; ret",
        ".byte 0xF1; nop; ret",
        "ud2; ret",
        "xor %ecx, %ecx; xor %edx, %edx; mov $7, %eax; div %ecx; ret",
        "cli; ret",
        "sti; ret",
        "hlt; ret",
        "in $0x80, %al; ret",
        "out %al, $0x80; ret",
        "mov %cr0, %rax; ret",
        "mov %dr7, %rax; ret",
        "wrmsr; ret",
        "rdmsr; ret",
        "lgdt (%rsp); ret",
        "invlpg (%rsp); ret",
        "wbinvd; ret",
        "swapgs; ret",
        "clts; ret",
        "movabs 0x8000000000000000, %rax; ret",
        "int $0x81; ret",
        "int $0x0d; ret",
    };

    @BeforeAll
    static void build() throws IOException, InterruptedException {
        for (String tool : new String[] {"gcc", "as", "objcopy"}) {
            assumeTrue(onPath(tool), "host CPL 3 oracle skipped: " + tool + " is not installed");
        }
        work = Files.createDirectories(Path.of("target", "hostcpu"));
        runner = work.resolve("cpl3-events");
        exec(List.of("gcc", "-O1", "-o", runner.toString(), "native/hostcpu/cpl3-events.c"), null);
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static String exec(List<String> cmd, String input) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (input != null) {
            p.getOutputStream().write(input.getBytes(StandardCharsets.US_ASCII));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    static byte[] assemble(int k, String asm) throws IOException, InterruptedException {
        Path src = work.resolve("s" + k + ".S");
        Path obj = work.resolve("s" + k + ".o");
        Path bin = work.resolve("s" + k + ".bin");
        Files.writeString(src, "        .code64\n" + asm.replace("; ", "\n") + "\n");
        exec(List.of("as", "--64", "-o", obj.toString(), src.toString()), null);
        exec(List.of("objcopy", "-O", "binary", "-j", ".text", obj.toString(), bin.toString()), null);
        return Files.readAllBytes(bin);
    }

    @Test
    void userModeEventsMatchTheHostCpu() throws Exception {
        List<byte[]> codes = new ArrayList<>();
        StringBuilder input = new StringBuilder();
        for (int k = 0; k < SNIPPETS.length; k++) {
            byte[] b = assemble(k, SNIPPETS[k]);
            codes.add(b);
            input.append(HexFormat.of().formatHex(b)).append('\n');
        }
        String[] host = exec(List.of(runner.toString()), input.toString()).split("DONE\n", -1);
        for (int k = 0; k < SNIPPETS.length; k++) {
            String want = host[k];
            String got = runSoft(codes.get(k));
            assertEquals(want, got, "snippet " + k + ": " + SNIPPETS[k]);
        }
    }

    // ---- the software VCPU at CPL 3 -------------------------------------------------------------

    static final long GDT = 0x8000, TSS = 0x9000, IDT = 0xA000, STUBS = 0xB000, DONE = 0xC000;
    static final long CODE = 0x400000, STACK = 0x6F000, KSTACK = 0x7F000;

    static boolean hasError(int v) {
        return v == 8 || (v >= 10 && v <= 14) || v == 17;
    }

    /** Linux's signal for a vector raised in user mode. */
    static int signal(int v) {
        switch (v) {
            case 0: return 8;        // SIGFPE
            case 1: case 3: return 5; // SIGTRAP
            case 6: return 4;        // SIGILL
            default: return 11;      // SIGSEGV
        }
    }

    static String runSoft(byte[] code) {
        GuestHarness g = new GuestHarness();
        g.identityMap1G();
        g.write64(GDT + 0x08, 0x00AF9B000000FFFFL);
        g.write64(GDT + 0x10, 0x00CF93000000FFFFL);
        g.write64(GDT + 0x20, 0x00CFF3000000FFFFL);
        g.write64(GDT + 0x28, 0x00AFFB000000FFFFL);
        g.write64(GDT + 0x30, 0x0000890000000067L | ((TSS & 0xFFFFFF) << 16));
        g.write64(TSS + 4, KSTACK);
        g.write(TSS + 0x66, new byte[] {0x68, 0}); // no I/O bitmap inside the limit
        for (int v = 0; v < 256; v++) {
            long stub = STUBS + 16L * v;
            int dpl = v == 3 || v == 4 ? 3 : 0;
            long lo = (stub & 0xFFFF) | (0x08L << 16) | ((0x8EL | (dpl << 5)) << 40)
                    | ((stub >>> 16) & 0xFFFF) << 48;
            g.write64(IDT + 16L * v, lo);
            g.write64(IDT + 16L * v + 8, stub >>> 32);
            g.write(stub, hasError(v)
                    ? new byte[] {(byte) 0xF4, 0x48, (byte) 0x83, (byte) 0xC4, 0x08, 0x48, (byte) 0xCF}
                    : new byte[] {(byte) 0xF4, 0x48, (byte) 0xCF});
        }
        g.write(DONE, new byte[] {(byte) 0xF4});
        g.write(DONE + 0x10, new byte[] {0x0F, 0x05}); // the snippet returns here: SYSCALL
        g.write(CODE, code);
        g.write64(STACK - 8, DONE + 0x10);
        X86Cpu cpu = X86Cpu.newBootProcessor(g, CODE);
        cpu.gdtrBase = GDT;
        cpu.gdtrLimit = 0x3F;
        cpu.idtrBase = IDT;
        cpu.idtrLimit = 0xFFF;
        cpu.trSel = 0x30;
        cpu.trBase = TSS;
        cpu.trLimit = 0x67;
        cpu.trAttr = 0x8B;
        cpu.efer |= X86Cpu.EFER_SCE;
        cpu.star = 0x08L << 32;
        cpu.lstar = DONE;
        cpu.setSegment(X86Cpu.SS, new X86Cpu.SegmentRegister(0x23, 0, 0xFFFFFFFFL, 0xC0F3));
        cpu.setSegment(X86Cpu.CS, new X86Cpu.SegmentRegister(0x2B, 0, 0xFFFFFFFFL, 0xA0FB));
        cpu.setReg(X86Cpu.RSP, STACK - 8);
        cpu.setRflags(0x202);
        cpu.setRip(CODE);
        StringBuilder out = new StringBuilder();
        for (int steps = 0; steps < 1000; steps++) {
            VcpuExit e = cpu.run(10_000);
            assertInstanceOf(VcpuExit.HaltExit.class, e, "snippet ran into " + e + "; so far " + out);
            long at = cpu.rip() - 1;
            if (at == DONE) {
                return out.toString();
            }
            int v = (int) ((at - STUBS) / 16);
            long sp = cpu.reg(X86Cpu.RSP);
            long err = hasError(v) ? g.read64(sp) : 0;
            long rip = g.read64(sp + (hasError(v) ? 8 : 0));
            out.append(String.format("E %d %d %x %x%n", signal(v), v, err, rip - CODE));
            if (v != 1 && v != 3) {
                return out.toString();
            }
        }
        throw new AssertionError("no end: " + out);
    }
}
