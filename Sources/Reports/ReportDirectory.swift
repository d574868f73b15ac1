import Foundation

/// Writes the files of one run into a directory (`Reports/<scenario>/`): `report.json`,
/// `report.md`, `report.html`, `trace.json` and, with captures, `capture.pcap` (one fabric) or
/// `capture-<fabric>.pcap` (one per fabric when there are several).
/// The writers themselves return text and bytes; this is the only place that touches files.
public enum ReportDirectory {
    /// The file names, fixed so CI and people find them.
    public static let jsonName = "report.json"
    public static let markdownName = "report.md"
    public static let htmlName = "report.html"
    public static let traceName = "trace.json"
    public static let pcapName = "capture.pcap"

    /// The capture file of fabric `name` among `count` captured fabrics.
    public static func pcapName(fabric name: String, of count: Int) -> String {
        count == 1 ? pcapName : "capture-\(name).pcap"
    }

    /// Creates `directory` if needed and writes the run's files; returns the paths written.
    @discardableResult
    public static func write(report: RunReport, trace: ChromeTrace?, captures: [(fabric: String, pcap: PcapWriter)] = [],
                             to directory: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var files: [(String, Data)] = [
            (jsonName, Data(report.jsonText.utf8)),
            (markdownName, Data(MarkdownReport.render(report).utf8)),
            (htmlName, Data(HTMLReport.render(report).utf8)),
        ]
        if let trace { files.append((traceName, Data(trace.rendered().utf8))) }
        for capture in captures {
            files.append((pcapName(fabric: capture.fabric, of: captures.count), Data(capture.pcap.bytes)))
        }
        return try files.map { name, data in
            let url = directory.appendingPathComponent(name)
            try data.write(to: url, options: .atomic)
            return url
        }
    }
}
