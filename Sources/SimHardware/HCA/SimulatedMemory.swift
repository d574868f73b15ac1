import Hardware

/// Memory that lives in the simulator: what a simulated HCA may register and reach by DMA.
/// Buffers of the real backend are not (``ProtectionDomain/registerMemory(_:access:)`` refuses
/// them), so a topology cannot mix the two by mistake.
public protocol SimulatedMemory: MemoryBuffer {}

/// A zero-filled block of simulated node memory: the bytes behind a memory region the
/// simulated HCA allocated, or any buffer a model hands out.
public final class SimMemory: SimulatedMemory {
    /// For trap messages: which buffer an out-of-range access hit.
    public let name: String
    private let storage: UnsafeMutableRawBufferPointer

    public init(name: String, length: Int) {
        precondition(length > 0, "memory '\(name)' of \(length) bytes")
        self.name = name
        storage = .allocate(byteCount: length, alignment: 64)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit { storage.deallocate() }

    public var length: Int { storage.count }

    private func check(_ offset: Int, _ count: Int, _ what: String) {
        precondition(
            offset >= 0 && count >= 0 && offset <= storage.count - count,
            "\(what)(offset: \(offset), count: \(count)) outside memory '\(name)' of \(storage.count) bytes")
    }

    public func read(offset: Int, count: Int) -> [UInt8] {
        check(offset, count, "read")
        return Array(UnsafeRawBufferPointer(rebasing: storage[offset..<offset + count]))
    }

    public func write(_ bytes: some Collection<UInt8>, at offset: Int) {
        check(offset, bytes.count, "write")
        let copied: Void? = bytes.withContiguousStorageIfAvailable { source in
            guard let base = source.baseAddress, source.count > 0 else { return }
            (storage.baseAddress! + offset).copyMemory(from: base, byteCount: source.count)
        }
        if copied != nil { return }
        var index = offset
        for byte in bytes {
            storage[index] = byte
            index += 1
        }
    }

    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(storage))
    }

    public func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(storage)
    }
}
