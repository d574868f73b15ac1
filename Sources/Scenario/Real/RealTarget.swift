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
public final class RealTarget: UnitManagementObserver {
    public let topology: RealTopology
    public let runtime: RealNodeRuntime
    /// The RDMA port it serves on, e.g. `rxe0 port 1 GID 0 (…), Ethernet, MTU 1024`.
    public let portLabel: String
    public let uma: UnitManagementAgent
    public let rtas: [RemoteTransportAgent]
    public let bus: InProcessBus
    let transport: any TargetTransport & InitiatorTransport
    let devices: [RealSCSIGenericDevice]
    private let port: RealPort
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
        var devices: [RealSCSIGenericDevice] = []
        for path in definition.luns {
            do {
                devices.append(try RealSCSIGenericDevice(
                    path: path, runtime: runtime,
                    configuration: RealSCSIGenericDeviceConfiguration(
                        queueDepth: definition.sgQueueDepth, workerThreads: definition.sgWorkers)))
            } catch {
                for device in devices { device.close() }
                throw RealModeError("\(error)")
            }
        }
        self.devices = devices
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
            rtas.append(RemoteTransportAgent(
                name: definition.name + ".sn\(index + 1).rta", runtime: runtime, channel: channel, drivers: drivers))
        }
        self.rtas = rtas
        uma = UnitManagementAgent(
            name: definition.name + ".uma", runtime: runtime, transport: transport, channel: hostChannel,
            configuration: Self.configuration(for: topology))
        uma.observer = self
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
        return configuration
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
        for device in devices { device.close() }
    }

    // MARK: UnitManagementObserver

    public func targetReady(_ uma: UnitManagementAgent, advertisement: IOUnitAdvertisement) {
        let luns = uma.table.entries.count
        guard luns == devices.count else {
            failure = "\(uma.name): \(luns) of \(devices.count) LUNs discovered (\(devices.map(\.name).joined(separator: ", "))); see the DDMs' errors"
            runtime.stop()
            return
        }
        let record = RealEndpointRecord(
            name: topology.target.name, device: "\(port.context.device.name) port \(port.selection.port)",
            address: transport.serviceAddress, processID: getpid(), host: RealBootstrap.hostName)
        do throws(RealModeError) {
            try RealBootstrap.publish(record, folder: topology.bootstrap)
            published = record
        } catch {
            failure = error.description
            runtime.stop()
        }
    }

    public func targetFailed(_ uma: UnitManagementAgent, reason: String) {
        failure = "\(uma.name): \(reason)"
        runtime.stop()
    }

    /// One line on what the target did.
    public var summary: String {
        var served = 0, executed = 0
        for rta in rtas { executed += rta.statistics.executed }
        served = uma.statistics.connectionsAccepted
        return "\(topology.target.name): \(uma.table.entries.count) LUNs, \(served) connections accepted, \(executed) I/Os executed by \(rtas.count) RTA\(rtas.count == 1 ? "" : "s"); transport \(transport.statistics.rdmaWrites) RDMA writes, \(transport.statistics.rdmaReads) RDMA reads, \(transport.statistics.rdmaBytes) bytes"
    }
}
