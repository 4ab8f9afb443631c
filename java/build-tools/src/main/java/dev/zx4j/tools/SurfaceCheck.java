package dev.zx4j.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that everything derived from {@code fidl/} agrees with it; run in the Maven build
 * (phase {@code process-classes}), where any mismatch fails the build.
 *
 * <p>Checked, per syscall: the raw Java interface ({@code dev.zx4j.abi.Syscalls}), the JavaCPP
 * binding ({@code dev.zx4j.jni.LibZircon}: Java types and each parameter's {@code @Cast}), the C
 * prototypes ({@code native/include/zx4j/zircon.h}: names, parameter names and types), the host
 * libzircon's definitions ({@code native/host/libzircon.c}) and its call numbers
 * ({@code native/include/zx4j/host.h} against {@code dev.zx4j.jni.HostDispatch}). Each side must
 * have exactly the FIDL's syscalls.
 *
 * <p>Usage: {@code SurfaceCheck PROJECT_DIR}. Throws (failing {@code exec:java}) on mismatch.
 */
public final class SurfaceCheck {
    private SurfaceCheck() {}

    /** Binary name of the raw syscall interface checked against the FIDL. */
    public static final String SYSCALLS = "dev.zx4j.abi.Syscalls";
    /** Binary name of the JavaCPP binding checked against the FIDL. */
    public static final String BINDING = "dev.zx4j.jni.LibZircon";
    /** Binary name of the host libzircon's dispatcher checked against the FIDL. */
    public static final String HOST_DISPATCH = "dev.zx4j.jni.HostDispatch";

    /**
     * Where the inputs are.
     *
     * @param fidlDir the FIDL directory
     * @param header the C header declaring the syscalls
     * @param hostHeader the host libzircon's header
     * @param hostSource the host libzircon's C source
     * @param syscalls the raw syscall interface
     * @param binding the JavaCPP binding class
     * @param hostDispatch the host dispatcher class
     */
    public record Inputs(Path fidlDir, Path header, Path hostHeader, Path hostSource,
                         Class<?> syscalls, Class<?> binding, Class<?> hostDispatch) {

        /**
         * The inputs of a project checkout, with the classes loaded from {@code loader}.
         *
         * @param projectDir the project's root directory
         * @param loader loads the compiled classes
         * @return the inputs
         * @throws IllegalStateException if the classes are not compiled
         */
        public static Inputs of(Path projectDir, ClassLoader loader) {
            try {
                return new Inputs(projectDir.resolve("fidl"),
                        projectDir.resolve("native/include/zx4j/zircon.h"),
                        projectDir.resolve("native/include/zx4j/host.h"),
                        projectDir.resolve("native/host/libzircon.c"),
                        Class.forName(SYSCALLS, false, loader),
                        Class.forName(BINDING, false, loader),
                        Class.forName(HOST_DISPATCH, false, loader));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("compile first: " + e.getMessage(), e);
            }
        }

        /**
         * These inputs with another FIDL directory.
         *
         * @param dir the FIDL directory
         * @return the copy
         */
        public Inputs withFidlDir(Path dir) {
            return new Inputs(dir, header, hostHeader, hostSource, syscalls, binding, hostDispatch);
        }

        /**
         * These inputs with another C header.
         *
         * @param h the header
         * @return the copy
         */
        public Inputs withHeader(Path h) {
            return new Inputs(fidlDir, h, hostHeader, hostSource, syscalls, binding, hostDispatch);
        }
    }

    /**
     * Checks a project and prints a one-line summary.
     *
     * @param args the project directory (default: the current directory)
     * @throws IllegalStateException listing every disagreement
     */
    public static void main(String[] args) {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = SurfaceCheck.class.getClassLoader();
        }
        Inputs in = Inputs.of(root, loader);
        List<String> problems = check(in);
        if (!problems.isEmpty()) {
            String msg = "fidl/ and the bound surface disagree (" + problems.size() + "):\n  "
                    + String.join("\n  ", problems);
            throw new IllegalStateException(msg);
        }
        System.out.println("[SurfaceCheck] fidl/ agrees with Syscalls, LibZircon, zircon.h and the "
                + "host libzircon: " + Fidl.load(in.fidlDir()).methods().size() + " syscalls");
    }

    /**
     * Every disagreement, as one line each; empty when all agree.
     *
     * @param in the inputs
     * @return the problems
     */
    public static List<String> check(Inputs in) {
        Fidl.Surface surface = Fidl.load(in.fidlDir());
        List<String> problems = new ArrayList<>(surface.errors());
        Map<String, Fidl.Signature> sigs = new LinkedHashMap<>();
        for (Fidl.Method m : surface.methods().values()) {
            try {
                sigs.put(m.cName(), Fidl.signature(m, surface.structs()));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        checkJava(problems, surface, sigs, in.syscalls(), false);
        checkJava(problems, surface, sigs, in.binding(), true);
        checkHeader(problems, surface, sigs, in.header());
        checkHost(problems, surface, in);
        return problems;
    }

    // ---- Java ---------------------------------------------------------------------------------

    private static void checkJava(List<String> problems, Fidl.Surface surface,
                                  Map<String, Fidl.Signature> sigs, Class<?> c, boolean binding) {
        Map<String, List<Method>> byName = new TreeMap<>();
        for (Method m : c.getDeclaredMethods()) {
            if (m.getName().startsWith("zx_") && !m.isSynthetic()
                    && (!binding || Modifier.isNative(m.getModifiers()))) {
                byName.computeIfAbsent(m.getName(), k -> new ArrayList<>()).add(m);
            }
        }
        String who = c.getName();
        for (var e : sigs.entrySet()) {
            String name = e.getKey();
            Fidl.Method fm = surface.methods().get(name);
            List<Method> found = byName.remove(name);
            if (found == null) {
                problems.add(fm.where() + ": " + name + " is missing from " + who);
                continue;
            }
            if (found.size() > 1) {
                problems.add(who + "." + name + " is overloaded");
                continue;
            }
            Method m = found.get(0);
            Fidl.Signature s = e.getValue();
            List<String> want = s.params().stream().map(Fidl.CParam::javaType).toList();
            List<String> have = Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName).toList();
            if (!want.equals(have)) {
                problems.add(fm.where() + ": " + name + " has Java parameters " + have + " in " + who
                        + ", fidl/ says " + want + " " + names(s));
            }
            if (!m.getReturnType().getSimpleName().equals(s.javaReturn())) {
                problems.add(fm.where() + ": " + name + " returns " + m.getReturnType().getSimpleName()
                        + " in " + who + ", fidl/ says " + s.javaReturn());
            }
            if (binding && want.equals(have)) {
                checkCasts(problems, fm, s, m);
            }
        }
        for (String extra : byName.keySet()) {
            problems.add(who + "." + extra + " is not in fidl/");
        }
    }

    private static String names(Fidl.Signature s) {
        return s.params().stream().map(Fidl.CParam::name).toList().toString();
    }

    private static void checkCasts(List<String> problems, Fidl.Method fm, Fidl.Signature s, Method m) {
        Parameter[] ps = m.getParameters();
        for (int i = 0; i < ps.length; i++) {
            org.bytedeco.javacpp.annotation.Cast cast =
                    ps[i].getAnnotation(org.bytedeco.javacpp.annotation.Cast.class);
            String want = s.params().get(i).cType();
            String have = cast == null || cast.value().length == 0 ? null : normalize(cast.value()[0]);
            if (!want.equals(have)) {
                problems.add(fm.where() + ": " + fm.cName() + " parameter " + (i + 1) + " ("
                        + s.params().get(i).name() + ") has @Cast(" + have + ") in LibZircon, fidl/ says "
                        + want);
            }
        }
        org.bytedeco.javacpp.annotation.Cast rc =
                m.getAnnotation(org.bytedeco.javacpp.annotation.Cast.class);
        if (rc != null && !normalize(rc.value()[0]).equals(s.cReturn())) {
            problems.add(fm.where() + ": " + fm.cName() + " returns @Cast(" + rc.value()[0]
                    + ") in LibZircon, fidl/ says " + s.cReturn());
        }
        org.bytedeco.javacpp.annotation.Name n =
                m.getAnnotation(org.bytedeco.javacpp.annotation.Name.class);
        if (n != null) {
            String compat = "zx4j_compat_" + fm.cName().substring(3);
            if (!n.value()[0].equals(compat)) {
                problems.add(fm.where() + ": " + fm.cName() + " is bound to C function "
                        + n.value()[0] + " in LibZircon; allowed: " + fm.cName() + " or " + compat);
            }
        }
    }

    // ---- C --------------------------------------------------------------------------------------

    private static final Pattern PROTO = Pattern.compile(
            "(?:ZX4J_EXPORT\\s+)?(\\w+)\\s+(zx_\\w+)\\s*\\(([^;{)]*)\\)\\s*;");

    static String stripComments(String c) {
        return c.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
    }

    static String normalize(String type) {
        return type.trim().replaceAll("\\s+", " ").replaceAll("\\s*\\*", "*");
    }

    private static void checkHeader(List<String> problems, Fidl.Surface surface,
                                    Map<String, Fidl.Signature> sigs, Path header) {
        String text = stripComments(read(header));
        Map<String, String[]> decl = new TreeMap<>();
        Matcher m = PROTO.matcher(text);
        while (m.find()) {
            if (decl.put(m.group(2), new String[] {m.group(1), m.group(3)}) != null) {
                problems.add(header.getFileName() + ": " + m.group(2) + " declared twice");
            }
        }
        String who = "native/include/zx4j/" + header.getFileName();
        for (var e : sigs.entrySet()) {
            String name = e.getKey();
            Fidl.Method fm = surface.methods().get(name);
            String[] d = decl.remove(name);
            if (d == null) {
                problems.add(fm.where() + ": " + name + " has no prototype in " + who);
                continue;
            }
            Fidl.Signature s = e.getValue();
            if (!d[0].equals(s.cReturn())) {
                problems.add(fm.where() + ": " + name + " returns " + d[0] + " in " + who
                        + ", fidl/ says " + s.cReturn());
            }
            List<String> have = new ArrayList<>();
            String params = d[1].trim();
            if (!params.isEmpty() && !params.equals("void")) {
                for (String p : params.split(",")) {
                    Matcher pm = Pattern.compile("^(.*?)(\\w+)$").matcher(normalize(p));
                    have.add(pm.matches() ? normalize(pm.group(1)) + " " + pm.group(2) : p.trim());
                }
            }
            List<String> want = s.params().stream().map(p -> p.cType() + " " + p.name()).toList();
            if (!want.equals(have)) {
                problems.add(fm.where() + ": " + name + " is declared (" + String.join(", ", have)
                        + ") in " + who + ", fidl/ says (" + String.join(", ", want) + ")");
            }
        }
        for (String extra : decl.keySet()) {
            problems.add(who + ": " + extra + " is declared but not in fidl/");
        }
    }

    private static final Pattern DEFINITION = Pattern.compile(
            "(?m)^(?:zx_status_t|zx_time_t)\\s+(zx_\\w+)\\s*\\([^;]*?\\)\\s*\\{");
    private static final Pattern NR = Pattern.compile("ZX4J_NR_(zx_\\w+)\\s*=\\s*(\\d+)");

    private static void checkHost(List<String> problems, Fidl.Surface surface, Inputs in) {
        var fidlNames = new TreeSet<>(surface.methods().keySet());
        var defined = new TreeSet<String>();
        Matcher d = DEFINITION.matcher(stripComments(read(in.hostSource())));
        while (d.find()) {
            defined.add(d.group(1));
        }
        diff(problems, fidlNames, defined, "native/host/libzircon.c defines");

        Map<String, Integer> nrC = new TreeMap<>();
        Matcher n = NR.matcher(stripComments(read(in.hostHeader())));
        while (n.find()) {
            nrC.put(n.group(1), Integer.parseInt(n.group(2)));
        }
        diff(problems, fidlNames, new TreeSet<>(nrC.keySet()), "native/include/zx4j/host.h numbers");

        Map<String, Integer> nrJava = new TreeMap<>();
        for (Field f : in.hostDispatch().getDeclaredFields()) {
            if (f.getName().startsWith("NR_zx_") && f.getType() == int.class
                    && Modifier.isStatic(f.getModifiers())) {
                try {
                    f.setAccessible(true);
                    nrJava.put(f.getName().substring(3), f.getInt(null));
                } catch (ReflectiveOperationException | RuntimeException e) {
                    problems.add(in.hostDispatch().getName() + "." + f.getName() + ": " + e);
                }
            }
        }
        if (!nrC.equals(nrJava)) {
            problems.add("call numbers differ: native/include/zx4j/host.h " + nrC + " vs "
                    + in.hostDispatch().getName() + " " + nrJava);
        }
        if (new TreeSet<>(nrC.values()).size() != nrC.size()) {
            problems.add("native/include/zx4j/host.h: duplicate call numbers " + nrC);
        }
    }

    private static void diff(List<String> problems, TreeSet<String> fidl, TreeSet<String> other,
                             String what) {
        for (String s : fidl) {
            if (!other.contains(s)) {
                problems.add(what + " no " + s + " (in fidl/)");
            }
        }
        for (String s : other) {
            if (!fidl.contains(s)) {
                problems.add(what + " " + s + ", which is not in fidl/");
            }
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
