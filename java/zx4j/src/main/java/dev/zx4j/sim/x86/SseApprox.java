package dev.zx4j.sim.x86;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * RCPPS/RCPSS and RSQRTPS/RSQRTSS: approximations whose exact bits are the processor's own
 * (Intel and AMD differ). These are the host's, measured on an AMD EPYC (family 26) by
 * {@code scripts/gen-rcp-table.sh}: RCP depends on the top 12 significand bits and scales
 * exactly with the exponent, RSQRT on the exponent's parity and the top 12 significand bits.
 * Special operands follow the SDM: ±0 and denormals give ±∞ (RSQRT of a negative nonzero value
 * the default NaN), ±∞ gives ±0, NaNs are quieted, results below the normal range are ±0, and
 * no MXCSR flag is ever raised.
 */
final class SseApprox {
    private SseApprox() {
    }

    private static final int[] RCP = new int[4096];
    private static final int[] RSQRT = new int[8192];

    static {
        try (InputStream in = SseApprox.class.getResourceAsStream("sse-rcp-rsqrt.txt")) {
            if (in == null) {
                throw new IllegalStateException("sse-rcp-rsqrt.txt missing from the class path");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (int k = 0; k < 4096 + 8192; k++) {
                int v = Integer.parseUnsignedInt(r.readLine().trim(), 16);
                if (k < 4096) {
                    RCP[k] = v;
                } else {
                    RSQRT[k - 4096] = v;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long rcp(long x) {
        int s = (int) x & 0x80000000;
        int e = (int) (x >>> 23) & 0xFF;
        int m = (int) x & 0x7FFFFF;
        if (e == 0xFF) {
            return m != 0 ? (x | 0x400000) & 0xFFFFFFFFL : s & 0xFFFFFFFFL;
        }
        if (e == 0) {
            return (s | 0x7F800000) & 0xFFFFFFFFL;
        }
        int t = RCP[m >>> 11];
        int re = ((t >>> 23) & 0xFF) + 127 - e;
        if (re <= 0) {
            return s & 0xFFFFFFFFL;
        }
        return (s | (re << 23) | (t & 0x7FFFFF)) & 0xFFFFFFFFL;
    }

    static long rsqrt(long x) {
        int s = (int) x & 0x80000000;
        int e = (int) (x >>> 23) & 0xFF;
        int m = (int) x & 0x7FFFFF;
        if (e == 0xFF) {
            if (m != 0) {
                return (x | 0x400000) & 0xFFFFFFFFL;
            }
            return s != 0 ? SoftFp.F32_INDEFINITE & 0xFFFFFFFFL : 0;
        }
        if (e == 0) {
            return (s | 0x7F800000) & 0xFFFFFFFFL;
        }
        if (s != 0) {
            return SoftFp.F32_INDEFINITE & 0xFFFFFFFFL;
        }
        int odd = e & 1; // exponent 127 (odd) is [1, 2): the upper half of the table
        int t = RSQRT[(odd << 12) | (m >>> 11)];
        int k = (e - (odd != 0 ? 127 : 126)) / 2;
        int re = ((t >>> 23) & 0xFF) - k;
        return ((re << 23) | (t & 0x7FFFFF)) & 0xFFFFFFFFL;
    }
}
