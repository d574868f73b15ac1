// The slice of libibverbs' ABI that verbs.c uses, private to CIOFabric.
//
// Some explanation is required here. The package builds on machines without rdma-core, where
// <infiniband/verbs.h> does not exist, yet at run time it calls into whatever
// libibverbs.so.1 it finds. So this file declares, under our own names, exact copies of the
// structs libibverbs fills in for us (`struct ibv_device`, `struct ibv_device_attr`, the
// IBVERBS_1.1 layout of `struct ibv_port_attr`, `union ibv_gid`), copied from rdma-core 44.0's
// verbs.h. These layouts are ABI: libibverbs keeps them stable across releases under symbol
// version IBVERBS_1.1 (that is why `ibv_query_port` takes a `struct _compat_ibv_port_attr *`
// and why newer fields of `struct ibv_port_attr` are only reachable through the extended
// context ops).
//
// Where the real header is present, verbs.c uses the real definitions and the _Static_asserts
// below prove the copies identical to them, field by field. A build on a machine with
// libibverbs-dev is therefore what verifies the layout the header-less build relies on.

#ifndef CIOFABRIC_VERBS_ABI_H
#define CIOFABRIC_VERBS_ABI_H

#include <stddef.h>
#include <stdint.h>

#if __has_include(<infiniband/verbs.h>)
#include <infiniband/verbs.h>
#define CIOFABRIC_HAVE_VERBS_HEADER 1
#else
#define CIOFABRIC_HAVE_VERBS_HEADER 0
#endif

/// `struct ibv_device`: what `ibv_get_device_list` returns pointers to.
struct CIOFabric_ibv_device {
    struct {
        void *(*dummy1)(void *device, int cmd_fd);
        void (*dummy2)(void *context);
    } ops;
    int node_type;       // enum ibv_node_type (has the value -1, so an int)
    int transport_type;  // enum ibv_transport_type (likewise)
    char name[64];       // IBV_SYSFS_NAME_MAX
    char dev_name[64];
    char dev_path[256];  // IBV_SYSFS_PATH_MAX
    char ibdev_path[256];
};

/// `struct ibv_device_attr`: what `ibv_query_device` fills in. GUIDs are big-endian.
struct CIOFabric_ibv_device_attr {
    char fw_ver[64];
    uint64_t node_guid;
    uint64_t sys_image_guid;
    uint64_t max_mr_size;
    uint64_t page_size_cap;
    uint32_t vendor_id;
    uint32_t vendor_part_id;
    uint32_t hw_ver;
    int max_qp;
    int max_qp_wr;
    unsigned int device_cap_flags;
    int max_sge;
    int max_sge_rd;
    int max_cq;
    int max_cqe;
    int max_mr;
    int max_pd;
    int max_qp_rd_atom;
    int max_ee_rd_atom;
    int max_res_rd_atom;
    int max_qp_init_rd_atom;
    int max_ee_init_rd_atom;
    unsigned int atomic_cap;  // enum ibv_atomic_cap (0, 1, 2)
    int max_ee;
    int max_rdd;
    int max_mw;
    int max_raw_ipv6_qp;
    int max_raw_ethy_qp;
    int max_mcast_grp;
    int max_mcast_qp_attach;
    int max_total_mcast_qp_attach;
    int max_ah;
    int max_fmr;
    int max_map_per_fmr;
    int max_srq;
    int max_srq_wr;
    int max_srq_sge;
    uint16_t max_pkeys;
    uint8_t local_ca_ack_delay;
    uint8_t phys_port_cnt;
};

/// `struct _compat_ibv_port_attr`: the prefix of `struct ibv_port_attr` that the exported
/// `ibv_query_port@@IBVERBS_1.1` writes (rdma-core's verbs.c copies exactly this many bytes).
struct CIOFabric_ibv_port_attr {
    unsigned int state;       // enum ibv_port_state
    unsigned int max_mtu;     // enum ibv_mtu
    unsigned int active_mtu;  // enum ibv_mtu
    int gid_tbl_len;
    uint32_t port_cap_flags;
    uint32_t max_msg_sz;
    uint32_t bad_pkey_cntr;
    uint32_t qkey_viol_cntr;
    uint16_t pkey_tbl_len;
    uint16_t lid;
    uint16_t sm_lid;
    uint8_t lmc;
    uint8_t max_vl_num;
    uint8_t sm_sl;
    uint8_t subnet_timeout;
    uint8_t init_type_reply;
    uint8_t active_width;
    uint8_t active_speed;
    uint8_t phys_state;
    uint8_t link_layer;
    uint8_t flags;
};

/// `union ibv_gid`: 16 bytes, network byte order.
union CIOFabric_ibv_gid {
    uint8_t raw[16];
    struct {
        uint64_t subnet_prefix;
        uint64_t interface_id;
    } global;
};

#if CIOFABRIC_HAVE_VERBS_HEADER

// The real header is here: use its types, and prove the copies above match them.
typedef struct ibv_device CIOFabric_ibv_device_t;
typedef struct ibv_device_attr CIOFabric_ibv_device_attr_t;
// A whole `struct ibv_port_attr` is at least as large as what ibv_query_port@@IBVERBS_1.1
// writes; verbs.h's own `___ibv_query_port` passes one to it the same way (zeroed, cast).
typedef struct ibv_port_attr CIOFabric_ibv_port_attr_t;
typedef union ibv_gid CIOFabric_ibv_gid_t;

#define CIOFABRIC_SAME_FIELD(ours, theirs, field)                                                   \
    _Static_assert(offsetof(ours, field) == offsetof(theirs, field)                                 \
                       && sizeof(((ours *)0)->field) == sizeof(((theirs *)0)->field),               \
                   #ours "." #field " differs from <infiniband/verbs.h>")

_Static_assert(sizeof(struct CIOFabric_ibv_device) == sizeof(struct ibv_device),
               "struct ibv_device changed size");
_Static_assert(offsetof(struct CIOFabric_ibv_device, node_type) == offsetof(struct ibv_device, node_type),
               "struct ibv_device.node_type moved");
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device, struct ibv_device, transport_type);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device, struct ibv_device, name);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device, struct ibv_device, dev_name);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device, struct ibv_device, dev_path);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device, struct ibv_device, ibdev_path);

_Static_assert(sizeof(struct CIOFabric_ibv_device_attr) == sizeof(struct ibv_device_attr),
               "struct ibv_device_attr changed size");
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, fw_ver);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, node_guid);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, sys_image_guid);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, max_mr_size);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, page_size_cap);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, vendor_id);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, vendor_part_id);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, hw_ver);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, max_qp);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, max_qp_wr);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, device_cap_flags);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, max_sge);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, max_sge_rd);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, max_cq);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, max_cqe);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, max_mr);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, max_pd);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, max_qp_rd_atom);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, max_qp_init_rd_atom);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, atomic_cap);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, max_mw);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, max_ah);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, max_srq);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, max_srq_wr);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, max_srq_sge);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, max_pkeys);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, local_ca_ack_delay);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_device_attr, struct ibv_device_attr, phys_port_cnt);

// The copy is the IBVERBS_1.1 prefix: it must end exactly where the real struct's `flags`
// ends, and every field must sit where the real one does.
_Static_assert(sizeof(struct CIOFabric_ibv_port_attr)
                   == offsetof(struct ibv_port_attr, flags) + sizeof(((struct ibv_port_attr *)0)->flags),
               "the IBVERBS_1.1 prefix of struct ibv_port_attr changed size");
_Static_assert(sizeof(struct CIOFabric_ibv_port_attr) <= sizeof(struct ibv_port_attr),
               "struct ibv_port_attr is smaller than its IBVERBS_1.1 prefix");
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, state);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, max_mtu);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, active_mtu);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, gid_tbl_len);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, port_cap_flags);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, max_msg_sz);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, bad_pkey_cntr);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, qkey_viol_cntr);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, pkey_tbl_len);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, lid);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, sm_lid);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, lmc);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, max_vl_num);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, sm_sl);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, subnet_timeout);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, init_type_reply);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, active_width);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, active_speed);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, phys_state);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, link_layer);
CIOFABRIC_SAME_FIELD(struct CIOFabric_ibv_port_attr, struct ibv_port_attr, flags);

_Static_assert(sizeof(union CIOFabric_ibv_gid) == sizeof(union ibv_gid), "union ibv_gid changed size");
CIOFABRIC_SAME_FIELD(union CIOFabric_ibv_gid, union ibv_gid, raw);

// The enum values verbs.c decodes numerically (and the Swift side names) are ABI as well.
_Static_assert(IBV_NODE_UNKNOWN == -1 && IBV_NODE_CA == 1 && IBV_NODE_RNIC == 4, "enum ibv_node_type");
_Static_assert(IBV_TRANSPORT_UNKNOWN == -1 && IBV_TRANSPORT_IB == 0 && IBV_TRANSPORT_IWARP == 1,
               "enum ibv_transport_type");
_Static_assert(IBV_PORT_DOWN == 1 && IBV_PORT_ACTIVE == 4 && IBV_PORT_ACTIVE_DEFER == 5, "enum ibv_port_state");
_Static_assert(IBV_MTU_256 == 1 && IBV_MTU_4096 == 5, "enum ibv_mtu");
_Static_assert(IBV_LINK_LAYER_INFINIBAND == 1 && IBV_LINK_LAYER_ETHERNET == 2, "link layer values");
_Static_assert(IBV_ATOMIC_NONE == 0 && IBV_ATOMIC_HCA == 1 && IBV_ATOMIC_GLOB == 2, "enum ibv_atomic_cap");

#undef CIOFABRIC_SAME_FIELD

#else  // !CIOFABRIC_HAVE_VERBS_HEADER

// No header: the verified copies stand in for the real types; contexts stay opaque.
struct ibv_context;
typedef struct CIOFabric_ibv_device CIOFabric_ibv_device_t;
typedef struct CIOFabric_ibv_device_attr CIOFabric_ibv_device_attr_t;
typedef struct CIOFabric_ibv_port_attr CIOFabric_ibv_port_attr_t;
typedef union CIOFabric_ibv_gid CIOFabric_ibv_gid_t;

#endif  // CIOFABRIC_HAVE_VERBS_HEADER

// The signatures of the IBVERBS_1.1 functions verbs.c looks up.
typedef CIOFabric_ibv_device_t **(*CIOFabric_ibv_get_device_list_fn)(int *num_devices);
typedef void (*CIOFabric_ibv_free_device_list_fn)(CIOFabric_ibv_device_t **list);
typedef const char *(*CIOFabric_ibv_get_device_name_fn)(CIOFabric_ibv_device_t *device);
typedef uint64_t (*CIOFabric_ibv_get_device_guid_fn)(CIOFabric_ibv_device_t *device);  // __be64
typedef struct ibv_context *(*CIOFabric_ibv_open_device_fn)(CIOFabric_ibv_device_t *device);
typedef int (*CIOFabric_ibv_close_device_fn)(struct ibv_context *context);
typedef int (*CIOFabric_ibv_query_device_fn)(struct ibv_context *context, CIOFabric_ibv_device_attr_t *attr);
// Declared with `struct _compat_ibv_port_attr *` in verbs.h: the IBVERBS_1.1 prefix above.
typedef int (*CIOFabric_ibv_query_port_fn)(struct ibv_context *context, uint8_t port_num,
                                           CIOFabric_ibv_port_attr_t *attr);
typedef int (*CIOFabric_ibv_query_gid_fn)(struct ibv_context *context, uint8_t port_num, int index,
                                          CIOFabric_ibv_gid_t *gid);

#endif  // CIOFABRIC_VERBS_ABI_H
