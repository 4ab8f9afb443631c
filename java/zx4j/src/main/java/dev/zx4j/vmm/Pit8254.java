package dev.zx4j.vmm;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The 8254 programmable interval timer (ports 0x40–0x43) and the PC's system control port B
 * (0x61), which gates channel 2 and shows its output. The counters run at
 * {@value #FREQUENCY_HZ} Hz of host time (the {@code clock} supplier, nanoseconds).
 *
 * <p>Modelled after the Intel 8254 data sheet: control words select a channel, its access mode
 * (LSB, MSB, LSB then MSB) and mode 0–5; the counter-latch command and the read-back command
 * (count and/or status) latch values; reads and writes of a two-byte access alternate bytes.
 * A count of 0 means 65536. Counting starts when the count is written (modes 0, 2, 3, 4) with
 * the gate high, or on the gate's rising edge (modes 1, 5; modes 2 and 3 restart then).
 * Channels 0 and 1 have their gates tied high; channel 2's is port 0x61 bit 0, and bit 5 of port
 * 0x61 reads channel 2's output. Bit 4 of port 0x61 (refresh request) toggles every 15.085 µs.
 *
 * <p>Channel 0's output drives {@code irq0}: a pulse at each terminal count in modes 2 and 3
 * (periodic, scheduled on {@code scheduler}), one at the terminal count in modes 0, 1 and 4, 5.
 * BCD counting is accepted but counts in binary.
 */
public final class Pit8254 implements IoDevice {

    /** The PIT's input clock in Hz (1.193182 MHz). */
    public static final long FREQUENCY_HZ = 1_193_182;
    static final long NANOS = 1_000_000_000L;

    private final class Channel {
        final int index;
        int mode;
        int access = 3;
        boolean bcd;
        int reload = 0x10000;
        /** When counting started (host ns), or Long.MIN_VALUE while not counting. */
        long start = Long.MIN_VALUE;
        /** The count at which a paused or not yet started counter stands. */
        int heldCount;
        boolean nullCount = true;
        boolean writeHigh;
        boolean readHigh;
        int latch = -1;
        boolean latchHigh;
        int statusLatch = -1;
        int lowByte;
        boolean gate;

        Channel(int index) {
            this.index = index;
            this.gate = index != 2;
        }

        long ticks(long now) {
            long d = now - start;
            if (d < 0) {
                return 0;
            }
            return d / NANOS * FREQUENCY_HZ + d % NANOS * FREQUENCY_HZ / NANOS;
        }

        int count(long now) {
            if (start == Long.MIN_VALUE) {
                return heldCount & 0xFFFF;
            }
            long t = ticks(now);
            long n = reload;
            switch (mode) {
                case 2:
                    return (int) (n - t % n) & 0xFFFF;
                case 3: {
                    long half = (t * 2) % n;
                    return (int) ((n - half) & ~1L) & 0xFFFF;
                }
                default: // 0, 1, 4, 5: count down and wrap
                    return (int) ((n - t) & 0xFFFF);
            }
        }

        boolean out(long now) {
            if (start == Long.MIN_VALUE) {
                return mode != 0 && mode != 1;
            }
            long t = ticks(now);
            long n = reload;
            switch (mode) {
                case 0:
                case 1:
                    return t >= n;
                case 2:
                    return t % n != n - 1;
                case 3:
                    return t % n < (n + 1) / 2;
                default: // 4, 5: low for one clock at the terminal count
                    return t != n;
            }
        }

        int status(long now) {
            return (out(now) ? 0x80 : 0) | (nullCount ? 0x40 : 0) | (access << 4) | (mode << 1)
                    | (bcd ? 1 : 0);
        }
    }

    private final LongSupplier clock;
    private final ScheduledExecutorService scheduler;
    private final IrqLine irq0;
    private final Channel[] ch = {new Channel(0), new Channel(1), new Channel(2)};
    private int portB;
    private ScheduledFuture<?> irqTask;
    private long irqPulses;

    /**
     * A PIT with its three channels unprogrammed.
     *
     * @param clock     host time in nanoseconds (e.g. {@code System::nanoTime})
     * @param scheduler runs channel 0's interrupts; null for none
     * @param irq0      channel 0's output
     */
    public Pit8254(LongSupplier clock, ScheduledExecutorService scheduler, IrqLine irq0) {
        this.clock = clock;
        this.scheduler = scheduler;
        this.irq0 = irq0;
    }

    @Override
    public String name() {
        return "pit";
    }

    /** {@return interrupts channel 0 has raised} */
    public synchronized long irqPulses() {
        return irqPulses;
    }

    @Override
    public synchronized int read(int port, int size) {
        long now = clock.getAsLong();
        if (port == 0x61) {
            boolean refresh = (now / 15_085) % 2 == 1;
            return (portB & 0x0F) | (refresh ? 0x10 : 0) | (ch[2].out(now) ? 0x20 : 0);
        }
        if (port == 0x43) {
            return 0xFF; // the control register cannot be read
        }
        Channel c = ch[port - 0x40];
        if (c.statusLatch >= 0) {
            int s = c.statusLatch;
            c.statusLatch = -1;
            return s;
        }
        int value = c.latch >= 0 ? c.latch : c.count(now);
        int b;
        switch (c.access) {
            case 1:
                b = value & 0xFF;
                c.latch = -1;
                break;
            case 2:
                b = value >> 8;
                c.latch = -1;
                break;
            default:
                if (!c.readHigh) {
                    b = value & 0xFF;
                    if (c.latch >= 0) {
                        c.latchHigh = true;
                    }
                } else {
                    b = value >> 8;
                    c.latch = -1;
                }
                c.readHigh = !c.readHigh;
        }
        return b;
    }

    @Override
    public synchronized void write(int port, int size, int value) {
        long now = clock.getAsLong();
        value &= 0xFF;
        if (port == 0x61) {
            boolean rising = (value & 1) != 0 && !ch[2].gate;
            boolean falling = (value & 1) == 0 && ch[2].gate;
            portB = value & 0x0F;
            gate(ch[2], rising, falling, now);
            return;
        }
        if (port == 0x43) {
            control(value, now);
            return;
        }
        Channel c = ch[port - 0x40];
        switch (c.access) {
            case 1:
                load(c, value, now);
                break;
            case 2:
                load(c, value << 8, now);
                break;
            default:
                if (!c.writeHigh) {
                    c.lowByte = value;
                    c.writeHigh = true;
                } else {
                    c.writeHigh = false;
                    load(c, c.lowByte | value << 8, now);
                }
        }
    }

    private void control(int value, long now) {
        int sel = value >> 6;
        if (sel == 3) { // read-back
            for (int i = 0; i < 3; i++) {
                if ((value & (2 << i)) == 0) {
                    continue;
                }
                Channel c = ch[i];
                if ((value & 0x20) == 0 && c.latch < 0) {
                    c.latch = c.count(now);
                    c.readHigh = false;
                }
                if ((value & 0x10) == 0 && c.statusLatch < 0) {
                    c.statusLatch = c.status(now);
                }
            }
            return;
        }
        Channel c = ch[sel];
        int access = (value >> 4) & 3;
        if (access == 0) { // counter latch
            if (c.latch < 0) {
                c.latch = c.count(now);
                c.readHigh = false;
            }
            return;
        }
        c.access = access;
        int mode = (value >> 1) & 7;
        c.mode = mode > 5 ? mode - 4 : mode; // 6 and 7 are aliases of 2 and 3
        c.bcd = (value & 1) != 0;
        c.writeHigh = false;
        c.readHigh = false;
        c.latch = -1;
        c.nullCount = true;
        c.heldCount = c.count(now);
        c.start = Long.MIN_VALUE; // stops until a count is written
        if (c.index == 0) {
            cancelIrq();
        }
    }

    private void load(Channel c, int count, long now) {
        c.reload = count == 0 ? 0x10000 : count;
        c.nullCount = false;
        c.heldCount = c.reload;
        boolean gateStarts = c.mode == 1 || c.mode == 5;
        c.start = c.gate && !gateStarts ? now : Long.MIN_VALUE;
        if (c.index == 0) {
            scheduleIrq();
        }
    }

    private void gate(Channel c, boolean rising, boolean falling, long now) {
        if (rising) {
            c.gate = true;
            if (!c.nullCount && (c.start == Long.MIN_VALUE || c.mode == 1 || c.mode == 2
                    || c.mode == 3 || c.mode == 5)) {
                if (c.mode == 0 || c.mode == 4) {
                    // resumes from where it was held
                    c.start = now - ((long) (c.reload - c.heldCount) * NANOS / FREQUENCY_HZ);
                } else {
                    c.start = now;
                }
            }
        } else if (falling) {
            c.gate = false;
            if (c.start != Long.MIN_VALUE && (c.mode == 0 || c.mode == 4 || c.mode == 2
                    || c.mode == 3)) {
                c.heldCount = c.count(now);
                c.start = Long.MIN_VALUE;
            }
        }
    }

    private void cancelIrq() {
        if (irqTask != null) {
            irqTask.cancel(false);
            irqTask = null;
        }
    }

    private void scheduleIrq() {
        cancelIrq();
        Channel c = ch[0];
        if (scheduler == null || c.start == Long.MIN_VALUE) {
            return;
        }
        long period = Math.max(1, c.reload * NANOS / FREQUENCY_HZ);
        try {
            if (c.mode == 2 || c.mode == 3) {
                // Host timers cannot keep up with very high rates: at most 10 kHz.
                irqTask = scheduler.scheduleAtFixedRate(this::fire, period,
                        Math.max(period, 100_000), TimeUnit.NANOSECONDS);
            } else {
                irqTask = scheduler.schedule(this::fire, period, TimeUnit.NANOSECONDS);
            }
        } catch (java.util.concurrent.RejectedExecutionException e) {
            irqTask = null; // shutting down
        }
    }

    private void fire() {
        synchronized (this) {
            irqPulses++;
        }
        irq0.pulse();
    }

    /** Stops channel 0's interrupts (at the end of a run). */
    public synchronized void stop() {
        cancelIrq();
    }
}
