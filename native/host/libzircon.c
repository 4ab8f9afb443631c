/*
 * zx4j host libzircon for Linux. Exports the real zx_* names of the bound surface; each one
 * forwards, synchronously and on the calling thread, to the dispatch function the Java side
 * registered (dev.zx4j.jni.LibZircon.HostCallback), which runs the simulated kernel.
 *
 * This library never interprets arguments: pointers go to Java as addresses, NULL stays NULL,
 * and the kernel behind decides every status. Written for zx4j.
 */
#include "zx4j/host.h"

static zx4j_host_dispatch_fn g_dispatch;

zx_status_t zx4j_host_register(zx4j_host_dispatch_fn fn) {
    __atomic_store_n(&g_dispatch, fn, __ATOMIC_RELEASE);
    return ZX_OK;
}

static int64_t call(int32_t nr, int64_t a0, int64_t a1, int64_t a2, int64_t a3, int64_t a4,
                    int64_t a5, int64_t a6, int64_t unregistered) {
    zx4j_host_dispatch_fn fn = __atomic_load_n(&g_dispatch, __ATOMIC_ACQUIRE);
    if (fn == NULL) {
        return unregistered;
    }
    return fn(nr, a0, a1, a2, a3, a4, a5, a6);
}

#define P(x) ((int64_t)(uintptr_t)(x))
#define U(x) ((int64_t)(x))
#define CALL(name, a0, a1, a2, a3, a4, a5, a6) \
    ((zx_status_t)call(ZX4J_NR_##name, a0, a1, a2, a3, a4, a5, a6, ZX_ERR_INTERNAL))

/* handle */
zx_status_t zx_handle_close(zx_handle_t handle) {
    return CALL(zx_handle_close, U(handle), 0, 0, 0, 0, 0, 0);
}
zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out) {
    return CALL(zx_handle_duplicate, U(handle), U(rights), P(out), 0, 0, 0, 0);
}
zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out) {
    return CALL(zx_handle_replace, U(handle), U(rights), P(out), 0, 0, 0, 0);
}

/* object */
zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic, void* buffer,
                               size_t buffer_size, size_t* actual, size_t* avail) {
    return CALL(zx_object_get_info, U(handle), U(topic), P(buffer), U(buffer_size), P(actual),
                P(avail), 0);
}

/* events, signals, waits */
zx_status_t zx_event_create(uint32_t options, zx_handle_t* out) {
    return CALL(zx_event_create, U(options), P(out), 0, 0, 0, 0, 0);
}
zx_status_t zx_object_signal(zx_handle_t handle, uint32_t clear_mask, uint32_t set_mask) {
    return CALL(zx_object_signal, U(handle), U(clear_mask), U(set_mask), 0, 0, 0, 0);
}
zx_status_t zx_object_wait_one(zx_handle_t handle, zx_signals_t signals, zx_time_t deadline,
                               zx_signals_t* observed) {
    return CALL(zx_object_wait_one, U(handle), U(signals), U(deadline), P(observed), 0, 0, 0);
}
zx_status_t zx_object_wait_many(zx_wait_item_t* items, size_t num_items, zx_time_t deadline) {
    return CALL(zx_object_wait_many, P(items), U(num_items), U(deadline), 0, 0, 0, 0);
}
zx_status_t zx_object_wait_async(zx_handle_t handle, zx_handle_t port, uint64_t key,
                                 zx_signals_t signals, uint32_t options) {
    return CALL(zx_object_wait_async, U(handle), U(port), U(key), U(signals), U(options), 0, 0);
}

/* timer */
zx_status_t zx_timer_create(uint32_t options, zx_clock_t clock_id, zx_handle_t* out) {
    return CALL(zx_timer_create, U(options), U(clock_id), P(out), 0, 0, 0, 0);
}
zx_status_t zx_timer_set(zx_handle_t handle, zx_time_t deadline, zx_duration_t slack) {
    return CALL(zx_timer_set, U(handle), U(deadline), U(slack), 0, 0, 0, 0);
}
zx_status_t zx_timer_cancel(zx_handle_t handle) {
    return CALL(zx_timer_cancel, U(handle), 0, 0, 0, 0, 0, 0);
}

/* clock */
zx_time_t zx_clock_get_monotonic(void) {
    return (zx_time_t)call(ZX4J_NR_zx_clock_get_monotonic, 0, 0, 0, 0, 0, 0, 0, 0);
}

/* port */
zx_status_t zx_port_create(uint32_t options, zx_handle_t* out) {
    return CALL(zx_port_create, U(options), P(out), 0, 0, 0, 0, 0);
}
zx_status_t zx_port_queue(zx_handle_t handle, const zx_port_packet_t* packet) {
    return CALL(zx_port_queue, U(handle), P(packet), 0, 0, 0, 0, 0);
}
zx_status_t zx_port_wait(zx_handle_t handle, zx_time_t deadline, zx_port_packet_t* packet) {
    return CALL(zx_port_wait, U(handle), U(deadline), P(packet), 0, 0, 0, 0);
}
zx_status_t zx_port_cancel(zx_handle_t handle, zx_handle_t source, uint64_t key) {
    return CALL(zx_port_cancel, U(handle), U(source), U(key), 0, 0, 0, 0);
}

/* interrupt */
zx_status_t zx_interrupt_create(zx_handle_t src_obj, uint32_t src_num, uint32_t options,
                                zx_handle_t* out_handle) {
    return CALL(zx_interrupt_create, U(src_obj), U(src_num), U(options), P(out_handle), 0, 0, 0);
}
zx_status_t zx_interrupt_bind(zx_handle_t handle, zx_handle_t port_handle, uint64_t key,
                              uint32_t options) {
    return CALL(zx_interrupt_bind, U(handle), U(port_handle), U(key), U(options), 0, 0, 0);
}
zx_status_t zx_interrupt_bind_vcpu(zx_handle_t handle, zx_handle_t vcpu, uint32_t options) {
    return CALL(zx_interrupt_bind_vcpu, U(handle), U(vcpu), U(options), 0, 0, 0, 0);
}
zx_status_t zx_interrupt_ack(zx_handle_t handle) {
    return CALL(zx_interrupt_ack, U(handle), 0, 0, 0, 0, 0, 0);
}
zx_status_t zx_interrupt_trigger(zx_handle_t handle, uint32_t options, zx_time_t timestamp) {
    return CALL(zx_interrupt_trigger, U(handle), U(options), U(timestamp), 0, 0, 0, 0);
}
zx_status_t zx_interrupt_wait(zx_handle_t handle, zx_time_t* out_timestamp) {
    return CALL(zx_interrupt_wait, U(handle), P(out_timestamp), 0, 0, 0, 0, 0);
}
zx_status_t zx_interrupt_destroy(zx_handle_t handle) {
    return CALL(zx_interrupt_destroy, U(handle), 0, 0, 0, 0, 0, 0);
}

/* vmo */
zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t* out) {
    return CALL(zx_vmo_create, U(size), U(options), P(out), 0, 0, 0, 0);
}
zx_status_t zx_vmo_read(zx_handle_t handle, void* buffer, uint64_t offset, size_t buffer_size) {
    return CALL(zx_vmo_read, U(handle), P(buffer), U(offset), U(buffer_size), 0, 0, 0);
}
zx_status_t zx_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset,
                         size_t buffer_size) {
    return CALL(zx_vmo_write, U(handle), P(buffer), U(offset), U(buffer_size), 0, 0, 0);
}
zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t* size) {
    return CALL(zx_vmo_get_size, U(handle), P(size), 0, 0, 0, 0, 0);
}
zx_status_t zx_vmo_replace_as_executable(zx_handle_t handle, zx_handle_t vmex, zx_handle_t* out) {
    return CALL(zx_vmo_replace_as_executable, U(handle), U(vmex), P(out), 0, 0, 0, 0);
}

/* vmar */
zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options, size_t vmar_offset,
                        zx_handle_t vmo, uint64_t vmo_offset, size_t len,
                        zx_vaddr_t* mapped_addr) {
    return CALL(zx_vmar_map, U(handle), U(options), U(vmar_offset), U(vmo), U(vmo_offset), U(len),
                P(mapped_addr));
}
zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, size_t len) {
    return CALL(zx_vmar_unmap, U(handle), U(addr), U(len), 0, 0, 0, 0);
}

/* guest */
zx_status_t zx_guest_create(zx_handle_t resource, uint32_t options, zx_handle_t* guest_handle,
                            zx_handle_t* vmar_handle) {
    return CALL(zx_guest_create, U(resource), U(options), P(guest_handle), P(vmar_handle), 0, 0, 0);
}
zx_status_t zx_guest_set_trap(zx_handle_t handle, uint32_t kind, zx_vaddr_t addr, size_t size,
                              zx_handle_t port_handle, uint64_t key) {
    return CALL(zx_guest_set_trap, U(handle), U(kind), U(addr), U(size), U(port_handle), U(key), 0);
}

/* vcpu */
zx_status_t zx_vcpu_create(zx_handle_t guest, uint32_t options, zx_vaddr_t entry,
                           zx_handle_t* out) {
    return CALL(zx_vcpu_create, U(guest), U(options), U(entry), P(out), 0, 0, 0);
}
zx_status_t zx_vcpu_enter(zx_handle_t handle, zx_port_packet_t* packet) {
    return CALL(zx_vcpu_enter, U(handle), P(packet), 0, 0, 0, 0, 0);
}
zx_status_t zx_vcpu_kick(zx_handle_t handle) {
    return CALL(zx_vcpu_kick, U(handle), 0, 0, 0, 0, 0, 0);
}
zx_status_t zx_vcpu_interrupt(zx_handle_t handle, uint32_t vector) {
    return CALL(zx_vcpu_interrupt, U(handle), U(vector), 0, 0, 0, 0, 0);
}
zx_status_t zx_vcpu_read_state(zx_handle_t handle, uint32_t kind, void* buffer,
                               size_t buffer_size) {
    return CALL(zx_vcpu_read_state, U(handle), U(kind), P(buffer), U(buffer_size), 0, 0, 0);
}
zx_status_t zx_vcpu_write_state(zx_handle_t handle, uint32_t kind, const void* buffer,
                                size_t buffer_size) {
    return CALL(zx_vcpu_write_state, U(handle), U(kind), P(buffer), U(buffer_size), 0, 0, 0);
}
