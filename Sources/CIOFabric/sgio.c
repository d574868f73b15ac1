// SCSI generic: open a device, run one command through ioctl(SG_IO); see CIOFabric_sg.h.

#include "CIOFabric.h"

#include <errno.h>
#include <fcntl.h>
#include <scsi/sg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

_Static_assert(CIOFabric_SG_SENSE_CAPACITY <= 255, "sg_io_hdr.mx_sb_len is an unsigned char");
_Static_assert(CIOFabric_SG_MAX_SENSE <= 255, "sg_io_hdr.mx_sb_len is an unsigned char");
_Static_assert(CIOFabric_SG_SENSE_CAPACITY <= CIOFabric_SG_MAX_SENSE, "the INQUIRY sense buffer fits the result's");
_Static_assert(CIOFabric_SG_MAX_CDB == 255, "sg_io_hdr.cmd_len is an unsigned char");

// The header mirrors <scsi/sg.h>'s values without including it.
_Static_assert(CIOFabric_SG_DXFER_NONE == SG_DXFER_NONE, "SG_DXFER_NONE");
_Static_assert(CIOFabric_SG_DXFER_TO_DEV == SG_DXFER_TO_DEV, "SG_DXFER_TO_DEV");
_Static_assert(CIOFabric_SG_DXFER_FROM_DEV == SG_DXFER_FROM_DEV, "SG_DXFER_FROM_DEV");
_Static_assert(CIOFabric_SG_DXFER_TO_FROM_DEV == SG_DXFER_TO_FROM_DEV, "SG_DXFER_TO_FROM_DEV");
_Static_assert(CIOFabric_SG_INFO_OK_MASK == SG_INFO_OK_MASK, "SG_INFO_OK_MASK");
_Static_assert(CIOFabric_SG_INFO_CHECK == SG_INFO_CHECK, "SG_INFO_CHECK");

static int ioctl_retrying(int fd, unsigned long request, void *argument) {
    int rc;
    do {
        rc = ioctl(fd, request, argument);
    } while (rc < 0 && errno == EINTR);
    return rc < 0 ? errno : 0;
}

int CIOFabric_sg_open(const char *path, int32_t *fd_out, int32_t *sg_version, CIOFabric_sg_stage *failed_stage) {
    *fd_out = -1;
    *sg_version = 0;
    *failed_stage = CIOFabric_SG_STAGE_NONE;
    int fd;
    do {
        fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        *failed_stage = CIOFabric_SG_STAGE_OPEN;
        return errno;
    }
    int version = 0;
    int error = ioctl_retrying(fd, SG_GET_VERSION_NUM, &version);
    if (error != 0) {
        // Character devices other than sg answer ENOTTY; some drivers answer EINVAL to
        // ioctls they do not know. Either way: not a SCSI generic device.
        *failed_stage = CIOFabric_SG_STAGE_VERSION;
        close(fd);
        return error == EINVAL ? ENOTTY : error;
    }
    *fd_out = fd;
    *sg_version = version;
    return 0;
}

void CIOFabric_sg_query_limits(int32_t fd, CIOFabric_sg_limits *limits) {
    int value = 0;
    limits->sg_table_size = ioctl_retrying(fd, SG_GET_SG_TABLESIZE, &value) == 0 ? value : -1;
    value = 0;
    limits->reserved_size = ioctl_retrying(fd, SG_GET_RESERVED_SIZE, &value) == 0 ? value : -1;
}

int CIOFabric_sg_execute(int32_t fd, const uint8_t *cdb, uint32_t cdb_length, int32_t direction, void *buffer,
                         uint32_t length, uint32_t timeout_ms, CIOFabric_sg_result *result) {
    memset(result, 0, sizeof(*result));
    if (cdb_length == 0 || cdb_length > CIOFabric_SG_MAX_CDB) return EINVAL;
    sg_io_hdr_t header;
    memset(&header, 0, sizeof(header));
    header.interface_id = 'S';
    header.dxfer_direction = direction;
    header.cmd_len = (unsigned char)cdb_length;
    header.cmdp = (unsigned char *)cdb;
    header.dxfer_len = length;
    header.dxferp = length > 0 ? buffer : NULL;
    header.mx_sb_len = CIOFabric_SG_MAX_SENSE;
    header.sbp = result->sense;
    header.timeout = timeout_ms;
    // Not retried on EINTR: see the header.
    if (ioctl(fd, SG_IO, &header) < 0) return errno;
    result->scsi_status = header.status;
    result->masked_status = header.masked_status;
    result->host_status = header.host_status;
    result->driver_status = header.driver_status;
    result->sense_length = header.sb_len_wr <= CIOFabric_SG_MAX_SENSE ? header.sb_len_wr : CIOFabric_SG_MAX_SENSE;
    result->residual = header.resid;
    result->duration_ms = header.duration;
    result->info = header.info;
    return 0;
}

/// Copies the INQUIRY field `data[start ..< end]` into `out` (capacity end - start + 1): blanks
/// and NULs at the end dropped, non-printable bytes shown as '.', nothing past `available`.
static void inquiry_field(const uint8_t *data, uint32_t available, uint32_t start, uint32_t end, char *out) {
    uint32_t length = 0;
    if (available > start) {
        uint32_t stop = available < end ? available : end;
        for (uint32_t index = start; index < stop; index++) {
            uint8_t byte = data[index];
            out[length++] = (byte >= 0x20 && byte <= 0x7e) ? (char)byte : '.';
        }
    }
    while (length > 0 && out[length - 1] == ' ') length--;
    out[length] = '\0';
}

/// Drops a trailing run of NUL bytes, which some devices use instead of blanks, before
/// `inquiry_field` turns them into dots.
static uint32_t field_end_without_nuls(const uint8_t *data, uint32_t available, uint32_t start, uint32_t end) {
    uint32_t stop = available < end ? available : end;
    while (stop > start && data[stop - 1] == 0) stop--;
    return stop;
}

int CIOFabric_sg_inquiry(const char *path, uint32_t timeout_ms, CIOFabric_sg_inquiry_result *result) {
    memset(result, 0, sizeof(*result));

    int32_t fd = -1;
    int32_t version = 0;
    CIOFabric_sg_stage stage = CIOFabric_SG_STAGE_NONE;
    int error = CIOFabric_sg_open(path, &fd, &version, &stage);
    if (error != 0) {
        result->failed_stage = stage;
        return error;
    }
    result->sg_version = version;

    // INQUIRY, EVPD 0, page 0, allocation length 96 (SPC-4 6.6). It has no side effects, so
    // an interrupted SG_IO is simply sent again.
    const uint8_t cdb[6] = { 0x12, 0x00, 0x00, 0x00, CIOFabric_SG_INQUIRY_LENGTH, 0x00 };
    CIOFabric_sg_result outcome;
    do {
        error = CIOFabric_sg_execute(fd, cdb, sizeof(cdb), CIOFabric_SG_DXFER_FROM_DEV, result->data,
                                     CIOFabric_SG_INQUIRY_LENGTH, timeout_ms, &outcome);
    } while (error == EINTR);
    close(fd);
    if (error != 0) {
        result->failed_stage = CIOFabric_SG_STAGE_SG_IO;
        return error;
    }

    result->scsi_status = outcome.scsi_status;
    result->masked_status = outcome.masked_status;
    result->host_status = outcome.host_status;
    result->driver_status = outcome.driver_status;
    result->sense_length = outcome.sense_length <= CIOFabric_SG_SENSE_CAPACITY ? outcome.sense_length
                                                                                : CIOFabric_SG_SENSE_CAPACITY;
    memcpy(result->sense, outcome.sense, result->sense_length);
    result->residual = outcome.residual;
    result->duration_ms = outcome.duration_ms;
    result->info = outcome.info;

    int32_t transferred = (int32_t)CIOFabric_SG_INQUIRY_LENGTH - outcome.residual;
    if (transferred < 0) transferred = 0;
    if (transferred > CIOFabric_SG_INQUIRY_LENGTH) transferred = CIOFabric_SG_INQUIRY_LENGTH;
    result->data_length = (uint32_t)transferred;

    uint32_t available = result->data_length;
    inquiry_field(result->data, field_end_without_nuls(result->data, available, 8, 16), 8, 16, result->vendor);
    inquiry_field(result->data, field_end_without_nuls(result->data, available, 16, 32), 16, 32, result->product);
    inquiry_field(result->data, field_end_without_nuls(result->data, available, 32, 36), 32, 36, result->revision);
    return 0;
}
