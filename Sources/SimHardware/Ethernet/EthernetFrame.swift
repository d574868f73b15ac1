/// One RoCE v2 frame inside the fabric: the transport packet, its Ethernet addressing, and
/// the bookkeeping the ports and switches need while it crosses.
struct EthernetFrame {
    var packet: TransportPacket
    var source: MACAddress
    var destination: MACAddress
    /// The 802.1p priority (PCP): the packet's service level modulo 8.
    var priority: Int
    /// Ethernet header through FCS (``TransportPacket/roceFrameBytes``).
    var bytes: Int
    /// The epoch of the link it last started across; a link that went down since has a newer one.
    var linkEpoch: UInt32 = 0
    /// Lost on the wire by a loss fault (discovered, and counted, at the far end).
    var lost = false
    /// Inside a switch: the global index of its ingress port, the switch's epoch when it was
    /// admitted, and whether it is charged to the ingress port's lossless buffer (PFC) or to
    /// the egress port's lossy one.
    var ingressPort = -1
    var switchEpoch: UInt32 = 0
    var chargedToIngress = false
}

/// The frames in a fabric, in reusable slots, so that moving a frame between events costs one
/// slot index in the event payload and no allocation.
struct EthernetFramePool {
    private var frames: [EthernetFrame] = []
    private var live: [Bool] = []
    private var free: [Int] = []
    /// Slots in use: frames queued, in switches, or on wires.
    private(set) var inUse = 0

    mutating func allocate(_ frame: EthernetFrame) -> Int {
        inUse += 1
        if let slot = free.popLast() {
            assert(!live[slot], "free slot is live")
            frames[slot] = frame
            live[slot] = true
            return slot
        }
        frames.append(frame)
        live.append(true)
        return frames.count - 1
    }

    /// Frees `slot` and returns the frame it held.
    @discardableResult
    mutating func release(_ slot: Int) -> EthernetFrame {
        precondition(live[slot], "frame slot \(slot) released twice")
        live[slot] = false
        free.append(slot)
        inUse -= 1
        return frames[slot]
    }

    subscript(slot: Int) -> EthernetFrame {
        get {
            assert(live[slot], "frame slot \(slot) is free")
            return frames[slot]
        }
        _modify {
            assert(live[slot], "frame slot \(slot) is free")
            yield &frames[slot]
        }
    }
}

/// A first-in first-out queue of frame slots (one per priority at each port).
struct FrameFIFO {
    private var slots: [Int] = []
    private var head = 0

    var count: Int { slots.count - head }
    var isEmpty: Bool { head == slots.count }

    mutating func push(_ slot: Int) {
        slots.append(slot)
    }

    mutating func pop() -> Int? {
        guard head < slots.count else { return nil }
        let slot = slots[head]
        head += 1
        if head == slots.count {
            slots.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= slots.count {
            slots.removeFirst(head)
            head = 0
        }
        return slot
    }

    /// Empties the queue and returns its slots, oldest first.
    mutating func removeAll() -> ArraySlice<Int> {
        let all = slots[head...]
        slots = []
        head = 0
        return all
    }
}
