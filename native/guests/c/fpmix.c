/* zx4j-fp: single-precision matrix products, float/double/integer conversions, rounding,
 * min/max and absolute values — the SSE/SSE2 (with -march=x86-64-v2 also SSE4.1) code
 * compilers emit for float work, without library calls. */
#include <stdint.h>

static uint32_t fbits(float f)
{
    union { float f; uint32_t u; } v = { f };
    return v.u;
}

static uint64_t dbits(double d)
{
    union { double d; uint64_t u; } v = { d };
    return v.u;
}

static float floor_f(float v)
{
    float k = (float)(int32_t)v;
    return k > v ? k - 1.0f : k;
}

uint64_t work(uint64_t n)
{
    float a[8][8], b[8][8], c[8][8];
    uint32_t seed = 12345;
    for (int i = 0; i < 8; i++) {
        for (int j = 0; j < 8; j++) {
            seed = seed * 1103515245u + 12345u;
            a[i][j] = (float)(int32_t)(seed >> 8) / 65536.0f;
            seed = seed * 1103515245u + 12345u;
            b[i][j] = (float)(seed >> 9) * 1e-6f - 3.0f;
        }
    }
    uint64_t h = 0;
    for (uint64_t r = 0; r < n; r++) {
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 8; j++) {
                float s = 0;
                for (int k = 0; k < 8; k++) {
                    s += a[i][k] * b[k][j];
                }
                c[i][j] = s;
            }
        }
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 8; j++) {
                float v = c[i][j] * (1.0f / 1024.0f);
                double d = (double)v * 3.14159265358979 + (double)(int64_t)r;
                int32_t k = (int32_t)d;
                float lo = v < b[i][j] ? v : b[i][j];
                float hi = -v > a[j][i] ? -v : a[j][i];
                float m = lo + hi;
                a[i][j] = floor_f(v) * 0.5f + __builtin_fabsf(m) * 1e-3f + (float)(k & 7);
                h = (h * 31) ^ fbits(a[i][j]) ^ dbits((double)(int64_t)d - d);
            }
        }
    }
    return h;
}
