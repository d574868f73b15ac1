import Hardware
import SimCore
import SimHardware
import Timebase

/// Small InfiniBand topologies for the fabric tests.
struct InfiniBandRig {
    let simulator: Simulator
    let fabric: InfiniBandFabric
    var generators: [TrafficGenerator] = []
    var sinks: [TrafficSink] = []
    var attachments: [String: InfiniBandPortAttachment] = [:]
    var switches: [String: SwitchID] = [:]
    private var nextGUID: UInt64 = 0x0002_c903_0000_0001

    init(seed: UInt64 = 1, configuration: InfiniBandConfiguration = .init()) {
        simulator = Simulator(seed: seed)
        fabric = InfiniBandFabric(name: "ib0", simulator: simulator, configuration: configuration)
    }

    mutating func generator(_ name: String, serviceLevel: UInt8 = 0, payload: Int = 2048) -> TrafficGenerator {
        let generator = TrafficGenerator(name: name, simulator: simulator, payload: payload, serviceLevel: serviceLevel)
        let attachment = fabric.attachEndpoint(named: name, endpoint: generator, portGUID: GUID(rawValue: nextGUID))
        nextGUID += 1
        generator.attachment = attachment
        attachments[name] = attachment
        generators.append(generator)
        return generator
    }

    mutating func sink(_ name: String, serviceTime: TimeSpan = .zero) -> TrafficSink {
        let sink = TrafficSink(name: name, simulator: simulator, serviceTime: serviceTime)
        let attachment = fabric.attachEndpoint(named: name, endpoint: sink, portGUID: GUID(rawValue: nextGUID))
        nextGUID += 1
        sink.attachment = attachment
        attachments[name] = attachment
        sinks.append(sink)
        return sink
    }

    mutating func addSwitch(_ name: String, ports: Int = 8) throws -> SwitchID {
        let id = try fabric.addSwitch(named: name, portCount: ports)
        switches[name] = id
        return id
    }

    /// Connects two ends named "endpoint" or "switch:port".
    func connect(_ a: String, _ b: String, named name: String, link: InfiniBandLinkConfiguration? = nil) throws {
        try fabric.connect(reference(a), reference(b), named: name, link: link)
    }

    func reference(_ end: String) -> InfiniBandPortReference {
        let parts = end.split(separator: ":")
        if parts.count == 2 { return .switchPort(switches[String(parts[0])]!, Int(parts[1])!) }
        return .endpoint(attachments[end]!)
    }

    /// Payload bits per second a sink saw between its first and last arrival (the first
    /// packet's payload is not counted: the span starts when it arrived).
    /// Four generators (SLs 0…3) on ports 1…4 of switch `sw0`, each sending `limit` packets
    /// to a sink `target` on port 5 over link `sw0-target`; the SM runs on the target.
    mutating func manyToOne(limit: Int) throws -> TrafficSink {
        let sink = sink("target")
        _ = try addSwitch("sw0")
        try connect("sw0:5", "target", named: "sw0-target")
        for index in 0..<4 {
            let generator = generator("client\(index)", serviceLevel: UInt8(index))
            try connect("client\(index)", "sw0:\(index + 1)", named: "client\(index)-sw0")
            generator.destinations = [attachments["target"]!]
            generator.limit = limit
        }
        fabric.addSubnetManager(at: attachments["target"]!)
        return sink
    }

    static func payloadRate(_ sink: TrafficSink, payload: Int) -> Double {
        let span = (sink.lastArrival - sink.firstArrival!).seconds
        return Double(sink.payloadBytes - payload) * 8 / span
    }

    /// Per-packet bytes on an InfiniBand link besides the payload for RDMA WRITE middle
    /// packets: LRH 8 + BTH 12 + ICRC 4 + VCRC 2 (REFERENCE §C.2).
    static let rdmaWriteMiddleOverhead = 8 + 12 + 4 + 2
}
