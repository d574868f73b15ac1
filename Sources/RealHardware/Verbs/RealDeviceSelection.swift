import Glibc
import Hardware

/// Which device, port and GID a real-mode process uses, chosen the way perftest chooses:
/// `--ib-dev NAME` (`-d`), `--ib-port N` (`-i`), `--gid-index N` (`-x`).
///
/// Defaults (perftest's, `perftest_parameters.c`): the first device (in the provider's order),
/// port 1, and on RoCE ports without `--gid-index` the "best" GID (``bestGIDIndex(_:)``); on
/// InfiniBand ports GID 0. On Soft-RoCE over the VM's `dummy0` (no IPv4 address) that is GID 0,
/// the interface's IPv6 link-local address, RoCE v2: what `ib_write_bw -x 0` uses.
public struct RealDeviceSelection: Hashable, Sendable {
    /// The device's name; nil for the first.
    public var deviceName: String?
    /// The port, numbered from 1.
    public var port: UInt8
    /// The GID index; nil to choose as perftest does.
    public var gidIndex: Int?

    public init(deviceName: String? = nil, port: UInt8 = 1, gidIndex: Int? = nil) {
        self.deviceName = deviceName
        self.port = port
        self.gidIndex = gidIndex
    }

    /// A command line option that could not be read.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Reads `--ib-dev NAME`/`-d NAME`, `--ib-port N`/`-i N` and `--gid-index N`/`-x N` (also as
    /// `--option=value`) out of `arguments`; other arguments are left to the caller.
    ///
    /// - Throws: ``ParseError`` for a missing value, a port outside 1…255 or a negative GID index.
    public init(arguments: [String]) throws(ParseError) {
        self.init()
        var index = 0
        while index < arguments.count {
            var option = arguments[index]
            var value: String?
            if option.hasPrefix("--"), let equals = option.firstIndex(of: "=") {
                value = String(option[option.index(after: equals)...])
                option = String(option[..<equals])
            }
            let known = ["--ib-dev", "-d", "--ib-port", "-i", "--gid-index", "-x"]
            guard known.contains(option) else {
                index += 1
                continue
            }
            if value == nil {
                guard index + 1 < arguments.count else { throw ParseError(description: "\(option) needs a value") }
                value = arguments[index + 1]
                index += 1
            }
            let text = value!
            switch option {
            case "--ib-dev", "-d":
                guard !text.isEmpty else { throw ParseError(description: "\(option) needs a device name") }
                deviceName = text
            case "--ib-port", "-i":
                guard let port = UInt8(text), port >= 1 else {
                    throw ParseError(description: "\(option) \(text): a port number is 1…255")
                }
                self.port = port
            default:
                guard let gid = Int(text), gid >= 0 else {
                    throw ParseError(description: "\(option) \(text): a GID index is 0 or more")
                }
                gidIndex = gid
            }
            index += 1
        }
    }

    /// A GID table entry as perftest's `get_best_gid_index` weighs it.
    public struct GIDCandidate: Hashable, Sendable {
        public var index: Int
        public var gid: GID
        /// The sysfs type (`/sys/class/infiniband/DEV/ports/N/gid_attrs/types/I`): `RoCE v2`,
        /// `IB/RoCE v1`; nil where unknown.
        public var type: String?

        public init(index: Int, gid: GID, type: String?) {
            self.index = index
            self.gid = gid
            self.type = type
        }

        /// An IPv4-mapped address (`::ffff:a.b.c.d`), which perftest prefers unless told `--ipv6`.
        public var isIPv4Mapped: Bool { gid.subnetPrefix == 0 && gid.interfaceID >> 32 == 0xffff }
        public var isRoCEv2: Bool { type?.contains("v2") ?? false }
    }

    /// perftest's choice of GID on a RoCE port without `--gid-index`: starting from index 0, a
    /// later entry wins if it is IPv4-mapped where the current one is not, or, when both are
    /// or are not, if it is RoCE v2 where the current one is v1. Empty (all-zero) entries
    /// never win. [assumption: `--ipv6` is not given]
    public static func bestGIDIndex(_ candidates: [GIDCandidate]) -> Int {
        let usable = candidates.filter { $0.gid != .zero }
        guard var best = usable.first else { return 0 }
        for rival in usable.dropFirst() {
            if rival.isIPv4Mapped != best.isIPv4Mapped {
                if rival.isIPv4Mapped { best = rival }
            } else if rival.isRoCEv2 && !best.isRoCEv2 {
                best = rival
            }
        }
        return best.index
    }

    /// How many GID table entries the choice looks at. [assumption: a port's addresses sit at
    /// the start of the table; Soft-RoCE's has 1024 entries, nearly all empty]
    public static let gidScanLimit = 64

    /// The GID index this selection uses on `port` of `context`: the given one, else perftest's
    /// choice on RoCE (reading GID types from sysfs), else 0.
    public func resolvedGIDIndex(in context: any VerbsDeviceContext) throws(VerbsError) -> Int {
        if let gidIndex { return gidIndex }
        let attributes = try context.queryPort(port)
        guard attributes.linkLayer == .ethernet else { return 0 }
        var candidates: [GIDCandidate] = []
        for index in 0..<min(attributes.gidTableLength, Self.gidScanLimit) {
            let gid = try context.queryGID(port: port, index: index)
            candidates.append(GIDCandidate(
                index: index, gid: gid,
                type: Self.sysfsGIDType(device: context.device.name, port: port, index: index)))
        }
        return Self.bestGIDIndex(candidates)
    }

    /// The first line of `/sys/class/infiniband/DEV/ports/PORT/gid_attrs/types/INDEX`; nil if unreadable.
    static func sysfsGIDType(device: String, port: UInt8, index: Int) -> String? {
        let path = "/sys/class/infiniband/\(device)/ports/\(port)/gid_attrs/types/\(index)"
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 64)
        guard fgets(&line, Int32(line.count), file) != nil else { return nil }
        let text = String(decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? nil : text
    }
}
