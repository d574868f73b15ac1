// CIOFabric_sg: SCSI generic (SG_IO) for the real backend.
//
// `ioctl` is variadic, so Swift cannot call it: opening a SCSI generic device (a /dev/sgN node,
// or a SCSI block device that accepts SG_IO) and running one command through ioctl(SG_IO) live
// here. The header is the same on every machine: it does not include <scsi/sg.h>; the values
// it mirrors (SG_DXFER_*, SG_INFO_*) are `_Static_assert`ed against <scsi/sg.h> in sgio.c.
//
// Same conventions as CIOFabric.h: every symbol is prefixed `CIOFabric_`; functions return 0
// or a positive errno value and never leave their result in the global `errno`.

#ifndef CIOFABRIC_SG_H
#define CIOFABRIC_SG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The step of `CIOFabric_sg_open` / `CIOFabric_sg_inquiry` that failed with an errno value.
typedef enum CIOFabric_sg_stage {
    /// No system call failed: the command ran and the SCSI outcome is in the result.
    CIOFabric_SG_STAGE_NONE = 0,
    /// open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC).
    CIOFabric_SG_STAGE_OPEN = 1,
    /// ioctl(SG_GET_VERSION_NUM): ENOTTY (or EINVAL) means not a SCSI generic device.
    CIOFabric_SG_STAGE_VERSION = 2,
    /// ioctl(SG_IO).
    CIOFabric_SG_STAGE_SG_IO = 3,
} CIOFabric_sg_stage;

/// The standard INQUIRY allocation length `CIOFabric_sg_inquiry` asks for (CDB `12 00 00 00 60 00`).
#define CIOFabric_SG_INQUIRY_LENGTH 96
/// The sense buffer handed to SG_IO.
#define CIOFabric_SG_SENSE_CAPACITY 64

/// The outcome of one synchronous INQUIRY through SG_IO (`struct sg_io_hdr`'s outputs).
typedef struct CIOFabric_sg_inquiry_result {
    CIOFabric_sg_stage failed_stage;
    /// SG_GET_VERSION_NUM's answer, e.g. 30536 for sg driver 3.5.36.
    int32_t sg_version;
    /// The SCSI status byte: 0x00 GOOD, 0x02 CHECK CONDITION, 0x08 BUSY, ...
    uint8_t scsi_status;
    uint8_t masked_status;
    /// Errors from the host adapter (DID_*) and the driver (DRIVER_*).
    uint16_t host_status;
    uint16_t driver_status;
    /// How many bytes of `sense` the device wrote.
    uint8_t sense_length;
    uint8_t sense[CIOFabric_SG_SENSE_CAPACITY];
    /// Requested minus transferred bytes, as the driver reports it.
    int32_t residual;
    uint32_t duration_ms;
    /// SG_INFO_* flags: bit 0 set when something abnormal happened.
    uint32_t info;
    /// Bytes of `data` actually transferred (the request length minus the residual).
    uint32_t data_length;
    uint8_t data[CIOFabric_SG_INQUIRY_LENGTH];
    /// T10 vendor (bytes 8–15), product (16–31) and revision (32–35) of the response,
    /// trailing blanks removed, bytes outside printable ASCII shown as '.', NUL-terminated;
    /// empty where the response was too short to hold the field.
    char vendor[9];
    char product[17];
    char revision[5];
} CIOFabric_sg_inquiry_result;

/// Opens `path` (a /dev/sgN node or a SCSI block device), checks it answers
/// SG_GET_VERSION_NUM, and sends a standard INQUIRY (96 bytes, `timeout_ms` timeout) with
/// ioctl(SG_IO), synchronously. The descriptor is closed before returning.
///
/// Returns 0 when the command ran (its SCSI outcome, good or not, is in `result`), or the errno
/// of the step named by `result->failed_stage`: ENOENT, EACCES, ... from open; ENOTTY when the
/// file is not a SCSI generic device (EINVAL from SG_GET_VERSION_NUM is reported as ENOTTY);
/// EIO, ... from SG_IO. Interrupted calls (EINTR) are retried.
int CIOFabric_sg_inquiry(const char *path, uint32_t timeout_ms, CIOFabric_sg_inquiry_result *result);

// MARK: - Opening a device and running one command

/// `sg_io_hdr.dxfer_direction` values (<scsi/sg.h>): no data, to the device, from the device,
/// and from the device after copying the buffer in. The same numbers as Hardware's
/// `SCSIDataDirection`.
#define CIOFabric_SG_DXFER_NONE (-1)
#define CIOFabric_SG_DXFER_TO_DEV (-2)
#define CIOFabric_SG_DXFER_FROM_DEV (-3)
#define CIOFabric_SG_DXFER_TO_FROM_DEV (-4)

/// `sg_io_hdr.info` bits (<scsi/sg.h>): bit 0 clear when the command went fine
/// (`SG_INFO_OK`), set when a status, host or driver byte is non-zero (`SG_INFO_CHECK`).
#define CIOFabric_SG_INFO_OK_MASK 0x1u
#define CIOFabric_SG_INFO_CHECK 0x1u

/// The sense buffer `CIOFabric_sg_execute` hands to SG_IO: SPC-4's largest sense data (252
/// bytes: 8 + an ADDITIONAL SENSE LENGTH of at most 244), Hardware's `SCSIRequest.maxSenseLength`.
#define CIOFabric_SG_MAX_SENSE 252

/// The longest CDB SG_IO takes: `sg_io_hdr.cmd_len` is an unsigned char.
#define CIOFabric_SG_MAX_CDB 255

/// Opens `path` with O_RDWR | O_NONBLOCK | O_CLOEXEC and checks it is a SCSI generic device
/// with ioctl(SG_GET_VERSION_NUM).
///
/// Returns 0 and sets `*fd` and `*sg_version` (e.g. 30536 for sg driver 3.5.36), or the errno of
/// the step named by `*failed_stage`: ENOENT, EACCES, EISDIR, ... from open; ENOTTY when the
/// file is not a SCSI generic device (EINVAL from SG_GET_VERSION_NUM is reported as ENOTTY, as
/// some drivers answer it for ioctls they do not know). The descriptor is closed on failure.
/// Interrupted calls (EINTR) are retried.
int CIOFabric_sg_open(const char *path, int32_t *fd, int32_t *sg_version, CIOFabric_sg_stage *failed_stage);

/// Sizes a SCSI generic descriptor reports; -1 where the ioctl failed (a block device has no
/// SG_GET_SG_TABLESIZE).
typedef struct CIOFabric_sg_limits {
    /// ioctl(SG_GET_SG_TABLESIZE): the host adapter's scatter-gather table size.
    int32_t sg_table_size;
    /// ioctl(SG_GET_RESERVED_SIZE): the bytes of the descriptor's reserved buffer.
    int32_t reserved_size;
} CIOFabric_sg_limits;

/// Reads `fd`'s scatter-gather table size and reserved buffer size. Never fails: a value the
/// device does not give is -1.
void CIOFabric_sg_query_limits(int32_t fd, CIOFabric_sg_limits *limits);

/// The outputs of one SG_IO (`struct sg_io_hdr`'s), flat.
typedef struct CIOFabric_sg_result {
    /// The SCSI status byte: 0x00 GOOD, 0x02 CHECK CONDITION, 0x08 BUSY, ...
    uint8_t scsi_status;
    /// The status byte shifted right by one (obsolete; kept as the kernel reports it).
    uint8_t masked_status;
    /// The host adapter's verdict (DID_*) and the driver's (DRIVER_*).
    uint16_t host_status;
    uint16_t driver_status;
    /// How many bytes of `sense` the device wrote (`sb_len_wr`), at most CIOFabric_SG_MAX_SENSE.
    uint8_t sense_length;
    uint8_t sense[CIOFabric_SG_MAX_SENSE];
    /// Requested minus transferred bytes (`resid`), as the driver reports it.
    int32_t residual;
    /// The command's time in the kernel, in milliseconds (`duration`).
    uint32_t duration_ms;
    /// SG_INFO_* flags.
    uint32_t info;
} CIOFabric_sg_result;

/// Runs one SCSI command synchronously with ioctl(SG_IO) on an open sg descriptor: `cdb`
/// (`cdb_length` bytes, 1...255), data `direction` (CIOFabric_SG_DXFER_*), `length` bytes at
/// `buffer` (written to the device, or filled from it), a `timeout_ms` timeout after which the
/// SCSI layer aborts the command (DID_TIME_OUT).
///
/// Blocks the calling thread for as long as the device takes: call it on a worker thread,
/// never on an event loop. Thread-safe: several threads may run commands on one descriptor.
///
/// Returns 0 when the command ran (its SCSI outcome, good or not, is in `result`), or the
/// errno of SG_IO: EINVAL for a bad length or direction, ENODEV when the device went away,
/// ENOMEM, EIO, EPERM (a block device refuses a command to an unprivileged user), ... EINTR is
/// returned, not retried: the interrupted command may have reached the device, and sending a
/// WRITE or a PERSISTENT RESERVE OUT twice is not harmless. (The backend's worker threads
/// block signals, so they never see it.)
int CIOFabric_sg_execute(int32_t fd, const uint8_t *cdb, uint32_t cdb_length, int32_t direction, void *buffer,
                         uint32_t length, uint32_t timeout_ms, CIOFabric_sg_result *result);

#ifdef __cplusplus
}
#endif

#endif // CIOFABRIC_SG_H
