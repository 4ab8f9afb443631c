package dev.zx4j.fuchsia;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/build-fuchsia.sh: fails at once without an SDK, and learns what an SDK declares by
 * probe compiles (fake SDKs of three eras), so that the JNI glue compiles against each.
 */
class BuildFuchsiaScriptTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path SCRIPT = ROOT.resolve("scripts/build-fuchsia.sh");

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    private static Result run(Map<String, String> env, List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
        pb.environment().remove("FUCHSIA_SDK");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out, err);
    }

    private static Result script(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        return run(env, cmd);
    }

    @Test
    void withoutAnSdkItFailsAtOnceSayingWhatToSet() throws Exception {
        long t0 = System.nanoTime();
        Result r = script(Map.of());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("FUCHSIA_SDK is not set"), r.err());
        assertTrue(r.err().contains("arch/x64/sysroot") && r.err().contains("arch/arm64/sysroot"), r.err());
        assertEquals("", r.out());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "fails at once");
    }

    @Test
    void anSdkWithoutTheExpectedLayoutIsRejected() throws Exception {
        Result r = script(Map.of("FUCHSIA_SDK", tmp.resolve("missing").toString()));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("is not a directory"), r.err());

        Files.createDirectories(tmp.resolve("sdk/arch/x64/sysroot/include/zircon"));
        Files.writeString(tmp.resolve("sdk/arch/x64/sysroot/include/zircon/syscalls.h"), "");
        Result r2 = script(Map.of("FUCHSIA_SDK", tmp.resolve("sdk").toString()));
        assertEquals(2, r2.code());
        assertTrue(r2.err().contains("has no arch/arm64/sysroot/include/zircon/syscalls.h"), r2.err());
    }

    // ---- fake SDKs ------------------------------------------------------------------------------

    enum Era {
        /** zx_vcpu_resume, no kick, zx_interrupt_bind_vcpu. */
        OLD("zx_vcpu_resume", false, true),
        /** The modelled era: enter, kick and bind_vcpu. */
        LATE_V("zx_vcpu_enter", true, true),
        /** enter and kick; bind_vcpu removed. */
        NEW("zx_vcpu_enter", true, false);

        final String run;
        final boolean kick;
        final boolean bindVcpu;

        Era(String run, boolean kick, boolean bindVcpu) {
            this.run = run;
            this.kick = kick;
            this.bindVcpu = bindVcpu;
        }
    }

    /** Writes a minimal fake SDK: only what the probe and jni_glue.h need, in the given era. */
    private Path fakeSdk(Era era) throws IOException {
        Path sdk = tmp.resolve("sdk-" + era);
        String types = """
                #pragma once
                #include <stdint.h>
                #include <stddef.h>
                typedef int32_t zx_status_t;
                typedef uint32_t zx_handle_t;
                typedef uint32_t zx_rights_t;
                typedef uint32_t zx_vm_option_t;
                typedef int64_t zx_time_t;
                typedef uintptr_t zx_vaddr_t;
                #define ZX_ERR_NOT_SUPPORTED ((zx_status_t)-2)
                """;
        String port = """
                #pragma once
                #include <zircon/types.h>
                typedef struct zx_port_packet {
                    uint64_t key; uint32_t type; int32_t status;
                    union {
                        uint64_t user[4];
                        struct { zx_time_t timestamp; uint64_t r[3]; } interrupt;
                        struct { uint64_t addr; uint64_t r[3]; } guest_bell;
                        struct { uint16_t port; uint8_t access_size; _Bool input;
                                 uint8_t data[4]; uint64_t r[3]; } guest_io;
                    };
                } zx_port_packet_t;
                """;
        StringBuilder sys = new StringBuilder("#pragma once\n#include <zircon/types.h>\n"
                + "#include <zircon/syscalls/port.h>\n"
                + "zx_status_t zx_port_create(uint32_t options, zx_handle_t* out);\n"
                + "zx_status_t zx_vcpu_interrupt(zx_handle_t handle, uint32_t vector);\n");
        sys.append("zx_status_t ").append(era.run).append("(zx_handle_t handle, zx_port_packet_t* packet);\n");
        if (era.kick) {
            sys.append("zx_status_t zx_vcpu_kick(zx_handle_t handle);\n");
        }
        if (era.bindVcpu) {
            sys.append("zx_status_t zx_interrupt_bind_vcpu(zx_handle_t handle, zx_handle_t vcpu, uint32_t options);\n");
        }
        for (String arch : List.of("x64", "arm64")) {
            Path inc = sdk.resolve("arch/" + arch + "/sysroot/include/zircon");
            Files.createDirectories(inc.resolve("syscalls"));
            Files.writeString(inc.resolve("types.h"), types);
            Files.writeString(inc.resolve("syscalls/port.h"), port);
            Files.writeString(inc.resolve("syscalls.h"), sys.toString());
        }
        return sdk;
    }

    private static boolean haveClang() {
        try {
            Process p = new ProcessBuilder("clang", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String expectedFlags(Era era) {
        return "-DZX4J_HAVE_VCPU_ENTER=" + (era.run.equals("zx_vcpu_enter") ? 1 : 0)
                + " -DZX4J_HAVE_VCPU_RESUME=" + (era.run.equals("zx_vcpu_resume") ? 1 : 0)
                + " -DZX4J_HAVE_VCPU_KICK=" + (era.kick ? 1 : 0)
                + " -DZX4J_HAVE_INTERRUPT_BIND_VCPU=" + (era.bindVcpu ? 1 : 0);
    }

    @Test
    void theProbeLearnsWhatEachEraDeclaresAndTheGlueCompilesAgainstIt() throws Exception {
        assumeTrue(haveClang(), "clang is not installed (apt-get install clang): the probe compiles with it");
        for (Era era : Era.values()) {
            Path sdk = fakeSdk(era);
            Result r = script(Map.of("FUCHSIA_SDK", sdk.toString()), "--probe");
            assertEquals(0, r.code(), era + ": " + r.err());
            String flags = expectedFlags(era);
            assertTrue(r.out().contains("x64: " + flags + "\n"), era + ": " + r.out());
            assertTrue(r.out().contains("arm64: " + flags + "\n"), era + ": " + r.out());
            assertEquals(era == Era.OLD, r.out().contains("x64: zx_vcpu_enter falls back to zx_vcpu_resume"));
            assertEquals(!era.kick, r.out().contains("x64: zx_vcpu_kick returns ZX_ERR_NOT_SUPPORTED"));
            assertEquals(!era.bindVcpu,
                    r.out().contains("x64: zx_interrupt_bind_vcpu returns ZX_ERR_NOT_SUPPORTED"));

            // The JNI glue compiles against this SDK with the probed flags, for both targets...
            for (String target : List.of("x86_64-unknown-fuchsia", "aarch64-unknown-fuchsia")) {
                String arch = target.startsWith("x86_64") ? "x64" : "arm64";
                Result c = glue(sdk, arch, target, flags);
                assertEquals(0, c.code(), era + " " + target + ": " + c.err());
            }
            // ...and the probe matters: claiming everything is declared breaks the older/newer eras.
            String all = "-DZX4J_HAVE_VCPU_ENTER=1 -DZX4J_HAVE_VCPU_RESUME=0 -DZX4J_HAVE_VCPU_KICK=1"
                    + " -DZX4J_HAVE_INTERRUPT_BIND_VCPU=1";
            Result wrong = glue(sdk, "x64", "x86_64-unknown-fuchsia", all);
            assertEquals(era == Era.LATE_V, wrong.code() == 0, era + ": " + wrong.err());
        }
    }

    @Test
    void anSdkWhoseHeadersDoNotCompileFailsWithTheCompilerOutput() throws Exception {
        assumeTrue(haveClang(), "clang is not installed (apt-get install clang): the probe compiles with it");
        Path sdk = fakeSdk(Era.NEW);
        Files.writeString(sdk.resolve("arch/arm64/sysroot/include/zircon/syscalls.h"), "this is not C;\n");
        Result r = script(Map.of("FUCHSIA_SDK", sdk.toString()), "--probe");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("does not compile for aarch64-unknown-fuchsia"), r.err());
        assertTrue(r.err().contains("error:"), r.err());
    }

    /** Compiles native/include/zx4j/jni_glue.h for Fuchsia against the fake SDK (C, syntax only). */
    private Result glue(Path sdk, String arch, String target, String flags) throws Exception {
        Path src = tmp.resolve("glue-use.c");
        Files.writeString(src, """
                #include "zx4j/jni_glue.h"
                zx_status_t use(zx_port_packet_t* p) {
                    return zx4j_compat_vcpu_enter(1, p) + zx4j_compat_vcpu_kick(1)
                         + zx4j_compat_interrupt_bind_vcpu(1, 2, 0) + (zx_status_t)zx4j_abi_layout(0)
                         + zx4j_host_register(0);
                }
                """);
        List<String> cmd = new ArrayList<>(List.of("clang", "--target=" + target,
                "--sysroot=" + sdk.resolve("arch/" + arch + "/sysroot"), "-ffreestanding",
                "-std=c11", "-Werror", "-Wall", "-fsyntax-only"));
        cmd.addAll(List.of(flags.split(" ")));
        cmd.addAll(List.of("-I", ROOT.resolve("native/include").toString(), src.toString()));
        return run(Map.of(), cmd);
    }
}
