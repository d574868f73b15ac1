import CIOFabric
import Hardware

/// Registered process memory (`struct ibv_mr`): an ``AlignedMemory`` the domain allocated, or
/// ``ProcessMemory`` the node already had (``ProtectionDomain/registerMemory(_:access:)``).
///
/// ``address`` is the buffer's virtual address, as real work requests name it. The bytes are
/// read and written through the backing buffer, so the region is itself stable process memory.
public final class RealMemoryRegion: MemoryRegion, ProcessMemory {
    public let address: UInt64
    public let lkey: UInt32
    public let rkey: UInt32
    public let access: MemoryAccess
    /// The memory behind the region; kept alive while it is registered.
    public let backing: any ProcessMemory
    unowned let domain: RealProtectionDomain
    private(set) var mr: OpaquePointer?

    init(domain: RealProtectionDomain, backing: any ProcessMemory, address: UInt64, mr: OpaquePointer,
         keys: CIOFabric_verbs_mr_keys, access: MemoryAccess) {
        self.domain = domain
        self.backing = backing
        self.address = address
        self.mr = mr
        lkey = keys.lkey
        rkey = keys.rkey
        self.access = access
    }

    public var length: Int { backing.length }

    public func read(offset: Int, count: Int) -> [UInt8] { backing.read(offset: offset, count: count) }

    public func write(_ bytes: some Collection<UInt8>, at offset: Int) { backing.write(bytes, at: offset) }

    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try backing.withUnsafeBytes(body)
    }

    public func withUnsafeMutableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try backing.withUnsafeMutableBytes(body)
    }

    public func deregister() throws(VerbsError) {
        guard let mr else { throw .invalidArgument("memory region rkey 0x\(String(rkey, radix: 16)) already deregistered") }
        let context = try domain.context.open()
        let code = CIOFabric_verbs_dereg_mr(context, mr)
        guard code == 0 else {
            throw RealVerbsFailure.error(device: domain.context.device.name, call: "ibv_dereg_mr", errno: code)
        }
        self.mr = nil
        domain.forget(self)
    }

    /// Deregisters without reporting (``RealVerbsDeviceContext/close()``).
    func releaseForClose(_ context: OpaquePointer) {
        guard let mr else { return }
        self.mr = nil
        _ = CIOFabric_verbs_dereg_mr(context, mr)
    }
}
