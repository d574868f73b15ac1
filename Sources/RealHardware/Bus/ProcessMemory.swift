import Glibc
import Hardware

/// Memory of this process that the real backend's devices reach: page-aligned allocations,
/// the buffers behind real verbs memory regions, a mapping of the NVRAM device.
///
/// A marker: the real backend's bus channels expose only this kind of memory, as the simulated
/// bus exposes only simulated memory, so a buffer of the other backend is refused with
/// ``BusChannelError/invalidWindow(_:)``.
public protocol ProcessMemory: MemoryBuffer {}

/// Process memory at one address for its whole life (an allocation, a mapping): the
/// ``MemoryBuffer`` operations over it, bounds-checked, come with the conformance.
public protocol FixedAddressMemory: ProcessMemory {
    /// The first byte.
    var baseAddress: UnsafeMutableRawPointer { get }
    /// What a failed bounds check names, e.g. `"sn1.buffers"` or the file mapped.
    var memoryName: String { get }
}

extension FixedAddressMemory {
    private func check(_ offset: Int, _ count: Int, _ what: String) {
        precondition(
            offset >= 0 && count >= 0 && offset <= length - count,
            "\(memoryName): \(what) of \(count) bytes at offset \(offset) outside a buffer of \(length) bytes")
    }

    public func read(offset: Int, count: Int) -> [UInt8] {
        check(offset, count, "read")
        return Array(UnsafeRawBufferPointer(start: baseAddress + offset, count: count))
    }

    public func write(_ bytes: some Collection<UInt8>, at offset: Int) {
        check(offset, bytes.count, "write")
        UnsafeMutableRawBufferPointer(start: baseAddress + offset, count: bytes.count).copyBytes(from: bytes)
    }

    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: baseAddress, count: length))
    }

    public func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeMutableRawBufferPointer(start: baseAddress, count: length))
    }
}

/// A zero-filled, page-aligned buffer from `posix_memalign`, freed when the object goes.
///
/// Page alignment is what RDMA memory registration and O_DIRECT/SG_IO transfers want (they
/// pin whole pages), so the same buffer can later be registered with the HCA or handed to the
/// disk.
public final class AlignedMemory: FixedAddressMemory {
    /// The name in trap messages, e.g. `"sn1.buffers"`.
    public let name: String
    public let length: Int
    public let baseAddress: UnsafeMutableRawPointer
    public var memoryName: String { name }

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
        baseAddress = pointer!
        memset(baseAddress, 0, max(length, 1))
    }

    deinit {
        free(baseAddress)
    }
}
