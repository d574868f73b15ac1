import Foundation

/// The package's root folder (this file is `Tests/SystemTests/Support.swift`).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// What one run of the `iofabric` executable did.
struct ToolRun {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

/// Runs the `iofabric` executable built next to this test bundle (the test target depends
/// on it, so `swift test` builds it) and waits for it.
func runTool(_ arguments: [String]) throws -> ToolRun {
    let here = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    let executable = here.deletingLastPathComponent().appendingPathComponent("iofabric")
    guard FileManager.default.isExecutableFile(atPath: executable.path) else {
        throw ToolNotBuilt(path: executable.path)
    }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    // Read both pipes to the end before waiting, so a chatty child cannot block on a full pipe.
    let errorData = Data(error.fileHandleForReading.readDataToEndOfFile())
    let outputData = Data(output.fileHandleForReading.readDataToEndOfFile())
    process.waitUntilExit()
    return ToolRun(
        status: process.terminationStatus,
        standardOutput: String(decoding: outputData, as: UTF8.self),
        standardError: String(decoding: errorData, as: UTF8.self))
}

struct ToolNotBuilt: Error, CustomStringConvertible {
    var path: String
    var description: String { "the iofabric executable is not at \(path); run 'swift build' first" }
}
