/* A printf-like formatter: a small vsnprintf over <stdarg.h> (%d %i %u %x %X %o %c %s %p %%,
 * flags '-' '0' '+' ' ' '#', width and precision including '*', length modifiers hh h l ll z),
 * driven with pseudo-random arguments; the result folds every formatted byte into a hash.
 * Exercises varargs (the register save area), byte stores, decimal conversion by
 * multiply-high, and a branchy state machine. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct out {
    char *buf;
    size_t cap;
    size_t len; /* bytes that would have been written, as snprintf counts them */
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->cap) {
        o->buf[o->len] = c;
    }
    o->len++;
}

static void pad(struct out *o, char c, int n)
{
    while (n-- > 0) {
        put(o, c);
    }
}

enum { F_LEFT = 1, F_ZERO = 2, F_PLUS = 4, F_SPACE = 8, F_ALT = 16 };

static void number(struct out *o, uint64_t v, int neg, unsigned base, int upper, int flags,
                   int width, int prec)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    while (v != 0) {
        tmp[n++] = digits[v % base];
        v /= base;
    }
    if (prec < 0) {
        prec = 1;
    } else {
        flags &= ~F_ZERO; /* a precision disables zero padding */
    }
    int zeros = prec > n ? prec - n : 0;
    char sign = neg ? '-' : (flags & F_PLUS) ? '+' : (flags & F_SPACE) ? ' ' : 0;
    const char *prefix = "";
    if ((flags & F_ALT) && n > 0) {
        if (base == 16) {
            prefix = upper ? "0X" : "0x";
        } else if (base == 8 && zeros == 0) {
            prefix = "0";
        }
    }
    int plen = 0;
    while (prefix[plen]) {
        plen++;
    }
    int body = (sign != 0) + plen + zeros + n;
    int fill = width > body ? width - body : 0;
    if (!(flags & (F_LEFT | F_ZERO))) {
        pad(o, ' ', fill);
    }
    if (sign) {
        put(o, sign);
    }
    for (int i = 0; i < plen; i++) {
        put(o, prefix[i]);
    }
    if (flags & F_ZERO) {
        pad(o, '0', fill);
    }
    pad(o, '0', zeros);
    while (n > 0) {
        put(o, tmp[--n]);
    }
    if (flags & F_LEFT) {
        pad(o, ' ', fill);
    }
}

static size_t format(char *buf, size_t cap, const char *f, va_list ap)
{
    struct out o = {buf, cap, 0};
    for (; *f; f++) {
        if (*f != '%') {
            put(&o, *f);
            continue;
        }
        f++;
        int flags = 0;
        for (;; f++) {
            if (*f == '-') flags |= F_LEFT;
            else if (*f == '0') flags |= F_ZERO;
            else if (*f == '+') flags |= F_PLUS;
            else if (*f == ' ') flags |= F_SPACE;
            else if (*f == '#') flags |= F_ALT;
            else break;
        }
        int width = 0;
        if (*f == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= F_LEFT;
                width = -width;
            }
            f++;
        } else {
            while (*f >= '0' && *f <= '9') {
                width = width * 10 + (*f++ - '0');
            }
        }
        int prec = -1;
        if (*f == '.') {
            f++;
            prec = 0;
            if (*f == '*') {
                prec = va_arg(ap, int);
                f++;
            } else {
                while (*f >= '0' && *f <= '9') {
                    prec = prec * 10 + (*f++ - '0');
                }
            }
        }
        if (flags & F_LEFT) {
            flags &= ~F_ZERO;
        }
        int len = 0; /* -2 hh, -1 h, 0 int, 1 long, 2 long long, 3 size_t */
        if (*f == 'h') {
            len = -1;
            if (*++f == 'h') {
                len = -2;
                f++;
            }
        } else if (*f == 'l') {
            len = 1;
            if (*++f == 'l') {
                len = 2;
                f++;
            }
        } else if (*f == 'z') {
            len = 3;
            f++;
        }
        switch (*f) {
        case 'd':
        case 'i': {
            int64_t v;
            if (len >= 1) v = va_arg(ap, int64_t);
            else v = va_arg(ap, int);
            if (len == -1) v = (short)v;
            if (len == -2) v = (signed char)v;
            uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
            number(&o, mag, v < 0, 10, 0, flags, width, prec);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            uint64_t v;
            if (len >= 1) v = va_arg(ap, uint64_t);
            else v = va_arg(ap, unsigned);
            if (len == -1) v = (unsigned short)v;
            if (len == -2) v = (unsigned char)v;
            unsigned base = *f == 'u' ? 10 : *f == 'o' ? 8 : 16;
            number(&o, v, 0, base, *f == 'X', flags & ~(F_PLUS | F_SPACE), width, prec);
            break;
        }
        case 'p':
            number(&o, (uintptr_t)va_arg(ap, void *), 0, 16, 0, F_ALT, width, -1);
            break;
        case 'c': {
            int fill = width > 1 ? width - 1 : 0;
            if (!(flags & F_LEFT)) pad(&o, ' ', fill);
            put(&o, (char)va_arg(ap, int));
            if (flags & F_LEFT) pad(&o, ' ', fill);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            int n = 0;
            while (s[n] && (prec < 0 || n < prec)) n++;
            int fill = width > n ? width - n : 0;
            if (!(flags & F_LEFT)) pad(&o, ' ', fill);
            for (int i = 0; i < n; i++) put(&o, s[i]);
            if (flags & F_LEFT) pad(&o, ' ', fill);
            break;
        }
        case '%':
            put(&o, '%');
            break;
        default: /* unknown conversion: print it verbatim */
            put(&o, '%');
            if (*f) put(&o, *f);
            else f--;
            break;
        }
    }
    if (cap > 0) {
        buf[o.len < cap ? o.len : cap - 1] = 0;
    }
    return o.len;
}

static size_t fmt(char *buf, size_t cap, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    size_t n = format(buf, cap, f, ap);
    va_end(ap);
    return n;
}

static const char *const names[] = {"vcpu", "port", "interrupt", "guest", "vmo", "", "resource"};

uint64_t work(uint64_t n)
{
    char buf[96];
    uint64_t h = 1469598103934665603ull, x = 0x2545F4914F6CDD1Dull;
    for (uint64_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t len;
        switch (i % 4) {
        case 0:
            len = fmt(buf, sizeof buf, "%s:%5d|%-8x|%08u|%c|%%|%lld", names[x % 7], (int)x,
                      (unsigned)(x >> 20), (unsigned)(x >> 40) & 0xFFFF, 'A' + (int)(x % 26),
                      (long long)x);
            break;
        case 1:
            len = fmt(buf, sizeof buf, "[%+.3d] [% i] [%#o] [%#X] [%hhd] [%hu]", (int)(x % 2001) - 1000,
                      (int)(x >> 33), (unsigned)(x & 0777), (unsigned)(x >> 8), (int)x,
                      (unsigned)(x >> 16));
            break;
        case 2:
            len = fmt(buf, sizeof buf, "%*d|%-*s|%.*s|%zu|%p", (int)(x % 13) - 6, (int)(x >> 50),
                      (int)(x % 11), names[(x >> 3) % 7], (int)(x % 5), "truncated",
                      (size_t)(x >> 1), (void *)(uintptr_t)(x & 0xFFFFFFFFFFull));
            break;
        default:
            /* output longer than the buffer: counts past the end, truncates, terminates */
            len = fmt(buf, 24, "%020llu%020llx%lu", (unsigned long long)x, (unsigned long long)~x,
                      (unsigned long)i);
            break;
        }
        h = (h ^ len) * 1099511628211ull;
        for (size_t k = 0; buf[k]; k++) {
            h = (h ^ (unsigned char)buf[k]) * 1099511628211ull;
        }
    }
    return h;
}
