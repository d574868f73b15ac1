import Hardware

/// A write log on the CTA's write path (in a cluster: the NVRAM log with its mirror to the
/// partner, ``NVRAMMirror``). A write is acknowledged to its client when the log says it is
/// durable; its record is trimmed when its data reached disk.
public protocol WriteLogging: AnyObject {
    /// Told when records become durable and when room returns.
    var writeLogDelegate: (any WriteLogDelegate)? { get set }
    /// Logs a write's data; returns the record's sequence number, or nil when the log has no
    /// room now (the delegate hears ``WriteLogDelegate/writeLogSpaceAvailable()`` later; retry then).
    /// Never calls the delegate from inside the call.
    func append(lun: UInt16, lba: UInt64, blocks: UInt32, data: [UInt8]) -> UInt64?
    /// The record's data reached disk.
    func trim(_ sequence: UInt64)
    /// The largest data one record may carry.
    var maxRecordData: Int { get }
}

/// The side of a ``WriteLogging`` its user implements (the CTA).
public protocol WriteLogDelegate: AnyObject {
    /// Record `sequence` is durable (safe to acknowledge). Called once per record, in sequence order.
    func writeDurable(_ sequence: UInt64)
    /// Room was freed: appends refused earlier may be retried.
    func writeLogSpaceAvailable()
}
