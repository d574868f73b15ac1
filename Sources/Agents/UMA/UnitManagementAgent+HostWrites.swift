import Hardware

extension UnitManagementAgent {
    /// Where each of `luns` lives (the CTA's routes), and the devices they need on each RTA
    /// (for `connectionAdd`), RTAs in the order first met. LUNs not in the table are left out.
    func lunRoutes(_ luns: [UInt16]) -> (routes: [UInt16: RoutingTable.LUNRoute], byEndpoint: [(BusEndpoint, [UInt16])]) {
        var routes: [UInt16: RoutingTable.LUNRoute] = [:]
        var byEndpoint: [(BusEndpoint, [UInt16])] = []
        for lun in luns {
            guard let entry = table.entry(lun: lun) else { continue }
            routes[lun] = RoutingTable.LUNRoute(
                endpoint: entry.endpoint, device: entry.device, blockLength: entry.identity.blockLength,
                blockCount: entry.identity.blockCount)
            if let index = byEndpoint.firstIndex(where: { $0.0 == entry.endpoint }) {
                byEndpoint[index].1.append(entry.device)
            } else {
                byEndpoint.append((entry.endpoint, [entry.device]))
            }
        }
        return (routes, byEndpoint)
    }

    /// Lets the host storage node's own writes (``ConnectionID/host``: replaying an NVRAM log)
    /// reach the devices behind `luns`, and returns where each LUN lives, for the CTA's internal
    /// writes.
    public func admitHostWrites(to luns: [UInt16]) -> [UInt16: RoutingTable.LUNRoute] {
        let (routes, byEndpoint) = lunRoutes(luns)
        // In order on each RTA's link: the grant arrives before any write that needs it.
        for (endpoint, devices) in byEndpoint { bus.send(.connectionAdd(.host, devices: devices), to: endpoint) }
        return routes
    }
}
