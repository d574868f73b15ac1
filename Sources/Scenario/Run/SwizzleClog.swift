import SimCore
import SimHardware
import Timebase

/// One swizzle-clog on a fabric (FoundationDB's `swizzleClog` in its simulator, at the link
/// layer): at the fault's time a seeded random subset of the fabric's links (`fraction` of them,
/// rounded, at least one) is clogged one link at a time in a seeded random order, `step` apart;
/// after the fault's `for` they are unclogged one at a time, `step` apart, in another seeded
/// order. A clogged link holds its packets and loses none (``FabricFault/Action/clog``).
///
/// Every draw comes from the stream `"scenario.faults.swizzleClog.<fault index>"`, so another
/// fault or component does not shift it; each pick is folded into the trace digest.
struct SwizzleClog {
    /// The links picked, in the order they are clogged.
    private(set) var clogOrder: [String]
    /// When the last one is clogged.
    private(set) var lastClog: Instant
    /// The links in the order they are unclogged (empty until the unclog starts).
    private(set) var unclogOrder: [String] = []
    private let step: TimeSpan
    private var random: RandomStream

    /// Picks the links and schedules their clogs on `fabric`, from now.
    init(_ fault: FaultDefinition, index: Int, fabric: SimulatedFabric, simulator: Simulator) {
        random = simulator.randomStream(for: "scenario.faults.swizzleClog.\(index)")
        step = fault.step
        let links = fabric.links
        precondition(!links.isEmpty, "a checked fabric without links")
        let count = min(links.count, max(1, Int((fault.fraction * Double(links.count)).rounded())))
        // A partial Fisher–Yates shuffle: its first `count` places are the subset, in clog order.
        var order = Array(links.indices)
        for place in 0..<count {
            order.swapAt(place, place + Int(random.below(UInt64(order.count - place))))
        }
        clogOrder = order.prefix(count).map { links[$0] }
        let now = simulator.now
        for (place, link) in order.prefix(count).enumerated() {
            simulator.recordDecision(UInt64(link))
            fabric.apply(.clog, to: links[link], at: now + step * Int64(place))
        }
        lastClog = now + step * Int64(count - 1)
    }

    /// Schedules the unclogs, from now (or one step after the last clog, if that is later), in
    /// a seeded order that differs from the clog order whenever there are two links or more
    /// (uniform over the other orders: a shuffle equal to the clog order is drawn again).
    mutating func unclog(_ fabric: SimulatedFabric, now: Instant, simulator: Simulator) {
        var order = Array(clogOrder.indices)
        repeat {
            for place in order.indices.dropLast() {
                order.swapAt(place, place + Int(random.below(UInt64(order.count - place))))
            }
        } while order.count > 1 && order == Array(clogOrder.indices)
        let start = max(now, lastClog + step)
        unclogOrder = order.map { clogOrder[$0] }
        for (place, index) in order.enumerated() {
            simulator.recordDecision(UInt64(index))
            fabric.apply(.unclog, to: clogOrder[index], at: start + step * Int64(place))
        }
    }
}
