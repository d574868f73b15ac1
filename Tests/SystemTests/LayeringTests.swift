import Foundation
import Testing

/// The one rule of the architecture: agents import the Hardware interfaces and nothing else
/// (not the simulator, not the real backend, not Foundation or Glibc), so the same agent
/// code runs on both backends.
@Suite("Layering")
struct LayeringTests {
    static let allowedInAgents: Set<String> = ["Hardware", "Swift"]

    /// The modules a Swift source imports, with their line numbers. Understands attributes
    /// (`@testable`, `@_exported`, `@preconcurrency`, `@_implementationOnly`, `@_spi(…)`),
    /// access modifiers and declaration imports (`import struct SimCore.Simulator`).
    static func imports(in source: String) -> [(line: Int, module: String)] {
        var found: [(Int, String)] = []
        let kinds: Set<String> = ["struct", "class", "enum", "protocol", "typealias", "func", "var", "let", "actor"]
        let modifiers: Set<String> = ["public", "package", "internal", "fileprivate", "private"]
        for (index, rawLine) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var words = rawLine.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            while let first = words.first, first.hasPrefix("@") || modifiers.contains(first) {
                words.removeFirst()
            }
            guard words.first == "import", words.count >= 2 else { continue }
            var path = words[1]
            if kinds.contains(path), words.count >= 3 { path = words[2] }
            let module = String(path.split(separator: ".").first ?? Substring(path))
            found.append((index + 1, module))
        }
        return found
    }

    static func swiftFiles(under folder: URL) -> [URL] {
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        var files: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            if url.pathExtension == "swift" { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }
    }

    @Test("nothing in Sources/Agents imports a module other than Hardware")
    func agentsImportOnlyHardware() throws {
        let files = Self.swiftFiles(under: packageRoot.appendingPathComponent("Sources/Agents"))
        #expect(!files.isEmpty, "Sources/Agents has no Swift files: the check would be vacuous")
        var violations: [String] = []
        for file in files {
            let source = try String(contentsOf: file, encoding: .utf8)
            for (line, module) in Self.imports(in: source) where !Self.allowedInAgents.contains(module) {
                violations.append("Sources/Agents/\(file.lastPathComponent):\(line): import \(module)")
            }
        }
        #expect(violations.isEmpty, "agents must import only Hardware:\n\(violations.joined(separator: "\n"))")
    }

    @Test("Package.swift gives the Agents target the Hardware dependency only")
    func agentsTargetDependsOnHardwareOnly() throws {
        let manifest = try String(contentsOf: packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        let pattern = #"\.target\(\s*name:\s*"Agents"\s*,\s*dependencies:\s*\[([^\]]*)\]"#
        let regex = try NSRegularExpression(pattern: pattern)
        let range = NSRange(manifest.startIndex..., in: manifest)
        let match = try #require(regex.firstMatch(in: manifest, range: range), "no Agents target found in Package.swift")
        let list = String(manifest[Range(match.range(at: 1), in: manifest)!])
        let dependencies = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
        #expect(dependencies == ["\"Hardware\""])
    }

    @Test("the import scanner sees every way of importing a forbidden module (the check can fail)")
    func scannerCatchesViolations() {
        let source = """
            import Hardware
            import SimCore
            @testable import SimHardware
            @_exported import Foundation
            public import Glibc
            import struct RealHardware.VerbsLibrary
            @preconcurrency import Dispatch
            // import Scenario   (a comment is not an import)
            let importantValue = 1
            """
        let modules = Self.imports(in: source).map(\.module)
        #expect(modules == ["Hardware", "SimCore", "SimHardware", "Foundation", "Glibc", "RealHardware", "Dispatch"])
        let forbidden = modules.filter { !Self.allowedInAgents.contains($0) }
        #expect(forbidden.count == 6)
    }
}
