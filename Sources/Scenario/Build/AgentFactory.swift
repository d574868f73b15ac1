import Agents
import Hardware

/// The backend-neutral choices of an assembly: which TTS for a port's link layer, which DDM
/// for a controller's I/O format. ``TargetAssembly`` (simulated devices) and the real-mode
/// target and clients (`Scenario/Real/`) both build their agents through it, so the agents a
/// real run uses are chosen exactly as in simulation.
enum AgentFactory {
    /// The link layer of the HCA port a TTS runs on.
    enum LinkLayer: Hashable, Sendable {
        case infiniband, ethernet
    }

    /// The I/O format a DDM speaks to its device.
    enum IOFormat: Hashable, Sendable {
        case scsi, ata
    }

    /// The TTS for `link`'s network protocol, on `context`'s verbs.
    static func transport(
        _ link: LinkLayer, name: String, runtime: any NodeRuntime, context: any VerbsDeviceContext, port: UInt8 = 1,
        configuration: TransportConfiguration = TransportConfiguration()
    ) -> any TargetTransport & InitiatorTransport {
        switch link {
        case .infiniband:
            InfiniBandTransport(name: name, runtime: runtime, context: context, port: port, configuration: configuration)
        case .ethernet: RoCETransport(name: name, runtime: runtime, context: context, port: port, configuration: configuration)
        }
    }

    /// The DDM for `format`.
    static func driver(_ format: IOFormat, name: String, device: any SCSIGenericDevice, runtime: any NodeRuntime) -> any DeviceDriver {
        switch format {
        case .ata: ATADeviceDriver(name: name, device: device, runtime: runtime)
        case .scsi: SCSIDeviceDriver(name: name, device: device, runtime: runtime)
        }
    }
}
