import SimCore
import Timebase

/// A dual-loop disk shelf: `bayCount` bays, each holding a ``LoopDevice`` whose port A is on
/// the shelf's loop A and port B on loop B (REFERENCE §C.5: "redundant double ring").
///
/// Controllers attach to the loops the shelf exposes (in the HA design Red's controller on
/// `shelf0.A` and Blue's on `shelf0.B`). Each bay's hard address is its loop identifier
/// (bay 0 → loop ID 0 → AL_PA 0xEF, the lowest priority; a 2002 shelf sets SEL_ID from the
/// bay and the shelf's ID switch), so controllers keep the high-priority addresses.
///
/// Faults: ``failLoop(_:)`` / ``repairLoop(_:)`` (and scheduled variants on the loops),
/// ``pull(bay:)`` / ``reinsert(bay:)``: a pulled bay's ports are bypassed on both loops.
public final class DiskShelf {
    /// The shelf's name, e.g. `"red.shelf0"`; the loops are `name.A` and `name.B`.
    public let name: String
    /// The number of bays (14 by default: a 2002 3U FC shelf; assumption).
    public let bayCount: Int
    /// The two loops, indexed by ``DrivePort``.
    public let loops: [FibreChannelLoop]
    /// What each bay holds.
    public private(set) var devices: [(any LoopDevice)?]
    /// Each occupied bay's port on loop A and loop B.
    private var ports: [[LoopPortID]?]
    /// The first loop identifier the bays use (bay b has loop ID `firstLoopID + b`).
    public let firstLoopID: Int

    /// A shelf with two empty loops registered as `name.A` and `name.B`.
    public init(
        name: String, bayCount: Int = 14, firstLoopID: Int = 0,
        loopConfiguration: FibreChannelLoopConfiguration = FibreChannelLoopConfiguration(), simulator: Simulator
    ) {
        precondition(bayCount >= 1 && firstLoopID >= 0 && firstLoopID + bayCount <= 125, "bays must fit loop IDs 0…124")
        self.name = name
        self.bayCount = bayCount
        self.firstLoopID = firstLoopID
        loops = DrivePort.allCases.map {
            FibreChannelLoop(name: name + "." + $0.description, configuration: loopConfiguration, simulator: simulator)
        }
        devices = Array(repeating: nil, count: bayCount)
        ports = Array(repeating: nil, count: bayCount)
    }

    /// The loop `port` of every device is on.
    public func loop(_ port: DrivePort) -> FibreChannelLoop { loops[port.rawValue] }

    /// Installs `device` in `bay` while the shelf is built: its port A joins loop A and its
    /// port B joins loop B (``LoopDevice/connect(_:to:)``), at the bay's AL_PA.
    public func install(_ device: any LoopDevice, inBay bay: Int) {
        precondition(devices[bay] == nil, "bay \(bay) of \(name) is occupied")
        let address = ArbitratedLoopPhysicalAddress(loopID: firstLoopID + bay)
        devices[bay] = device
        ports[bay] = DrivePort.allCases.map {
            loops[$0.rawValue].attachDevice(device, port: $0, address: address, label: "bay\(bay)")
        }
    }

    /// The port of the device in `bay` on loop `port`.
    public func loopPort(bay: Int, _ port: DrivePort) -> LoopPortID {
        guard let bayPorts = ports[bay] else { preconditionFailure("bay \(bay) of \(name) is empty") }
        return bayPorts[port.rawValue]
    }

    /// Fails loop `port` (the A or B loop) now.
    public func failLoop(_ port: DrivePort) { loop(port).fail() }

    /// Starts repairing loop `port`.
    public func repairLoop(_ port: DrivePort) { loop(port).repair() }

    /// Pulls the device out of `bay`: both loops bypass its ports.
    public func pull(bay: Int) {
        for port in DrivePort.allCases { loop(port).bypass(loopPort(bay: bay, port)) }
    }

    /// Puts the device back in `bay`.
    public func reinsert(bay: Int) {
        for port in DrivePort.allCases { loop(port).restore(loopPort(bay: bay, port)) }
    }

    /// Whether the device in `bay` is pulled.
    public func isPulled(bay: Int) -> Bool { loop(.a).isBypassed(loopPort(bay: bay, .a)) }
}
