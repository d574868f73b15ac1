import Timebase

/// A load as the scenario describes it.
public struct WorkloadDefinition: Sendable {
    public enum Kind: String, Sendable { case disk, block, rdma }
    public enum Pattern: String, Sendable { case random, sequential }
    public enum RDMAOperation: String, Sendable { case write, read, send }

    public var path: String
    public var name: String
    public var kind: Kind
    public var node: String?
    /// As written: `"shelf0"` or `"shelf0.bay3"`; nil means every disk the node reaches.
    public var disks: [String]?
    public var client: String?
    public var target: String?
    /// block: the LUNs asked for; nil asks for every LUN granted.
    public var luns: [UInt16]?
    public var from: String?
    public var to: String?
    public var operation: RDMAOperation
    public var readPercent: Int
    public var blockSize: Int64
    public var queueDepth: Int
    public var pattern: Pattern
    public var workingSet: Int64?
    public var rate: Double?
    public var thinkTime: TimeSpan
    public var start: TimeSpan
    public var stop: TimeSpan?
    public var timeout: TimeSpan
    public var verify: Bool

    init(_ object: ObjectValue) {
        path = object.path
        name = object.string("name")!
        kind = Kind(rawValue: object.string("kind")!)!
        node = object.string("node")
        disks = object.has("disks") ? object.strings("disks") : nil
        client = object.string("client")
        target = object.string("target")
        luns = object.has("luns") ? object.luns("luns") : nil
        from = object.string("from")
        to = object.string("to")
        operation = RDMAOperation(rawValue: object.string("operation")!)!
        readPercent = Int(object.integer("readPercent")!)
        blockSize = object.size("blockSize")!
        queueDepth = Int(object.integer("queueDepth")!)
        pattern = Pattern(rawValue: object.string("pattern")!)!
        workingSet = object.size("workingSet")
        rate = object.number("rate")
        thinkTime = object.duration("thinkTime")!
        start = object.duration("start")!
        stop = object.duration("stop")
        timeout = object.duration("timeout")!
        verify = object.boolean("verify")!
    }

    /// When the load stops issuing, in a run that ends at `end`.
    func stopInstant(end: Instant) -> Instant { min(end, Instant.zero + (stop ?? (end - .zero))) }

    /// The seconds the load is meant to run, in a run that ends at `end`.
    func activeSeconds(end: Instant) -> Double { (stopInstant(end: end) - (Instant.zero + start)).seconds }
}
