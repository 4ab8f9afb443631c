/* zx4j-fp: integer SIMD as hand-vectorised string and checksum code uses it: SSE4.2 string
 * compares (PCMPISTRI/PCMPISTRM/PCMPESTRI) and CRC32, SSSE3 byte shuffles, SSE4.1 blends,
 * multiplies, MINPOS and PTEST, SSE2 SAD — through the compiler's intrinsics. */
#include <stdint.h>
#include <nmmintrin.h>

#define LEN 2048

static uint8_t text[LEN + 16] __attribute__((aligned(16)));

__attribute__((target("sse4.2")))
static uint64_t round_once(uint64_t r)
{
    const __m128i set = _mm_setr_epi8('a', 'e', 'i', 'o', 'u', ' ', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m128i range = _mm_setr_epi8('0', '9', 'x', 'z', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m128i rev = _mm_setr_epi8(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    uint64_t crc = r;
    uint64_t hits = 0;
    __m128i acc = _mm_setzero_si128();
    __m128i prod = _mm_set1_epi32((int)r | 1);
    for (int i = 0; i < LEN; i += 16) {
        __m128i b = _mm_load_si128((const __m128i *)(text + i));
        hits += (uint64_t)_mm_cmpistri(set, b, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ANY);
        __m128i m = _mm_cmpistrm(range, b, _SIDD_UBYTE_OPS | _SIDD_CMP_RANGES | _SIDD_UNIT_MASK);
        hits += (uint64_t)_mm_cmpestri(set, 3 + (i & 7), b, 16 - (i & 15), _SIDD_UBYTE_OPS
                                       | _SIDD_CMP_EQUAL_ORDERED | _SIDD_MOST_SIGNIFICANT);
        __m128i s = _mm_shuffle_epi8(b, rev);
        s = _mm_blendv_epi8(s, b, m);
        acc = _mm_add_epi64(acc, _mm_sad_epu8(s, _mm_setzero_si128()));
        prod = _mm_mullo_epi32(prod, _mm_cvtepu8_epi32(s));
        __m128i mp = _mm_minpos_epu16(s);
        hits += (uint64_t)_mm_extract_epi16(mp, 0) + (uint64_t)_mm_testz_si128(m, b);
        crc = _mm_crc32_u64(crc, (uint64_t)_mm_cvtsi128_si64(s));
        crc = _mm_crc32_u8((uint32_t)crc, text[i + 3]);
    }
    return crc ^ (hits << 20) ^ (uint64_t)_mm_cvtsi128_si64(acc)
           ^ ((uint64_t)(uint32_t)_mm_extract_epi32(prod, 2) << 32);
}

uint64_t work(uint64_t n)
{
    uint32_t seed = 2463534242u;
    for (int i = 0; i < LEN; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        uint32_t k = seed % 40;
        text[i] = (uint8_t)(k < 26 ? 'a' + k : k < 36 ? '0' + (k - 26) : ' ');
    }
    text[LEN] = 0;
    uint64_t h = 0;
    for (uint64_t r = 0; r < n; r++) {
        h = h * 0x9E3779B97F4A7C15ull + round_once(r + h);
        text[(h >> 7) % LEN] = (uint8_t)('a' + (h & 15));
    }
    return h;
}
