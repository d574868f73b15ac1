import Foundation
import Testing

/// The storage target's promise: swapping SCSI for ATA, or InfiniBand for Ethernet, changes one
/// module and no agent. Only the DDMs (`Agents/Device`) know the I/O format, and only the TTS's
/// addressing files (`Agents/Transport/InfiniBand*`, `Agents/Transport/RoCE*`) know the network
/// protocol's addresses; the UMA, CTA, RTA, residual message store and the message formats know
/// neither. (Scenario tests run the same description on all four combinations.)
@Suite("Protocol independence")
struct ProtocolIndependenceTests {
    /// Identifiers that only a DDM may use: the command sets.
    static let formatWords = ["CDB", "ATAPassThrough", "SCSIRequest", "SCSIGenericDevice", "SCSICompletion", "SenseData",
                              "SCSIDeviceDriver", "ATADeviceDriver"]
    /// Identifiers that only a protocol's TTS may use: addresses and address vectors.
    static let protocolWords = ["AddressHandle", "GlobalRoute", "destinationLID", "queryGID", "queryPort", "GID(", ".lid",
                                "InfiniBandTransport", "RoCETransport"]
    /// The agents that must know neither.
    static let neutralFolders = ["UMA", "CTA", "RTA", "Bus", "Protocol", "Cluster"]

    /// `source` without its comments (line comments and `///` documentation).
    static func code(_ source: String) -> String {
        source.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard let range = line.range(of: "//") else { return String(line) }
            return String(line[..<range.lowerBound])
        }.joined(separator: "\n")
    }

    @Test("the UMA, CTA, RTA, bus link and message formats name no I/O format and no network address")
    func neutralAgents() throws {
        var offences: [String] = []
        var checked = 0
        for folder in Self.neutralFolders {
            for file in LayeringTests.swiftFiles(under: packageRoot.appendingPathComponent("Sources/Agents/" + folder)) {
                checked += 1
                let code = Self.code(try String(contentsOf: file, encoding: .utf8))
                for word in Self.formatWords + Self.protocolWords where code.contains(word) {
                    offences.append("\(folder)/\(file.lastPathComponent) uses \(word)")
                }
            }
        }
        #expect(checked >= 10, "expected the target agents' sources; found \(checked) files")
        #expect(offences.isEmpty, "\(offences)")
    }

    @Test("only the InfiniBand and RoCE transport files know addresses")
    func addressesOnlyInTheirTTS() throws {
        var offences: [String] = []
        let folder = packageRoot.appendingPathComponent("Sources/Agents/Transport")
        let files = LayeringTests.swiftFiles(under: folder)
        #expect(files.contains { $0.lastPathComponent.hasPrefix("InfiniBand") } && files.contains { $0.lastPathComponent.hasPrefix("RoCE") })
        for file in files where !file.lastPathComponent.hasPrefix("InfiniBand") && !file.lastPathComponent.hasPrefix("RoCE") {
            let code = Self.code(try String(contentsOf: file, encoding: .utf8))
            for word in ["AddressHandleAttributes", "GlobalRoute", "destinationLID", "queryGID", ".lid", "GID("] where code.contains(word) {
                offences.append("\(file.lastPathComponent) uses \(word)")
            }
        }
        #expect(offences.isEmpty, "\(offences)")
    }
}
