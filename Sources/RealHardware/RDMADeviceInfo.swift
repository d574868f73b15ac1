import Hardware

/// A real RDMA device: its identity, limits and ports, as libibverbs reports them.
///
/// Returned by ``listRDMADevices(gidLimit:)`` and ``VerbsLibrary/device(named:gidLimit:)``:
/// a snapshot, taken by opening the device, querying it and its ports, and closing it again.
public struct RDMADeviceInfo: Hashable, Sendable, CustomStringConvertible {
    /// The kernel device name, e.g. `rxe0` or `mlx5_0` (`ibv_get_device_name`).
    public var name: String

    /// The node GUID, host order (`ibv_get_device_guid`).
    public var guid: UInt64

    /// The node type (`enum ibv_node_type`): 1 channel adapter, 2 switch, 3 router, 4 iWARP NIC.
    public var nodeType: Int32

    /// The transport (`enum ibv_transport_type`): 0 InfiniBand (also RoCE), 1 iWARP.
    public var transportType: Int32

    /// The firmware version, e.g. `16.35.2000`; empty when the driver reports none.
    public var firmwareVersion: String

    /// The system image GUID, shared by the HCAs of one system, host order.
    public var systemImageGUID: UInt64

    /// The IEEE vendor ID (e.g. 0x02c9 for Mellanox, 0 for Soft-RoCE).
    public var vendorID: UInt32

    /// The vendor's part ID.
    public var vendorPartID: UInt32

    /// The hardware revision.
    public var hardwareVersion: UInt32

    /// The resource limits.
    public var limits: RDMADeviceLimits

    /// The physical ports, numbered from 1, in order.
    public var ports: [RDMAPortInfo]

    /// A device from its parts; the inventory builds these from libibverbs' answers.
    public init(
        name: String, guid: UInt64, nodeType: Int32, transportType: Int32, firmwareVersion: String,
        systemImageGUID: UInt64, vendorID: UInt32, vendorPartID: UInt32, hardwareVersion: UInt32,
        limits: RDMADeviceLimits, ports: [RDMAPortInfo]
    ) {
        self.name = name
        self.guid = guid
        self.nodeType = nodeType
        self.transportType = transportType
        self.firmwareVersion = firmwareVersion
        self.systemImageGUID = systemImageGUID
        self.vendorID = vendorID
        self.vendorPartID = vendorPartID
        self.hardwareVersion = hardwareVersion
        self.limits = limits
        self.ports = ports
    }

    /// ``nodeType`` as ``Hardware/VerbsNodeType`` names it, e.g. `InfiniBand channel adapter`;
    /// an unknown code as `unknown node type 9`.
    public var nodeTypeName: String {
        (VerbsNodeType.channelAdapter.rawValue...VerbsNodeType.unspecified.rawValue).contains(nodeType)
            ? VerbsNodeType(rawValue: nodeType).description : "unknown node type \(nodeType)"
    }

    /// ``transportType`` named, e.g. `InfiniBand`.
    public var transportTypeName: String { VerbsNames.transportType(transportType) }

    /// ``guid`` as `ibv_devinfo` prints it, e.g. `0200:5eff:fe12:3456`.
    public var guidText: String { TextFormatting.guid(guid) }

    /// One line, e.g. `rxe0: InfiniBand channel adapter, InfiniBand transport, node GUID
    /// 0200:5eff:fe12:3456, vendor 0x000000 part 0, 1 port`.
    public var description: String {
        let firmware = firmwareVersion.isEmpty ? "" : ", firmware \(firmwareVersion)"
        let portCount = ports.count == 1 ? "1 port" : "\(ports.count) ports"
        return TextFormatting.singleLine(
            "\(name): \(nodeTypeName), \(transportTypeName) transport, node GUID \(guidText), "
                + "vendor \(TextFormatting.hex(vendorID, digits: 6)) part \(vendorPartID)\(firmware), \(portCount)")
    }
}
