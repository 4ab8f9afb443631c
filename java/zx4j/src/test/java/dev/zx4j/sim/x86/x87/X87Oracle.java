package dev.zx4j.sim.x86.x87;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@link X87Case}s on the host CPU through {@code x87-oracle} (built into
 * {@code target/x87/} by {@code scripts/build-x87-oracle.sh}): one process per batch.
 */
final class X87Oracle {
    static final int IN_SIZE = 320, OUT_SIZE = 832;

    private final Path binary;

    X87Oracle(Path binary) {
        this.binary = binary;
    }

    static Path defaultBinary() {
        return Path.of(System.getProperty("zx4j.x87Oracle", "target/x87/x87-oracle"));
    }

    /** Null when usable, else why not. */
    static String unavailableReason(Path binary) {
        if (Files.isExecutable(binary)) {
            return null;
        }
        Path why = binary.resolveSibling(binary.getFileName() + ".skipped");
        try {
            if (Files.exists(why)) {
                return "x87-oracle was not built: " + Files.readString(why).trim();
            }
        } catch (IOException e) {
            // fall through
        }
        return "x87-oracle was not built (" + binary + " missing)";
    }

    List<X87Result> run(List<X87Case> cases) throws IOException, InterruptedException {
        Path in = Files.createTempFile("x87-oracle", ".in");
        try {
            ByteBuffer b = ByteBuffer.allocate(IN_SIZE * cases.size()).order(ByteOrder.LITTLE_ENDIAN);
            for (X87Case c : cases) {
                int base = b.position();
                byte[] code = new byte[32];
                java.util.Arrays.fill(code, (byte) 0x90);
                System.arraycopy(c.code, 0, code, 0, c.code.length);
                b.put(code);
                b.putLong(c.rax);
                b.putLong(c.rflags);
                b.put(c.state);
                b.position(base + 160);
                b.put(c.mem);
                b.position(base + IN_SIZE);
            }
            Files.write(in, b.array());
            Process p = new ProcessBuilder(binary.toString()).redirectInput(in.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            byte[] out;
            try (InputStream is = p.getInputStream()) {
                out = is.readAllBytes();
            }
            int rc = p.waitFor();
            if (rc != 0 || out.length != OUT_SIZE * cases.size()) {
                throw new IOException("x87-oracle failed: exit " + rc + ", " + out.length + " bytes for "
                        + cases.size() + " cases");
            }
            ByteBuffer o = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
            List<X87Result> res = new ArrayList<>(cases.size());
            for (int i = 0; i < cases.size(); i++) {
                int base = i * OUT_SIZE;
                X87Result r = new X87Result();
                r.trap = o.getInt(base);
                r.rax = o.getLong(base + 32);
                r.rflags = o.getLong(base + 40);
                if (r.trap >= 0) {
                    r.rax = cases.get(i).rax;
                    r.rflags = cases.get(i).rflags;
                    r.state = fromFxsave(out, base + 320);
                    System.arraycopy(out, base + 160, r.mem, 0, X87Case.MEM_SIZE);
                } else {
                    System.arraycopy(out, base + 48, r.state, 0, X87Case.STATE_SIZE);
                    System.arraycopy(out, base + 160, r.mem, 0, X87Case.MEM_SIZE);
                }
                res.add(r);
            }
            return res;
        } finally {
            Files.deleteIfExists(in);
        }
    }

    /**
     * At a trap the oracle reports the FXSAVE image the kernel saved: it is mapped to the
     * FNSAVE layout with FCW, FSW, the abridged tag byte (in the FTW slot) and ST0..7; the
     * pointer fields are left 0 (the kernel's copy is not the point of comparison).
     */
    static byte[] fromFxsave(byte[] fx, int at) {
        byte[] s = new byte[X87Case.STATE_SIZE];
        s[0] = fx[at];
        s[1] = fx[at + 1];
        s[4] = fx[at + 2];
        s[5] = fx[at + 3];
        s[8] = fx[at + 4];
        for (int i = 0; i < 8; i++) {
            System.arraycopy(fx, at + 32 + 16 * i, s, 28 + 10 * i, 10);
        }
        return s;
    }
}
