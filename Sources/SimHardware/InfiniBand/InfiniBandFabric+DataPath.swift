import Hardware
import SimCore
import Timebase

/// The data path: the packet pool, input buffers and transmit queues, VL arbitration, credit
/// accounting and the fabric's event handler.
extension InfiniBandFabric {
    // MARK: Events

    public func handle(_ event: Event, in simulator: Simulator) {
        switch event.kind {
        case Self.txDone:
            let port = Int32(truncatingIfNeeded: event.payload)
            let epoch = UInt32(truncatingIfNeeded: event.payload >> 32)
            let link = ports[Int(port)].link
            guard link >= 0, links[Int(link)].epoch == epoch, links[Int(link)].up else { return }  // stale
            ports[Int(port)].busy = false
            tryStart(port)
        case Self.arrive:
            arrive(Int32(truncatingIfNeeded: event.payload))
        case Self.wake:
            let port = Int32(truncatingIfNeeded: event.payload)
            ports[Int(port)].wakePending = false
            tryStart(port)
        case Self.ready:
            let port = Int(event.payload)
            ports[port].readyPending = false
            endpoints[Int(ports[port].endpoint)].networkTransmitReady()
        case Self.portChanged:
            endpoints[Int(ports[Int(event.payload)].endpoint)].networkPortChanged()
        case Self.fault:
            apply(faults[Int(event.payload)])
        default:
            preconditionFailure("unexpected event \(event.kind) for InfiniBand fabric \(name)")
        }
    }

    // MARK: Packet pool and queues

    @inline(__always)
    func allocateSlot(_ packet: TransportPacket) -> Int32 {
        if let slot = freeSlots.popLast() {
            packets[Int(slot)] = packet
            return slot
        }
        precondition(packets.count < Int(Int32.max), "packet pool exhausted")
        packets.append(packet)
        meta.append(PacketMeta())
        return Int32(packets.count - 1)
    }

    @inline(__always)
    func freeSlot(_ slot: Int32) {
        let index = Int(slot)
        assert(meta[index].inUse, "packet slot freed twice")
        meta[index].inUse = false
        meta[index].delivered = false
        meta[index].generation &+= 1
        meta[index].next = -1
        if !packets[index].payload.isEmpty { packets[index].payload = [] }
        freeSlots.append(slot)
    }

    @inline(__always)
    static func push(_ slot: Int32, onto queue: inout PacketQueue, meta: inout ContiguousArray<PacketMeta>) {
        meta[Int(slot)].next = -1
        if queue.tail >= 0 { meta[Int(queue.tail)].next = slot } else { queue.head = slot }
        queue.tail = slot
        queue.count += 1
        queue.credits += meta[Int(slot)].credits
    }

    @inline(__always)
    static func pop(_ queue: inout PacketQueue, meta: inout ContiguousArray<PacketMeta>) -> Int32 {
        let slot = queue.head
        assert(slot >= 0, "pop from an empty packet queue")
        queue.head = meta[Int(slot)].next
        if queue.head < 0 { queue.tail = -1 }
        queue.count -= 1
        queue.credits -= meta[Int(slot)].credits
        precondition(queue.count >= 0 && queue.credits >= 0, "packet queue accounting went negative")
        return slot
    }

    /// Counts a drop at `port` and frees the packet.
    func discard(_ slot: Int32, at port: Int32, reason: InfiniBandDropReason) {
        portStatistics[Int(port)].drops[reason] += 1
        // Which packet dropped where changes no event's time: fold it into the trace digest.
        simulator.recordDecision(UInt64(port) << 8 | UInt64(reason.rawValue))
        freeSlot(slot)
    }

    // MARK: Endpoint side

    /// ``NetworkAttachment/transmit(_:)`` of a CA port.
    func transmit(_ packet: TransportPacket, from port: Int32) -> Bool {
        let p = Int(port)
        guard ports[p].active else { return false }
        let sl = Int(packet.serviceLevel & 15)
        if transmitCounts[p * 16 + sl] >= Int32(configuration.transmitQueueCapacity) {
            ports[p].refusedMask |= 1 << UInt16(sl)
            return false
        }
        precondition(
            packet.payloadLength <= configuration.maxMTU.byteCount!,
            "payload of \(packet.payloadLength) bytes exceeds the MTU \(configuration.maxMTU)")
        let slot = allocateSlot(packet)
        let wire = packet.infiniBandWireBytes
        let vl = packet.destinationQP == 0 ? managementVL : Int(slToVL[p * 16 + sl])
        meta[Int(slot)] = PacketMeta(
            credits: Int32((wire + configuration.creditBlockBytes - 1) / configuration.creditBlockBytes),
            wireBytes: Int32(wire), vl: UInt8(vl), serviceLevel: UInt8(sl), inUse: true, receiver: port,
            generation: meta[Int(slot)].generation, tailArrival: simulator.now)
        Self.push(slot, onto: &transmitQueues[p * vlStride + vl], meta: &meta)
        transmitCounts[p * 16 + sl] += 1
        packetTap?.packetSent(packet, link: nil, at: simulator.now)
        tryStart(port)
        return true
    }

    /// ``NetworkAttachment/release(_:)``: the endpoint consumed a delivered packet.
    func release(_ receipt: ReceiveReceipt) {
        let slot = Int32(truncatingIfNeeded: receipt.rawValue)
        let generation = UInt32(truncatingIfNeeded: receipt.rawValue >> 32)
        precondition(
            Int(slot) < meta.count && meta[Int(slot)].inUse && meta[Int(slot)].delivered
                && meta[Int(slot)].generation == generation,
            "receipt \(receipt.rawValue) released twice or never issued")
        let m = meta[Int(slot)]
        let port = Int(m.receiver)
        let link = Int(ports[port].link)
        // After a link bounce the buffer was emptied and the credits reset: nothing to return.
        if links[link].epoch == m.epoch && links[link].up {
            let q = port * vlStride + Int(m.vl)
            inputQueues[q].credits -= m.credits
            inputQueues[q].count -= 1
            precondition(inputQueues[q].credits >= 0, "endpoint input buffer accounting went negative")
            if Int(m.vl) != managementVL {
                addReturn(to: ports[port].peer, vl: Int32(m.vl), credits: m.credits, at: simulator.now + links[link].delay)
            }
        }
        freeSlot(slot)
    }

    // MARK: Credits

    /// Records that `credits` of `vl` come back to `sender` at `time` (kept in time order:
    /// a return is never earlier than the one before it, which can only delay credits).
    func addReturn(to sender: Int32, vl: Int32, credits amount: Int32, at time: Instant) {
        let s = Int(sender)
        let when = max(time, ports[s].lastReturnTime)
        ports[s].lastReturnTime = when
        let node: Int32
        let entry = CreditReturn(time: when, next: -1, vl: vl, credits: amount)
        if let reused = freeReturns.popLast() {
            node = reused
            returns[Int(node)] = entry
        } else {
            node = Int32(returns.count)
            returns.append(entry)
        }
        if ports[s].returnTail >= 0 { returns[Int(ports[s].returnTail)].next = node } else { ports[s].returnHead = node }
        ports[s].returnTail = node
        if ports[s].starved && !ports[s].wakePending && !ports[s].busy {
            ports[s].wakePending = true
            simulator.schedule(Self.wake, for: id, at: when, payload: UInt64(s))
        }
    }

    /// Adds the returns that have arrived by now to `port`'s credits.
    @inline(__always)
    func absorbReturns(_ port: Int) {
        var head = ports[port].returnHead
        guard head >= 0 else { return }
        let now = simulator.now
        let base = port * vlStride
        let capacity = Int32(configuration.inputBufferCredits)
        while head >= 0 && returns[Int(head)].time <= now {
            let entry = returns[Int(head)]
            credits[base + Int(entry.vl)] += entry.credits
            precondition(credits[base + Int(entry.vl)] <= capacity, "credits above the receiver's buffer")
            freeReturns.append(head)
            head = entry.next
        }
        ports[port].returnHead = head
        if head < 0 { ports[port].returnTail = -1 }
    }

    func clearReturns(_ port: Int) {
        var head = ports[port].returnHead
        while head >= 0 {
            freeReturns.append(head)
            head = returns[Int(head)].next
        }
        ports[port].returnHead = -1
        ports[port].returnTail = -1
        ports[port].lastReturnTime = simulator.now
    }

    // MARK: Output port

    /// Starts the next packet on `port`'s link if the link is free (and not clogged): VL15
    /// first, then round-robin over the data VLs whose head packet fits the receiver's credits.
    func tryStart(_ port: Int32) {
        let p = Int(port)
        if ports[p].busy || !ports[p].active || links[Int(ports[p].link)].clogged { return }
        absorbReturns(p)
        let base = p * vlStride
        let isSwitch = ports[p].isSwitchPort
        var chosen = -1
        var slot: Int32 = -1
        var waiting = false
        // VL15 is not flow-controlled and has priority.
        let management = base + managementVL
        let managementHead = isSwitch ? headOfRequests(management) : transmitQueues[management].head
        if managementHead >= 0 {
            chosen = managementVL
            slot = managementHead
        } else {
            let lanes = configuration.dataVirtualLanes
            var vl = Int(ports[p].roundRobin)
            for _ in 0..<lanes {
                let head = isSwitch ? headOfRequests(base + vl) : transmitQueues[base + vl].head
                if head >= 0 {
                    if meta[Int(head)].credits <= credits[base + vl] {
                        chosen = vl
                        slot = head
                        break
                    }
                    waiting = true
                }
                vl = vl + 1 == lanes ? 0 : vl + 1
            }
            if chosen >= 0 { ports[p].roundRobin = Int32(chosen + 1 == lanes ? 0 : chosen + 1) }
        }
        let now = simulator.now
        guard chosen >= 0 else {
            if waiting {
                if !ports[p].starved {
                    ports[p].starved = true
                    ports[p].stallSince = now
                }
                let head = ports[p].returnHead
                if head >= 0 && !ports[p].wakePending {
                    ports[p].wakePending = true
                    simulator.schedule(Self.wake, for: id, at: returns[Int(head)].time, payload: UInt64(p))
                }
            } else if ports[p].starved {
                endStall(p, now: now)
            }
            return
        }
        if ports[p].starved { endStall(p, now: now) }

        // Take the packet out of its queue.
        let q = base + chosen
        var source: Int32 = -1
        var readyNeeded = false
        if isSwitch {
            source = requestHead[q]
            requestHead[q] = requestNext[Int(source)]
            if requestHead[q] < 0 { requestTail[q] = -1 }
            requestNext[Int(source)] = -1
            requestTarget[Int(source)] = -1
            let popped = Self.pop(&inputQueues[Int(source)], meta: &meta)
            assert(popped == slot)
        } else {
            let popped = Self.pop(&transmitQueues[q], meta: &meta)
            assert(popped == slot)
            let sl = Int(meta[Int(slot)].serviceLevel)
            transmitCounts[p * 16 + sl] -= 1
            if ports[p].refusedMask & (1 << UInt16(sl)) != 0 {
                ports[p].refusedMask &= ~(1 << UInt16(sl))
                readyNeeded = true
            }
        }

        // Serialise it.
        let linkIndex = Int(ports[p].link)
        let link = links[linkIndex]
        let m = meta[Int(slot)]
        let wire = Int(m.wireBytes)
        var end = now + TimeSpan.transmission(bytes: wire, bitsPerSecond: link.dataRate)
        if isSwitch && m.tailArrival > end { end = m.tailArrival }  // cut-through: not before the tail is in
        if chosen != managementVL {
            credits[q] -= m.credits
            precondition(credits[q] >= 0, "a packet started without credits")
        }
        let receiver = ports[p].peer
        let delay = link.delay
        var lost = false
        if link.loss.numerator > 0 { lost = links[linkIndex].random.chance(link.loss.numerator, outOf: link.loss.denominator) }
        if link.corruption.numerator > 0
            && links[linkIndex].random.chance(link.corruption.numerator, outOf: link.corruption.denominator)
        {
            packets[Int(slot)].corrupted = true
        }
        meta[Int(slot)].vl = UInt8(chosen)
        meta[Int(slot)].receiver = receiver
        meta[Int(slot)].epoch = link.epoch
        meta[Int(slot)].lost = lost
        meta[Int(slot)].tailArrival = end + delay
        let arrival = ports[Int(receiver)].isSwitchPort ? now + delay + link.headerTime + configuration.switchLatency : end + delay
        simulator.schedule(Self.arrive, for: id, at: arrival, payload: UInt64(slot))
        ports[p].busy = true
        simulator.schedule(Self.txDone, for: id, at: end, payload: UInt64(p) | UInt64(link.epoch) << 32)
        portStatistics[p].packetsSent += 1
        portStatistics[p].bytesSent += wire
        portStatistics[p].payloadBytesSent += packets[Int(slot)].payloadLength

        if isSwitch {
            // The packet's credits go back upstream once its tail has left this switch.
            let inputPort = Int(source) / vlStride
            let inputVL = Int(source) - inputPort * vlStride
            if inputVL != managementVL {
                let upstreamLink = Int(ports[inputPort].link)
                addReturn(
                    to: ports[inputPort].peer, vl: Int32(inputVL), credits: m.credits, at: end + links[upstreamLink].delay)
            }
            // The next packet in that input buffer now asks for its output.
            if inputQueues[Int(source)].head >= 0 { route(Int(source)) }
        } else if readyNeeded {
            scheduleReady(p)
        }
    }

    @inline(__always)
    func headOfRequests(_ q: Int) -> Int32 {
        let source = requestHead[q]
        return source >= 0 ? inputQueues[Int(source)].head : -1
    }

    func endStall(_ p: Int, now: Instant) {
        portStatistics[p].creditStallTime += now - ports[p].stallSince
        ports[p].starved = false
    }

    func scheduleReady(_ p: Int) {
        guard !ports[p].readyPending else { return }
        ports[p].readyPending = true
        simulator.schedule(Self.ready, for: id, after: .zero, payload: UInt64(p))
    }

    // MARK: Input port

    /// A packet's header (at a switch) or tail (at an endpoint) reaches its receiving port.
    func arrive(_ slot: Int32) {
        let m = meta[Int(slot)]
        let port = m.receiver
        let p = Int(port)
        let linkIndex = Int(ports[p].link)
        guard links[linkIndex].epoch == m.epoch && links[linkIndex].up else {
            // In flight when the link went down: lost with it (its credits were reset).
            discard(slot, at: port, reason: .linkDown)
            return
        }
        let vl = Int(m.vl)
        let q = p * vlStride + vl
        if m.lost || packets[Int(slot)].corrupted {
            returnCreditsOfDropped(m, at: p)
            discard(slot, at: port, reason: m.lost ? .lost : .corrupted)
            return
        }
        if vl == managementVL {
            if Int(inputQueues[q].credits + m.credits) > configuration.managementBufferCredits {
                discard(slot, at: port, reason: .managementOverflow)
                return
            }
        } else {
            precondition(
                Int(inputQueues[q].credits + m.credits) <= configuration.inputBufferCredits,
                "input buffer of VL\(vl) at \(describe(port: port)) overflows its credits")
        }
        portStatistics[p].packetsReceived += 1
        if ports[p].isSwitchPort {
            Self.push(slot, onto: &inputQueues[q], meta: &meta)
            let held = Int(inputQueues[q].credits)
            if held > portStatistics[p].peakInputCredits && vl != managementVL { portStatistics[p].peakInputCredits = held }
            if inputQueues[q].count == 1 { route(q) }
        } else {
            if packets[Int(slot)].destinationLID != ports[p].lid {
                returnCreditsOfDropped(m, at: p)
                discard(slot, at: port, reason: .misrouted)
                return
            }
            inputQueues[q].credits += m.credits
            inputQueues[q].count += 1
            let held = Int(inputQueues[q].credits)
            if held > portStatistics[p].peakInputCredits && vl != managementVL { portStatistics[p].peakInputCredits = held }
            meta[Int(slot)].delivered = true
            deliveredPackets += 1
            let receipt = ReceiveReceipt(rawValue: UInt64(UInt32(bitPattern: slot)) | UInt64(m.generation) << 32)
            endpoints[Int(ports[p].endpoint)].networkDelivered(packets[Int(slot)], receipt: receipt)
        }
    }

    /// A packet discarded on arrival gives its credits back once its tail has arrived.
    func returnCreditsOfDropped(_ m: PacketMeta, at p: Int) {
        guard Int(m.vl) != managementVL else { return }
        let delay = links[Int(ports[p].link)].delay
        addReturn(to: ports[p].peer, vl: Int32(m.vl), credits: m.credits, at: max(simulator.now, m.tailArrival) + delay)
    }

    /// The head of switch input buffer `q` asks for its output port (from the forwarding
    /// table); heads that cannot be forwarded are discarded until one can, or none is left.
    func route(_ q: Int) {
        let inputPort = q / vlStride
        let switchIndex = Int(ports[inputPort].switchIndex)
        while true {
            let slot = inputQueues[q].head
            guard slot >= 0 else { return }
            assert(requestTarget[q] < 0, "an input buffer asks for two outputs")
            let lid = Int(packets[Int(slot)].destinationLID)
            let output = lid < lftStride ? lft[switchIndex * lftStride + lid] : -1
            let reason: InfiniBandDropReason
            if output < 0 {
                reason = .noRoute
            } else if !ports[Int(output)].active {
                reason = .portDown
            } else {
                let vl = Int(meta[Int(slot)].vl) == managementVL
                    ? managementVL : Int(slToVL[Int(output) * 16 + Int(meta[Int(slot)].serviceLevel)])
                let target = Int(output) * vlStride + vl
                requestTarget[q] = Int32(target)
                requestNext[q] = -1
                if requestTail[target] >= 0 { requestNext[Int(requestTail[target])] = Int32(q) } else { requestHead[target] = Int32(q) }
                requestTail[target] = Int32(q)
                tryStart(output)
                return
            }
            let dropped = Self.pop(&inputQueues[q], meta: &meta)
            returnCreditsOfDropped(meta[Int(dropped)], at: inputPort)
            discard(dropped, at: Int32(inputPort), reason: reason)
        }
    }
}
