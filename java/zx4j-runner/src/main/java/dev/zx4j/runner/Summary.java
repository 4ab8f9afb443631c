package dev.zx4j.runner;

import dev.zx4j.sim.SimKernel;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The summary printed after the guest's output. What each line measures:
 * <ul>
 *   <li>{@code exits}: returns of {@code zx_vcpu_enter} by type, over all VCPUs; doorbells are
 *       port packets, not exits, and are counted separately;</li>
 *   <li>{@code interrupts}: per VCPU, the vectors the kernel injected into it (all sources; the
 *       timer is the only one the demo uses) and the timer ticks the guest's own handler counted
 *       and reported on port 0x500 ("-" if it reported none); edges raised while a vector is
 *       still pending merge into one, so injected ≤ line fires;</li>
 *   <li>{@code timer}: edges raised on the timer line while the guest ran;</li>
 *   <li>{@code instructions} and {@code guest MIPS}: instructions retired by the software CPU
 *       of each VCPU, and their total divided by the wall time of the run (which includes time
 *       the VCPUs spent halted, so an idle guest shows a low figure).</li>
 * </ul>
 */
final class Summary {
    private Summary() {}

    static void print(PrintStream out, GuestMachine.Result r, int timerHz) {
        StringBuilder b = new StringBuilder();
        b.append("---- zx4j guest runner summary ----\n");
        row(b, "result", result(r.outcome()));
        StringJoiner ex = new StringJoiner(", ");
        long total = 0;
        for (Map.Entry<String, Long> e : r.exits().entrySet()) {
            ex.add(e.getKey() + " " + e.getValue());
            total += e.getValue();
        }
        row(b, "exits", total + " (" + ex + "); doorbell packets " + r.bells());
        StringJoiner irq = new StringJoiner("; ");
        long instructions = 0;
        StringJoiner perVcpu = new StringJoiner(", ");
        for (GuestMachine.VcpuRecord v : r.vcpus()) {
            SimKernel.VcpuStats s = r.stats().stream().filter(x -> x.koid() == v.koid)
                    .findFirst().orElse(null);
            long injected = s == null ? 0 : s.interruptsInjected();
            long inst = s == null ? 0 : s.instructions();
            instructions += inst;
            irq.add("vcpu-" + v.apicId + " " + injected + " injected, guest counted "
                    + (v.guestReportedTicks < 0 ? "-" : Long.toString(v.guestReportedTicks)));
            perVcpu.add("vcpu-" + v.apicId + " " + String.format(Locale.ROOT, "%,d", inst));
        }
        row(b, "vcpus", r.vcpus().size() + " started");
        row(b, "interrupts", irq.toString());
        row(b, "timer", "IRQ line " + GuestMachine.TIMER_VECTOR + " fired " + r.timerFires()
                + " times at " + timerHz + " Hz, bound to every VCPU");
        row(b, "instructions", String.format(Locale.ROOT, "%,d (%s)", instructions, perVcpu));
        double secs = r.wallNanos() / 1e9;
        row(b, "guest MIPS", String.format(Locale.ROOT, "%.2f", secs > 0
                ? instructions / secs / 1e6 : 0.0));
        row(b, "wall time", String.format(Locale.ROOT, "%.3f s", secs));
        synchronized (out) {
            out.print(b);
            out.flush();
        }
    }

    private static void row(StringBuilder b, String name, String value) {
        b.append(String.format(Locale.ROOT, "%-13s %s%n", name + ":", value));
    }

    private static String result(GuestMachine.Outcome o) {
        if (o instanceof GuestMachine.Outcome.Completed c) {
            return c.status() == 0 ? "guest halted cleanly" : "guest reported failure, status "
                    + c.status();
        }
        if (o instanceof GuestMachine.Outcome.Fault f) {
            return "guest fault on vcpu-" + f.apicId() + ": " + f.status().name();
        }
        if (o instanceof GuestMachine.Outcome.TimeLimit t) {
            return "stopped at the time limit (" + duration(t.limit()) + ")";
        }
        if (o instanceof GuestMachine.Outcome.Internal i) {
            return "runner error: " + i.message();
        }
        return "unknown";
    }

    /** 1s, 500ms, 2m — the way the option is written. */
    static String duration(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.getSeconds();
        return s % 60 == 0 && s > 0 ? (s / 60) + "m" : s + "s";
    }
}
