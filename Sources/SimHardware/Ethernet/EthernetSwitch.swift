import Timebase

/// A store-and-forward IEEE 802.1D/802.1Q bridge: MAC learning, flooding of unknown
/// destinations, output-queued buffers.
///
/// **Learning** (IEEE 802.1Q §8.7): each intact frame's source MAC is recorded against its
/// ingress port. **Forwarding** (§8.8): a known destination goes out its port (or is filtered
/// when that is the ingress port); an unknown one is flooded to every other port whose link
/// carries frames, in port order. Entries older than the ageing time are forgotten; entries
/// on a port whose link goes down are flushed (common practice, so traffic floods to the
/// address's new location at once). A failed switch keeps its table.
final class EthernetSwitch {
    let name: String
    /// Global indices of ports 1…portCount (element 0 is port 1).
    let ports: [Int]
    var failed = false
    /// Advanced at each failure: frames admitted before it are gone.
    var epoch: UInt32 = 0

    private struct Entry {
        var port: Int
        var lastSeen: Instant
    }

    /// Look-up only; never iterated to decide anything.
    private var table: [MACAddress: Entry] = [:]

    init(name: String, ports: [Int]) {
        self.name = name
        self.ports = ports
    }

    /// Records that `address` was seen arriving on local port `port` (1-based).
    func learn(_ address: MACAddress, on port: Int, at now: Instant) {
        guard !address.isGroup else { return }
        table[address] = Entry(port: port, lastSeen: now)
    }

    /// The local port `address` was learned on, if known and not aged out.
    func port(for address: MACAddress, at now: Instant, ageing: TimeSpan?) -> Int? {
        guard let entry = table[address] else { return nil }
        if let ageing, now - entry.lastSeen > ageing {
            table[address] = nil
            return nil
        }
        return entry.port
    }

    /// Forgets every address learned on local port `port`. (Filtering a dictionary gives the
    /// same table whatever its iteration order.)
    func flush(port: Int) {
        table = table.filter { $0.value.port != port }
    }

    /// Addresses in the table (for tests and reports).
    var learnedCount: Int { table.count }
}
