/// How busy one component of the topology was over a run: a row of the utilisation table
/// and one bar of the HTML report.
public struct ComponentUtilisation: Sendable, Equatable {
    /// The kinds of component a report shows utilisation for.
    public enum Kind: String, Sendable, CaseIterable {
        case pci, link, loop, disk, hca
    }

    /// The component's name in the scenario (user text: writers escape it).
    public var name: String
    public var kind: Kind
    /// The fraction of the run the component was busy, 0…1.
    public var utilisation: Double
    /// The bytes the component carried (or transferred, for a disk).
    public var bytes: UInt64

    public init(name: String, kind: Kind, utilisation: Double, bytes: UInt64) {
        precondition(utilisation.isFinite && utilisation >= 0 && utilisation <= 1 + 1e-9,
            "utilisation of \(name) is \(utilisation), outside 0…1")
        self.name = name
        self.kind = kind
        self.utilisation = Swift.min(utilisation, 1)
        self.bytes = bytes
    }

    public var jsonValue: JSONValue {
        .object([
            ("name", .string(name)), ("kind", .string(kind.rawValue)),
            ("utilisation", .number(utilisation)), ("bytes", .unsigned(bytes)),
        ])
    }
}
