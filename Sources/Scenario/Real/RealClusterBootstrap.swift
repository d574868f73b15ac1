import Agents
import Foundation
import Reports
import Timebase

/// What a real-mode cluster system publishes for its partner before either slam connects: the
/// slam endpoint real verbs gave it (GID, slam QPN, state block rkey and address), written
/// after ``ClusterNode/createSlamEndpoints()`` as `<bootstrap>/slam-<system>.json`. In
/// simulation the same values are predetermined by deterministic allocation; here they are
/// whatever the driver chose, so they travel through this file (see ``ClusterEndpoint``).
public struct RealSlamEndpointRecord: Hashable, Sendable {
    public var system: String
    /// The RDMA device and port, e.g. `rxe0 port 1`.
    public var device: String
    public var endpoint: ClusterEndpoint
    public var processID: Int32
    public var host: String

    public init(system: String, device: String, endpoint: ClusterEndpoint, processID: Int32, host: String) {
        self.system = system
        self.device = device
        self.endpoint = endpoint
        self.processID = processID
        self.host = host
    }

    var json: JSONValue {
        .object([
            ("system", .string(system)),
            ("device", .string(device)),
            ("protocol", .string(endpoint.protocolName)),
            ("address", .string(RealBootstrap.hex(endpoint.address))),
            ("queuePairNumber", .unsigned(UInt64(endpoint.queuePairNumber))),
            ("rkey", .unsigned(UInt64(endpoint.rkey))),
            ("stateBlockAddress", .unsigned(endpoint.stateBlockAddress)),
            ("processID", .integer(Int64(processID))),
            ("host", .string(host)),
        ])
    }

    init?(json: JSONValue) {
        guard let system = json["system"]?.stringValue, let device = json["device"]?.stringValue,
            let protocolName = json["protocol"]?.stringValue, let hex = json["address"]?.stringValue,
            let bytes = RealBootstrap.bytes(hex), bytes.count <= TransportEndpoint.maxAddressLength,
            let qpn = json["queuePairNumber"]?.unsignedValue.flatMap(UInt32.init(exactly:)),
            let rkey = json["rkey"]?.unsignedValue.flatMap(UInt32.init(exactly:)),
            let address = json["stateBlockAddress"]?.unsignedValue,
            let pid = json["processID"]?.doubleValue, let host = json["host"]?.stringValue
        else { return nil }
        self.init(
            system: system, device: device,
            endpoint: ClusterEndpoint(protocolName: protocolName, address: bytes, queuePairNumber: qpn, rkey: rkey, stateBlockAddress: address),
            processID: Int32(pid), host: host)
    }


}

extension RealBootstrap {
    public static func slamPath(folder: String, system: String) -> String { folder + "/slam-" + system + ".json" }

    /// Writes `record` atomically as the system's slam endpoint file.
    public static func publish(_ record: RealSlamEndpointRecord, folder: String) throws(RealModeError) {
        try write(record.json.rendered(pretty: true) + "\n", to: slamPath(folder: folder, system: record.system))
    }

    /// Removes the system's slam endpoint file (a stale one of an earlier run), if any.
    public static func withdrawSlam(folder: String, system: String) {
        unlink(slamPath(folder: folder, system: system))
    }

    /// The partner's slam endpoint, once its file exists and names a live process (on this
    /// host) — waiting up to `timeout`.
    ///
    /// - Throws: ``RealModeError`` after `timeout`, naming the file and what to start; at once
    ///   for a file that does not parse.
    public static func waitForPartner(folder: String, system: String, timeout: TimeSpan) throws(RealModeError) -> RealSlamEndpointRecord {
        try waitForRecord(
            at: slamPath(folder: folder, system: system), kind: "slam endpoint", timeout: timeout,
            parse: RealSlamEndpointRecord.init(json:), owner: { ($0.host, $0.processID) },
            missing: "no partner \"\(system)\"", start: "'iofabric serve FILE --system \(system)'")
    }
}
