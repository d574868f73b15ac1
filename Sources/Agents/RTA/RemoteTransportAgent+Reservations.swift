import Hardware

/// Persistent reservations on behalf of the UMA: `reservation` → the device's DDM →
/// `reservationDone`.
extension RemoteTransportAgent {
    func reservationReceived(_ transaction: UInt64, device: UInt16, _ request: ReservationRequest) {
        guard !activeReservations.contains(transaction) else {
            statistics.duplicateRequests += 1
            return
        }
        statistics.reservations += 1
        guard Int(device) < drivers.count else {
            statistics.rejected += 1
            send(.reservationDone(transaction: transaction, .rejected(.unavailable), ReservationResult()))
            return
        }
        activeReservations.insert(transaction)
        if case .release = request {
            heldReleases.append((transaction, Int(device), request))
            serveHeldReleases()
            return
        }
        issueReservation(transaction, device: Int(device), request)
    }

    private func issueReservation(_ transaction: UInt64, device: Int, _ request: ReservationRequest) {
        let tag = makeTag()
        deviceOperations[tag] = .reservation(transaction: transaction, device: device)
        deviceBusy[device] += 1
        drivers[device].reserve(request, tag: tag)
    }

    /// Whether nothing is in flight on `device`: no request of any connection in the
    /// transaction store, no driver operation outstanding.
    func deviceIdle(_ device: Int) -> Bool {
        deviceBusy[device] == 0 && !transactions.values.contains { Int($0.request.device) == device }
    }

    /// Issues the held RELEASEs whose device went idle, in arrival order.
    func serveHeldReleases() {
        guard !heldReleases.isEmpty else { return }
        var index = 0
        while index < heldReleases.count {
            let held = heldReleases[index]
            if deviceIdle(held.device) {
                heldReleases.remove(at: index)
                issueReservation(held.transaction, device: held.device, held.request)
            } else {
                index += 1
            }
        }
    }

    func reservationCompleted(_ transaction: UInt64, result: DeviceResult) {
        guard activeReservations.remove(transaction) != nil else { return }  // abandoned by a new attach
        if result.status == .reservationConflict { statistics.reservationConflicts += 1 }
        var answer = result.status.isGood ? (result.reservation ?? ReservationResult()) : ReservationResult()
        if answer.keys.count > AgentMessage.maxReservationKeys {
            answer.keys.removeLast(answer.keys.count - AgentMessage.maxReservationKeys)
        }
        send(.reservationDone(transaction: transaction, result.status, answer))
    }
}
