import Timebase

/// One entry of the fault schedule.
public struct FaultDefinition: Sendable {
    public enum Action: String, Sendable, CaseIterable {
        case diskFail, diskSlow, diskPull, diskInsert, diskPowerLoss, diskPowerRestore, diskMediaError
        case loopFail, loopRepair, pciErrors, pciClear
        case linkDown, linkUp, switchFail, switchRecover, hcaFail, packetLoss, packetCorruption, packetDelay
        case clearLinkFaults
        case nodeCrash, nodeReboot, interconnectCut, interconnectRepair, partition, partitionHeal
        /// FoundationDB's swizzle-clog on a fabric: a seeded random subset of its links clogged
        /// one at a time in a seeded order, then after `for` unclogged one at a time in another.
        case swizzleClog

        /// What a fault's `target` must name.
        public enum TargetKind: String, Sendable {
            case disk, loop, pciBus = "PCI bus", adapter, `switch`, link
            case system = "storage system", interconnect, cluster, fabric
        }

        public var targetKind: TargetKind {
            switch self {
            case .diskFail, .diskSlow, .diskPull, .diskInsert, .diskPowerLoss, .diskPowerRestore, .diskMediaError: .disk
            case .loopFail, .loopRepair: .loop
            case .pciErrors, .pciClear: .pciBus
            case .hcaFail: .adapter
            case .switchFail, .switchRecover: .switch
            case .linkDown, .linkUp, .packetLoss, .packetCorruption, .packetDelay, .clearLinkFaults: .link
            case .nodeCrash, .nodeReboot: .system
            case .interconnectCut, .interconnectRepair: .interconnect
            case .partition, .partitionHeal: .cluster
            case .swizzleClog: .fabric
            }
        }

        /// The action that undoes this one after `for`, if there is one.
        public var repair: Action? {
            switch self {
            case .diskSlow: .diskSlow  // with factor 1
            case .diskPull: .diskInsert
            case .diskPowerLoss: .diskPowerRestore
            case .loopFail: .loopRepair
            case .pciErrors: .pciClear
            case .linkDown: .linkUp
            case .switchFail: .switchRecover
            case .packetLoss, .packetCorruption, .packetDelay: .clearLinkFaults
            case .nodeCrash: .nodeReboot
            case .interconnectCut: .interconnectRepair
            case .partition: .partitionHeal
            case .swizzleClog: .swizzleClog  // the unclog half
            default: nil
            }
        }

        /// The member the action cannot do without.
        public var requiredParameter: String? {
            switch self {
            case .diskSlow: "factor"
            case .pciErrors, .packetLoss, .packetCorruption: "probability"
            case .packetDelay: "delay"
            case .diskMediaError: "lba"
            case .swizzleClog: "for"
            default: nil
            }
        }
    }

    /// When: a fixed time, or a window to draw from.
    public enum Timing: Sendable, Equatable {
        case at(TimeSpan)
        case window(TimeSpan, TimeSpan)
    }

    public var path: String
    public var action: Action
    public var target: String
    /// Nil only in a scenario that failed its checks (neither or both given).
    public var timing: Timing?
    public var duration: TimeSpan?
    public var factor: Double?
    public var probability: Double?
    public var delay: TimeSpan?
    public var lba: Int64?
    public var blocks: Int64
    /// swizzleClog: the share of the fabric's links clogged (at least one).
    public var fraction: Double
    /// swizzleClog: the time between two clogs, and between two unclogs.
    public var step: TimeSpan

    init(_ object: ObjectValue) {
        path = object.path
        action = Action(rawValue: object.string("action")!)!
        target = object.string("target")!
        let window = object.durations("window")
        switch (object.duration("at"), window.count) {
        case (let at?, 0): timing = .at(at)
        case (nil, 2): timing = .window(window[0], window[1])
        default: timing = nil
        }
        duration = object.duration("for")
        factor = object.number("factor")
        probability = object.number("probability")
        delay = object.duration("delay")
        lba = object.integer("lba")
        blocks = object.integer("blocks")!
        fraction = object.number("fraction")!
        step = object.duration("step")!
    }
}
