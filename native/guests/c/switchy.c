/* A little stack-free bytecode machine: a dense switch over 16 opcodes (a jump table). */
#include <stdint.h>

/* Bit count by SWAR (not __builtin_popcountll, which needs libgcc without -mpopcnt). */
static uint64_t popcount64(uint64_t v)
{
    v = v - ((v >> 1) & 0x5555555555555555ull);
    v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
    v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (v * 0x0101010101010101ull) >> 56;
}

static uint64_t step(uint32_t op, uint64_t acc, uint64_t x)
{
    switch (op) {
    case 0:  return acc + x;
    case 1:  return acc - (x >> 3);
    case 2:  return acc ^ (x << 7);
    case 3:  return acc * 0x9E3779B1u;
    case 4:  return (acc << 13) | (acc >> 51);
    case 5:  return acc / ((x & 0xFF) + 1);
    case 6:  return acc % ((x & 0xFFFF) + 3);
    case 7:  return ~acc + 17;
    case 8:  return acc & (x | 0xF0F0F0F0F0F0F0F0ull);
    case 9:  return acc | (x >> 40);
    case 10: return (uint64_t)((int64_t)acc >> 5) + 11;
    case 11: return acc + popcount64(x) * 1000003u;
    case 12: return acc - (uint64_t)(int64_t)(int32_t)x;
    case 13: return acc < x ? x - acc : acc - x;
    case 14: /* odd divisor in [-1023, 1023]: never 0; the dividend is never INT64_MIN */
             return (uint64_t)((int64_t)(acc >> 1) / (((int64_t)(x & 0x7FF) - 1024) | 1));
    default: return acc * 3 + (x & 7);
    }
}

uint64_t work(uint64_t n)
{
    uint64_t acc = 1, x = 88172645463325252ull;
    for (uint64_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc = step((uint32_t)(x >> 60), acc, x);
    }
    return acc;
}
