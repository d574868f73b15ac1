import Agents
import Foundation
import RealHardware
import Timebase

/// A real-mode topology: which processes play which role on real devices. One `iofabric
/// serve` process is the host storage node (UMA, CTA, TTS and RTAs on the in-process bus,
/// serving sg devices through SG_IO); each `iofabric client` process is one client initiator
/// with a verified block load. They meet through the ``bootstrap`` folder, where the target
/// writes the management endpoint real verbs chose for it (``RealBootstrap``).
public struct RealTopology: Sendable {
    /// The storage target's part.
    public struct Target: Sendable {
        public var name: String
        /// The sg devices served, in LUN order.
        public var luns: [String]
        public var rtas: Int
        public var dataPoolBytes: Int
        public var maxTransferBytes: Int
        public var sgQueueDepth: Int
        public var sgWorkers: Int
    }

    /// One client process.
    public struct Client: Sendable {
        public var name: String
        /// Where the client is in the file, for messages.
        public var path: String
        /// In a cluster: the system whose client it is (nil: the first).
        public var target: String?
        public var duration: TimeSpan
        public var luns: [UInt16]?
        public var readPercent: Int
        public var blockSize: Int
        public var queueDepth: Int
        public var pattern: DiskLoad.Pattern
        public var workingSet: Int64?
        public var rate: Double?
        public var thinkTime: TimeSpan
        public var timeout: TimeSpan
        public var verify: Bool
        public var zeroFirst: Bool

        /// The fio-like load, issuing from `start` for ``duration``.
        public func load(start: Instant) -> DiskLoad {
            DiskLoad(
                readPercent: readPercent, blockSize: blockSize, queueDepth: queueDepth, pattern: pattern,
                workingSet: workingSet, rate: rate, thinkTime: thinkTime, start: start, stop: start + duration,
                timeout: timeout, verify: verify)
        }
    }

    public var file: String
    public var name: String
    public var description: String
    public var seed: UInt64
    /// The file's device selection (the command line may override it).
    public var device: RealDeviceSelection
    /// Where the processes exchange endpoints.
    public var bootstrap: String
    public var startTimeout: TimeSpan
    /// The storage target; in a cluster file, the first system's (see ``cluster``).
    public var target: Target
    /// The HA pair, in a cluster file.
    public var cluster: Cluster?
    public var clients: [Client]
    /// Whether `run --backend real` starts the clients one after another (else together).
    public var clientsOneAfterAnother: Bool

    /// Where `run --backend real` writes its report: `Reports/<name>-real`.
    public var reportDirectory: String { "Reports/\(name)-real" }

    public func client(named name: String) -> Client? { clients.first { $0.name == name } }

    /// Reads and checks the file at `path`.
    ///
    /// - Throws: every issue found, each naming the file, the JSON path and what was expected.
    public static func load(path: String) throws(ScenarioErrors) -> RealTopology {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file"
            throw ScenarioErrors([ScenarioIssue(file: path, path: "(file)", message: reason)])
        }
        return try parse(data, file: path)
    }

    /// Checks a topology given as bytes; `file` names it in messages.
    public static func parse(_ data: Data, file: String) throws(ScenarioErrors) -> RealTopology {
        let root = try JSONNode.parse(data, file: file)
        var walker = SchemaWalker(file: file)
        guard case .object(let members) = root else {
            walker.issue("$", "expected an object (real topology); found \(root.summary)")
            throw ScenarioErrors(walker.issues)
        }
        guard let object = walker.walkObject(members, as: RealTopologyFormat.topologySpec, at: "$") else {
            throw ScenarioErrors(walker.issues)
        }
        let name = object.string("name")!
        var device = RealDeviceSelection()
        if let selection = object.object("device") {
            device.deviceName = selection.string("name")
            device.port = UInt8(selection.integer("port")!)
            device.gidIndex = selection.integer("gidIndex").map { Int($0) }
        }
        let target: Target
        var cluster: Cluster?
        switch (object.object("target"), object.object("cluster")) {
        case (let targetObject?, nil):
            target = Self.target(targetObject, name: targetObject.string("name")!, walker: &walker)
        case (nil, let clusterObject?):
            let parsed = Self.cluster(clusterObject, walker: &walker)
            cluster = parsed
            target = parsed.systems[0].target
        case (.some, .some):
            walker.issue("$.cluster", "expected either a target or a cluster, not both")
            throw ScenarioErrors(walker.issues)
        case (nil, nil):
            walker.issue("$", "expected a member \"target\" (one storage target) or \"cluster\" (an HA pair)")
            throw ScenarioErrors(walker.issues)
        }
        var clients: [Client] = []
        for item in object.objects("clients") {
            let client = Client(
                name: item.string("name")!, path: item.path, target: item.string("target"), duration: item.duration("duration")!,
                luns: item.has("luns") ? item.luns("luns") : nil, readPercent: Int(item.integer("readPercent")!),
                blockSize: Int(item.size("blockSize")!), queueDepth: Int(item.integer("queueDepth")!),
                pattern: item.string("pattern") == "sequential" ? .sequential : .random, workingSet: item.size("workingSet"),
                rate: item.number("rate"), thinkTime: item.duration("thinkTime")!, timeout: item.duration("timeout")!,
                verify: item.boolean("verify")!, zeroFirst: item.boolean("zeroFirst")!)
            var itsTarget = target
            if let name = client.target {
                if let cluster, let system = cluster.system(named: name) {
                    itsTarget = system.target
                } else if let cluster {
                    walker.issue(item.path("target"), "expected one of the cluster's systems (\(cluster.systems.map { "\"\($0.name)\"" }.joined(separator: ", "))); found \"\(name)\"")
                } else {
                    walker.issue(item.path("target"), "expected no target in a file without a cluster (the clients use the file's target)")
                }
            }
            if client.blockSize < 512 || client.blockSize % 512 != 0 {
                walker.issue(item.path("blockSize"), "expected a multiple of 512 bytes; found \(client.blockSize)")
            } else if client.blockSize > itsTarget.maxTransferBytes {
                walker.issue(
                    item.path("blockSize"),
                    "expected at most the target's maxTransfer (\(itsTarget.maxTransferBytes) bytes); found \(client.blockSize)")
            }
            if client.duration <= .zero { walker.issue(item.path("duration"), "expected a positive duration") }
            if let set = client.workingSet, set < Int64(client.blockSize) {
                walker.issue(item.path("workingSet"), "expected at least one blockSize (\(client.blockSize) bytes); found \(set)")
            }
            if clients.contains(where: { $0.name == client.name }) {
                walker.issue(item.path("name"), "expected a client name unique in the file; \"\(client.name)\" is used twice")
            }
            clients.append(client)
        }
        guard walker.issues.isEmpty else { throw ScenarioErrors(walker.issues) }
        return RealTopology(
            file: file, name: name, description: object.string("description") ?? "", seed: UInt64(object.integer("seed")!),
            device: device, bootstrap: object.string("bootstrap") ?? "Reports/\(name)-real/bootstrap",
            startTimeout: object.duration("startTimeout")!, target: target, cluster: cluster, clients: clients,
            clientsOneAfterAnother: object.string("clientOrder") == "oneAfterAnother")
    }

    /// A target object's fields (a one-target file's `target`, or a cluster system).
    static func target(_ object: ObjectValue, name: String, walker: inout SchemaWalker) -> Target {
        let target = Target(
            name: name, luns: object.strings("luns"), rtas: Int(object.integer("rtas")!),
            dataPoolBytes: Int(object.size("dataPool")!), maxTransferBytes: Int(object.size("maxTransfer")!),
            sgQueueDepth: Int(object.integer("sgQueueDepth")!), sgWorkers: Int(object.integer("sgWorkers")!))
        if target.maxTransferBytes < 512 || target.maxTransferBytes % 512 != 0 {
            walker.issue(object.path("maxTransfer"), "expected a multiple of 512 bytes; found \(target.maxTransferBytes)")
        }
        if target.dataPoolBytes < target.maxTransferBytes * target.rtas {
            walker.issue(
                object.path("dataPool"),
                "expected at least maxTransfer × rtas = \(target.maxTransferBytes * target.rtas) bytes (each RTA's slice holds one transfer); found \(target.dataPoolBytes)")
        }
        return target
    }

    /// A client's target in a cluster: its ``Client/target`` or the first system; else the file's.
    public func target(of client: Client) -> Target {
        guard let cluster else { return target }
        return client.target.flatMap { cluster.system(named: $0)?.target } ?? cluster.systems[0].target
    }

    /// This topology as the process of cluster system `name` sees it: ``target`` is that
    /// system's (what a one-target process reads).
    public func asSystem(_ name: String) -> RealTopology? {
        guard let system = cluster?.system(named: name) else { return nil }
        var copy = self
        copy.target = system.target
        return copy
    }
}
