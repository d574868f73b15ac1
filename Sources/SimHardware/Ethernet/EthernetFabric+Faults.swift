import SimCore
import Timebase

/// Faults on links and switches, and the link state changes they (and failed endpoints) cause.
extension EthernetFabric {
    /// Schedules `fault` to take effect at `time` (not in the past).
    ///
    /// - Throws: ``FabricError/unknownTarget(_:known:)`` for a name that is no link or switch
    ///   (with the known names), ``FabricError/actionDoesNotApply(_:)`` for a switch action on a
    ///   link or a link action on a switch (or a negative added delay), and
    ///   ``FabricError/invalidProbability(_:)`` for a zero denominator or a numerator above it.
    public func schedule(_ fault: FabricFault, at time: Instant) throws(FabricError) {
        try validate(fault)
        precondition(time >= simulator.now, "fault \(fault) scheduled in the past")
        faults.append(fault)
        simulator.schedule(Self.faultDue, for: id, at: time, payload: UInt64(faults.count - 1))
    }

    private func validate(_ fault: FabricFault) throws(FabricError) {
        let isLink = linksByName[fault.target] != nil
        guard isLink || switchesByName[fault.target] != nil else {
            throw .unknownTarget(fault.target, known: faultTargets)
        }
        switch fault.action {
        case .switchFailure, .switchRecovery:
            if isLink { throw .actionDoesNotApply(fault) }
        case .corruption(let numerator, let denominator), .loss(let numerator, let denominator):
            if !isLink { throw .actionDoesNotApply(fault) }
            if denominator == 0 || numerator > denominator { throw .invalidProbability(fault) }
        case .addedDelay(let delay):
            if !isLink || delay < .zero { throw .actionDoesNotApply(fault) }
        case .linkDown, .linkUp, .clearLinkFaults, .clog, .unclog:
            if !isLink { throw .actionDoesNotApply(fault) }
        }
    }

    func apply(_ fault: FabricFault) {
        if let index = linksByName[fault.target] {
            let link = links[index]
            switch fault.action {
            case .linkDown: link.up = false
            case .linkUp: link.up = true
            case .corruption(let numerator, let denominator):
                link.corruption = numerator == 0 ? nil : (numerator, denominator)
            case .loss(let numerator, let denominator):
                link.loss = numerator == 0 ? nil : (numerator, denominator)
            case .addedDelay(let delay): link.addedDelay = delay
            case .clearLinkFaults:
                link.loss = nil
                link.corruption = nil
                link.addedDelay = .zero
            case .clog:
                guard !link.clogged else { return }
                link.clogged = true
                link.clogs += 1
                link.cloggedSince = simulator.now
            case .unclog:
                guard link.clogged else { return }
                link.clogged = false
                link.cloggedTime += simulator.now - link.cloggedSince
                // The held frames go, each end's queues in their order.
                startTransmission(on: link.ends.0)
                startTransmission(on: link.ends.1)
            case .switchFailure, .switchRecovery: preconditionFailure("validated: \(fault)")
            }
            refreshLink(index)
        } else if let index = switchesByName[fault.target] {
            let bridge = switches[index]
            switch fault.action {
            case .switchFailure:
                guard !bridge.failed else { return }
                bridge.failed = true
                bridge.epoch &+= 1  // frames inside its pipeline are lost
            case .switchRecovery:
                bridge.failed = false
            default: preconditionFailure("validated: \(fault)")
            }
            for port in bridge.ports {
                if let link = ports[port].link { refreshLink(link) }
            }
        }
    }

    func endpointFailureChanged(_ nic: EthernetAttachment) {
        if let link = ports[nic.portIndex].link { refreshLink(link) }
    }

    /// Recomputes whether a link carries frames (up, and neither end's device failed) and acts
    /// on a change: going down loses the frames on the wire and queued at both ends, lapses
    /// pauses across it and flushes the addresses switches learned through it; either way
    /// attached endpoints are told (by an event, never from inside their own call).
    func refreshLink(_ index: Int) {
        let link = links[index]
        let carrying = link.up && deviceAlive(at: link.ends.0) && deviceAlive(at: link.ends.1)
        guard carrying != link.operational else { return }
        link.operational = carrying
        if !carrying { link.epoch &+= 1 }
        for portIndex in [link.ends.0, link.ends.1] {
            if carrying {
                startTransmission(on: portIndex)
            } else {
                portWentDown(portIndex)
            }
            if case .nic(let nic) = ports[portIndex].owner {
                simulator.schedule(Self.portChange, for: id, after: .zero, payload: UInt64(nic))
            }
        }
    }

    private func deviceAlive(at portIndex: Int) -> Bool {
        switch ports[portIndex].owner {
        case .nic(let nic): !attachments[nic].failed
        case .bridge(let bridge, _): !switches[bridge].failed
        }
    }

    private func portWentDown(_ portIndex: Int) {
        let port = ports[portIndex]
        for priority in 0..<EthernetPort.priorityCount {
            for slot in port.queues[priority].removeAll() {
                if port.switchIndex != nil { releaseSwitchBuffer(of: frames[slot], egress: portIndex) }
                drop(slot, at: portIndex, .linkDown)
            }
        }
        // The frame on the wire (if any) finishes its transmission time and is lost at the far
        // end by its stale epoch.
        port.applyPause(mask: 0xff, pause: false, at: simulator.now)
        port.pauseSentMask = 0
        if case .bridge(let index, let number) = port.owner, !switches[index].failed {
            switches[index].flush(port: number)
        }
    }

    func notifyPortChanged(_ nic: EthernetAttachment) {
        nic.endpoint?.networkPortChanged()
        if nic.portState == .active, nic.refusedMask != 0 {
            nic.refusedMask = 0
            nic.endpoint?.networkTransmitReady()
        }
    }
}
