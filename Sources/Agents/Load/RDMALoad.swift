import Hardware

/// What an ``RDMALoadGenerator`` does: perftest's `ib_write_bw` / `ib_read_bw` / `ib_send_bw`
/// as a fio-like job between two adapters over one RC connection.
public struct RDMALoad: Sendable {
    public enum Operation: Sendable { case write, read, send }

    public var operation: Operation
    /// Bytes per transfer.
    public var blockSize: Int
    /// Transfers kept outstanding on the connection (perftest's `--tx-depth`).
    public var queueDepth: Int
    /// Transfers per second, or nil for a closed loop (the next one when one completes).
    public var rate: Double?
    /// The pause between a completion and the next post.
    public var thinkTime: TimeSpan
    /// When to start (the connection is made then) and stop posting, from time zero.
    public var start: Instant
    public var stop: Instant
    /// Check every byte moved: READs against the responder's known pattern; WRITEs (sent with
    /// immediate data, so the responder sees each one) and SENDs at the responder against the
    /// generator's stamp. Without it WRITEs are plain one-sided RDMA WRITEs.
    public var verify: Bool

    public init(operation: Operation, blockSize: Int, queueDepth: Int, rate: Double? = nil, thinkTime: TimeSpan = .zero,
                start: Instant = .zero, stop: Instant, verify: Bool = true) {
        precondition(blockSize > 0 && queueDepth > 0 && start < stop)
        self.operation = operation
        self.blockSize = blockSize
        self.queueDepth = queueDepth
        self.rate = rate
        self.thinkTime = thinkTime
        self.start = start
        self.stop = stop
        self.verify = verify
    }

    /// A transfer's bytes: its stamp (8 bytes, little-endian), then a pattern that depends on
    /// the stamp and the offset, so a misplaced, stale or torn block cannot pass.
    static func block(stamp: UInt64, size: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            for offset in 0..<size { buffer[offset] = byte(stamp: stamp, offset: offset) }
            count = size
        }
    }

    /// Whether `bytes` is the block of the stamp it starts with (a zero stamp never is).
    static func isIntact(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 8 else { return false }
        let stamp = stamp(of: bytes)
        guard stamp != 0 else { return false }
        return bytes.withUnsafeBufferPointer { buffer in
            for offset in 8..<buffer.count where buffer[offset] != byte(stamp: stamp, offset: offset) { return false }
            return true
        }
    }

    /// The stamp a block starts with.
    static func stamp(of bytes: [UInt8]) -> UInt64 {
        (0..<min(8, bytes.count)).reduce(UInt64(0)) { $0 | UInt64(bytes[$1]) << (8 * UInt64($1)) }
    }

    @inline(__always)
    private static func byte(stamp: UInt64, offset: Int) -> UInt8 {
        offset < 8 ? UInt8(truncatingIfNeeded: stamp >> (8 * UInt64(offset))) : UInt8(truncatingIfNeeded: stamp &* 31 &+ UInt64(offset))
    }
}

/// One end of an RDMA load's connection, as the other end needs it (what perftest exchanges
/// over its TCP side channel): the QP's address, number and first PSN, and the memory exposed.
public struct RDMALoadEndpoint: Sendable {
    public var transport: TransportEndpoint
    public var memory: RemoteMemory
}
