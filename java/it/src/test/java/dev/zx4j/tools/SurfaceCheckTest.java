package dev.zx4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fidl/ is the single source of the surface: the real tree agrees, and every kind of drift is
 * reported precisely (and makes the build step, {@link SurfaceCheck#main}, fail).
 */
class SurfaceCheckTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    @TempDir
    Path tmp;

    private SurfaceCheck.Inputs real() {
        return SurfaceCheck.Inputs.of(ROOT, getClass().getClassLoader());
    }

    /** A copy of fidl/ with one textual edit in one file. */
    private Path fidlWith(String file, String from, String to) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "fidl");
        try (Stream<Path> s = Files.list(ROOT.resolve("fidl"))) {
            for (Path p : s.toList()) {
                Files.copy(p, dir.resolve(p.getFileName()));
            }
        }
        Path f = dir.resolve(file);
        String text = Files.readString(f);
        assertTrue(text.contains(from), "test edit must apply: " + from);
        Files.writeString(f, text.replace(from, to));
        return dir;
    }

    @Test
    void theTreeAgreesWithFidl() {
        assertEquals(List.of(), SurfaceCheck.check(real()));
        Fidl.Surface s = Fidl.load(ROOT.resolve("fidl"));
        assertEquals(39, s.methods().size());
        assertTrue(s.methods().containsKey("zx_interrupt_bind_vcpu"));
        assertTrue(s.methods().containsKey("zx_vcpu_create"));
        assertTrue(s.methods().containsKey("zx_vcpu_kick"));
        assertTrue(s.methods().containsKey("zx_object_wait_async"));
        assertTrue(s.methods().containsKey("zx_timer_set"));
    }

    @Test
    void everyMethodDocumentsRightsAndErrors() {
        for (Fidl.Method m : Fidl.load(ROOT.resolve("fidl")).methods().values()) {
            assertTrue(m.doc().contains("## Rights"), m.cName() + " documents its rights");
            assertTrue(m.doc().contains("## Errors"), m.cName() + " documents its errors");
        }
    }

    @Test
    void removingASyscallFromFidlIsReportedEverywhere() throws IOException {
        String cancel = """
                    Cancel(resource struct {
                        handle handle:PORT;
                        source handle;
                        key uint64;
                    }) -> () error status;
                """;
        Path dir = fidlWith("port.fidl", cancel, "");
        List<String> problems = SurfaceCheck.check(real().withFidlDir(dir));
        assertEquals(List.of(
                "dev.zx4j.abi.Syscalls.zx_port_cancel is not in fidl/",
                "dev.zx4j.jni.LibZircon.zx_port_cancel is not in fidl/",
                "native/include/zx4j/zircon.h: zx_port_cancel is declared but not in fidl/",
                "native/host/libzircon.c defines zx_port_cancel, which is not in fidl/",
                "native/include/zx4j/host.h numbers zx_port_cancel, which is not in fidl/"),
                problems);
    }

    @Test
    void changingAParameterTypeIsReported() throws IOException {
        Path dir = fidlWith("port.fidl", "        deadline time;\n", "        deadline uint32;\n");
        List<String> problems = SurfaceCheck.check(real().withFidlDir(dir));
        String at = "fidl/port.fidl:" + line(dir.resolve("port.fidl"), "    Wait(");
        assertEquals(List.of(
                at + ": zx_port_wait has Java parameters [int, long, byte[]] in dev.zx4j.abi.Syscalls,"
                        + " fidl/ says [int, int, byte[]] [handle, deadline, packet]",
                at + ": zx_port_wait has Java parameters [int, long, byte[]] in dev.zx4j.jni.LibZircon,"
                        + " fidl/ says [int, int, byte[]] [handle, deadline, packet]",
                at + ": zx_port_wait is declared (zx_handle_t handle, zx_time_t deadline,"
                        + " zx_port_packet_t* packet) in native/include/zx4j/zircon.h, fidl/ says"
                        + " (zx_handle_t handle, uint32_t deadline, zx_port_packet_t* packet)"),
                problems);
    }

    @Test
    void aTypeWithTheSameJavaTypeIsCaughtByTheCastsAndTheHeader() throws IOException {
        // uint64 -> usize: both are Java long, so only the C side can tell
        Path dir = fidlWith("port.fidl", "        key uint64;\n    }) -> () error status;",
                "        key usize;\n    }) -> () error status;");
        List<String> problems = SurfaceCheck.check(real().withFidlDir(dir));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).endsWith("zx_port_cancel parameter 3 (key) has @Cast(uint64_t) in"
                + " LibZircon, fidl/ says size_t"), problems.get(0));
        assertTrue(problems.get(1).contains("zx_port_cancel is declared (zx_handle_t handle,"
                + " zx_handle_t source, uint64_t key)"), problems.get(1));
    }

    @Test
    void reorderingOrRenamingParametersIsReported() throws IOException {
        Path dir = fidlWith("interrupt.fidl", "        key uint64;\n        options uint32;\n",
                "        options uint32;\n        key uint64;\n");
        List<String> problems = SurfaceCheck.check(real().withFidlDir(dir));
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("zx_interrupt_bind has Java parameters [int, int, long, int]"
                + " in dev.zx4j.abi.Syscalls, fidl/ says [int, int, int, long]"), problems.get(0));

        Path renamed = fidlWith("vcpu.fidl", "        vector uint32;", "        vec uint32;");
        List<String> p2 = SurfaceCheck.check(real().withFidlDir(renamed));
        assertEquals(1, p2.size(), p2.toString());
        assertTrue(p2.get(0).contains("zx_vcpu_interrupt is declared (zx_handle_t handle, uint32_t vector)"
                + " in native/include/zx4j/zircon.h, fidl/ says (zx_handle_t handle, uint32_t vec)"),
                p2.get(0));
    }

    @Test
    void aDriftingHeaderIsReported() throws IOException {
        Path header = tmp.resolve("zircon.h");
        String text = Files.readString(ROOT.resolve("native/include/zx4j/zircon.h"));
        String from = "zx_vcpu_kick(zx_handle_t handle);";
        assertTrue(text.contains(from));
        Files.writeString(header, text.replace(from, "zx_vcpu_kick(zx_handle_t handle, uint32_t options);"));
        List<String> problems = SurfaceCheck.check(real().withHeader(header));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).endsWith("zx_vcpu_kick is declared (zx_handle_t handle, uint32_t options)"
                + " in native/include/zx4j/zircon.h, fidl/ says (zx_handle_t handle)"), problems.get(0));
    }

    @Test
    void theBuildStepFailsOnDrift() throws IOException {
        Path project = tmp.resolve("project");
        Files.createDirectories(project);
        Path dir = fidlWith("vcpu.fidl", "    Kick(", "    Kicks(");
        copyTree(dir, project.resolve("fidl"));
        copyTree(ROOT.resolve("native"), project.resolve("native"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SurfaceCheck.main(new String[] {project.toString()}));
        assertTrue(e.getMessage().contains("zx_vcpu_kicks is missing from dev.zx4j.abi.Syscalls"),
                e.getMessage());
        assertTrue(e.getMessage().contains("dev.zx4j.abi.Syscalls.zx_vcpu_kick is not in fidl/"),
                e.getMessage());
    }

    @Test
    void malformedFidlIsAnError() throws IOException {
        Path dir = fidlWith("clock.fidl", "GetMonotonic() -> (struct {", "GetMonotonic() -> (struct");
        List<String> problems = SurfaceCheck.check(real().withFidlDir(dir));
        assertTrue(problems.get(0).startsWith("clock.fidl:"), problems.toString());
    }

    private static int line(Path file, String prefix) throws IOException {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i + 1;
            }
        }
        throw new AssertionError(prefix);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
