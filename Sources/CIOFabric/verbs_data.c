// The verbs data path over the dlopen'd libibverbs; see CIOFabric_verbs_data.h.
//
// With <infiniband/verbs.h> (found by `__has_include` in verbs_abi.h) this file uses the real
// object layouts and the header's static inlines (`ibv_post_send`, `ibv_post_recv`,
// `ibv_poll_cq`, `ibv_req_notify_cq`: calls through `context->ops`, no symbol to look up), and
// calls the exported functions through the table `CIOFabric_verbs_load` filled in. Without
// the header every function returns ENOSYS.

#include "CIOFabric.h"
#include "verbs_abi.h"
#include "verbs_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#if CIOFABRIC_HAVE_VERBS_HEADER

// Our flat values carry the verbs encodings unchanged; prove the constants.
_Static_assert(sizeof(CIOFabric_verbs_sge) == sizeof(struct ibv_sge), "struct ibv_sge");
_Static_assert(offsetof(CIOFabric_verbs_sge, addr) == offsetof(struct ibv_sge, addr), "ibv_sge.addr");
_Static_assert(offsetof(CIOFabric_verbs_sge, length) == offsetof(struct ibv_sge, length), "ibv_sge.length");
_Static_assert(offsetof(CIOFabric_verbs_sge, lkey) == offsetof(struct ibv_sge, lkey), "ibv_sge.lkey");
_Static_assert(IBV_QP_STATE == 1 << 0 && IBV_QP_ACCESS_FLAGS == 1 << 3 && IBV_QP_PKEY_INDEX == 1 << 4
                   && IBV_QP_PORT == 1 << 5 && IBV_QP_QKEY == 1 << 6 && IBV_QP_AV == 1 << 7
                   && IBV_QP_PATH_MTU == 1 << 8 && IBV_QP_TIMEOUT == 1 << 9 && IBV_QP_RETRY_CNT == 1 << 10
                   && IBV_QP_RNR_RETRY == 1 << 11 && IBV_QP_RQ_PSN == 1 << 12
                   && IBV_QP_MAX_QP_RD_ATOMIC == 1 << 13 && IBV_QP_MIN_RNR_TIMER == 1 << 15
                   && IBV_QP_SQ_PSN == 1 << 16 && IBV_QP_MAX_DEST_RD_ATOMIC == 1 << 17
                   && IBV_QP_DEST_QPN == 1 << 20,
               "enum ibv_qp_attr_mask");
_Static_assert(IBV_QPS_RESET == 0 && IBV_QPS_INIT == 1 && IBV_QPS_RTR == 2 && IBV_QPS_RTS == 3 && IBV_QPS_SQD == 4
                   && IBV_QPS_SQE == 5 && IBV_QPS_ERR == 6,
               "enum ibv_qp_state");
_Static_assert(IBV_QPT_RC == 2 && IBV_QPT_UD == 4, "enum ibv_qp_type");
_Static_assert(IBV_WR_RDMA_WRITE == 0 && IBV_WR_RDMA_WRITE_WITH_IMM == 1 && IBV_WR_SEND == 2
                   && IBV_WR_SEND_WITH_IMM == 3 && IBV_WR_RDMA_READ == 4,
               "enum ibv_wr_opcode");
_Static_assert(IBV_SEND_FENCE == 1 && IBV_SEND_SIGNALED == 2 && IBV_SEND_SOLICITED == 4 && IBV_SEND_INLINE == 8,
               "enum ibv_send_flags");
_Static_assert(IBV_ACCESS_LOCAL_WRITE == 1 && IBV_ACCESS_REMOTE_WRITE == 2 && IBV_ACCESS_REMOTE_READ == 4
                   && IBV_ACCESS_REMOTE_ATOMIC == 8,
               "enum ibv_access_flags");
// Every status: RealWorkCompletionMapping decodes them by number.
_Static_assert(IBV_WC_SUCCESS == 0 && IBV_WC_LOC_LEN_ERR == 1 && IBV_WC_LOC_QP_OP_ERR == 2
                   && IBV_WC_LOC_EEC_OP_ERR == 3 && IBV_WC_LOC_PROT_ERR == 4 && IBV_WC_WR_FLUSH_ERR == 5
                   && IBV_WC_MW_BIND_ERR == 6 && IBV_WC_BAD_RESP_ERR == 7 && IBV_WC_LOC_ACCESS_ERR == 8
                   && IBV_WC_REM_INV_REQ_ERR == 9 && IBV_WC_REM_ACCESS_ERR == 10 && IBV_WC_REM_OP_ERR == 11
                   && IBV_WC_RETRY_EXC_ERR == 12 && IBV_WC_RNR_RETRY_EXC_ERR == 13 && IBV_WC_LOC_RDD_VIOL_ERR == 14
                   && IBV_WC_REM_INV_RD_REQ_ERR == 15 && IBV_WC_REM_ABORT_ERR == 16 && IBV_WC_INV_EECN_ERR == 17
                   && IBV_WC_INV_EEC_STATE_ERR == 18 && IBV_WC_FATAL_ERR == 19 && IBV_WC_RESP_TIMEOUT_ERR == 20
                   && IBV_WC_GENERAL_ERR == 21,
               "enum ibv_wc_status");
_Static_assert(IBV_WC_SEND == 0 && IBV_WC_RDMA_WRITE == 1 && IBV_WC_RDMA_READ == 2 && IBV_WC_COMP_SWAP == 3
                   && IBV_WC_FETCH_ADD == 4 && IBV_WC_BIND_MW == 5 && IBV_WC_LOCAL_INV == 6 && IBV_WC_RECV == 128
                   && IBV_WC_RECV_RDMA_WITH_IMM == 129,
               "enum ibv_wc_opcode");
_Static_assert(IBV_WC_GRH == 1 && IBV_WC_WITH_IMM == 2, "enum ibv_wc_flags");
_Static_assert(IBV_EVENT_CQ_ERR == 0 && IBV_EVENT_QP_FATAL == 1 && IBV_EVENT_QP_REQ_ERR == 2
                   && IBV_EVENT_QP_ACCESS_ERR == 3 && IBV_EVENT_COMM_EST == 4 && IBV_EVENT_SQ_DRAINED == 5
                   && IBV_EVENT_PATH_MIG == 6 && IBV_EVENT_PATH_MIG_ERR == 7 && IBV_EVENT_DEVICE_FATAL == 8
                   && IBV_EVENT_LID_CHANGE == 11 && IBV_EVENT_PKEY_CHANGE == 12 && IBV_EVENT_SM_CHANGE == 13
                   && IBV_EVENT_SRQ_ERR == 14 && IBV_EVENT_SRQ_LIMIT_REACHED == 15
                   && IBV_EVENT_QP_LAST_WQE_REACHED == 16 && IBV_EVENT_CLIENT_REREGISTER == 17 && IBV_EVENT_PORT_ACTIVE == 9 && IBV_EVENT_PORT_ERR == 10
                   && IBV_EVENT_GID_CHANGE == 18 && IBV_EVENT_WQ_FATAL == 19,
               "enum ibv_event_type");

int CIOFabric_verbs_data_path_available(void) { return 1; }

/// Makes `fd` non-blocking, so the loop can drain it until EAGAIN.
static int set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return failure_errno();
    return 0;
}

int CIOFabric_verbs_alloc_pd(const CIOFabric_verbs_context *context, struct ibv_pd **pd) {
    errno = 0;
    *pd = context->library->alloc_pd(context->ibv);
    return *pd != NULL ? 0 : failure_errno();
}

int CIOFabric_verbs_dealloc_pd(const CIOFabric_verbs_context *context, struct ibv_pd *pd) {
    errno = 0;
    return verbs_result(context->library->dealloc_pd(pd));
}

int CIOFabric_verbs_reg_mr(const CIOFabric_verbs_context *context, struct ibv_pd *pd, void *address,
                           uint64_t length, uint32_t access, struct ibv_mr **mr, CIOFabric_verbs_mr_keys *keys) {
    errno = 0;
    *mr = context->library->reg_mr(pd, address, (size_t)length, (int)access);
    if (*mr == NULL) return failure_errno();
    keys->lkey = (*mr)->lkey;
    keys->rkey = (*mr)->rkey;
    return 0;
}

int CIOFabric_verbs_dereg_mr(const CIOFabric_verbs_context *context, struct ibv_mr *mr) {
    errno = 0;
    return verbs_result(context->library->dereg_mr(mr));
}

int CIOFabric_verbs_create_comp_channel(const CIOFabric_verbs_context *context, struct ibv_comp_channel **channel,
                                        int32_t *fd) {
    errno = 0;
    *channel = context->library->create_comp_channel(context->ibv);
    if (*channel == NULL) return failure_errno();
    int error = set_nonblocking((*channel)->fd);
    if (error != 0) {
        context->library->destroy_comp_channel(*channel);
        *channel = NULL;
        return error;
    }
    *fd = (*channel)->fd;
    return 0;
}

int CIOFabric_verbs_destroy_comp_channel(const CIOFabric_verbs_context *context, struct ibv_comp_channel *channel) {
    errno = 0;
    return verbs_result(context->library->destroy_comp_channel(channel));
}

int CIOFabric_verbs_create_cq(const CIOFabric_verbs_context *context, int32_t entries, uint64_t token,
                              struct ibv_comp_channel *channel, struct ibv_cq **cq, int32_t *capacity) {
    errno = 0;
    *cq = context->library->create_cq(context->ibv, entries, (void *)(uintptr_t)token, channel, 0);
    if (*cq == NULL) return failure_errno();
    *capacity = (*cq)->cqe;
    return 0;
}

int CIOFabric_verbs_destroy_cq(const CIOFabric_verbs_context *context, struct ibv_cq *cq) {
    errno = 0;
    return verbs_result(context->library->destroy_cq(cq));
}

int CIOFabric_verbs_req_notify_cq(struct ibv_cq *cq, int32_t solicited_only) {
    errno = 0;
    return verbs_result(ibv_req_notify_cq(cq, solicited_only));
}

int CIOFabric_verbs_get_cq_event(const CIOFabric_verbs_context *context, struct ibv_comp_channel *channel,
                                 struct ibv_cq **cq, uint64_t *token) {
    void *cq_context = NULL;
    errno = 0;
    // On a non-blocking channel the library's read() fails with EAGAIN when nothing is there.
    if (context->library->get_cq_event(channel, cq, &cq_context) != 0) return failure_errno();
    *token = (uint64_t)(uintptr_t)cq_context;
    return 0;
}

void CIOFabric_verbs_ack_cq_events(const CIOFabric_verbs_context *context, struct ibv_cq *cq, uint32_t count) {
    context->library->ack_cq_events(cq, count);
}

/// Work completions converted per call; more are left in the CQ for the next poll.
#define POLL_BATCH 64

int CIOFabric_verbs_poll_cq(struct ibv_cq *cq, CIOFabric_verbs_work_completion *completions, int32_t capacity,
                            int32_t *count) {
    *count = 0;
    struct ibv_wc wc[POLL_BATCH];
    int wanted = capacity < POLL_BATCH ? capacity : POLL_BATCH;
    if (wanted <= 0) return 0;
    errno = 0;
    int polled = ibv_poll_cq(cq, wanted, wc);
    if (polled < 0) return failure_errno();
    for (int index = 0; index < polled; index++) {
        const struct ibv_wc *source = &wc[index];
        CIOFabric_verbs_work_completion *target = &completions[index];
        target->wr_id = source->wr_id;
        target->status = (int32_t)source->status;
        target->opcode = (uint32_t)source->opcode;
        target->vendor_err = source->vendor_err;
        target->byte_len = source->byte_len;
        target->imm_data = (source->wc_flags & IBV_WC_WITH_IMM) ? ntohl(source->imm_data) : 0;
        target->qp_num = source->qp_num;
        target->src_qp = source->src_qp;
        target->wc_flags = source->wc_flags;
        target->pkey_index = source->pkey_index;
        target->slid = source->slid;
        target->sl = source->sl;
        target->dlid_path_bits = source->dlid_path_bits;
    }
    *count = polled;
    return 0;
}

int CIOFabric_verbs_create_qp(const CIOFabric_verbs_context *context, struct ibv_pd *pd, int32_t type,
                              struct ibv_cq *send_cq, struct ibv_cq *recv_cq, int32_t signal_all,
                              CIOFabric_verbs_qp_capabilities *capabilities, struct ibv_qp **qp, uint32_t *qp_num) {
    struct ibv_qp_init_attr init;
    memset(&init, 0, sizeof(init));
    init.send_cq = send_cq;
    init.recv_cq = recv_cq;
    init.qp_type = (enum ibv_qp_type)type;
    init.sq_sig_all = signal_all;
    init.cap.max_send_wr = capabilities->max_send_wr;
    init.cap.max_recv_wr = capabilities->max_recv_wr;
    init.cap.max_send_sge = capabilities->max_send_sge;
    init.cap.max_recv_sge = capabilities->max_recv_sge;
    init.cap.max_inline_data = capabilities->max_inline_data;
    errno = 0;
    *qp = context->library->create_qp(pd, &init);
    if (*qp == NULL) return failure_errno();
    // ibv_create_qp writes the granted sizes back into init.cap.
    capabilities->max_send_wr = init.cap.max_send_wr;
    capabilities->max_recv_wr = init.cap.max_recv_wr;
    capabilities->max_send_sge = init.cap.max_send_sge;
    capabilities->max_recv_sge = init.cap.max_recv_sge;
    capabilities->max_inline_data = init.cap.max_inline_data;
    *qp_num = (*qp)->qp_num;
    return 0;
}

int CIOFabric_verbs_destroy_qp(const CIOFabric_verbs_context *context, struct ibv_qp *qp) {
    errno = 0;
    return verbs_result(context->library->destroy_qp(qp));
}

/// Our flat address vector as `struct ibv_ah_attr`.
static void fill_ah_attr(struct ibv_ah_attr *target, const CIOFabric_verbs_address *source) {
    memset(target, 0, sizeof(*target));
    target->dlid = source->dlid;
    target->sl = source->sl;
    target->src_path_bits = source->src_path_bits;
    target->static_rate = source->static_rate;
    target->port_num = source->port_num;
    target->is_global = source->is_global;
    if (source->is_global) {
        memcpy(target->grh.dgid.raw, source->dgid, 16);
        target->grh.flow_label = source->flow_label;
        target->grh.sgid_index = source->sgid_index;
        target->grh.hop_limit = source->hop_limit;
        target->grh.traffic_class = source->traffic_class;
    }
}

int CIOFabric_verbs_modify_qp(const CIOFabric_verbs_context *context, struct ibv_qp *qp,
                              const CIOFabric_verbs_qp_attributes *attributes, uint32_t mask) {
    struct ibv_qp_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.qp_state = (enum ibv_qp_state)attributes->qp_state;
    attr.qp_access_flags = attributes->qp_access_flags;
    attr.pkey_index = attributes->pkey_index;
    attr.port_num = attributes->port_num;
    attr.path_mtu = (enum ibv_mtu)attributes->path_mtu;
    attr.qkey = attributes->qkey;
    attr.rq_psn = attributes->rq_psn;
    attr.sq_psn = attributes->sq_psn;
    attr.dest_qp_num = attributes->dest_qp_num;
    fill_ah_attr(&attr.ah_attr, &attributes->ah_attr);
    attr.timeout = attributes->timeout;
    attr.retry_cnt = attributes->retry_cnt;
    attr.rnr_retry = attributes->rnr_retry;
    attr.max_rd_atomic = attributes->max_rd_atomic;
    attr.max_dest_rd_atomic = attributes->max_dest_rd_atomic;
    attr.min_rnr_timer = attributes->min_rnr_timer;
    errno = 0;
    return verbs_result(context->library->modify_qp(qp, &attr, (int)mask));
}

int CIOFabric_verbs_query_qp_state(const CIOFabric_verbs_context *context, struct ibv_qp *qp, int32_t *state) {
    struct ibv_qp_attr attr;
    struct ibv_qp_init_attr init;
    memset(&attr, 0, sizeof(attr));
    memset(&init, 0, sizeof(init));
    errno = 0;
    int rc = verbs_result(context->library->query_qp(qp, &attr, IBV_QP_STATE, &init));
    if (rc != 0) return rc;
    *state = (int32_t)attr.qp_state;
    return 0;
}

/// Requests chained per call on the stack; longer lists are posted in chunks.
#define POST_BATCH 32

int CIOFabric_verbs_post_send(struct ibv_qp *qp, const CIOFabric_verbs_send_request *requests, int32_t count,
                              const CIOFabric_verbs_sge *sges, int32_t *bad_index) {
    *bad_index = 0;
    struct ibv_send_wr wr[POST_BATCH];
    for (int32_t start = 0; start < count; start += POST_BATCH) {
        int32_t chunk = count - start < POST_BATCH ? count - start : POST_BATCH;
        memset(wr, 0, sizeof(wr[0]) * (size_t)chunk);
        for (int32_t index = 0; index < chunk; index++) {
            const CIOFabric_verbs_send_request *source = &requests[start + index];
            struct ibv_send_wr *target = &wr[index];
            target->wr_id = source->wr_id;
            target->next = index + 1 < chunk ? &wr[index + 1] : NULL;
            // The layouts are proven equal above; the library only reads the elements.
            target->sg_list = (struct ibv_sge *)(uintptr_t)&sges[source->first_sge];
            target->num_sge = source->num_sge;
            target->opcode = (enum ibv_wr_opcode)source->opcode;
            target->send_flags = source->send_flags;
            target->imm_data = htonl(source->imm_data);
            if (source->ah != NULL) {
                target->wr.ud.ah = source->ah;
                target->wr.ud.remote_qpn = source->remote_qpn;
                target->wr.ud.remote_qkey = source->remote_qkey;
            } else {
                target->wr.rdma.remote_addr = source->remote_addr;
                target->wr.rdma.rkey = source->rkey;
            }
        }
        struct ibv_send_wr *bad = NULL;
        errno = 0;
        int rc = ibv_post_send(qp, wr, &bad);
        if (rc != 0) {
            *bad_index = start + (bad != NULL ? (int32_t)(bad - wr) : 0);
            return verbs_result(rc);
        }
    }
    return 0;
}

int CIOFabric_verbs_post_recv(struct ibv_qp *qp, const CIOFabric_verbs_receive_request *requests, int32_t count,
                              const CIOFabric_verbs_sge *sges, int32_t *bad_index) {
    *bad_index = 0;
    struct ibv_recv_wr wr[POST_BATCH];
    for (int32_t start = 0; start < count; start += POST_BATCH) {
        int32_t chunk = count - start < POST_BATCH ? count - start : POST_BATCH;
        memset(wr, 0, sizeof(wr[0]) * (size_t)chunk);
        for (int32_t index = 0; index < chunk; index++) {
            const CIOFabric_verbs_receive_request *source = &requests[start + index];
            wr[index].wr_id = source->wr_id;
            wr[index].next = index + 1 < chunk ? &wr[index + 1] : NULL;
            wr[index].sg_list = (struct ibv_sge *)(uintptr_t)&sges[source->first_sge];
            wr[index].num_sge = source->num_sge;
        }
        struct ibv_recv_wr *bad = NULL;
        errno = 0;
        int rc = ibv_post_recv(qp, wr, &bad);
        if (rc != 0) {
            *bad_index = start + (bad != NULL ? (int32_t)(bad - wr) : 0);
            return verbs_result(rc);
        }
    }
    return 0;
}

int CIOFabric_verbs_create_ah(const CIOFabric_verbs_context *context, struct ibv_pd *pd,
                              const CIOFabric_verbs_address *address, struct ibv_ah **ah) {
    struct ibv_ah_attr attr;
    fill_ah_attr(&attr, address);
    errno = 0;
    *ah = context->library->create_ah(pd, &attr);
    return *ah != NULL ? 0 : failure_errno();
}

int CIOFabric_verbs_destroy_ah(const CIOFabric_verbs_context *context, struct ibv_ah *ah) {
    errno = 0;
    return verbs_result(context->library->destroy_ah(ah));
}

int CIOFabric_verbs_async_fd(const CIOFabric_verbs_context *context, int32_t *fd) {
    int error = set_nonblocking(context->ibv->async_fd);
    if (error != 0) return error;
    *fd = context->ibv->async_fd;
    return 0;
}

int CIOFabric_verbs_get_async_event(const CIOFabric_verbs_context *context, CIOFabric_verbs_async_event *event) {
    memset(event, 0, sizeof(*event));
    struct ibv_async_event raw;
    memset(&raw, 0, sizeof(raw));
    errno = 0;
    if (context->library->get_async_event(context->ibv, &raw) != 0) return failure_errno();
    event->event_type = (int32_t)raw.event_type;
    switch (raw.event_type) {
    case IBV_EVENT_CQ_ERR:
        event->cq_token = (uint64_t)(uintptr_t)raw.element.cq->cq_context;
        break;
    case IBV_EVENT_QP_FATAL:
    case IBV_EVENT_QP_REQ_ERR:
    case IBV_EVENT_QP_ACCESS_ERR:
    case IBV_EVENT_COMM_EST:
    case IBV_EVENT_SQ_DRAINED:
    case IBV_EVENT_PATH_MIG:
    case IBV_EVENT_PATH_MIG_ERR:
    case IBV_EVENT_QP_LAST_WQE_REACHED:
        event->qp_num = raw.element.qp->qp_num;
        break;
    case IBV_EVENT_PORT_ACTIVE:
    case IBV_EVENT_PORT_ERR:
    case IBV_EVENT_LID_CHANGE:
    case IBV_EVENT_PKEY_CHANGE:
    case IBV_EVENT_SM_CHANGE:
    case IBV_EVENT_CLIENT_REREGISTER:
    case IBV_EVENT_GID_CHANGE:
        event->port_num = (uint8_t)raw.element.port_num;
        break;
    default:
        break;
    }
    // Everything needed is copied out: acknowledge at once, so destroying the object never waits.
    context->library->ack_async_event(&raw);
    return 0;
}

#else  // !CIOFABRIC_HAVE_VERBS_HEADER

// Built without <infiniband/verbs.h>: no data path. Every call says so with ENOSYS.

int CIOFabric_verbs_data_path_available(void) { return 0; }

int CIOFabric_verbs_alloc_pd(const CIOFabric_verbs_context *context, struct ibv_pd **pd) {
    (void)context;
    *pd = NULL;
    return ENOSYS;
}
int CIOFabric_verbs_dealloc_pd(const CIOFabric_verbs_context *context, struct ibv_pd *pd) {
    (void)context, (void)pd;
    return ENOSYS;
}
int CIOFabric_verbs_reg_mr(const CIOFabric_verbs_context *context, struct ibv_pd *pd, void *address,
                           uint64_t length, uint32_t access, struct ibv_mr **mr, CIOFabric_verbs_mr_keys *keys) {
    (void)context, (void)pd, (void)address, (void)length, (void)access, (void)keys;
    *mr = NULL;
    return ENOSYS;
}
int CIOFabric_verbs_dereg_mr(const CIOFabric_verbs_context *context, struct ibv_mr *mr) {
    (void)context, (void)mr;
    return ENOSYS;
}
int CIOFabric_verbs_create_comp_channel(const CIOFabric_verbs_context *context, struct ibv_comp_channel **channel,
                                        int32_t *fd) {
    (void)context;
    *channel = NULL;
    *fd = -1;
    return ENOSYS;
}
int CIOFabric_verbs_destroy_comp_channel(const CIOFabric_verbs_context *context, struct ibv_comp_channel *channel) {
    (void)context, (void)channel;
    return ENOSYS;
}
int CIOFabric_verbs_create_cq(const CIOFabric_verbs_context *context, int32_t entries, uint64_t token,
                              struct ibv_comp_channel *channel, struct ibv_cq **cq, int32_t *capacity) {
    (void)context, (void)entries, (void)token, (void)channel;
    *cq = NULL;
    *capacity = 0;
    return ENOSYS;
}
int CIOFabric_verbs_destroy_cq(const CIOFabric_verbs_context *context, struct ibv_cq *cq) {
    (void)context, (void)cq;
    return ENOSYS;
}
int CIOFabric_verbs_req_notify_cq(struct ibv_cq *cq, int32_t solicited_only) {
    (void)cq, (void)solicited_only;
    return ENOSYS;
}
int CIOFabric_verbs_get_cq_event(const CIOFabric_verbs_context *context, struct ibv_comp_channel *channel,
                                 struct ibv_cq **cq, uint64_t *token) {
    (void)context, (void)channel;
    *cq = NULL;
    *token = 0;
    return ENOSYS;
}
void CIOFabric_verbs_ack_cq_events(const CIOFabric_verbs_context *context, struct ibv_cq *cq, uint32_t count) {
    (void)context, (void)cq, (void)count;
}
int CIOFabric_verbs_poll_cq(struct ibv_cq *cq, CIOFabric_verbs_work_completion *completions, int32_t capacity,
                            int32_t *count) {
    (void)cq, (void)completions, (void)capacity;
    *count = 0;
    return ENOSYS;
}
int CIOFabric_verbs_create_qp(const CIOFabric_verbs_context *context, struct ibv_pd *pd, int32_t type,
                              struct ibv_cq *send_cq, struct ibv_cq *recv_cq, int32_t signal_all,
                              CIOFabric_verbs_qp_capabilities *capabilities, struct ibv_qp **qp, uint32_t *qp_num) {
    (void)context, (void)pd, (void)type, (void)send_cq, (void)recv_cq, (void)signal_all, (void)capabilities;
    *qp = NULL;
    *qp_num = 0;
    return ENOSYS;
}
int CIOFabric_verbs_destroy_qp(const CIOFabric_verbs_context *context, struct ibv_qp *qp) {
    (void)context, (void)qp;
    return ENOSYS;
}
int CIOFabric_verbs_modify_qp(const CIOFabric_verbs_context *context, struct ibv_qp *qp,
                              const CIOFabric_verbs_qp_attributes *attributes, uint32_t mask) {
    (void)context, (void)qp, (void)attributes, (void)mask;
    return ENOSYS;
}
int CIOFabric_verbs_query_qp_state(const CIOFabric_verbs_context *context, struct ibv_qp *qp, int32_t *state) {
    (void)context, (void)qp;
    *state = 0;
    return ENOSYS;
}
int CIOFabric_verbs_post_send(struct ibv_qp *qp, const CIOFabric_verbs_send_request *requests, int32_t count,
                              const CIOFabric_verbs_sge *sges, int32_t *bad_index) {
    (void)qp, (void)requests, (void)count, (void)sges;
    *bad_index = 0;
    return ENOSYS;
}
int CIOFabric_verbs_post_recv(struct ibv_qp *qp, const CIOFabric_verbs_receive_request *requests, int32_t count,
                              const CIOFabric_verbs_sge *sges, int32_t *bad_index) {
    (void)qp, (void)requests, (void)count, (void)sges;
    *bad_index = 0;
    return ENOSYS;
}
int CIOFabric_verbs_create_ah(const CIOFabric_verbs_context *context, struct ibv_pd *pd,
                              const CIOFabric_verbs_address *address, struct ibv_ah **ah) {
    (void)context, (void)pd, (void)address;
    *ah = NULL;
    return ENOSYS;
}
int CIOFabric_verbs_destroy_ah(const CIOFabric_verbs_context *context, struct ibv_ah *ah) {
    (void)context, (void)ah;
    return ENOSYS;
}
int CIOFabric_verbs_async_fd(const CIOFabric_verbs_context *context, int32_t *fd) {
    (void)context;
    *fd = -1;
    return ENOSYS;
}
int CIOFabric_verbs_get_async_event(const CIOFabric_verbs_context *context, CIOFabric_verbs_async_event *event) {
    (void)context;
    memset(event, 0, sizeof(*event));
    return ENOSYS;
}

#endif  // CIOFABRIC_HAVE_VERBS_HEADER
