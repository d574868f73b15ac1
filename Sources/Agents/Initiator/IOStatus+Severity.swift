import Hardware

extension IOStatus {
    /// How bad a piece's status is, to pick the one a split request completes with (the worst
    /// wins; on a tie the first answered). Rejected (nothing done) < CHECK CONDITION (the device
    /// said why) < device unavailable < transfer failed (a write's outcome is unknown on both;
    /// transfer failed also says the path broke). Assumption: the order a client's error
    /// handling cares about.
    var severity: Int {
        switch self {
        case .good: 0
        case .rejected: 1
        case .checkCondition: 2
        case .deviceUnavailable: 3
        case .transferFailed: 4
        }
    }
}

extension ServiceTimes {
    /// Part by part sum.
    static func + (lhs: ServiceTimes, rhs: ServiceTimes) -> ServiceTimes {
        ServiceTimes(cta: lhs.cta + rhs.cta, pci: lhs.pci + rhs.pci, rta: lhs.rta + rhs.rta, disk: lhs.disk + rhs.disk,
                     rdma: lhs.rdma + rhs.rdma)
    }
}
