import Hardware
import SimCore
import Timebase

/// The fabric benchmark behind `iofabric bench fabric`: K clients and one target on one
/// switch, 4X SDR links (8 Gb/s data) with 100 ns propagation (20 m of cable), RDMA WRITE
/// middle packets of 2048 payload bytes (2074 bytes on the wire: LRH, BTH, ICRC, VCRC).
///
/// Forward: each client streams to the target at 1/K of the target link's packet rate (one
/// packet per K × 2074 ns), so the target link runs full and the switch's output to it
/// arbitrates among K inputs. Reverse: the target streams to the clients in turn at its
/// link's full rate. Credits, VLs (client i uses SL i mod 16) and real header sizes are all
/// in play; sinks release at once.
public enum InfiniBandBenchmark {
    public struct Configuration: Sendable, Equatable {
        public var clients: Int
        public var duration: TimeSpan
        public var reverse: Bool
        public var seed: UInt64

        public init(clients: Int = 8, duration: TimeSpan = .milliseconds(50), reverse: Bool = false, seed: UInt64 = 1) {
            self.clients = clients
            self.duration = duration
            self.reverse = reverse
            self.seed = seed
        }
    }

    public struct Result: Sendable, Equatable {
        /// Packets delivered intact to endpoints.
        public var packetsDelivered: Int
        /// Payload bytes delivered.
        public var payloadBytes: Int
        public var events: UInt64
        public var simulatedTime: Instant
        public var traceDigest: StableDigest
        /// Packets dropped (zero: nothing may drop without faults).
        public var drops: Int
        /// Time the switch's output to the target (forward) or the target (reverse) stalled on credits.
        public var creditStallTime: TimeSpan
    }

    /// A built benchmark, ready to ``run()`` (building is kept out of the timed part).
    public final class Rig {
        public let configuration: Configuration
        let simulator: Simulator
        let fabric: InfiniBandFabric
        let generators: [TrafficGenerator]
        let sinks: [TrafficSink]
        let stalled: InfiniBandPortAttachment?
        let targetSwitchPort: Int

        public init(_ configuration: Configuration) {
            precondition(configuration.clients >= 1 && configuration.clients <= 253)
            self.configuration = configuration
            let simulator = Simulator(seed: configuration.seed)
            let link = InfiniBandLinkConfiguration(width: .x4, speed: .sdr, propagationDelay: .nanoseconds(100))
            let fabric = InfiniBandFabric(
                name: "ib0", simulator: simulator, configuration: InfiniBandConfiguration(defaultLink: link))
            let k = configuration.clients
            let sw = try! fabric.addSwitch(named: "sw0", portCount: k + 1)
            let wire = 2048 + 26
            let packetTime = TimeSpan.transmission(bytes: wire, bitsPerSecond: link.dataRate)
            var generators: [TrafficGenerator] = []
            var sinks: [TrafficSink] = []
            var clientPorts: [InfiniBandPortAttachment] = []
            let targetPort: InfiniBandPortAttachment
            if configuration.reverse {
                let target = TrafficGenerator(name: "target", simulator: simulator)
                targetPort = fabric.attachEndpoint(named: "target", endpoint: target, portGUID: GUID(rawValue: 0x100))
                target.attachment = targetPort
                target.interval = packetTime
                generators.append(target)
                for index in 0..<k {
                    let sink = TrafficSink(name: "client\(index)", simulator: simulator)
                    let port = fabric.attachEndpoint(
                        named: "client\(index)", endpoint: sink, portGUID: GUID(rawValue: 0x200 + UInt64(index)))
                    sink.attachment = port
                    sinks.append(sink)
                    clientPorts.append(port)
                }
                target.destinations = clientPorts
            } else {
                let sink = TrafficSink(name: "target", simulator: simulator)
                targetPort = fabric.attachEndpoint(named: "target", endpoint: sink, portGUID: GUID(rawValue: 0x100))
                sink.attachment = targetPort
                sinks.append(sink)
                for index in 0..<k {
                    let client = TrafficGenerator(name: "client\(index)", simulator: simulator, serviceLevel: UInt8(index % 16))
                    let port = fabric.attachEndpoint(
                        named: "client\(index)", endpoint: client, portGUID: GUID(rawValue: 0x200 + UInt64(index)))
                    client.attachment = port
                    client.destinations = [targetPort]
                    client.interval = packetTime * Int64(k)
                    generators.append(client)
                    clientPorts.append(port)
                }
            }
            for (index, port) in clientPorts.enumerated() {
                try! fabric.connect(.endpoint(port), .switchPort(sw, index + 1), named: "client\(index)-sw0")
            }
            try! fabric.connect(.switchPort(sw, k + 1), .endpoint(targetPort), named: "sw0-target")
            fabric.addSubnetManager(at: targetPort)
            self.simulator = simulator
            self.fabric = fabric
            self.generators = generators
            self.sinks = sinks
            stalled = configuration.reverse ? targetPort : nil
            targetSwitchPort = k + 1
            fabric.start()
            for generator in generators {
                generator.stopTime = .zero + configuration.duration
                generator.start()
            }
        }

        /// Runs the benchmark to its simulated duration.
        public func run() -> Result {
            simulator.run(until: .zero + configuration.duration)
            let stall =
                stalled.map { fabric.statistics(of: $0).creditStallTime }
                ?? fabric.statistics(ofSwitch: SwitchID(index: 0), port: targetSwitchPort).creditStallTime
            return Result(
                packetsDelivered: fabric.deliveredPackets, payloadBytes: sinks.reduce(0) { $0 + $1.payloadBytes },
                events: simulator.executedEvents, simulatedTime: simulator.now, traceDigest: simulator.traceDigest,
                drops: fabric.drops.total, creditStallTime: stall)
        }
    }
}
