import Hardware

// The monitor as a cluster connection client: connections up and down, and the partner's messages.
extension FailoverMonitor {
    public func clusterConnectionUp(_ connection: any ClusterConnection) {
        precondition(!connections.contains { $0 === connection }, "a cluster connection came up twice")
        connections.append(connection)
        statistics.update(connection.interconnect) { $0.connectionsUp += 1 }
        report(.interconnectUp(interconnect: connection.interconnect, at: runtime.now, upCount: connections.count))
        guard state != .stopped, state != .fencedOut else { return }
        send(.hello(configuration: actions.localConfiguration), on: connection)
    }

    public func clusterConnectionDown(_ connection: any ClusterConnection) {
        guard let index = connections.firstIndex(where: { $0 === connection }) else {
            preconditionFailure("a cluster connection went down that never came up")
        }
        connections.remove(at: index)
        statistics.update(connection.interconnect) { $0.connectionsDown += 1 }
        report(.interconnectDown(interconnect: connection.interconnect, at: runtime.now, upCount: connections.count))
        guard connections.isEmpty else { return }
        switch state {
        case .booting:
            partnerState = nil  // out of reach: what it said no longer holds
            armBootWait()
        case .waitingForGiveback where partnerConfiguration != nil:
            // The partner is out of reach with our shelf: if it stays silent for the failure
            // timeout it has failed too (a double failure), and this node takes both shelves.
            armPartnerDeadline()
        case .waitingForGiveback:
            // Out of reach with our shelf, and no configuration to take it over with: wait
            // (and check the shelf) as at boot.
            transition(to: .booting)
            partnerState = nil
            armBootWait()
        default:
            break
        }
    }

    public func clusterOperationCompleted(tag: UInt64, on connection: any ClusterConnection, success: Bool) {
        if !success { statistics.update(connection.interconnect) { $0.sendFailures += 1 } }
    }

    public func clusterMessageReceived(_ bytes: [UInt8], on connection: any ClusterConnection) {
        let message: FailoverMessage
        do {
            message = try FailoverMessage(decoding: bytes)
        } catch {
            statistics.malformedMessages += 1
            return
        }
        let isHeartbeat = message.body == .heartbeat
        statistics.update(connection.interconnect) {
            $0.messagesReceived += 1
            if isHeartbeat { $0.heartbeatsReceived += 1 }
        }
        guard state != .stopped, state != .fencedOut else {
            statistics.ignoredMessages += 1
            return
        }
        partnerLastHeard = runtime.now
        heardSinceTick = true
        if message.incarnation != partnerIncarnation {
            if partnerIncarnation != nil { statistics.partnerIncarnations += 1 }
            partnerIncarnation = message.incarnation
            partnerSequence = 0
            partnerMirrorInSync = false  // a new boot: its log is in sync here once it says so
        }
        guard message.sequence > partnerSequence else {
            statistics.staleMessages += 1
            return
        }
        partnerSequence = message.sequence
        partnerState = message.state
        if message.mirrorInSync != partnerMirrorInSync {
            partnerMirrorInSync = message.mirrorInSync
            report(.partnerMirror(inSync: message.mirrorInSync, at: runtime.now))
        }
        if case .hello(let configuration) = message.body { partnerConfiguration = configuration }
        handle(message, on: connection)
    }

    /// Acts on the partner's newest message (its state is ``partnerState``).
    private func handle(_ message: FailoverMessage, on connection: any ClusterConnection) {
        switch state {
        case .booting:
            cancelBootWait()
            decideBoot(partner: message.state)
        case .waitingForGiveback:
            if message.body == .givebackReady || !message.state.claimsPartnerShelf {
                transition(to: .reclaiming)
                actions.reclaimOwnShelf()
            } else if message.body != .givebackRequest {
                send(.givebackRequest, on: connection)  // the partner still holds it: ask again
            }
            armPartnerDeadline()  // watch it while it holds our shelf
        case .partnerFailed:
            partnerFailedAt = nil
            transition(to: .normal)
            report(.partnerRecovered(at: runtime.now))
            armPartnerDeadline()
        case .normal:
            if message.body == .givebackDone {
                report(.givebackCompleted(at: runtime.now, role: .released))
            } else if message.body == .givebackRequest || message.body == .givebackReady {
                statistics.ignoredMessages += 1
            }
            armPartnerDeadline()
        case .takenOver:
            if message.body == .givebackRequest { startGiveback() }
        case .checkingOwnShelf, .startingService, .reclaiming, .fencing, .takingOver, .givingBack:
            // Waiting for the coordinator: the partner's state is kept (``partnerState``) and
            // looked at when the answer comes.
            if message.body == .givebackRequest || message.body == .givebackReady || message.body == .givebackDone {
                statistics.ignoredMessages += 1
            }
        case .stopped, .fencedOut:
            preconditionFailure("a message handled while \(state)")
        }
    }

    /// The partner asked for its shelf (again): release it, once this node's own log is in sync
    /// in the partner's mirror half. Until then (the mirror re-sends what was acknowledged while
    /// alone) the giveback waits: releasing first would leave the returning partner waiting for
    /// a node it could not take over if that node failed (``localMirrorSyncChanged()`` resumes it).
    func startGiveback() {
        guard state == .takenOver else { return }
        guard actions.localMirrorInSync else {
            if !givebackDeferred { statistics.givebacksDeferred += 1 }
            givebackDeferred = true
            return
        }
        givebackDeferred = false
        transition(to: .givingBack)
        actions.releasePartnerShelf()
    }

    /// Booting and the partner's state known: take the shelf back if the partner holds it, wait
    /// while it is fencing or taking over, serve it otherwise.
    func decideBoot(partner: FailoverMonitorState) {
        if partner.holdsPartnerShelf {
            transition(to: .waitingForGiveback)
            broadcast(.givebackRequest)
            armPartnerDeadline()
        } else if !partner.claimsPartnerShelf {
            transition(to: .startingService)
            actions.serveOwnShelf()
        }
    }
}
