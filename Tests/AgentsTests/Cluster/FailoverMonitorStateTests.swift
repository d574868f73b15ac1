import Agents
import Testing

/// The monitor's state table: enumerated, every state reachable from boot, fencedOut terminal.
@Suite("FailoverMonitor states")
struct FailoverMonitorStateTests {
    @Test("Every state is reachable from stopped through the successor table")
    func reachability() {
        var reached: [FailoverMonitorState] = [.stopped]
        var frontier: [FailoverMonitorState] = [.stopped]
        while let state = frontier.popLast() {
            for next in state.successors where !reached.contains(next) {
                reached.append(next)
                frontier.append(next)
            }
        }
        #expect(reached.count == FailoverMonitorState.allCases.count)
    }

    @Test("Nothing returns to stopped; fencedOut is terminal; only fencing leads to fencedOut or takingOver")
    func edges() {
        for state in FailoverMonitorState.allCases {
            #expect(!state.successors.contains(.stopped))
            #expect(!state.successors.contains(state), "no self loop in \(state)")
            if state != .fencing {
                #expect(!state.successors.contains(.fencedOut))
                #expect(!state.successors.contains(.takingOver))
            }
        }
        #expect(FailoverMonitorState.fencedOut.successors.isEmpty)
        // A takeover starts from normal (the node serves its own shelf), or from waiting for a
        // giveback when the partner holding the shelf fails too (a double failure: both shelves).
        #expect(FailoverMonitorState.allCases.filter { $0.successors.contains(.fencing) } == [.waitingForGiveback, .normal])
    }

    @Test("Only taking over, taken over and giving back hold the partner's shelf; fencing claims it")
    func holding() {
        #expect(FailoverMonitorState.allCases.filter(\.holdsPartnerShelf) == [.takingOver, .takenOver, .givingBack])
        #expect(FailoverMonitorState.allCases.filter(\.claimsPartnerShelf) == [.fencing, .takingOver, .takenOver, .givingBack])
    }
}
