import Hardware
import Testing

@Suite("SCSI generic values")
struct SCSIGenericTests {
    @Test("requests accept 6…16-byte CDBs and valid variable-length CDBs only")
    func requestShape() throws {
        let read = try SCSIRequest(
            CDB.Read10(lba: 0, transferLength: 1), dataTransfer: .fromDevice(count: 512), timeout: .seconds(30), tag: 1)
        #expect(read.cdb.count == 10 && read.operationCode == .read10 && read.dataTransfer.direction == .fromDevice)
        #expect(throws: SCSIGenericError.invalidCDBLength(5)) {
            try SCSIRequest(cdb: [0, 0, 0, 0, 0], timeout: .seconds(1), tag: 0)
        }
        #expect(throws: SCSIGenericError.invalidCDBLength(17)) {
            try SCSIRequest(cdb: [UInt8](repeating: 0, count: 17), timeout: .seconds(1), tag: 0)
        }
        var variable = [UInt8](repeating: 0, count: 32)
        variable[0] = 0x7F
        variable[7] = 24
        #expect(SCSIRequest.isValidCDB(variable))
        variable[7] = 23
        #expect(!SCSIRequest.isValidCDB(variable))
        var tooLong = [UInt8](repeating: 0, count: 261)
        tooLong[0] = 0x7F
        #expect(!SCSIRequest.isValidCDB(tooLong))
        #expect(throws: SCSIGenericError.invalidTimeout(.zero)) {
            try SCSIRequest(CDB.TestUnitReady(), timeout: .zero, tag: 0)
        }
        #expect(throws: SCSIGenericError.invalidTransferLength(-1)) {
            try SCSIRequest(CDB.Inquiry(), dataTransfer: .fromDevice(count: -1), timeout: .seconds(1), tag: 0)
        }
        #expect(SCSIDataTransfer.toDevice([1, 2, 3]).byteCount == 3)
        #expect(SCSIDataDirection.none.rawValue == -1 && SCSIDataDirection.toDevice.rawValue == -2)
        #expect(SCSIDataDirection.fromDevice.description == "SG_DXFER_FROM_DEV")
    }

    @Test("status, host status and driver status values")
    func statusValues() {
        let statuses: [(SCSIStatus, UInt8)] = [
            (.good, 0x00), (.checkCondition, 0x02), (.conditionMet, 0x04), (.busy, 0x08),
            (.reservationConflict, 0x18), (.taskSetFull, 0x28), (.acaActive, 0x30), (.taskAborted, 0x40),
        ]
        for (status, value) in statuses { #expect(status.rawValue == value) }
        #expect(SCSIStatus.reservationConflict.description == "RESERVATION CONFLICT")
        #expect(SCSIHostStatus.noConnect.rawValue == 1 && SCSIHostStatus.timeOut.rawValue == 3)
        #expect(SCSIHostStatus.badInterrupt.rawValue == 9 && SCSIHostStatus.badInterrupt.description == "DID_BAD_INTR")
        #expect(SCSIDriverStatus.timeout.rawValue == 6 && SCSIDriverStatus.sense.rawValue == 8)
        #expect(SCSIDriverStatus(rawValue: 0x18).code == .sense)
        #expect(SCSIDriverStatus(rawValue: 0x18).description == "DRIVER_SENSE (0x18)")
    }

    @Test("a completion reads host status, then status, then sense")
    func completion() {
        let good = SCSICompletion(tag: 1, status: .good, dataIn: [1, 2], duration: .milliseconds(3))
        #expect(good.isGood && good.senseData == nil)
        let sense = SenseData.fixed(.illegalRequest, .invalidCommandOperationCode)
        let check = SCSICompletion(
            tag: 2, status: .checkCondition, driverStatus: .sense, sense: sense.encoded(), duration: .microseconds(50))
        #expect(!check.isGood)
        #expect(check.senseData == sense)
        #expect(check.description == "tag 2: CHECK CONDITION, ILLEGAL REQUEST 20/00 INVALID COMMAND OPERATION CODE")
        let timedOut = SCSICompletion(tag: 3, status: .good, hostStatus: .timeOut, duration: .seconds(30))
        #expect(!timedOut.isGood)
        #expect(timedOut.description == "tag 3: DID_TIME_OUT, GOOD")
    }

    @Test("bus windows contain exactly their range")
    func busWindows() {
        let window = BusWindow(id: 1, address: BusAddress(rawValue: 0x8000_0000), length: 4096, access: .readWrite)
        #expect(window.contains(BusAddress(rawValue: 0x8000_0000), count: 4096))
        #expect(window.contains(BusAddress(rawValue: 0x8000_0FFF), count: 1))
        #expect(!window.contains(BusAddress(rawValue: 0x8000_0FFF), count: 2))
        #expect(!window.contains(BusAddress(rawValue: 0x7FFF_FFFF), count: 1))
        #expect(!window.contains(BusAddress(rawValue: UInt64.max), count: 1))
        #expect(window.description == "window 1 0x0000000080000000+4096 rw")
        #expect(BusStatus.masterAbort.description == "master abort")
    }
}
