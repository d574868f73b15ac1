// SCSI generic: a synchronous INQUIRY through ioctl(SG_IO); see CIOFabric.h.

#include "CIOFabric.h"

#include <errno.h>
#include <fcntl.h>
#include <scsi/sg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

_Static_assert(CIOFabric_SG_SENSE_CAPACITY <= 255, "sg_io_hdr.mx_sb_len is an unsigned char");

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

    int fd;
    do {
        fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        result->failed_stage = CIOFabric_SG_STAGE_OPEN;
        return errno;
    }

    int error = 0;
    int version = 0;
    int rc;
    do {
        rc = ioctl(fd, SG_GET_VERSION_NUM, &version);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        // Character devices other than sg answer ENOTTY; some drivers answer EINVAL to
        // ioctls they do not know. Either way: not a SCSI generic device.
        error = (errno == EINVAL) ? ENOTTY : errno;
        result->failed_stage = CIOFabric_SG_STAGE_VERSION;
        close(fd);
        return error;
    }
    result->sg_version = version;

    // INQUIRY, EVPD 0, page 0, allocation length 96 (SPC-4 6.6).
    uint8_t cdb[6] = { 0x12, 0x00, 0x00, 0x00, CIOFabric_SG_INQUIRY_LENGTH, 0x00 };
    sg_io_hdr_t header;
    memset(&header, 0, sizeof(header));
    header.interface_id = 'S';
    header.dxfer_direction = SG_DXFER_FROM_DEV;
    header.cmd_len = sizeof(cdb);
    header.cmdp = cdb;
    header.dxfer_len = CIOFabric_SG_INQUIRY_LENGTH;
    header.dxferp = result->data;
    header.mx_sb_len = CIOFabric_SG_SENSE_CAPACITY;
    header.sbp = result->sense;
    header.timeout = timeout_ms;

    // INQUIRY has no side effects, so an interrupted SG_IO is simply sent again.
    do {
        rc = ioctl(fd, SG_IO, &header);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        error = errno;
        result->failed_stage = CIOFabric_SG_STAGE_SG_IO;
        close(fd);
        return error;
    }
    close(fd);

    result->scsi_status = header.status;
    result->masked_status = header.masked_status;
    result->host_status = header.host_status;
    result->driver_status = header.driver_status;
    result->sense_length = header.sb_len_wr <= CIOFabric_SG_SENSE_CAPACITY ? header.sb_len_wr
                                                                            : CIOFabric_SG_SENSE_CAPACITY;
    result->residual = header.resid;
    result->duration_ms = header.duration;
    result->info = header.info;

    int32_t transferred = (int32_t)CIOFabric_SG_INQUIRY_LENGTH - header.resid;
    if (transferred < 0) transferred = 0;
    if (transferred > CIOFabric_SG_INQUIRY_LENGTH) transferred = CIOFabric_SG_INQUIRY_LENGTH;
    result->data_length = (uint32_t)transferred;

    uint32_t available = result->data_length;
    inquiry_field(result->data, field_end_without_nuls(result->data, available, 8, 16), 8, 16, result->vendor);
    inquiry_field(result->data, field_end_without_nuls(result->data, available, 16, 32), 16, 32, result->product);
    inquiry_field(result->data, field_end_without_nuls(result->data, available, 32, 36), 32, 36, result->revision);
    return 0;
}
