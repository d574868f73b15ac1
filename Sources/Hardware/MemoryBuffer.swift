/// A range of node memory that devices can read and write: the bytes behind a verbs memory
/// region, a node's NVRAM, or a window exposed on the bus.
///
/// In simulation the bytes live in a Swift array owned by the model; on real hardware they live
/// in page-aligned memory (`posix_memalign`, or a mapping of the NVRAM device) that the HCA or
/// the bus reaches by DMA. Agents use the same four calls on both.
///
/// Implementers must guarantee:
/// - ``length`` never changes while the buffer exists.
/// - ``read(offset:count:)`` returns exactly the bytes most recently written at those offsets,
///   by ``write(_:at:)``, by a `withUnsafeMutableBytes` body, or by a device (an RDMA WRITE or
///   a bus DMA that completed before the call).
/// - Out-of-range offsets and counts are programmer errors: they trap with a message naming
///   the buffer, offset and count; they never read or write outside the buffer.
///
/// - Warning: A device may be reading or writing the bytes while a work request, SCSI command or
///   DMA that names them is outstanding. Touch only bytes that no outstanding operation names;
///   the completion of that operation is what hands the bytes back.
public protocol MemoryBuffer: AnyObject {
    /// The size of the buffer in bytes.
    var length: Int { get }

    /// A copy of `count` bytes starting at `offset`.
    ///
    /// - Precondition: `offset >= 0`, `count >= 0` and `offset + count <= length`.
    func read(offset: Int, count: Int) -> [UInt8]

    /// Copies `bytes` into the buffer starting at `offset`.
    ///
    /// - Precondition: `offset >= 0` and `offset + bytes.count <= length`.
    func write(_ bytes: some Collection<UInt8>, at offset: Int)

    /// Calls `body` with the whole buffer's bytes, read-only, and returns its result.
    ///
    /// The pointer is valid only for the duration of `body`; do not store it.
    func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result

    /// Calls `body` with the whole buffer's bytes, writable, and returns its result.
    ///
    /// The pointer is valid only for the duration of `body`; do not store it. Writes made
    /// through it are visible to later reads and to devices, exactly as ``write(_:at:)`` is.
    func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result
}

extension MemoryBuffer {
    /// The whole buffer, copied.
    public func readAll() -> [UInt8] {
        read(offset: 0, count: length)
    }

    /// Sets `count` bytes starting at `offset` to `value` (zero by default).
    ///
    /// - Precondition: the range lies inside the buffer.
    public func fill(_ value: UInt8 = 0, offset: Int = 0, count: Int? = nil) {
        let count = count ?? (length - offset)
        precondition(
            offset >= 0 && count >= 0 && offset <= length - count,
            "MemoryBuffer.fill(offset: \(offset), count: \(count)) outside a buffer of \(length) bytes")
        withUnsafeMutableBytes { bytes in
            guard count > 0 else { return }
            let start = bytes.baseAddress! + offset
            start.initializeMemory(as: UInt8.self, repeating: value, count: count)
        }
    }
}
