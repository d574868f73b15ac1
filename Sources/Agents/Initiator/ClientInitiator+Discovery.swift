import Hardware

/// One discovery in progress: the answers gathered so far, per controller slot.
struct InitiatorDiscovery {
    var target: ServiceAddress
    /// Whether ``ClientInitiator/connect(to:luns:)`` waits for it.
    var forConnect: Bool
    var unitGUID: UInt64 = 0
    var changeID: UInt16 = 0
    var profiles: [IOControllerProfile?] = []
    var services: [[ServiceEntry]?] = []
    /// Queries not yet answered.
    var pending = 0
}

extension ClientInitiator {
    // A query's tag: the discovery's ID << 16 | slot << 1 | (1 for service entries). Slot 0 is
    // the IOUnitInfo query (controller slots start at 1).

    /// Rebuilds `target`'s advertisement: IOUnitInfo, then each controller's profile and
    /// service entries. Answered through the delegate.
    public func discover(_ target: ServiceAddress) {
        precondition(started, "\(name): discover before start")
        startDiscovery(of: target, forConnect: false)
    }

    @discardableResult
    func startDiscovery(of target: ServiceAddress, forConnect: Bool) -> UInt64 {
        let id = nextDiscoveryID
        nextDiscoveryID += 1
        discoveries[id] = InitiatorDiscovery(target: target, forConnect: forConnect, pending: 1)
        send(.ioUnitInfo, discovery: id, slot: 0, services: false)
        return id
    }

    private func send(_ query: DeviceManagementQuery, discovery id: UInt64, slot: UInt8, services: Bool) {
        guard let target = discoveries[id]?.target else { return }
        let tag = id << 16 | UInt64(slot) << 1 | (services ? 1 : 0)
        do {
            try transport.query(query, to: target, tag: tag)
        } catch {
            // Report on a later turn: the query's answer never comes.
            runtime.scheduleTimer(after: .zero, handler: QueryFailure(initiator: self), token: tag)
        }
    }

    func discoveryAnswered(tag: UInt64, reply: DeviceManagementReply?) {
        let id = tag >> 16
        let slot = Int((tag >> 1) & 0xff)
        let isServices = tag & 1 == 1
        guard var discovery = discoveries[id] else {
            statistics.unexpectedMessages += 1  // an answer to a discovery that already failed
            return
        }
        discovery.pending -= 1
        switch reply {
        case .ioUnitInfo(let info, let unitGUID)? where slot == 0 && !isServices:
            discovery.unitGUID = unitGUID
            discovery.changeID = info.changeID
            let count = Int(info.controllerCount)
            discovery.profiles = Array(repeating: nil, count: count)
            discovery.services = Array(repeating: nil, count: count)
            discovery.pending += 2 * count
            discoveries[id] = discovery
            for controller in 0..<count {
                send(.ioControllerProfile(slot: UInt8(controller + 1)), discovery: id, slot: UInt8(controller + 1), services: false)
                send(.serviceEntries(slot: UInt8(controller + 1)), discovery: id, slot: UInt8(controller + 1), services: true)
            }
        case .ioControllerProfile(let profile)?
        where !isServices && profile.slot == slot && slot >= 1 && slot <= discovery.profiles.count:
            discovery.profiles[slot - 1] = profile
            discoveries[id] = discovery
        case .serviceEntries(let answeredSlot, let entries)?
        where isServices && Int(answeredSlot) == slot && slot >= 1 && slot <= discovery.services.count:
            discovery.services[slot - 1] = entries
            discoveries[id] = discovery
        default:
            // No answer after the retries, no such controller, or an answer to another question.
            discoveryFailed(id)
            return
        }
        if discovery.pending == 0 { discoveryCompleted(id) }
    }

    private func discoveryCompleted(_ id: UInt64) {
        guard let discovery = discoveries.removeValue(forKey: id) else { return }
        var services: [ServiceEntry] = []
        for entry in discovery.services.compactMap({ $0 }).joined() where !services.contains(entry) {
            services.append(entry)
        }
        let unit = IOUnitAdvertisement(
            unitGUID: discovery.unitGUID, changeID: discovery.changeID, controllers: discovery.profiles.compactMap { $0 },
            services: services)
        advertisements[discovery.target] = unit
        delegate?.initiator(self, discovered: unit, at: discovery.target)
        if discovery.forConnect, connectDiscovery == id, case .discovering(let attempt) = phase {
            connectDiscovery = nil
            sendConnect(attempt: attempt)
        }
    }

    func discoveryFailed(_ id: UInt64) {
        guard let discovery = discoveries.removeValue(forKey: id) else { return }
        statistics.discoveryFailures += 1
        delegate?.initiator(self, discoveryFailedAt: discovery.target)
        if discovery.forConnect, connectDiscovery == id, case .discovering = phase {
            connectAttemptFailed(.timedOut)
        }
    }
}

/// Reports a query the transport refused at once, on a later turn of the loop.
private final class QueryFailure: TimerHandler {
    let initiator: ClientInitiator

    init(initiator: ClientInitiator) { self.initiator = initiator }

    func timerFired(_ token: UInt64) { initiator.discoveryFailed(token >> 16) }
}
