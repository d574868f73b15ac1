import Timebase

/// A full-duplex point-to-point Ethernet link between two ports: its rate, its propagation
/// delay, and the faults injected on it.
final class EthernetLink {
    let name: String
    /// The global indices of the two ports.
    let ends: (Int, Int)
    let rate: EthernetLinkRate
    let propagationDelay: TimeSpan

    /// Administratively up (no link-down fault in force).
    var up = true
    /// Carrying frames: up, and neither end's device failed. Kept so changes can be detected.
    var operational = false
    /// Advanced each time the link stops carrying frames: frames that started across in an
    /// older epoch are lost.
    var epoch: UInt32 = 0

    /// Fault state: per-frame loss and corruption probabilities, and extra delay.
    var loss: (numerator: UInt64, denominator: UInt64)?
    var corruption: (numerator: UInt64, denominator: UInt64)?
    var addedDelay = TimeSpan.zero
    /// Holding frames (a clog fault): neither end starts one.
    var clogged = false
    var clogs = 0
    var cloggedSince = Instant.zero
    var cloggedTime = TimeSpan.zero
    /// Draws for loss and corruption; named after the link.
    var random: RandomStream

    init(name: String, ends: (Int, Int), rate: EthernetLinkRate, propagationDelay: TimeSpan, random: RandomStream) {
        self.name = name
        self.ends = ends
        self.rate = rate
        self.propagationDelay = propagationDelay
        self.random = random
    }

    /// The port at the other end from `port`.
    func peer(of port: Int) -> Int {
        precondition(port == ends.0 || port == ends.1, "port \(port) is not on link \(name)")
        return port == ends.0 ? ends.1 : ends.0
    }

    /// One-way delay now: propagation plus any added-delay fault.
    var delay: TimeSpan { propagationDelay + addedDelay }
}
