/* Adler-32 and 64-bit FNV-1a over a generated buffer of n bytes (filled cyclically). */
#include <stdint.h>

#define BUF_SIZE 65536u
static uint8_t buf[BUF_SIZE];

uint64_t work(uint64_t n)
{
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    for (uint32_t i = 0; i < BUF_SIZE; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        buf[i] = (uint8_t)seed;
    }
    uint32_t a = 1, b = 0;
    uint64_t fnv = 0xcbf29ce484222325ull;
    for (uint64_t i = 0; i < n; i++) {
        uint8_t c = buf[i & (BUF_SIZE - 1)];
        a = (a + c) % 65521u;
        b = (b + a) % 65521u;
        fnv = (fnv ^ c) * 0x100000001b3ull;
    }
    return ((uint64_t)((b << 16) | a) << 32) ^ fnv;
}
