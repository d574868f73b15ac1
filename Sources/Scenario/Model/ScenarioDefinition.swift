import Foundation
import Timebase

/// A scenario file, read and checked: what `iofabric run` builds and runs.
public struct ScenarioDefinition: Sendable {
    /// The file it came from, as named.
    public var file: String
    public var name: String
    public var description: String
    public var seed: UInt64
    public var duration: TimeSpan
    public var topology: TopologyDefinition
    public var workloads: [WorkloadDefinition]
    public var faults: [FaultDefinition]
    public var expectations: [Expectation]
    /// The liveness phase after ``duration`` (TigerBeetle's split: safety with faults, then
    /// liveness with them healed); nil: no liveness phase.
    public var liveness: TimeSpan? = nil

    /// Reads and checks the scenario at `path`.
    ///
    /// - Throws: ``ScenarioErrors`` naming the file, the JSON path and what was expected,
    ///   for every problem found: a file that cannot be read, JSON syntax, unknown or missing
    ///   members, wrong types, and references that do not resolve.
    public static func load(path: String) throws(ScenarioErrors) -> ScenarioDefinition {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ScenarioErrors([ScenarioIssue(file: path, path: "(file)", message: "cannot be read: \(Self.reason(error))")])
        }
        return try parse(data, file: path)
    }

    /// Checks a scenario given as bytes; `file` names it in messages.
    public static func parse(_ data: Data, file: String) throws(ScenarioErrors) -> ScenarioDefinition {
        let root = try JSONNode.parse(data, file: file)
        var walker = SchemaWalker(file: file)
        guard case .object(let members) = root else {
            walker.issue("$", "expected an object (scenario); found \(root.summary)")
            throw ScenarioErrors(walker.issues)
        }
        guard let object = walker.walkObject(members, as: ScenarioFormat.scenarioSpec, at: "$") else {
            throw ScenarioErrors(walker.issues)
        }
        let workloads = object.objects("workloads").map(WorkloadDefinition.init)
        var expectations: [Expectation] = []
        for (index, text) in object.strings("expectations").enumerated() {
            switch Expectation.parse(text, workloads: workloads.map(\.name)) {
            case .success(let expectation): expectations.append(expectation)
            case .failure(let error):
                walker.issue("$.expectations[\(index)]", error.message, suggestion: error.suggestion)
            }
        }
        let definition = ScenarioDefinition(
            file: file, name: object.string("name")!, description: object.string("description") ?? "",
            seed: UInt64(object.integer("seed")!), duration: object.duration("duration")!,
            topology: TopologyDefinition(object.object("topology")!), workloads: workloads,
            faults: object.objects("faults").map(FaultDefinition.init), expectations: expectations,
            liveness: object.duration("liveness"))
        var checker = ScenarioChecker(definition: definition, walker: walker)
        checker.check()
        guard checker.walker.issues.isEmpty else { throw ScenarioErrors(checker.walker.issues) }
        return definition
    }

    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
            let code = POSIXErrorCode(rawValue: Int32(underlying.code))
        {
            return String(cString: strerror(code.rawValue))
        }
        if nsError.domain == NSCocoaErrorDomain && nsError.code == NSFileReadNoSuchFileError { return "no such file" }
        return nsError.localizedDescription
    }
}
