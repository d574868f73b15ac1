import Agents
import Hardware
import Timebase

/// Writes zeros over the span of each device a block load will touch, before the load: a real
/// disk keeps what an earlier run wrote, and the integrity oracle would take an old run's
/// stamps for corruption (it accepts zeros, or the stamps of this run's writes).
///
/// Per device: READ CAPACITY(16), then WRITE(16)s of ``chunkBytes`` over
/// `min(workingSet, capacity)` rounded down to whole I/Os (what ``DiskLoadGenerator`` touches),
/// ``queueDepth`` at a time. Runs on the loop like any agent; `finished` once every device is
/// done, `problem` says why one failed.
final class RealZeroFill: SCSICompletionHandler {
    /// Bytes per WRITE. [assumption: 64 KiB, the target's default DMA segment: one RTA
    /// buffer per write]
    static let chunkBytes = 64 << 10
    /// WRITEs outstanding per device. [assumption: 4, enough to overlap the fabric and the disk]
    static let queueDepth = 4

    private let devices: [any SCSIGenericDevice]
    private let blockSize: Int
    private let workingSet: Int64?
    private let timeout: TimeSpan
    private var nextByte: [Int64]
    private var endByte: [Int64]
    private var blockLength: [Int]
    private var outstanding: [Int]
    private var tags: [UInt64: (device: Int, bytes: Int)] = [:]
    private var nextTag: UInt64 = 1
    private var done: [Bool]
    private(set) var problem: String?
    private(set) var bytesZeroed: Int64 = 0

    init(devices: [any SCSIGenericDevice], blockSize: Int, workingSet: Int64?, timeout: TimeSpan) {
        self.devices = devices
        self.blockSize = blockSize
        self.workingSet = workingSet
        self.timeout = timeout
        nextByte = Array(repeating: 0, count: devices.count)
        endByte = Array(repeating: 0, count: devices.count)
        blockLength = Array(repeating: 0, count: devices.count)
        outstanding = Array(repeating: 0, count: devices.count)
        done = Array(repeating: false, count: devices.count)
    }

    var finished: Bool { problem != nil || done.allSatisfy { $0 } }

    func start() {
        for index in devices.indices {
            let request = try! SCSIRequest(
                CDB.ReadCapacity16(allocationLength: UInt32(ReadCapacity16Data.length)),
                dataTransfer: .fromDevice(count: ReadCapacity16Data.length), timeout: timeout, tag: takeTag(index))
            submit(request, device: index)
        }
    }

    private func takeTag(_ device: Int, bytes: Int = 0) -> UInt64 {
        defer { nextTag += 1 }
        tags[nextTag] = (device, bytes)
        return nextTag
    }

    private func submit(_ request: SCSIRequest, device: Int) {
        do {
            try devices[device].submit(request, handler: self)
            outstanding[device] += 1
        } catch {
            problem = "\(devices[device].name): zeroing: \(error)"
        }
    }

    private func fill(_ device: Int) {
        while problem == nil && outstanding[device] < Self.queueDepth && nextByte[device] < endByte[device] {
            let bytes = Int(min(Int64(Self.chunkBytes), endByte[device] - nextByte[device]))
            let lba = UInt64(nextByte[device]) / UInt64(blockLength[device])
            nextByte[device] += Int64(bytes)
            let request = try! SCSIRequest(
                CDB.Write16(lba: lba, transferLength: UInt32(bytes / blockLength[device])),
                dataTransfer: .toDevice([UInt8](repeating: 0, count: bytes)), timeout: timeout, tag: takeTag(device, bytes: bytes))
            submit(request, device: device)
        }
        if outstanding[device] == 0 && nextByte[device] >= endByte[device] { done[device] = true }
    }

    func scsiRequestCompleted(_ completion: SCSICompletion) {
        guard let (device, bytes) = tags.removeValue(forKey: completion.tag) else { return }
        outstanding[device] -= 1
        guard completion.isGood else {
            problem = "\(devices[device].name): zeroing failed: \(completion)"
            return
        }
        if blockLength[device] == 0 {
            guard let data = ReadCapacity16Data(bytes: completion.dataIn), data.blockLength > 0,
                Self.chunkBytes % Int(data.blockLength) == 0, blockSize % Int(data.blockLength) == 0
            else {
                problem = "\(devices[device].name): zeroing: unusable READ CAPACITY answer"
                return
            }
            blockLength[device] = Int(data.blockLength)
            let capacity = Int64(data.lastLBA + 1) * Int64(data.blockLength)
            let span = min(workingSet ?? capacity, capacity)
            endByte[device] = span / Int64(blockSize) * Int64(blockSize)
        } else {
            bytesZeroed += Int64(bytes)
        }
        fill(device)
    }
}
