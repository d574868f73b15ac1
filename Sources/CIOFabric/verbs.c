// libibverbs, loaded at run time with dlopen(); see CIOFabric.h and verbs_abi.h.

#include "CIOFabric.h"
#include "verbs_abi.h"
#include "verbs_internal.h"

#include <dlfcn.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// Copies `text` into `buffer[0 ..< capacity]`, truncating, always NUL-terminated.
static void copy_text(char *buffer, size_t capacity, const char *text) {
    if (capacity == 0) return;
    snprintf(buffer, capacity, "%s", text != NULL ? text : "");
}

/// Looks `name` up at the current ABI version, then unversioned (a library built without
/// symbol versions exports only one definition, the current one). Never the IBVERBS_1.0
/// versions: they take the pre-2006 structs.
static void *lookup(void *handle, const char *name) {
    dlerror();
    void *symbol = dlvsym(handle, name, "IBVERBS_1.1");
    if (symbol == NULL) {
        dlerror();
        symbol = dlsym(handle, name);
    }
    return symbol;
}

const CIOFabric_verbs_library *CIOFabric_verbs_load(const char *soname, CIOFabric_verbs_load_result *result) {
    memset(result, 0, sizeof(*result));
    dlerror();
    void *handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        result->status = CIOFabric_VERBS_LIBRARY_NOT_FOUND;
        copy_text(result->detail, sizeof(result->detail), dlerror());
        return NULL;
    }

    CIOFabric_verbs_library library = { .handle = handle };
    // The function pointer casts go through `void *`, as POSIX specifies for dlsym().
#define CIOFABRIC_LOOKUP(field, name)                                                                \
    do {                                                                                             \
        void *symbol = lookup(handle, name);                                                         \
        if (symbol == NULL) {                                                                        \
            const char *reason = dlerror();                                                          \
            result->status = CIOFabric_VERBS_SYMBOL_MISSING;                                         \
            copy_text(result->symbol, sizeof(result->symbol), name);                                 \
            copy_text(result->detail, sizeof(result->detail), reason != NULL ? reason : "not found"); \
            dlclose(handle);                                                                         \
            return NULL;                                                                             \
        }                                                                                            \
        memcpy(&library.field, &symbol, sizeof(symbol));                                             \
    } while (0)

    CIOFABRIC_LOOKUP(get_device_list, "ibv_get_device_list");
    CIOFABRIC_LOOKUP(free_device_list, "ibv_free_device_list");
    CIOFABRIC_LOOKUP(get_device_name, "ibv_get_device_name");
    CIOFABRIC_LOOKUP(get_device_guid, "ibv_get_device_guid");
    CIOFABRIC_LOOKUP(open_device, "ibv_open_device");
    CIOFABRIC_LOOKUP(close_device, "ibv_close_device");
    CIOFABRIC_LOOKUP(query_device, "ibv_query_device");
    // In verbs.h `ibv_query_port` is a macro around the static inline `___ibv_query_port`,
    // which is never exported; the library exports `ibv_query_port` itself, at IBVERBS_1.0
    // and IBVERBS_1.1 (default). `lookup` takes the IBVERBS_1.1 one.
    CIOFABRIC_LOOKUP(query_port, "ibv_query_port");
    CIOFABRIC_LOOKUP(query_gid, "ibv_query_gid");
#if CIOFABRIC_HAVE_VERBS_HEADER
    // The data path (verbs_data.c). All of these exist since libibverbs 1.1 (2006).
    CIOFABRIC_LOOKUP(alloc_pd, "ibv_alloc_pd");
    CIOFABRIC_LOOKUP(dealloc_pd, "ibv_dealloc_pd");
    // `ibv_reg_mr` is a macro in verbs.h; its fallback calls the exported function, as we do.
    CIOFABRIC_LOOKUP(reg_mr, "ibv_reg_mr");
    CIOFABRIC_LOOKUP(dereg_mr, "ibv_dereg_mr");
    CIOFABRIC_LOOKUP(create_comp_channel, "ibv_create_comp_channel");
    CIOFABRIC_LOOKUP(destroy_comp_channel, "ibv_destroy_comp_channel");
    CIOFABRIC_LOOKUP(create_cq, "ibv_create_cq");
    CIOFABRIC_LOOKUP(destroy_cq, "ibv_destroy_cq");
    CIOFABRIC_LOOKUP(get_cq_event, "ibv_get_cq_event");
    CIOFABRIC_LOOKUP(ack_cq_events, "ibv_ack_cq_events");
    CIOFABRIC_LOOKUP(create_qp, "ibv_create_qp");
    CIOFABRIC_LOOKUP(modify_qp, "ibv_modify_qp");
    CIOFABRIC_LOOKUP(query_qp, "ibv_query_qp");
    CIOFABRIC_LOOKUP(destroy_qp, "ibv_destroy_qp");
    CIOFABRIC_LOOKUP(create_ah, "ibv_create_ah");
    CIOFABRIC_LOOKUP(destroy_ah, "ibv_destroy_ah");
    CIOFABRIC_LOOKUP(get_async_event, "ibv_get_async_event");
    CIOFABRIC_LOOKUP(ack_async_event, "ibv_ack_async_event");
#endif
#undef CIOFABRIC_LOOKUP

    CIOFabric_verbs_library *loaded = malloc(sizeof(*loaded));
    if (loaded == NULL) {
        // Out of memory this early is not something to recover from gracefully.
        fprintf(stderr, "CIOFabric: out of memory loading %s\n", soname);
        abort();
    }
    *loaded = library;
    result->status = CIOFabric_VERBS_LOADED;
    return loaded;
}

int CIOFabric_verbs_list_devices(const CIOFabric_verbs_library *library,
                                 CIOFabric_verbs_device_entry *entries, int32_t capacity, int32_t *count) {
    *count = 0;
    int number = 0;
    errno = 0;
    CIOFabric_ibv_device_t **list = library->get_device_list(&number);
    if (list == NULL) return failure_errno();

    for (int index = 0; index < number && list[index] != NULL; index++) {
        if (index < capacity) {
            CIOFabric_ibv_device_t *device = list[index];
            CIOFabric_verbs_device_entry *entry = &entries[index];
            memset(entry, 0, sizeof(*entry));
            copy_text(entry->name, sizeof(entry->name), library->get_device_name(device));
            entry->guid = be64toh(library->get_device_guid(device));
            entry->node_type = (int32_t)device->node_type;
            entry->transport_type = (int32_t)device->transport_type;
        }
        *count = index + 1;
    }
    library->free_device_list(list);
    return 0;
}

int CIOFabric_verbs_open_device(const CIOFabric_verbs_library *library, const char *name,
                                CIOFabric_verbs_context **context) {
    *context = NULL;
    int number = 0;
    errno = 0;
    CIOFabric_ibv_device_t **list = library->get_device_list(&number);
    if (list == NULL) return failure_errno();

    int error = ENODEV;
    for (int index = 0; index < number && list[index] != NULL; index++) {
        const char *device_name = library->get_device_name(list[index]);
        if (device_name == NULL || strcmp(device_name, name) != 0) continue;

        errno = 0;
        struct ibv_context *ibv = library->open_device(list[index]);
        if (ibv == NULL) {
            error = failure_errno();
            break;
        }
        CIOFabric_verbs_context *opened = malloc(sizeof(*opened));
        if (opened == NULL) {
            library->close_device(ibv);
            error = ENOMEM;
            break;
        }
        opened->library = library;
        opened->ibv = ibv;
        *context = opened;
        error = 0;
        break;
    }
    // An opened context keeps its device alive; the list may go (ibv_free_device_list(3)).
    library->free_device_list(list);
    return error;
}

int CIOFabric_verbs_close_device(CIOFabric_verbs_context *context) {
    errno = 0;
    int rc = context->library->close_device(context->ibv);
    free(context);
    return verbs_result(rc);
}

int CIOFabric_verbs_query_device(const CIOFabric_verbs_context *context,
                                 CIOFabric_verbs_device_attributes *attributes) {
    memset(attributes, 0, sizeof(*attributes));
    CIOFabric_ibv_device_attr_t attr;
    memset(&attr, 0, sizeof(attr));
    errno = 0;
    int rc = verbs_result(context->library->query_device(context->ibv, &attr));
    if (rc != 0) return rc;

    // fw_ver is not guaranteed to be NUL-terminated when it fills all 64 bytes.
    size_t firmware_length = strnlen(attr.fw_ver, sizeof(attr.fw_ver));
    if (firmware_length >= sizeof(attributes->firmware_version)) {
        firmware_length = sizeof(attributes->firmware_version) - 1;
    }
    memcpy(attributes->firmware_version, attr.fw_ver, firmware_length);
    attributes->firmware_version[firmware_length] = '\0';

    attributes->node_guid = be64toh(attr.node_guid);
    attributes->system_image_guid = be64toh(attr.sys_image_guid);
    attributes->max_mr_size = attr.max_mr_size;
    attributes->page_size_cap = attr.page_size_cap;
    attributes->vendor_id = attr.vendor_id;
    attributes->vendor_part_id = attr.vendor_part_id;
    attributes->hardware_version = attr.hw_ver;
    attributes->device_cap_flags = attr.device_cap_flags;
    attributes->max_qp = attr.max_qp;
    attributes->max_qp_wr = attr.max_qp_wr;
    attributes->max_sge = attr.max_sge;
    attributes->max_sge_rd = attr.max_sge_rd;
    attributes->max_cq = attr.max_cq;
    attributes->max_cqe = attr.max_cqe;
    attributes->max_mr = attr.max_mr;
    attributes->max_pd = attr.max_pd;
    attributes->max_qp_rd_atom = attr.max_qp_rd_atom;
    attributes->max_qp_init_rd_atom = attr.max_qp_init_rd_atom;
    attributes->max_srq = attr.max_srq;
    attributes->max_srq_wr = attr.max_srq_wr;
    attributes->max_srq_sge = attr.max_srq_sge;
    attributes->max_ah = attr.max_ah;
    attributes->max_mw = attr.max_mw;
    attributes->atomic_cap = (int32_t)attr.atomic_cap;
    attributes->max_pkeys = attr.max_pkeys;
    attributes->local_ca_ack_delay = attr.local_ca_ack_delay;
    attributes->physical_port_count = attr.phys_port_cnt;
    return 0;
}

int CIOFabric_verbs_query_port(const CIOFabric_verbs_context *context, uint8_t port,
                               CIOFabric_verbs_port_attributes *attributes) {
    memset(attributes, 0, sizeof(*attributes));
    // Zeroed first, as verbs.h's ___ibv_query_port does: the IBVERBS_1.1 entry point fills
    // only its prefix of the struct.
    CIOFabric_ibv_port_attr_t attr;
    memset(&attr, 0, sizeof(attr));
    errno = 0;
    int rc = verbs_result(context->library->query_port(context->ibv, port, &attr));
    if (rc != 0) return rc;

    attributes->state = (int32_t)attr.state;
    attributes->max_mtu = (int32_t)attr.max_mtu;
    attributes->active_mtu = (int32_t)attr.active_mtu;
    attributes->gid_table_length = attr.gid_tbl_len;
    attributes->port_cap_flags = attr.port_cap_flags;
    attributes->max_message_size = attr.max_msg_sz;
    attributes->bad_pkey_counter = attr.bad_pkey_cntr;
    attributes->qkey_violation_counter = attr.qkey_viol_cntr;
    attributes->pkey_table_length = attr.pkey_tbl_len;
    attributes->lid = attr.lid;
    attributes->sm_lid = attr.sm_lid;
    attributes->lmc = attr.lmc;
    attributes->max_vl_num = attr.max_vl_num;
    attributes->sm_sl = attr.sm_sl;
    attributes->subnet_timeout = attr.subnet_timeout;
    attributes->init_type_reply = attr.init_type_reply;
    attributes->active_width = attr.active_width;
    attributes->active_speed = attr.active_speed;
    attributes->physical_state = attr.phys_state;
    attributes->link_layer = attr.link_layer;
    attributes->flags = attr.flags;
    return 0;
}

int CIOFabric_verbs_query_gid(const CIOFabric_verbs_context *context, uint8_t port, int32_t index,
                              uint8_t *gid) {
    CIOFabric_ibv_gid_t entry;
    memset(&entry, 0, sizeof(entry));
    errno = 0;
    int rc = verbs_result(context->library->query_gid(context->ibv, port, index, &entry));
    if (rc != 0) {
        memset(gid, 0, 16);
        return rc;
    }
    memcpy(gid, entry.raw, 16);
    return 0;
}
