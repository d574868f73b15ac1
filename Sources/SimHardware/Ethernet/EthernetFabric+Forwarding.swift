import SimCore
import Timebase

/// The data path: NIC transmit, port transmitters, arrivals, switch forwarding, PFC.
extension EthernetFabric {
    /// A port's frame has left the wire at its end (payload: port).
    static let transmissionEnd = EventKind(rawValue: 1)
    /// A frame's last bit reached a port (payload: port << 32 | frame slot).
    static let frameArrival = EventKind(rawValue: 2)
    /// A frame leaves a switch's pipeline for its egress port (payload: egress port << 32 | slot).
    static let switchForward = EventKind(rawValue: 3)
    /// A PFC frame reached a port (payload: see ``pausePayload(port:mask:pause:epoch:)``).
    static let pauseArrival = EventKind(rawValue: 4)
    /// A scheduled fault is due (payload: index in ``faults``).
    static let faultDue = EventKind(rawValue: 5)
    /// Tell an endpoint its port changed (payload: attachment index).
    static let portChange = EventKind(rawValue: 6)

    public func handle(_ event: Event, in simulator: Simulator) {
        let payload = event.payload
        switch event.kind {
        case Self.transmissionEnd: transmissionEnded(port: Int(payload))
        case Self.frameArrival: frameArrived(port: Int(payload >> 32), slot: Int(payload & 0xffff_ffff))
        case Self.switchForward: forward(slot: Int(payload & 0xffff_ffff), to: Int(payload >> 32))
        case Self.pauseArrival:
            pauseArrived(
                port: Int(payload & 0xff_ffff), mask: UInt8(truncatingIfNeeded: payload >> 24),
                pause: payload >> 32 & 1 == 1, epoch: UInt32(truncatingIfNeeded: payload >> 33))
        case Self.faultDue: apply(faults[Int(payload)])
        case Self.portChange: notifyPortChanged(attachments[Int(payload)])
        default: preconditionFailure("\(name): unexpected event kind \(event.kind.rawValue)")
        }
    }

    // MARK: NIC transmit

    func transmit(_ packet: TransportPacket, from nic: EthernetAttachment) -> Bool {
        let port = ports[nic.portIndex]
        guard nic.portState == .active else { return false }
        let priority = Int(packet.serviceLevel & 7)
        guard port.queues[priority].count < configuration.transmitQueueCapacity else {
            nic.refusedMask |= 1 << priority
            return false
        }
        precondition(
            packet.payloadLength <= configuration.maxMTU.byteCount ?? 0,
            "\(nic.name): \(packet.payloadLength)-byte payload exceeds the \(configuration.maxMTU) MTU")
        guard let destination = neighbours[packet.destinationGID] else {
            port.statistics.framesUnresolved += 1
            return true
        }
        framesOffered += 1
        packetTap?.packetSent(packet, link: (nic.macAddress, destination), at: simulator.now)
        let frame = EthernetFrame(
            packet: packet, source: nic.macAddress, destination: destination, priority: priority,
            bytes: packet.roceFrameBytes)
        ports[nic.portIndex].queues[priority].push(frames.allocate(frame))
        startTransmission(on: nic.portIndex)  // never calls the endpoint
        return true
    }

    /// Called after a frame left a NIC's queue: tells the endpoint once a refused priority has room.
    private func transmitRoomFreed(_ nic: EthernetAttachment) {
        guard nic.refusedMask != 0, nic.portState == .active else { return }
        let port = ports[nic.portIndex]
        let capacity = configuration.transmitQueueCapacity
        guard (0..<EthernetPort.priorityCount).contains(where: { priority in
            nic.refusedMask & (1 << priority) != 0 && port.queues[priority].count < capacity
        }) else { return }
        nic.refusedMask = 0
        nic.endpoint?.networkTransmitReady()
    }

    // MARK: Port transmitter

    /// Starts the next frame strict priority selects, if the port is idle and its link carries
    /// frames (and is not clogged).
    func startTransmission(on portIndex: Int) {
        let port = ports[portIndex]
        guard port.transmitting == nil, let linkIndex = port.link, links[linkIndex].operational,
            !links[linkIndex].clogged, let slot = port.dequeueNext()
        else { return }
        let link = links[linkIndex]
        let wire = link.rate.wireTime(frameBytes: frames[slot].bytes)
        if let loss = link.loss, link.random.chance(loss.numerator, outOf: loss.denominator) {
            frames[slot].lost = true
        }
        if let corruption = link.corruption, link.random.chance(corruption.numerator, outOf: corruption.denominator) {
            frames[slot].packet.corrupted = true
        }
        frames[slot].linkEpoch = link.epoch
        port.transmitting = slot
        port.busyUntil = simulator.now + wire
        simulator.schedule(Self.transmissionEnd, for: id, after: wire, payload: UInt64(portIndex))
        simulator.schedule(
            Self.frameArrival, for: id, after: wire + link.delay,
            payload: UInt64(link.peer(of: portIndex)) << 32 | UInt64(slot))
    }

    private func transmissionEnded(port portIndex: Int) {
        let port = ports[portIndex]
        guard let slot = port.transmitting else { preconditionFailure("\(port.name): transmission end while idle") }
        port.transmitting = nil
        let frame = frames[slot]  // still live: its arrival is due no earlier than now
        port.statistics.framesSent += 1
        port.statistics.bytesSent += frame.bytes
        if port.switchIndex != nil { releaseSwitchBuffer(of: frame, egress: portIndex) }
        startTransmission(on: portIndex)
        if case .nic(let nic) = port.owner { transmitRoomFreed(attachments[nic]) }
    }

    // MARK: Arrival

    private func frameArrived(port portIndex: Int, slot: Int) {
        let port = ports[portIndex]
        guard let linkIndex = port.link else { preconditionFailure("\(port.name): frame on an unplugged port") }
        let frame = frames[slot]
        if frame.linkEpoch != links[linkIndex].epoch { return drop(slot, at: portIndex, .linkDown) }
        if frame.lost { return drop(slot, at: portIndex, .loss) }
        if frame.packet.corrupted { return drop(slot, at: portIndex, .frameCheck) }
        port.statistics.framesReceived += 1
        port.statistics.bytesReceived += frame.bytes
        switch port.owner {
        case .nic(let nic): deliver(slot, at: portIndex, to: attachments[nic])
        case .bridge(let switchIndex, let number): bridge(slot, at: portIndex, switch: switches[switchIndex], number: number)
        }
    }

    func drop(_ slot: Int, at portIndex: Int, _ reason: EthernetDropReason) {
        ports[portIndex].statistics.drops[reason] += 1
        // Which frame dropped where changes no event's time: fold it into the trace digest.
        simulator.recordDecision(UInt64(portIndex) << 8 | UInt64(reason.rawValue))
        frames.release(slot)
    }

    private func filter(_ slot: Int, at portIndex: Int) {
        ports[portIndex].statistics.framesFiltered += 1
        frames.release(slot)
    }

    // MARK: NIC receive

    private func deliver(_ slot: Int, at portIndex: Int, to nic: EthernetAttachment) {
        let frame = frames[slot]
        guard frame.destination == nic.macAddress else { return filter(slot, at: portIndex) }
        guard let receipt = nic.hold(bytes: frame.bytes) else { return drop(slot, at: portIndex, .overflow) }
        frames.release(slot)
        let port = ports[portIndex]
        port.statistics.framesDelivered += 1
        if let pfc = configuration.priorityFlowControl, nic.receiveBufferUsed >= nic.xoffBytes,
            port.pauseSentMask == 0
        {
            sendPause(from: portIndex, mask: pfc.priorities, pause: true)
        }
        if let endpoint = nic.endpoint {
            endpoint.networkDelivered(frame.packet, receipt: receipt)
        } else {
            nic.release(receipt)
        }
    }

    func receiveBufferReleased(by nic: EthernetAttachment) {
        let port = ports[nic.portIndex]
        if port.pauseSentMask != 0, nic.receiveBufferUsed <= nic.xonBytes {
            sendPause(from: nic.portIndex, mask: port.pauseSentMask, pause: false)
        }
    }

    // MARK: Switch

    private func bridge(_ slot: Int, at portIndex: Int, switch bridge: EthernetSwitch, number: Int) {
        precondition(!bridge.failed, "\(bridge.name): a failed switch received a frame")
        let now = simulator.now
        let frame = frames[slot]
        bridge.learn(frame.source, on: number, at: now)
        if let out = bridge.port(for: frame.destination, at: now, ageing: configuration.macAgeingTime) {
            guard out != number else { return filter(slot, at: portIndex) }
            admit(slot, ingress: portIndex, egress: bridge.ports[out - 1], switch: bridge)
            return
        }
        ports[portIndex].statistics.framesFlooded += 1
        var copies = 0
        for (offset, egress) in bridge.ports.enumerated() where offset + 1 != number && isCarrying(port: egress) {
            admit(copies == 0 ? slot : frames.allocate(frame), ingress: portIndex, egress: egress, switch: bridge)
            copies += 1
        }
        if copies == 0 { return filter(slot, at: portIndex) }
        floodCopies += copies - 1
    }

    /// Charges a frame to a switch buffer, or drops it for overflow; then sends it through the
    /// switch's pipeline to `egress`.
    private func admit(_ slot: Int, ingress: Int, egress: Int, switch bridge: EthernetSwitch) {
        let bytes = frames[slot].bytes
        let priority = frames[slot].priority
        frames[slot].ingressPort = ingress
        frames[slot].switchEpoch = bridge.epoch
        if let pfc = configuration.priorityFlowControl, pfc.priorities & (1 << priority) != 0 {
            let port = ports[ingress]
            guard port.ingressBytes[priority] + bytes <= port.losslessLimitBytes else {
                return drop(slot, at: ingress, .overflow)
            }
            port.ingressBytes[priority] += bytes
            precondition(port.ingressBytes[priority] <= port.losslessLimitBytes, "\(port.name): lossless buffer overfilled")
            frames[slot].chargedToIngress = true
            let bit = UInt8(1 << priority)
            if port.ingressBytes[priority] >= port.xoffBytes, port.pauseSentMask & bit == 0 {
                sendPause(from: ingress, mask: bit, pause: true)
            }
        } else {
            let port = ports[egress]
            guard port.lossyBytes + bytes <= configuration.switchOutputBufferBytes else {
                return drop(slot, at: egress, .overflow)  // tail drop
            }
            port.lossyBytes += bytes
            precondition(port.lossyBytes <= configuration.switchOutputBufferBytes, "\(port.name): output buffer overfilled")
            frames[slot].chargedToIngress = false
        }
        simulator.schedule(
            Self.switchForward, for: id, after: configuration.switchLatency, payload: UInt64(egress) << 32 | UInt64(slot))
    }

    private func forward(slot: Int, to egress: Int) {
        let frame = frames[slot]
        guard let switchIndex = ports[egress].switchIndex else { preconditionFailure("forward to a NIC port") }
        guard frame.switchEpoch == switches[switchIndex].epoch, isCarrying(port: egress) else {
            releaseSwitchBuffer(of: frame, egress: egress)
            return drop(slot, at: egress, .linkDown)
        }
        ports[egress].queues[frame.priority].push(slot)
        startTransmission(on: egress)
    }

    /// Gives back the buffer a frame was charged to, once it has left the switch (or was lost
    /// in it); a lossless ingress that drains to XON resumes its partner.
    func releaseSwitchBuffer(of frame: EthernetFrame, egress: Int) {
        if frame.chargedToIngress {
            let port = ports[frame.ingressPort]
            port.ingressBytes[frame.priority] -= frame.bytes
            precondition(port.ingressBytes[frame.priority] >= 0, "\(port.name): ingress accounting went negative")
            let bit = UInt8(1 << frame.priority)
            if port.pauseSentMask & bit != 0, port.ingressBytes[frame.priority] <= port.xonBytes {
                sendPause(from: port.index, mask: bit, pause: false)
            }
        } else {
            let port = ports[egress]
            port.lossyBytes -= frame.bytes
            precondition(port.lossyBytes >= 0, "\(port.name): output buffer accounting went negative")
        }
    }

    // MARK: PFC

    /// Sends a PFC frame pausing (or resuming) `mask` from `portIndex` to its link partner. It
    /// leaves after the frame the port is sending and arrives one PFC frame time and one
    /// propagation delay later.
    func sendPause(from portIndex: Int, mask: UInt8, pause: Bool) {
        let port = ports[portIndex]
        guard let linkIndex = port.link, links[linkIndex].operational else { return }
        let link = links[linkIndex]
        if pause { port.pauseSentMask |= mask } else { port.pauseSentMask &= ~mask }
        port.statistics.pauseFramesSent += 1
        let departure = max(simulator.now, port.busyUntil)
        let arrival = departure + link.rate.wireTime(frameBytes: PriorityFlowControl.pauseFrameBytes) + link.delay
        simulator.schedule(
            Self.pauseArrival, for: id, at: arrival,
            payload: pausePayload(port: link.peer(of: portIndex), mask: mask, pause: pause, epoch: link.epoch))
    }

    /// port (24 bits) | mask << 24 | pause << 32 | epoch (low 31 bits) << 33.
    private func pausePayload(port: Int, mask: UInt8, pause: Bool, epoch: UInt32) -> UInt64 {
        precondition(port < 1 << 24, "too many ports for a PFC event")
        return UInt64(port) | UInt64(mask) << 24 | (pause ? 1 << 32 : 0) | UInt64(epoch & 0x7fff_ffff) << 33
    }

    private func pauseArrived(port portIndex: Int, mask: UInt8, pause: Bool, epoch: UInt32) {
        let port = ports[portIndex]
        guard let linkIndex = port.link, links[linkIndex].epoch & 0x7fff_ffff == epoch, links[linkIndex].operational
        else { return }  // the link went down since: the pause went with it
        port.statistics.pauseFramesReceived += 1
        port.applyPause(mask: mask, pause: pause, at: simulator.now)
        if !pause { startTransmission(on: portIndex) }
    }
}
