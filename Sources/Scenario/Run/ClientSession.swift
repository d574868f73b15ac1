import Agents
import Hardware
import Reports
import SimCore
import SimHardware
import Timebase

/// One block workload: a client's initiator connects to its target once the target is ready,
/// then a ``DiskLoadGenerator`` (the same fio-like load and integrity oracle that drives local
/// disks) drives the granted LUNs through the initiator's ``RemoteLUNDevice``s.
final class ClientSession: ClientInitiatorDelegate, ClientInitiatorObserver {
    let workload: WorkloadDefinition
    let targetName: String
    let initiator: ClientInitiator
    let transport: any InitiatorTransport
    let recorder: WorkloadRecorder
    private let runtime: SimNodeRuntime
    private let end: Instant
    private(set) var started = false
    private(set) var generator: DiskLoadGenerator?
    /// Why the session never ran its load, if it did not.
    private(set) var problem: String?
    /// Where requests' time went, per stage (fabric, cta, pci, rta, disk, rdma).
    private(set) var stages: [(name: String, histogram: LatencyHistogram)] =
        ["fabric", "cta", "pci", "rta", "disk", "rdma"].map { ($0, LatencyHistogram()) }

    init(workload: WorkloadDefinition, client: SimulatedTopology.Client, transport: any TargetTransport & InitiatorTransport,
         target: String, interval: TimeSpan, end: Instant) {
        self.workload = workload
        self.targetName = target
        self.transport = transport
        self.runtime = client.runtime
        self.end = end
        // Enough device slots for every I/O the load keeps outstanding; LUNs are not known yet,
        // so size for the 64 the target grants at most per connection.
        let slotBytes = max(4096, (Int(workload.blockSize) + 4095) / 4096 * 4096)
        let configuration = InitiatorConfiguration(
            bufferBytes: 0, deviceSlots: 64, deviceSlotBytes: slotBytes, maxOutstanding: 64,
            requestTimeout: workload.timeout, livenessInterval: Self.livenessInterval)
        initiator = ClientInitiator(name: client.definition.name + ".initiator", runtime: client.runtime, transport: transport,
                                    configuration: configuration)
        recorder = WorkloadRecorder(name: workload.name, deviceNames: [], interval: interval, spanLimit: ScenarioRunner.traceSpanLimit)
        initiator.delegate = self
        initiator.observer = self
    }

    /// How long a client lets a target with requests outstanding stay silent before probing it:
    /// 100 ms (the initiator's default is open-iscsi's 5 s; scenarios measure failover, and
    /// a shorter probe keeps a simulated takeover's client-side detection in the same range
    /// as the cluster's own heartbeat detection).
    static let livenessInterval = TimeSpan.milliseconds(100)

    /// The target is ready: start the initiator and connect (discovery first) to the first of
    /// `targets` that answers: the target, then (in a cluster) its partner, which serves the
    /// target's LUNs after a takeover.
    func begin(at targets: [ServiceAddress]) {
        started = true
        do {
            try initiator.start()
        } catch {
            problem = "\(initiator.name) did not start: \(error)"
            return
        }
        initiator.connect(to: targets, luns: workload.luns ?? [])
    }

    var totals: DiskLoadTotals { generator?.totals ?? DiskLoadTotals() }

    /// Seconds the load was meant to run.
    var activeSeconds: Double { workload.activeSeconds(end: end) }

    // MARK: ClientInitiatorDelegate

    func initiator(_ initiator: ClientInitiator, connected connection: ConnectionID, grant: ConnectionGrant) {
        guard generator == nil else { return }  // a reconnection: the load goes on by itself
        recorder.deviceNames = initiator.devices.map(\.name)
        let load = DiskLoad(
            readPercent: workload.readPercent, blockSize: Int(workload.blockSize), queueDepth: workload.queueDepth,
            pattern: workload.pattern == .random ? .random : .sequential, workingSet: workload.workingSet,
            rate: workload.rate, thinkTime: workload.thinkTime, start: max(runtime.now, .zero + workload.start),
            stop: workload.stopInstant(end: end), timeout: workload.timeout, verify: workload.verify)
        let generator = DiskLoadGenerator(
            name: initiator.name + ".load." + workload.name, runtime: runtime, devices: initiator.devices, load: load, observer: recorder)
        self.generator = generator
        generator.start()
    }

    func initiator(_ initiator: ClientInitiator, connectFailed reason: ConnectFailure) {
        if generator == nil { problem = "\(initiator.name) could not connect: \(reason)" }
    }

    func initiator(_ initiator: ClientInitiator, discoveryFailedAt target: ServiceAddress) {
        problem = "\(initiator.name) found no target at \(target)"
    }

    func initiator(_ initiator: ClientInitiator, gaveUpAfter attempts: Int) {
        problem = "\(initiator.name) gave up reconnecting after \(attempts) attempts"
    }

    /// The sense of every CHECK CONDITION the target returned, in order.
    private(set) var checkConditions: [SenseSummary] = []

    // MARK: ClientInitiatorObserver

    func requestCompleted(_ record: InitiatorRequestRecord) {
        if case .checkCondition(let sense) = record.status { checkConditions.append(sense) }
        guard record.status.isGood else { return }
        let parts = [record.fabric, record.times.cta, record.times.pci, record.times.rta, record.times.disk, record.times.rdma]
        for (index, part) in parts.enumerated() { stages[index].histogram.record(part) }
    }
}
