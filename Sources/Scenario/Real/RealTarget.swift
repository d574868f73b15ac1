import Agents
import Glibc
import Hardware
import RealHardware
import Timebase

/// The host storage node of real mode, in one process on one ``RealNodeRuntime``: the UMA
/// (with its CTA) and the TTS on the selected RDMA port, and RTAs on an ``InProcessBus``, each
/// with a DDM per sg device it serves (``RealSCSIGenericDevice``: SG_IO on worker threads).
/// The agents are the simulator's, chosen through ``AgentFactory`` and configured as
/// `TargetAssembly` configures them.
///
/// When the UMA is ready, the target publishes its management endpoint in the bootstrap
/// folder (``RealBootstrap``).
public final class RealTarget: UnitManagementObserver, TargetObserver {
    public let topology: RealTopology
    public let runtime: RealNodeRuntime
    /// The RDMA port it serves on, e.g. `rxe0 port 1 GID 0 (…), Ethernet, MTU 1024`.
    public let portLabel: String
    public let uma: UnitManagementAgent
    public let rtas: [RemoteTransportAgent]
    public let bus: InProcessBus
    let transport: any TargetTransport & InitiatorTransport
    /// The LUNs' devices, in LUN order: sg devices, or disks in memory (`ram:SIZE`).
    let devices: [any SCSIGenericDevice]
    private let sgDevices: [RealSCSIGenericDevice]
    private let memoryDevices: [MemorySCSIGenericDevice]
    private let port: RealPort
    /// Where the served requests' time went, summed per operation (reads, writes).
    public private(set) var servedReads = ServiceTimeTotals()
    public private(set) var servedWrites = ServiceTimeTotals()
    /// Why the target stopped serving, if it did.
    public private(set) var failure: String?
    /// What it published, once ready.
    public private(set) var published: RealEndpointRecord?

    /// Opens the RDMA device and the sg devices and assembles the agents (nothing runs yet).
    ///
    /// - Throws: one line naming the device that could not be opened and why.
    public init(topology: RealTopology, selection: RealDeviceSelection, runtime: RealNodeRuntime) throws(RealModeError) {
        self.topology = topology
        self.runtime = runtime
        let definition = topology.target
        port = try RealPort.open(selection, runtime: runtime)
        portLabel = port.label
        var devices: [any SCSIGenericDevice] = []
        var sgDevices: [RealSCSIGenericDevice] = []
        var memoryDevices: [MemorySCSIGenericDevice] = []
        for path in definition.luns {
            if let capacity = Self.memoryDiskCapacity(path) {
                let disk = MemorySCSIGenericDevice(
                    name: path, capacity: capacity, queueDepth: definition.sgQueueDepth, runtime: runtime)
                memoryDevices.append(disk)
                devices.append(disk)
                continue
            }
            if path.hasPrefix(MemorySCSIGenericDevice.namePrefix) {
                for device in sgDevices { device.close() }
                throw RealModeError("\(path): not a disk size (expected e.g. ram:64MiB, from 4KiB to 1TiB)")
            }
            do {
                let device = try RealSCSIGenericDevice(
                    path: path, runtime: runtime,
                    configuration: RealSCSIGenericDeviceConfiguration(
                        queueDepth: definition.sgQueueDepth, workerThreads: definition.sgWorkers))
                sgDevices.append(device)
                devices.append(device)
            } catch {
                for device in sgDevices { device.close() }
                throw RealModeError("\(error)")
            }
        }
        self.devices = devices
        self.sgDevices = sgDevices
        self.memoryDevices = memoryDevices
        transport = port.transport(name: definition.name + ".tts", runtime: runtime)
        bus = InProcessBus(name: definition.name + ".bus")
        let hostChannel = bus.attach(endpoint: definition.name + ".host", runtime: runtime)
        var rtas: [RemoteTransportAgent] = []
        for index in 0..<definition.rtas {
            let channel = bus.attach(endpoint: definition.name + ".sn\(index + 1)", runtime: runtime)
            var drivers: [any DeviceDriver] = []
            for lun in stride(from: index, to: devices.count, by: definition.rtas) {
                drivers.append(AgentFactory.driver(.scsi, name: devices[lun].name, device: devices[lun], runtime: runtime))
            }
            var rtaConfiguration = RTAConfiguration()
            rtaConfiguration.residualStore = Self.busLink
            rtas.append(RemoteTransportAgent(
                name: definition.name + ".sn\(index + 1).rta", runtime: runtime, channel: channel, drivers: drivers,
                configuration: rtaConfiguration))
        }
        self.rtas = rtas
        uma = UnitManagementAgent(
            name: definition.name + ".uma", runtime: runtime, transport: transport, channel: hostChannel,
            configuration: Self.configuration(for: topology))
        uma.observer = self
        uma.cta.observer = self
    }

    /// The UMA's configuration: `TargetAssembly`'s (unit GUID from the name, pool and transfer
    /// sizes from the file, the segment no larger than a transfer), every client reaching every LUN.
    static func configuration(for topology: RealTopology) -> TargetConfiguration {
        var configuration = TargetConfiguration()
        configuration.unitGUID = StableHash.fnv1a64(topology.target.name)
        configuration.dataPoolBytes = topology.target.dataPoolBytes
        configuration.maxTransferBytes = topology.target.maxTransferBytes
        configuration.segmentSize = min(configuration.segmentSize, configuration.maxTransferBytes)
        // [assumption: real sg devices answer discovery's INQUIRY / READ CAPACITY in well under
        // a second even in the emulated VM; the simulator's 200 ms is for simulated disks]
        configuration.discoveryTimeout = .seconds(5)
        configuration.busLink = busLink
        return configuration
    }

    /// The CTA⇄RTA message stores' settings in real mode: the simulator's, but a retransmission
    /// timeout of 100 ms instead of 500 µs. The in-process bus loses no message (a copy in
    /// memory), so the timeout only matters when an endpoint failed; but a real loop is busy in
    /// one handler for milliseconds at a time under emulation (an RDMA post on rxe runs the whole
    /// loopback transfer inside the call), and 500 µs made the stores resend half their
    /// messages (measured in the VM: 1,253 retransmissions and 1,660 duplicates for 2,352
    /// messages in a bandwidth run; none at 100 ms). [assumption: 100 ms is well above such a
    /// turn, and 16 attempts still declare a dead peer within 1.6 s]
    static var busLink: ResidualStoreConfiguration {
        var link = ResidualStoreConfiguration()
        link.retransmitTimeout = .milliseconds(100)
        return link
    }

    /// The reset event: the RTAs start, then the UMA (as `TargetAssembly.boot` does).
    public func start() {
        for rta in rtas { rta.start() }
        uma.reset()
    }

    /// Whether the UMA advertises its LUNs.
    public var isReady: Bool { published != nil }

    /// Closes the sg devices (their worker threads are joined) and withdraws the endpoint file.
    public func close() {
        if published != nil { RealBootstrap.withdraw(folder: topology.bootstrap, target: topology.target.name) }
        for device in sgDevices { device.close() }
        for device in memoryDevices { device.close() }
    }

    /// The capacity of a LUN named `ram:SIZE` (e.g. `ram:64MiB`): a disk in the target's memory
    /// (``MemorySCSIGenericDevice``) instead of an sg device; nil for any other name.
    public static func memoryDiskCapacity(_ lun: String) -> Int? {
        guard lun.hasPrefix(MemorySCSIGenericDevice.namePrefix) else { return nil }
        guard let bytes = Quantity.size(String(lun.dropFirst(MemorySCSIGenericDevice.namePrefix.count))),
            bytes >= 4096, bytes <= 1 << 40
        else { return nil }
        return Int(bytes)
    }

    // MARK: TargetObserver

    public func requestServed(_ record: TargetRequestRecord) {
        guard record.status.isGood else { return }
        switch record.operation {
        case .read: servedReads.add(record)
        case .write: servedWrites.add(record)
        case .flush: break
        }
    }

    // MARK: UnitManagementObserver

    public func targetReady(_ uma: UnitManagementAgent, advertisement: IOUnitAdvertisement) {
        let luns = uma.table.entries.count
        guard luns == devices.count else {
            failure = "\(uma.name): \(luns) of \(devices.count) LUNs discovered (\(devices.map(\.name).joined(separator: ", "))); see the DDMs' errors"
            runtime.stop()
            return
        }
        do throws(RealModeError) {
            published = try RealBootstrap.publishTarget(
                topology.target.name, port: port, address: transport.serviceAddress, folder: topology.bootstrap)
        } catch {
            failure = error.description
            runtime.stop()
        }
    }

    public func targetFailed(_ uma: UnitManagementAgent, reason: String) {
        failure = "\(uma.name): \(reason)"
        runtime.stop()
    }

    /// What the target did: the ``profile`` lines, then one summary line (last, so that the
    /// run's report, which quotes the last line of the target's output, quotes it).
    public var summary: String {
        (profile + [summaryLine]).joined(separator: "\n")
    }

    /// One line on what the target did.
    public var summaryLine: String {
        var served = 0, executed = 0
        for rta in rtas { executed += rta.statistics.executed }
        served = uma.statistics.connectionsAccepted
        return "\(topology.target.name): \(uma.table.entries.count) LUNs, \(served) connections accepted, \(executed) I/Os executed by \(rtas.count) RTA\(rtas.count == 1 ? "" : "s"); transport \(transport.statistics.rdmaWrites) RDMA writes, \(transport.statistics.rdmaReads) RDMA reads, \(transport.statistics.rdmaBytes) bytes"
    }

    /// Where the target's time went, one line per part: each sg device's commands (mean time in
    /// SG_IO, mean from submit to completion on the loop), each RTA's buffer waits, the loop's
    /// turns and wake-ups.
    public var profile: [String] {
        var lines: [String] = []
        for device in memoryDevices {
            lines.append("\(device.name): \(device.completed) commands, a disk in the target's memory (no SG_IO)")
        }
        for device in sgDevices {
            let s = device.statistics
            let count = max(s.completed, 1)
            lines.append(
                "\(device.name): \(s.completed) commands, SG_IO mean \(Self.milliseconds(s.executionTime, count)) ms, submit to completion mean \(Self.milliseconds(s.turnaroundTime, count)) ms, \(device.configuration.workerThreads) workers")
        }
        for rta in rtas {
            let s = rta.statistics
            let store = rta.messageStoreStatistics
            lines.append("\(rta.name): \(s.requests) requests, \(s.bufferWaits) waited for buffers, peak \(s.peakBuffersInUse) of \(rta.bufferSegments) segments, \(s.dmaRetries) DMA retries; bus messages \(store.sent) sent, \(store.retransmissions) retransmitted, \(store.duplicatesDropped) duplicates, \(store.busyRetries) busy retries")
        }
        for (name, totals) in [("reads", servedReads), ("writes", servedWrites)] where totals.count > 0 {
            lines.append("served \(name): \(totals.description)")
        }
        let r = runtime.statistics
        lines.append("loop: \(r.turns) turns, \(r.descriptorEvents) descriptor events, \(r.postsDelivered) posts, \(r.timersFired) timers fired")
        return lines
    }

    static func milliseconds(_ total: TimeSpan, _ count: Int) -> String {
        let value = total.seconds * 1000 / Double(count)
        return String(Double(Int((value * 100).rounded())) / 100)
    }
}

/// Sums of the CTA's ``ServiceTimes`` over the requests a target served: where a request's time
/// at the target went, on average.
public struct ServiceTimeTotals: Hashable, Sendable {
    public var count = 0
    public var residence = TimeSpan.zero
    public var times = ServiceTimes()

    mutating func add(_ record: TargetRequestRecord) {
        count += 1
        residence += record.responded - record.received
        times.cta += record.times.cta
        times.pci += record.times.pci
        times.rta += record.times.rta
        times.disk += record.times.disk
        times.rdma += record.times.rdma
    }

    /// E.g. `612 requests, mean residence 31.2 ms: CTA 2.1, bus 3.0, RTA 4.2, disk 20.0, RDMA 1.9 ms`.
    public var description: String {
        func ms(_ span: TimeSpan) -> String { RealTarget.milliseconds(span, max(count, 1)) }
        return "\(count) requests, mean residence \(ms(residence)) ms: CTA \(ms(times.cta)), bus \(ms(times.pci)), RTA \(ms(times.rta)), disk \(ms(times.disk)), RDMA \(ms(times.rdma)) ms"
    }
}
