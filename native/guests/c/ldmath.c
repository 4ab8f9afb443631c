/* 80-bit long double arithmetic (x87): sums, products, quotients, square roots, integer
 * conversions under every rounding mode and precision control, comparisons, and a
 * denormal/overflow sweep; the result hashes the bits of every value. Transcendentals are left
 * out (the software x87 rounds them correctly, silicon within an ulp). Built with -mno-sse so
 * that gcc keeps every floating-point value on the x87 stack. */
#include <stdint.h>

static uint64_t h = 0x9E3779B97F4A7C15ull;

static void mix(uint64_t v)
{
    h ^= v;
    h *= 0x100000001B3ull;
    h ^= h >> 29;
}

static void mixld(long double x)
{
    union { long double d; struct { uint64_t m; uint16_t se; } p; } u;
    u.d = x;
    mix(u.p.m);
    mix(u.p.se);
}

static long double fsqrt(long double x)
{
    __asm__("fsqrt" : "+t"(x));
    return x;
}

static void set_cw(uint16_t cw)
{
    __asm__ volatile("fldcw %0" : : "m"(cw));
}

static uint16_t get_sw(void)
{
    uint16_t sw;
    __asm__ volatile("fnstsw %0" : "=a"(sw));
    return sw;
}

uint64_t work(uint64_t n)
{
    uint64_t x = 0x243F6A8885A308D3ull;
    long double acc = 1.0L, s = 0.0L;
    __asm__ volatile("fninit");
    for (uint64_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        /* every precision control (24, 53, 64 bits) and rounding mode, all exceptions masked */
        set_cw((uint16_t)(0x037F & ~0x0F00) | (uint16_t)((x >> 60) & 0xC) << 8
               | (uint16_t)(((x >> 58) & 3) == 1 ? 3 : ((x >> 58) & 3)) << 8);
        long double a = (long double)(int64_t)x / (long double)((x >> 17) | 1);
        long double b = (long double)(x >> 11) * 0x1p-53L - 0.5L;
        acc = acc * (1.0L + b * 0x1p-7L) + a * 0x1p-40L;
        s += fsqrt(acc < 0 ? -acc : acc) - b / (a + 3.0L);
        if (acc > 1e300L || acc < -1e300L) {
            acc = 1.0L / acc;
        }
        int64_t k = (int64_t)(a * 1024.0L);
        unsigned u = (unsigned)(b < 0 ? -b * 4e9L : b * 4e9L);
        mixld(a);
        mixld(acc);
        mixld(s);
        mix((uint64_t)k ^ u);
        mix(a < b ? 1 : a == b ? 2 : 3);
    }
    /* denormals and the extremes of the exponent range */
    set_cw(0x037F);
    long double t = 1.0L;
    for (int i = 0; i < 16450; i += 37) {
        t *= 0x1p-37L;
        mixld(t);
        mixld(t * 3.0L);
    }
    long double big = 1.0L;
    for (int i = 0; i < 400; i++) {
        big *= 1e40L;
        mixld(big);
    }
    mix(get_sw() & 0x3F);
    return h;
}
