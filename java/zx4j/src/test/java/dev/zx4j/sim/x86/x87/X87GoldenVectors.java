package dev.zx4j.sim.x86.x87;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The committed x87 hardware results ({@code x86/x87-golden-vectors.txt}): one line per case,
 * {@code case fields || result fields} ({@link X87Case#toLine}, {@link X87Result#toLine}), after
 * a {@code #} header naming the CPU, seed and date. {@link #main} regenerates the file through
 * the host oracle ({@code scripts/gen-x87-vectors.sh}).
 */
public final class X87GoldenVectors {
    static final String RESOURCE = "/x86/x87-golden-vectors.txt";

    public record Vector(X87Case c, X87Result r) {
    }

    public static List<Vector> load() throws IOException {
        List<Vector> out = new ArrayList<>();
        try (InputStream in = X87GoldenVectors.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("missing resource " + RESOURCE);
            }
            BufferedReader br = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = br.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] p = line.split("\\|", -1);
                if (p.length != X87Case.LINE_FIELDS + 1 + X87Result.LINE_FIELDS || !p[X87Case.LINE_FIELDS].isEmpty()) {
                    throw new IOException("malformed x87 golden line: " + line);
                }
                out.add(new Vector(X87Case.fromLine(p, 0), X87Result.fromLine(p, X87Case.LINE_FIELDS + 1)));
            }
        }
        return out;
    }

    /**
     * {@code --oracle PATH --out FILE [--seed N] [--cases N]}; with {@code --diff} instead of
     * {@code --out}: a long differential run outside JUnit (prints a summary and reproducers);
     * {@code --only NAME} restricts it to the forms whose name starts with NAME (e.g. "d9 fa").
     */
    public static void main(String[] args) throws Exception {
        Path oracle = X87Oracle.defaultBinary(), out = null;
        long seed = 1187;
        int cases = 1000;
        boolean diff = false;
        String only = null;
        for (int k = 0; k < args.length; k += 2) {
            if (args[k].equals("--diff")) {
                diff = true;
                k--;
                continue;
            }
            switch (args[k]) {
                case "--oracle" -> oracle = Path.of(args[k + 1]);
                case "--out" -> out = Path.of(args[k + 1]);
                case "--seed" -> seed = Long.parseLong(args[k + 1]);
                case "--cases" -> cases = Integer.parseInt(args[k + 1]);
                case "--only" -> only = args[k + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[k]);
            }
        }
        String why = X87Oracle.unavailableReason(oracle);
        if (diff && why == null) {
            longRun(oracle, seed, cases, only);
            return;
        }
        if (why != null || out == null) {
            System.err.println(why != null ? why : "--out is required");
            System.exit(2);
        }
        X87Gen gen = new X87Gen(seed);
        List<X87Case> list = new ArrayList<>();
        for (int i = 0; i < cases; i++) {
            list.add(gen.next());
        }
        List<X87Result> hw = new X87Oracle(oracle).run(list);
        String cpu = cpuName();
        int wrong = 0;
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
            w.println("# x87 golden vectors: host CPU results of random x87 cases (X87Gen)");
            w.println("# cpu: " + cpu + "; seed " + seed + "; " + cases + " cases; " + LocalDate.now());
            w.println("# line: text|approx|code|rax|rflags|state-before|mem-before||trap|rax|rflags|state-after|mem-after");
            for (int i = 0; i < cases; i++) {
                w.println(list.get(i).toLine() + "||" + hw.get(i).toLine());
                if (X87Compare.diff(list.get(i), hw.get(i), X87Model.run(list.get(i))) != null) {
                    wrong++;
                }
            }
        }
        System.out.println("wrote " + cases + " vectors to " + out + "; the software x87 differs on " + wrong);
    }

    private static void longRun(Path oracle, long seed, int cases, String only) throws Exception {
        X87Gen gen = new X87Gen(seed, only);
        X87Oracle o = new X87Oracle(oracle);
        int failures = 0, approx = 0;
        long t0 = System.nanoTime();
        for (int done = 0; done < cases; ) {
            int n = Math.min(20_000, cases - done);
            List<X87Case> batch = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                batch.add(gen.next());
            }
            List<X87Result> hw = o.run(batch);
            for (int i = 0; i < n; i++) {
                X87Case c = batch.get(i);
                approx += c.approx ? 1 : 0;
                String d = X87Compare.diff(c, hw.get(i), X87Model.run(c));
                if (d != null && ++failures <= 20) {
                    System.out.println(X87Compare.reproducer(c, hw.get(i), null, d));
                }
            }
            done += n;
        }
        System.out.printf("x87 long run: %d cases (seed %d, cpu %s), %d differ; %d transcendental cases, worst ulp %d;"
                + " %.1f s%n", cases, seed, cpuName(), failures, approx, X87Compare.worstUlp,
                (System.nanoTime() - t0) / 1e9);
        System.out.println("worst ulp by instruction (D9 F0 F2XM1, F1 FYL2X, F2 FPTAN, F3 FPATAN, F9 FYL2XP1,"
                + " FB FSINCOS, FE FSIN, FF FCOS): " + X87Compare.WORST_BY_CASE);
    }

    /** The host's CPUID vendor string from /proc/cpuinfo ("unknown" when unreadable). */
    static String cpuVendor() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("vendor_id")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }

    private static String cpuName() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }
}
