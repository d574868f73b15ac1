/// A send work request (`struct ibv_send_wr`): SEND, RDMA WRITE or RDMA READ.
///
/// Which fields matter depends on the opcode: ``remote`` for the RDMA operations,
/// ``immediateData`` for the `WITH_IMM` ones, ``datagram`` for every send on a UD queue pair.
/// A request whose fields do not match is refused at post time with a ``VerbsPostError``.
/// The static builders make consistent requests.
public struct SendWorkRequest: Hashable, Sendable {
    /// The caller's ID, returned in the ``WorkCompletion`` (`wr_id`).
    public var id: UInt64
    /// The operation.
    public var opcode: SendOpcode
    /// The local buffers: the data sent or written, or where RDMA READ data lands.
    public var scatterGatherList: [ScatterGatherElement]
    /// Signalling, fencing, solicited event, inline data.
    public var flags: SendFlags
    /// 32 bits for the receiver's completion, in host byte order (the real backend converts to
    /// the network order `imm_data` holds); only with a `WITH_IMM` opcode.
    public var immediateData: UInt32?
    /// The peer's memory, for RDMA operations.
    public var remote: RemoteMemory?
    /// The destination, for sends on a UD queue pair.
    public var datagram: DatagramDestination?

    public init(
        id: UInt64, opcode: SendOpcode, scatterGatherList: [ScatterGatherElement], flags: SendFlags = [.signaled],
        immediateData: UInt32? = nil, remote: RemoteMemory? = nil, datagram: DatagramDestination? = nil
    ) {
        self.id = id
        self.opcode = opcode
        self.scatterGatherList = scatterGatherList
        self.flags = flags
        self.immediateData = immediateData
        self.remote = remote
        self.datagram = datagram
    }

    /// The total number of bytes the scatter-gather list covers.
    public var byteCount: Int {
        scatterGatherList.reduce(0) { $0 + Int($1.length) }
    }

    /// A SEND (or SEND with immediate, when `immediateData` is given) on an RC queue pair.
    public static func send(
        id: UInt64, _ scatterGatherList: [ScatterGatherElement], immediateData: UInt32? = nil,
        flags: SendFlags = [.signaled]
    ) -> SendWorkRequest {
        SendWorkRequest(
            id: id, opcode: immediateData == nil ? .send : .sendWithImmediate, scatterGatherList: scatterGatherList,
            flags: flags, immediateData: immediateData)
    }

    /// A SEND (or SEND with immediate) on a UD queue pair, to `destination`.
    public static func send(
        id: UInt64, _ scatterGatherList: [ScatterGatherElement], to destination: DatagramDestination,
        immediateData: UInt32? = nil, flags: SendFlags = [.signaled]
    ) -> SendWorkRequest {
        SendWorkRequest(
            id: id, opcode: immediateData == nil ? .send : .sendWithImmediate, scatterGatherList: scatterGatherList,
            flags: flags, immediateData: immediateData, datagram: destination)
    }

    /// An RDMA WRITE (or RDMA WRITE with immediate, when `immediateData` is given) of the local
    /// buffers to `remote`.
    public static func rdmaWrite(
        id: UInt64, _ scatterGatherList: [ScatterGatherElement], to remote: RemoteMemory,
        immediateData: UInt32? = nil, flags: SendFlags = [.signaled]
    ) -> SendWorkRequest {
        SendWorkRequest(
            id: id, opcode: immediateData == nil ? .rdmaWrite : .rdmaWriteWithImmediate,
            scatterGatherList: scatterGatherList, flags: flags, immediateData: immediateData, remote: remote)
    }

    /// An RDMA READ of `remote` into the local buffers.
    public static func rdmaRead(
        id: UInt64, into scatterGatherList: [ScatterGatherElement], from remote: RemoteMemory,
        flags: SendFlags = [.signaled]
    ) -> SendWorkRequest {
        SendWorkRequest(id: id, opcode: .rdmaRead, scatterGatherList: scatterGatherList, flags: flags, remote: remote)
    }
}

/// A receive work request (`struct ibv_recv_wr`): buffers for the next incoming message.
public struct ReceiveWorkRequest: Hashable, Sendable {
    /// The caller's ID, returned in the ``WorkCompletion`` (`wr_id`).
    public var id: UInt64
    /// Where the message lands, in order. On UD the first 40 bytes receive the GRH slot.
    public var scatterGatherList: [ScatterGatherElement]

    public init(id: UInt64, scatterGatherList: [ScatterGatherElement]) {
        self.id = id
        self.scatterGatherList = scatterGatherList
    }

    /// The total number of bytes the buffers hold.
    public var byteCount: Int {
        scatterGatherList.reduce(0) { $0 + Int($1.length) }
    }
}
