/// Registered memory (`struct ibv_mr`): a buffer the HCA may access, with the keys that name it
/// in work requests.
///
/// The ``lkey`` goes in local scatter-gather elements; the ``rkey`` and an address inside
/// [``address``, ``address`` + ``length``) are what a peer needs to RDMA READ or WRITE it
/// (given the matching ``access``). Bytes are read and written through the ``MemoryBuffer``
/// requirements.
///
/// Implementers must guarantee:
/// - ``address``, ``lkey`` and ``rkey`` never change while the region is registered, and no
///   two live regions of one device share an lkey or an rkey.
/// - A device access outside the region, or beyond its ``access``, fails the work request
///   (``WorkCompletionStatus/localProtectionError`` locally,
///   ``WorkCompletionStatus/remoteAccessError`` at the requester of a remote access); it never
///   touches other memory.
/// - After ``deregister()``, work requests naming the keys fail the same way.
public protocol MemoryRegion: MemoryBuffer {
    /// The address of the first byte, as work requests name it: the virtual address of the
    /// buffer on real hardware, a simulated HCA address in simulation.
    var address: UInt64 { get }

    /// The local key, for scatter-gather elements of this node's work requests.
    var lkey: UInt32 { get }

    /// The remote key, for peers' RDMA READ and WRITE requests.
    var rkey: UInt32 { get }

    /// What the registration allows.
    var access: MemoryAccess { get }

    /// Deregisters the region; the provider frees memory it allocated (NVRAM registered with
    /// ``ProtectionDomain/registerMemory(_:access:)`` is not freed).
    ///
    /// The corresponding C function is `ibv_dereg_mr`.
    ///
    /// - Throws: ``VerbsError/busy(_:)`` while a memory window is bound to it.
    func deregister() throws(VerbsError)
}

extension MemoryRegion {
    /// A scatter-gather element for `length` bytes of this region starting `offset` bytes in;
    /// by default the whole region.
    ///
    /// - Precondition: the range lies inside the region and `length` fits in 32 bits.
    public func scatterGatherElement(offset: Int = 0, length: Int? = nil) -> ScatterGatherElement {
        let length = length ?? (self.length - offset)
        precondition(
            offset >= 0 && length >= 0 && offset <= self.length - length && length <= Int(UInt32.max),
            "scatter-gather element (offset \(offset), length \(length)) outside a region of \(self.length) bytes")
        return ScatterGatherElement(address: address + UInt64(offset), length: UInt32(length), lkey: lkey)
    }

    /// The remote address and key a peer needs to reach `offset` bytes into this region.
    public func remoteMemory(offset: Int = 0) -> RemoteMemory {
        precondition(offset >= 0 && offset <= length, "offset \(offset) outside a region of \(length) bytes")
        return RemoteMemory(address: address + UInt64(offset), rkey: rkey)
    }
}
