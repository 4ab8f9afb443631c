/* Fibonacci: the iterative F(k) mod 2^64 for k = 0..n-1 summed, plus a recursive F(n mod 24). */
#include <stdint.h>

static uint64_t fib_rec(uint32_t k)
{
    return k < 2 ? k : fib_rec(k - 1) + fib_rec(k - 2);
}

static uint64_t fib_iter(uint64_t k)
{
    uint64_t a = 0, b = 1;
    while (k--) {
        uint64_t t = a + b;
        a = b;
        b = t;
    }
    return a;
}

uint64_t work(uint64_t n)
{
    uint64_t acc = 0;
    for (uint64_t k = 0; k < n; k++) {
        acc = acc * 31 + fib_iter(k & 127);
    }
    return acc ^ (fib_rec((uint32_t)(n % 24)) << 32);
}
