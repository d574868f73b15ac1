import Glibc
import Hardware

/// Memory of this process that the real backend's devices reach: page-aligned allocations,
/// the buffers behind real verbs memory regions, a mapping of the NVRAM device.
///
/// A marker: the real backend's bus channels expose only this kind of memory, as the simulated
/// bus exposes only simulated memory, so a buffer of the other backend is refused with
/// ``BusChannelError/invalidWindow(_:)``.
public protocol ProcessMemory: MemoryBuffer {}

/// A zero-filled, page-aligned buffer from `posix_memalign`, freed when the object goes.
///
/// Page alignment is what RDMA memory registration and O_DIRECT/SG_IO transfers want (they
/// pin whole pages), so the same buffer can later be registered with the HCA or handed to the
/// disk.
public final class AlignedMemory: ProcessMemory {
    /// The name in trap messages, e.g. `"sn1.buffers"`.
    public let name: String
    public let length: Int
    private let base: UnsafeMutableRawPointer

    /// The alignment of every buffer: the system page size (`sysconf(_SC_PAGESIZE)`).
    public static let alignment = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// `length` zero bytes (at least one page is allocated for an empty buffer).
    public init(name: String, length: Int) {
        precondition(length >= 0, "\(name): negative length \(length)")
        self.name = name
        self.length = length
        var pointer: UnsafeMutableRawPointer?
        let error = posix_memalign(&pointer, Self.alignment, max(length, 1))
        precondition(error == 0 && pointer != nil, "\(name): posix_memalign of \(length) bytes failed: errno \(error)")
        base = pointer!
        memset(base, 0, max(length, 1))
    }

    deinit {
        free(base)
    }

    private func check(_ offset: Int, _ count: Int, _ what: String) {
        precondition(
            offset >= 0 && count >= 0 && offset <= length - count,
            "\(name): \(what) of \(count) bytes at offset \(offset) outside a buffer of \(length) bytes")
    }

    public func read(offset: Int, count: Int) -> [UInt8] {
        check(offset, count, "read")
        return Array(UnsafeRawBufferPointer(start: base + offset, count: count))
    }

    public func write(_ bytes: some Collection<UInt8>, at offset: Int) {
        check(offset, bytes.count, "write")
        UnsafeMutableRawBufferPointer(start: base + offset, count: bytes.count).copyBytes(from: bytes)
    }

    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: base, count: length))
    }

    public func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeMutableRawBufferPointer(start: base, count: length))
    }
}
