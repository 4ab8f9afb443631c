package dev.zx4j.fuchsia;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/build-fuchsia.sh against fake SDKs made to look like real ones: a sysroot with C
 * headers only (no C++ headers, no C++ runtime, no compiler-rt) and, per era, a stub
 * libzircon.so exporting exactly that era's calls and a stub libc.so, both linked at test time
 * with clang and lld for x86_64 and aarch64 Fuchsia. The full build runs for both architectures:
 * it links with {@code -z defs}, needs only libzircon.so and libc.so, and binds the calls an era
 * may lack as weak references. A host program then shows the weak references at work with a real
 * dynamic linker: built once, it loads against every era's libzircon and answers
 * {@code ZX_ERR_NOT_SUPPORTED} for the calls that era lacks.
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
        pb.environment().remove("ZX4J_ARCHS");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
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
        assertTrue(r.err().contains("ZX4J_ARCHS"), r.err());
        assertEquals("", r.out());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "fails at once");
    }

    @Test
    void anSdkWithoutTheExpectedLayoutIsRejected() throws Exception {
        Result r = script(Map.of("FUCHSIA_SDK", tmp.resolve("missing").toString()));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("is not a directory"), r.err());

        Path x64 = tmp.resolve("sdk/arch/x64/sysroot");
        Files.createDirectories(x64.resolve("include/zircon"));
        Files.createDirectories(x64.resolve("lib"));
        Files.writeString(x64.resolve("include/zircon/syscalls.h"), "");
        Result r2 = script(Map.of("FUCHSIA_SDK", tmp.resolve("sdk").toString()));
        assertEquals(2, r2.code());
        assertTrue(r2.err().contains("has no arch/x64/sysroot/lib/libzircon.so"), r2.err());
        Files.writeString(x64.resolve("lib/libzircon.so"), "");
        Files.writeString(x64.resolve("lib/libc.so"), "");
        Result r3 = script(Map.of("FUCHSIA_SDK", tmp.resolve("sdk").toString()));
        assertEquals(2, r3.code());
        assertTrue(r3.err().contains("has no arch/arm64/sysroot/include/zircon/syscalls.h"), r3.err());
        Result r4 = script(Map.of("FUCHSIA_SDK", tmp.resolve("sdk").toString(), "ZX4J_ARCHS", "x64 riscv"));
        assertEquals(2, r4.code());
        assertTrue(r4.err().contains("unknown architecture 'riscv' in ZX4J_ARCHS"), r4.err());
    }

    // ---- fake SDKs ------------------------------------------------------------------------------

    /** Every call the library binds strongly: present in every era (checked against real SDKs). */
    private static final List<String> CORE = List.of(
            "zx_handle_close", "zx_handle_duplicate", "zx_handle_replace", "zx_object_get_info",
            "zx_clock_get_monotonic", "zx_port_create", "zx_port_queue", "zx_port_wait",
            "zx_port_cancel", "zx_interrupt_create", "zx_interrupt_bind", "zx_interrupt_ack",
            "zx_interrupt_trigger", "zx_interrupt_wait", "zx_interrupt_destroy", "zx_vmo_create",
            "zx_vmo_read", "zx_vmo_write", "zx_vmo_get_size", "zx_vmo_replace_as_executable",
            "zx_vmar_map", "zx_vmar_unmap", "zx_guest_create", "zx_guest_set_trap",
            "zx_vcpu_create", "zx_vcpu_interrupt", "zx_vcpu_read_state", "zx_vcpu_write_state");

    private static final List<String> ASYNC = List.of(
            "zx_event_create", "zx_object_signal", "zx_object_wait_one", "zx_object_wait_many",
            "zx_object_wait_async", "zx_timer_create", "zx_timer_set", "zx_timer_cancel");

    /** What the generated JNI code takes from libc (stub libc.so exports these). */
    private static final List<String> LIBC = List.of(
            "malloc", "calloc", "realloc", "free", "abort", "memchr", "memcmp", "memcpy", "memmove",
            "memset", "strcat", "strchr", "strcmp", "strcoll", "strcpy", "strcspn", "strerror",
            "strlen", "strncat", "strncmp", "strncpy", "strpbrk", "strrchr", "strspn", "strstr",
            "strtok", "strxfrm", "fprintf", "vfprintf", "sprintf", "fflush", "fputc", "fputs",
            "fwrite", "dlopen", "dlsym", "dlerror", "__stack_chk_fail");

    enum Era {
        /** 2018–2021 SDKs: zx_vcpu_resume, no kick, zx_interrupt_bind_vcpu, the async calls. */
        OLD(List.of("zx_vcpu_resume", "zx_interrupt_bind_vcpu")),
        /** The modelled era: enter, kick and bind_vcpu. */
        LATE_V(List.of("zx_vcpu_enter", "zx_vcpu_kick", "zx_interrupt_bind_vcpu")),
        /** enter and kick; bind_vcpu removed. */
        NEW(List.of("zx_vcpu_enter", "zx_vcpu_kick"));

        final List<String> optional;

        Era(List<String> vcpuCalls) {
            List<String> o = new ArrayList<>(vcpuCalls);
            o.addAll(ASYNC);
            this.optional = List.copyOf(o);
        }

        Set<String> exports() {
            Set<String> s = new LinkedHashSet<>(CORE);
            s.addAll(optional);
            return s;
        }
    }

    private static final String TYPES_H = """
            #pragma once
            #include <stdint.h>
            #include <stddef.h>
            typedef int32_t zx_status_t;
            typedef uint32_t zx_handle_t;
            typedef uint32_t zx_rights_t;
            typedef uint32_t zx_vm_option_t;
            typedef uint32_t zx_signals_t;
            typedef uint32_t zx_clock_t;
            typedef int64_t zx_time_t;
            typedef int64_t zx_duration_t;
            typedef uintptr_t zx_vaddr_t;
            typedef uintptr_t zx_gpaddr_t;
            typedef struct zx_wait_item {
                zx_handle_t handle;
                zx_signals_t waitfor;
                zx_signals_t pending;
            } zx_wait_item_t;
            #define ZX_ERR_NOT_SUPPORTED ((zx_status_t)-2)
            """;

    private static final String PORT_H = """
            #pragma once
            #include <zircon/types.h>
            typedef struct zx_port_packet {
                uint64_t key;
                uint32_t type;
                int32_t status;
                union {
                    struct { uint64_t u64[4]; } user;
                    struct { zx_time_t timestamp; uint64_t r[3]; } interrupt;
                    struct { uint64_t addr; uint64_t r[3]; } guest_bell;
                    struct { uint16_t port; uint8_t access_size; uint8_t input;
                             uint8_t data[4]; uint64_t r[3]; } guest_io;
                };
            } zx_port_packet_t;
            """;

    /** The C library headers of the fake sysroot: declarations only, as a libc provides them. */
    private static final Map<String, String> LIBC_HEADERS = Map.of(
            "stdio.h", """
                    #pragma once
                    #include <stddef.h>
                    #include <stdarg.h>
                    typedef struct zx4j_fake_file FILE;
                    extern FILE* stderr;
                    int fprintf(FILE*, const char*, ...);
                    int vfprintf(FILE*, const char*, va_list);
                    int sprintf(char*, const char*, ...);
                    int fflush(FILE*);
                    int fputc(int, FILE*);
                    """,
            "stdlib.h", """
                    #pragma once
                    #include <stddef.h>
                    void* malloc(size_t);
                    void* calloc(size_t, size_t);
                    void* realloc(void*, size_t);
                    void free(void*);
                    void abort(void);
                    """,
            "string.h", """
                    #pragma once
                    #include <stddef.h>
                    void* memchr(const void*, int, size_t);
                    int memcmp(const void*, const void*, size_t);
                    void* memcpy(void*, const void*, size_t);
                    void* memmove(void*, const void*, size_t);
                    void* memset(void*, int, size_t);
                    char* strcat(char*, const char*);
                    char* strchr(const char*, int);
                    int strcmp(const char*, const char*);
                    int strcoll(const char*, const char*);
                    char* strcpy(char*, const char*);
                    size_t strcspn(const char*, const char*);
                    char* strerror(int);
                    size_t strlen(const char*);
                    char* strncat(char*, const char*, size_t);
                    int strncmp(const char*, const char*, size_t);
                    char* strncpy(char*, const char*, size_t);
                    char* strpbrk(const char*, const char*);
                    char* strrchr(const char*, int);
                    size_t strspn(const char*, const char*);
                    char* strstr(const char*, const char*);
                    char* strtok(char*, const char*);
                    size_t strxfrm(char*, const char*, size_t);
                    """,
            "dlfcn.h", """
                    #pragma once
                    #define RTLD_LAZY 1
                    #define RTLD_GLOBAL 0x100
                    #define RTLD_DEFAULT ((void*)0)
                    void* dlopen(const char*, int);
                    void* dlsym(void*, const char*);
                    char* dlerror(void);
                    """);

    /** C prototypes of the calls, as the era's <zircon/syscalls.h> declares them. */
    private static String prototype(String call) throws IOException {
        switch (call) {
            case "zx_vcpu_resume":
                return "zx_status_t zx_vcpu_resume(zx_handle_t handle, zx_port_packet_t* packet);";
            default:
                // Our own header declares every other call with the ABI's prototype.
                for (String line : Files.readAllLines(ROOT.resolve("native/include/zx4j/zircon.h"))) {
                    if (line.startsWith("ZX4J_EXPORT ") && line.contains(" " + call + "(")) {
                        return line.substring("ZX4J_EXPORT ".length());
                    }
                }
                throw new IllegalArgumentException("no prototype for " + call);
        }
    }

    private static final class Tools {
        static Boolean ok;
        static String reason;

        /** clang with lld (the Fuchsia driver links with ld.lld), gcc, nm, readelf. */
        static synchronized boolean available() {
            if (ok == null) {
                reason = null;
                for (String[] probe : new String[][] {{"clang", "--version"}, {"ld.lld", "--version"},
                        {"gcc", "--version"}, {"nm", "--version"}, {"readelf", "--version"}}) {
                    try {
                        Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
                        p.getInputStream().readAllBytes();
                        if (p.waitFor() != 0) {
                            reason = probe[0] + " does not run";
                        }
                    } catch (IOException | InterruptedException e) {
                        reason = probe[0] + " is not installed";
                    }
                    if (reason != null) {
                        break;
                    }
                }
                ok = reason == null;
            }
            return ok;
        }
    }

    private static void assumeTools() {
        assumeTrue(Tools.available(), () -> Tools.reason
                + " (apt-get install clang lld gcc binutils): the fake SDKs are built with them");
    }

    private static String triple(String arch) {
        return arch.equals("x64") ? "x86_64-unknown-fuchsia" : "aarch64-unknown-fuchsia";
    }

    /** Links a stub shared library for Fuchsia that defines {@code functions} (and {@code data}). */
    private void stubLibrary(Path out, String soname, String arch, Iterable<String> functions,
                             List<String> data) throws Exception {
        StringBuilder c = new StringBuilder();
        for (String f : functions) {
            c.append("long ").append(f).append("(void) { return -2; }\n");
        }
        for (String d : data) {
            c.append("void* ").append(d).append(";\n");
        }
        Path src = tmp.resolve(soname + "-" + arch + "-" + out.getParent().getParent().getParent()
                .getFileName() + ".c");
        Files.writeString(src, c.toString());
        Result r = run(Map.of(), List.of("clang", "--target=" + triple(arch), "-nostdlib", "-shared",
                "-fPIC", "-fuse-ld=lld", "-Wl,-soname," + soname, "-o", out.toString(), src.toString()));
        assertEquals(0, r.code(), "stub " + soname + " for " + arch + ": " + r.err());
    }

    private static final String C_BEGIN = "#ifdef __cplusplus\nextern \"C\" {\n#endif\n";
    private static final String C_END = "#ifdef __cplusplus\n}\n#endif\n";

    /**
     * A fake SDK of {@code era} for both architectures, looking like a real one: its headers
     * declare the era's calls, its libzircon.so exports {@code zirconExports}.
     */
    private Path fakeSdk(Era era, Set<String> zirconExports) throws Exception {
        Path sdk = tmp.resolve("sdk-" + era + "-" + zirconExports.size());
        StringBuilder sys = new StringBuilder("#pragma once\n#include <zircon/types.h>\n"
                + "#include <zircon/syscalls/port.h>\n" + C_BEGIN);
        for (String call : era.exports()) {
            sys.append(prototype(call)).append('\n');
        }
        sys.append(C_END);
        for (String arch : List.of("x64", "arm64")) {
            Path root = sdk.resolve("arch/" + arch + "/sysroot");
            Path inc = root.resolve("include");
            Files.createDirectories(inc.resolve("zircon/syscalls"));
            Files.createDirectories(root.resolve("lib"));
            Files.writeString(inc.resolve("zircon/types.h"), TYPES_H);
            Files.writeString(inc.resolve("zircon/syscalls/port.h"), PORT_H);
            Files.writeString(inc.resolve("zircon/syscalls.h"), sys.toString());
            for (var h : LIBC_HEADERS.entrySet()) {
                String body = h.getValue();
                int firstLine = body.indexOf('\n') + 1;
                int lastInclude = body.lastIndexOf("#include");
                int split = lastInclude < 0 ? firstLine : body.indexOf('\n', lastInclude) + 1;
                Files.writeString(inc.resolve(h.getKey()),
                        body.substring(0, split) + C_BEGIN + body.substring(split) + C_END);
            }
            stubLibrary(root.resolve("lib/libzircon.so"), "libzircon.so", arch, zirconExports, List.of());
            stubLibrary(root.resolve("lib/libc.so"), "libc.so", arch, LIBC, List.of("stderr"));
        }
        assertTrue(Files.notExists(sdk.resolve("arch/x64/sysroot/include/c++")), "no C++ headers");
        return sdk;
    }

    private Map<String, String> buildEnv(Path sdk, String archs) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("FUCHSIA_SDK", sdk.toString());
        env.put("ZX4J_ARCHS", archs);
        env.put("ZX4J_CLASSES", ROOT.resolve("java/zx4j/target/classes").toString());
        env.put("JAVACPP_JAR", Path.of(Loader.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("ZX4J_OUT", tmp.resolve("out-" + sdk.getFileName() + "/fuchsia").toString());
        return env;
    }

    @Test
    void theProbeReportsWhatEachEraExports() throws Exception {
        assumeTools();
        for (Era era : Era.values()) {
            Path sdk = fakeSdk(era, era.exports());
            Result r = script(Map.of("FUCHSIA_SDK", sdk.toString()), "--probe");
            assertEquals(0, r.code(), era + ": " + r.err());
            for (String arch : List.of("x64", "arm64")) {
                String have = r.out().lines().filter(l -> l.startsWith(arch + ": libzircon exports:"))
                        .findFirst().orElseThrow();
                String lack = r.out().lines().filter(l -> l.startsWith(arch + ": absent"))
                        .findFirst().orElseThrow();
                for (String call : List.of("zx_vcpu_enter", "zx_vcpu_resume", "zx_vcpu_kick",
                        "zx_interrupt_bind_vcpu", "zx_timer_set")) {
                    boolean exported = era.optional.contains(call);
                    assertEquals(exported, (have + " ").contains(" " + call + " "), era + " " + have);
                    assertEquals(!exported, (lack + " ").contains(" " + call + " "), era + " " + lack);
                }
            }
            assertEquals(era == Era.OLD, r.out().contains("x64: zx_vcpu_enter falls back to zx_vcpu_resume"));
        }
    }

    @Test
    void theLibraryBuildsForBothArchitecturesAgainstEveryEraAndNeedsOnlyLibzirconAndLibc()
            throws Exception {
        assumeTools();
        for (Era era : Era.values()) {
            Path sdk = fakeSdk(era, era.exports());
            Result r = script(buildEnv(sdk, "x64 arm64"));
            assertEquals(0, r.code(), era + ":\n" + r.out() + r.err());
            for (String arch : List.of("x64", "arm64")) {
                assertTrue(r.out().contains(arch + ": NEEDED: libc.so libzircon.so \n"), r.out());
                assertTrue(r.out().contains("all exported by the SDK's libzircon.so or libc.so\n"), r.out());
            }
            // -z defs on every link; no C++ header or runtime anywhere on the command line.
            assertTrue(r.err().contains("-Wl,-z,defs"), r.err());
            assertTrue(r.err().contains("-nostdinc++") && r.err().contains("-fno-exceptions"), r.err());
            Path out = tmp.resolve("out-" + sdk.getFileName() + "/fuchsia/classes/dev/zx4j/jni");
            for (String p : List.of("x86_64", "arm64")) {
                Path so = out.resolve("fuchsia-" + p + "/libjniLibZircon.so");
                assertTrue(Files.isRegularFile(so), so.toString());
                Result syms = run(Map.of(), List.of("nm", "-D", "--undefined-only", so.toString()));
                Set<String> weak = new LinkedHashSet<>();
                Set<String> strong = new LinkedHashSet<>();
                for (String line : syms.out().lines().toList()) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length == 2) {
                        (f[0].equals("U") ? strong : weak).add(f[1]);
                    }
                }
                // The calls an era may lack are weak whatever this SDK has; the rest are strong.
                for (String call : List.of("zx_vcpu_enter", "zx_vcpu_resume", "zx_vcpu_kick",
                        "zx_interrupt_bind_vcpu", "zx_object_wait_async", "zx_timer_set")) {
                    assertTrue(weak.contains(call), era + " " + p + ": " + call + " weak: " + weak);
                }
                assertTrue(strong.contains("zx_port_wait") && strong.contains("malloc"), strong.toString());
            }
            Path jar = tmp.resolve("out-" + sdk.getFileName() + "/zx4j-fuchsia-natives.jar");
            assertTrue(Files.isRegularFile(jar));
        }
    }

    @Test
    void aStrongCallTheSdkLacksFailsTheLinkNotTheLoad() throws Exception {
        // Declared by the headers but not exported by libzircon.so: without -z defs this would
        // link and then fail to load on the device.
        assumeTools();
        Set<String> exports = Era.LATE_V.exports();
        exports.remove("zx_vmo_replace_as_executable");
        Path sdk = fakeSdk(Era.LATE_V, exports);
        Result r = script(buildEnv(sdk, "x64"));
        assertTrue(r.code() != 0, r.out());
        assertTrue(r.err().contains("undefined symbol: zx_vmo_replace_as_executable"), r.err());
    }

    @Test
    void anSdkWhoseHeadersDoNotCompileFailsWithTheCompilerOutput() throws Exception {
        assumeTools();
        Path sdk = fakeSdk(Era.NEW, Era.NEW.exports());
        Files.writeString(sdk.resolve("arch/arm64/sysroot/include/zircon/syscalls.h"), "this is not C;\n");
        Result r = script(Map.of("FUCHSIA_SDK", sdk.toString()), "--probe");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("does not compile for aarch64-unknown-fuchsia"), r.err());
        assertTrue(r.err().contains("error:"), r.err());
    }

    // ---- the weak references at run time (host dynamic linker) -----------------------------------

    /**
     * jni_glue.h's Fuchsia path, compiled for the build machine against the fake SDK's zircon
     * headers: one program, linked against the LATE_V stub, then run against each era's stub
     * libzircon.so. It must load every time; absent calls answer ZX_ERR_NOT_SUPPORTED (-2),
     * enter falls back to resume.
     */
    @Test
    void oneBinaryLoadsOnEveryEraAndAbsentCallsAnswerNotSupported() throws Exception {
        assumeTools();
        Path inc = tmp.resolve("host-inc");
        Files.createDirectories(inc.resolve("zircon/syscalls"));
        Files.writeString(inc.resolve("zircon/types.h"), TYPES_H);
        Files.writeString(inc.resolve("zircon/syscalls/port.h"), PORT_H);
        Files.writeString(inc.resolve("zircon/syscalls.h"),
                "#pragma once\n#include <zircon/types.h>\n#include <zircon/syscalls/port.h>\n");
        Map<Era, Path> libs = new HashMap<>();
        for (Era era : Era.values()) {
            StringBuilder c = new StringBuilder();
            int value = 100;
            for (String call : era.exports()) {
                c.append("long ").append(call).append("(void) { return ").append(value++).append("; }\n");
            }
            Path dir = tmp.resolve("host-" + era);
            Files.createDirectories(dir);
            Path src = dir.resolve("stub.c");
            Files.writeString(src, c.toString());
            Result r = run(Map.of(), List.of("gcc", "-shared", "-fPIC", "-Wl,-soname,libzircon.so",
                    "-o", dir.resolve("libzircon.so").toString(), src.toString()));
            assertEquals(0, r.code(), r.err());
            libs.put(era, dir);
        }
        Path main = tmp.resolve("main.c");
        Files.writeString(main, """
                #include "zx4j/jni_glue.h"
                #include <stdio.h>
                int main(void) {
                    zx_port_packet_t p;
                    printf("enter=%d kick=%d bind_vcpu=%d timer_set=%d\\n",
                           (int)zx4j_compat_vcpu_enter(1, &p), (int)zx4j_compat_vcpu_kick(1),
                           (int)zx4j_compat_interrupt_bind_vcpu(1, 2, 0),
                           (int)zx4j_compat_timer_set(1, 0, 0));
                    return 0;
                }
                """);
        Path exe = tmp.resolve("weak-demo");
        Result cc = run(Map.of(), List.of("gcc", "-D__Fuchsia__", "-std=c11", "-Wall", "-Werror",
                "-I", inc.toString(), "-I", ROOT.resolve("native/include").toString(),
                // --no-as-needed: with only weak references the linker would drop the library
                main.toString(), "-Wl,--no-as-needed", "-L", libs.get(Era.LATE_V).toString(), "-lzircon",
                "-o", exe.toString()));
        assertEquals(0, cc.code(), cc.err());
        for (Era era : Era.values()) {
            List<String> names = new ArrayList<>(era.exports());
            String expected = "enter=" + value(names, era.optional.contains("zx_vcpu_enter")
                            ? "zx_vcpu_enter" : "zx_vcpu_resume")
                    + " kick=" + value(names, "zx_vcpu_kick")
                    + " bind_vcpu=" + value(names, "zx_interrupt_bind_vcpu")
                    + " timer_set=" + value(names, "zx_timer_set");
            Result r = run(Map.of("LD_LIBRARY_PATH", libs.get(era).toString()), List.of(exe.toString()));
            assertEquals(0, r.code(), era + ": " + r.err());
            assertEquals(expected, r.out().trim(), era.toString());
        }
    }

    /** The stub's return value for {@code call}, or -2 (ZX_ERR_NOT_SUPPORTED) when it lacks it. */
    private static int value(List<String> exports, String call) {
        int i = exports.indexOf(call);
        return i < 0 ? -2 : 100 + i;
    }
}
