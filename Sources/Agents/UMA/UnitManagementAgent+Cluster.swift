import Hardware

/// Cluster mode: the UMA holds its shelf with SCSI-3 persistent reservations (Write
/// Exclusive, its own key) and, for the coordinator, fences, takes over and gives back the
/// partner's shelf. The operations are rare control steps: each completes through its closure,
/// on the loop; one runs at a time (call the next after the previous completed, and after
/// ``UnitManagementObserver/targetReady(_:advertisement:)``).
///
/// After discovery the UMA REGISTERs its key on every device it reaches (REGISTER AND IGNORE
/// EXISTING KEY: a rebooted system may still be registered) and RESERVEs its primary devices;
/// a RESERVE that conflicts means the partner holds the device (it took over), counted in
/// ``UMAStatistics/ownDevicesHeldAtBoot``. Then it tells its observer `targetReady` with the
/// advertisement it would send, but advertises nothing and refuses connections (`notReady`)
/// until ``serveOwnShelf()`` or ``reclaimOwnShelf(_:)``: the monitor decides at boot whether to
/// wait for a giveback.
extension UnitManagementAgent {
    /// The encoded ``ClusterUnitConfiguration`` of this system's own LUNs (LUN, WWN, size) and
    /// its LUN masks: what the partner needs to take them over.
    public var clusterConfiguration: [UInt8] {
        let luns = table.entries.filter { !$0.takenOver }.map {
            ClusterUnitConfiguration.LUN(
                lun: $0.lun, worldWideName: $0.identity.worldWideName, blockLength: $0.identity.blockLength,
                blockCount: $0.identity.blockCount)
        }
        return ClusterUnitConfiguration(luns: luns, lunMasks: configuration.lunMasks, defaultLUNs: configuration.defaultLUNs)
            .encoded()
    }

    /// The LUNs served now that `client` may reach: own LUNs by the own masks, taken-over
    /// LUNs by the partner's.
    func allowedLUNs(for client: UInt64) -> [UInt16] {
        var allowed = ownShelf == .serving ? configuration.allowedLUNs(for: client, of: table.ownLUNs) : []
        if partnerShelf == .online, let partner = partnerConfiguration {
            allowed += partner.allowedLUNs(for: client, of: table.takenOverLUNs)
        }
        return allowed
    }

    private var role: ClusterRole {
        guard let role = configuration.cluster else { preconditionFailure("\(name): not in cluster mode") }
        return role
    }

    private func requireIdle(_ operation: String) {
        precondition(state == .ready && clusterStep == .idle, "\(name): \(operation) while \(state), \(clusterStep)")
    }

    // MARK: Boot

    func startBootReservations() {
        runBatch(.bootRegistering, ownDevices(.registerIgnoringExisting(key: role.ownKey))
            + partnerPaths(.registerIgnoringExisting(key: role.ownKey)))
    }

    // MARK: Operations

    /// Serves the own LUNs: advertises them (change ID bumped) and accepts connections.
    public func serveOwnShelf() {
        requireIdle("serveOwnShelf")
        ownShelf = .serving
        readvertise()
    }

    /// Fences the partner: PREEMPTs its key on the mailbox disk — the first system to do so
    /// wins; the second is no longer registered there and gets RESERVATION CONFLICT (then READ
    /// KEYS confirms: lost unless this system is still registered and the partner is not) — and,
    /// if won, PREEMPTs it on every partner device, **drains** every device preempted and the
    /// mailbox disk (``ReservationRequest/drain``: each answers once the command it was servicing
    /// has finished, which PREEMPT AND ABORT does not abort), and RESERVEs them, so the partner's
    /// writes get RESERVATION CONFLICT and none of them is still under way when `completion(.won)`
    /// runs (``PartnerShelfState/fenced``). A mailbox disk not found or not answering is
    /// `unavailable`.
    ///
    /// A drain that fails (the disk died between its PREEMPT and the drain: the DDM reports it
    /// after its command timeout) counts as drained: a disk that answers nothing executes
    /// nothing. A device whose PREEMPT failed is not drained (it was not fenced; a dead disk
    /// would only cost another command timeout).
    public func fencePartner(_ completion: @escaping (FenceOutcome) -> Void) {
        requireIdle("fencePartner")
        guard let item = mailbox(.preempt(key: role.ownKey, victim: role.partnerKey)) else {
            fenceCompletion = completion
            runBatch(.fenceMailbox, [])
            return
        }
        fenceCompletion = completion
        runBatch(.fenceMailbox, [item])
    }

    /// Takes the partner's LUNs over: maps `configuration`'s LUN map to this system's partner
    /// paths by WWN, adds those LUNs to the table under their own numbers, and tells the RTAs
    /// concerned that ``ConnectionID/host`` (the coordinator's replay writes) may reach them.
    /// They are served after ``bringPartnerOnline()``.
    ///
    /// - Precondition: a fence won and drained (``PartnerShelfState/fenced``): the replay that
    ///   follows must not overlap a write of the partner's still in service.
    @discardableResult
    public func takeOverPartner(configuration partner: ClusterUnitConfiguration) -> TakeoverMapping {
        requireIdle("takeOverPartner")
        precondition(partnerShelf != .mapped && partnerShelf != .online, "\(name): a second takeover")
        precondition(partnerShelf == .fenced, "\(name): taking over a partner not fenced and drained (\(partnerShelf))")
        var mapping = TakeoverMapping()
        var byEndpoint: [(BusEndpoint, [UInt16])] = []
        for lun in partner.luns {
            guard let path = table.partnerDevice(worldWideName: lun.worldWideName), table.addTakenOver(lun: lun.lun, path)
            else {
                mapping.unmapped.append(lun.lun)
                continue
            }
            mapping.luns.append(lun.lun)
            if let index = byEndpoint.firstIndex(where: { $0.0 == path.endpoint }) {
                byEndpoint[index].1.append(path.device)
            } else {
                byEndpoint.append((path.endpoint, [path.device]))
            }
        }
        for (endpoint, devices) in byEndpoint { bus.send(.connectionAdd(.host, devices: devices), to: endpoint) }
        partnerConfiguration = partner
        partnerShelf = .mapped
        return mapping
    }

    /// Serves the taken-over LUNs: re-advertises (change ID bumped) and accepts connections to
    /// them, by the partner's LUN masks.
    public func bringPartnerOnline() {
        requireIdle("bringPartnerOnline")
        precondition(partnerShelf == .mapped, "\(name): bringing online a partner not taken over")
        partnerShelf = .online
        readvertise()
    }

    /// Fenced out: closes every connection, advertises nothing, refuses connects (`notReady`).
    public func stopServing() {
        ownShelf = .stopped
        if partnerShelf == .online { partnerShelf = .mapped }
        closeConnections { _ in true }
        readvertise()
    }

    /// Giveback, taker side: refuses new connections to the partner's LUNs, closes the
    /// connections that use them, then RELEASEs the partner's devices — each RTA first waits
    /// until nothing is in flight on the device — and forgets the LUNs. `completion(true)` when
    /// every RELEASE was good. Call it after the coordinator's replay writes completed.
    public func releasePartner(_ completion: @escaping (Bool) -> Void) {
        requireIdle("releasePartner")
        precondition(partnerShelf == .mapped || partnerShelf == .online, "\(name): releasing a partner not taken over")
        let wasOnline = partnerShelf == .online
        partnerShelf = .releasing
        let partnerLUNs = table.takenOverLUNs
        closeConnections { luns in luns.contains { partnerLUNs.contains($0) } }
        if wasOnline { readvertise() }
        flagCompletion = completion
        runBatch(.releasing, takenOverDevices(.release(key: role.ownKey)))
    }

    /// Giveback, returning side: REGISTER AND IGNORE EXISTING KEY on the own devices, PREEMPT
    /// the partner's key where it still holds the reservation, RESERVE, then serve the own LUNs.
    /// `completion(true)` when every device is reserved (and the LUNs served); false otherwise
    /// (nothing served).
    public func reclaimOwnShelf(_ completion: @escaping (Bool) -> Void) {
        reclaimOwnShelf(serve: true, completion)
    }

    /// ``reclaimOwnShelf(_:)``, serving the own LUNs at the end only if `serve`; otherwise they
    /// are reserved again but served after ``serveOwnShelf()`` (a double failure's takeover
    /// replays the partner's log into them first).
    public func reclaimOwnShelf(serve: Bool, _ completion: @escaping (Bool) -> Void) {
        requireIdle("reclaimOwnShelf")
        reclaimServes = serve
        flagCompletion = completion
        runBatch(.reclaimRegistering, ownDevices(.registerIgnoringExisting(key: role.ownKey)))
    }

    /// Whether the partner holds the reservation on any own device (READ RESERVATION): at
    /// boot, a sign that it took over and the monitor should wait for a giveback.
    public func checkOwnShelf(_ completion: @escaping (Bool) -> Void) {
        requireIdle("checkOwnShelf")
        flagCompletion = completion
        runBatch(.checking, ownDevices(.readReservation))
    }

    // MARK: Steps

    /// The current step's answers are in: the next step, or the operation's completion.
    func batchFinished() {
        let items = batch
        let step = clusterStep
        batch = []
        clusterStep = .idle
        let allGood = items.allSatisfy { $0.status?.isGood == true }
        switch step {
        case .idle:
            assertionFailure("a reservation batch finished with no step")
        case .bootRegistering:
            runBatch(.bootReserving, ownDevices(.reserve(key: role.ownKey)))
        case .bootReserving:
            statistics.ownDevicesHeldAtBoot += items.filter { $0.status == .reservationConflict }.count
            observer?.targetReady(self, advertisement: table.advertisement(unitGUID: configuration.unitGUID, changeID: changeID))
        case .fenceMailbox:
            switch items.first?.status {
            case .good?:
                runBatch(.fencePartnerDevices, partnerPaths(.preempt(key: role.ownKey, victim: role.partnerKey)))
            case .reservationConflict?:
                runBatch(.fenceMailboxCheck, [mailbox(.readKeys)!])
            default:
                endFence(.unavailable)
            }
        case .fenceMailboxCheck:
            guard let item = items.first, item.status == .good else { return endFence(.unavailable) }
            if item.result.keys.contains(role.ownKey) && !item.result.keys.contains(role.partnerKey) {
                // The partner's key was not there to preempt (it never registered): still ours.
                runBatch(.fencePartnerDevices, partnerPaths(.preempt(key: role.ownKey, victim: role.partnerKey)))
            } else {
                endFence(.lost)
            }
        case .fencePartnerDevices:
            runBatch(.fenceDraining, drainItems(after: items, adding: mailbox(.drain)))
        case .fenceDraining:
            // Every fenced disk has finished what it was servicing (or failed): the barrier.
            runBatch(.fenceReserving, partnerPaths(.reserve(key: role.ownKey)))
        case .fenceReserving:
            if partnerShelf == .none { partnerShelf = .fenced }
            endFence(.won)
        case .releasing:
            table.removeTakenOver()
            partnerConfiguration = nil
            partnerShelf = .none
            endFlag(allGood)
        case .reclaimRegistering:
            runBatch(.reclaimReading, ownDevices(.readReservation))
        case .reclaimReading:
            let held = items.filter { $0.status == .good && $0.result.holder == role.partnerKey }.map {
                ReservationItem(endpoint: $0.endpoint, device: $0.device, request: .preempt(key: role.ownKey, victim: role.partnerKey))
            }
            runBatch(.reclaimPreempting, held)
        case .reclaimPreempting:
            runBatch(.reclaimDraining, drainItems(after: items, adding: nil))
        case .reclaimDraining:
            runBatch(.reclaimReserving, ownDevices(.reserve(key: role.ownKey)))
        case .reclaimReserving:
            if allGood && reclaimServes {
                ownShelf = .serving
                readvertise()
            }
            reclaimServes = true
            endFlag(allGood)
        case .checking:
            endFlag(items.contains { $0.status == .good && $0.result.holder == role.partnerKey })
        }
    }

    /// The drain barrier's operations: ``ReservationRequest/drain`` on every device whose
    /// PREEMPT (in `preempts`) was GOOD, and on `extra` unless it is one of them.
    private func drainItems(after preempts: [ReservationItem], adding extra: ReservationItem?) -> [ReservationItem] {
        var drains = preempts.filter { $0.status?.isGood == true }.map {
            ReservationItem(endpoint: $0.endpoint, device: $0.device, request: .drain)
        }
        if let extra, !drains.contains(where: { $0.endpoint == extra.endpoint && $0.device == extra.device }) {
            drains.append(extra)
        }
        return drains
    }

    private func endFence(_ outcome: FenceOutcome) {
        let completion = fenceCompletion
        fenceCompletion = nil
        completion?(outcome)
    }

    private func endFlag(_ value: Bool) {
        let completion = flagCompletion
        flagCompletion = nil
        completion?(value)
    }

    // MARK: Serving

    /// Advertises what is served now (change ID bumped): own LUNs when serving them, taken-over
    /// LUNs when online; nothing when fenced out.
    func readvertise() {
        changeID &+= 1
        let unit = table.advertisement(
            unitGUID: configuration.unitGUID, changeID: changeID, own: ownShelf == .serving, takenOver: partnerShelf == .online)
        advertisement = unit
        transport.advertise(unit)
    }

    /// Closes the connections whose granted LUNs match, in connection order: the route goes,
    /// the RTAs release what they held, the client is told.
    func closeConnections(where matches: ([UInt16]) -> Bool) {
        for connection in connections.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            guard let record = connections[connection], matches(record.luns) else { continue }
            statistics.connectionsClosedLocally += 1
            remove(connection)
            transport.close(connection)
        }
    }
}
