/*
 * zx4j: the one header the JavaCPP-generated JNI code (dev.zx4j.jni.LibZircon) includes.
 *
 * Linux (host build): our own declarations (zx4j/zircon.h) and the host libzircon's
 * registration interface (zx4j/host.h); every call exists.
 *
 * Fuchsia: the SDK's headers. The vDSO of a given Fuchsia release may lack calls this library
 * binds (zx_vcpu_enter and zx_vcpu_kick are newer than zx_vcpu_resume; zx_interrupt_bind_vcpu
 * was removed later; the signal, wait and timer calls are treated the same way). Those calls are
 * *weak* references under names of our own (an asm label gives each the real symbol name, so
 * they never clash with the SDK's declarations): the library loads on every release, and a call
 * whose symbol the running vDSO does not export returns ZX_ERR_NOT_SUPPORTED. zx_vcpu_enter
 * falls back to zx_vcpu_resume (same signature and meaning). Everything else is a strong
 * reference, and scripts/build-fuchsia.sh links with -z defs, so a call the SDK lacks fails the
 * build instead of the load. There is no host kernel to register on Fuchsia.
 */
#ifndef ZX4J_JNI_GLUE_H_
#define ZX4J_JNI_GLUE_H_

#include <stdint.h>

#if defined(__Fuchsia__)
#include <zircon/syscalls.h>
#include <zircon/syscalls/port.h>
typedef int64_t (*zx4j_host_dispatch_fn)(int32_t nr, int64_t a0, int64_t a1, int64_t a2,
                                         int64_t a3, int64_t a4, int64_t a5, int64_t a6);
static inline zx_status_t zx4j_host_register(zx4j_host_dispatch_fn fn) {
    (void)fn;
    return ZX_ERR_NOT_SUPPORTED;
}
#define ZX4J_OPTIONAL(ret, local, symbol, params) \
    extern ret local params __asm__(symbol) __attribute__((weak, visibility("default")))
#define ZX4J_PRESENT(local) (local != 0)
#else
#include "zx4j/zircon.h"
#include "zx4j/host.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__Fuchsia__)
ZX4J_OPTIONAL(zx_status_t, zx4j_weak_vcpu_enter, "zx_vcpu_enter",
              (zx_handle_t handle, zx_port_packet_t* packet));
ZX4J_OPTIONAL(zx_status_t, zx4j_weak_vcpu_resume, "zx_vcpu_resume",
              (zx_handle_t handle, zx_port_packet_t* packet));
ZX4J_OPTIONAL(zx_status_t, zx4j_weak_vcpu_kick, "zx_vcpu_kick", (zx_handle_t handle));
ZX4J_OPTIONAL(zx_status_t, zx4j_weak_interrupt_bind_vcpu, "zx_interrupt_bind_vcpu",
              (zx_handle_t handle, zx_handle_t vcpu, uint32_t options));
ZX4J_OPTIONAL(zx_status_t, zx4j_weak_event_create, "zx_event_create",
              (uint32_t options, zx_handle_t* out));
ZX4J_OPTIONAL(zx_status_t, zx4j_weak_object_signal, "zx_object_signal",
              (zx_handle_t handle, uint32_t clear_mask, uint32_t set_mask));
ZX4J_OPTIONAL(zx_status_t, zx4j_weak_object_wait_one, "zx_object_wait_one",
              (zx_handle_t handle, zx_signals_t signals, zx_time_t deadline,
               zx_signals_t* observed));
ZX4J_OPTIONAL(zx_status_t, zx4j_weak_object_wait_many, "zx_object_wait_many",
              (zx_wait_item_t* items, size_t num_items, zx_time_t deadline));
ZX4J_OPTIONAL(zx_status_t, zx4j_weak_object_wait_async, "zx_object_wait_async",
              (zx_handle_t handle, zx_handle_t port, uint64_t key, zx_signals_t signals,
               uint32_t options));
ZX4J_OPTIONAL(zx_status_t, zx4j_weak_timer_create, "zx_timer_create",
              (uint32_t options, zx_clock_t clock_id, zx_handle_t* out));
ZX4J_OPTIONAL(zx_status_t, zx4j_weak_timer_set, "zx_timer_set",
              (zx_handle_t handle, zx_time_t deadline, zx_duration_t slack));
ZX4J_OPTIONAL(zx_status_t, zx4j_weak_timer_cancel, "zx_timer_cancel", (zx_handle_t handle));
/* A weak call: the function when the running vDSO has it, else ZX_ERR_NOT_SUPPORTED. */
#define ZX4J_CALL(name, args) \
    (ZX4J_PRESENT(zx4j_weak_##name) ? zx4j_weak_##name args : ZX_ERR_NOT_SUPPORTED)
#else
#define ZX4J_CALL(name, args) zx_##name args
#endif

static inline zx_status_t zx4j_compat_vcpu_enter(zx_handle_t handle, zx_port_packet_t* packet) {
#if defined(__Fuchsia__)
    if (ZX4J_PRESENT(zx4j_weak_vcpu_enter)) {
        return zx4j_weak_vcpu_enter(handle, packet);
    }
    return ZX4J_CALL(vcpu_resume, (handle, packet));
#else
    return zx_vcpu_enter(handle, packet);
#endif
}

static inline zx_status_t zx4j_compat_vcpu_kick(zx_handle_t handle) {
    return ZX4J_CALL(vcpu_kick, (handle));
}

static inline zx_status_t zx4j_compat_interrupt_bind_vcpu(zx_handle_t handle, zx_handle_t vcpu,
                                                          uint32_t options) {
    return ZX4J_CALL(interrupt_bind_vcpu, (handle, vcpu, options));
}

static inline zx_status_t zx4j_compat_event_create(uint32_t options, zx_handle_t* out) {
    return ZX4J_CALL(event_create, (options, out));
}

static inline zx_status_t zx4j_compat_object_signal(zx_handle_t handle, uint32_t clear_mask,
                                                    uint32_t set_mask) {
    return ZX4J_CALL(object_signal, (handle, clear_mask, set_mask));
}

static inline zx_status_t zx4j_compat_object_wait_one(zx_handle_t handle, zx_signals_t signals,
                                                      zx_time_t deadline,
                                                      zx_signals_t* observed) {
    return ZX4J_CALL(object_wait_one, (handle, signals, deadline, observed));
}

static inline zx_status_t zx4j_compat_object_wait_many(zx_wait_item_t* items, size_t num_items,
                                                       zx_time_t deadline) {
    return ZX4J_CALL(object_wait_many, (items, num_items, deadline));
}

static inline zx_status_t zx4j_compat_object_wait_async(zx_handle_t handle, zx_handle_t port,
                                                        uint64_t key, zx_signals_t signals,
                                                        uint32_t options) {
    return ZX4J_CALL(object_wait_async, (handle, port, key, signals, options));
}

static inline zx_status_t zx4j_compat_timer_create(uint32_t options, zx_clock_t clock_id,
                                                   zx_handle_t* out) {
    return ZX4J_CALL(timer_create, (options, clock_id, out));
}

static inline zx_status_t zx4j_compat_timer_set(zx_handle_t handle, zx_time_t deadline,
                                                zx_duration_t slack) {
    return ZX4J_CALL(timer_set, (handle, deadline, slack));
}

static inline zx_status_t zx4j_compat_timer_cancel(zx_handle_t handle) {
    return ZX4J_CALL(timer_cancel, (handle));
}

#ifdef __cplusplus
}
#endif

/*
 * Struct layout as this compiler sees it, for the Java test that compares it with
 * dev.zx4j.abi.Layouts. Era-stable items (the packet header) are answered everywhere; the
 * era- and arch-dependent ones only with our own header (-1 with an SDK).
 */
#include <stddef.h>
static inline int64_t zx4j_abi_layout(int32_t what) {
    switch (what) {
        case 0: return (int64_t)sizeof(zx_port_packet_t);
        case 1: return (int64_t)offsetof(zx_port_packet_t, key);
        case 2: return (int64_t)offsetof(zx_port_packet_t, type);
        case 3: return (int64_t)offsetof(zx_port_packet_t, status);
        case 4: return (int64_t)offsetof(zx_port_packet_t, user);
        case 5: return (int64_t)offsetof(zx_port_packet_t, interrupt.timestamp);
        case 6: return (int64_t)offsetof(zx_port_packet_t, guest_bell.addr);
        case 7: return (int64_t)offsetof(zx_port_packet_t, guest_io.port);
        case 8: return (int64_t)offsetof(zx_port_packet_t, guest_io.access_size);
        case 9: return (int64_t)offsetof(zx_port_packet_t, guest_io.input);
        case 10: return (int64_t)offsetof(zx_port_packet_t, guest_io.data);
#if !defined(__Fuchsia__)
        case 11: return (int64_t)offsetof(zx_port_packet_t, guest_mem.addr);
        case 12: return (int64_t)offsetof(zx_port_packet_t, guest_mem.inst_len);
        case 13: return (int64_t)offsetof(zx_port_packet_t, guest_mem.inst_buf);
        case 14: return (int64_t)offsetof(zx_port_packet_t, guest_mem.default_operand_size);
        case 15: return (int64_t)offsetof(zx_port_packet_t, guest_vcpu.type);
        case 16: return (int64_t)offsetof(zx_port_packet_t, guest_vcpu.interrupt.mask);
        case 17: return (int64_t)offsetof(zx_port_packet_t, guest_vcpu.interrupt.vector);
        case 18: return (int64_t)offsetof(zx_port_packet_t, guest_vcpu.startup.id);
        case 19: return (int64_t)offsetof(zx_port_packet_t, guest_vcpu.startup.entry);
        case 20: return (int64_t)sizeof(zx_vcpu_state_t);
        case 21: return (int64_t)offsetof(zx_vcpu_state_t, rflags);
        case 22: return (int64_t)sizeof(zx_vcpu_io_t);
        case 23: return (int64_t)offsetof(zx_vcpu_io_t, access_size);
        case 24: return (int64_t)offsetof(zx_vcpu_io_t, data);
        case 25: return (int64_t)sizeof(zx_info_handle_basic_t);
        case 26: return (int64_t)offsetof(zx_info_handle_basic_t, koid);
        case 27: return (int64_t)offsetof(zx_info_handle_basic_t, rights);
        case 28: return (int64_t)offsetof(zx_info_handle_basic_t, type);
        case 29: return (int64_t)offsetof(zx_info_handle_basic_t, related_koid);
        case 30: return (int64_t)offsetof(zx_info_handle_basic_t, reserved);
#endif
        default: return -1;
    }
}

#endif /* ZX4J_JNI_GLUE_H_ */
