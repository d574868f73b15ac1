import Hardware

/// The reservation steps' machinery: a step is a batch of reservation operations sent at once
/// to the RTAs; when every one is answered (or its RTA is unreachable), ``batchFinished()``
/// moves the step on.
extension UnitManagementAgent {
    /// Sends a step's operations. An empty batch finishes on the loop, never inside the call.
    func runBatch(_ step: ClusterStep, _ items: [ReservationItem]) {
        precondition(batchTransactions.isEmpty, "\(name): a reservation step while another runs")
        clusterStep = step
        batch = items
        batchAnswered = 0
        for (index, item) in items.enumerated() {
            let transaction = nextReservation
            nextReservation += 1
            batchTransactions[transaction] = index
            statistics.reservationsSent += 1
            bus.send(.reservation(transaction: transaction, device: item.device, item.request), to: item.endpoint)
        }
        if items.isEmpty { armBatchFinish() }
    }

    private func armBatchFinish() {
        guard !batchArmed else { return }
        batchArmed = true
        runtime.scheduleTimer(after: .zero, handler: self, token: Self.batchToken)
    }

    func reservationDone(_ transaction: UInt64, status: IOStatus, result: ReservationResult, from endpoint: BusEndpoint) {
        guard let index = batchTransactions[transaction], batch[index].endpoint == endpoint,
            batch[index].status == nil
        else { return }
        batchTransactions[transaction] = nil
        answer(index, status, result)
    }

    private func answer(_ index: Int, _ status: IOStatus, _ result: ReservationResult) {
        batch[index].status = status
        batch[index].result = result
        if !status.isGood { statistics.reservationFailures += 1 }
        batchAnswered += 1
        if batchAnswered == batch.count { batchFinished() }
    }

    /// The RTA at `endpoint` will not answer: its operations end `deviceUnavailable`.
    func reservationsUnanswerable(at endpoint: BusEndpoint) {
        for transaction in batchTransactions.keys.sorted() {
            guard let index = batchTransactions[transaction], batch[index].endpoint == endpoint else { continue }
            batchTransactions[transaction] = nil
            answer(index, .deviceUnavailable, ReservationResult())
        }
    }

    // MARK: Targets

    /// Every primary device: (endpoint, device) of the own LUNs.
    func ownDevices(_ request: ReservationRequest) -> [ReservationItem] {
        table.entries.filter { !$0.takenOver }.map {
            ReservationItem(endpoint: $0.endpoint, device: $0.device, request: request)
        }
    }

    /// Every partner path.
    func partnerPaths(_ request: ReservationRequest) -> [ReservationItem] {
        table.partnerDevices.map { ReservationItem(endpoint: $0.endpoint, device: $0.device, request: request) }
    }

    /// The partner paths serving taken-over LUNs.
    func takenOverDevices(_ request: ReservationRequest) -> [ReservationItem] {
        table.entries.filter(\.takenOver).map {
            ReservationItem(endpoint: $0.endpoint, device: $0.device, request: request)
        }
    }

    /// The mailbox disk: a primary device first, else a partner path; none without a WWN.
    func mailbox(_ request: ReservationRequest) -> ReservationItem? {
        guard let role = configuration.cluster, role.mailboxWorldWideName != 0 else { return nil }
        if let entry = table.entries.first(where: { $0.identity.worldWideName == role.mailboxWorldWideName }) {
            return ReservationItem(endpoint: entry.endpoint, device: entry.device, request: request)
        }
        if let path = table.partnerDevice(worldWideName: role.mailboxWorldWideName) {
            return ReservationItem(endpoint: path.endpoint, device: path.device, request: request)
        }
        return nil
    }
}
