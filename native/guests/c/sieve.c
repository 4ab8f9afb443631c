/* Sieve of Eratosthenes: number of primes below n (n capped to the buffer) and their sum. */
#include <stdint.h>

#define SIEVE_MAX (1u << 20)
static uint8_t composite[SIEVE_MAX];

uint64_t work(uint64_t n)
{
    if (n > SIEVE_MAX) {
        n = SIEVE_MAX;
    }
    for (uint64_t i = 0; i < n; i++) {
        composite[i] = 0;
    }
    uint64_t count = 0, sum = 0;
    for (uint64_t i = 2; i < n; i++) {
        if (composite[i]) {
            continue;
        }
        count++;
        sum += i;
        for (uint64_t j = i * i; j < n; j += i) {
            composite[j] = 1;
        }
    }
    return (count << 40) ^ sum;
}
