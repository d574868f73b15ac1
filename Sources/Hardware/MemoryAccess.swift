/// What a memory region, or a queue pair's responder, allows (`enum ibv_access_flags`).
///
/// Local read access is always granted. Remote write and remote atomic access need local write
/// too: `ibv_reg_mr` refuses them alone with `EINVAL`, and so must every backend (see
/// ``isValidForRegistration``).
public struct MemoryAccess: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// The local HCA may write the memory (receives and RDMA READ responses land in it).
    ///
    /// The corresponding C constant is `IBV_ACCESS_LOCAL_WRITE`.
    public static let localWrite = MemoryAccess(rawValue: 1 << 0)

    /// Remote peers may RDMA WRITE into the memory.
    ///
    /// The corresponding C constant is `IBV_ACCESS_REMOTE_WRITE`.
    public static let remoteWrite = MemoryAccess(rawValue: 1 << 1)

    /// Remote peers may RDMA READ the memory.
    ///
    /// The corresponding C constant is `IBV_ACCESS_REMOTE_READ`.
    public static let remoteRead = MemoryAccess(rawValue: 1 << 2)

    /// Remote peers may perform atomic operations on the memory.
    ///
    /// The corresponding C constant is `IBV_ACCESS_REMOTE_ATOMIC`.
    public static let remoteAtomic = MemoryAccess(rawValue: 1 << 3)

    /// Everything a buffer shared with a peer for RDMA in both directions needs.
    public static let remoteReadWrite: MemoryAccess = [.localWrite, .remoteRead, .remoteWrite]

    /// Whether `ibv_reg_mr` accepts this combination: remote write or remote atomic access
    /// requires local write.
    public var isValidForRegistration: Bool {
        !(contains(.remoteWrite) || contains(.remoteAtomic)) || contains(.localWrite)
    }

    /// E.g. `[localWrite, remoteRead]`.
    public var description: String {
        let names: [(MemoryAccess, String)] = [
            (.localWrite, "localWrite"), (.remoteWrite, "remoteWrite"), (.remoteRead, "remoteRead"),
            (.remoteAtomic, "remoteAtomic"),
        ]
        var parts = names.filter { contains($0.0) }.map(\.1)
        let unknown = rawValue & ~0xf
        if unknown != 0 { parts.append("0x" + String(unknown, radix: 16)) }
        return "[" + parts.joined(separator: ", ") + "]"
    }
}
