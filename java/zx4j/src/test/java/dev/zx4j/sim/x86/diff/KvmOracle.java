package dev.zx4j.sim.x86.diff;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs batches of {@link DiffCase}s on the host CPU through {@code kvm-oracle}
 * ({@code native/kvm/kvm-oracle.c}, built into {@code target/kvm/} by
 * {@code scripts/build-kvm-oracle.sh}): one process, one VM, one KVM_RUN for the whole batch,
 * the VCPU at CPL3 in long mode.
 */
final class KvmOracle {
    /** The oracle cannot be used here (not built, no /dev/kvm, KVM refuses the setup). */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String reason) {
            super(reason);
        }
    }

    private static final int BATCH_MAGIC = 0x424B585A;
    private static final int RESULT_MAGIC = 0x524B585A;
    private static final long SENTINEL = 0x5EC7_1E5E_C71E_5EC7L;
    private static final int[] POP_ORDER = {0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

    private final Path binary;
    private final Map<String, String> info;

    private KvmOracle(Path binary, Map<String, String> info) {
        this.binary = binary;
        this.info = info;
    }

    /** The built oracle: {@code -Dzx4j.kvmOracle=PATH}, default {@code target/kvm/kvm-oracle}. */
    static Path defaultBinary() {
        return Path.of(System.getProperty("zx4j.kvmOracle", "target/kvm/kvm-oracle"));
    }

    /**
     * Opens the oracle at {@code binary}, checking that it was built, that /dev/kvm is there and
     * that a one-case batch runs.
     */
    static KvmOracle open(Path binary) throws Unavailable {
        if (!Files.isExecutable(binary)) {
            Path why = binary.resolveSibling(binary.getFileName() + ".skipped");
            String reason = "kvm-oracle was not built (" + binary + " missing)";
            try {
                if (Files.exists(why)) {
                    reason = "kvm-oracle was not built: " + Files.readString(why).trim();
                }
            } catch (IOException e) {
                // keep the generic reason
            }
            throw new Unavailable(reason);
        }
        Map<String, String> info = new LinkedHashMap<>();
        Exec r = exec(binary, List.of("--info"), new byte[0]);
        for (String line : new String(r.stdout, StandardCharsets.UTF_8).split("\n")) {
            int c = line.indexOf(": ");
            if (c > 0) {
                info.put(line.substring(0, c), line.substring(c + 2).trim());
            }
        }
        String kvm = info.getOrDefault("kvm", "unavailable (no answer)");
        if (kvm.startsWith("unavailable")) {
            throw new Unavailable("/dev/kvm " + kvm);
        }
        KvmOracle o = new KvmOracle(binary, info);
        o.selfTest();
        return o;
    }

    /** Host CPU facts from {@code kvm-oracle --info} (vendor, brand, family, model, lzcnt, ...). */
    Map<String, String> info() {
        return info;
    }

    boolean has(String feature) {
        return "1".equals(info.get(feature));
    }

    String cpuDescription() {
        return info.get("vendor") + " \"" + info.get("brand") + "\" family " + info.get("family")
                + " model " + info.get("model") + " stepping " + info.get("stepping");
    }

    /** Runs one known case (add rax, rbx) so that a KVM that opens but cannot run code is caught. */
    private void selfTest() throws Unavailable {
        Layout l = new Layout(1);
        long[] regs = new long[16];
        regs[0] = 0x7FFF_FFFF_FFFF_FFFFL;
        regs[3] = 1;
        regs[4] = l.stackTop(0);
        regs[15] = l.memAddress(0);
        DiffCase c = new DiffCase(0, l.snippetAddress(0), new byte[] {0x48, 0x01, (byte) 0xD8},
                List.of("add rax, rbx"), regs, 0x2, l.memAddress(0), new byte[Layout.MEM_SIZE], Flags.ALL);
        List<Outcome> out;
        try {
            out = run(List.of(c), l);
        } catch (IllegalStateException e) {
            throw new Unavailable("self-test batch failed: " + e.getMessage());
        }
        Outcome o = out.get(0);
        long want = 0x8000_0000_0000_0000L;
        if (o.regs()[0] != want || (o.rflags() & Flags.ALL) != (Flags.OF | Flags.SF | Flags.AF | Flags.PF)) {
            throw new IllegalStateException(String.format("kvm-oracle self-test: add rax, rbx gave rax=%x rflags=%x",
                    o.regs()[0], o.rflags()));
        }
    }

    /**
     * Runs {@code cases} (case i at layout slot i) in one VM and returns the hardware outcome of
     * each.
     *
     * @throws Unavailable when KVM refuses the VM at run time
     * @throws IllegalStateException when the batch did not complete (a case faulted, or another
     *     exit), naming the case
     */
    List<Outcome> run(List<DiffCase> cases, Layout l) throws Unavailable {
        byte[] batch = image(cases, l);
        Exec r = exec(binary, List.of(), batch);
        if (r.code == 3) {
            throw new Unavailable(new String(r.stderr, StandardCharsets.UTF_8).trim());
        }
        if (r.code != 0) {
            throw new IllegalStateException("kvm-oracle exited with " + r.code + ": "
                    + new String(r.stderr, StandardCharsets.UTF_8).trim());
        }
        ByteBuffer bb = ByteBuffer.wrap(r.stdout).order(ByteOrder.LITTLE_ENDIAN);
        if (r.stdout.length != 16 + 160 + (long) l.count * Layout.DATA_SLOT || bb.getInt() != RESULT_MAGIC) {
            throw new IllegalStateException("kvm-oracle: malformed result (" + r.stdout.length + " bytes)");
        }
        int status = bb.getInt();
        int detail = bb.getInt();
        bb.getInt();
        long faultRip = bb.getLong();
        long errorCode = bb.getLong();
        long rip = bb.getLong();
        int outBase = 16 + 160;
        if (status != 0) {
            int bad = -1;
            if (status == 1) {
                bad = l.caseAt(faultRip);
            }
            if (bad < 0) {
                for (int i = 0; i < l.count && bad < 0; i++) {
                    if (bb.getLong(outBase + i * Layout.DATA_SLOT + Layout.OUT_OFF + 128) == SENTINEL) {
                        bad = i;
                    }
                }
            }
            String what = status == 1
                    ? String.format("exception vector %d (error code 0x%x) at rip 0x%x", detail, errorCode, faultRip)
                    : String.format("KVM exit reason %d at rip 0x%x", detail, rip);
            throw new IllegalStateException("hardware run stopped: " + what
                    + (bad >= 0 ? "\n" + cases.get(bad).describe() : ""));
        }
        return outcomes(bb, outBase, l);
    }

    /**
     * The outcome of every case from the data region of a batch (its OUT block and memory
     * block), the region starting at {@code base} in {@code bb}.
     */
    static List<Outcome> outcomes(ByteBuffer bb, int base, Layout l) {
        List<Outcome> out = new ArrayList<>(l.count);
        for (int i = 0; i < l.count; i++) {
            int slot = base + i * Layout.DATA_SLOT;
            int o = slot + Layout.OUT_OFF;
            long[] regs = new long[16];
            regs[4] = bb.getLong(o);
            for (int k = 0; k < POP_ORDER.length; k++) {
                regs[POP_ORDER[k]] = bb.getLong(o + 8 + 8 * k);
            }
            long rflags = bb.getLong(o + 128);
            byte[] mem = new byte[Layout.MEM_SIZE];
            bb.get(slot + Layout.MEM_OFF, mem);
            out.add(new Outcome(regs, rflags, mem));
        }
        return out;
    }

    /** The batch for kvm-oracle: header, then code and data slots from CODE_BASE on. */
    static byte[] image(List<DiffCase> cases, Layout l) {
        if (cases.size() != l.count) {
            throw new IllegalArgumentException("cases " + cases.size() + " for a layout of " + l.count);
        }
        long end = l.dataSlot(l.count - 1) + Layout.DATA_SLOT;
        int len = (int) (end - Layout.CODE_BASE);
        ByteBuffer img = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < l.count; i++) {
            DiffCase c = cases.get(i);
            if (c.codeAddress() != l.snippetAddress(i) || c.memAddress() != l.memAddress(i)
                    || c.regs()[4] != l.stackTop(i) || c.code().length > Layout.MAX_SNIPPET) {
                throw new IllegalArgumentException("case " + i + " does not fit layout slot " + i);
            }
            int at = (int) (l.codeSlot(i) - Layout.CODE_BASE);
            long in = l.dataSlot(i) + Layout.IN_OFF;
            long outAddr = l.dataSlot(i) + Layout.OUT_OFF;
            img.position(at);
            movRsp(img, in);
            for (int r : POP_ORDER) {
                if (r >= 8) {
                    img.put((byte) 0x41);
                }
                img.put((byte) (0x58 + (r & 7)));
            }
            img.put((byte) 0x9D);
            movRsp(img, l.stackTop(i));
            if (img.position() - at != Layout.PROLOGUE_LEN) {
                throw new AssertionError("prologue length");
            }
            img.put(c.code());
            int epi = img.position();
            img.put(new byte[] {0x48, (byte) 0x89, 0x24, 0x25}).putInt((int) outAddr);
            movRsp(img, outAddr + 136);
            img.put((byte) 0x9C);
            for (int k = POP_ORDER.length - 1; k >= 0; k--) {
                int r = POP_ORDER[k];
                if (r >= 8) {
                    img.put((byte) 0x41);
                }
                img.put((byte) (0x50 + (r & 7)));
            }
            if (i + 1 < l.count) {
                long next = l.codeSlot(i + 1);
                img.put((byte) 0xE9).putInt((int) (next - (Layout.CODE_BASE + img.position() + 4)));
            } else {
                img.put(new byte[] {(byte) 0x88, 0x04, 0x25}).putInt((int) Layout.DONE);
            }
            if (i + 1 < l.count && img.position() - epi != Layout.EPILOGUE_LEN) {
                throw new AssertionError("epilogue length");
            }
            int data = (int) (l.dataSlot(i) - Layout.CODE_BASE);
            for (int k = 0; k < POP_ORDER.length; k++) {
                img.putLong(data + Layout.IN_OFF + 8 * k, c.regs()[POP_ORDER[k]]);
            }
            img.putLong(data + Layout.IN_OFF + 120, c.rflags());
            for (int k = 0; k < 17; k++) {
                img.putLong(data + Layout.OUT_OFF + 8 * k, SENTINEL);
            }
            img.put(data + Layout.MEM_OFF, c.mem());
        }
        ByteBuffer b = ByteBuffer.allocate(8 + 48 + len).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(BATCH_MAGIC).putInt(1);
        b.putLong(Layout.CODE_BASE).putLong(len).putLong(l.codeSlot(0)).putLong(0);
        b.putLong(l.dataBase()).putLong((long) l.count * Layout.DATA_SLOT);
        b.put(img.array());
        return b.array();
    }

    private static void movRsp(ByteBuffer img, long v) {
        if (v != (int) v) {
            throw new IllegalArgumentException("address above 2 GiB");
        }
        img.put(new byte[] {0x48, (byte) 0xC7, (byte) 0xC4}).putInt((int) v);
    }

    private record Exec(int code, byte[] stdout, byte[] stderr) {}

    private static Exec exec(Path binary, List<String> args, byte[] stdin) throws Unavailable {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new Unavailable("cannot start " + binary + ": " + e.getMessage());
        }
        try {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread errReader = new Thread(() -> copy(p.getErrorStream(), err), "kvm-oracle-stderr");
            errReader.start();
            Thread writer = new Thread(() -> {
                try (OutputStream os = p.getOutputStream()) {
                    os.write(stdin);
                } catch (IOException e) {
                    // the process ended early; its exit code and stderr say why
                }
            }, "kvm-oracle-stdin");
            writer.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("kvm-oracle did not finish in 120 s");
            }
            writer.join();
            errReader.join();
            return new Exec(p.exitValue(), out, err.toByteArray());
        } catch (IOException e) {
            throw new IllegalStateException("kvm-oracle I/O: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException("interrupted while running kvm-oracle", e);
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException e) {
            // ignore: best-effort stderr capture
        }
    }
}
