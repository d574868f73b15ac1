import CIOFabric
import Glibc
import Hardware

/// Runs one SCSI command synchronously: what a ``RealSCSIGenericDevice``'s worker thread calls
/// for each request. ``KernelSGIOExecutor`` is `ioctl(SG_IO)`; tests inject their own to check
/// the threading and the mapping on a machine without a SCSI device.
///
/// Called on a worker thread (several at once when the device has several workers), never on
/// the loop; it may block for as long as the command takes.
public protocol SGIOExecutor: Sendable {
    /// Runs `command` and returns what the device answered (or the errno of the call).
    func execute(_ command: SGIOCommand) -> SGIOResult
}

/// `ioctl(SG_IO)` on an open SCSI generic descriptor, through `CIOFabric_sg_execute`.
///
/// Each command gets its own page-aligned buffer (`posix_memalign`), the data copied into it
/// before and out of it after the ioctl: the sg driver can then map it for direct I/O, and the
/// caller's arrays never cross into the kernel.
public struct KernelSGIOExecutor: SGIOExecutor {
    /// The descriptor, owned by the device that made this executor.
    public let fileDescriptor: Int32

    public init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    public func execute(_ command: SGIOCommand) -> SGIOResult {
        guard command.cdb.count <= Int(CIOFabric_SG_MAX_CDB), command.transferLength >= 0,
            command.transferLength <= Int(UInt32.max)
        else { return .failed(errno: EINVAL) }
        let length = command.transferLength
        var pointer: UnsafeMutableRawPointer?
        let alignment = AlignedMemory.alignment
        guard posix_memalign(&pointer, alignment, max(length, 1)) == 0, let buffer = pointer else {
            return .failed(errno: ENOMEM)
        }
        defer { free(buffer) }
        if command.direction == .toDevice {
            command.dataOut.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress { buffer.copyMemory(from: base, byteCount: min(bytes.count, length)) }
            }
            if command.dataOut.count < length {
                memset(buffer + command.dataOut.count, 0, length - command.dataOut.count)
            }
        } else {
            memset(buffer, 0, max(length, 1))
        }

        var raw = CIOFabric_sg_result()
        let started = MonotonicClock.now()
        let code = command.cdb.withUnsafeBufferPointer { cdb in
            CIOFabric_sg_execute(
                fileDescriptor, cdb.baseAddress, UInt32(cdb.count), command.direction.rawValue, buffer,
                UInt32(length), command.timeoutMilliseconds, &raw)
        }
        let elapsed = MonotonicClock.now() - started
        guard code == 0 else { return .failed(errno: code, executionTime: elapsed) }

        let senseLength = min(Int(raw.sense_length), Int(CIOFabric_SG_MAX_SENSE))
        let sense = withUnsafeBytes(of: raw.sense) { Array($0.prefix(senseLength)) }
        let dataIn =
            command.direction == .fromDevice ? Array(UnsafeRawBufferPointer(start: buffer, count: length)) : []
        return SGIOResult(
            status: raw.scsi_status, maskedStatus: raw.masked_status, hostStatus: raw.host_status,
            driverStatus: raw.driver_status, sense: sense, residual: raw.residual,
            durationMilliseconds: raw.duration_ms, info: raw.info, dataIn: dataIn, executionTime: elapsed)
    }
}

/// CLOCK_MONOTONIC, the clock ``RealNodeRuntime`` runs on, readable from any thread.
enum MonotonicClock {
    static func now() -> TimeSpan {
        .nanoseconds(CIOFabric_loop_monotonic_ns())
    }
}
