package dev.zx4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * zx4j as a named module: an application module that {@code requires dev.zx4j} is compiled and
 * run on the module path in a JVM of its own, and drives the JNI kernel (Java → JNI → host
 * libzircon → simulated kernel) and the simulated kernel through the typed API. Nothing but the
 * zx4j library, its natives (the {@code linux-x86_64} jar, an automatic module added with
 * {@code --add-modules}, once it is packaged), JavaCPP and ASM is on its module path.
 */
class JpmsTest {

    private static final String APP = String.join("\n",
            "package app;",
            "import dev.zx4j.*;",
            "import dev.zx4j.jni.NativeKernel;",
            "import dev.zx4j.sim.SimKernel;",
            "import java.time.Duration;",
            "public class Main {",
            "    public static void main(String[] args) {",
            "        System.out.println(\"module \" + Kernel.class.getModule().getName());",
            "        SimKernel sim = new SimKernel();",
            "        Kernel jni = Kernel.of(NativeKernel.hosted(sim));",
            "        try (Port port = jni.createPort(PortOptions.BIND_TO_INTERRUPT);\n",
            "             Interrupt irq = jni.createVirtualInterrupt()) {",
            "            irq.bind(port, 42);",
            "            irq.trigger(jni.monotonicNow());",
            "            PortPacket p = port.waitFor(Duration.ofSeconds(5));",
            "            System.out.println(\"jni packet key \" + p.key());",
            "        }",
            "        System.out.println(\"open handles \" + sim.liveHandles().size());",
            "    }",
            "}", "");

    private static List<String> classPath() {
        String cp = System.getProperty("surefire.test.class.path",
                System.getProperty("java.class.path"));
        return Arrays.asList(cp.split(File.pathSeparator));
    }

    private static String path(String fragment) {
        return classPath().stream()
                .filter(e -> e.replace('\\', '/').contains(fragment))
                .findFirst().orElse(null);
    }

    /**
     * A module of this build on the test class path: its jar once packaged, else its classes
     * (the library's classes also hold the natives).
     */
    private static String buildModule(String dir) {
        return classPath().stream().filter(e -> {
            String n = e.replace('\\', '/');
            return n.contains("/java/" + dir + "/target/") && (n.endsWith("/classes")
                    || n.endsWith(".jar") && !n.endsWith("-linux-x86_64.jar"));
        }).findFirst().orElse(null);
    }

    private static String library() {
        return buildModule("zx4j");
    }

    private static boolean hasModuleInfo(String library) throws Exception {
        if (Files.isDirectory(Paths.get(library))) {
            return Files.exists(Paths.get(library, "module-info.class"));
        }
        try (JarFile jar = new JarFile(library)) {
            return jar.getEntry("module-info.class") != null;
        }
    }

    @Test
    void theJniKernelWorksOnTheModulePath(@TempDir Path dir) throws Exception {
        String classes = library();
        assertNotNull(classes, "the zx4j library is not on the test class path");
        // the natives jar, once packaged (before, the natives are in the library's classes)
        String natives = classPath().stream().filter(e -> e.endsWith("-linux-x86_64.jar"))
                .findFirst().orElse(null);
        String javacpp = path("/org/bytedeco/javacpp/");
        assertNotNull(javacpp, "javacpp jar not on the test class path");
        String asm = path("/org/ow2/asm/");
        assertNotNull(asm, "asm jar not on the test class path");
        assertTrue(hasModuleInfo(classes), "no module-info in " + classes);
        assumeTrue(dev.zx4j.jni.NativeKernel.isAvailable(), () -> "the JNI library is not "
                + "usable here: " + dev.zx4j.jni.NativeKernel.unavailableReason().orElse(""));

        Path src = dir.resolve("src/app");
        Files.createDirectories(src.resolve("app"));
        Files.writeString(src.resolve("module-info.java"), "module app { requires dev.zx4j; }\n");
        Files.writeString(src.resolve("app/Main.java"), APP);
        Path out = dir.resolve("out/app");
        String modulePath = classes + File.pathSeparator + javacpp + File.pathSeparator + asm
                + (natives == null ? "" : File.pathSeparator + natives);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        java.io.ByteArrayOutputStream diag = new java.io.ByteArrayOutputStream();
        int rc = javac.run(null, diag, diag, "-d", out.toString(), "--module-path", modulePath,
                src.resolve("module-info.java").toString(), src.resolve("app/Main.java").toString());
        assertEquals(0, rc, () -> diag.toString(StandardCharsets.UTF_8));

        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java,
                "--module-path", modulePath + File.pathSeparator + out,
                "--add-modules", natives == null ? "dev.zx4j" : "dev.zx4j.natives.linux.x86_64",
                "--enable-native-access=dev.zx4j,org.bytedeco.javacpp",
                "-m", "app/app.Main"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output;
        try (var in = p.getInputStream()) {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the module-path JVM did not finish");
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(0, p.exitValue(), output);
        List<String> lines = output.lines().collect(Collectors.toList());
        assertTrue(lines.contains("module dev.zx4j"), output);
        assertTrue(lines.contains("jni packet key 42"), output);
        assertTrue(lines.contains("open handles 0"), output);
        assertTrue(!output.contains("WARNING"), "restricted-method warnings: " + output);
    }

    @Test
    void theRunnerAndTheExtensionAreModulesOfTheirOwn() throws Exception {
        List<String> modulePath = new ArrayList<>();
        for (String dir : List.of("zx4j", "zx4j-runner", "zx4j-junit5")) {
            String module = buildModule(dir);
            assertNotNull(module, dir + " is not on the test class path");
            assertTrue(hasModuleInfo(module), "no module-info in " + module);
            modulePath.add(module);
        }
        for (String fragment : List.of("/org/bytedeco/javacpp/", "/org/ow2/asm/", "/info/picocli/",
                "/junit-jupiter-api/", "/junit-platform-commons/", "/org/opentest4j/",
                "/org/apiguardian/")) {
            String jar = path(fragment);
            assertNotNull(jar, fragment + " is not on the test class path");
            modulePath.add(jar);
        }
        // the runner boots its bundled demo guest from its own module (picocli fills the options
        // reflectively: dev.zx4j.runner is open to it); the extension's module resolves beside it
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java,
                "--module-path", String.join(File.pathSeparator, modulePath),
                "--add-modules", "dev.zx4j.junit",
                "-m", "dev.zx4j.runner/dev.zx4j.runner.GuestRunner", "-q")
                .redirectErrorStream(true).start();
        String output;
        try (var in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the module-path JVM did not finish");
        }
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("guest halted cleanly"), output);
    }
}
