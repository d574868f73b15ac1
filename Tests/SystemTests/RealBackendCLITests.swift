import Foundation
import Testing

/// `iofabric run --backend real`: until the real-mode topology exists (issue #8 item 4) it must
/// say in exactly one line why it cannot run here, and exit 1.
@Suite("iofabric run --backend real")
struct RealBackendCLITests {
    /// The three lines it may print: which one depends on the machine (libibverbs installed?
    /// RDMA devices present, as in the validation VM?).
    static let libraryMissing = "libibverbs not found (install Debian's libibverbs1 and ibverbs-providers)"
    static let noDevices = "no RDMA devices found (see README: real-hardware mode)"
    static let topologyPrefix = "real-mode topology not built yet (issue #8, item 4); RDMA devices found: "

    @Test("one clear line on standard error, nothing on standard output, exit status 1")
    func oneLine() throws {
        let scenario = packageRoot.appendingPathComponent("Scenarios/quickstart.json").path
        let run = try runTool(["run", scenario, "--backend", "real"])
        #expect(run.status == 1)
        #expect(run.standardOutput.isEmpty)
        let lines = run.standardError.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "exactly one line: \(run.standardError)")
        let line = String(lines.first ?? "")
        #expect(line == Self.libraryMissing || line == Self.noDevices || line.hasPrefix(Self.topologyPrefix), "\(line)")
        // Without the kernel's RDMA device nodes there can be no device to list.
        if !FileManager.default.fileExists(atPath: "/dev/infiniband") {
            #expect(!line.hasPrefix(Self.topologyPrefix))
        }
    }

    @Test("--backend takes sim or real only (usage error, exit 64)")
    func badBackend() throws {
        let run = try runTool(["run", "Scenarios/quickstart.json", "--backend", "fpga"])
        #expect(run.status == 64)
        #expect(run.standardError.contains("expected sim or real"))
    }
}
