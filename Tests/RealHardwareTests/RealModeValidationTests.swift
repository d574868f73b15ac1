import Foundation
import RealHardware
import Testing

/// The real-mode validation run, where there are devices (the VM: `rxe0`, `/dev/sg0`):
/// `iofabric run --backend real Scenarios/real/validation.json` starts `iofabric serve` (the
/// UMA, CTA, TTS and an RTA serving /dev/sg0 through SG_IO) and `iofabric client` (the client
/// initiator with a verified random read/write load over RDMA) as two processes, and must pass
/// with every read verified by the integrity oracle. Elsewhere it skips, saying why.
@Suite("Real mode validation")
struct RealModeValidationTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The first RDMA device's name, or nil (with the reason printed) where there is none.
    static func rdmaDevice(_ test: String) -> String? {
        do {
            let names = try VerbsLibrary.shared().deviceNames()
            guard let first = names.first else {
                print("\(test): skipped: no RDMA devices found (runs in the VM on rxe0: Tests/VM/run.sh)")
                return nil
            }
            return first
        } catch {
            print("\(test): skipped: \(error)")
            return nil
        }
    }

    @Test("the validation topology passes on the RDMA device and /dev/sg0: every read verified, no error")
    func validationRun() throws {
        let test = "Real mode validation"
        guard let device = Self.rdmaDevice(test) else { return }
        guard FileManager.default.fileExists(atPath: "/dev/sg0") else {
            print("\(test): skipped: no /dev/sg0 (runs in the VM on scsi_debug: Tests/VM/run.sh)")
            return
        }
        let here = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        let executable = here.deletingLastPathComponent().appendingPathComponent("iofabric")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            Issue.record("\(executable.path) is not built (swift build --build-tests builds it)")
            return
        }
        // The bundled file, with its bootstrap folder in a fresh directory of the test's own.
        let directory = TestDirectory()
        defer { directory.remove() }
        let source = Self.packageRoot.appendingPathComponent("Scenarios/real/validation.json")
        var topology = try JSONSerialization.jsonObject(with: Data(contentsOf: source)) as! [String: Any]
        topology["bootstrap"] = directory.path + "/bootstrap"
        let file = directory.path + "/validation.json"
        try JSONSerialization.data(withJSONObject: topology).write(to: URL(fileURLWithPath: file))
        print("\(test) runs on \(device) and /dev/sg0")

        // Output to a file, not a pipe: the target and client processes must not hold a pipe
        // the test waits on. Bounded: the run takes ~10 s in the VM; 150 s is a hang.
        let log = directory.path + "/run.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = ["run", "--backend", "real", file, "--ib-dev", device, "--out", directory.path + "/report"]
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        var waited = 0
        while process.isRunning && waited < 1500 {
            usleep(100_000)
            waited += 1
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("iofabric run --backend real did not finish in 150 s")
        }
        process.waitUntilExit()
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        print(text)
        #expect(process.terminationStatus == 0, "\(text)")
        guard process.terminationStatus == 0 else { return }

        let report = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: directory.path + "/report/report.json"))) as! [String: Any]
        #expect(report["verdict"] as? String == "pass")
        let clients = report["clients"] as? [[String: Any]] ?? []
        #expect(clients.count == 1)
        let result = clients.first?["result"] as? [String: Any] ?? [:]
        let reads = result["reads"] as? Int ?? 0, writes = result["writes"] as? Int ?? 0
        // The oracle checked every read (verifiedReads = reads), the load both read and wrote,
        // and nothing was lost, corrupted, failed or timed out.
        #expect(reads > 0 && writes > 0)
        #expect(result["verifiedReads"] as? Int == reads)
        for key in ["errors", "timeouts", "lostAcknowledgedWrites", "integrityViolations", "unusableLUNs"] {
            #expect(result[key] as? Int == 0, "\(key)")
        }
        #expect((result["port"] as? String)?.hasPrefix(device) == true)
    }
}
