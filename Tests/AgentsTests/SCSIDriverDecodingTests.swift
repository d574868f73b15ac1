import Agents
import Hardware
import SimCore
import SimHardware
import Testing

/// A VPD page: the 4-byte header (direct-access device, page code, length) and `payload`.
func vitalProductDataPage(_ page: UInt8, _ payload: [UInt8]) -> [UInt8] {
    [0x00, page, UInt8(payload.count >> 8), UInt8(truncatingIfNeeded: payload.count)] + payload
}

/// Page 83h with a T10 vendor designator first, then the logical unit's NAA designator.
func deviceIdentificationPage(naa name: UInt64) -> [UInt8] {
    let t10: [UInt8] = [0x02, 0x01, 0x00, 0x08] + Array("IOFABRIC".utf8)
    let naa: [UInt8] = [0x01, 0x03, 0x00, 0x08] + (0..<8).map { UInt8(truncatingIfNeeded: name >> UInt64(56 - 8 * $0)) }
    return vitalProductDataPage(VitalProductData.deviceIdentificationPage, t10 + naa)
}

@Suite("SCSI DDM decoders")
struct SCSIDriverDecodingTests {
    @Test("VPD 80h: the serial number without its padding; VPD 83h: the logical unit's NAA name, 0 when absent")
    func pages() throws {
        let serial = vitalProductDataPage(VitalProductData.unitSerialNumberPage, Array("   3HX0ABCD  ".utf8))
        #expect(try VitalProductData.unitSerialNumber(serial) == "3HX0ABCD")
        // LIO counts the string's NUL terminator in the page length: dropped; a NUL inside is `?`.
        let lio = vitalProductDataPage(VitalProductData.unitSerialNumberPage, Array("iofabric-red0".utf8) + [0])
        #expect(try VitalProductData.unitSerialNumber(lio) == "iofabric-red0")
        let inside = vitalProductDataPage(VitalProductData.unitSerialNumberPage, Array("AB".utf8) + [0] + Array("C".utf8))
        #expect(try VitalProductData.unitSerialNumber(inside) == "AB?C")
        #expect(try VitalProductData.logicalUnitNAAName(deviceIdentificationPage(naa: 0x5000_C500_1234_5678)) == 0x5000_C500_1234_5678)
        let t10Only = vitalProductDataPage(VitalProductData.deviceIdentificationPage, [0x02, 0x01, 0x00, 0x02, 0x41, 0x42])
        #expect(try VitalProductData.logicalUnitNAAName(t10Only) == 0)
        #expect(throws: MessageDecodingError.fieldOutOfRange("VPD page code")) { try VitalProductData.unitSerialNumber(t10Only) }
        // A designator that runs past the page.
        let cut = vitalProductDataPage(VitalProductData.deviceIdentificationPage, [0x01, 0x03, 0x00, 0x08, 0x50])
        #expect(throws: MessageDecodingError.truncated(needed: 8, available: 1)) { try VitalProductData.logicalUnitNAAName(cut) }
    }

    @Test("fuzz: 10 000 VPD 80h and 10 000 VPD 83h inputs never trap and what is accepted is stable")
    func fuzzPages() {
        let serials = fuzz(
            seed: 0x80, samples: ["IOF12345", "3HX0ABCD", ""],
            encode: { vitalProductDataPage(VitalProductData.unitSerialNumberPage, Array($0.utf8)) },
            decode: { try VitalProductData.unitSerialNumber($0) })
        #expect(serials.inputs == 10_000 && serials.unstable == 0 && serials.rejected > 0)
        let names = fuzz(
            seed: 0x83, samples: [UInt64(0x5000_C500_1234_5678), 0x6001_0203_0405_0607],
            encode: deviceIdentificationPage(naa:), decode: { try VitalProductData.logicalUnitNAAName($0) })
        #expect(names.inputs == 10_000 && names.unstable == 0 && names.rejected > 0)
    }
}

/// The SCSI DDM's identify against a scripted device.
@Suite("SCSI device driver identify")
struct SCSIDriverIdentifyTests {
    /// Answers standard INQUIRY, READ CAPACITY(16), and VPD pages with ILLEGAL REQUEST.
    static func answer(_ request: SCSIRequest, lastLBA: UInt64, inquiry: [UInt8]) -> SCSICompletion {
        switch CDB.decode(request.cdb) {
        case .inquiry(let inquiryCDB) where inquiryCDB.vitalProductData:
            return ScriptedDevice.status(.checkCondition, sense: .fixed(.illegalRequest, .invalidFieldInCDB))
        case .inquiry:
            return ScriptedDevice.good(request, dataIn: inquiry)
        case .readCapacity16:
            return ScriptedDevice.good(request, dataIn: ReadCapacity16Data(lastLBA: lastLBA, blockLength: 4096).bytes)
        default:
            return ScriptedDevice.status(.checkCondition, sense: .fixed(.illegalRequest, .invalidCommandOperationCode))
        }
    }

    @Test("a device without VPD 80h/83h: identify succeeds with no serial and WWN 0; block count = last LBA + 1; reads then use its block length")
    func withoutVitalProductData() throws {
        let simulator = Simulator(seed: 5)
        let runtime = SimNodeRuntime(nodeName: "node", simulator: simulator)
        let lastLBA: UInt64 = 999_999
        let inquiry = StandardInquiryData(vendor: "OLDCO", product: "DISK 1", revision: "0001").bytes
        let device = ScriptedDevice(runtime: runtime) { request, _ in Self.answer(request, lastLBA: lastLBA, inquiry: inquiry) }
        let driver = SCSIDeviceDriver(name: "scsi", device: device, runtime: runtime)
        let recorder = DriverRecorder()
        driver.delegate = recorder
        driver.identify(tag: 1)
        simulator.run()
        let identity = try #require(recorder.result(1)?.identity)
        #expect(identity == DeviceIdentity(vendor: "OLDCO", product: "DISK 1", serialNumber: "", worldWideName: 0, blockLength: 4096, blockCount: lastLBA + 1))
        #expect(driver.blockLength == 4096)
        device.answer = { request, _ in ScriptedDevice.good(request) }
        driver.read(lba: 0, blocks: 2, tag: 2)
        simulator.run()
        #expect(device.requests.last?.dataTransfer == .fromDevice(count: 2 * 4096))
    }

    @Test("a short standard INQUIRY answer fails identify device-unavailable, counted as malformed")
    func shortInquiry() {
        let simulator = Simulator(seed: 5)
        let runtime = SimNodeRuntime(nodeName: "node", simulator: simulator)
        let device = ScriptedDevice(runtime: runtime) { request, _ in Self.answer(request, lastLBA: 9, inquiry: [0, 0, 5]) }
        let driver = SCSIDeviceDriver(name: "scsi", device: device, runtime: runtime)
        let recorder = DriverRecorder()
        driver.delegate = recorder
        driver.identify(tag: 1)
        simulator.run()
        #expect(recorder.result(1)?.status == .deviceUnavailable)
        #expect(driver.statistics.malformedResponses == 1)
        #expect(driver.identity == nil)
    }
}
