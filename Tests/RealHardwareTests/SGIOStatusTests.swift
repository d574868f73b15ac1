import Hardware
import Testing

@testable import RealHardware

@Suite struct SGIOStatusTests {
    /// Fixed-format sense data (response code 0x70) with `key`, `asc` and `ascq`.
    private func fixedSense(key: UInt8, asc: UInt8, ascq: UInt8) -> [UInt8] {
        [0x70, 0x00, key, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, asc, ascq, 0, 0, 0, 0]
    }

    @Test func checkConditionWithFixedSenseIsDecoded() {
        let status = SGIOStatus(
            status: 0x02, driverStatus: 0x08, sense: fixedSense(key: 0x5, asc: 0x24, ascq: 0x00))
        #expect(!status.succeeded)
        #expect(status.senseKey == 0x5)
        #expect(status.additionalSenseCode == 0x24)
        #expect(status.additionalSenseCodeQualifier == 0x00)
        #expect(
            status.description
                == "CHECK CONDITION, sense key ILLEGAL REQUEST (0x5), ASC/ASCQ 0x24/0x00 (INVALID FIELD IN CDB)")
        #expect(
            RealDeviceError.inquiryFailed(path: "/dev/sg1", status: status).description
                == "INQUIRY to /dev/sg1 failed: CHECK CONDITION, sense key ILLEGAL REQUEST (0x5), "
                + "ASC/ASCQ 0x24/0x00 (INVALID FIELD IN CDB)")
    }

    @Test func descriptorSenseIsDecoded() {
        let status = SGIOStatus(status: 0x02, driverStatus: 0x08, sense: [0x72, 0x02, 0x3a, 0x00, 0, 0, 0, 0])
        #expect(status.senseKey == 0x2)
        #expect(
            status.description == "CHECK CONDITION, sense key NOT READY (0x2), ASC/ASCQ 0x3a/0x00 (MEDIUM NOT PRESENT)")
    }

    @Test func unnamedCodesStillShowTheirNumbers() {
        let status = SGIOStatus(status: 0x02, sense: fixedSense(key: 0x3, asc: 0x31, ascq: 0x07))
        #expect(status.description == "CHECK CONDITION, sense key MEDIUM ERROR (0x3), ASC/ASCQ 0x31/0x07")
        #expect(SGIOStatus(status: 0x7e).description == "status 0x7e")
        #expect(SGIOStatus(status: 0x02).description == "CHECK CONDITION, no sense data")
        #expect(
            SGIOStatus(status: 0x02, sense: [0x01, 0x02, 0x03]).description
                == "CHECK CONDITION, unrecognised sense data 01 02 03")
    }

    @Test func fixedSenseWithoutAdditionalBytesGivesOnlyTheKey() {
        let status = SGIOStatus(status: 0x02, sense: [0x70, 0x00, 0x06])
        #expect(status.senseKey == 0x6)
        #expect(status.additionalSenseCode == nil)
        #expect(status.description == "CHECK CONDITION, sense key UNIT ATTENTION (0x6)")
    }

    @Test func senseIsDecodedByHardware() {
        let status = SGIOStatus(status: 0x02, sense: fixedSense(key: 0x5, asc: 0x24, ascq: 0x00))
        #expect(status.senseData == .fixed(.illegalRequest, .invalidFieldInCDB))
        #expect(SGIOStatus(status: 0x02, sense: [0x01, 0x02, 0x03]).senseData == nil)
        // Bytes past the ADDITIONAL SENSE LENGTH (here 4: up to byte 11) are not sense data.
        let short = SGIOStatus(
            status: 0x02, sense: [0x70, 0x00, 0x02, 0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0x3a, 0x00, 0, 0, 0, 0])
        #expect(short.additionalSenseCode == nil)
        #expect(short.description == "CHECK CONDITION, sense key NOT READY (0x2)")
    }

    @Test func hardwareNamesTheRarerCodes() {
        #expect(
            SGIOStatus(status: 0x02, sense: fixedSense(key: 0xc, asc: 0x29, ascq: 0x01)).description
                == "CHECK CONDITION, sense key EQUAL (obsolete) (0xc), ASC/ASCQ 0x29/0x01 (POWER ON OCCURRED)")
        #expect(SGIOStatus(status: 0x22).description == "COMMAND TERMINATED")
        #expect(SGIOStatus(status: 0x00, hostStatus: 0x10).description == "GOOD, host status DID_TARGET_FAILURE (0x10)")
        #expect(SGIOStatus(status: 0x00, hostStatus: 0x15).description == "GOOD, host status 0x15")
        #expect(SGIOStatus(status: 0x00, driverStatus: 0x29).description == "GOOD, driver status 0x09 (0x29)")
        #expect(
            SGIOStatus(status: 0x00, driverStatus: 0x26).description == "GOOD, driver status DRIVER_TIMEOUT (0x26)")
    }

    @Test func hostAndDriverErrorsFailEvenWithGoodStatus() {
        let timedOut = SGIOStatus(status: 0x00, hostStatus: 0x03)
        #expect(!timedOut.succeeded)
        #expect(timedOut.description == "GOOD, host status DID_TIME_OUT (0x03)")

        let driverTimeout = SGIOStatus(status: 0x00, driverStatus: 0x06)
        #expect(!driverTimeout.succeeded)
        #expect(driverTimeout.description == "GOOD, driver status DRIVER_TIMEOUT (0x06)")
    }

    @Test func goodAndRecoveredErrorSucceed() {
        #expect(SGIOStatus(status: 0x00).succeeded)
        #expect(SGIOStatus(status: 0x00, driverStatus: 0x08).succeeded)
        #expect(
            SGIOStatus(status: 0x02, driverStatus: 0x08, sense: fixedSense(key: 0x1, asc: 0x17, ascq: 0x01)).succeeded)
        #expect(!SGIOStatus(status: 0x08).succeeded, "BUSY")
        #expect(!SGIOStatus(status: 0x18).succeeded, "RESERVATION CONFLICT")
    }
}
