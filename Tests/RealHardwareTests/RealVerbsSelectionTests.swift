import Hardware
import Testing

@testable import RealHardware

@Suite("Real verbs device selection")
struct RealVerbsSelectionTests {
    @Test("perftest's options: --ib-dev/-d, --ib-port/-i, --gid-index/-x, with = or apart; others left alone")
    func parsing() throws {
        let defaults = try RealDeviceSelection(arguments: ["run", "--backend", "real"])
        #expect(defaults == RealDeviceSelection(deviceName: nil, port: 1, gidIndex: nil))
        let long = try RealDeviceSelection(arguments: ["--ib-dev", "rxe0", "--ib-port=2", "--gid-index", "3"])
        #expect(long == RealDeviceSelection(deviceName: "rxe0", port: 2, gidIndex: 3))
        let short = try RealDeviceSelection(arguments: ["-d", "mlx5_1", "-i", "1", "-x", "0", "extra"])
        #expect(short == RealDeviceSelection(deviceName: "mlx5_1", port: 1, gidIndex: 0))
        #expect(throws: RealDeviceSelection.ParseError.self) { try RealDeviceSelection(arguments: ["--ib-port", "0"]) }
        #expect(throws: RealDeviceSelection.ParseError.self) { try RealDeviceSelection(arguments: ["-x", "-1"]) }
        #expect(throws: RealDeviceSelection.ParseError.self) { try RealDeviceSelection(arguments: ["--ib-dev"]) }
    }

    @Test("perftest's GID choice: IPv4-mapped first, then RoCE v2 over v1, empty entries never; else 0")
    func bestGID() {
        let linkLocal = GID(subnetPrefix: 0xfe80_0000_0000_0000, interfaceID: 0x0200_00ff_fe00_0001)
        let ipv4 = GID(subnetPrefix: 0, interfaceID: 0x0000_ffff_0a00_0001)  // ::ffff:10.0.0.1
        typealias C = RealDeviceSelection.GIDCandidate
        // Soft-RoCE on dummy0 without IPv4: only the link-local GID 0, RoCE v2.
        #expect(RealDeviceSelection.bestGIDIndex([C(index: 0, gid: linkLocal, type: "RoCE v2"), C(index: 1, gid: .zero, type: nil)]) == 0)
        // A mlx5 RoCE port: v1 and v2 of the link-local, then v1 and v2 of an IPv4 address.
        let mlx = [
            C(index: 0, gid: linkLocal, type: "IB/RoCE v1"), C(index: 1, gid: linkLocal, type: "RoCE v2"),
            C(index: 2, gid: ipv4, type: "IB/RoCE v1"), C(index: 3, gid: ipv4, type: "RoCE v2"),
        ]
        #expect(RealDeviceSelection.bestGIDIndex(mlx) == 3)
        #expect(RealDeviceSelection.bestGIDIndex(Array(mlx.prefix(2))) == 1)
        #expect(RealDeviceSelection.bestGIDIndex([]) == 0)
        #expect(C(index: 0, gid: ipv4, type: nil).isIPv4Mapped && !C(index: 0, gid: linkLocal, type: nil).isIPv4Mapped)
    }
}
