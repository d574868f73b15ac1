import Hardware
import RealHardware
import SimCore
import SimHardware

/// A node bus of one host and two storage nodes on some backend, for the ``BusChannel``
/// contract tests: they see only `any BusChannel`, memory of the backend, and a way to let the
/// loops run until nothing is left to do.
protocol BusContractBench {
    /// The host's channel first, then the storage nodes'.
    var channels: [any BusChannel] { get }
    /// The bus's limit on one endpoint's outstanding operations.
    var maxOutstanding: Int { get }
    /// Zeroed memory of this backend, which its windows may expose.
    func makeMemory(length: Int) -> any MemoryBuffer
    /// Memory of the other backend, which this bus must refuse.
    func foreignMemory(length: Int) -> any MemoryBuffer
    /// Runs the endpoints' loops until every completion and delivery has happened.
    func settle()
}

/// The backends the contract runs on.
enum BusBackend: String, CaseIterable, CustomStringConvertible {
    case inProcess = "in-process"
    case simulated

    var description: String { rawValue }

    func makeBench() throws -> any BusContractBench {
        switch self {
        case .inProcess: try InProcessBusBench()
        case .simulated: SimulatedBusBench()
        }
    }
}

/// The real backend: an ``InProcessBus`` whose endpoints share one ``RealNodeRuntime``.
final class InProcessBusBench: BusContractBench {
    let runtime: RealNodeRuntime
    let bus: InProcessBus
    let channels: [any BusChannel]

    init() throws {
        runtime = try RealNodeRuntime(nodeName: "host", seed: 1)
        let bus = InProcessBus(name: "bus")
        self.bus = bus
        let runtime = runtime
        channels = ["host", "sn1", "sn2"].map { bus.attach(endpoint: $0, runtime: runtime) }
    }

    var maxOutstanding: Int { bus.configuration.maxOutstandingOperations }
    func makeMemory(length: Int) -> any MemoryBuffer { AlignedMemory(name: "buffer", length: length) }
    func foreignMemory(length: Int) -> any MemoryBuffer { SimMemory(name: "foreign", length: length) }

    /// Bus work is zero-delay timers: settled once none is pending.
    func settle() {
        runtime.run(until: { self.runtime.pendingTimers == 0 }, deadline: runtime.now + runtimeTestDeadline)
    }
}

/// The simulated backend: a ``NodeBus`` over a 64-bit/66 MHz PCI bus, each endpoint with its
/// own ``SimNodeRuntime``.
final class SimulatedBusBench: BusContractBench {
    let simulator = Simulator(seed: 1)
    let bus: NodeBus
    let channels: [any BusChannel]

    init() {
        let pci = PCIBus(name: "pci0", configuration: .pci64at66, simulator: simulator)
        bus = NodeBus(name: "nodebus", pciBus: pci, simulator: simulator)
        let simulator = simulator
        let bus = bus
        channels = ["host", "sn1", "sn2"].map {
            bus.attach(endpoint: $0, runtime: SimNodeRuntime(nodeName: $0, simulator: simulator))
        }
    }

    var maxOutstanding: Int { bus.configuration.maxOutstandingOperations }
    func makeMemory(length: Int) -> any MemoryBuffer { SimMemory(name: "buffer", length: length) }
    func foreignMemory(length: Int) -> any MemoryBuffer { AlignedMemory(name: "foreign", length: length) }
    func settle() { simulator.run() }
}

/// Records completions and received messages; counts completions that arrive while `issuing`
/// is set (re-entrant ones).
final class BusContractRecorder: BusCompletionHandler, BusMessageReceiver {
    var completions: [BusCompletion] = []
    var messages: [(message: [UInt8], source: BusEndpoint)] = []
    var onMessage: (([UInt8], BusEndpoint) -> Void)?
    var onCompletion: ((BusCompletion) -> Void)?
    var issuing = false
    var reentrantCompletions = 0

    func busOperationCompleted(_ completion: BusCompletion) {
        if issuing { reentrantCompletions += 1 }
        completions.append(completion)
        onCompletion?(completion)
    }

    func busMessageReceived(_ message: [UInt8], from source: BusEndpoint) {
        messages.append((message, source))
        onMessage?(message, source)
    }

    /// Runs `body` with `issuing` set.
    func issue(_ body: () throws -> Void) rethrows {
        issuing = true
        defer { issuing = false }
        try body()
    }

    var statuses: [BusStatus] { completions.map(\.status) }
    var tags: [UInt64] { completions.map(\.tag) }
}

/// Deterministic non-trivial bytes.
func busPattern(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
}
