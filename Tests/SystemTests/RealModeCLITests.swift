import Foundation
import Testing

/// `iofabric serve` / `client` / `run --backend real` on a real-mode topology: the file is
/// checked with the scenarios' precise errors (file, JSON path, what was expected); without an
/// RDMA device each command says the one line it says today and exits 1. (In the VM, with
/// devices, `RealModeValidationTests` runs the topology for real.)
@Suite("Real mode on the command line")
struct RealModeCLITests {
    static let validation = packageRoot.appendingPathComponent("Scenarios/real/validation.json").path
    static let bandwidth = packageRoot.appendingPathComponent("Scenarios/real/bandwidth.json").path
    static let oneLineReasons = [
        "libibverbs not found (install Debian's libibverbs1 and ibverbs-providers)",
        "no RDMA devices found (see README: real-hardware mode)",
    ]
    static var hasDevices: Bool { FileManager.default.fileExists(atPath: "/dev/infiniband") }

    /// A temporary file holding `text`.
    static func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("real-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("without a device: serve, client and run --backend real each print one line and exit 1", arguments: [
        ["serve", validation], ["client", validation, "--name", "c0"], ["run", "--backend", "real", validation],
        ["serve", bandwidth],
    ])
    func oneLineWithoutDevices(_ arguments: [String]) throws {
        guard !Self.hasDevices else {
            print("real-mode one-line test skipped: this machine has /dev/infiniband")
            return
        }
        let run = try runTool(arguments)
        #expect(run.status == 1)
        #expect(run.standardOutput.isEmpty)
        #expect(Self.oneLineReasons.contains(run.standardError.trimmingCharacters(in: .newlines)), "\(run.standardError)")
        #expect(run.standardError.split(separator: "\n").count == 1)
    }

    @Test("an invalid topology: every mistake with the file, its JSON path and what was expected; exit 2")
    func invalidTopology() throws {
        let path = try Self.file("""
            {"name": "bad", "target": {"luns": ["/dev/sg0"], "rtas": 0, "maxTransfer": "1000"},
             "clients": [{"name": "c0", "duration": "3 parsecs", "readPercnt": 50},
                         {"name": "c1", "duration": "1s", "blockSize": "1MiB"}]}
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try runTool(["serve", path])
        #expect(run.status == 2)
        let text = run.standardError
        #expect(text.contains(path))
        #expect(text.contains("$.target.rtas") && text.contains("an integer from 1 to 16"), "\(text)")
        #expect(text.contains("$.clients[0].duration") && text.contains("a duration"), "\(text)")
        #expect(text.contains("$.clients[0].readPercnt") && text.contains("readPercent"), "\(text)")
    }

    @Test("sizes checked after the walk: maxTransfer a multiple of 512, blockSize at most maxTransfer, the pool one transfer per RTA")
    func sizeRules() throws {
        let path = try Self.file("""
            {"name": "sizes", "target": {"luns": ["/dev/sg0"], "rtas": 2, "dataPool": "256KiB", "maxTransfer": "256KiB"},
             "clients": [{"name": "c0", "duration": "1s", "blockSize": "512KiB"}, {"name": "c0", "duration": "1s"}]}
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try runTool(["client", path])
        #expect(run.status == 2)
        let text = run.standardError
        // 2 RTAs × 256 KiB = 524288 bytes of pool needed.
        #expect(text.contains("$.target.dataPool") && text.contains("\(2 * 256 * 1024)"), "\(text)")
        #expect(text.contains("$.clients[0].blockSize") && text.contains("at most the target's maxTransfer"), "\(text)")
        #expect(text.contains("$.clients[1].name") && text.contains("used twice"), "\(text)")
    }

    @Test("the bundled real-mode topologies are valid, and kept out of the bundled scenarios (iofabric list)")
    func bundledTopologies() throws {
        let list = try runTool(["list", "--directory", packageRoot.appendingPathComponent("Scenarios").path])
        #expect(list.status == 0)
        #expect(!list.standardOutput.contains("real/"), "\(list.standardOutput)")
        // serve checks the file before the devices: a valid file gets as far as the device check.
        for file in [Self.validation, Self.bandwidth] where !Self.hasDevices {
            let run = try runTool(["serve", file])
            #expect(run.status == 1, "\(file): \(run.standardError)")
        }
    }
}
