// The verbs data path: protection domains, memory regions, completion channels and queues,
// queue pairs, address handles and asynchronous events, over the dlopen'd libibverbs.
//
// Included from CIOFabric.h. Like it, this header is the same on every machine: it never
// includes <infiniband/verbs.h>. The libibverbs objects are incomplete struct types (Swift sees
// them as `OpaquePointer`); the values crossing the boundary are flat structs of our own.
//
// The data-path calls need <infiniband/verbs.h> at build time (the object layouts, and the
// static-inline `ibv_post_send`, `ibv_post_recv`, `ibv_poll_cq` and `ibv_req_notify_cq`, which
// go through `context->ops`). A build without the header still compiles and links: every
// function here then returns ENOSYS (`CIOFabric_verbs_data_path_available` says which build
// this is), while listing, opening and querying devices keep working.
//
// Conventions as in CIOFabric.h: prefix `CIOFabric_`, 0 or a positive errno value, never the
// global `errno`.

#ifndef CIOFABRIC_VERBS_DATA_H
#define CIOFABRIC_VERBS_DATA_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct CIOFabric_verbs_context;
struct ibv_pd;
struct ibv_mr;
struct ibv_comp_channel;
struct ibv_cq;
struct ibv_qp;
struct ibv_ah;

/// 1 when this build has the data path (it was compiled with <infiniband/verbs.h>), else 0.
int CIOFabric_verbs_data_path_available(void);

// MARK: Protection domains and memory regions

/// `ibv_alloc_pd`. Returns 0 and sets `*pd`, or an errno value.
int CIOFabric_verbs_alloc_pd(const struct CIOFabric_verbs_context *context, struct ibv_pd **pd);

/// `ibv_dealloc_pd`. EBUSY while objects made from it exist.
int CIOFabric_verbs_dealloc_pd(const struct CIOFabric_verbs_context *context, struct ibv_pd *pd);

/// A registered memory region's keys (`struct ibv_mr`'s `lkey` and `rkey`).
typedef struct CIOFabric_verbs_mr_keys {
    uint32_t lkey;
    uint32_t rkey;
} CIOFabric_verbs_mr_keys;

/// Registers `length` bytes at `address` with `access` (`enum ibv_access_flags`).
///
/// `ibv_reg_mr` is a function-like macro in <infiniband/verbs.h>; for access flags without
/// IBV_ACCESS_OPTIONAL_RANGE it calls the exported `ibv_reg_mr@@IBVERBS_1.1`, and so does this.
/// ENOMEM usually means the locked-memory limit (`ulimit -l`).
int CIOFabric_verbs_reg_mr(const struct CIOFabric_verbs_context *context, struct ibv_pd *pd, void *address,
                           uint64_t length, uint32_t access, struct ibv_mr **mr, CIOFabric_verbs_mr_keys *keys);

/// `ibv_dereg_mr`.
int CIOFabric_verbs_dereg_mr(const struct CIOFabric_verbs_context *context, struct ibv_mr *mr);

// MARK: Completion channels and queues

/// `ibv_create_comp_channel`; `*fd` is the channel's descriptor, made non-blocking so that a
/// loop can drain it with `CIOFabric_verbs_get_cq_event` until EAGAIN.
int CIOFabric_verbs_create_comp_channel(const struct CIOFabric_verbs_context *context,
                                        struct ibv_comp_channel **channel, int32_t *fd);

/// `ibv_destroy_comp_channel`. EBUSY while a completion queue uses it.
int CIOFabric_verbs_destroy_comp_channel(const struct CIOFabric_verbs_context *context,
                                         struct ibv_comp_channel *channel);

/// `ibv_create_cq` with at least `entries` entries, `token` as its `cq_context` (returned by
/// `CIOFabric_verbs_get_cq_event` and in CQ error events), and `channel` (may be NULL).
/// `*capacity` is the number of entries granted (`cq->cqe`).
int CIOFabric_verbs_create_cq(const struct CIOFabric_verbs_context *context, int32_t entries, uint64_t token,
                              struct ibv_comp_channel *channel, struct ibv_cq **cq, int32_t *capacity);

/// `ibv_destroy_cq`. Every event got from the channel for it must have been acknowledged.
int CIOFabric_verbs_destroy_cq(const struct CIOFabric_verbs_context *context, struct ibv_cq *cq);

/// `ibv_req_notify_cq` (static inline in verbs.h: `cq->context->ops.req_notify_cq`).
int CIOFabric_verbs_req_notify_cq(struct ibv_cq *cq, int32_t solicited_only);

/// `ibv_get_cq_event` on a non-blocking channel: 0 and `*cq`, `*token` for one event, EAGAIN
/// when the channel has none. The event must be acknowledged (`CIOFabric_verbs_ack_cq_events`).
int CIOFabric_verbs_get_cq_event(const struct CIOFabric_verbs_context *context, struct ibv_comp_channel *channel,
                                 struct ibv_cq **cq, uint64_t *token);

/// `ibv_ack_cq_events`.
void CIOFabric_verbs_ack_cq_events(const struct CIOFabric_verbs_context *context, struct ibv_cq *cq,
                                   uint32_t count);

/// One work completion (`struct ibv_wc`), `imm_data` in host byte order.
typedef struct CIOFabric_verbs_work_completion {
    uint64_t wr_id;
    /// `enum ibv_wc_status`.
    int32_t status;
    /// `enum ibv_wc_opcode`.
    uint32_t opcode;
    uint32_t vendor_err;
    uint32_t byte_len;
    /// Host byte order (verbs holds it in network order); meaningful with IBV_WC_WITH_IMM.
    uint32_t imm_data;
    uint32_t qp_num;
    uint32_t src_qp;
    /// `enum ibv_wc_flags`: 1 GRH, 2 WITH_IMM, ...
    uint32_t wc_flags;
    uint16_t pkey_index;
    uint16_t slid;
    uint8_t sl;
    uint8_t dlid_path_bits;
} CIOFabric_verbs_work_completion;

/// `ibv_poll_cq` (static inline: `cq->context->ops.poll_cq`): up to `capacity` completions into
/// `completions`, `*count` how many. Returns 0, or an errno value when polling failed.
int CIOFabric_verbs_poll_cq(struct ibv_cq *cq, CIOFabric_verbs_work_completion *completions, int32_t capacity,
                            int32_t *count);

// MARK: Queue pairs

/// The sizes of a QP's work queues (`struct ibv_qp_cap`).
typedef struct CIOFabric_verbs_qp_capabilities {
    uint32_t max_send_wr;
    uint32_t max_recv_wr;
    uint32_t max_send_sge;
    uint32_t max_recv_sge;
    uint32_t max_inline_data;
} CIOFabric_verbs_qp_capabilities;

/// `ibv_create_qp` of `type` (`enum ibv_qp_type`: 2 RC, 4 UD). `capabilities` in: what is
/// asked for; out: what was granted. `*qp_num` is the QP number.
int CIOFabric_verbs_create_qp(const struct CIOFabric_verbs_context *context, struct ibv_pd *pd, int32_t type,
                              struct ibv_cq *send_cq, struct ibv_cq *recv_cq, int32_t signal_all,
                              CIOFabric_verbs_qp_capabilities *capabilities, struct ibv_qp **qp, uint32_t *qp_num);

/// `ibv_destroy_qp`.
int CIOFabric_verbs_destroy_qp(const struct CIOFabric_verbs_context *context, struct ibv_qp *qp);

/// An address vector (`struct ibv_ah_attr` with its `struct ibv_global_route`).
typedef struct CIOFabric_verbs_address {
    uint16_t dlid;
    uint8_t sl;
    uint8_t src_path_bits;
    uint8_t static_rate;
    uint8_t port_num;
    /// 1: `grh` is used (always on RoCE).
    uint8_t is_global;
    uint8_t sgid_index;
    uint8_t dgid[16];
    uint32_t flow_label;
    uint8_t hop_limit;
    uint8_t traffic_class;
} CIOFabric_verbs_address;

/// The attributes of `ibv_modify_qp` (`struct ibv_qp_attr`, the fields iofabric sets).
typedef struct CIOFabric_verbs_qp_attributes {
    /// `enum ibv_qp_state`.
    int32_t qp_state;
    uint32_t qp_access_flags;
    uint16_t pkey_index;
    uint8_t port_num;
    /// `enum ibv_mtu`.
    int32_t path_mtu;
    uint32_t qkey;
    uint32_t rq_psn;
    uint32_t sq_psn;
    uint32_t dest_qp_num;
    CIOFabric_verbs_address ah_attr;
    uint8_t timeout;
    uint8_t retry_cnt;
    uint8_t rnr_retry;
    uint8_t max_rd_atomic;
    uint8_t max_dest_rd_atomic;
    uint8_t min_rnr_timer;
} CIOFabric_verbs_qp_attributes;

/// `ibv_modify_qp` with `mask` (`enum ibv_qp_attr_mask`: the bits of QueuePairAttributeMask).
int CIOFabric_verbs_modify_qp(const struct CIOFabric_verbs_context *context, struct ibv_qp *qp,
                              const CIOFabric_verbs_qp_attributes *attributes, uint32_t mask);

/// `ibv_query_qp` for the state only: `*state` is the QP's `enum ibv_qp_state`.
int CIOFabric_verbs_query_qp_state(const struct CIOFabric_verbs_context *context, struct ibv_qp *qp, int32_t *state);

/// One scatter-gather element (`struct ibv_sge`, same layout).
typedef struct CIOFabric_verbs_sge {
    uint64_t addr;
    uint32_t length;
    uint32_t lkey;
} CIOFabric_verbs_sge;

/// A send work request (`struct ibv_send_wr`, flat): its elements are
/// `sges[first_sge ..< first_sge + num_sge]` of the array passed with it.
typedef struct CIOFabric_verbs_send_request {
    uint64_t wr_id;
    /// `enum ibv_wr_opcode`.
    uint32_t opcode;
    /// `enum ibv_send_flags`.
    uint32_t send_flags;
    int32_t first_sge;
    int32_t num_sge;
    /// Host byte order; sent with the WITH_IMM opcodes.
    uint32_t imm_data;
    /// RDMA operations.
    uint32_t rkey;
    uint64_t remote_addr;
    /// UD sends.
    struct ibv_ah *ah;
    uint32_t remote_qpn;
    uint32_t remote_qkey;
} CIOFabric_verbs_send_request;

/// A receive work request (`struct ibv_recv_wr`, flat), its elements in the array passed with it.
typedef struct CIOFabric_verbs_receive_request {
    uint64_t wr_id;
    int32_t first_sge;
    int32_t num_sge;
} CIOFabric_verbs_receive_request;

/// `ibv_post_send` (static inline: `qp->context->ops.post_send`) of `count` requests, chained in
/// order. On failure `*bad_index` is the index of the first request not posted.
int CIOFabric_verbs_post_send(struct ibv_qp *qp, const CIOFabric_verbs_send_request *requests, int32_t count,
                              const CIOFabric_verbs_sge *sges, int32_t *bad_index);

/// `ibv_post_recv` (static inline: `qp->context->ops.post_recv`), like `CIOFabric_verbs_post_send`.
int CIOFabric_verbs_post_recv(struct ibv_qp *qp, const CIOFabric_verbs_receive_request *requests, int32_t count,
                              const CIOFabric_verbs_sge *sges, int32_t *bad_index);

// MARK: Address handles

/// `ibv_create_ah`.
int CIOFabric_verbs_create_ah(const struct CIOFabric_verbs_context *context, struct ibv_pd *pd,
                              const CIOFabric_verbs_address *address, struct ibv_ah **ah);

/// `ibv_destroy_ah`.
int CIOFabric_verbs_destroy_ah(const struct CIOFabric_verbs_context *context, struct ibv_ah *ah);

// MARK: Asynchronous events

/// The context's asynchronous event descriptor (`context->async_fd`), made non-blocking.
int CIOFabric_verbs_async_fd(const struct CIOFabric_verbs_context *context, int32_t *fd);

/// One asynchronous event (`struct ibv_async_event`), already acknowledged.
typedef struct CIOFabric_verbs_async_event {
    /// `enum ibv_event_type`.
    int32_t event_type;
    /// Port events: the port.
    uint8_t port_num;
    /// QP events: the QP number.
    uint32_t qp_num;
    /// CQ events: the CQ's token (its `cq_context`).
    uint64_t cq_token;
} CIOFabric_verbs_async_event;

/// `ibv_get_async_event` on the non-blocking descriptor, then `ibv_ack_async_event`: 0 and one
/// event, or EAGAIN when there is none.
int CIOFabric_verbs_get_async_event(const struct CIOFabric_verbs_context *context,
                                    CIOFabric_verbs_async_event *event);

#ifdef __cplusplus
}
#endif

#endif  // CIOFABRIC_VERBS_DATA_H
