import Hardware

/// The UMA's hardware resource table: every device the RTAs found, with its profile, and the LUN
/// the target exports it as. LUNs are numbered from ``TargetConfiguration/lunBase`` in the
/// order of the bus endpoints (the storage nodes) and, within one, of the RTA's devices: the
/// same topology always gets the same LUNs. Devices reached through a partner path are not
/// numbered: they are kept aside (``partnerDevices``) until a takeover adds the partner's LUNs.
public struct HardwareResourceTable: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var lun: UInt16
        /// The storage node's bus endpoint: where its RTA listens.
        public var endpoint: BusEndpoint
        /// The device's index on that RTA.
        public var device: UInt16
        public var identity: DeviceIdentity
        /// A partner's LUN this system took over (served under the partner's number).
        public var takenOver = false
    }

    /// A device reached through a partner path (a B loop), known by its WWN.
    public struct PartnerDevice: Hashable, Sendable {
        public var endpoint: BusEndpoint
        public var device: UInt16
        public var identity: DeviceIdentity
    }

    public private(set) var entries: [Entry] = []
    /// Partner paths, endpoints in ascending order, then devices.
    public private(set) var partnerDevices: [PartnerDevice] = []

    public init() {}

    /// Rebuilds the table from every RTA's resources, endpoints in ascending order; primary
    /// devices get LUNs `lunBase`, `lunBase + 1`, …
    mutating func rebuild(from resources: [(endpoint: BusEndpoint, devices: [DeviceProfile])], lunBase: UInt16 = 0) {
        entries = []
        partnerDevices = []
        for (endpoint, devices) in resources.sorted(by: { $0.endpoint < $1.endpoint }) {
            for profile in devices.sorted(by: { $0.device < $1.device }) {
                if profile.partner {
                    partnerDevices.append(PartnerDevice(endpoint: endpoint, device: profile.device, identity: profile.identity))
                    continue
                }
                let (lun, overflow) = lunBase.addingReportingOverflow(UInt16(truncatingIfNeeded: entries.count))
                precondition(!overflow && entries.count <= Int(UInt16.max), "LUN numbers past 65535")
                entries.append(Entry(lun: lun, endpoint: endpoint, device: profile.device, identity: profile.identity))
            }
        }
    }

    /// Adds a partner's LUN served through `device`; false when the number is taken.
    mutating func addTakenOver(lun: UInt16, _ device: PartnerDevice) -> Bool {
        guard entry(lun: lun) == nil else { return false }
        entries.append(Entry(lun: lun, endpoint: device.endpoint, device: device.device, identity: device.identity, takenOver: true))
        return true
    }

    /// Drops the partner's LUNs.
    mutating func removeTakenOver() {
        entries.removeAll { $0.takenOver }
    }

    public func entry(lun: UInt16) -> Entry? {
        entries.first { $0.lun == lun }
    }

    public var luns: [UInt16] { entries.map(\.lun) }
    /// This system's own LUNs.
    public var ownLUNs: [UInt16] { entries.filter { !$0.takenOver }.map(\.lun) }
    /// The partner's LUNs taken over.
    public var takenOverLUNs: [UInt16] { entries.filter(\.takenOver).map(\.lun) }

    /// The first partner path to the disk named `worldWideName`; none for 0 (no WWN).
    func partnerDevice(worldWideName: UInt64) -> PartnerDevice? {
        guard worldWideName != 0 else { return nil }
        return partnerDevices.first { $0.identity.worldWideName == worldWideName }
    }

    /// What the TTS advertises: one I/O controller per storage node, its LUNs with size only;
    /// own LUNs when `own`, taken-over LUNs when `takenOver`.
    func advertisement(unitGUID: UInt64, changeID: UInt16, own: Bool = true, takenOver: Bool = false) -> IOUnitAdvertisement {
        let served = entries.filter { $0.takenOver ? takenOver : own }.sorted {
            ($0.endpoint, $0.lun) < ($1.endpoint, $1.lun)
        }
        var controllers: [IOControllerProfile] = []
        for entry in served {
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
