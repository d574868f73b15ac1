import Hardware

/// One side of a cluster interconnect as the other side must know it before either boots: the
/// slam QP and the state block the slam connect reads and writes.
///
/// **Simulation**: predetermined. Each side creates, as the very first resources on its
/// interconnect adapter, a PD, the CQ, the slam RC QP and the slam memory region; on a fresh
/// or restarted simulated HCA allocation is deterministic, so the QPN is
/// `SimHCA.firstQueuePairNumber`, the rkey `SimHCA.firstRegionKey` and the address
/// `SimHCA.firstRegionAddress`, and the address bytes are the port's LID (InfiniBand, stable by
/// the subnet manager's GUID-to-LID cache) or GID (RoCE). The scenario builder provisions both
/// managers with both endpoints before they start; the manager checks its actual resources
/// against ``ClusterConnectionManager``'s provisioned local endpoint and refuses to connect on a
/// mismatch.
///
/// **Real verbs**: the application cannot choose QPNs or rkeys (the kernel and the HCA
/// allocate them). There each node writes, at start, a small bootstrap file (on storage both
/// nodes see, or pushed by the cluster's configuration service) with its own endpoint as
/// created, and reads its partner's from the partner's file (waiting for it to appear); the
/// slam connect then proceeds exactly as here. Only these values travel out of band; no
/// message is exchanged over the fabric before the slam connection is up.
public struct ClusterEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// The network protocol of the address: `"infiniband"` or `"roce"`.
    public var protocolName: String
    /// The port's address bytes, opaque outside the protocol's addressing (as in
    /// ``TransportEndpoint/address``).
    public var address: [UInt8]
    /// The slam QP's number.
    public var queuePairNumber: UInt32
    /// The rkey of the slam memory region (the state block).
    public var rkey: UInt32
    /// The address of the state block, as RDMA requests name it.
    public var stateBlockAddress: UInt64

    public init(protocolName: String, address: [UInt8], queuePairNumber: UInt32, rkey: UInt32, stateBlockAddress: UInt64) {
        precondition(address.count <= TransportEndpoint.maxAddressLength, "cluster endpoint address too long")
        self.protocolName = protocolName
        self.address = address
        self.queuePairNumber = queuePairNumber
        self.rkey = rkey
        self.stateBlockAddress = stateBlockAddress
    }

    /// E.g. `infiniband 00 02 qp 0x48 rkey 0x100 va 0x100000000000`.
    public var description: String {
        protocolName + " " + address.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
            + " qp 0x" + String(queuePairNumber, radix: 16) + " rkey 0x" + String(rkey, radix: 16)
            + " va 0x" + String(stateBlockAddress, radix: 16)
    }
}
