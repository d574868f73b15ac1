/// What a subnet manager sweep computes: discovery, LIDs, min-hop forwarding tables, port
/// activation (see ``SubnetManager`` for the policy and its timing).
///
/// Nodes are numbered switches first (0…), then endpoints; every order below is an array
/// order or an index order, never a hash order.
extension InfiniBandFabric {
    var nodeCount: Int { switches.count + endpointPorts.count }

    func node(ofPort port: Int) -> Int {
        let p = ports[port]
        return p.isSwitchPort ? Int(p.switchIndex) : switches.count + Int(p.endpoint)
    }

    func ports(ofNode node: Int) -> Range<Int> {
        if node < switches.count {
            let first = Int(switches[node].firstPort)
            return first..<first + Int(switches[node].portCount)
        }
        let port = Int(endpointPorts[node - switches.count])
        return port..<port + 1
    }

    func lid(ofNode node: Int) -> UInt16 {
        node < switches.count ? switches[node].lid : ports[Int(endpointPorts[node - switches.count])].lid
    }

    func setLID(_ lid: UInt16, ofNode node: Int) {
        if node < switches.count {
            switches[node].lid = lid
        } else {
            ports[Int(endpointPorts[node - switches.count])].lid = lid
        }
    }

    /// The nodes reachable from `port` over links that are up, breadth-first with each node's
    /// ports in increasing number order.
    func discover(from port: Int32) -> [Int] {
        let start = node(ofPort: Int(port))
        guard nodeAlive(Int(port)) else { return [] }
        var seen = [Bool](repeating: false, count: nodeCount)
        var order = [start]
        seen[start] = true
        var next = 0
        while next < order.count {
            let current = order[next]
            next += 1
            for p in ports(ofNode: current) {
                let link = Int(ports[p].link)
                guard link >= 0, links[link].up else { continue }
                let neighbour = node(ofPort: Int(ports[p].peer))
                if !seen[neighbour] {
                    seen[neighbour] = true
                    order.append(neighbour)
                }
            }
        }
        return order
    }

    private var highestLID: Int {
        var highest = 0
        for node in 0..<nodeCount { highest = max(highest, Int(lid(ofNode: node))) }
        return highest
    }

    /// The SMPs a heavy sweep from `port` sends (the formula in ``SubnetManager``).
    func sweepSMPCount(from port: Int32) -> Int {
        let order = discover(from: port)
        let newLIDs = order.filter { lid(ofNode: $0) == 0 }.count
        let tableBlocks = (highestLID + newLIDs + 1 + 63) / 64
        var smps = 0
        for node in order {
            if node < switches.count {
                let connected = ports(ofNode: node).filter { ports[$0].link >= 0 && links[Int(ports[$0].link)].up }.count
                smps += 2 + Int(switches[node].portCount)  // NodeInfo, SwitchInfo, PortInfo per port
                smps += connected + 1 + tableBlocks  // PortInfo Set per connected port and port 0, LFT blocks
            } else {
                smps += 3  // NodeInfo, PortInfo, PortInfo Set
            }
        }
        return smps
    }

    /// Applies a sweep from `port`: LIDs, forwarding tables, SM LID, ACTIVE ports.
    func applySweep(from port: Int32) {
        let order = discover(from: port)
        guard !order.isEmpty else { return }
        var nextLID = highestLID + 1
        for node in order where lid(ofNode: node) == 0 {
            precondition(nextLID < 0xC000, "unicast LIDs exhausted")
            setLID(UInt16(nextLID), ofNode: node)
            nextLID += 1
        }
        let smLIDChanged = subnetManagerLID != ports[Int(port)].lid
        subnetManagerLID = ports[Int(port)].lid

        // Forwarding tables: unreachable switches keep theirs.
        let stride = nextLID
        var reachable = [Bool](repeating: false, count: nodeCount)
        for node in order { reachable[node] = true }
        var tables = ContiguousArray<Int32>(repeating: -1, count: switches.count * stride)
        for s in switches.indices where !reachable[s] {
            for lid in 0..<min(stride, lftStride) { tables[s * stride + lid] = lft[s * lftStride + lid] }
        }
        let destinations = order.sorted { lid(ofNode: $0) < lid(ofNode: $1) }
        var routesThrough = [Int](repeating: 0, count: ports.count)
        var distance = [Int32](repeating: -1, count: nodeCount)
        for destination in destinations {
            // Hop counts to `destination`, through switches only.
            for index in distance.indices { distance[index] = -1 }
            distance[destination] = 0
            var frontier = [destination]
            var next = 0
            while next < frontier.count {
                let current = frontier[next]
                next += 1
                guard current == destination || current < switches.count else { continue }
                for p in ports(ofNode: current) {
                    let link = Int(ports[p].link)
                    guard link >= 0, links[link].up else { continue }
                    let neighbour = node(ofPort: Int(ports[p].peer))
                    if distance[neighbour] < 0 {
                        distance[neighbour] = distance[current] + 1
                        frontier.append(neighbour)
                    }
                }
            }
            let lid = Int(lid(ofNode: destination))
            for s in order where s < switches.count && s != destination && distance[s] > 0 {
                var best = -1
                for p in ports(ofNode: s) {
                    let link = Int(ports[p].link)
                    guard link >= 0, links[link].up,
                        distance[node(ofPort: Int(ports[p].peer))] == distance[s] - 1
                    else { continue }
                    if best < 0 || routesThrough[p] < routesThrough[best] { best = p }  // ties: lower port number
                }
                precondition(best >= 0, "min-hop found no next hop")
                tables[s * stride + lid] = Int32(best)
                if destination >= switches.count { routesThrough[best] += 1 }
            }
        }
        lft = tables
        lftStride = stride

        // Activation.
        for node in order {
            for p in ports(ofNode: node) {
                let link = Int(ports[p].link)
                guard link >= 0, links[link].up else { continue }
                let isEndpoint = !ports[p].isSwitchPort
                if !ports[p].active {
                    ports[p].active = true
                    if isEndpoint { notifyPortChanged(p) }
                } else if isEndpoint && smLIDChanged {
                    notifyPortChanged(p)
                }
            }
        }
    }
}
