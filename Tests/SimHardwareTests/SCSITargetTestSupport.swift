import Hardware
import SimHardware
import Testing

/// Red's and Blue's controllers, and a third initiator that never registers.
enum Controller {
    static let red = InitiatorID(rawValue: 0x5000_0000_0000_0A01)
    static let blue = InitiatorID(rawValue: 0x5000_0000_0000_0B01)
    static let green = InitiatorID(rawValue: 0x5000_0000_0000_0C01)
}

/// A drive's command set driven the way ``SimDisk`` drives it, without time: `begin`, then
/// `finish` at once when the command needs the medium.
struct TargetRig {
    var target: SCSITarget
    private var exchange: UInt64 = 0

    init(_ configuration: SCSITargetConfiguration = TargetRig.scsiDisk()) {
        target = SCSITarget(configuration: configuration)
    }

    /// A 1 GiB SCSI disk, 512-byte blocks, write cache on.
    static func scsiDisk(writeCache: Bool = true) -> SCSITargetConfiguration {
        SCSITargetConfiguration(
            interface: .scsi, vendor: "SEAGATE", product: "ST336607FC", revision: "0004", serialNumber: "3JA1B2C3",
            worldWideName: 0x5000_C500_1234_5678, blockCount: 1 << 21, writeCacheEnabled: writeCache)
    }

    /// A 250 GB ATA disk behind the shelf's bridge, write cache on.
    static func ataDisk() -> SCSITargetConfiguration {
        SCSITargetConfiguration(
            interface: .ata, vendor: "MAXTOR", product: "Maxtor 7Y250M0", revision: "YAR51BW0",
            serialNumber: "Y62ABCDE", worldWideName: 0x5001_0B90_0000_0001, blockCount: 490_234_752,
            writeCacheEnabled: true)
    }

    /// Runs one command to its answer.
    mutating func run(_ cdb: [UInt8], _ transfer: SCSIDataTransfer = .none, from initiator: InitiatorID = Controller.red)
        -> DriveResponse
    {
        switch begin(cdb, transfer, from: initiator) {
        case .respond(let response): return response
        case .access(let pending): return target.finish(pending)
        }
    }

    /// Begins one command (for tests that hold it across other events).
    mutating func begin(_ cdb: [UInt8], _ transfer: SCSIDataTransfer = .none, from initiator: InitiatorID = Controller.red)
        -> TargetStep
    {
        exchange += 1
        let request = try! SCSIRequest(cdb: cdb, dataTransfer: transfer, timeout: .seconds(30), tag: exchange)
        return target.begin(DriveCommand(initiator: initiator, exchange: exchange, request: request))
    }

    /// WRITE(10) of `data` at `lba`.
    @discardableResult
    mutating func write(_ data: [UInt8], at lba: UInt32, fua: Bool = false, from initiator: InitiatorID = Controller.red)
        -> DriveResponse
    {
        let blocks = UInt16(data.count / target.configuration.blockSize)
        return run(
            CDB.Write10(lba: lba, transferLength: blocks, options: BlockTransferOptions(forceUnitAccess: fua)).bytes,
            .toDevice(data), from: initiator)
    }

    /// READ(10) of `blocks` blocks at `lba`.
    mutating func read(_ blocks: UInt16, at lba: UInt32, from initiator: InitiatorID = Controller.red) -> DriveResponse {
        run(
            CDB.Read10(lba: lba, transferLength: blocks).bytes,
            .fromDevice(count: Int(blocks) * target.configuration.blockSize), from: initiator)
    }

    /// PERSISTENT RESERVE OUT.
    @discardableResult
    mutating func reserveOut(
        _ action: PersistentReserveOutAction, type: PersistentReservationType = .init(rawValue: 0), key: UInt64,
        serviceActionKey: UInt64 = 0, aptpl: Bool = false, from initiator: InitiatorID
    ) -> DriveResponse {
        let parameters = PersistentReserveOutParameters(
            reservationKey: key, serviceActionReservationKey: serviceActionKey, activatePersistThroughPowerLoss: aptpl)
        return run(
            CDB.PersistentReserveOut(serviceAction: action, type: type).bytes, .toDevice(parameters.bytes),
            from: initiator)
    }
}

extension TargetRig {
    /// `count` bytes of a recognisable pattern seeded by `seed`.
    static func pattern(_ count: Int, seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7) &+ seed }
    }

    /// The decoded sense of `response` (nil when it has none).
    static func sense(_ response: DriveResponse) -> SenseData? {
        response.sense.isEmpty ? nil : try? SenseData(decoding: response.sense)
    }
}
