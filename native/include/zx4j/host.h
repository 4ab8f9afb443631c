/*
 * zx4j host libzircon (Linux): the registration interface between the host libzircon and the
 * Java side. Every zx_* function of the host library packs its arguments into seven 64-bit
 * words (pointers as addresses, unused words 0) and calls the one registered dispatch function
 * with its call number. Call numbers must agree with dev.zx4j.jni.HostDispatch (SurfaceCheck
 * verifies it).
 */
#ifndef ZX4J_HOST_H_
#define ZX4J_HOST_H_

#include "zx4j/zircon.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int64_t (*zx4j_host_dispatch_fn)(int32_t nr, int64_t a0, int64_t a1, int64_t a2,
                                         int64_t a3, int64_t a4, int64_t a5, int64_t a6);

/* Installs (or, with NULL, removes) the dispatch function. Until one is installed every
 * zx_* call returns ZX_ERR_INTERNAL (zx_clock_get_monotonic returns 0). */
ZX4J_EXPORT zx_status_t zx4j_host_register(zx4j_host_dispatch_fn fn);

enum {
    ZX4J_NR_zx_handle_close = 0,
    ZX4J_NR_zx_handle_duplicate = 1,
    ZX4J_NR_zx_handle_replace = 2,
    ZX4J_NR_zx_object_get_info = 3,
    ZX4J_NR_zx_clock_get_monotonic = 4,
    ZX4J_NR_zx_port_create = 5,
    ZX4J_NR_zx_port_queue = 6,
    ZX4J_NR_zx_port_wait = 7,
    ZX4J_NR_zx_port_cancel = 8,
    ZX4J_NR_zx_interrupt_create = 9,
    ZX4J_NR_zx_interrupt_bind = 10,
    ZX4J_NR_zx_interrupt_bind_vcpu = 11,
    ZX4J_NR_zx_interrupt_ack = 12,
    ZX4J_NR_zx_interrupt_trigger = 13,
    ZX4J_NR_zx_interrupt_wait = 14,
    ZX4J_NR_zx_interrupt_destroy = 15,
    ZX4J_NR_zx_vmo_create = 16,
    ZX4J_NR_zx_vmo_read = 17,
    ZX4J_NR_zx_vmo_write = 18,
    ZX4J_NR_zx_vmo_get_size = 19,
    ZX4J_NR_zx_vmo_replace_as_executable = 20,
    ZX4J_NR_zx_vmar_map = 21,
    ZX4J_NR_zx_vmar_unmap = 22,
    ZX4J_NR_zx_guest_create = 23,
    ZX4J_NR_zx_guest_set_trap = 24,
    ZX4J_NR_zx_vcpu_create = 25,
    ZX4J_NR_zx_vcpu_enter = 26,
    ZX4J_NR_zx_vcpu_kick = 27,
    ZX4J_NR_zx_vcpu_interrupt = 28,
    ZX4J_NR_zx_vcpu_read_state = 29,
    ZX4J_NR_zx_vcpu_write_state = 30,
    ZX4J_NR_zx_event_create = 31,
    ZX4J_NR_zx_object_signal = 32,
    ZX4J_NR_zx_object_wait_one = 33,
    ZX4J_NR_zx_object_wait_many = 34,
    ZX4J_NR_zx_object_wait_async = 35,
    ZX4J_NR_zx_timer_create = 36,
    ZX4J_NR_zx_timer_set = 37,
    ZX4J_NR_zx_timer_cancel = 38,
    ZX4J_NR_COUNT = 39
};

#ifdef __cplusplus
}
#endif

#endif /* ZX4J_HOST_H_ */
