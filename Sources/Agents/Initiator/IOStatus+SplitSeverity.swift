import Hardware

extension IOStatus {
    /// How bad a piece's status is, to pick the one a split request completes with (the worst
    /// wins; on a tie the first answered). Rejected (nothing done) < CHECK CONDITION (the device
    /// said why) < device unavailable < transfer failed (a write's outcome is unknown on both;
    /// transfer failed also says the path broke). Assumption: the order a client's error
    /// handling cares about.
    var splitSeverity: Int {
        switch self {
        case .good: 0
        case .rejected: 1
        case .checkCondition, .reservationConflict: 2
        case .deviceUnavailable: 3
        case .transferFailed: 4
        }
    }
}

extension ServiceTimes {
    /// Part by part sum.
    func summed(with rhs: ServiceTimes) -> ServiceTimes {
        ServiceTimes(cta: cta + rhs.cta, pci: pci + rhs.pci, rta: rta + rhs.rta, disk: disk + rhs.disk,
                     rdma: rdma + rhs.rdma)
    }
}
