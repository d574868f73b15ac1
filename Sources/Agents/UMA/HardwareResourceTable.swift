import Hardware

/// The UMA's hardware resource table: every device the RTAs found, with its profile, and the LUN
/// the target exports it as. LUNs are numbered in the order of the bus endpoints (the storage
/// nodes) and, within one, of the RTA's devices: the same topology always gets the same LUNs.
public struct HardwareResourceTable: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var lun: UInt16
        /// The storage node's bus endpoint: where its RTA listens.
        public var endpoint: BusEndpoint
        /// The device's index on that RTA.
        public var device: UInt16
        public var identity: DeviceIdentity
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    /// Rebuilds the table from every RTA's resources, endpoints in ascending order.
    mutating func rebuild(from resources: [(endpoint: BusEndpoint, devices: [DeviceProfile])]) {
        entries = []
        for (endpoint, devices) in resources.sorted(by: { $0.endpoint < $1.endpoint }) {
            for profile in devices.sorted(by: { $0.device < $1.device }) {
                entries.append(Entry(lun: UInt16(entries.count), endpoint: endpoint, device: profile.device, identity: profile.identity))
            }
        }
    }

    public func entry(lun: UInt16) -> Entry? {
        Int(lun) < entries.count ? entries[Int(lun)] : nil
    }

    public var luns: [UInt16] { entries.map(\.lun) }

    /// What the TTS advertises: one I/O controller per storage node, its LUNs with size only.
    func advertisement(unitGUID: UInt64, changeID: UInt16) -> IOUnitAdvertisement {
        var controllers: [IOControllerProfile] = []
        for entry in entries {
            let profile = LUNProfile(lun: entry.lun, blockLength: entry.identity.blockLength, blockCount: entry.identity.blockCount)
            if let last = controllers.last, last.guid == Self.controllerGUID(unitGUID, entry.endpoint) {
                controllers[controllers.count - 1].luns.append(profile)
            } else {
                controllers.append(IOControllerProfile(
                    slot: UInt8(controllers.count + 1), guid: Self.controllerGUID(unitGUID, entry.endpoint), luns: [profile]))
            }
        }
        return IOUnitAdvertisement(unitGUID: unitGUID, changeID: changeID, controllers: controllers, services: [.blockStorage])
    }

    static func controllerGUID(_ unitGUID: UInt64, _ endpoint: BusEndpoint) -> UInt64 {
        unitGUID &+ (UInt64(endpoint.rawValue) << 16)
    }
}
