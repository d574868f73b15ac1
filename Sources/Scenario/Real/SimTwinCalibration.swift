import Foundation
import Hardware
import Reports
import SimHardware
import Timebase

/// What the simulated twin of a real-mode topology is calibrated from: the disk's SG_IO
/// service time and the RDMA link's perftest figures, each with where it came from (the
/// sim-vs-real report prints both).
///
/// As a file (`--calibration FILE`), every member optional (a missing one keeps the default):
/// ```json
/// { "disk": { "read": "4.243ms", "write": "4.382ms", "blocks": 131072, "source": "…" },
///   "link": { "writeMBps": 45.22, "writeLatency": "10.7us", "mtu": 1024, "source": "…" } }
/// ```
public struct SimTwinCalibration: Sendable, Equatable {
    /// The disk: a ``DiskModel/fixedLatency(name:read:write:blockCount:calibrationBytes:bufferBitsPerSecond:overlap:order:)``.
    public struct Disk: Sendable, Equatable {
        /// Service time of a 4 KiB READ (SG_IO p50).
        public var read: TimeSpan
        /// Service time of a 4 KiB WRITE (SG_IO p50).
        public var write: TimeSpan
        /// 512-byte blocks of each simulated LUN.
        public var blocks: UInt64
        public var source: String
    }

    /// The RDMA link, from perftest on the same device.
    public struct Link: Sendable, Equatable {
        /// `ib_write_bw`'s bandwidth, decimal MB/s of payload (as perftest prints it).
        public var writeMBps: Double
        /// `ib_write_lat`'s typical latency (perftest prints half the round trip).
        public var writeLatency: TimeSpan
        /// The device's active path MTU in bytes (256…4096).
        public var mtu: Int
        public var source: String
    }

    public var disk: Disk
    public var link: Link

    public init(disk: Disk, link: Link) {
        self.disk = disk
        self.link = link
    }

    /// The figures measured in the VM (rxe0 + scsi_debug under QEMU TCG, 2026-11-21).
    public static let vmDefaults = SimTwinCalibration(
        disk: Disk(
            // Measured: SGIOLatencyProbe in the VM, /dev/sg0 (scsi_debug), 4 KiB at depth 1, time
            // inside ioctl(SG_IO), p50 (Reports/vm-validation/guest.log of 2026-11-21; README:
            // ≈ 4.5 ms, scsi_debug's default 1-jiffy delay).
            read: .microseconds(4_243), write: .microseconds(4_382),
            // REAL-DEVICES.md: scsi_debug dev_size_mb=64 → 131072 × 512 B.
            blocks: 131_072,
            source: "measured: SGIOLatencyProbe in the VM (/dev/sg0 = scsi_debug, 4 KiB, depth 1, p50 inside SG_IO; Reports/vm-validation, 2026-11-21)"),
        link: Link(
            // Reports/vm-validation/summary.md (2026-11-21): ib_write_bw 65536 B loopback on rxe0,
            // 45.22 MB/s (REAL-DEVICES.md: 41–42 MB/s on another boot).
            writeMBps: 45.22,
            // REAL-DEVICES.md: ib_write_lat typical 10.5–10.9 µs on rxe0: the middle.
            writeLatency: .nanoseconds(10_700),
            // REAL-DEVICES.md: active MTU 1024 at netdev MTU 1500 (dummy0's default).
            mtu: 1024,
            source: "perftest on rxe0 in the VM: ib_write_bw 45.22 MB/s (Reports/vm-validation/summary.md, 2026-11-21), ib_write_lat 10.7 µs typical and active MTU 1024 (REAL-DEVICES.md)"))

    // MARK: What the simulator is given

    /// The simulated LUN, serving as the real target's path to an sg device does: commands
    /// in arrival order (the sg workers' FIFO), up to `overlap` at once (the workers, each
    /// blocked in one SG_IO; scsi_debug times each command on its own timer), each taking the
    /// calibrated time.
    public func diskModel(overlap: Int) -> DiskModel {
        .fixedLatency(
            name: "SG_IO-calibrated", read: disk.read, write: disk.write, blockCount: disk.blocks, overlap: overlap,
            order: .firstComeFirstServed)
    }

    /// The RoCE v2 frame bytes around each full-MTU packet of an RDMA WRITE, wire time included:
    /// Ethernet header + IPv4 + UDP + BTH + ICRC + FCS + preamble and gap (RETH only on a
    /// message's first packet: ignored, < 0.5 % at 64 KiB).
    static let perPacketOverhead = TransportHeaderSize.ethernet + TransportHeaderSize.ipv4 + TransportHeaderSize.udp
        + TransportHeaderSize.bth + TransportHeaderSize.icrc + TransportHeaderSize.ethernetFCS
        + TransportHeaderSize.ethernetPreambleAndGap

    /// The Ethernet link rate at which the simulated fabric's payload rate equals `ib_write_bw`:
    /// payload bits/s × (MTU + per-packet overhead) / MTU. The model's bottleneck becomes the
    /// wire, where rxe's is the CPU that runs it: the closest the fabric model accepts.
    public var linkBitsPerSecond: Int64 {
        let payloadBits = link.writeMBps * 1e6 * 8
        return Int64((payloadBits * Double(link.mtu + Self.perPacketOverhead) / Double(link.mtu)).rounded())
    }

    /// The wire time of `ib_write_lat`'s packet (an RDMA WRITE of 2 bytes, perftest's default:
    /// the frame above + RETH + 2 bytes padded to 4) at ``linkBitsPerSecond``.
    public var latencyPacketWireTime: TimeSpan {
        TimeSpan.transmission(bytes: Self.perPacketOverhead + TransportHeaderSize.reth + 4, bitsPerSecond: linkBitsPerSecond)
    }

    /// The link's one-way propagation delay: `ib_write_lat` minus the wire time of its packet,
    /// so a lone small WRITE crosses in about `ib_write_lat` (the simulated adapters' own
    /// processing comes on top; rxe's is inside the measured figure).
    public var propagationDelay: TimeSpan { max(.nanoseconds(1), link.writeLatency - latencyPacketWireTime) }

    /// The path MTU for the simulated fabric (``MTU`` from bytes; 1024 when unusual).
    public var fabricMTU: MTU { MTU(byteCount: link.mtu) ?? .mtu1024 }

    // MARK: File

    /// Reads a calibration file: members override ``vmDefaults``.
    public static func load(path: String) throws(RealModeError) -> SimTwinCalibration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RealModeError("\(path): cannot be read")
        }
        return try parse(data, file: path)
    }

    /// Checks a calibration given as bytes; `file` names it in messages.
    public static func parse(_ data: Data, file: String) throws(RealModeError) -> SimTwinCalibration {
        let root: JSONValue
        do {
            root = try JSONValue.parse(data)
        } catch {
            throw RealModeError("\(file): not JSON: \(error)")
        }
        var calibration = vmDefaults
        func duration(_ value: JSONValue?, _ path: String) throws(RealModeError) -> TimeSpan? {
            guard let value else { return nil }
            guard let text = value.stringValue, let span = Quantity.duration(text), span > .zero else {
                throw RealModeError("\(file): \(path): expected a positive duration such as \"4.2ms\"")
            }
            return span
        }
        func number(_ value: JSONValue?, _ path: String) throws(RealModeError) -> Double? {
            guard let value else { return nil }
            guard let number = value.doubleValue, number > 0 else { throw RealModeError("\(file): \(path): expected a positive number") }
            return number
        }
        if let disk = root["disk"] {
            if let read = try duration(disk["read"], "$.disk.read") { calibration.disk.read = read }
            if let write = try duration(disk["write"], "$.disk.write") { calibration.disk.write = write }
            if let blocks = try number(disk["blocks"], "$.disk.blocks") { calibration.disk.blocks = UInt64(blocks) }
            calibration.disk.source = disk["source"]?.stringValue ?? "\(file)"
        }
        if let link = root["link"] {
            if let rate = try number(link["writeMBps"], "$.link.writeMBps") { calibration.link.writeMBps = rate }
            if let latency = try duration(link["writeLatency"], "$.link.writeLatency") { calibration.link.writeLatency = latency }
            if let mtu = try number(link["mtu"], "$.link.mtu") {
                guard MTU(byteCount: Int(mtu)) != nil else { throw RealModeError("\(file): $.link.mtu: expected 256, 512, 1024, 2048 or 4096") }
                calibration.link.mtu = Int(mtu)
            }
            calibration.link.source = link["source"]?.stringValue ?? "\(file)"
        }
        return calibration
    }

    /// The calibration as JSON (the report's `.json` carries it).
    public var json: JSONValue {
        .object([
            ("disk", .object([
                ("read", .string(Quantity.text(disk.read))), ("write", .string(Quantity.text(disk.write))),
                ("blocks", .unsigned(disk.blocks)), ("source", .string(disk.source)),
            ])),
            ("link", .object([
                ("writeMBps", .number(link.writeMBps)), ("writeLatency", .string(Quantity.text(link.writeLatency))),
                ("mtu", .integer(Int64(link.mtu))), ("source", .string(link.source)),
                ("simulatedLinkBitsPerSecond", .integer(linkBitsPerSecond)),
                ("simulatedPropagationDelay", .string(Quantity.text(propagationDelay))),
            ])),
        ])
    }
}

extension SimTwinCalibration {
    /// Runs `definition`'s fabrics (only the one called `fabric`, if given) at the calibrated
    /// link rate, propagation delay and MTU.
    func calibrateLinks(of definition: inout ScenarioDefinition, fabric: String? = nil) {
        for index in definition.topology.fabrics.indices where fabric == nil || definition.topology.fabrics[index].name == fabric {
            definition.topology.fabrics[index].calibratedLinkBitsPerSecond = linkBitsPerSecond
            definition.topology.fabrics[index].calibratedPropagationDelay = propagationDelay
            definition.topology.fabrics[index].calibratedMTUBytes = link.mtu
        }
    }

    /// Makes every disk of `definition` the calibrated fixed-latency disk serving `overlap`
    /// commands at once (``diskModel(overlap:)``).
    func calibrateDisks(of definition: inout ScenarioDefinition, overlap: Int) {
        let model = diskModel(overlap: overlap)
        for shelf in definition.topology.shelves.indices {
            for group in definition.topology.shelves[shelf].diskGroups.indices {
                definition.topology.shelves[shelf].diskGroups[group].calibratedModel = model
            }
        }
    }
}
