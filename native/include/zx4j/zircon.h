/*
 * zx4j: our own C declarations of the Zircon ABI subset zx4j binds ("late-V" era: interrupts
 * bind to ports and VCPUs, VCPUs have zx_vcpu_enter and zx_vcpu_kick). Written for zx4j from the
 * documented ABI; used when no Fuchsia SDK is given (the Linux host build). On Fuchsia the SDK's
 * <zircon/syscalls.h> is used instead.
 *
 * The prototypes below must agree with the files in fidl/; dev.zx4j.tools.SurfaceCheck fails the build
 * when they do not. Layout: LP64, little-endian.
 */
#ifndef ZX4J_ZIRCON_H_
#define ZX4J_ZIRCON_H_

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ZX4J_EXPORT
#define ZX4J_EXPORT __attribute__((visibility("default")))
#endif

/* ---- types ---------------------------------------------------------------------------- */
typedef int32_t zx_status_t;
typedef uint32_t zx_handle_t;
typedef uint32_t zx_rights_t;
typedef uint32_t zx_obj_type_t;
typedef uint32_t zx_vm_option_t;
typedef uint32_t zx_packet_type_t;
typedef int64_t zx_time_t;
typedef int64_t zx_duration_t;
typedef uint64_t zx_koid_t;
typedef uint32_t zx_signals_t;
typedef uint32_t zx_clock_t;
typedef uintptr_t zx_vaddr_t;
typedef uintptr_t zx_gpaddr_t;

/* ---- status --------------------------------------------------------------------------- */
#define ZX_OK                     ((zx_status_t)0)
#define ZX_ERR_INTERNAL           ((zx_status_t)-1)
#define ZX_ERR_NOT_SUPPORTED      ((zx_status_t)-2)
#define ZX_ERR_NO_RESOURCES       ((zx_status_t)-3)
#define ZX_ERR_NO_MEMORY          ((zx_status_t)-4)
#define ZX_ERR_INTERNAL_INTR_RETRY ((zx_status_t)-6)
#define ZX_ERR_INVALID_ARGS       ((zx_status_t)-10)
#define ZX_ERR_BAD_HANDLE         ((zx_status_t)-11)
#define ZX_ERR_WRONG_TYPE         ((zx_status_t)-12)
#define ZX_ERR_BAD_SYSCALL        ((zx_status_t)-13)
#define ZX_ERR_OUT_OF_RANGE       ((zx_status_t)-14)
#define ZX_ERR_BUFFER_TOO_SMALL   ((zx_status_t)-15)
#define ZX_ERR_BAD_STATE          ((zx_status_t)-20)
#define ZX_ERR_TIMED_OUT          ((zx_status_t)-21)
#define ZX_ERR_SHOULD_WAIT        ((zx_status_t)-22)
#define ZX_ERR_CANCELED           ((zx_status_t)-23)
#define ZX_ERR_PEER_CLOSED        ((zx_status_t)-24)
#define ZX_ERR_NOT_FOUND          ((zx_status_t)-25)
#define ZX_ERR_ALREADY_EXISTS     ((zx_status_t)-26)
#define ZX_ERR_ALREADY_BOUND      ((zx_status_t)-27)
#define ZX_ERR_UNAVAILABLE        ((zx_status_t)-28)
#define ZX_ERR_ACCESS_DENIED      ((zx_status_t)-30)

/* ---- handles and rights --------------------------------------------------------------- */
#define ZX_HANDLE_INVALID         ((zx_handle_t)0)
#define ZX_HANDLE_FIXED_BITS_MASK ((zx_handle_t)0x3)

#define ZX_RIGHT_NONE             ((zx_rights_t)0u)
#define ZX_RIGHT_DUPLICATE        ((zx_rights_t)1u << 0)
#define ZX_RIGHT_TRANSFER         ((zx_rights_t)1u << 1)
#define ZX_RIGHT_READ             ((zx_rights_t)1u << 2)
#define ZX_RIGHT_WRITE            ((zx_rights_t)1u << 3)
#define ZX_RIGHT_EXECUTE          ((zx_rights_t)1u << 4)
#define ZX_RIGHT_MAP              ((zx_rights_t)1u << 5)
#define ZX_RIGHT_GET_PROPERTY     ((zx_rights_t)1u << 6)
#define ZX_RIGHT_SET_PROPERTY     ((zx_rights_t)1u << 7)
#define ZX_RIGHT_SIGNAL           ((zx_rights_t)1u << 12)
#define ZX_RIGHT_WAIT             ((zx_rights_t)1u << 14)
#define ZX_RIGHT_INSPECT          ((zx_rights_t)1u << 15)
#define ZX_RIGHT_MANAGE_PROCESS   ((zx_rights_t)1u << 17)
#define ZX_RIGHT_MANAGE_THREAD    ((zx_rights_t)1u << 18)
#define ZX_RIGHT_SAME_RIGHTS      ((zx_rights_t)1u << 31)

/* ---- object types and info topics ----------------------------------------------------- */
#define ZX_OBJ_TYPE_NONE          ((zx_obj_type_t)0u)
#define ZX_OBJ_TYPE_VMO           ((zx_obj_type_t)3u)
#define ZX_OBJ_TYPE_PORT          ((zx_obj_type_t)6u)
#define ZX_OBJ_TYPE_EVENT         ((zx_obj_type_t)5u)
#define ZX_OBJ_TYPE_INTERRUPT     ((zx_obj_type_t)9u)
#define ZX_OBJ_TYPE_RESOURCE      ((zx_obj_type_t)15u)
#define ZX_OBJ_TYPE_VMAR          ((zx_obj_type_t)18u)
#define ZX_OBJ_TYPE_GUEST         ((zx_obj_type_t)20u)
#define ZX_OBJ_TYPE_VCPU          ((zx_obj_type_t)21u)
#define ZX_OBJ_TYPE_TIMER         ((zx_obj_type_t)22u)

#define ZX_INFO_HANDLE_VALID      ((uint32_t)1u)
#define ZX_INFO_HANDLE_BASIC      ((uint32_t)2u)
#define ZX_INFO_TIMER             ((uint32_t)25u)

typedef struct zx_info_timer {
    uint32_t options;
    uint8_t padding1[4];
    zx_time_t deadline;
    zx_duration_t slack;
} zx_info_timer_t;

/* ---- signals, waits, timers (late-2021/2022 values) ------------------------------------ */
#define ZX_SIGNAL_NONE            ((zx_signals_t)0u)
#define ZX_SIGNAL_HANDLE_CLOSED   ((zx_signals_t)1u << 23)
#define ZX_USER_SIGNAL_0          ((zx_signals_t)1u << 24)
#define ZX_USER_SIGNAL_1          ((zx_signals_t)1u << 25)
#define ZX_USER_SIGNAL_2          ((zx_signals_t)1u << 26)
#define ZX_USER_SIGNAL_3          ((zx_signals_t)1u << 27)
#define ZX_USER_SIGNAL_4          ((zx_signals_t)1u << 28)
#define ZX_USER_SIGNAL_5          ((zx_signals_t)1u << 29)
#define ZX_USER_SIGNAL_6          ((zx_signals_t)1u << 30)
#define ZX_USER_SIGNAL_7          ((zx_signals_t)1u << 31)
#define ZX_USER_SIGNAL_ALL        ((zx_signals_t)0xff000000u)
#define ZX_EVENT_SIGNALED         ((zx_signals_t)1u << 3)
#define ZX_TIMER_SIGNALED         ((zx_signals_t)1u << 3)
#define ZX_VMO_ZERO_CHILDREN      ((zx_signals_t)1u << 3)

#define ZX_WAIT_ASYNC_ONCE        ((uint32_t)0u)
#define ZX_WAIT_ASYNC_TIMESTAMP   ((uint32_t)1u)
#define ZX_WAIT_ASYNC_EDGE        ((uint32_t)2u)
#define ZX_WAIT_MANY_MAX_ITEMS    ((size_t)64u)

#define ZX_CLOCK_MONOTONIC        ((zx_clock_t)0u)
#define ZX_TIMER_SLACK_CENTER     ((uint32_t)0u)
#define ZX_TIMER_SLACK_EARLY      ((uint32_t)1u)
#define ZX_TIMER_SLACK_LATE       ((uint32_t)2u)

typedef struct zx_wait_item {
    zx_handle_t handle;
    zx_signals_t waitfor;
    zx_signals_t pending;
} zx_wait_item_t;

typedef struct zx_info_handle_basic {
    zx_koid_t koid;
    zx_rights_t rights;
    zx_obj_type_t type;
    zx_koid_t related_koid;
    uint32_t reserved;
    uint8_t padding1[4];
} zx_info_handle_basic_t;

/* ---- time ----------------------------------------------------------------------------- */
#define ZX_TIME_INFINITE          INT64_MAX
#define ZX_TIME_INFINITE_PAST     INT64_MIN

/* ---- ports and packets ---------------------------------------------------------------- */
#define ZX_PORT_BIND_TO_INTERRUPT ((uint32_t)1u)

#define ZX_PKT_TYPE_USER          ((uint8_t)0x00u)
#define ZX_PKT_TYPE_SIGNAL_ONE    ((uint8_t)0x01u)
#define ZX_PKT_TYPE_GUEST_BELL    ((uint8_t)0x03u)
#define ZX_PKT_TYPE_GUEST_MEM     ((uint8_t)0x04u)
#define ZX_PKT_TYPE_GUEST_IO      ((uint8_t)0x05u)
#define ZX_PKT_TYPE_GUEST_VCPU    ((uint8_t)0x06u)
#define ZX_PKT_TYPE_INTERRUPT     ((uint8_t)0x07u)

#define ZX_PKT_GUEST_VCPU_INTERRUPT ((uint8_t)0u)
#define ZX_PKT_GUEST_VCPU_STARTUP   ((uint8_t)1u)

typedef union zx_packet_user {
    uint64_t u64[4];
    uint32_t u32[8];
    uint16_t u16[16];
    uint8_t c8[32];
} zx_packet_user_t;

typedef struct zx_packet_signal {
    uint32_t trigger;
    uint32_t observed;
    uint64_t count;
    zx_time_t timestamp;
    uint64_t reserved1;
} zx_packet_signal_t;

typedef struct zx_packet_interrupt {
    zx_time_t timestamp;
    uint64_t reserved0;
    uint64_t reserved1;
    uint64_t reserved2;
} zx_packet_interrupt_t;

typedef struct zx_packet_guest_bell {
    zx_gpaddr_t addr;
    uint64_t reserved0;
    uint64_t reserved1;
    uint64_t reserved2;
} zx_packet_guest_bell_t;

/* x86-64 layout of this era: the instruction bytes travel in the packet. */
typedef struct zx_packet_guest_mem {
    zx_gpaddr_t addr;
    uint8_t inst_len;
    uint8_t inst_buf[15];
    uint8_t default_operand_size;
    uint8_t reserved[7];
} zx_packet_guest_mem_t;

typedef struct zx_packet_guest_io {
    uint16_t port;
    uint8_t access_size;
    bool input;
    union {
        uint8_t u8;
        uint16_t u16;
        uint32_t u32;
        uint8_t data[4];
    };
    uint64_t reserved0;
    uint64_t reserved1;
    uint64_t reserved2;
} zx_packet_guest_io_t;

/* Era layout: the union first, a one-byte type at +16. */
typedef struct zx_packet_guest_vcpu {
    union {
        struct {
            uint64_t mask;
            uint8_t vector;
            uint8_t padding1[7];
        } interrupt;
        struct {
            uint64_t id;
            zx_gpaddr_t entry;
        } startup;
    };
    uint8_t type;
    uint8_t padding1[7];
    uint64_t reserved;
} zx_packet_guest_vcpu_t;

typedef struct zx_port_packet {
    uint64_t key;
    zx_packet_type_t type;
    zx_status_t status;
    union {
        zx_packet_user_t user;
        zx_packet_signal_t signal;
        zx_packet_guest_bell_t guest_bell;
        zx_packet_guest_mem_t guest_mem;
        zx_packet_guest_io_t guest_io;
        zx_packet_guest_vcpu_t guest_vcpu;
        zx_packet_interrupt_t interrupt;
    };
} zx_port_packet_t;

/* ---- interrupts ----------------------------------------------------------------------- */
#define ZX_INTERRUPT_REMAP_IRQ    ((uint32_t)0x01u)
#define ZX_INTERRUPT_MODE_DEFAULT ((uint32_t)0x00u)
#define ZX_INTERRUPT_MODE_EDGE_LOW  ((uint32_t)0x02u)
#define ZX_INTERRUPT_MODE_EDGE_HIGH ((uint32_t)0x04u)
#define ZX_INTERRUPT_MODE_LEVEL_LOW ((uint32_t)0x06u)
#define ZX_INTERRUPT_MODE_LEVEL_HIGH ((uint32_t)0x08u)
#define ZX_INTERRUPT_MODE_EDGE_BOTH ((uint32_t)0x0Au)
#define ZX_INTERRUPT_MODE_MASK    ((uint32_t)0x0Eu)
#define ZX_INTERRUPT_VIRTUAL      ((uint32_t)0x10u)
#define ZX_INTERRUPT_BIND         ((uint32_t)0x0u)
#define ZX_INTERRUPT_UNBIND       ((uint32_t)0x1u)

/* ---- vmo / vmar ----------------------------------------------------------------------- */
#define ZX_VMO_RESIZABLE          ((uint32_t)1u << 1)
#define ZX_VM_PERM_READ           ((zx_vm_option_t)1u << 0)
#define ZX_VM_PERM_WRITE          ((zx_vm_option_t)1u << 1)
#define ZX_VM_PERM_EXECUTE        ((zx_vm_option_t)1u << 2)
#define ZX_VM_SPECIFIC            ((zx_vm_option_t)1u << 4)
#define ZX_VM_SPECIFIC_OVERWRITE  ((zx_vm_option_t)1u << 5)

/* ---- hypervisor ----------------------------------------------------------------------- */
#define ZX_GUEST_TRAP_BELL        ((uint32_t)0u)
#define ZX_GUEST_TRAP_MEM         ((uint32_t)1u)
#define ZX_GUEST_TRAP_IO          ((uint32_t)2u)
#define ZX_VCPU_STATE             ((uint32_t)0u)
#define ZX_VCPU_IO                ((uint32_t)1u)

/* x86-64 */
typedef struct zx_vcpu_state {
    uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rflags;
} zx_vcpu_state_t;

typedef struct zx_vcpu_io {
    uint8_t access_size;
    uint8_t padding1[3];
    union {
        uint8_t u8;
        uint16_t u16;
        uint32_t u32;
        uint8_t data[4];
    };
} zx_vcpu_io_t;

/* ---- layout checks (the ABI, not our wishes) ------------------------------------------ */
#ifdef __cplusplus
#define ZX4J_STATIC_ASSERT static_assert
#else
#define ZX4J_STATIC_ASSERT _Static_assert
#endif
ZX4J_STATIC_ASSERT(sizeof(zx_port_packet_t) == 48, "zx_port_packet_t is 48 bytes");
ZX4J_STATIC_ASSERT(offsetof(zx_port_packet_t, type) == 8, "packet type @8");
ZX4J_STATIC_ASSERT(offsetof(zx_port_packet_t, status) == 12, "packet status @12");
ZX4J_STATIC_ASSERT(offsetof(zx_port_packet_t, user) == 16, "packet union @16");
ZX4J_STATIC_ASSERT(sizeof(zx_packet_guest_mem_t) == 32, "guest_mem is 32 bytes");
ZX4J_STATIC_ASSERT(offsetof(zx_packet_guest_mem_t, inst_buf) == 9, "inst_buf @9");
ZX4J_STATIC_ASSERT(offsetof(zx_packet_guest_mem_t, default_operand_size) == 24, "dos @24");
ZX4J_STATIC_ASSERT(sizeof(zx_packet_guest_vcpu_t) == 32, "guest_vcpu is 32 bytes");
ZX4J_STATIC_ASSERT(offsetof(zx_packet_guest_vcpu_t, type) == 16, "guest_vcpu type @16");
ZX4J_STATIC_ASSERT(sizeof(zx_packet_guest_io_t) == 32, "guest_io is 32 bytes");
ZX4J_STATIC_ASSERT(sizeof(zx_vcpu_state_t) == 136, "x86-64 vcpu state is 136 bytes");
ZX4J_STATIC_ASSERT(sizeof(zx_vcpu_io_t) == 8, "vcpu io is 8 bytes");
ZX4J_STATIC_ASSERT(sizeof(zx_info_handle_basic_t) == 32, "handle basic info is 32 bytes");
ZX4J_STATIC_ASSERT(sizeof(zx_info_timer_t) == 24, "timer info is 24 bytes");
ZX4J_STATIC_ASSERT(sizeof(zx_wait_item_t) == 12, "wait item is 12 bytes");
ZX4J_STATIC_ASSERT(offsetof(zx_port_packet_t, signal.timestamp) == 32, "signal.timestamp @32");

/* ---- syscalls (order and names: the files in fidl/) ------------------------------------------ */

/* handle.fidl */
ZX4J_EXPORT zx_status_t zx_handle_close(zx_handle_t handle);
ZX4J_EXPORT zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out);
ZX4J_EXPORT zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out);

/* object.fidl */
ZX4J_EXPORT zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic, void* buffer, size_t buffer_size, size_t* actual, size_t* avail);

/* event.fidl */
ZX4J_EXPORT zx_status_t zx_event_create(uint32_t options, zx_handle_t* out);

/* object.fidl (signals and waits) */
ZX4J_EXPORT zx_status_t zx_object_signal(zx_handle_t handle, uint32_t clear_mask, uint32_t set_mask);
ZX4J_EXPORT zx_status_t zx_object_wait_one(zx_handle_t handle, zx_signals_t signals, zx_time_t deadline, zx_signals_t* observed);
ZX4J_EXPORT zx_status_t zx_object_wait_many(zx_wait_item_t* items, size_t num_items, zx_time_t deadline);
ZX4J_EXPORT zx_status_t zx_object_wait_async(zx_handle_t handle, zx_handle_t port, uint64_t key, zx_signals_t signals, uint32_t options);

/* timer.fidl */
ZX4J_EXPORT zx_status_t zx_timer_create(uint32_t options, zx_clock_t clock_id, zx_handle_t* out);
ZX4J_EXPORT zx_status_t zx_timer_set(zx_handle_t handle, zx_time_t deadline, zx_duration_t slack);
ZX4J_EXPORT zx_status_t zx_timer_cancel(zx_handle_t handle);

/* clock.fidl */
ZX4J_EXPORT zx_time_t zx_clock_get_monotonic(void);

/* port.fidl */
ZX4J_EXPORT zx_status_t zx_port_create(uint32_t options, zx_handle_t* out);
ZX4J_EXPORT zx_status_t zx_port_queue(zx_handle_t handle, const zx_port_packet_t* packet);
ZX4J_EXPORT zx_status_t zx_port_wait(zx_handle_t handle, zx_time_t deadline, zx_port_packet_t* packet);
ZX4J_EXPORT zx_status_t zx_port_cancel(zx_handle_t handle, zx_handle_t source, uint64_t key);

/* interrupt.fidl */
ZX4J_EXPORT zx_status_t zx_interrupt_create(zx_handle_t src_obj, uint32_t src_num, uint32_t options, zx_handle_t* out_handle);
ZX4J_EXPORT zx_status_t zx_interrupt_bind(zx_handle_t handle, zx_handle_t port_handle, uint64_t key, uint32_t options);
ZX4J_EXPORT zx_status_t zx_interrupt_bind_vcpu(zx_handle_t handle, zx_handle_t vcpu, uint32_t options);
ZX4J_EXPORT zx_status_t zx_interrupt_ack(zx_handle_t handle);
ZX4J_EXPORT zx_status_t zx_interrupt_trigger(zx_handle_t handle, uint32_t options, zx_time_t timestamp);
ZX4J_EXPORT zx_status_t zx_interrupt_wait(zx_handle_t handle, zx_time_t* out_timestamp);
ZX4J_EXPORT zx_status_t zx_interrupt_destroy(zx_handle_t handle);

/* vmo.fidl */
ZX4J_EXPORT zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t* out);
ZX4J_EXPORT zx_status_t zx_vmo_read(zx_handle_t handle, void* buffer, uint64_t offset, size_t buffer_size);
ZX4J_EXPORT zx_status_t zx_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset, size_t buffer_size);
ZX4J_EXPORT zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t* size);
ZX4J_EXPORT zx_status_t zx_vmo_replace_as_executable(zx_handle_t handle, zx_handle_t vmex, zx_handle_t* out);

/* vmar.fidl */
ZX4J_EXPORT zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options, size_t vmar_offset, zx_handle_t vmo, uint64_t vmo_offset, size_t len, zx_vaddr_t* mapped_addr);
ZX4J_EXPORT zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, size_t len);

/* guest.fidl */
ZX4J_EXPORT zx_status_t zx_guest_create(zx_handle_t resource, uint32_t options, zx_handle_t* guest_handle, zx_handle_t* vmar_handle);
ZX4J_EXPORT zx_status_t zx_guest_set_trap(zx_handle_t handle, uint32_t kind, zx_vaddr_t addr, size_t size, zx_handle_t port_handle, uint64_t key);

/* vcpu.fidl */
ZX4J_EXPORT zx_status_t zx_vcpu_create(zx_handle_t guest, uint32_t options, zx_vaddr_t entry, zx_handle_t* out);
ZX4J_EXPORT zx_status_t zx_vcpu_enter(zx_handle_t handle, zx_port_packet_t* packet);
ZX4J_EXPORT zx_status_t zx_vcpu_kick(zx_handle_t handle);
ZX4J_EXPORT zx_status_t zx_vcpu_interrupt(zx_handle_t handle, uint32_t vector);
ZX4J_EXPORT zx_status_t zx_vcpu_read_state(zx_handle_t handle, uint32_t kind, void* buffer, size_t buffer_size);
ZX4J_EXPORT zx_status_t zx_vcpu_write_state(zx_handle_t handle, uint32_t kind, const void* buffer, size_t buffer_size);

#ifdef __cplusplus
}
#endif

#endif /* ZX4J_ZIRCON_H_ */
