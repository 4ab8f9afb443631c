package dev.zx4j.sim.x86;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The committed SSE/MMX golden vectors ({@code /x86/sse-golden.txt}): host-CPU results of
 * {@link SseCaseGenerator} cases, so a machine whose CPU lacks a feature (or has no gcc) still
 * checks the software VCPU against hardware. Two lines a case:
 * <pre>
 * in &lt;text&gt;|code=HEX rf=HEX fcw=HEX fsw=HEX ftw=HEX mx=HEX g=i:HEX,... st=i:SE:MANT,... x=i:HI:LO,... mem=HEX
 * out DELTA
 * </pre>
 * where DELTA lists, in a fixed order, every compared field whose final value differs from
 * the input ({@link #delta}); software and hardware agree when their deltas are equal.
 * Regenerate with {@code scripts/gen-sse-golden.sh}.
 */
final class SseGolden {
    static final String RESOURCE = "/x86/sse-golden.txt";
    private static final HexFormat HEX = HexFormat.of();

    record Vector(SseCase c, String expected) {}

    static String encode(SseCase c) {
        ByteBuffer f = SseCase.le(c.fx);
        StringBuilder sb = new StringBuilder("in ").append(c.text).append('|');
        sb.append("code=").append(HEX.formatHex(c.code));
        sb.append(String.format(" rf=%x fcw=%x fsw=%x ftw=%x mx=%x", c.rflags, f.getShort(0) & 0xFFFF,
                f.getShort(2) & 0xFFFF, f.get(4) & 0xFF, f.getInt(24)));
        sb.append(" g=");
        String sep = "";
        for (int k = 0; k < 16; k++) {
            if (c.gpr[k] != 0) {
                sb.append(sep).append(k).append(':').append(Long.toHexString(c.gpr[k]));
                sep = ",";
            }
        }
        sb.append(" st=");
        sep = "";
        for (int k = 0; k < 8; k++) {
            long m = f.getLong(32 + 16 * k);
            int se = f.getShort(40 + 16 * k) & 0xFFFF;
            if (m != 0 || se != 0) {
                sb.append(sep).append(k).append(':').append(Integer.toHexString(se)).append(':')
                        .append(Long.toHexString(m));
                sep = ",";
            }
        }
        sb.append(" x=");
        sep = "";
        for (int k = 0; k < 16; k++) {
            long lo = f.getLong(160 + 16 * k);
            long hi = f.getLong(168 + 16 * k);
            if (lo != 0 || hi != 0) {
                sb.append(sep).append(k).append(':').append(Long.toHexString(hi)).append(':')
                        .append(Long.toHexString(lo));
                sep = ",";
            }
        }
        int end = c.mem.length;
        while (end > 0 && c.mem[end - 1] == 0) {
            end--;
        }
        sb.append(" mem=").append(HEX.formatHex(c.mem, 0, end));
        return sb.toString();
    }

    static SseCase decode(String line) {
        int bar = line.indexOf('|');
        String text = line.substring(3, bar);
        byte[] code = null;
        byte[] mem = null;
        long rf = 0;
        long[] g = new long[16];
        byte[] fx = new byte[512];
        ByteBuffer f = SseCase.le(fx);
        f.putInt(28, 0xFFFF);
        for (String field : line.substring(bar + 1).split(" ")) {
            int eq = field.indexOf('=');
            String k = field.substring(0, eq);
            String v = field.substring(eq + 1);
            switch (k) {
                case "code": code = HEX.parseHex(v); break;
                case "rf": rf = Long.parseUnsignedLong(v, 16); break;
                case "fcw": f.putShort(0, (short) Integer.parseInt(v, 16)); break;
                case "fsw": f.putShort(2, (short) Integer.parseInt(v, 16)); break;
                case "ftw": f.put(4, (byte) Integer.parseInt(v, 16)); break;
                case "mx": f.putInt(24, (int) Long.parseLong(v, 16)); break;
                case "mem": mem = java.util.Arrays.copyOf(HEX.parseHex(v), SseCase.MEM_SIZE); break;
                default:
                    if (v.isEmpty()) {
                        break;
                    }
                    for (String e : v.split(",")) {
                        String[] p = e.split(":");
                        int i = Integer.parseInt(p[0]);
                        switch (k) {
                            case "g": g[i] = Long.parseUnsignedLong(p[1], 16); break;
                            case "st":
                                f.putShort(40 + 16 * i, (short) Integer.parseInt(p[1], 16));
                                f.putLong(32 + 16 * i, Long.parseUnsignedLong(p[2], 16));
                                break;
                            default:
                                f.putLong(168 + 16 * i, Long.parseUnsignedLong(p[1], 16));
                                f.putLong(160 + 16 * i, Long.parseUnsignedLong(p[2], 16));
                                break;
                        }
                    }
            }
        }
        SseCase c = new SseCase(text, code, g, rf, fx, mem);
        if (text.startsWith("fxsave") || text.startsWith("xsave")) {
            c.ignore = SseCaseGenerator.SAVE_IGNORE;
        }
        return c;
    }

    /** The compared fields of {@code r} that differ from the case's input, in a fixed order. */
    static String delta(SseCase c, SseCase.Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append("trap=").append(r.trap);
        for (int k = 0; k < 16; k++) {
            if (k != 4 && r.gpr[k] != c.gpr[k]) {
                sb.append(" g").append(k).append('=').append(Long.toHexString(r.gpr[k]));
            }
        }
        if ((r.rflags & 0x8D5) != (c.rflags & 0x8D5)) {
            sb.append(" rf=").append(Long.toHexString(r.rflags & 0x8D5));
        }
        ByteBuffer a = SseCase.le(c.fx);
        ByteBuffer b = SseCase.le(r.fx);
        int[][] words = {{0, 2}, {2, 2}, {4, 1}, {24, 4}};
        String[] names = {"fcw", "fsw", "ftw", "mx"};
        for (int k = 0; k < 4; k++) {
            int off = words[k][0];
            long va = words[k][1] == 2 ? a.getShort(off) & 0xFFFF : words[k][1] == 1 ? a.get(off) & 0xFF : a.getInt(off) & 0xFFFFFFFFL;
            long vb = words[k][1] == 2 ? b.getShort(off) & 0xFFFF : words[k][1] == 1 ? b.get(off) & 0xFF : b.getInt(off) & 0xFFFFFFFFL;
            if (va != vb) {
                sb.append(' ').append(names[k]).append('=').append(Long.toHexString(vb));
            }
        }
        for (int k = 0; k < 8; k++) {
            long ma = a.getLong(32 + 16 * k);
            long mb = b.getLong(32 + 16 * k);
            int sa = a.getShort(40 + 16 * k) & 0xFFFF;
            int sbv = b.getShort(40 + 16 * k) & 0xFFFF;
            if (ma != mb || sa != sbv) {
                sb.append(" st").append(k).append('=').append(Integer.toHexString(sbv)).append(':')
                        .append(Long.toHexString(mb));
            }
        }
        for (int k = 0; k < 16; k++) {
            long la = a.getLong(160 + 16 * k);
            long ha = a.getLong(168 + 16 * k);
            long lb = b.getLong(160 + 16 * k);
            long hb = b.getLong(168 + 16 * k);
            if (la != lb || ha != hb) {
                sb.append(" x").append(k).append('=').append(Long.toHexString(hb)).append(':')
                        .append(Long.toHexString(lb));
            }
        }
        for (int k = 0; k < SseCase.MEM_SIZE; k++) {
            if (c.mem[k] != r.mem[k] && (k >= 64 || (c.ignore >>> k & 1) == 0)) {
                sb.append(" m").append(k).append('=').append(String.format("%02x", r.mem[k] & 0xFF));
            }
        }
        return sb.toString();
    }

    static List<Vector> read(Reader in) throws IOException {
        List<Vector> out = new ArrayList<>();
        BufferedReader br = new BufferedReader(in);
        String line;
        SseCase pending = null;
        while ((line = br.readLine()) != null) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            if (line.startsWith("in ")) {
                pending = decode(line);
            } else if (line.startsWith("out ") && pending != null) {
                out.add(new Vector(pending, line.substring(4)));
                pending = null;
            } else {
                throw new IOException("bad golden line: " + line);
            }
        }
        return out;
    }

    /** Generator: {@code SseGolden ORACLE OUT [seed] [cases]}. */
    public static void main(String[] args) throws Exception {
        SseOracle oracle = new SseOracle(Path.of(args[0]));
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 0x55E601DL;
        int n = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        SseCaseGenerator gen = new SseCaseGenerator(seed);
        gen.sparse = true;
        List<SseCase> cases = new ArrayList<>();
        // every form at least once, then random ones
        for (int key : gen.keys) {
            cases.add(gen.make(key));
        }
        for (int k = 0; k < 60; k++) {
            cases.add(gen.makeState(k % 6));
        }
        while (cases.size() < n) {
            cases.add(gen.next());
        }
        List<SseCase.Result> hw = oracle.run(cases);
        SseCpuRunner soft = new SseCpuRunner();
        int wrong = 0;
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name")).findFirst().orElse("?").replaceAll(".*: ", "");
        try (Writer w = Files.newBufferedWriter(Path.of(args[1]), StandardCharsets.US_ASCII)) {
            w.write("# SSE/MMX golden vectors: host-CPU results of single-instruction cases.\n");
            w.write("# Generated by scripts/gen-sse-golden.sh (SseGolden) on " + cpu + ", seed "
                    + seed + ", " + cases.size() + " cases, " + java.time.LocalDate.now() + ".\n");
            for (int k = 0; k < cases.size(); k++) {
                SseCase c = cases.get(k);
                String d = delta(c, hw.get(k));
                if (!d.equals(delta(c, soft.run(c)))) {
                    wrong++;
                }
                w.write(encode(c) + "\n");
                w.write("out " + d + "\n");
            }
        }
        System.out.println("SseGolden: wrote " + cases.size() + " vectors to " + args[1]
                + "; the software VCPU differs on " + wrong);
    }
}
