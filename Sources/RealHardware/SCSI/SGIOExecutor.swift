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
/// The data moves straight between the kernel and the arrays the command and the result carry:
/// a write hands SG_IO the storage of ``SGIOCommand/dataOut``, a read the storage of a new,
/// uninitialised ``SGIOResult/dataIn`` of ``SGIOCommand/transferLength`` bytes that the kernel
/// fills. Nothing is copied, zeroed or allocated besides that array. The sg driver does
/// indirect I/O by default (`allow_dio` is 0): it copies between its own reserved buffer and
/// ours, so our buffer needs no page alignment. After a read only the bytes the device did not
/// transfer (the residual, at the end) are zeroed, so no stale memory is ever handed on.
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
        var raw = CIOFabric_sg_result()
        var code: Int32 = 0
        var elapsed = TimeSpan.zero
        var dataIn: [UInt8] = []

        func run(_ buffer: UnsafeMutableRawPointer?) {
            let started = MonotonicClock.now()
            code = command.cdb.withUnsafeBufferPointer { cdb in
                CIOFabric_sg_execute(
                    fileDescriptor, cdb.baseAddress, UInt32(cdb.count), command.direction.rawValue, buffer,
                    UInt32(length), command.timeoutMilliseconds, &raw)
            }
            elapsed = MonotonicClock.now() - started
        }

        switch command.direction {
        case .toDevice where command.dataOut.count >= length:
            // SG_IO only reads a data-out buffer: the array's own storage serves.
            command.dataOut.withUnsafeBytes { bytes in run(UnsafeMutableRawPointer(mutating: bytes.baseAddress)) }
        case .toDevice:
            // A shorter data-out than the transfer (only hand-built commands): zero-padded.
            var padded = command.dataOut
            padded.append(contentsOf: repeatElement(0, count: length - padded.count))
            padded.withUnsafeMutableBytes { bytes in run(bytes.baseAddress) }
        case .toFromDevice:
            // The buffer goes to the kernel first: zeroes, as the simulated device would see.
            var buffer = [UInt8](repeating: 0, count: max(length, 1))
            buffer.withUnsafeMutableBytes { bytes in run(bytes.baseAddress) }
        case .fromDevice:
            dataIn = [UInt8](unsafeUninitializedCapacity: max(length, 1)) { buffer, initialized in
                run(UnsafeMutableRawPointer(buffer.baseAddress))
                // What the device did not transfer (the tail) must not show old heap bytes.
                let transferred =
                    code == 0 ? min(max(length - Int(raw.residual), 0), length) : 0
                if transferred < length {
                    (buffer.baseAddress! + transferred).initialize(repeating: 0, count: length - transferred)
                }
                initialized = length
            }
        default:
            run(nil)
        }
        guard code == 0 else { return .failed(errno: code, executionTime: elapsed) }

        let senseLength = min(Int(raw.sense_length), Int(CIOFabric_SG_MAX_SENSE))
        let sense = senseLength == 0 ? [] : withUnsafeBytes(of: raw.sense) { Array($0.prefix(senseLength)) }
        if command.direction != .fromDevice { dataIn = [] }
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
