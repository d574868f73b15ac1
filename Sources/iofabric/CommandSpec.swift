/// A command of the `iofabric` tool: its help text, options and either subcommands or a body.
///
/// The conventions are swift-argument-parser's, written by hand because the package uses no
/// Swift packages: `-h`/`--help` on every command, `help <subcommand>`, `--version` at the
/// root, help on stdout with exit 0, usage errors on stderr with exit 64 (`EX_USAGE`).
struct CommandSpec {
    /// The words that invoke the command, starting with `iofabric`.
    var path: [String]
    var abstract: String
    var discussion: String? = nil
    var arguments: [ArgumentSpec] = []
    var options: [OptionSpec] = []
    var subcommands: [CommandSpec] = []
    /// An internal command (a sweep's worker): runnable, but not listed in its parent's help.
    var isHidden = false
    /// Runs the command; returns the process exit code. Nil for a group of subcommands.
    var run: ((ParsedArguments) throws -> Int32)? = nil

    var name: String { path.last! }
    var commandLine: String { path.joined(separator: " ") }
}

/// A positional argument.
struct ArgumentSpec {
    var name: String
    var help: String
    var isRepeated = false
    var isOptional = false
}

/// A `--name <value>` option, or a `--name` flag when `valueName` is nil.
struct OptionSpec {
    var name: String
    var valueName: String? = nil
    var help: String
    var defaultValue: String? = nil

    var isFlag: Bool { valueName == nil }
}

/// A command line that does not fit the command's spec. Printed as one line, followed by
/// where to find help; the process exits with 64.
struct UsageError: Error, Equatable, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The options and arguments given to a command, validated against its spec.
struct ParsedArguments {
    private(set) var values: [String: String] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positionals: [String] = []
    let spec: CommandSpec

    init(spec: CommandSpec, arguments: ArraySlice<String>) throws(UsageError) {
        self.spec = spec
        var rest = arguments
        while let word = rest.popFirst() {
            if word == "--" {
                positionals.append(contentsOf: rest)
                break
            }
            guard word.hasPrefix("-"), word != "-" else {
                positionals.append(word)
                continue
            }
            let (name, inlineValue) = Self.split(word)
            guard let option = spec.options.first(where: { "--" + $0.name == name }) else {
                throw UsageError(message: "Unknown option '\(name)'")
            }
            if option.isFlag {
                guard inlineValue == nil else { throw UsageError(message: "Flag '\(name)' takes no value") }
                flags.insert(option.name)
            } else if let value = inlineValue ?? rest.popFirst(), !value.hasPrefix("--") || inlineValue != nil {
                values[option.name] = value
            } else {
                throw UsageError(message: "Missing value for '\(name) <\(option.valueName!)>'")
            }
        }
        let required = spec.arguments.filter { !$0.isOptional }.count
        if positionals.count < required {
            let missing = spec.arguments[positionals.count]
            throw UsageError(message: "Missing expected argument '<\(missing.name)>'")
        }
        if !(spec.arguments.last?.isRepeated ?? false), positionals.count > spec.arguments.count {
            throw UsageError(message: "Unexpected argument '\(positionals[spec.arguments.count])'")
        }
    }

    private static func split(_ word: String) -> (String, String?) {
        guard let equals = word.firstIndex(of: "=") else { return (word, nil) }
        return (String(word[..<equals]), String(word[word.index(after: equals)...]))
    }

    /// Whether the flag `--name` was given.
    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// The value of `--name`, or its default.
    func string(_ name: String) -> String? {
        values[name] ?? spec.options.first(where: { $0.name == name })?.defaultValue
    }

    /// The value of `--name` as an integer in `range` (digits, optionally with `_` separators).
    func integer<T: FixedWidthInteger>(_ name: String, in range: ClosedRange<T>) throws(UsageError) -> T {
        guard let text = string(name) else { throw UsageError(message: "Missing value for '--\(name)'") }
        guard let value = T(String(text.filter { $0 != "_" })), range.contains(value) else {
            throw UsageError(
                message: "The value '\(text)' is invalid for '--\(name)': expected an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }
}
