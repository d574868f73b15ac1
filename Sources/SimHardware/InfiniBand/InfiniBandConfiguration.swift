import Hardware
import Timebase

/// The parameters of a simulated InfiniBand subnet: link defaults, port buffers, switch
/// latency, endpoint queues and the subnet manager's timing.
///
/// Defaults and their sources (`../shared/REFERENCE.md`):
/// - Links are 4X SDR: 2.5 Gb/s signalling per lane, 8b/10b, so 8 Gb/s of data (§C.2, §C.6:
///   "for a ~2002 topology the right defaults are 4X SDR").
/// - Propagation 5 ns/m (light in copper or fibre at about ⅔ c) over a 1 m cable: 5 ns. The
///   benchmark uses 100 ns (20 m). [assumption: typical in-rack CX4 copper cable length]
/// - MTU 2048 (§C.2: "typical HCA default 2048"; §C.6).
/// - 4 data VLs + VL15 (§C.6 "configurable data-VL count (suggest 4 or 8) + management VL15").
/// - Credit unit 64 bytes (§C.2 marks it **[unverified]**: "credit unit = 64-byte block …
///   check against IBA 1.2.1 Vol 1 §7.9").
/// - Switch latency 50 ns (§B.2: the Mellanox flit-level model's example "switch delays 50 ns").
/// - Input buffer 128 credits (8 KiB) per data VL per port. [assumption: no source found; it
///   holds about four 2 KB-MTU packets, enough to cover the credit round trip of a 100 m link]
public struct InfiniBandConfiguration: Sendable, Equatable {
    /// Data virtual lanes per port (VL0…VL(n−1)); VL15 is always present besides them.
    public var dataVirtualLanes: Int
    /// Bytes per flow-control credit (REFERENCE §C.2, [unverified] 64).
    public var creditBlockBytes: Int
    /// Credits of each data VL's input buffer at every port (switch and CA ports alike).
    public var inputBufferCredits: Int
    /// Credits of VL15's input buffer: not flow-controlled, a management packet that finds it
    /// full is dropped (IBA: VL15 is "not subject to flow control"; [unverified] §C.2).
    public var managementBufferCredits: Int
    /// Link settings used when ``InfiniBandFabric/connect(_:_:named:link:)`` is given none.
    public var defaultLink: InfiniBandLinkConfiguration
    /// Time from a packet's header arriving at a switch input to the packet being eligible for
    /// an output port (routing and crossbar set-up), on top of receiving the LRH.
    public var switchLatency: TimeSpan
    /// The largest payload of one packet.
    public var maxMTU: MTU
    /// Packets an endpoint's transmit queue holds per service level.
    public var transmitQueueCapacity: Int
    /// The subnet manager's timing.
    public var subnetManager: SubnetManagerConfiguration

    public init(
        dataVirtualLanes: Int = 4, creditBlockBytes: Int = 64, inputBufferCredits: Int = 128,
        managementBufferCredits: Int = 16, defaultLink: InfiniBandLinkConfiguration = .init(),
        switchLatency: TimeSpan = .nanoseconds(50), maxMTU: MTU = .mtu2048, transmitQueueCapacity: Int = 16,
        subnetManager: SubnetManagerConfiguration = .init()
    ) {
        self.dataVirtualLanes = dataVirtualLanes
        self.creditBlockBytes = creditBlockBytes
        self.inputBufferCredits = inputBufferCredits
        self.managementBufferCredits = managementBufferCredits
        self.defaultLink = defaultLink
        self.switchLatency = switchLatency
        self.maxMTU = maxMTU
        self.transmitQueueCapacity = transmitQueueCapacity
        self.subnetManager = subnetManager
    }

    /// What is wrong with the parameters, if anything.
    public func validationErrors() -> [String] {
        var errors: [String] = []
        if !(1...15).contains(dataVirtualLanes) { errors.append("dataVirtualLanes must be 1…15 (VL0–VL14)") }
        if creditBlockBytes < 4 { errors.append("creditBlockBytes must be at least 4") }
        let largest = maxMTU.byteCount.map { $0 + 128 } ?? 0
        if inputBufferCredits * creditBlockBytes < largest {
            errors.append("an input buffer of \(inputBufferCredits) credits cannot hold one \(maxMTU)-byte packet")
        }
        if managementBufferCredits < 1 { errors.append("managementBufferCredits must be at least 1") }
        if switchLatency < .zero { errors.append("switchLatency must not be negative") }
        if transmitQueueCapacity < 1 { errors.append("transmitQueueCapacity must be at least 1") }
        errors += defaultLink.validationErrors()
        return errors
    }
}

/// The physical parameters of one link.
public struct InfiniBandLinkConfiguration: Sendable, Equatable {
    /// Lanes: 1X, 4X or 12X.
    public var width: LinkWidth
    /// Per-lane speed: SDR (2.5 Gb/s signalling) or DDR (5 Gb/s).
    public var speed: LinkSpeed
    /// One-way propagation delay of the cable (5 ns per metre).
    public var propagationDelay: TimeSpan

    public init(width: LinkWidth = .x4, speed: LinkSpeed = .sdr, propagationDelay: TimeSpan = .nanoseconds(5)) {
        self.width = width
        self.speed = speed
        self.propagationDelay = propagationDelay
    }

    /// A link of `metres` of cable at 5 ns/m.
    public static func cable(metres: Int64, width: LinkWidth = .x4, speed: LinkSpeed = .sdr) -> Self {
        Self(width: width, speed: speed, propagationDelay: .nanoseconds(5 * metres))
    }

    /// Data rate after 8b/10b coding, bits per second (4X SDR: 8 Gb/s).
    public var dataRate: Int64 { PortAttributes.dataRate(width: width, speed: speed) ?? 0 }

    public func validationErrors() -> [String] {
        var errors: [String] = []
        if ![LinkWidth.x1, .x4, .x12].contains(width) { errors.append("link width \(width) is not 1X, 4X or 12X") }
        if ![LinkSpeed.sdr, .ddr].contains(speed) { errors.append("link speed \(speed) is not SDR or DDR") }
        if propagationDelay < .zero { errors.append("propagationDelay must not be negative") }
        return errors
    }
}

/// The subnet manager's timing: SMPs are modelled as computed delays over the topology, not
/// as VL15 packets on the links.
///
/// A sweep costs `⌈SMPs / maxOutstandingSMPs⌉ × smpRoundTrip`, where the SMP count is what a
/// heavy sweep of the reachable subnet sends (see ``SubnetManager``).
public struct SubnetManagerConfiguration: Sendable, Equatable {
    /// Round trip of one directed-route SMP, including the switch firmware's MAD processing.
    /// [assumption: no source found; switch management processors answered SMPs in tens of
    /// microseconds, and whole-subnet sweeps of ~1000 nodes took on the order of a second]
    public var smpRoundTrip: TimeSpan
    /// SMPs on the wire at once: OpenSM's `OSM_DEFAULT_SMP_MAX_ON_WIRE` (4 in OpenSM's early
    /// `osm_base.h`, 32 in current releases; `max_wire_smps` in opensm.conf).
    public var maxOutstandingSMPs: Int
    /// Time from a port's state change to the SM receiving the switch's trap (one-way SMP):
    /// half an SMP round trip.
    public var trapDelay: TimeSpan

    public init(smpRoundTrip: TimeSpan = .microseconds(20), maxOutstandingSMPs: Int = 4, trapDelay: TimeSpan? = nil) {
        self.smpRoundTrip = smpRoundTrip
        self.maxOutstandingSMPs = maxOutstandingSMPs
        self.trapDelay = trapDelay ?? TimeSpan(picoseconds: smpRoundTrip.picoseconds / 2)
    }
}
