/* 128-bit arithmetic with unsigned __int128: full 64x64 products, 128/64 division by a
 * shift-subtract routine written here (no libgcc __udivti3), and a modular power. */
#include <stdint.h>

typedef unsigned __int128 u128;

/* Quotient of num / d (d != 0) by restoring division, one bit per step; *rem gets the rest. */
static u128 udiv128_64(u128 num, uint64_t d, uint64_t *rem)
{
    u128 q = 0;
    u128 r = 0;
    for (int i = 127; i >= 0; i--) {
        r = (r << 1) | ((num >> i) & 1);
        if (r >= d) {
            r -= d;
            q |= (u128)1 << i;
        }
    }
    *rem = (uint64_t)r;
    return q;
}

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m)
{
    uint64_t r;
    udiv128_64((u128)a * b, m, &r);
    return r;
}

uint64_t work(uint64_t n)
{
    uint64_t x = 0x243F6A8885A308D3ull;
    u128 acc = 0;
    for (uint64_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        u128 p = (u128)x * (x ^ 0x5851F42D4C957F2Dull);
        acc += p ^ (acc >> 64);
    }
    const uint64_t m = 0xFFFFFFFFFFFFFFC5ull; /* the largest 64-bit prime */
    uint64_t base = (uint64_t)acc | 2, e = n + 12345, pw = 1;
    while (e) {
        if (e & 1) {
            pw = mulmod(pw, base, m);
        }
        base = mulmod(base, base, m);
        e >>= 1;
    }
    uint64_t rem;
    u128 q = udiv128_64(acc, (uint64_t)(acc >> 64) | 1, &rem);
    return (uint64_t)q ^ (uint64_t)(q >> 64) ^ rem ^ pw;
}
