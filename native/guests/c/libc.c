/* The two memory routines compilers may call from freestanding code (a zero-fill or copy loop
 * can be turned into memset/memcpy). Built with -fno-tree-loop-distribute-patterns so these
 * loops are not themselves turned into calls to memset/memcpy. Linked into guests only; the
 * host reference uses the C library's. */
#include <stddef.h>

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--) {
        *d++ = (unsigned char)c;
    }
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--) {
        *d++ = *s++;
    }
    return dst;
}
