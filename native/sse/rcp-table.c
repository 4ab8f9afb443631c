/*
 * Prints the host CPU's RCPSS and RSQRTSS results as tables for the software VCPU
 * (scripts/gen-rcp-table.sh writes them to java/zx4j/src/main/resources/.../sse-rcp-rsqrt.txt).
 * Measured on AMD family 25/26: RCPSS depends on the top 12 significand bits and scales
 * exactly with the exponent; RSQRTSS on the exponent's parity and the top 12 significand bits.
 * Lines 1..4096: RCPSS of 1.m for m = k << 11. Lines 4097..12288: RSQRTSS of the value with
 * bits 0x3F000000 + (k << 11), k < 8192, i.e. [0.5, 2).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <xmmintrin.h>

static uint32_t bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float val(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

int main(void) {
    for (uint32_t k = 0; k < 4096; k++) {
        printf("%08x\n", bits(_mm_cvtss_f32(_mm_rcp_ss(_mm_set_ss(val(0x3F800000u | (k << 11)))))));
    }
    for (uint32_t k = 0; k < 8192; k++) {
        printf("%08x\n", bits(_mm_cvtss_f32(_mm_rsqrt_ss(_mm_set_ss(val(0x3F000000u + (k << 11)))))));
    }
    return 0;
}
