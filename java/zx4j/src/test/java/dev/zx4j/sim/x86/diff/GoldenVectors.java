package dev.zx4j.sim.x86.diff;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The golden-vector text format: cases with the outcome real hardware gave them, so the
 * software VCPU is checked against hardware on machines without /dev/kvm.
 *
 * <pre>
 * # comment lines (header: generator, CPU, seed, date)
 * case ID code=ADDR mem=ADDR defined=FLAGS      FLAGS: names joined by | ("-" for none)
 * hex SNIPPET
 * asm INSN; INSN; ...                           (informational)
 * in rax=V rcx=V ... r15=V rflags=V             all 16 GPRs, hex
 * mem HEX                                       the 128-byte block at mem= (R15 = mem, RSP = mem+128)
 * out REG=V ... rflags=V                        GPRs that changed, RFLAGS as the hardware pushed it
 * outmem OFF:HEX ...                            byte runs of the block that changed
 * </pre>
 */
final class GoldenVectors {
    private GoldenVectors() {}

    /** A case and its hardware outcome. */
    record Vector(DiffCase c, Outcome expected) {}

    static void write(Writer w, List<String> header, List<DiffCase> cases, List<Outcome> hw) throws IOException {
        for (String h : header) {
            w.write("# " + h + "\n");
        }
        for (int i = 0; i < cases.size(); i++) {
            DiffCase c = cases.get(i);
            Outcome o = hw.get(i);
            w.write("case " + c.id() + " code=" + Long.toHexString(c.codeAddress()) + " mem="
                    + Long.toHexString(c.memAddress()) + " defined=" + Flags.names(c.definedFlags()) + "\n");
            w.write("hex " + Asm.hex(c.code()) + "\n");
            w.write("asm " + String.join("; ", c.asm()) + "\n");
            StringBuilder sb = new StringBuilder("in");
            for (int r = 0; r < 16; r++) {
                sb.append(' ').append(Asm.R64[r]).append('=').append(Long.toHexString(c.regs()[r]));
            }
            sb.append(" rflags=").append(Long.toHexString(c.rflags()));
            w.write(sb + "\n");
            w.write("mem " + Asm.hex(c.mem()) + "\n");
            sb = new StringBuilder("out");
            for (int r = 0; r < 16; r++) {
                if (o.regs()[r] != c.regs()[r]) {
                    sb.append(' ').append(Asm.R64[r]).append('=').append(Long.toHexString(o.regs()[r]));
                }
            }
            sb.append(" rflags=").append(Long.toHexString(o.rflags()));
            w.write(sb + "\n");
            sb = new StringBuilder("outmem");
            byte[] a = c.mem();
            byte[] b = o.mem();
            for (int k = 0; k < a.length; ) {
                if (a[k] == b[k]) {
                    k++;
                    continue;
                }
                int e = k;
                while (e < a.length && a[e] != b[e]) {
                    e++;
                }
                sb.append(' ').append(Integer.toHexString(k)).append(':').append(Asm.hex(Arrays.copyOfRange(b, k, e)));
                k = e;
            }
            w.write(sb + "\n");
        }
    }

    static List<Vector> read(Reader in) throws IOException {
        BufferedReader r = new BufferedReader(in);
        List<Vector> out = new ArrayList<>();
        String line;
        int lineNo = 0;
        String[] block = new String[7];
        int n = 0;
        int startLine = 0;
        while ((line = r.readLine()) != null) {
            lineNo++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (n == 0) {
                startLine = lineNo;
            }
            block[n++] = line;
            if (n == block.length) {
                try {
                    out.add(parse(block));
                } catch (RuntimeException e) {
                    throw new IOException("golden vectors: bad case at line " + startLine + ": " + e.getMessage(), e);
                }
                n = 0;
            }
        }
        if (n != 0) {
            throw new IOException("golden vectors: incomplete case at line " + startLine);
        }
        return out;
    }

    private static String body(String line, String key) {
        if (!line.startsWith(key + " ") && !line.equals(key)) {
            throw new IllegalArgumentException("expected '" + key + "', found: " + line);
        }
        return line.length() > key.length() ? line.substring(key.length() + 1) : "";
    }

    private static int regIndex(String name) {
        for (int r = 0; r < 16; r++) {
            if (Asm.R64[r].equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown register " + name);
    }

    private static Vector parse(String[] b) {
        String[] head = body(b[0], "case").split(" ");
        int id = Integer.parseInt(head[0]);
        long code = -1;
        long memAddr = -1;
        int defined = -1;
        for (int k = 1; k < head.length; k++) {
            String[] kv = head[k].split("=", 2);
            switch (kv[0]) {
                case "code": code = Long.parseUnsignedLong(kv[1], 16); break;
                case "mem": memAddr = Long.parseUnsignedLong(kv[1], 16); break;
                case "defined": defined = flagsOf(kv[1]); break;
                default: throw new IllegalArgumentException("unknown field " + kv[0]);
            }
        }
        if (code < 0 || memAddr < 0 || defined < 0) {
            throw new IllegalArgumentException("case line needs code=, mem= and defined=");
        }
        byte[] hex = Asm.unhex(body(b[1], "hex"));
        String asmText = body(b[2], "asm");
        List<String> asm = asmText.isEmpty() ? List.of() : List.of(asmText.split("; "));
        long[] regs = new long[16];
        boolean[] seen = new boolean[17];
        long rflags = 0;
        for (String kv : body(b[3], "in").split(" ")) {
            String[] p = kv.split("=", 2);
            long v = Long.parseUnsignedLong(p[1], 16);
            if (p[0].equals("rflags")) {
                rflags = v;
                seen[16] = true;
            } else {
                int r = regIndex(p[0]);
                regs[r] = v;
                seen[r] = true;
            }
        }
        for (int k = 0; k < 17; k++) {
            if (!seen[k]) {
                throw new IllegalArgumentException("'in' lacks " + (k < 16 ? Asm.R64[k] : "rflags"));
            }
        }
        byte[] mem = Asm.unhex(body(b[4], "mem"));
        if (mem.length != Layout.MEM_SIZE) {
            throw new IllegalArgumentException("mem is " + mem.length + " bytes, not " + Layout.MEM_SIZE);
        }
        long[] outRegs = regs.clone();
        long outFlags = -1;
        for (String kv : body(b[5], "out").split(" ")) {
            String[] p = kv.split("=", 2);
            long v = Long.parseUnsignedLong(p[1], 16);
            if (p[0].equals("rflags")) {
                outFlags = v;
            } else {
                outRegs[regIndex(p[0])] = v;
            }
        }
        if (outFlags < 0) {
            throw new IllegalArgumentException("'out' lacks rflags");
        }
        byte[] outMem = mem.clone();
        String om = body(b[6], "outmem");
        if (!om.isEmpty()) {
            for (String run : om.split(" ")) {
                String[] p = run.split(":", 2);
                byte[] v = Asm.unhex(p[1]);
                System.arraycopy(v, 0, outMem, Integer.parseInt(p[0], 16), v.length);
            }
        }
        DiffCase c = new DiffCase(id, code, hex, asm, regs, rflags, memAddr, mem, defined);
        return new Vector(c, new Outcome(outRegs, outFlags, outMem));
    }

    static int flagsOf(String names) {
        if (names.equals("-")) {
            return 0;
        }
        int f = 0;
        for (String n : names.split("\\|")) {
            switch (n) {
                case "CF": f |= Flags.CF; break;
                case "PF": f |= Flags.PF; break;
                case "AF": f |= Flags.AF; break;
                case "ZF": f |= Flags.ZF; break;
                case "SF": f |= Flags.SF; break;
                case "OF": f |= Flags.OF; break;
                case "DF": f |= Flags.DF; break;
                default: throw new IllegalArgumentException("unknown flag " + n);
            }
        }
        return f;
    }
}
