import Hardware

/// The CTA's routing table: for every connection, the LUNs it was granted (LUN masking) and
/// where each lives (RTA endpoint, device), the client memory it declared, and its request limit.
/// A request is executed only if every check here passes.
public struct RoutingTable: Sendable {
    public struct LUNRoute: Hashable, Sendable {
        public var endpoint: BusEndpoint
        public var device: UInt16
        public var blockLength: UInt32
        public var blockCount: UInt64

        /// Where a LUN lives: its RTA's bus endpoint and device there, and its geometry.
        public init(endpoint: BusEndpoint, device: UInt16, blockLength: UInt32, blockCount: UInt64) {
            self.endpoint = endpoint
            self.device = device
            self.blockLength = blockLength
            self.blockCount = blockCount
        }
    }

    public struct Route: Sendable {
        public var connection: ConnectionID
        public var luns: [UInt16: LUNRoute]
        public var regions: [RemoteBuffer]
        public var maxOutstanding: Int
        public var maxTransferBytes: Int
        public var outstanding = 0
    }

    /// Where a request goes, or why it is refused.
    enum Decision {
        case route(LUNRoute)
        case reject(RejectReason)
    }

    private var routes: [ConnectionID: Route] = [:]

    public init() {}

    mutating func add(_ route: Route) {
        precondition(routes[route.connection] == nil, "\(route.connection) routed twice")
        routes[route.connection] = route
    }

    @discardableResult
    mutating func remove(_ connection: ConnectionID) -> Route? { routes.removeValue(forKey: connection) }

    func route(_ connection: ConnectionID) -> Route? { routes[connection] }

    mutating func adjustOutstanding(_ connection: ConnectionID, by delta: Int) {
        guard routes[connection] != nil else { return }
        routes[connection]!.outstanding += delta
        assert(routes[connection]!.outstanding >= 0, "negative outstanding count on \(connection)")
    }

    public var connectionCount: Int { routes.count }

    /// Checks `request`, arrived on `connection`, and returns where it goes, or why it is refused.
    func check(_ request: ClientRequest, on connection: ConnectionID) -> Decision {
        guard request.connection == connection, let route = routes[connection] else { return .reject(.unknownConnection) }
        guard let lun = route.luns[request.lun] else { return .reject(.lunNotGranted) }
        if request.operation == .flush {
            return request.blocks == 0 ? .route(lun) : .reject(.invalidRange)
        }
        let bytes = UInt64(request.blocks) * UInt64(lun.blockLength)
        guard request.blocks > 0, bytes <= UInt64(route.maxTransferBytes), UInt64(request.buffer.length) == bytes,
            request.lba < lun.blockCount, UInt64(request.blocks) <= lun.blockCount - request.lba
        else { return .reject(.invalidRange) }
        guard route.regions.contains(where: { $0.contains(request.buffer) }) else { return .reject(.bufferNotOwned) }
        guard route.outstanding < route.maxOutstanding else { return .reject(.tooManyRequests) }
        return .route(lun)
    }
}
