// swift-tools-version:6.0
//
// iofabric: a deterministic discrete-event simulator of a storage fabric (PCI buses,
// InfiniBand HCAs, switched fabrics, SCSI/ATA disks in dual-ported shelves) whose agents
// run unchanged against simulated devices or against real libibverbs / SG_IO devices.
//
// The layering (see ../shared/ARCHITECTURE.md and README.md):
//
//   iofabric (CLI) ──> Scenario ──> Agents ──> Hardware (protocols + value types)
//        │               └──> Reports                ▲           ▲
//        └──────────────────────────────────> SimHardware   RealHardware ──> CIOFabric (C)
//                                                 │
//                                              SimCore (event kernel)
//   Timebase (time, stable hashing, seeded random streams) sits under SimCore and Hardware.
//
// The one rule: `Agents` depends on `Hardware` and nothing else. `LayeringTests` enforces it.

import PackageDescription

/// Settings every Swift target shares: Swift 6 language mode is the package default;
/// `-enforce-exclusivity=checked` stays on (the default) so access violations trap.
let swiftSettings: [SwiftSetting] = []

/// The simulated hot paths (devices, agents, the scenario's checkers): dynamic exclusivity checks
/// stay on in debug builds, where every test runs, and are off in release builds, which is what
/// benchmarks and long sweeps use: they cost a fifth of a whole scenario's speed (`iofabric bench
/// scenario`, measured with perf: `swift_beginAccess` and its thread-local look-ups).
let hotPathSettings: [SwiftSetting] = swiftSettings + [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

let package = Package(
    name: "iofabric",
    products: [
        .executable(name: "iofabric", targets: ["iofabric"]),
    ],
    targets: [
        // Virtual/monotonic time, stable hashing, seeded random streams. No Foundation.
        .target(name: "Timebase", swiftSettings: swiftSettings),
        // The discrete-event kernel: event queue, dispatch, timers, run control, trace digest.
        // Dynamic exclusivity checks are off in this one module: the kernel's state is private,
        // touched by one thread, and `run` refuses re-entry, while the checks cost a third of
        // its speed (PHOLD 10.9 → 15.6 M events/s measured here). Static checks stay on.
        .target(
            name: "SimCore", dependencies: ["Timebase"],
            swiftSettings: swiftSettings + [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        // The device interfaces agents program against: runtime, verbs, SCSI generic, bus, NVRAM.
        .target(name: "Hardware", dependencies: ["Timebase"], swiftSettings: hotPathSettings),
        // The simulated devices, in virtual time (filled by the interconnect and storage issues).
        .target(name: "SimHardware", dependencies: ["SimCore", "Hardware"], swiftSettings: hotPathSettings),
        // The small C target for libibverbs and SG_IO: builds without rdma-core (dlopen).
        .target(name: "CIOFabric", cSettings: [.define("_GNU_SOURCE")], linkerSettings: [.linkedLibrary("dl")]),
        // The real backend: real-time loop, verbs over libibverbs, SG_IO.
        .target(name: "RealHardware", dependencies: ["Hardware", "CIOFabric"], swiftSettings: swiftSettings),
        // UMA, CTA, RTA, DDM, TTS, cluster connection manager, failover monitor.
        // Depends on Hardware ONLY: that is what makes the backend switch real.
        .target(name: "Agents", dependencies: ["Hardware"], swiftSettings: hotPathSettings),
        // Scenario files → validated model → topology on a backend, workloads, faults, checks.
        .target(
            name: "Scenario",
            dependencies: ["Agents", "Hardware", "SimHardware", "RealHardware", "SimCore", "Reports"],
            swiftSettings: hotPathSettings),
        // Metrics, histograms and report writers.
        .target(name: "Reports", dependencies: ["Timebase"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "iofabric",
            dependencies: ["SimCore", "SimHardware", "Scenario", "Reports", "RealHardware", "Timebase"],
            swiftSettings: swiftSettings),

        .testTarget(name: "TimebaseTests", dependencies: ["Timebase"]),
        .testTarget(name: "SimCoreTests", dependencies: ["SimCore", "Timebase"]),
        .testTarget(name: "HardwareTests", dependencies: ["Hardware"]),
        .testTarget(name: "SimHardwareTests", dependencies: ["SimHardware", "SimCore", "Hardware"]),
        .testTarget(
            name: "RealHardwareTests",
            dependencies: ["RealHardware", "Hardware", "Agents", "AgentTestDoubles", "SimHardware", "SimCore", "Timebase"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports"]),
        // The agents, unit by unit: against test doubles of the Hardware interfaces and against
        // the simulated devices (the same code the real backend runs).
        // Agent test doubles shared by the agents tests and the real-hardware tests.
        .target(name: "AgentTestDoubles", dependencies: ["Agents", "Hardware"], path: "Tests/AgentTestDoubles"),
        .testTarget(name: "AgentsTests", dependencies: ["Agents", "AgentTestDoubles", "Hardware", "SimHardware", "SimCore", "Timebase"]),
        .testTarget(name: "ScenarioTests", dependencies: ["Scenario", "Timebase"], exclude: ["Invalid"]),
        // Whole-system properties: layering, determinism across processes, the CLI contract.
        // They run the built `iofabric` executable, so they depend on it being built.
        .testTarget(name: "SystemTests", dependencies: ["iofabric"]),
    ]
)
