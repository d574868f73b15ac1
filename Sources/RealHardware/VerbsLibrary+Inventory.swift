import CIOFabric
import Glibc

/// Lists the RDMA devices of this machine with their ports, through the process's libibverbs.
///
/// Each device is opened, queried (`ibv_query_device`, `ibv_query_port` for every port,
/// `ibv_query_gid` for the first `gidLimit` GID table entries of each) and closed again.
/// Devices come sorted by name, numbers in names compared as numbers (`mlx5_2` before `mlx5_10`).
///
/// - Parameter gidLimit: how many GID table entries to read per port (the table of a
///   Soft-RoCE port has 1024, nearly all empty); 0 reads none.
/// - Throws: ``RealDeviceError/libraryNotFound(library:reason:)`` without libibverbs,
///   ``RealDeviceError/noDevices`` without devices, else the error of the step that failed.
public func listRDMADevices(gidLimit: Int = VerbsLibrary.defaultGIDLimit) throws(RealDeviceError) -> [RDMADeviceInfo] {
    try VerbsLibrary.shared().listDevices(gidLimit: gidLimit)
}

extension VerbsLibrary {
    /// How many GID table entries per port a listing reads unless told otherwise.
    public static let defaultGIDLimit = 16

    /// The names of the RDMA devices present, sorted (`rxe0`, `rxe1`, …, numbers compared as numbers).
    ///
    /// The corresponding C functions are `ibv_get_device_list` and `ibv_get_device_name`.
    ///
    /// - Throws: ``RealDeviceError/noDevices`` when there are none or the kernel has no RDMA
    ///   support; ``RealDeviceError/deviceListFailed(errno:)`` when listing fails otherwise.
    public func deviceNames() throws(RealDeviceError) -> [String] {
        var names: [String] = []
        for entry in try deviceEntries() {
            names.append(entry.name)
        }
        return names
    }

    /// Every RDMA device with its limits and ports; see ``listRDMADevices(gidLimit:)``.
    public func listDevices(gidLimit: Int = defaultGIDLimit) throws(RealDeviceError) -> [RDMADeviceInfo] {
        let entries = try deviceEntries()
        let names = entries.map(\.name)
        var devices: [RDMADeviceInfo] = []
        for entry in entries {
            devices.append(try describe(entry, available: names, gidLimit: gidLimit))
        }
        return devices
    }

    /// The RDMA device called `name`, with its limits and ports.
    ///
    /// - Throws: ``RealDeviceError/deviceNotFound(name:available:)`` when no device has that
    ///   name; ``RealDeviceError/noDevices`` when there are no devices at all.
    public func device(named name: String, gidLimit: Int = defaultGIDLimit) throws(RealDeviceError) -> RDMADeviceInfo {
        let entries = try deviceEntries()
        let names = entries.map(\.name)
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw .deviceNotFound(name: name, available: names)
        }
        return try describe(entry, available: names, gidLimit: gidLimit)
    }

    /// Port `port` of the RDMA device called `name`, with the non-zero entries among its first
    /// `gidLimit` GIDs.
    ///
    /// The corresponding C functions are `ibv_query_port` (a macro in `<infiniband/verbs.h>`;
    /// this calls the library's exported `ibv_query_port@@IBVERBS_1.1`) and `ibv_query_gid`.
    ///
    /// - Throws: ``RealDeviceError/portQueryFailed(device:port:errno:)`` for a port the device
    ///   does not have (EINVAL); ``RealDeviceError/deviceNotFound(name:available:)``;
    ///   ``RealDeviceError/noDevices``.
    public func queryPort(_ port: Int, ofDevice name: String, gidLimit: Int = defaultGIDLimit)
        throws(RealDeviceError) -> RDMAPortInfo
    {
        let names = try deviceNames()
        guard names.contains(name) else {
            throw .deviceNotFound(name: name, available: names)
        }
        return try withOpenedDevice(name, available: names) { context throws(RealDeviceError) in
            try portInfo(context, device: name, port: port, gidLimit: gidLimit)
        }
    }

    /// One entry of `ibv_get_device_list`.
    struct DeviceEntry {
        var name: String
        var guid: UInt64
        var nodeType: Int32
        var transportType: Int32
    }

    /// The devices present, sorted by name; never empty.
    func deviceEntries() throws(RealDeviceError) -> [DeviceEntry] {
        var capacity: Int32 = 8
        while true {
            var entries = [CIOFabric_verbs_device_entry](
                repeating: CIOFabric_verbs_device_entry(), count: Int(capacity))
            var count: Int32 = 0
            let code = entries.withUnsafeMutableBufferPointer { buffer in
                CIOFabric_verbs_list_devices(table, buffer.baseAddress, capacity, &count)
            }
            // ENOSYS: libibverbs is installed but the kernel has no uverbs (no RDMA at all).
            if code == ENOSYS { throw .noDevices }
            if code != 0 { throw .deviceListFailed(errno: code) }
            if count > capacity {
                // Devices appeared between two calls, or there are simply many: ask again.
                capacity = count
                continue
            }
            let devices = entries.prefix(Int(count)).map { entry in
                DeviceEntry(
                    name: TextFormatting.string(fromCArray: entry.name), guid: entry.guid,
                    nodeType: entry.node_type, transportType: entry.transport_type)
            }
            if devices.isEmpty { throw .noDevices }
            return devices.sorted { NaturalOrder.areInIncreasingOrder($0.name, $1.name) }
        }
    }

    /// Opens the device called `name`, runs `body` with its context, and closes it.
    ///
    /// A failure to close is not reported: the context was only queried, and the C side frees
    /// it either way.
    func withOpenedDevice<Value>(
        _ name: String, available: [String], _ body: (OpaquePointer) throws(RealDeviceError) -> Value
    ) throws(RealDeviceError) -> Value {
        var opened: OpaquePointer?
        let code = CIOFabric_verbs_open_device(table, name, &opened)
        if code == ENODEV { throw .deviceNotFound(name: name, available: available) }
        if code == ENOSYS { throw .noDevices }
        if code != 0 { throw .deviceOpenFailed(device: name, errno: code) }
        guard let context = opened else {
            preconditionFailure("CIOFabric_verbs_open_device succeeded without a context")
        }
        defer { _ = CIOFabric_verbs_close_device(context) }
        return try body(context)
    }

    /// Opens the device of `entry` and queries it and its ports.
    private func describe(_ entry: DeviceEntry, available: [String], gidLimit: Int) throws(RealDeviceError)
        -> RDMADeviceInfo
    {
        try withOpenedDevice(entry.name, available: available) { context throws(RealDeviceError) in
            var attributes = CIOFabric_verbs_device_attributes()
            let code = CIOFabric_verbs_query_device(context, &attributes)
            if code != 0 { throw .deviceQueryFailed(device: entry.name, errno: code) }

            var ports: [RDMAPortInfo] = []
            let portCount = Int(attributes.physical_port_count)
            if portCount > 0 {
                for number in 1...portCount {
                    ports.append(try portInfo(context, device: entry.name, port: number, gidLimit: gidLimit))
                }
            }
            let limits = RDMADeviceLimits(
                maxQueuePairs: Int(attributes.max_qp),
                maxQueuePairWorkRequests: Int(attributes.max_qp_wr),
                maxScatterGatherElements: Int(attributes.max_sge),
                maxReadScatterGatherElements: Int(attributes.max_sge_rd),
                maxCompletionQueues: Int(attributes.max_cq),
                maxCompletionQueueEntries: Int(attributes.max_cqe),
                maxMemoryRegions: Int(attributes.max_mr),
                maxMemoryRegionSize: attributes.max_mr_size,
                maxProtectionDomains: Int(attributes.max_pd),
                maxQueuePairReadAtomic: Int(attributes.max_qp_rd_atom),
                maxQueuePairInitiatorReadAtomic: Int(attributes.max_qp_init_rd_atom),
                maxSharedReceiveQueues: Int(attributes.max_srq),
                maxSharedReceiveQueueWorkRequests: Int(attributes.max_srq_wr),
                maxAddressHandles: Int(attributes.max_ah),
                maxMemoryWindows: Int(attributes.max_mw),
                maxPartitionKeys: Int(attributes.max_pkeys),
                atomicCapability: attributes.atomic_cap,
                pageSizeCapability: attributes.page_size_cap,
                capabilityFlags: attributes.device_cap_flags,
                localCAAckDelay: attributes.local_ca_ack_delay)
            return RDMADeviceInfo(
                name: entry.name, guid: entry.guid, nodeType: entry.nodeType, transportType: entry.transportType,
                firmwareVersion: TextFormatting.string(fromCArray: attributes.firmware_version),
                systemImageGUID: attributes.system_image_guid, vendorID: attributes.vendor_id,
                vendorPartID: attributes.vendor_part_id, hardwareVersion: attributes.hardware_version,
                limits: limits, ports: ports)
        }
    }

    /// Queries port `port` of an opened device and its first `gidLimit` GID entries.
    private func portInfo(_ context: OpaquePointer, device: String, port: Int, gidLimit: Int)
        throws(RealDeviceError) -> RDMAPortInfo
    {
        precondition(gidLimit >= 0, "gidLimit must not be negative")
        // Port numbers are a uint8_t in verbs; anything else cannot name a port.
        guard let portNumber = UInt8(exactly: port) else {
            throw .portQueryFailed(device: device, port: port, errno: EINVAL)
        }
        var attributes = CIOFabric_verbs_port_attributes()
        let code = CIOFabric_verbs_query_port(context, portNumber, &attributes)
        if code != 0 { throw .portQueryFailed(device: device, port: port, errno: code) }

        var gids: [RDMAGIDEntry] = []
        let gidCount = min(Int(max(attributes.gid_table_length, 0)), gidLimit)
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<gidCount {
            let gidCode = bytes.withUnsafeMutableBufferPointer { buffer in
                CIOFabric_verbs_query_gid(context, portNumber, Int32(index), buffer.baseAddress)
            }
            if gidCode != 0 { throw .gidQueryFailed(device: device, port: port, index: index, errno: gidCode) }
            let entry = RDMAGIDEntry(index: index, bytes: bytes)
            if !entry.isZero { gids.append(entry) }
        }

        return RDMAPortInfo(
            number: port, state: attributes.state, physicalState: attributes.physical_state,
            maxMTU: attributes.max_mtu, activeMTU: attributes.active_mtu, lid: attributes.lid,
            smLID: attributes.sm_lid, lmc: attributes.lmc, smSL: attributes.sm_sl,
            activeWidth: attributes.active_width, activeSpeed: attributes.active_speed,
            linkLayer: attributes.link_layer, gidTableLength: Int(attributes.gid_table_length),
            pkeyTableLength: Int(attributes.pkey_table_length), maxMessageSize: attributes.max_message_size,
            capabilityFlags: attributes.port_cap_flags, subnetTimeout: attributes.subnet_timeout,
            maxVLNum: attributes.max_vl_num, badPKeyCounter: attributes.bad_pkey_counter,
            qkeyViolationCounter: attributes.qkey_violation_counter, gids: gids)
    }
}
