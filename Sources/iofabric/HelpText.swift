/// The help of a command, in swift-argument-parser's layout (OVERVIEW / USAGE / ARGUMENTS /
/// OPTIONS / SUBCOMMANDS, labels in a 26-column field).
enum HelpText {
    static let labelWidth = 26

    static func usage(_ spec: CommandSpec) -> String {
        var parts = [spec.commandLine]
        if !spec.subcommands.isEmpty { parts.append("<subcommand>") }
        for option in spec.options {
            parts.append(option.isFlag ? "[--\(option.name)]" : "[--\(option.name) <\(option.valueName!)>]")
        }
        for argument in spec.arguments {
            let word = "<\(argument.name)>" + (argument.isRepeated ? " ..." : "")
            parts.append(argument.isOptional ? "[\(word)]" : word)
        }
        return parts.joined(separator: " ")
    }

    static func render(_ spec: CommandSpec, version: String?) -> String {
        var lines = ["OVERVIEW: \(spec.abstract)", ""]
        if let discussion = spec.discussion {
            lines += wrap(discussion, width: 80) + [""]
        }
        lines += ["USAGE: \(usage(spec))", ""]
        if !spec.arguments.isEmpty {
            lines.append("ARGUMENTS:")
            for argument in spec.arguments {
                lines += row("<\(argument.name)>", argument.help)
            }
            lines.append("")
        }
        lines.append("OPTIONS:")
        for option in spec.options {
            let label = option.isFlag ? "--\(option.name)" : "--\(option.name) <\(option.valueName!)>"
            let help = option.help + (option.defaultValue.map { " (default: \($0))" } ?? "")
            lines += row(label, help)
        }
        if version != nil { lines += row("--version", "Show the version.") }
        lines += row("-h, --help", "Show help information.")
        if !spec.subcommands.isEmpty {
            lines += ["", "SUBCOMMANDS:"]
            for sub in spec.subcommands where !sub.isHidden { lines += row(sub.name, sub.abstract) }
            lines += ["", "  See '\(spec.path[0]) help <subcommand>' for detailed help."]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` split into lines of at most `width` columns at spaces.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty, current.count + 1 + word.count > width {
                lines.append(current)
                current = ""
            }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// One labelled row, the help wrapped at 80 columns; a long label puts the help below it.
    private static func row(_ label: String, _ help: String) -> [String] {
        let indent = String(repeating: " ", count: labelWidth)
        var lines: [String] = []
        var current = "  " + label
        if current.count >= labelWidth - 1 {
            lines.append(current)
            current = indent
        } else {
            current += String(repeating: " ", count: labelWidth - current.count)
        }
        var lineHasWords = false
        for word in help.split(separator: " ") {
            if lineHasWords, current.count + 1 + word.count > 80 {
                lines.append(current)
                current = indent
                lineHasWords = false
            }
            current += (lineHasWords ? " " : "") + word
            lineHasWords = true
        }
        lines.append(current)
        return lines
    }
}
