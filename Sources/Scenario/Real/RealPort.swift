import Agents
import Hardware
import RealHardware

/// The RDMA port a real-mode process runs its TTS on: the device the selection names, opened
/// on the process's runtime, its port checked active, and the TTS it takes chosen by the port's
/// link layer through ``AgentFactory`` (as the simulator chooses it by the fabric's).
struct RealPort {
    let context: any VerbsDeviceContext
    let selection: RealDeviceSelection
    let attributes: PortAttributes
    let gidIndex: Int
    let gid: GID

    /// E.g. `rxe0 port 1 GID 0 (fe80::…), Ethernet, MTU 1024`: what the process prints and the
    /// report records.
    var label: String {
        "\(context.device.name) port \(selection.port) GID \(gidIndex) (\(gid)), \(attributes.linkLayer), MTU \(attributes.activeMTU)"
    }

    var linkLayer: AgentFactory.LinkLayer { attributes.linkLayer == .ethernet ? .ethernet : .infiniband }

    /// The GID index the RoCE TTS addresses its port by (`RoCEAddressing.gidIndex` in Agents).
    static let roceGIDIndex = 0

    /// Opens the selected device on `runtime`.
    ///
    /// - Throws: one line: "libibverbs not found …", "no RDMA devices found …", or the device
    ///   and what failed.
    static func open(_ selection: RealDeviceSelection, runtime: RealNodeRuntime) throws(RealModeError) -> RealPort {
        try RealDeviceCheck.requireDevices()
        let provider: RealVerbsProvider
        do { provider = try RealVerbsProvider(runtime: runtime) } catch { throw RealModeError(RealDeviceCheck.line(for: error)) }
        let what = selection.deviceName ?? "the first RDMA device"
        do {
            let context = try provider.openDevice(selection)
            let attributes = try context.queryPort(selection.port)
            let name = context.device.name
            guard attributes.state == .active else {
                throw RealModeError("\(name) port \(selection.port) is \(attributes.state), not ACTIVE (see 'iofabric devices')")
            }
            let gidIndex = try selection.resolvedGIDIndex(in: context)
            if attributes.linkLayer == .ethernet && gidIndex != roceGIDIndex {
                throw RealModeError(
                    "\(name) port \(selection.port): GID index \(gidIndex) chosen, but the RoCE TTS addresses its port by GID \(roceGIDIndex); pass --gid-index \(roceGIDIndex)")
            }
            let gid = try context.queryGID(port: selection.port, index: gidIndex)
            return RealPort(context: context, selection: selection, attributes: attributes, gidIndex: gidIndex, gid: gid)
        } catch let error as RealModeError {
            throw error
        } catch {
            throw RealModeError("\(what): \(error)")
        }
    }

    /// The TTS of this port. [assumption: the management exchange crosses processes and, in the
    /// emulated VM, a loaded scheduler: 200 ms before a query or connect request is sent again
    /// (the simulator's 5 ms is for a fabric round trip of microseconds), `managementRetries`
    /// retries (10 by default)]
    func transport(name: String, runtime: RealNodeRuntime, managementRetries: Int = 10) -> any TargetTransport & InitiatorTransport {
        var configuration = TransportConfiguration()
        configuration.managementTimeout = .milliseconds(200)
        configuration.managementRetries = managementRetries
        // [assumption: a handful of clients per real target; keeps the CQ (sized for every
        // connection's queues) well inside Soft-RoCE's 32767-entry limit]
        configuration.maxConnections = 16
        return AgentFactory.transport(
            linkLayer, name: name, runtime: runtime, context: context, port: selection.port, configuration: configuration)
    }
}
