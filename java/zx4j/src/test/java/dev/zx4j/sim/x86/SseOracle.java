package dev.zx4j.sim.x86;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs {@link SseCase}s on the host CPU through native/sse/sse-oracle (one process a batch). */
final class SseOracle {
    private final Path exe;

    SseOracle(Path exe) {
        this.exe = exe;
    }

    /** The built oracle, or null with the reason in {@code why[0]}. */
    static SseOracle find(String[] why) {
        String p = System.getProperty("zx4j.sseOracle", "target/sse/sse-oracle");
        Path exe = Path.of(p);
        if (!Files.isExecutable(exe)) {
            Path skipped = exe.resolveSibling("sse-oracle.skipped");
            try {
                why[0] = Files.exists(skipped) ? Files.readString(skipped).trim()
                        : "sse-oracle not built at " + exe;
            } catch (IOException e) {
                why[0] = e.toString();
            }
            return null;
        }
        return new SseOracle(exe);
    }

    List<SseCase.Result> run(List<SseCase> cases) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(exe.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread writer = new Thread(() -> {
            try (OutputStream out = p.getOutputStream()) {
                ByteBuffer b = ByteBuffer.allocate(SseCase.IN_SIZE).order(ByteOrder.LITTLE_ENDIAN);
                for (SseCase c : cases) {
                    b.clear();
                    c.writeTo(b);
                    out.write(b.array(), 0, b.position());
                }
            } catch (IOException e) {
                // the reader reports the short output
            }
        }, "sse-oracle-writer");
        writer.start();
        List<SseCase.Result> res = new ArrayList<>(cases.size());
        try (InputStream in = p.getInputStream()) {
            DataInputStream din = new DataInputStream(in);
            byte[] buf = new byte[SseCase.OUT_SIZE];
            for (int k = 0; k < cases.size(); k++) {
                din.readFully(buf);
                res.add(SseCase.Result.read(SseCase.le(buf)));
            }
        }
        writer.join();
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IOException("sse-oracle exited with " + rc);
        }
        return res;
    }
}
