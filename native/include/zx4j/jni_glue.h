/*
 * zx4j: the one header the JavaCPP-generated JNI code (dev.zx4j.jni.LibZircon) includes.
 *
 * Linux (host build): our own declarations (zx4j/zircon.h) and the host libzircon's
 * registration interface (zx4j/host.h).
 *
 * Fuchsia: the SDK's headers. What the SDK declares differs by era, so scripts/build-fuchsia.sh
 * probes the SDK and passes -DZX4J_HAVE_VCPU_ENTER=0|1, -DZX4J_HAVE_VCPU_RESUME=0|1,
 * -DZX4J_HAVE_VCPU_KICK=0|1 and -DZX4J_HAVE_INTERRUPT_BIND_VCPU=0|1. The compat functions
 * below then call what exists: enter falls back to resume (same signature); a call the SDK
 * lacks returns ZX_ERR_NOT_SUPPORTED at run time. There is no host kernel to register on
 * Fuchsia.
 */
#ifndef ZX4J_JNI_GLUE_H_
#define ZX4J_JNI_GLUE_H_

#if defined(__Fuchsia__)
#include <zircon/syscalls.h>
#include <zircon/syscalls/port.h>
#if !defined(ZX4J_HAVE_VCPU_ENTER) || !defined(ZX4J_HAVE_VCPU_RESUME) || \
    !defined(ZX4J_HAVE_VCPU_KICK) || !defined(ZX4J_HAVE_INTERRUPT_BIND_VCPU)
#error "ZX4J_HAVE_* not defined: build with scripts/build-fuchsia.sh, which probes the SDK"
#endif
#include <stdint.h>
typedef int64_t (*zx4j_host_dispatch_fn)(int32_t nr, int64_t a0, int64_t a1, int64_t a2,
                                         int64_t a3, int64_t a4, int64_t a5, int64_t a6);
static inline zx_status_t zx4j_host_register(zx4j_host_dispatch_fn fn) {
    (void)fn;
    return ZX_ERR_NOT_SUPPORTED;
}
#else
#include "zx4j/zircon.h"
#include "zx4j/host.h"
#endif

static inline zx_status_t zx4j_compat_vcpu_enter(zx_handle_t handle, zx_port_packet_t* packet) {
#if ZX4J_HAVE_VCPU_ENTER
    return zx_vcpu_enter(handle, packet);
#elif ZX4J_HAVE_VCPU_RESUME
    return zx_vcpu_resume(handle, packet);
#else
    (void)handle;
    (void)packet;
    return ZX_ERR_NOT_SUPPORTED;
#endif
}

static inline zx_status_t zx4j_compat_vcpu_kick(zx_handle_t handle) {
#if ZX4J_HAVE_VCPU_KICK
    return zx_vcpu_kick(handle);
#else
    (void)handle;
    return ZX_ERR_NOT_SUPPORTED;
#endif
}

static inline zx_status_t zx4j_compat_interrupt_bind_vcpu(zx_handle_t handle, zx_handle_t vcpu,
                                                          uint32_t options) {
#if ZX4J_HAVE_INTERRUPT_BIND_VCPU
    return zx_interrupt_bind_vcpu(handle, vcpu, options);
#else
    (void)handle;
    (void)vcpu;
    (void)options;
    return ZX_ERR_NOT_SUPPORTED;
#endif
}

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
