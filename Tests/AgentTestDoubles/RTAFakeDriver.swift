import Agents
import Hardware

/// A test double of a ``DeviceDriver``: every operation takes `serviceTime`; reads return what
/// was written, or a pattern of the LBA; chosen LBAs answer MEDIUM ERROR. It logs every
/// operation, so a test can check that nothing ran twice.
/// Shared by the agents tests (on the simulator) and the real-hardware tests (on the real-time
/// runtime): one double, two runtimes.
public final class RTAFakeDriver: DeviceDriver, TimerHandler {
    public let name: String
    public let format = "scsi"
    public weak var delegate: (any DeviceDriverDelegate)?
    public let runtime: any NodeRuntime
    public let identity: DeviceIdentity
    public var serviceTime: TimeSpan
    /// Identify answers "device unavailable".
    public var absent = false
    public var mediumErrorLBAs: Set<UInt64> = []
    public private(set) var blocks: [UInt64: [UInt8]] = [:]
    public private(set) var log: [(operation: String, lba: UInt64, blocks: UInt32)] = []
    private var pending: [UInt64: (tag: UInt64, result: DeviceResult)] = [:]
    private var nextToken: UInt64 = 0

    public init(name: String, runtime: any NodeRuntime, blockLength: UInt32 = 512, blockCount: UInt64 = 1 << 20,
         serviceTime: TimeSpan = .microseconds(200)) {
        self.name = name
        self.runtime = runtime
        identity = DeviceIdentity(vendor: "FAKE", product: name, serialNumber: "SN-" + name, worldWideName: 0x5000_0000_0000_0001,
                                  blockLength: blockLength, blockCount: blockCount)
        self.serviceTime = serviceTime
    }

    /// What a never-written block holds.
    public static func pattern(lba: UInt64, blockLength: Int) -> [UInt8] {
        (0..<blockLength).map { UInt8(truncatingIfNeeded: lba &* 131 &+ UInt64($0)) }
    }

    private func complete(_ tag: UInt64, _ result: DeviceResult) {
        var result = result
        result.duration = serviceTime
        nextToken += 1
        pending[nextToken] = (tag, result)
        runtime.scheduleTimer(after: serviceTime, handler: self, token: nextToken)
    }

    public func timerFired(_ token: UInt64) {
        guard let (tag, result) = pending.removeValue(forKey: token) else { return }
        delegate?.deviceCompleted(self, tag: tag, result: result)
    }

    public func identify(tag: UInt64) {
        log.append(("identify", 0, 0))
        complete(tag, absent ? DeviceResult(status: .deviceUnavailable) : DeviceResult(status: .good, identity: identity))
    }

    private func mediumError(_ lba: UInt64, _ count: UInt32) -> IOStatus? {
        for block in lba..<(lba + UInt64(count)) where mediumErrorLBAs.contains(block) {
            return .checkCondition(SenseSummary(senseKey: .mediumError, additionalSenseCode: 0x11,
                                                additionalSenseCodeQualifier: 0, information: block))
        }
        return nil
    }

    public func read(lba: UInt64, blocks count: UInt32, tag: UInt64) {
        log.append(("read", lba, count))
        if let error = mediumError(lba, count) { return complete(tag, DeviceResult(status: error)) }
        let length = Int(identity.blockLength)
        var data: [UInt8] = []
        for block in lba..<(lba + UInt64(count)) {
            data += blocks[block] ?? Self.pattern(lba: block, blockLength: length)
        }
        complete(tag, DeviceResult(status: .good, data: data))
    }

    public func write(lba: UInt64, data: [UInt8], forceUnitAccess: Bool, tag: UInt64) {
        let length = Int(identity.blockLength)
        let count = UInt32(data.count / length)
        log.append(("write", lba, count))
        if let error = mediumError(lba, count) { return complete(tag, DeviceResult(status: error)) }
        for index in 0..<Int(count) {
            blocks[lba + UInt64(index)] = Array(data[(index * length)..<((index + 1) * length)])
        }
        complete(tag, DeviceResult(status: .good))
    }

    public func flush(tag: UInt64) {
        log.append(("flush", 0, 0))
        complete(tag, DeviceResult(status: .good))
    }

    /// Reservation requests received, in order, with when they reached the driver.
    public private(set) var reservations: [(request: ReservationRequest, at: Instant)] = []
    /// What every reservation request answers.
    public var reservationStatus: IOStatus = .good

    public func reserve(_ request: ReservationRequest, tag: UInt64) {
        log.append(("reserve", 0, 0))
        reservations.append((request, runtime.now))
        complete(tag, DeviceResult(status: reservationStatus, reservation: ReservationResult(generation: 1, keys: [7])))
    }
}
