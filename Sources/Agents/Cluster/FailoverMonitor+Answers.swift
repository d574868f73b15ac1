import Hardware

// The coordinator's answers to the monitor's ``FailoverActions`` requests.
extension FailoverMonitor {
    /// Answers ``FailoverActions/serveOwnShelf()`` and ``FailoverActions/reclaimOwnShelf()``:
    /// the node serves its own shelf.
    public func ownShelfServing() {
        let reclaimed = state == .reclaiming
        precondition(state == .startingService || reclaimed, "failover monitor \(name): ownShelfServing while \(state)")
        transition(to: .normal)
        report(.servingOwnShelf(at: runtime.now))
        if reclaimed {
            statistics.givebacks += 1
            broadcast(.givebackDone)
            report(.givebackCompleted(at: runtime.now, role: .reclaimed))
        }
        armPartnerDeadline()
    }

    /// Answers ``FailoverActions/checkOwnShelf()``. Held by the partner (or the partner, heard
    /// meanwhile, is fencing or holds it): keep waiting for it, checking again every boot wait
    /// while the partner stays silent. Not held: serve it.
    public func ownShelfChecked(heldByPartner: Bool) {
        precondition(state == .checkingOwnShelf, "failover monitor \(name): ownShelfChecked while \(state)")
        if heldByPartner || partnerState?.claimsPartnerShelf == true {
            transition(to: .booting)
            if let partnerState {
                decideBoot(partner: partnerState)
            } else {
                armBootWait()
            }
        } else {
            transition(to: .startingService)
            actions.serveOwnShelf()
        }
    }

    /// Answers ``FailoverActions/fencePartner()``. Won: take the partner over. Lost (the partner
    /// fenced this node first): stop serving, for good until reboot.
    public func fenceCompleted(won: Bool) {
        precondition(state == .fencing, "failover monitor \(name): fenceCompleted while \(state)")
        if won {
            guard let partnerConfiguration else { preconditionFailure("fencing without the partner's configuration") }
            transition(to: .takingOver)
            if takingOverBothShelves {
                actions.takeOverBoth(partnerConfiguration: partnerConfiguration)
            } else {
                actions.takeOver(partnerConfiguration: partnerConfiguration)
            }
        } else {
            statistics.fencesLost += 1
            transition(to: .fencedOut)
            if let timer = heartbeatTimer { runtime.cancelTimer(timer) }
            heartbeatTimer = nil
            if let timer = deadlineTimer { runtime.cancelTimer(timer) }
            deadlineTimer = nil
            actions.stopServing()
            report(.fencedOut(at: runtime.now))
        }
    }

    /// Answers ``FailoverActions/takeOver(partnerConfiguration:)``: the node serves both shelves.
    public func takeoverCompleted() {
        precondition(state == .takingOver, "failover monitor \(name): takeoverCompleted while \(state)")
        statistics.takeovers += 1
        transition(to: .takenOver)
        if takingOverBothShelves { report(.servingOwnShelf(at: runtime.now)) }
        report(.takeoverCompleted(at: runtime.now, partnerFailedAt: partnerFailedAt ?? runtime.now))
    }

    /// Answers ``FailoverActions/releasePartnerShelf()``: the partner's shelf is released; tell
    /// the partner to take it back.
    public func partnerShelfReleased() {
        precondition(state == .givingBack, "failover monitor \(name): partnerShelfReleased while \(state)")
        partnerFailedAt = nil
        takingOverBothShelves = false
        transition(to: .normal)
        broadcast(.givebackReady)
        armPartnerDeadline()
    }
}
