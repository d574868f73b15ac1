// CIOFabric: the small C target under RealHardware.
//
// Two things Swift cannot do on its own live here:
//
// 1. libibverbs, loaded at run time. The package must build and run where rdma-core is not
//    installed, so nothing links libibverbs: `CIOFabric_verbs_load` dlopen()s
//    `libibverbs.so.1` and dlsym()s the few functions used. Some of them cannot be called
//    from Swift anyway: `ibv_query_port` is a function-like macro in <infiniband/verbs.h>.
// 2. SG_IO: `ioctl` is variadic, so Swift cannot call it; `CIOFabric_sg.h` wraps opening a
//    SCSI generic device (open / SG_GET_VERSION_NUM) and running one command (SG_IO).
//
// This header is the same on every machine: it includes neither <infiniband/verbs.h> nor
// <scsi/sg.h>, and its structs are our own (flat, fixed-width, prefixed). The verbs structs
// the library fills in are mirrored in `verbs_abi.h`, checked against the real header when
// it is present.
//
// Conventions: every symbol is prefixed `CIOFabric_`. Functions return 0 on success and a
// positive errno value on failure; they never leave their result in the global `errno`.

#ifndef CIOFABRIC_H
#define CIOFABRIC_H

#include <stdint.h>

// The event-loop primitives of the real-time runtime (epoll, timerfd, eventfd).
#include "CIOFabric_loop.h"

// SCSI generic: open a sg node, run one command through ioctl(SG_IO).
#include "CIOFabric_sg.h"

#ifdef __cplusplus
extern "C" {
#endif

// MARK: - libibverbs

/// A loaded libibverbs: its dlopen() handle and the functions found in it. Opaque.
///
/// A library is never unloaded: libibverbs keeps process-wide state (its device cache, the
/// provider libraries it dlopen()ed itself), and unloading it under an open context crashes.
typedef struct CIOFabric_verbs_library CIOFabric_verbs_library;

/// An opened RDMA device (a `struct ibv_context *` and the library it came from). Opaque.
typedef struct CIOFabric_verbs_context CIOFabric_verbs_context;

/// What `CIOFabric_verbs_load` found.
typedef enum CIOFabric_verbs_load_status {
    /// The library was loaded and every function was found.
    CIOFabric_VERBS_LOADED = 0,
    /// dlopen() failed; `detail` holds dlerror()'s text.
    CIOFabric_VERBS_LIBRARY_NOT_FOUND = 1,
    /// dlopen() worked but a function is missing; `symbol` names it, `detail` holds dlerror()'s text.
    CIOFabric_VERBS_SYMBOL_MISSING = 2,
} CIOFabric_verbs_load_status;

/// The outcome of `CIOFabric_verbs_load`, with the text a user needs when it failed.
typedef struct CIOFabric_verbs_load_result {
    CIOFabric_verbs_load_status status;
    /// The missing function's name (CIOFabric_VERBS_SYMBOL_MISSING), else empty.
    char symbol[64];
    /// dlerror()'s text when loading failed, else empty. NUL-terminated, possibly truncated.
    char detail[512];
} CIOFabric_verbs_load_result;

/// Loads `soname` (normally "libibverbs.so.1") with dlopen(RTLD_NOW | RTLD_LOCAL) and looks
/// up `ibv_get_device_list`, `ibv_free_device_list`, `ibv_get_device_name`,
/// `ibv_get_device_guid`, `ibv_open_device`, `ibv_close_device`, `ibv_query_device`,
/// `ibv_query_port` and `ibv_query_gid`, each at symbol version IBVERBS_1.1 (the current ABI;
/// the IBVERBS_1.0 compatibility versions take different structs) and, for a library built
/// without symbol versions, by plain name.
///
/// Returns the library, or NULL with `result` saying why. Each successful call allocates a
/// new table that is never freed (see `CIOFabric_verbs_library`); call it once per process.
const CIOFabric_verbs_library *CIOFabric_verbs_load(const char *soname, CIOFabric_verbs_load_result *result);

/// One RDMA device as listed by `ibv_get_device_list`.
typedef struct CIOFabric_verbs_device_entry {
    /// The kernel device name, e.g. "rxe0" or "mlx5_0" (`ibv_get_device_name`).
    char name[64];
    /// The node GUID in host byte order (`ibv_get_device_guid` returns it big-endian).
    uint64_t guid;
    /// `enum ibv_node_type`: 1 CA, 2 switch, 3 router, 4 RNIC, ...; -1 unknown.
    int32_t node_type;
    /// `enum ibv_transport_type`: 0 InfiniBand, 1 iWARP, ...; -1 unknown.
    int32_t transport_type;
} CIOFabric_verbs_device_entry;

/// Lists the RDMA devices, in libibverbs' order, into `entries[0 ..< capacity]`.
///
/// `*count` is set to the number of devices present, which may exceed `capacity`: call again
/// with a larger array then. Returns 0, or the errno of `ibv_get_device_list` (ENOSYS when
/// the kernel has no uverbs support at all).
int CIOFabric_verbs_list_devices(const CIOFabric_verbs_library *library,
                                 CIOFabric_verbs_device_entry *entries, int32_t capacity, int32_t *count);

/// Opens the device named `name` (`ibv_open_device`).
///
/// Returns 0 and sets `*context`, ENODEV when no device has that name, or the errno of
/// `ibv_get_device_list` / `ibv_open_device` (EACCES when /dev/infiniband/uverbsN is not
/// accessible). Close the context with `CIOFabric_verbs_close_device`.
int CIOFabric_verbs_open_device(const CIOFabric_verbs_library *library, const char *name,
                                CIOFabric_verbs_context **context);

/// Closes a context from `CIOFabric_verbs_open_device` and frees it (`ibv_close_device`).
/// Returns 0 or an errno value; the context is freed either way.
int CIOFabric_verbs_close_device(CIOFabric_verbs_context *context);

/// The attributes of a device (`struct ibv_device_attr`), GUIDs in host byte order.
typedef struct CIOFabric_verbs_device_attributes {
    char firmware_version[64];
    uint64_t node_guid;
    uint64_t system_image_guid;
    uint64_t max_mr_size;
    uint64_t page_size_cap;
    uint32_t vendor_id;
    uint32_t vendor_part_id;
    uint32_t hardware_version;
    uint32_t device_cap_flags;
    int32_t max_qp;
    int32_t max_qp_wr;
    int32_t max_sge;
    int32_t max_sge_rd;
    int32_t max_cq;
    int32_t max_cqe;
    int32_t max_mr;
    int32_t max_pd;
    int32_t max_qp_rd_atom;
    int32_t max_qp_init_rd_atom;
    int32_t max_srq;
    int32_t max_srq_wr;
    int32_t max_srq_sge;
    int32_t max_ah;
    int32_t max_mw;
    /// `enum ibv_atomic_cap`: 0 none, 1 HCA, 2 global.
    int32_t atomic_cap;
    uint16_t max_pkeys;
    uint8_t local_ca_ack_delay;
    uint8_t physical_port_count;
} CIOFabric_verbs_device_attributes;

/// Queries the device's attributes (`ibv_query_device`). Returns 0 or an errno value.
int CIOFabric_verbs_query_device(const CIOFabric_verbs_context *context,
                                 CIOFabric_verbs_device_attributes *attributes);

/// The attributes of one port (`struct ibv_port_attr`, the fields of its IBVERBS_1.1 ABI).
typedef struct CIOFabric_verbs_port_attributes {
    /// `enum ibv_port_state`: 0 NOP, 1 down, 2 init, 3 armed, 4 active, 5 active-defer.
    int32_t state;
    /// `enum ibv_mtu`: 1 = 256 bytes, ... 5 = 4096 bytes.
    int32_t max_mtu;
    int32_t active_mtu;
    int32_t gid_table_length;
    uint32_t port_cap_flags;
    uint32_t max_message_size;
    uint32_t bad_pkey_counter;
    uint32_t qkey_violation_counter;
    uint16_t pkey_table_length;
    uint16_t lid;
    uint16_t sm_lid;
    uint8_t lmc;
    uint8_t max_vl_num;
    uint8_t sm_sl;
    uint8_t subnet_timeout;
    uint8_t init_type_reply;
    /// IB encoding: 1 = 1X, 2 = 4X, 4 = 8X, 8 = 12X, 16 = 2X.
    uint8_t active_width;
    /// IB encoding: 1 SDR, 2 DDR, 4 QDR, 8 FDR10, 16 FDR, 32 EDR, 64 HDR, 128 NDR.
    uint8_t active_speed;
    /// 1 sleep, 2 polling, 3 disabled, 4 training, 5 link up, 6 error recovery, 7 PHY test.
    uint8_t physical_state;
    /// 0 unspecified, 1 InfiniBand, 2 Ethernet (RoCE).
    uint8_t link_layer;
    uint8_t flags;
} CIOFabric_verbs_port_attributes;

/// Queries port `port` (numbered from 1) of an opened device. Returns 0 or an errno value
/// (EINVAL for a port the device does not have).
///
/// The corresponding C function is `ibv_query_port`, which <infiniband/verbs.h> defines as a
/// macro; this calls the exported `ibv_query_port@@IBVERBS_1.1`, as the macro's fallback does.
int CIOFabric_verbs_query_port(const CIOFabric_verbs_context *context, uint8_t port,
                               CIOFabric_verbs_port_attributes *attributes);

/// Reads entry `index` of the GID table of `port` into `gid[0 ..< 16]` (network byte order).
/// An empty entry reads as 16 zero bytes. Returns 0 or an errno value.
int CIOFabric_verbs_query_gid(const CIOFabric_verbs_context *context, uint8_t port, int32_t index,
                              uint8_t *gid);

// The verbs data path (PDs, MRs, CQs, QPs, AHs, async events): its own header, with its
// own extern "C" block.
#include "CIOFabric_verbs_data.h"

// MARK: - SCSI generic (SG_IO): see CIOFabric_sg.h

#ifdef __cplusplus
}
#endif

#endif // CIOFABRIC_H
