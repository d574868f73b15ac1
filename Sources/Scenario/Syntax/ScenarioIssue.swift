/// One thing wrong with a scenario file: where (file and JSON path), and what was expected
/// and found. `iofabric validate` prints one line per issue and exits 2.
public struct ScenarioIssue: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    /// Where inside it: a JSON path such as `$.topology.nodes[0].pciBus`, or
    /// `line 3, column 7` for a syntax error.
    public var path: String
    /// What was expected and what was found.
    public var message: String
    /// The closest allowed word, when the found one looks like a typo of it.
    public var suggestion: String?

    public init(file: String, path: String, message: String, suggestion: String? = nil) {
        self.file = file
        self.path = path
        self.message = message
        self.suggestion = suggestion
    }

    /// `Scenarios/x.json: $.topology.nodes[0].pciBus: expected one of "pci32at33", "pci64at66"; found the string "pci33" (did you mean "pci32at33"?)`
    public var description: String {
        "\(file): \(path): \(message)" + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? "")
    }
}

/// Everything wrong with one scenario file, in the order found (paths sorted within an object).
public struct ScenarioErrors: Error, Sendable, CustomStringConvertible {
    public var issues: [ScenarioIssue]

    public init(_ issues: [ScenarioIssue]) {
        precondition(!issues.isEmpty, "ScenarioErrors without an issue")
        self.issues = issues
    }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

/// The closest of `candidates` to `word` if it is close enough to be a typo: edit distance
/// at most a third of the word's length (and at least 1), ties broken by the candidates' order.
func didYouMean(_ word: String, among candidates: [String]) -> String? {
    let lowered = word.lowercased()
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
        let distance = editDistance(lowered, candidate.lowercased())
        if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
    }
    if let best, best.distance <= max(1, word.count / 3) { return best.candidate }
    // An abbreviation: "pci33" for "pci32at33", "sw" for "switch0".
    guard word.count >= 2 else { return nil }
    let abbreviating = candidates.filter { isSubsequence(lowered, of: $0.lowercased()) }
    return abbreviating.count == 1 ? abbreviating[0] : nil
}

/// Whether every character of `short` appears in `long`, in order.
func isSubsequence(_ short: String, of long: String) -> Bool {
    var remaining = long[...]
    for character in short {
        guard let found = remaining.firstIndex(of: character) else { return false }
        remaining = remaining[remaining.index(after: found)...]
    }
    return true
}

/// Levenshtein distance between two strings, by characters.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
