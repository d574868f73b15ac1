/// One contiguous piece of registered local memory in a work request (`struct ibv_sge`).
///
/// Make them with ``MemoryRegion/scatterGatherElement(offset:length:)``.
public struct ScatterGatherElement: Hashable, Sendable, CustomStringConvertible {
    /// The address of the first byte, inside a memory region.
    public var address: UInt64
    /// The number of bytes.
    public var length: UInt32
    /// The local key of the memory region that holds the bytes.
    public var lkey: UInt32

    public init(address: UInt64, length: UInt32, lkey: UInt32) {
        self.address = address
        self.length = length
        self.lkey = lkey
    }

    /// E.g. `0x7f0000001000+4096 lkey 0x1234`.
    public var description: String {
        "0x\(String(address, radix: 16))+\(length) lkey 0x\(String(lkey, radix: 16))"
    }
}

/// The remote side of an RDMA READ or WRITE: an address in a peer's memory region and that
/// region's remote key.
public struct RemoteMemory: Hashable, Sendable, CustomStringConvertible {
    /// The remote address (`wr.rdma.remote_addr`).
    public var address: UInt64
    /// The remote key (`wr.rdma.rkey`).
    public var rkey: UInt32

    public init(address: UInt64, rkey: UInt32) {
        self.address = address
        self.rkey = rkey
    }

    /// E.g. `0x10000 rkey 0x5678`.
    public var description: String {
        "0x\(String(address, radix: 16)) rkey 0x\(String(rkey, radix: 16))"
    }
}

/// The destination of a send on a UD queue pair (`wr.ud`).
public struct DatagramDestination: Hashable, Sendable {
    /// The path to the destination port.
    public var addressHandle: AddressHandle
    /// The destination QP's number (`remote_qpn`).
    public var remoteQueuePairNumber: UInt32
    /// The destination QP's queue key (`remote_qkey`).
    public var remoteQKey: UInt32

    public init(addressHandle: AddressHandle, remoteQueuePairNumber: UInt32, remoteQKey: UInt32) {
        self.addressHandle = addressHandle
        self.remoteQueuePairNumber = remoteQueuePairNumber
        self.remoteQKey = remoteQKey
    }
}
