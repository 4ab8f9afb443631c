package dev.zx4j.vmm;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/**
 * The PC's CMOS memory and MC146818 real-time clock: index port 0x70 (bit 7 is the NMI mask,
 * stored and ignored), data port 0x71, 128 bytes. The clock keeps UTC: the host's wall clock
 * plus an offset that guest writes to the time registers set.
 *
 * <p>Registers (MC146818A data sheet): seconds 0x00, minutes 0x02, hours 0x04, weekday 0x06
 * (1 = Sunday), day 0x07, month 0x08, year 0x09, century {@value #CENTURY} (the FADT names it);
 * the alarm bytes 0x01, 0x03, 0x05 are plain storage. A (0x0A): bit 7 UIP is set during the
 * last 244 µs of each second, bits 6:0 are storage (0x26). B (0x0B): SET, PIE, AIE, UIE, SQWE,
 * DM (binary), 24/12, DSE; starts at 0x02 (BCD, 24-hour). Values are BCD or binary per DM and
 * hours 12- or 24-hour per bit 1. C (0x0C) reads 0 — the clock raises no interrupts (its IRQ 8
 * is not wired) — and D (0x0D) reads 0x80 (valid RAM and time). While B.SET is set the guest
 * writes the time registers without the clock advancing them; clearing it starts the clock from
 * the written time.
 */
public final class CmosRtc implements IoDevice {

    /** CMOS register index of the century, where the ACPI FADT says it is. */
    public static final byte CENTURY = 0x32;
    static final int REG_A = 0x0A;
    static final int REG_B = 0x0B;
    static final int REG_C = 0x0C;
    static final int REG_D = 0x0D;
    static final int B_SET = 0x80;
    static final int B_DM_BINARY = 0x04;
    static final int B_24H = 0x02;

    private final LongSupplier wallMillis;
    private final byte[] ram = new byte[128];
    private int index;
    private long offsetMillis;
    /** While B.SET is set: the time the guest is writing. */
    private LocalDateTime frozen;

    /**
     * A clock that starts at the host's time, in 24-hour BCD mode.
     *
     * @param wallMillis the host's wall clock in ms since the epoch (UTC)
     */
    public CmosRtc(LongSupplier wallMillis) {
        this.wallMillis = wallMillis;
        ram[REG_A] = 0x26;
        ram[REG_B] = B_24H;
        ram[REG_D] = (byte) 0x80;
    }

    @Override
    public String name() {
        return "cmos-rtc";
    }

    @Override
    public synchronized int read(int port, int size) {
        if (port == 0x70) {
            return 0xFF; // the index register is write-only on a PC
        }
        int i = index;
        long now = wallMillis.getAsLong() + offsetMillis;
        switch (i) {
            case REG_A:
                return (ram[REG_A] & 0x7F) | (frozen == null && Math.floorMod(now, 1000) >= 999
                        ? 0x80 : 0);
            case REG_C:
                return 0;
            case REG_D:
                return 0x80;
            default:
                break;
        }
        if (isTime(i)) {
            LocalDateTime t = frozen != null ? frozen : time(now);
            return encode(i, t);
        }
        return ram[i] & 0xFF;
    }

    @Override
    public synchronized void write(int port, int size, int value) {
        value &= 0xFF;
        if (port == 0x70) {
            index = value & 0x7F;
            return;
        }
        int i = index;
        long now = wallMillis.getAsLong() + offsetMillis;
        switch (i) {
            case REG_C:
            case REG_D:
                return; // read-only
            case REG_B:
                if ((value & B_SET) != 0 && frozen == null) {
                    frozen = time(now);
                } else if ((value & B_SET) == 0 && frozen != null) {
                    offsetMillis += frozen.toInstant(ZoneOffset.UTC).toEpochMilli()
                            - (now / 1000) * 1000;
                    frozen = null;
                }
                ram[REG_B] = (byte) value;
                return;
            default:
                break;
        }
        if (isTime(i)) {
            LocalDateTime t = frozen != null ? frozen : time(now);
            LocalDateTime updated = decode(i, value, t);
            if (frozen != null) {
                frozen = updated;
            } else if (updated != null) {
                offsetMillis += updated.toInstant(ZoneOffset.UTC).toEpochMilli()
                        - t.toInstant(ZoneOffset.UTC).toEpochMilli();
            }
            return;
        }
        ram[i] = (byte) value;
    }

    private static boolean isTime(int i) {
        return i == 0 || i == 2 || i == 4 || i == 6 || i == 7 || i == 8 || i == 9 || i == CENTURY;
    }

    private static LocalDateTime time(long millis) {
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(Math.floorDiv(millis, 1000) * 1000),
                ZoneOffset.UTC);
    }

    private boolean binary() {
        return (ram[REG_B] & B_DM_BINARY) != 0;
    }

    private int toGuest(int v) {
        return binary() ? v : (v / 10) << 4 | v % 10;
    }

    private int fromGuest(int v) {
        return binary() ? v : (v >> 4) * 10 + (v & 0x0F);
    }

    private int encode(int i, LocalDateTime t) {
        switch (i) {
            case 0:
                return toGuest(t.getSecond());
            case 2:
                return toGuest(t.getMinute());
            case 4: {
                int h = t.getHour();
                if ((ram[REG_B] & B_24H) != 0) {
                    return toGuest(h);
                }
                int h12 = h % 12 == 0 ? 12 : h % 12;
                return toGuest(h12) | (h >= 12 ? 0x80 : 0);
            }
            case 6:
                return toGuest(t.getDayOfWeek().getValue() % 7 + 1);
            case 7:
                return toGuest(t.getDayOfMonth());
            case 8:
                return toGuest(t.getMonthValue());
            case 9:
                return toGuest(t.getYear() % 100);
            default:
                return toGuest(t.getYear() / 100);
        }
    }

    /** {@code t} with register {@code i} set to the guest's {@code value}; null if invalid. */
    private LocalDateTime decode(int i, int value, LocalDateTime t) {
        try {
            switch (i) {
                case 0:
                    return t.withSecond(fromGuest(value));
                case 2:
                    return t.withMinute(fromGuest(value));
                case 4: {
                    if ((ram[REG_B] & B_24H) != 0) {
                        return t.withHour(fromGuest(value));
                    }
                    int h = fromGuest(value & 0x7F) % 12 + ((value & 0x80) != 0 ? 12 : 0);
                    return t.withHour(h);
                }
                case 6:
                    return t; // the weekday follows from the date
                case 7:
                    return t.withDayOfMonth(fromGuest(value));
                case 8:
                    return t.withMonth(fromGuest(value));
                case 9:
                    return t.withYear(t.getYear() / 100 * 100 + fromGuest(value));
                default:
                    return t.withYear(fromGuest(value) * 100 + t.getYear() % 100);
            }
        } catch (java.time.DateTimeException e) {
            return frozen != null ? t : null; // an impossible date: ignored
        }
    }
}
