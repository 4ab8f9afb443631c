package dev.zx4j.vmm;

import java.io.OutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The host end of the guest's console UART: streams every byte to the host's output as it
 * comes (flushed at each line end and by {@link #flush()}, which the VMM calls periodically so
 * prompts without a newline appear), keeps the last lines for the run's report, notes when the
 * first line of userspace output appeared, and whether the kernel announced a panic.
 *
 * <p>"Userspace output" is recognised by its form: the kernel's console lines carry printk's
 * timestamp prefix {@code [    1.234567] } (Debian kernels have {@code CONFIG_PRINTK_TIME}),
 * so the first non-empty line without it — the init's first words, or a shell prompt — marks
 * the start of userspace. A kernel built without printk timestamps makes this figure too early.
 */
public final class Console {

    private static final Pattern PRINTK = Pattern.compile("^\\[\\s*\\d+\\.\\d+\\].*");
    private static final int KEEP_LINES = 40;

    private final OutputStream out;
    private final LongSupplier nanoClock;
    private long start;
    private final StringBuilder line = new StringBuilder();
    private final ArrayDeque<String> lastLines = new ArrayDeque<>();
    private final byte[] buffer = new byte[8192];
    private int buffered;
    private long firstUserspaceNanos = -1;
    private boolean panicked;
    private long bytes;

    /**
     * A console writing the guest's text to {@code out}.
     *
     * @param out receives the guest's console bytes
     * @param nanoClock host time in nanoseconds, for {@link #firstUserspaceNanos()}
     */
    public Console(OutputStream out, LongSupplier nanoClock) {
        this.out = out;
        this.nanoClock = nanoClock;
        this.start = nanoClock.getAsLong();
    }

    /** Measures {@link #firstUserspaceNanos()} from now (the start of the run). */
    public synchronized void markStart() {
        start = nanoClock.getAsLong();
    }

    /**
     * One byte from the guest.
     *
     * @param b the byte, 0 to 255
     */
    public synchronized void write(int b) {
        bytes++;
        buffer[buffered++] = (byte) b;
        if (b == '\n') {
            endLine();
            flushLocked();
        } else if (b != '\r') {
            line.append((char) (b & 0xFF));
            if (line.length() >= 4096) {
                endLine();
            }
        }
        if (buffered == buffer.length) {
            flushLocked();
        }
    }

    private void endLine() {
        String s = line.toString();
        line.setLength(0);
        lastLines.addLast(s);
        if (lastLines.size() > KEEP_LINES) {
            lastLines.removeFirst();
        }
        noteLine(s);
    }

    private void noteLine(String s) {
        if (s.contains("Kernel panic - not syncing")) {
            panicked = true;
        }
        if (firstUserspaceNanos < 0 && !s.isBlank() && !PRINTK.matcher(s).matches()) {
            firstUserspaceNanos = nanoClock.getAsLong() - start;
        }
    }

    /** Writes out what is buffered (also an unfinished line, e.g. a prompt). */
    public synchronized void flush() {
        if (buffered > 0) {
            flushLocked();
        }
        if (line.length() > 0 && firstUserspaceNanos < 0 && line.charAt(0) != '[') {
            noteLine(line.toString()); // a prompt counts as userspace output
        }
    }

    private void flushLocked() {
        try {
            out.write(buffer, 0, buffered);
            out.flush();
        } catch (IOException e) {
            // the host's output is gone: the guest's console output is dropped
        }
        buffered = 0;
    }

    /** {@return nanoseconds from the start to the first userspace line, or -1} */
    public synchronized long firstUserspaceNanos() {
        return firstUserspaceNanos;
    }

    /** {@return whether the kernel printed "Kernel panic - not syncing"} */
    public synchronized boolean panicked() {
        return panicked;
    }

    /** {@return bytes the guest wrote} */
    public synchronized long bytes() {
        return bytes;
    }

    /**
     * The last {@code n} lines (the unfinished one included).
     *
     * @param n how many lines at most
     * @return the lines, oldest first
     */
    public synchronized List<String> lastLines(int n) {
        List<String> all = new ArrayList<>(lastLines);
        if (line.length() > 0) {
            all.add(line.toString());
        }
        return all.subList(Math.max(0, all.size() - n), all.size());
    }

    static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
