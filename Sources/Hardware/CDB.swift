/// A command descriptor block that can be built from fields and parsed back.
///
/// Conformers are the command types in ``CDB``. Building (``bytes``) and parsing
/// (``init(bytes:)``) are exact inverses for every value of the fields, and encode every
/// multi-byte field big-endian at the offsets SBC-3/SPC-4/SAT-3 give.
public protocol CommandDescriptorBlock: Hashable, Sendable {
    /// The operation code every CDB of this command starts with.
    static var operationCode: SCSIOperationCode { get }

    /// The CDB length in bytes.
    static var length: Int { get }

    /// The CDB.
    var bytes: [UInt8] { get }

    /// Parses a CDB of this command; nil when the length or the operation code (or, for
    /// service-action commands, the service action) is not this command's. Never traps.
    init?(bytes: some Collection<UInt8>)
}

/// Builders and parsers for the SCSI commands the storage agents send, and for the data some
/// of them return.
///
/// Each command is a value type: build one and take its ``CommandDescriptorBlock/bytes``, or
/// parse bytes with ``CommandDescriptorBlock/init(bytes:)`` (what a simulated disk does), or
/// parse any CDB into a ``Command`` with ``decode(_:)``. Reserved and obsolete bits are written
/// as zero and ignored when parsing.
public enum CDB {
    /// Checks the common shape and returns the bytes as an array, or nil.
    static func validated<C: CommandDescriptorBlock>(
        _ input: some Collection<UInt8>, as _: C.Type
    ) -> [UInt8]? {
        guard input.count == C.length, input.first == C.operationCode.rawValue else { return nil }
        return Array(input)
    }

    /// A zero CDB of `C`'s length with its operation code and control byte set.
    static func template<C: CommandDescriptorBlock>(_: C.Type, control: UInt8) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: C.length)
        bytes[0] = C.operationCode.rawValue
        bytes[C.length - 1] = control
        return bytes
    }
}
