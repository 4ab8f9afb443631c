package dev.zx4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Every {@code ```java} block of README.md compiles against the current API, and runs: a block
 * that declares a class is compiled as a source file of its own and, when it has tests, run
 * through the JUnit engine (all must pass); any other block is the body of a method, which is
 * called, and may use {@code kernel}, {@code sim} and {@code clock} (a kernel over a simulated
 * kernel with a manual clock) without declaring them. The dependency snippet at the top of the README names this build's coordinates.
 */
class ReadmeSnippetsTest {

    /** Imports every snippet gets, as a reader who imports the packages named would write. */
    private static final String IMPORTS = String.join("\n",
            "import dev.zx4j.*;",
            "import dev.zx4j.async.*;",
            "import dev.zx4j.demo.*;",
            "import dev.zx4j.junit.*;",
            "import dev.zx4j.sim.*;",
            "import java.time.Duration;",
            "import org.junit.jupiter.api.Test;",
            "import static org.junit.jupiter.api.Assertions.*;", "");

    private static final Pattern JAVA_BLOCK =
            Pattern.compile("(?m)^```java\\n(.*?)^```$", Pattern.DOTALL);
    private static final Pattern CLASS_NAME =
            Pattern.compile("(?m)^(?:public\\s+)?(?:final\\s+)?class\\s+(\\w+)");

    static Path readme() {
        Path p = Paths.get("README.md").toAbsolutePath();
        assertTrue(Files.isRegularFile(p), "README.md not found from " + p.getParent());
        return p;
    }

    static List<String> javaBlocks(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = JAVA_BLOCK.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    @Test
    void everyJavaBlockCompilesAndRuns(@TempDir Path dir) throws Exception {
        List<String> blocks = javaBlocks(Files.readString(readme(), StandardCharsets.UTF_8));
        assertTrue(blocks.size() >= 2, "README has " + blocks.size() + " java blocks");
        List<Path> sources = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        List<Boolean> isTestClass = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            String block = blocks.get(i);
            assertFalse(block.contains("..."), "README java block " + (i + 1)
                    + " elides code with '...': it could not be compiled\n" + block);
            Matcher cm = CLASS_NAME.matcher(block);
            String name;
            String source;
            if (cm.find()) {
                name = cm.group(1);
                source = "package readme;\n" + IMPORTS + block;
                isTestClass.add(block.contains("@Test"));
            } else {
                name = "Snippet" + (i + 1);
                // The names a snippet may use without declaring them, as the README's prose
                // introduces them: a test's kernel, its simulated kernel and its manual clock.
                source = "package readme;\n" + IMPORTS + "public class " + name + " {\n"
                        + "    static ManualClock clock = new ManualClock(1_000_000_000L);\n"
                        + "    static SimKernel sim = new SimKernel(clock);\n"
                        + "    static Kernel kernel = Kernel.simulated(sim);\n"
                        + "    public static void run() throws Exception {\n" + block
                        + "\n    }\n}\n";
                isTestClass.add(false);
            }
            Path file = dir.resolve("src/readme/" + name + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source);
            sources.add(file);
            classes.add("readme." + name);
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no system Java compiler (a JRE, not a JDK?)");
        Path out = dir.resolve("classes");
        Files.createDirectories(out);
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-cp", classPath(),
                "-proc:none", "-Xlint:none"));
        sources.forEach(s -> args.add(s.toString()));
        java.io.ByteArrayOutputStream diagnostics = new java.io.ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
        assertEquals(0, rc, () -> "README snippets do not compile:\n"
                + diagnostics.toString(StandardCharsets.UTF_8));

        try (URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()},
                getClass().getClassLoader())) {
            for (int i = 0; i < classes.size(); i++) {
                Class<?> c = loader.loadClass(classes.get(i));
                if (isTestClass.get(i)) {
                    Events events = EngineTestKit.engine("junit-jupiter")
                            .selectors(selectClass(c)).execute().testEvents();
                    assertTrue(events.started().count() > 0, "no test ran in " + c);
                    assertEquals(0, events.failed().count(), () -> c + " failed: "
                            + events.failed().stream().map(e -> String.valueOf(
                                    e.getPayload().orElse(null))).toList());
                } else if (c.getSimpleName().startsWith("Snippet")) {
                    Method run = c.getMethod("run");
                    run.invoke(null);
                } // else a class that is not a test: compiling it is the check
            }
        }
    }

    @Test
    void theDependencySnippetNamesThisBuild() throws IOException {
        String text = Files.readString(readme(), StandardCharsets.UTF_8);
        String pom = Files.readString(Paths.get("pom.xml"), StandardCharsets.UTF_8);
        Matcher v = Pattern.compile(
                "<artifactId>zx4j-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(v.find(), "pom.xml has no zx4j-parent version");
        String head = "<dependency>\n  <groupId>dev.zx4j</groupId>\n";
        String version = "  <version>" + v.group(1) + "</version>\n";
        List<String> snippets = List.of(
                head + "  <artifactId>zx4j</artifactId>\n" + version + "</dependency>",
                head + "  <artifactId>zx4j</artifactId>\n" + version
                        + "  <classifier>linux-x86_64</classifier>\n</dependency>",
                head + "  <artifactId>zx4j-junit5</artifactId>\n" + version
                        + "  <scope>test</scope>\n</dependency>");
        for (String dependency : snippets) {
            int at = text.indexOf(dependency);
            assertTrue(at >= 0, "README lacks the dependency snippet:\n" + dependency);
            assertTrue(at < text.indexOf("\n## "), "the dependency snippet is not before the"
                    + " first section:\n" + dependency);
        }
    }
}
