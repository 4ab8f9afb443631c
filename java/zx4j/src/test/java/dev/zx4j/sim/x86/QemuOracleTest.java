package dev.zx4j.sim.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The privileged-mode oracle: the freestanding kernels of {@code native/sysguests} (ring
 * transitions through IRET, SYSCALL/SYSRET, SYSENTER/SYSEXIT and INT 0x80, the TSS stack
 * switch and IST, faults with their error codes and CR2 from ring 3 and ring 0, IOPL and the
 * I/O bitmap, LAR/LSL/VERR/VERW/LTR/LLDT, U/S, R/W with CR0.WP, NX, SMEP, SMAP with STAC/CLAC,
 * INVLPG, and TF single-stepping) run on {@code qemu-system-x86_64 -accel tcg} and on the
 * software VCPU, and their serial transcripts must be identical. Randomised ring-3 programs
 * (system calls, arithmetic whose flags the kernel prints, privileged instructions and
 * faulting accesses, each continuing after its fault) are generated from a printed seed.
 *
 * <p>Where QEMU deviates from the Intel SDM the transcript is normalised to the SDM before the
 * comparison (listed in {@link #normaliseQemu}). Skipped, with the reason, without QEMU or
 * binutils.
 */
class QemuOracleTest {
    static Path work;

    @BeforeAll
    static void tools() throws IOException {
        String missing = SysGuest.missingTools();
        assumeTrue(missing == null, "privileged-mode oracle skipped: " + missing);
        work = Files.createDirectories(Path.of("target", "sysguests"));
    }

    @TestFactory
    Stream<DynamicTest> fixedKernels() throws IOException {
        List<Path> sources;
        try (Stream<Path> s = Files.list(SysGuest.SOURCES)) {
            sources = s.filter(p -> p.toString().endsWith(".S")).sorted().toList();
        }
        return sources.stream().map(src -> DynamicTest.dynamicTest(src.getFileName().toString(),
                () -> compare(src)));
    }

    @TestFactory
    Stream<DynamicTest> randomRing3Programs() {
        long seed = Long.getLong("zx4j.sysguest.seed", 0x5EED_0011L);
        int count = Integer.getInteger("zx4j.sysguest.programs", 12);
        List<DynamicTest> tests = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            long s = seed + k;
            tests.add(DynamicTest.dynamicTest("seed " + s, () -> {
                Path src = work.resolve("random-" + Long.toHexString(s) + ".S");
                Files.writeString(src, randomProgram(new Random(s)));
                compare(src);
            }));
        }
        return tests.stream();
    }

    static void compare(Path src) throws Exception {
        byte[] image = SysGuest.build(src, work);
        Path bin = work.resolve(src.getFileName().toString().replaceAll("\\.S$", ".bin"));
        String qemu = normaliseQemu(SysGuest.runQemu(bin, work));
        String soft = SysGuest.runSoft(image);
        if (!qemu.endsWith("END\n")) {
            fail("the QEMU run of " + src + " did not reach END:\n" + qemu);
        }
        String[] q = qemu.split("\n");
        String[] o = soft.split("\n");
        for (int k = 0; k < Math.max(q.length, o.length); k++) {
            String a = k < q.length ? q[k] : "<missing>";
            String b = k < o.length ? o[k] : "<missing>";
            if (!a.equals(b)) {
                fail(src.getFileName() + ": transcripts differ at line " + (k + 1) + "\n qemu: " + a
                        + "\n ours: " + b + "\n--- qemu ---\n" + qemu + "--- ours ---\n" + soft);
            }
        }
        assertEquals(qemu, soft);
    }

    private static final Pattern EXC = Pattern.compile(
            "^(EXC  000000000000000d )([0-9a-f]{16})( .*)$", Pattern.MULTILINE);

    /**
     * QEMU deviations from the SDM, rewritten to what silicon does:
     * <ul>
     *   <li>a #GP for an IDT gate in IA-32e mode: QEMU's error code is vector × 16 + 2 (the
     *       byte offset of the 16-byte gate); the SDM's is vector × 8 + 2 (the IDT index in
     *       the selector-index field, IDT bit set).</li>
     * </ul>
     */
    static String normaliseQemu(String t) {
        Matcher m = EXC.matcher(t);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            long err = Long.parseUnsignedLong(m.group(2), 16);
            if ((err & 3) == 2 && (err & 0xF) == 2 && err >= 16) {
                err = ((err - 2) / 16) * 8 + 2;
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1)
                    + String.format("%016x", err) + m.group(3)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    // ---- random ring-3 programs --------------------------------------------------------------

    private static final String[] FAULTING = {
        "cli", "sti", "hlt", "mov %cr0, %rax", "mov %cr4, %rbx", "wrmsr", "rdmsr", "swapgs",
        "invlpg (%rsp)", "lgdt (%rsp)", "lidt (%rsp)", "mov %dr0, %rax", "clts", "wbinvd",
        "out %al, $0x71", "in $0x60, %al", "int $0x81", "int $0x20", "ud2", "clac",
        "mov 0x100000, %rax", "movq $1, 0x100008", "movq $1, USER_RO + 0x40", "mov UNMAPPED, %rbx",
        "movb $2, UNMAPPED + 0x1234", "movabs 0x8000000000000000, %rax", "mov %eax, %ds",
        "mov %eax, %ss", "mov %eax, %es", "mov %eax, %fs", "push %rbx; popfq", "div %ecx",
        "mov KERNEL_RO, %rax", "call *%rdx",
    };

    /** A ring-3 program: system calls with random arguments, arithmetic, faults. */
    static String randomProgram(Random r) {
        StringBuilder u = new StringBuilder();
        int items = 24 + r.nextInt(24);
        for (int k = 0; k < items; k++) {
            switch (r.nextInt(7)) {
                case 0 -> u.append(String.format(
                        "        mov $0x%x, %%eax\n        mov $0x%x, %%edi\n        mov $0x%x, %%esi\n"
                                + "        syscall\n", r.nextInt(0x1000), r.nextInt(), r.nextInt()));
                case 1 -> u.append(String.format("        mov $0x%x, %%eax\n        int $0x80\n",
                        r.nextInt(0x1000)));
                case 2 -> {
                    String[] ops = {"add", "sub", "adc", "sbb", "cmp"};
                    u.append(String.format("        mov $0x%x, %%ebx\n        %s $0x%x, %%ebx\n",
                            r.nextInt(), ops[r.nextInt(ops.length)], r.nextInt(0x100) - 0x80));
                    u.append("        mov %rbx, %rdi\n        mov $0x300, %eax\n        syscall\n");
                }
                case 3 -> {
                    String f = FAULTING[r.nextInt(FAULTING.length)];
                    String[] sels = {"0x10", "0x20", "0x23", "0x38", "0x50", "0x70", "0x1B"};
                    u.append("        mov $").append(sels[r.nextInt(sels.length)]).append(", %eax\n");
                    u.append("        mov $0x400, %rbx\n        mov $0, %ecx\n        mov $")
                            .append(r.nextBoolean() ? "USER_NX" : "0x100000").append(", %rdx\n");
                    if (f.contains(";")) {
                        String[] parts = f.split(";\\s*");
                        u.append("        ").append(parts[0]).append('\n');
                        f = parts[1];
                    }
                    u.append("        FAULT ").append(f).append('\n');
                }
                case 4 -> u.append("        int3\n");
                case 5 -> u.append(String.format(
                        "        mov $0x%x, %%eax\n        mov %%rsp, %%rcx\n        lea 1f(%%rip), %%rdx\n"
                                + "        sysenter\n1:\n", r.nextInt(0x80)));
                default -> u.append(String.format(
                        "        mov $%d, %%ecx\n        mov $0x%x, %%eax\n2:      add %%ecx, %%eax\n"
                                + "        loop 2b\n        mov %%rax, %%rdi\n        mov $0x301, %%eax\n"
                                + "        syscall\n", 1 + r.nextInt(20), r.nextInt()));
            }
        }
        return """
                        .include "kernel.inc"
                        .macro FAULT insn:vararg
                        lea 9f(%rip), %r15
                        mov %r15, USER_FIXUP
                        \\insn
                9:
                        .endm
                        .text
                        .code64
                test_main:
                        movb $0xC3, USER_NX
                        mov $(u_main - user_image + USER_BASE), %rdi
                        mov $USER_STACK, %rsi
                        mov $0x2, %rdx
                        call run_user
                        ret
                        .balign 16
                user_image:
                u_main:
                """ + u + """
                        mov $0xDEAD, %eax
                        syscall
                user_image_end:
                """;
    }
}
