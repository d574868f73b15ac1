import Hardware
import Testing

@testable import RealHardware

@Suite struct InventoryFormattingTests {
    /// Soft-RoCE's GID 0 on a netdev with MAC 02:00:5e:12:34:56: its IPv6 link-local address.
    static let linkLocal: [UInt8] = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x5e, 0xff, 0xfe, 0x12, 0x34, 0x56]

    static func port(gids: [RDMAGIDEntry]) -> RDMAPortInfo {
        RDMAPortInfo(
            number: 1, state: 4, physicalState: 5, maxMTU: 5, activeMTU: 3, lid: 0, smLID: 0, lmc: 0, smSL: 0,
            activeWidth: 1, activeSpeed: 1, linkLayer: 2, gidTableLength: 1024, pkeyTableLength: 1,
            maxMessageSize: 0x8000_0000, capabilityFlags: 0x0001_0000, subnetTimeout: 0, maxVLNum: 1,
            badPKeyCounter: 0, qkeyViolationCounter: 0, gids: gids)
    }

    @Test func gidReadsLikeIbvDevinfo() {
        let gid = RDMAGIDEntry(index: 0, bytes: Self.linkLocal)
        #expect(gid.gidText == "fe80:0000:0000:0000:0000:5eff:fe12:3456")
        #expect(gid.description == "GID[0] fe80:0000:0000:0000:0000:5eff:fe12:3456")
        #expect(gid.subnetPrefix == 0xfe80_0000_0000_0000)
        #expect(gid.interfaceID == 0x0000_5eff_fe12_3456)
        #expect(!gid.isZero)
        #expect(RDMAGIDEntry(index: 5, bytes: [UInt8](repeating: 0, count: 16)).isZero)
    }

    @Test func portDescriptionNamesEveryCode() {
        let port = Self.port(gids: [RDMAGIDEntry(index: 0, bytes: Self.linkLocal)])
        #expect(port.isActive)
        #expect(port.activeMTUBytes == 1024)
        #expect(port.maxMTUBytes == 4096)
        #expect(port.activeLanes == 1)
        #expect(
            port.description
                == "port 1: active (LINK_UP), Ethernet, 1X SDR, MTU 1024 (max 4096), LID 0x0000, SM LID 0x0000, "
                + "GID[0] fe80:0000:0000:0000:0000:5eff:fe12:3456")
    }

    @Test func portAttributesUseHardwareTypes() {
        let attributes = Self.port(gids: []).attributes
        #expect(attributes.state == .active)
        #expect(attributes.maxMTU == .mtu4096 && attributes.activeMTU == .mtu1024)
        #expect(attributes.activeWidth == .x1 && attributes.activeSpeed == .sdr)
        #expect(attributes.linkLayer == .ethernet)
        #expect(attributes.gidTableLength == 1024 && attributes.maxMessageSize == 0x8000_0000)
        #expect(attributes.dataRate == 2_000_000_000)
    }

    @Test func unknownCodesAreShownAsNumbers() {
        var port = Self.port(gids: [])
        port.state = 9
        port.physicalState = 0
        port.activeMTU = 7
        port.activeWidth = 3
        port.activeSpeed = 3
        port.linkLayer = 5
        #expect(port.activeMTUBytes == nil)
        #expect(port.activeLanes == nil)
        #expect(
            port.description
                == "port 1: state 9 (physical state 0), Unknown (5), invalid width (3) invalid speed (3), "
                + "MTU invalid MTU (7) (max 4096), LID 0x0000, SM LID 0x0000")
        port.state = 0
        port.linkLayer = 0
        #expect(port.stateName == "no state change (NOP)")
        #expect(port.linkLayerName == "Unspecified")
        #expect(!port.isActive)
    }

    @Test func deviceDescriptionIsOneLine() {
        let limits = RDMADeviceLimits(
            maxQueuePairs: 1 << 16, maxQueuePairWorkRequests: 1 << 14, maxScatterGatherElements: 32,
            maxReadScatterGatherElements: 32, maxCompletionQueues: 1 << 14, maxCompletionQueueEntries: 1 << 15,
            maxMemoryRegions: 1 << 18, maxMemoryRegionSize: .max, maxProtectionDomains: 1 << 16,
            maxQueuePairReadAtomic: 128, maxQueuePairInitiatorReadAtomic: 128, maxSharedReceiveQueues: 1 << 14,
            maxSharedReceiveQueueWorkRequests: 1 << 14, maxAddressHandles: 1 << 15, maxMemoryWindows: 1 << 16,
            maxPartitionKeys: 64, atomicCapability: 1, pageSizeCapability: 0xffff_f000, capabilityFlags: 0,
            localCAAckDelay: 15)
        let device = RDMADeviceInfo(
            name: "rxe0", guid: 0x0200_5eff_fe12_3456, nodeType: 1, transportType: 0, firmwareVersion: "",
            systemImageGUID: 0x0200_5eff_fe12_3456, vendorID: 0xffffff, vendorPartID: 0, hardwareVersion: 0,
            limits: limits, ports: [Self.port(gids: [])])
        #expect(device.guidText == "0200:5eff:fe12:3456")
        #expect(
            device.description
                == "rxe0: InfiniBand channel adapter, InfiniBand transport, node GUID 0200:5eff:fe12:3456, "
                + "vendor 0xffffff part 0, 1 port")
        var other = device
        other.nodeType = 7
        #expect(other.nodeTypeName == "unspecified")
        other.nodeType = -1
        #expect(other.nodeTypeName == "unknown node type -1")
    }

    @Test func scsiIdentityDescription() {
        let identity = SCSIDeviceIdentity(
            path: "/dev/sg0", vendor: "Linux", product: "scsi_debug", revision: "0191", peripheralQualifier: 0,
            peripheralDeviceType: 0, version: 7, sgVersion: 30536, inquiryData: [UInt8](repeating: 0x20, count: 36))
        #expect(identity.sgVersionText == "3.5.36")
        #expect(identity.peripheralDeviceTypeName == "direct-access block device")
        #expect(identity.description == "/dev/sg0: Linux scsi_debug 0191, direct-access block device, sg 3.5.36")
    }

    @Test func naturalOrderComparesDigitRunsAsNumbers() {
        let sorted = ["mlx5_10", "rxe0", "mlx5_2", "mlx4_0", "mlx5_1", "rxe10", "rxe9"]
            .sorted(by: NaturalOrder.areInIncreasingOrder)
        #expect(sorted == ["mlx4_0", "mlx5_1", "mlx5_2", "mlx5_10", "rxe0", "rxe9", "rxe10"])
        // Digit runs longer than any integer type still compare.
        #expect(NaturalOrder.areInIncreasingOrder("sg99999999999999999999999", "sg100000000000000000000000"))
        // Equal numbers with different spellings still have a total, stable order.
        #expect(NaturalOrder.areInIncreasingOrder("sg01", "sg1"))
        #expect(!NaturalOrder.areInIncreasingOrder("sg1", "sg01"))
        #expect(!NaturalOrder.areInIncreasingOrder("sg1", "sg1"))
        #expect(NaturalOrder.areInIncreasingOrder("sg", "sg0"))
    }
}
