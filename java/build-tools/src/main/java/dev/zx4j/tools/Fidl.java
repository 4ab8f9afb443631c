package dev.zx4j.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A parser for the subset of Zircon's syscall FIDL dialect used in {@code fidl/} (see
 * {@code fidl/README.md}), and the fixed mapping of each method to its C and Java signatures.
 */
public final class Fidl {
    private Fidl() {}

    /**
     * One parameter as written in the FIDL.
     *
     * @param name the parameter's name
     * @param type its FIDL type, as written
     * @param attributes its attributes, such as {@code out}
     * @param response whether it belongs to the method's response
     */
    public record Param(String name, String type, Set<String> attributes, boolean response) {
        boolean isOut() {
            return response || attributes.contains("out");
        }
    }

    /**
     * One parameter of the C function (and of the Java methods), after expansion.
     *
     * @param name the parameter's name
     * @param cType its C type
     * @param javaType its Java type in {@code Syscalls}
     */
    public record CParam(String name, String cType, String javaType) {}

    /**
     * One syscall.
     *
     * @param cName the C function's name, such as {@code zx_port_wait}
     * @param where the declaration's file and line, for messages
     * @param request the request parameters
     * @param response the response parameters
     * @param returnsStatus whether the method declares {@code error status}
     * @param attributes the method's attributes, such as {@code blocking}
     * @param doc the doc comment's lines
     */
    public record Method(String cName, String where, List<Param> request, List<Param> response,
                         boolean returnsStatus, Set<String> attributes, List<String> doc) {}

    /**
     * The expanded signature of a method.
     *
     * @param cReturn the C return type
     * @param javaReturn the Java return type
     * @param params the parameters in C order
     */
    public record Signature(String cReturn, String javaReturn, List<CParam> params) {}

    /**
     * The whole surface: methods in file order, and the names of declared struct types.
     *
     * @param methods the methods by C name
     * @param structs the declared struct type names
     * @param errors the problems found while parsing
     */
    public record Surface(Map<String, Method> methods, Set<String> structs, List<String> errors) {}

    // ---- loading ----------------------------------------------------------------------------

    /**
     * Parses every {@code .fidl} file in a directory; problems are collected, not thrown.
     *
     * @param dir the directory, normally {@code fidl/}
     * @return the surface
     */
    public static Surface load(Path dir) {
        Map<String, Method> methods = new LinkedHashMap<>();
        Set<String> structs = new TreeSet<>();
        List<String> errors = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".fidl")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (files.isEmpty()) {
            errors.add(dir + ": no .fidl files");
        }
        for (Path f : files) {
            try {
                new Parser(f.getFileName().toString(), Files.readString(f), methods, structs, errors)
                        .file();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
        }
        return new Surface(methods, structs, errors);
    }

    // ---- mapping ----------------------------------------------------------------------------

    /**
     * The C/Java signature of a method under the fixed rules of fidl/README.md.
     *
     * @param m the method
     * @param structs the declared struct type names
     * @return the signature
     */
    public static Signature signature(Method m, Set<String> structs) {
        List<CParam> params = new ArrayList<>();
        String cReturn = "zx_status_t";
        String javaReturn = "int";
        List<Param> outs = m.response();
        if (!m.returnsStatus()) {
            if (outs.size() != 1) {
                throw new IllegalArgumentException(m.where() + ": " + m.cName()
                        + ": without 'error status' the response must have exactly one member");
            }
            String[] t = scalar(outs.get(0).type(), false, m);
            cReturn = t[0];
            javaReturn = t[1];
            outs = List.of();
        }
        for (Param p : m.request()) {
            expand(p, m, structs, params);
        }
        for (Param p : outs) {
            expand(p, m, structs, params);
        }
        return new Signature(cReturn, javaReturn, params);
    }

    private static void expand(Param p, Method m, Set<String> structs, List<CParam> into) {
        boolean out = p.isOut();
        String type = p.type();
        if (type.equals("vector<byte>") || type.startsWith("vector<byte>:")) {
            into.add(new CParam(p.name(), out ? "void*" : "const void*", "byte[]"));
            if (!p.attributes().contains("voidptr")) {
                into.add(new CParam(p.name() + "_size", "size_t", "long"));
            }
            return;
        }
        if (structs.contains(type)) {
            String c = "zx_" + snake(type) + "_t*";
            into.add(new CParam(p.name(), out ? c : "const " + c, "byte[]"));
            return;
        }
        String[] t = scalar(type, out, m);
        into.add(new CParam(p.name(), t[0], t[1]));
    }

    private static String[] scalar(String type, boolean out, Method m) {
        String base = type.startsWith("handle") ? "handle" : type;
        String c;
        String j;
        switch (base) {
            case "handle" -> { c = "zx_handle_t"; j = "int"; }
            case "uint32" -> { c = "uint32_t"; j = "int"; }
            case "int32" -> { c = "int32_t"; j = "int"; }
            case "rights" -> { c = "zx_rights_t"; j = "int"; }
            case "vm_option" -> { c = "zx_vm_option_t"; j = "int"; }
            case "uint64" -> { c = "uint64_t"; j = "long"; }
            case "usize" -> { c = "size_t"; j = "long"; }
            case "vaddr" -> { c = "zx_vaddr_t"; j = "long"; }
            case "gpaddr" -> { c = "zx_gpaddr_t"; j = "long"; }
            case "time" -> { c = "zx_time_t"; j = "long"; }
            case "duration" -> { c = "zx_duration_t"; j = "long"; }
            case "signals" -> { c = "zx_signals_t"; j = "int"; }
            case "clock" -> { c = "zx_clock_t"; j = "int"; }
            default -> throw new IllegalArgumentException(
                    m.where() + ": " + m.cName() + ": unknown FIDL type '" + type + "'");
        }
        return out ? new String[] {c + "*", j + "[]"} : new String[] {c, j};
    }

    /**
     * CamelCase to snake_case: {@code ReplaceAsExecutable} → {@code replace_as_executable}.
     *
     * @param camel the CamelCase name
     * @return the snake_case name
     */
    public static String snake(String camel) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char ch = camel.charAt(i);
            if (Character.isUpperCase(ch)) {
                if (i > 0) {
                    b.append('_');
                }
                b.append(Character.toLowerCase(ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }

    // ---- parsing ----------------------------------------------------------------------------

    private record Token(String text, int line, boolean doc) {}

    private static final class Parser {
        private final String file;
        private final List<Token> tokens = new ArrayList<>();
        private final Map<String, Method> methods;
        private final Set<String> structs;
        private final List<String> errors;
        private int pos;

        Parser(String file, String text, Map<String, Method> methods, Set<String> structs,
               List<String> errors) {
            this.file = file;
            this.methods = methods;
            this.structs = structs;
            this.errors = errors;
            tokenize(text);
        }

        private void tokenize(String s) {
            int line = 1;
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\n') {
                    line++;
                    i++;
                } else if (Character.isWhitespace(c)) {
                    i++;
                } else if (s.startsWith("///", i)) {
                    int e = s.indexOf('\n', i);
                    e = e < 0 ? s.length() : e;
                    tokens.add(new Token(s.substring(i + 3, e).strip(), line, true));
                    i = e;
                } else if (s.startsWith("//", i)) {
                    int e = s.indexOf('\n', i);
                    i = e < 0 ? s.length() : e;
                } else if (s.startsWith("->", i)) {
                    tokens.add(new Token("->", line, false));
                    i += 2;
                } else if (Character.isLetterOrDigit(c) || c == '_' || c == '-') {
                    int e = i;
                    while (e < s.length() && (Character.isLetterOrDigit(s.charAt(e))
                            || s.charAt(e) == '_' || s.charAt(e) == '.' || s.charAt(e) == '-')) {
                        e++;
                    }
                    tokens.add(new Token(s.substring(i, e), line, false));
                    i = e;
                } else if (c == '"') {
                    int e = s.indexOf('"', i + 1);
                    if (e < 0) {
                        throw new IllegalArgumentException(file + ":" + line + ": unterminated string");
                    }
                    tokens.add(new Token(s.substring(i, e + 1), line, false));
                    i = e + 1;
                } else {
                    tokens.add(new Token(String.valueOf(c), line, false));
                    i++;
                }
            }
        }

        private List<String> docs() {
            List<String> d = new ArrayList<>();
            while (pos < tokens.size() && tokens.get(pos).doc()) {
                d.add(tokens.get(pos++).text());
            }
            return d;
        }

        private Token peek() {
            while (pos < tokens.size() && tokens.get(pos).doc()) {
                pos++; // doc comments in other places are ignored
            }
            return pos < tokens.size() ? tokens.get(pos) : null;
        }

        private String next() {
            Token t = peek();
            if (t == null) {
                throw new IllegalArgumentException(file + ": unexpected end of file");
            }
            pos++;
            return t.text();
        }

        private int line() {
            Token t = peek();
            return t == null ? -1 : t.line();
        }

        private void expect(String s) {
            int l = line();
            String t = next();
            if (!t.equals(s)) {
                throw new IllegalArgumentException(file + ":" + l + ": expected '" + s + "', found '" + t + "'");
            }
        }

        private boolean accept(String s) {
            Token t = peek();
            if (t != null && t.text().equals(s)) {
                pos++;
                return true;
            }
            return false;
        }

        private Set<String> attributes() {
            Set<String> attrs = new TreeSet<>();
            while (accept("@")) {
                attrs.add(next());
                if (accept("(")) {
                    int depth = 1;
                    while (depth > 0) {
                        String t = next();
                        if (t.equals("(")) {
                            depth++;
                        } else if (t.equals(")")) {
                            depth--;
                        }
                    }
                }
            }
            return attrs;
        }

        void file() {
            expect("library");
            next();
            expect(";");
            while (true) {
                docs();
                Set<String> attrs = attributes();
                Token t = peek();
                if (t == null) {
                    return;
                }
                String kw = next();
                while (kw.equals("closed") || kw.equals("open") || kw.equals("strict")) {
                    kw = next(); // modifiers of the declaration that follows
                }
                switch (kw) {
                    case "protocol" -> protocol(attrs);
                    case "type" -> {
                        String name = next();
                        expect("=");
                        skipDeclaration();
                        structs.add(name);
                    }
                    case "alias", "const", "using" -> skipDeclaration();
                    default -> throw new IllegalArgumentException(
                            file + ":" + t.line() + ": unexpected '" + kw + "'");
                }
            }
        }

        private void skipDeclaration() {
            int depth = 0;
            while (true) {
                String t = next();
                if (t.equals("{")) {
                    depth++;
                } else if (t.equals("}")) {
                    depth--;
                } else if (t.equals(";") && depth == 0) {
                    return;
                }
            }
        }

        private void protocol(Set<String> attrs) {
            String noun = next();
            boolean prefix = !attrs.contains("no_protocol_prefix");
            expect("{");
            while (true) {
                List<String> doc = docs();
                if (accept("}")) {
                    break;
                }
                Set<String> mattrs = attributes();
                while (peek() != null && (peek().text().equals("strict") || peek().text().equals("flexible"))) {
                    next();
                }
                int line = line();
                String verb = next();
                String cName = prefix ? "zx_" + snake(noun) + "_" + snake(verb) : "zx_" + snake(verb);
                String where = "fidl/" + file + ":" + line;
                expect("(");
                List<Param> request = accept(")") ? List.of() : payload(false, true);
                List<Param> response = List.of();
                boolean status = false;
                if (accept("->")) {
                    expect("(");
                    response = accept(")") ? List.of() : payload(true, true);
                }
                if (accept("error")) {
                    String e = next();
                    if (!e.equalsIgnoreCase("status")) {
                        throw new IllegalArgumentException(where + ": error type must be status, is " + e);
                    }
                    status = true;
                }
                expect(";");
                Method m = new Method(cName, where, request, response, status, mattrs, doc);
                if (methods.putIfAbsent(cName, m) != null) {
                    errors.add(where + ": " + cName + " declared twice (first at "
                            + methods.get(cName).where() + ")");
                }
            }
            accept(";");
        }

        private List<Param> payload(boolean response, boolean closeParen) {
            accept("resource");
            expect("struct");
            expect("{");
            List<Param> params = new ArrayList<>();
            while (!accept("}")) {
                Set<String> attrs = attributes();
                String name = next();
                String type = type();
                expect(";");
                params.add(new Param(name, type, attrs, response));
            }
            if (closeParen) {
                expect(")");
            }
            return params;
        }

        private String type() {
            StringBuilder b = new StringBuilder(next());
            if (accept("<")) {
                b.append('<').append(type());
                if (accept(",")) {
                    b.append(',').append(next());
                }
                expect(">");
                b.append('>');
            }
            if (accept(":")) {
                b.append(':').append(next());
            }
            return b.toString();
        }
    }
}
