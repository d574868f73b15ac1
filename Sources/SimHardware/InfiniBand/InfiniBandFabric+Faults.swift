import SimCore
import Timebase

/// Link and switch state: faults, links going down and up, and what that does to packets.
extension InfiniBandFabric {
    // MARK: Fault scheduling

    /// Schedules `fault` to be applied at `time` (not in the past).
    ///
    /// - Throws: ``FabricError/unknownTarget(_:known:)`` (with the sorted known names) when no
    ///   link or switch has the target's name; ``FabricError/actionDoesNotApply(_:)`` for a
    ///   switch action on a link or a link action on a switch;
    ///   ``FabricError/invalidProbability(_:)`` for a probability outside 0…1.
    public func schedule(_ fault: FabricFault, at time: Instant) throws(FabricError) {
        let isLink = linkIndexByName[fault.target] != nil
        let isSwitch = switchIndexByName[fault.target] != nil
        guard isLink || isSwitch else { throw .unknownTarget(fault.target, known: faultTargets) }
        switch fault.action {
        case .switchFailure, .switchRecovery:
            guard isSwitch else { throw .actionDoesNotApply(fault) }
        case .corruption(let numerator, let denominator), .loss(let numerator, let denominator):
            guard isLink else { throw .actionDoesNotApply(fault) }
            guard denominator > 0 && numerator <= denominator else { throw .invalidProbability(fault) }
        case .addedDelay(let delay):
            guard isLink else { throw .actionDoesNotApply(fault) }
            guard delay >= .zero else { throw .invalidTopology("added delay \(delay) is negative") }
        case .linkDown, .linkUp, .clearLinkFaults, .clog, .unclog:
            guard isLink else { throw .actionDoesNotApply(fault) }
        }
        precondition(time >= simulator.now, "fault scheduled in the past")
        faults.append(fault)
        simulator.schedule(Self.fault, for: id, at: time, payload: UInt64(faults.count - 1))
    }

    func apply(_ fault: FabricFault) {
        if let s = switchIndexByName[fault.target] {
            let failing = fault.action == .switchFailure
            guard switches[s].failed != failing else { return }
            switches[s].failed = failing
            let first = Int(switches[s].firstPort)
            if failing {
                // Its buffers are lost before any of its links is taken down, so nothing in
                // them can be forwarded while the others still look up.
                for port in first..<first + Int(switches[s].portCount) { flushInputBuffers(port, reason: .switchFailure) }
            }
            for port in first..<first + Int(switches[s].portCount) where ports[port].link >= 0 {
                updateLinkState(Int(ports[port].link), reason: .switchFailure)
            }
            return
        }
        guard let l = linkIndexByName[fault.target] else { preconditionFailure("fault target vanished") }
        switch fault.action {
        case .linkDown:
            links[l].administrativelyUp = false
            updateLinkState(l, reason: .linkDown)
        case .linkUp:
            links[l].administrativelyUp = true
            updateLinkState(l, reason: .linkDown)
        case .corruption(let numerator, let denominator):
            links[l].corruption = (numerator, denominator)
        case .loss(let numerator, let denominator):
            links[l].loss = (numerator, denominator)
        case .addedDelay(let delay):
            links[l].addedDelay = delay
        case .clearLinkFaults:
            links[l].corruption = (0, 1)
            links[l].loss = (0, 1)
            links[l].addedDelay = .zero
        case .clog:
            guard !links[l].clogged else { return }
            links[l].clogged = true
            links[l].clogs += 1
            links[l].cloggedSince = simulator.now
            // A port that was waiting for credits now waits for the unclog instead.
            for port in [Int(links[l].portA), Int(links[l].portB)] where ports[port].starved {
                endStall(port, now: simulator.now)
            }
        case .unclog:
            guard links[l].clogged else { return }
            links[l].clogged = false
            links[l].cloggedTime += simulator.now - links[l].cloggedSince
            // The held packets go, each port's queues in their order (tryStart picks as ever).
            tryStart(links[l].portA)
            tryStart(links[l].portB)
        case .switchFailure, .switchRecovery:
            preconditionFailure("switch action on a link")
        }
    }

    /// An endpoint failed or came back (``NetworkAttachment/setEndpointFailed(_:)``).
    func setEndpointFailed(_ failed: Bool, port: Int32) {
        let endpoint = Int(ports[Int(port)].endpoint)
        guard endpointFailed[endpoint] != failed else { return }
        endpointFailed[endpoint] = failed
        if ports[Int(port)].link >= 0 { updateLinkState(Int(ports[Int(port)].link), reason: .linkDown) }
    }

    // MARK: Link state

    func nodeAlive(_ port: Int) -> Bool {
        let p = ports[port]
        return p.isSwitchPort ? !switches[Int(p.switchIndex)].failed : !endpointFailed[Int(p.endpoint)]
    }

    func nodesAlive(_ link: Int) -> Bool {
        nodeAlive(Int(links[link].portA)) && nodeAlive(Int(links[link].portB))
    }

    /// Brings link `l` to the state its administrative state and its nodes call for.
    func updateLinkState(_ l: Int, reason: InfiniBandDropReason) {
        guard started else { return }
        let shouldBeUp = links[l].administrativelyUp && nodesAlive(l)
        if shouldBeUp == links[l].up { return }
        if shouldBeUp {
            bringUp(l)
            subnetManager?.portStateChanged(failure: false)
        } else {
            takeDown(l, reason: reason)
            subnetManager?.portStateChanged(failure: true)
        }
    }

    /// The link trains: both ports are in INIT (no data) with full credits until the subnet
    /// manager activates them.
    func bringUp(_ l: Int) {
        links[l].up = true
        links[l].epoch &+= 1
        for port in [Int(links[l].portA), Int(links[l].portB)] {
            ports[port].active = false
            ports[port].busy = false
            clearReturns(port)
            for vl in 0..<vlStride { credits[port * vlStride + vl] = Int32(configuration.inputBufferCredits) }
            if !ports[port].isSwitchPort { notifyPortChanged(port) }
        }
    }

    /// The link goes down: packets on it and in its ports' buffers are lost, packets queued
    /// for its ports are discarded, the ports go DOWN.
    func takeDown(_ l: Int, reason: InfiniBandDropReason) {
        links[l].up = false
        links[l].epoch &+= 1
        links[l].downTransitions += 1
        let ends = [Int(links[l].portA), Int(links[l].portB)]
        let now = simulator.now
        var reroute: [Int] = []
        for port in ends {
            let buffered: InfiniBandDropReason =
                ports[port].isSwitchPort && switches[Int(ports[port].switchIndex)].failed ? .switchFailure : reason
            flushInputBuffers(port, reason: buffered)
        }
        for port in ends {
            if ports[port].starved { endStall(port, now: now) }
            ports[port].active = false
            ports[port].busy = false
            ports[port].wakePending = false
            clearReturns(port)
            let base = port * vlStride
            if ports[port].isSwitchPort {
                // Heads of other input buffers waiting for this output are discarded there.
                for vl in 0..<vlStride {
                    var source = requestHead[base + vl]
                    while source >= 0 {
                        let next = requestNext[Int(source)]
                        requestNext[Int(source)] = -1
                        requestTarget[Int(source)] = -1
                        let slot = Self.pop(&inputQueues[Int(source)], meta: &meta)
                        let inputPort = Int(source) / vlStride
                        returnCreditsOfDropped(meta[Int(slot)], at: inputPort)
                        discard(slot, at: Int32(inputPort), reason: .portDown)
                        reroute.append(Int(source))
                        source = next
                    }
                    requestHead[base + vl] = -1
                    requestTail[base + vl] = -1
                }
            } else {
                for vl in 0..<vlStride {
                    while transmitQueues[base + vl].head >= 0 {
                        let slot = Self.pop(&transmitQueues[base + vl], meta: &meta)
                        discard(slot, at: Int32(port), reason: .portDown)
                    }
                }
                for sl in 0..<16 { transmitCounts[port * 16 + sl] = 0 }
                if ports[port].refusedMask != 0 {
                    ports[port].refusedMask = 0
                    scheduleReady(port)
                }
                notifyPortChanged(port)
            }
        }
        for source in reroute where inputQueues[source].head >= 0 { route(source) }
    }

    /// Empties `port`'s input buffers (switch) or forgets its held receipts (endpoint).
    func flushInputBuffers(_ port: Int, reason: InfiniBandDropReason) {
        let base = port * vlStride
        for q in base..<base + vlStride {
            if ports[port].isSwitchPort {
                let target = Int(requestTarget[q])
                if target >= 0 { removeRequest(q, from: target) }
                while inputQueues[q].head >= 0 {
                    let slot = Self.pop(&inputQueues[q], meta: &meta)
                    discard(slot, at: Int32(port), reason: reason)
                }
            } else {
                // Delivered packets stay with the endpoint; their receipts no longer return credits.
                inputQueues[q] = PacketQueue()
            }
        }
    }

    func removeRequest(_ q: Int, from target: Int) {
        var previous: Int32 = -1
        var current = requestHead[target]
        while current >= 0 && Int(current) != q {
            previous = current
            current = requestNext[Int(current)]
        }
        precondition(current >= 0, "input buffer missing from its output's request list")
        let next = requestNext[q]
        if previous >= 0 { requestNext[Int(previous)] = next } else { requestHead[target] = next }
        if requestTail[target] == Int32(q) { requestTail[target] = previous }
        requestNext[q] = -1
        requestTarget[q] = -1
    }

    func notifyPortChanged(_ port: Int) {
        simulator.schedule(Self.portChanged, for: id, after: .zero, payload: UInt64(port))
    }
}
