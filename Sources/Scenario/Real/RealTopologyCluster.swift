import Timebase

extension RealTopology {
    /// The HA pair of a real-mode cluster file: two systems, each a target process
    /// (`iofabric serve FILE --system NAME`) that reaches its partner's shelf too.
    public struct Cluster: Sendable {
        /// One partner.
        public struct System: Sendable {
            /// Its target: name, own LUNs as it sees them, RTAs, pool and transfer sizes.
            public var target: Target
            /// The same disks as ``Target/luns``, in the same order, as the partner sees them.
            public var lunsAtPartner: [String]
            public var name: String { target.name }
        }

        /// The fault `run --backend real` injects: SIGKILL to `system`, `after` the clients started.
        public struct Kill: Sendable {
            public var system: String
            public var after: TimeSpan
        }

        public var systems: [System]
        public var nvramBytes: Int
        public var nvramFolder: String
        public var heartbeatInterval: TimeSpan
        public var missedHeartbeats: Int
        public var slamConnectTimeout: TimeSpan
        public var mirror: Bool
        /// Write-behind's interval (nil: none), as the simulated cluster's `consistencyPoint`.
        public var consistencyPoint: TimeSpan?
        public var kill: Kill?

        public func system(named name: String) -> System? { systems.first { $0.name == name } }

        /// The cluster-wide LUN numbers of system `name`'s own LUNs: after those of the systems
        /// listed before it (as `TargetConfiguration.lunBase` numbers them).
        public func luns(of name: String) -> [UInt16] {
            let base = systems.prefix { $0.name != name }.reduce(0) { $0 + $1.target.luns.count }
            let count = system(named: name)?.target.luns.count ?? 0
            return (base..<base + count).map { UInt16($0) }
        }

        /// The other system.
        public func partner(of name: String) -> System? { systems.first { $0.name != name } }

        /// The NVRAM file of system `name` in ``nvramFolder``: `iofabric-<topology>-<system>.nvram`.
        public func nvramPath(topology: String, system name: String) -> String {
            nvramFolder + "/iofabric-" + topology + "-" + name + ".nvram"
        }
    }

    /// The `cluster` object's fields, checked.
    static func cluster(_ object: ObjectValue, walker: inout SchemaWalker) -> Cluster {
        var systems: [Cluster.System] = []
        let items = object.objects("systems")
        if items.count != 2 {
            walker.issue(object.path("systems"), "expected exactly 2 systems (an HA pair); found \(items.count)")
        }
        for item in items {
            let name = item.string("name")!
            let system = Cluster.System(target: target(item, name: name, walker: &walker), lunsAtPartner: item.strings("lunsAtPartner"))
            if system.lunsAtPartner.count != system.target.luns.count {
                walker.issue(
                    item.path("lunsAtPartner"),
                    "expected one partner path per LUN (\(system.target.luns.count), in the order of luns); found \(system.lunsAtPartner.count)")
            }
            if systems.contains(where: { $0.name == name }) {
                walker.issue(item.path("name"), "expected a system name unique in the cluster; \"\(name)\" is used twice")
            }
            systems.append(system)
        }
        // A path cannot be a system's own LUN and a partner path too (the fence would preempt itself).
        for system in systems {
            for (index, path) in system.lunsAtPartner.enumerated()
            where systems.contains(where: { $0.target.luns.contains(path) }) {
                walker.issue(
                    "\(object.path("systems"))[\(systems.firstIndex { $0.name == system.name }!)].lunsAtPartner[\(index)]",
                    "expected the partner's path to the disk, not a system's own LUN path (\"\(path)\")")
            }
        }
        var kill: Cluster.Kill?
        if let killObject = object.object("kill") {
            let victim = killObject.string("system")!
            kill = Cluster.Kill(system: victim, after: killObject.duration("after")!)
            if !systems.contains(where: { $0.name == victim }) {
                walker.issue(killObject.path("system"), "expected one of the cluster's systems (\(systems.map { "\"\($0.name)\"" }.joined(separator: ", "))); found \"\(victim)\"")
            }
        }
        let nvram = Int(object.size("nvram")!)
        // [assumption: 64 KiB, so each half holds the log header and a few 4 KiB records]
        if nvram < 64 << 10 || nvram % 4096 != 0 {
            walker.issue(object.path("nvram"), "expected a multiple of 4 KiB, at least 64 KiB (half the log, half the mirror); found \(nvram)")
        }
        let interval = object.duration("heartbeatInterval")!
        if interval <= .zero { walker.issue(object.path("heartbeatInterval"), "expected a positive duration") }
        if let point = object.duration("consistencyPoint"), point <= .zero {
            walker.issue(object.path("consistencyPoint"), "expected a positive duration")
        }
        let slam = object.duration("slamConnectTimeout")!
        if slam <= .zero { walker.issue(object.path("slamConnectTimeout"), "expected a positive duration") }
        return Cluster(
            systems: systems, nvramBytes: nvram, nvramFolder: object.string("nvramFolder")!, heartbeatInterval: interval,
            missedHeartbeats: Int(object.integer("missedHeartbeats")!), slamConnectTimeout: slam, mirror: object.boolean("mirror")!,
            consistencyPoint: object.duration("consistencyPoint"), kill: kill)
    }
}
