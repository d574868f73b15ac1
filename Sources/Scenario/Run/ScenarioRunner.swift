import Agents
import Hardware
import Reports
import SimCore
import SimHardware
import Timebase

/// What one run of a scenario produced: the report and the trace.
public struct ScenarioOutcome {
    public var report: RunReport
    public var trace: ChromeTrace
    /// One capture per fabric, in the topology's order, when the run was asked to capture.
    public var captures: [PacketCapture] = []
}

/// Builds a scenario on the simulator, runs it, checks its expectations, and reports.
public enum ScenarioRunner {
    /// How many I/O spans a run's trace keeps per workload (a trace must stay loadable).
    public static let traceSpanLimit = 20_000

    /// Runs `definition` with `seed` (default: the scenario's) for `duration` (default: the
    /// scenario's), capturing every fabric's packets when `capture` names the link type of an
    /// InfiniBand capture (Ethernet fabrics always capture RoCE v2 frames). Deterministic: the same scenario and seed give the same report and digest.
    ///
    /// - Throws: ``ScenarioErrors`` when the scenario uses a part that cannot be run yet.
    public static func run(
        _ definition: ScenarioDefinition, seed: UInt64? = nil, duration: TimeSpan? = nil, capture: PcapWriter.LinkType? = nil,
        progress: ((Instant) -> Void)? = nil
    ) throws(ScenarioErrors) -> ScenarioOutcome {
        try run(definition, seed: seed, duration: duration, capture: capture, progress: progress, inspect: nil)
    }

    /// What a test may look at, and poke, in a built run: before it starts and after it ends.
    struct Inspection {
        var afterBuild: (SimulatedTopology, TargetAssembly) -> Void = { _, _ in }
        var afterRun: (SimulatedTopology, TargetAssembly) -> Void = { _, _ in }
    }

    static func run(
        _ definition: ScenarioDefinition, seed: UInt64?, duration: TimeSpan?, capture: PcapWriter.LinkType? = nil,
        progress: ((Instant) -> Void)?, inspect: Inspection?
    ) throws(ScenarioErrors) -> ScenarioOutcome {
        let seed = seed ?? definition.seed
        // With a liveness phase the run is the safety phase (`duration`, faults and all), then
        // the liveness phase (every fault healed at its start; every workload must progress).
        let safetyEnd = Instant.zero + (duration ?? definition.duration)
        let duration = (duration ?? definition.duration) + (definition.liveness ?? .zero)
        let simulator = Simulator(seed: seed)
        let topology: SimulatedTopology
        do {
            topology = try SimulatedTopology(definition.topology, simulator: simulator)
        } catch {
            throw ScenarioErrors([ScenarioIssue(file: definition.file, path: error.path, message: error.message)])
        }
        for fault in definition.faults where fault.action.targetKind == .link && topology.cable(ofAdapter: fault.target) == nil {
            throw ScenarioErrors([ScenarioIssue(file: definition.file, path: fault.path + ".target",
                                                message: "adapter \"\(fault.target)\" has no cable: it is alone on its fabric")])
        }
        let end = Instant.zero + duration
        let interval = Self.seriesInterval(for: duration)

        let assembly: TargetAssembly
        do {
            assembly = try TargetAssembly(topology: topology, workloads: definition.workloads, interval: interval, end: end)
        } catch {
            throw ScenarioErrors([ScenarioIssue(file: definition.file, path: error.path, message: error.message)])
        }

        var loads: [LocalLoad] = []
        do {
            for workload in definition.workloads where workload.kind != .block {
                loads.append(try LocalLoad.start(workload, on: topology, interval: interval, end: end))
            }
        } catch {
            throw ScenarioErrors([ScenarioIssue(file: definition.file, path: error.path, message: error.message)])
        }

        var schedule = FaultSchedule(
            definition: definition, topology: topology, simulator: simulator, healAt: definition.liveness == nil ? nil : safetyEnd)
        schedule.install(systems: assembly)
        let captures = capture.map { linkType in topology.fabrics.map { $0.capture(infiniBandLinkType: linkType) } } ?? []
        inspect?.afterBuild(topology, assembly)

        // Run in slices so a progress callback can follow simulated time.
        let slice = max(TimeSpan.milliseconds(10), TimeSpan(picoseconds: duration.picoseconds / 100))
        var now = Instant.zero
        var completedAtSafetyEnd: [Int]?
        while now < end {
            now = min(end, now + slice)
            if definition.liveness != nil, completedAtSafetyEnd == nil, now >= safetyEnd {
                now = safetyEnd
                simulator.run(until: now)
                completedAtSafetyEnd = Self.completedIOs(loads, assembly)
            }
            simulator.run(until: now)
            progress?(now)
        }

        inspect?.afterRun(topology, assembly)
        var report = RunReport(
            scenario: definition.name, description: definition.description, seed: seed,
            simulatedDuration: duration, eventCount: simulator.executedEvents, traceDigest: simulator.traceDigest.hex)
        var metrics = RunMetrics()
        for load in loads {
            Self.add(load.definition.name, totals: load.totals(), recorder: load.recorder, activeSeconds: load.activeSeconds,
                     to: &report, metrics: &metrics)
            if let problem = load.problem() { report.problems.append("\(load.definition.name): \(problem)") }
        }
        for session in assembly.sessions {
            let name = session.workload.name
            Self.add(name, totals: session.totals, recorder: session.recorder, activeSeconds: session.activeSeconds,
                     to: &report, metrics: &metrics)
            for stage in session.stages { report.latencies[name + ".stage." + stage.name] = stage.histogram }
            if let problem = session.problem { report.problems.append("\(name): \(problem)") }
            if session.generator == nil && session.problem == nil {
                report.problems.append("\(name): the client never connected to \(session.targetName)")
            }
        }
        report.problems += assembly.failures + (assembly.watch?.problems ?? [])
        if let before = completedAtSafetyEnd {
            let names = loads.map(\.definition.name) + assembly.sessions.map(\.workload.name)
            let progress = zip(Self.completedIOs(loads, assembly), before).map { $0 - $1 }
            for (name, count) in zip(names, progress) {
                metrics.setCount(name + ".livenessIOs", count)
                if count == 0 {
                    report.problems.append("\(name): no I/O completed in the liveness phase (faults healed at \(Quantity.text(safetyEnd - .zero)))")
                }
            }
            metrics.setCount("livenessIOs", progress.reduce(0, +))
            metrics.setCount("livenessStalls", progress.filter { $0 == 0 }.count)
        }
        let totalsRecorders = loads.map(\.recorder) + assembly.sessions.map(\.recorder)
        metrics.addTotals(
            diskTotals: loads.map { $0.totals() } + assembly.sessions.map(\.totals), recorders: totalsRecorders,
            activeSeconds: loads.map(\.activeSeconds) + assembly.sessions.map(\.activeSeconds))
        if !assembly.targets.isEmpty { assembly.addMetrics(to: &metrics) }
        assembly.watch?.addMetrics(to: &metrics)
        report.metrics = metrics.values
        report.utilisations = Self.utilisations(topology, elapsed: duration)
        report.timeline = (schedule.timeline + (assembly.watch?.timeline ?? [])).sorted { $0.time < $1.time }
        for expectation in definition.expectations {
            let result = metrics.evaluate(expectation)
            report.expectations.append(result)
        }
        return ScenarioOutcome(report: report, trace: Self.trace(totalsRecorders, schedule: schedule), captures: captures)
    }

    /// I/Os each workload has completed (successfully or not), loads first, then sessions.
    private static func completedIOs(_ loads: [LocalLoad], _ assembly: TargetAssembly) -> [Int] {
        (loads.map { $0.totals() } + assembly.sessions.map(\.totals)).map { $0.reads + $0.writes }
    }

    /// One workload's metrics, latency histograms and time series, under its name.
    private static func add(
        _ name: String, totals: DiskLoadTotals, recorder: WorkloadRecorder, activeSeconds: Double, to report: inout RunReport,
        metrics: inout RunMetrics
    ) {
        metrics.addDiskWorkload(name, totals: totals, recorder: recorder, activeSeconds: activeSeconds)
        report.latencies[name + ".read"] = recorder.readLatency
        report.latencies[name + ".write"] = recorder.writeLatency
        report.series[name + ".throughput"] = recorder.throughput
        report.series[name + ".iops"] = recorder.iops
        report.series[name + ".latency"] = recorder.latencyOverTime
    }

    /// About 100 points over the run, in a round number of milliseconds (at least 1 ms).
    static func seriesInterval(for duration: TimeSpan) -> TimeSpan {
        let milliseconds = max(1, duration.picoseconds / 100 / 1_000_000_000)
        return .milliseconds(milliseconds)
    }

    private static func utilisations(_ topology: SimulatedTopology, elapsed: TimeSpan) -> [ComponentUtilisation] {
        var result: [ComponentUtilisation] = []
        for node in topology.nodes {
            let bytes = (0..<node.controllers.count).reduce(0) { $0 + node.controllers[$1].controller.statistics.dmaBytes }
            result.append(ComponentUtilisation(name: node.bus.name, kind: .pci, utilisation: node.bus.utilization, bytes: UInt64(bytes)))
        }
        for system in topology.systems {
            result.append(ComponentUtilisation(name: system.bus.name, kind: .pci, utilisation: system.bus.utilization, bytes: 0))
            for node in system.storageNodes {
                result.append(ComponentUtilisation(name: node.bus.name, kind: .pci, utilisation: node.bus.utilization, bytes: 0))
            }
        }
        for shelf in topology.shelves {
            for loop in shelf.shelf.loops {
                result.append(ComponentUtilisation(
                    name: loop.name, kind: .loop, utilisation: loop.statistics.utilisation(over: elapsed),
                    bytes: UInt64(loop.statistics.dataBytes)))
            }
            for disk in shelf.disks {
                result.append(ComponentUtilisation(
                    name: disk.name, kind: .disk, utilisation: disk.statistics.utilisation(over: elapsed),
                    bytes: UInt64(disk.statistics.bytesRead + disk.statistics.bytesWritten)))
            }
        }
        return result
    }

    private static func trace(_ recorders: [WorkloadRecorder], schedule: FaultSchedule) -> ChromeTrace {
        var trace = ChromeTrace()
        for recorder in recorders {
            let tracks = recorder.deviceNames.map { trace.track(process: "disks", thread: $0) }
            for span in recorder.spans {
                let name = (span.isRead ? "read" : "write") + (span.outcome == .success ? "" : " (\(span.outcome))")
                trace.complete(name, category: recorder.name, on: tracks[span.device], start: span.submitted, duration: span.latency)
            }
        }
        let faults = trace.track(process: "faults", thread: "schedule")
        for entry in schedule.timeline {
            trace.instant(entry.text, category: "fault", on: faults, at: entry.time)
        }
        return trace
    }
}
