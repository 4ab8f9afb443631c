/* Freestanding Linux driver for timing: `<prog> N R` calls work(N) R times and prints the last
 * result in decimal, then exits. No C library, so the only code besides work() is this file. */
#include <stdint.h>

uint64_t work(uint64_t n);

static long sys3(long nr, long a, long b, long c)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return ret;
}

static uint64_t parse(const char *s)
{
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (uint64_t)(*s++ - '0');
    }
    return v;
}

void linux_main(long *sp)
{
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    uint64_t n = argc > 1 ? parse(argv[1]) : 1000;
    uint64_t reps = argc > 2 ? parse(argv[2]) : 1;
    uint64_t r = 0;
    for (uint64_t i = 0; i < reps; i++) {
        r = work(n);
        __asm__ volatile("" : "+r"(r) : : "memory");
    }
    char out[24];
    int p = 23;
    out[p] = '\n';
    do {
        out[--p] = (char)('0' + r % 10);
        r /= 10;
    } while (r);
    sys3(1, 1, (long)(out + p), 24 - p);
    sys3(60, 0, 0, 0);
    for (;;) {
    }
}
