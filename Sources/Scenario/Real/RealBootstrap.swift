import Agents
import Foundation
import Reports
import Timebase

/// What a real-mode process publishes for the others: the management endpoint real verbs
/// chose for a target (a real HCA picks its QP numbers; only the GID, the UD QPN and the
/// Q_Key together find it). Written as `<bootstrap>/target-<name>.json`.
public struct RealEndpointRecord: Hashable, Sendable {
    /// The storage system's name.
    public var name: String
    /// The RDMA device and port it serves on, e.g. `rxe0 port 1`.
    public var device: String
    public var address: ServiceAddress
    /// The publishing process and its host, so a reader can tell a stale file of a dead
    /// process on this host from a live one.
    public var processID: Int32
    public var host: String

    public init(name: String, device: String, address: ServiceAddress, processID: Int32, host: String) {
        self.name = name
        self.device = device
        self.address = address
        self.processID = processID
        self.host = host
    }

    var json: JSONValue {
        .object([
            ("name", .string(name)),
            ("device", .string(device)),
            ("protocol", .string(address.protocolName)),
            ("address", .string(RealBootstrap.hex(address.endpoint.address))),
            ("queuePairNumber", .unsigned(UInt64(address.endpoint.queuePairNumber))),
            ("queueKey", .unsigned(UInt64(address.queueKey))),
            ("processID", .integer(Int64(processID))),
            ("host", .string(host)),
        ])
    }

    init?(json: JSONValue) {
        guard let name = json["name"]?.stringValue, let device = json["device"]?.stringValue,
            let protocolName = json["protocol"]?.stringValue, let hex = json["address"]?.stringValue,
            let bytes = RealBootstrap.bytes(hex), bytes.count <= TransportEndpoint.maxAddressLength,
            let qpn = json["queuePairNumber"]?.unsignedValue, let qkey = json["queueKey"]?.unsignedValue,
            let pid = json["processID"]?.doubleValue, let host = json["host"]?.stringValue
        else { return nil }
        guard let qpn32 = UInt32(exactly: qpn), let qkey32 = UInt32(exactly: qkey) else { return nil }
        self.init(
            name: name, device: device,
            address: ServiceAddress(
                protocolName: protocolName, endpoint: TransportEndpoint(address: bytes, queuePairNumber: qpn32, packetSequenceNumber: 0),
                queueKey: qkey32),
            processID: Int32(pid), host: host)
    }
}

/// The bootstrap folder where real-mode processes exchange endpoints. Files are written
/// atomically (a temporary file, then `rename`), so a reader never sees half a file; a reader
/// waits for the file, polling, until a timeout, then says what it waited for.
///
/// This is process plumbing, not a model: it uses the wall clock and sleeps.
public enum RealBootstrap {
    /// Address bytes as the files write them: lowercase hex, two digits a byte.
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// The bytes of ``hex(_:)``'s text, or nil if it is not that.
    static func bytes(_ hex: String) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    /// How often a reader looks for the file. [assumption: 20 ms, well under a process start]
    static let pollInterval: TimeSpan = .milliseconds(20)

    public static func targetPath(folder: String, target: String) -> String { folder + "/target-" + target + ".json" }

    /// This machine's host name.
    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Writes `record` for its target: a temporary file in the folder, then `rename`.
    public static func publish(_ record: RealEndpointRecord, folder: String) throws(RealModeError) {
        try write(record.json.rendered(pretty: true) + "\n", to: targetPath(folder: folder, target: record.name))
    }

    /// Writes `text` to `path` atomically, creating the folder.
    public static func write(_ text: String, to path: String) throws(RealModeError) {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw RealModeError("\(url.deletingLastPathComponent().path): cannot create the folder: \(error.localizedDescription)")
        }
        let temporary = path + ".tmp.\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
            throw RealModeError("\(temporary): cannot write: \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw RealModeError("\(path): cannot rename the temporary file into place: \(reason)")
        }
    }

    /// Publishes this process's management endpoint as target `name`, serving at `address` on
    /// `port`; returns the record written.
    static func publishTarget(
        _ name: String, port: RealPort, address: ServiceAddress, folder: String
    ) throws(RealModeError) -> RealEndpointRecord {
        let record = RealEndpointRecord(
            name: name, device: "\(port.context.device.name) port \(port.selection.port)", address: address,
            processID: getpid(), host: hostName)
        try publish(record, folder: folder)
        return record
    }

    /// Removes the target's endpoint file (a stale one from an earlier run), if any.
    public static func withdraw(folder: String, target: String) {
        unlink(targetPath(folder: folder, target: target))
    }

    /// The target's endpoint, once its file exists and names a live process (on this host) —
    /// waiting up to `timeout`.
    ///
    /// - Throws: ``RealModeError`` after `timeout`, naming the file and what to start; or
    ///   at once for a file that does not parse.
    public static func waitForTarget(folder: String, target: String, timeout: TimeSpan) throws(RealModeError) -> RealEndpointRecord {
        try waitForRecord(
            at: targetPath(folder: folder, target: target), kind: "target endpoint", timeout: timeout,
            parse: RealEndpointRecord.init(json:), owner: { ($0.host, $0.processID) },
            missing: "no target \"\(target)\"", start: "'iofabric serve'")
    }

    /// The record in the file at `path` once it exists and names a live process (on this host;
    /// a file whose process has gone is stale: wait for the new one) — polling up to `timeout`.
    ///
    /// - Throws: ``RealModeError`` after `timeout` (`"<missing> after <timeout>: <path> did not
    ///   appear (start it with <start>, or see its error)"`); at once for a file that does not parse.
    static func waitForRecord<Record>(
        at path: String, kind: String, timeout: TimeSpan, parse: (JSONValue) -> Record?,
        owner: (Record) -> (host: String, processID: Int32), missing: String, start: String
    ) throws(RealModeError) -> Record {
        let started = DispatchTime.now().uptimeNanoseconds
        let host = hostName
        while true {
            if let data = FileManager.default.contents(atPath: path) {
                let value: JSONValue
                do { value = try JSONValue.parse(data) } catch {
                    throw RealModeError("\(path): not a \(kind) file: \(error)")
                }
                guard let record = parse(value) else {
                    throw RealModeError("\(path): not a \(kind) file (a member is missing or invalid)")
                }
                let (recordHost, processID) = owner(record)
                if recordHost != host || kill(processID, 0) == 0 || errno == EPERM { return record }
            }
            if Int64(DispatchTime.now().uptimeNanoseconds - started) >= timeout.picoseconds / 1000 {
                throw RealModeError(
                    "\(missing) after \(Quantity.text(timeout)): \(path) did not appear (start it with \(start), or see its error)")
            }
            usleep(UInt32(pollInterval.picoseconds / 1_000_000))
        }
    }
}
