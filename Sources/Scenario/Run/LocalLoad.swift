import Agents
import Hardware
import SimHardware
import Timebase

/// A load the runner starts itself: a disk workload (a node's own disks through its
/// controllers) or an rdma workload (one client to another over the fabric). Block workloads
/// are the target assembly's client sessions.
struct LocalLoad {
    var definition: WorkloadDefinition
    var recorder: WorkloadRecorder
    var activeSeconds: Double
    var totals: () -> DiskLoadTotals
    /// Why the load could not run as asked, if so (read at the end of the run).
    var problem: () -> String?

    /// Builds and starts `workload` (kind disk or rdma) on `topology`.
    static func start(_ workload: WorkloadDefinition, on topology: SimulatedTopology, interval: TimeSpan, end: Instant)
        throws(ScenarioBuildError) -> LocalLoad
    {
        let stop = workload.stopInstant(end: end)
        switch workload.kind {
        case .disk:
            let node = topology.node(named: workload.node!)!
            let names = topology.diskNames(for: workload, node: node)
            let devices = names.compactMap { topology.path(from: node, to: $0) }
            precondition(devices.count == names.count, "checked scenario with an unreachable disk")
            let recorder = WorkloadRecorder(name: workload.name, deviceNames: names, interval: interval, spanLimit: ScenarioRunner.traceSpanLimit)
            let load = DiskLoad(
                readPercent: workload.readPercent, blockSize: Int(workload.blockSize), queueDepth: workload.queueDepth,
                pattern: workload.pattern == .random ? .random : .sequential, workingSet: workload.workingSet,
                rate: workload.rate, thinkTime: workload.thinkTime, start: .zero + workload.start, stop: stop,
                timeout: workload.timeout, verify: workload.verify)
            let generator = DiskLoadGenerator(
                name: "\(node.definition.name).load.\(workload.name)", runtime: node.runtime, devices: devices, load: load,
                observer: recorder)
            generator.start()
            return LocalLoad(
                definition: workload, recorder: recorder, activeSeconds: workload.activeSeconds(end: end), totals: { generator.totals },
                problem: {
                    let unusable = generator.totals.unusableDevices
                    return unusable > 0 ? "\(unusable) disk(s) did not answer READ CAPACITY and got no I/O" : nil
                })
        case .rdma:
            let from = topology.clients.first { $0.definition.name == workload.from }!
            let to = topology.clients.first { $0.definition.name == workload.to }!
            let recorder = WorkloadRecorder(
                name: workload.name, deviceNames: ["\(from.definition.name)→\(to.definition.name)"], interval: interval,
                spanLimit: ScenarioRunner.traceSpanLimit)
            let operation: RDMALoad.Operation = switch workload.operation {
            case .write: .write
            case .read: .read
            case .send: .send
            }
            let load = RDMALoad(
                operation: operation, blockSize: Int(workload.blockSize), queueDepth: workload.queueDepth, rate: workload.rate,
                thinkTime: workload.thinkTime, start: .zero + workload.start, stop: stop, verify: workload.verify)
            let responder = RDMALoadResponder(
                name: "\(to.definition.name).rdma.\(workload.name)", context: try TargetAssembly.openVerbs(to.hca, path: workload.path + ".to"), load: load)
            let generator = RDMALoadGenerator(
                name: "\(from.definition.name).rdma.\(workload.name)", runtime: from.runtime,
                context: try TargetAssembly.openVerbs(from.hca, path: workload.path + ".from"), load: load, peer: responder, observer: recorder)
            generator.start()
            return LocalLoad(
                definition: workload, recorder: recorder, activeSeconds: workload.activeSeconds(end: end), totals: { generator.totals },
                problem: { generator.problem })
        case .block:
            preconditionFailure("block workloads are the target assembly's")
        }
    }
}
