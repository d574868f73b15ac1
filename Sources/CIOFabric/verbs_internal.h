// The private state of CIOFabric's libibverbs side, shared by verbs.c (loading, devices) and
// verbs_data.c (the data path). Not part of the module's public headers.

#ifndef CIOFABRIC_VERBS_INTERNAL_H
#define CIOFABRIC_VERBS_INTERNAL_H

#include "verbs_abi.h"

#include <errno.h>

struct CIOFabric_verbs_library {
    void *handle;
    CIOFabric_ibv_get_device_list_fn get_device_list;
    CIOFabric_ibv_free_device_list_fn free_device_list;
    CIOFabric_ibv_get_device_name_fn get_device_name;
    CIOFabric_ibv_get_device_guid_fn get_device_guid;
    CIOFabric_ibv_open_device_fn open_device;
    CIOFabric_ibv_close_device_fn close_device;
    CIOFabric_ibv_query_device_fn query_device;
    CIOFabric_ibv_query_port_fn query_port;
    CIOFabric_ibv_query_gid_fn query_gid;
#if CIOFABRIC_HAVE_VERBS_HEADER
    // The data path: the exported IBVERBS_1.1 functions (see verbs_data.c). Their types are
    // the header's own prototypes, so a signature mismatch fails the build.
    __typeof__(&ibv_alloc_pd) alloc_pd;
    __typeof__(&ibv_dealloc_pd) dealloc_pd;
    // `ibv_reg_mr` is a function-like macro; the exported function it falls back to:
    struct ibv_mr *(*reg_mr)(struct ibv_pd *pd, void *addr, size_t length, int access);
    __typeof__(&ibv_dereg_mr) dereg_mr;
    __typeof__(&ibv_create_comp_channel) create_comp_channel;
    __typeof__(&ibv_destroy_comp_channel) destroy_comp_channel;
    __typeof__(&ibv_create_cq) create_cq;
    __typeof__(&ibv_destroy_cq) destroy_cq;
    __typeof__(&ibv_get_cq_event) get_cq_event;
    __typeof__(&ibv_ack_cq_events) ack_cq_events;
    __typeof__(&ibv_create_qp) create_qp;
    __typeof__(&ibv_modify_qp) modify_qp;
    __typeof__(&ibv_query_qp) query_qp;
    __typeof__(&ibv_destroy_qp) destroy_qp;
    __typeof__(&ibv_create_ah) create_ah;
    __typeof__(&ibv_destroy_ah) destroy_ah;
    __typeof__(&ibv_get_async_event) get_async_event;
    __typeof__(&ibv_ack_async_event) ack_async_event;
#endif
};

struct CIOFabric_verbs_context {
    const struct CIOFabric_verbs_library *library;
    struct ibv_context *ibv;
};

/// The errno value of a failed libibverbs call: `errno` when the call set it, else EIO, so a
/// failure is never reported as success.
static inline int failure_errno(void) {
    return errno != 0 ? errno : EIO;
}

/// Normalises the return value of an ibv_* call that returns 0, a positive errno value, or -1
/// with errno set (rdma-core has used all three conventions over time).
static inline int verbs_result(int rc) {
    if (rc == 0) return 0;
    if (rc > 0) return rc;
    return failure_errno();
}

#endif  // CIOFABRIC_VERBS_INTERNAL_H
