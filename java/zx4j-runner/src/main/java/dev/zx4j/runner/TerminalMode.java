package dev.zx4j.runner;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Puts the controlling terminal into raw mode without echo for an interactive guest console
 * (the guest echoes and edits lines itself; Ctrl-C goes to the guest), with {@code stty}, and
 * restores the saved settings on close. Where {@code stty} fails, the terminal stays as it was
 * and {@link #active()} is false: the guest then receives whole lines.
 */
final class TerminalMode implements AutoCloseable {

    private final String saved;

    private TerminalMode(String saved) {
        this.saved = saved;
    }

    static TerminalMode raw() {
        String saved = stty("-g");
        if (saved == null || stty("raw", "-echo") == null) {
            return new TerminalMode(null);
        }
        TerminalMode m = new TerminalMode(saved.trim());
        Runtime.getRuntime().addShutdownHook(new Thread(m::close, "zx4j-restore-terminal"));
        return m;
    }

    boolean active() {
        return saved != null;
    }

    private static String stty(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "stty";
        System.arraycopy(args, 0, cmd, 1, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public synchronized void close() {
        if (saved != null) {
            stty(saved);
        }
    }
}
