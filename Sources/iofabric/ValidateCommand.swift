import Foundation
import Scenario

/// `iofabric validate SCENARIO...`: check scenario files without running them.
enum ValidateCommand {
    static var spec: CommandSpec {
        CommandSpec(
            path: ["iofabric", "validate"],
            abstract: "Check scenario files (or every *.json in a directory) and report every problem.",
            discussion: """
                Each problem is one line: the file, the JSON path inside it, what was expected and \
                what was found (with a did-you-mean for misspelt names). Exit status 0 when every \
                file is valid, 2 when any is not.
                """,
            arguments: [ArgumentSpec(name: "scenario", help: "A scenario file or a directory of them.", isRepeated: true)],
            run: run)
    }

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        var invalid = 0
        let files = ScenarioFiles.expand(arguments.positionals)
        for file in files {
            do {
                let scenario = try ScenarioDefinition.load(path: file)
                print("\(file): valid (\(scenario.name))")
            } catch {
                invalid += 1
                for issue in error.issues { Tool.printError(issue.description) }
            }
        }
        if files.isEmpty {
            Tool.printError("Error: no scenario files in " + arguments.positionals.joined(separator: ", "))
            return Tool.ExitCode.invalidScenario
        }
        return invalid == 0 ? Tool.ExitCode.success : Tool.ExitCode.invalidScenario
    }
}

/// `iofabric schema`: the JSON Schema of the scenario format.
enum SchemaCommand {
    static var spec: CommandSpec {
        CommandSpec(
            path: ["iofabric", "schema"],
            abstract: "Print the JSON Schema of scenario files (the one in Scenarios/scenario.schema.json).",
            run: { _ in
                print(ScenarioSchema.rendered(), terminator: "")
                return Tool.ExitCode.success
            })
    }
}

/// Scenario paths on the command line: files as given, directories as their `*.json` files
/// (sorted, the schema excluded).
enum ScenarioFiles {
    static func expand(_ paths: [String]) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                let base = path.hasSuffix("/") ? String(path.dropLast()) : path
                files += names.filter { $0.hasSuffix(".json") && !$0.hasSuffix(".schema.json") }.sorted().map { base + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        return files
    }
}
