import Glibc
import Hardware
import Testing

@testable import RealHardware

/// SG_IO outcomes → `SCSICompletion`, on fixed byte strings: the rules of the simulated sg
/// device (`IOController.complete` / `fail`), so agents cannot tell the backends apart.
@Suite("SG_IO outcome mapping")
struct RealSCSIMappingTests {
    static let readRequest = try! SCSIRequest(
        CDB.Read10(lba: 8, transferLength: 8), dataTransfer: .fromDevice(count: 4096), timeout: .seconds(5), tag: 7)
    static let writeRequest = try! SCSIRequest(
        CDB.Write10(lba: 8, transferLength: 1), dataTransfer: .toDevice(Array(repeating: 0xA5, count: 512)),
        timeout: .milliseconds(1500), tag: 8)

    /// Fixed-format sense (SPC-4 4.5.3): response code 70h, sense key at byte 2, ADDITIONAL
    /// SENSE LENGTH 10 at byte 7, ASC/ASCQ at bytes 12/13.
    static func fixedSense(key: UInt8, asc: UInt8, ascq: UInt8) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 18)
        bytes[0] = 0x70
        bytes[2] = key
        bytes[7] = 10
        bytes[12] = asc
        bytes[13] = ascq
        return bytes
    }

    @Test("a good read: data is the transfer length minus the residual, driver status OK")
    func goodReadWithResidual() {
        let buffer = (0..<4096).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let result = SGIOResult(residual: 512, dataIn: buffer)
        let completion = SCSICompletion(request: Self.readRequest, sgio: result, duration: .microseconds(300))
        #expect(completion.isGood)
        #expect(completion.tag == 7)
        #expect(completion.residual == 512)
        #expect(completion.dataIn == Array(buffer.prefix(4096 - 512)))
        #expect(completion.driverStatus == .ok)
        #expect(completion.duration == .microseconds(300))
    }

    @Test("a residual outside 0...length is clamped; a write carries no data in")
    func residualClampedAndWriteHasNoData() {
        let over = SCSICompletion(
            request: Self.readRequest, sgio: SGIOResult(residual: 9000, dataIn: [1, 2]), duration: .zero)
        #expect(over.residual == 4096 && over.dataIn.isEmpty)
        let negative = SCSICompletion(
            request: Self.writeRequest, sgio: SGIOResult(residual: -3, dataIn: [9]), duration: .zero)
        #expect(negative.residual == 0 && negative.dataIn.isEmpty && negative.isGood)
    }

    @Test("CHECK CONDITION with fixed sense: ILLEGAL REQUEST, LBA OUT OF RANGE, driver status SENSE")
    func checkConditionFixedSense() {
        let sense = Self.fixedSense(key: 0x05, asc: 0x21, ascq: 0x00)
        // The kernel reports DRIVER_SENSE (0x08) with a SUGGEST_* bit or none at all: both map to SENSE.
        for kernelDriverStatus: UInt16 in [0x00, 0x08, 0x18] {
            let result = SGIOResult(status: 0x02, driverStatus: kernelDriverStatus, sense: sense, residual: 4096)
            let completion = SCSICompletion(request: Self.readRequest, sgio: result, duration: .zero)
            #expect(completion.status == .checkCondition)
            #expect(completion.driverStatus == .sense)
            #expect(completion.hostStatus == .ok)
            #expect(completion.sense == sense)
            #expect(completion.senseData?.senseKey == .illegalRequest)
            #expect(completion.senseData?.additionalSenseCode == .logicalBlockAddressOutOfRange)
            #expect(completion.dataIn.isEmpty, "residual 4096 of 4096: nothing transferred")
        }
    }

    @Test("CHECK CONDITION with descriptor sense: INVALID COMMAND OPERATION CODE")
    func checkConditionDescriptorSense() {
        // Descriptor format (SPC-4 4.5.2): 72h, key at byte 1, ASC/ASCQ at 2/3, no descriptors.
        let sense: [UInt8] = [0x72, 0x05, 0x20, 0x00, 0, 0, 0, 0]
        let completion = SCSICompletion(
            request: Self.readRequest, sgio: SGIOResult(status: 0x02, driverStatus: 0x08, sense: sense), duration: .zero
        )
        #expect(completion.senseData?.senseKey == .illegalRequest)
        #expect(completion.senseData?.additionalSenseCode == .invalidCommandOperationCode)
    }

    @Test("sense longer than SPC's 252 bytes is cut to maxSenseLength")
    func senseCutToMaximum() {
        var sense = Self.fixedSense(key: 0x03, asc: 0x11, ascq: 0x00)
        sense += [UInt8](repeating: 0xEE, count: 300)
        let completion = SCSICompletion(
            request: Self.readRequest, sgio: SGIOResult(status: 0x02, sense: sense), duration: .zero)
        #expect(completion.sense.count == SCSIRequest.maxSenseLength)
    }

    @Test("DID_TIME_OUT and DRIVER_TIMEOUT → timeOut; like the simulated controller: GOOD, no sense, whole residual")
    func timeouts() {
        for (host, driver): (UInt16, UInt16) in [(0x03, 0), (0, 0x06), (0x03, 0x06)] {
            let result = SGIOResult(hostStatus: host, driverStatus: driver, residual: 0, dataIn: [1, 2, 3])
            let completion = SCSICompletion(request: Self.readRequest, sgio: result, duration: .seconds(5))
            #expect(completion.hostStatus == .timeOut)
            #expect(completion.status == .good && completion.sense.isEmpty && completion.dataIn.isEmpty)
            #expect(completion.residual == Self.readRequest.dataTransfer.byteCount)
            #expect(!completion.isGood)
        }
    }

    @Test("another host error keeps its DID_ code")
    func otherHostErrors() {
        let completion = SCSICompletion(
            request: Self.readRequest, sgio: SGIOResult(hostStatus: 0x07), duration: .zero)
        #expect(completion.hostStatus == .error)
        #expect(completion.residual == 4096)
    }

    @Test("a failed ioctl: gone → DID_NO_CONNECT, ETIMEDOUT → timeOut, EBUSY → DID_BUS_BUSY, else DID_ERROR")
    func systemErrors() {
        let expected: [(Int32, SCSIHostStatus)] = [
            (ENODEV, .noConnect), (ENXIO, .noConnect), (EBADF, .noConnect), (ECANCELED, .noConnect),
            (ETIMEDOUT, .timeOut), (EBUSY, .busBusy), (EAGAIN, .busBusy), (EIO, .error), (ENOMEM, .error),
            (EPERM, .error),
        ]
        for (code, host) in expected {
            let completion = SCSICompletion(request: Self.writeRequest, sgio: .failed(errno: code), duration: .zero)
            #expect(completion.hostStatus == host, "errno \(code)")
            #expect(completion.residual == 512)
        }
    }

    @Test("timeouts are rounded up to whole milliseconds, at least 1")
    func timeoutRounding() {
        #expect(SGIOCommand(Self.writeRequest).timeoutMilliseconds == 1500)
        #expect(SGIOCommand.milliseconds(roundingUp: .picoseconds(1)) == 1)
        #expect(SGIOCommand.milliseconds(roundingUp: .microseconds(1001)) == 2)
        #expect(SGIOCommand.milliseconds(roundingUp: .seconds(5)) == 5000)
        let command = SGIOCommand(Self.writeRequest)
        #expect(command.direction == .toDevice && command.transferLength == 512 && command.dataOut.count == 512)
        #expect(command.cdb == Self.writeRequest.cdb)
    }

    @Test("failure lines name the device, the command and the decoded sense in words")
    func failureLines() {
        let sense = Self.fixedSense(key: 0x05, asc: 0x21, ascq: 0x00)
        let checkCondition = SCSICompletion(
            request: Self.readRequest, sgio: SGIOResult(status: 0x02, driverStatus: 0x08, sense: sense, residual: 4096),
            duration: .zero)
        #expect(
            SGIOFailureText.line(device: "/dev/sg0", completion: checkCondition, request: Self.readRequest)
                == "/dev/sg0: READ(10) tag 7: CHECK CONDITION, sense key ILLEGAL REQUEST (0x5), "
                + "ASC/ASCQ 0x21/0x00 (LOGICAL BLOCK ADDRESS OUT OF RANGE), residual 4096")
        let timedOut = SCSICompletion(request: Self.writeRequest, sgio: SGIOResult(hostStatus: 0x03), duration: .zero)
        #expect(
            SGIOFailureText.line(device: "/dev/sg3", completion: timedOut, request: Self.writeRequest)
                == "/dev/sg3: WRITE(10) tag 8: timed out after 1500 ms (DID_TIME_OUT)")
        #expect(
            SGIOFailureText.line(device: "/dev/sg3", completion: timedOut, request: nil)
                == "/dev/sg3: tag 8: timed out (DID_TIME_OUT)")
        let gone = SCSICompletion(request: Self.writeRequest, sgio: .failed(errno: ENODEV), duration: .zero)
        #expect(
            SGIOFailureText.line(device: "/dev/sg3", completion: gone, request: nil)
                == "/dev/sg3: tag 8: device gone (DID_NO_CONNECT)")
        let opcode = SCSICompletion(
            request: Self.readRequest, sgio: SGIOResult(status: 0x02, sense: [0x72, 0x05, 0x20, 0x00, 0, 0, 0, 0]),
            duration: .zero)
        #expect(
            SGIOFailureText.line(device: "/dev/sg0", completion: opcode, request: nil)
                == "/dev/sg0: tag 7: CHECK CONDITION, sense key ILLEGAL REQUEST (0x5), "
                + "ASC/ASCQ 0x20/0x00 (INVALID COMMAND OPERATION CODE)")
    }

    @Test("the probe's percentiles are nearest-rank; its LBA stride visits every slot once")
    func probeArithmetic() {
        let values = (1...100).map { TimeSpan.microseconds(Int64($0)) }
        #expect(SGIOLatencyProbe.percentile(values.reversed(), 50) == .microseconds(50))
        #expect(SGIOLatencyProbe.percentile(values, 99) == .microseconds(99))
        #expect(SGIOLatencyProbe.percentile([.microseconds(3)], 99) == .microseconds(3))
        for slots in [1, 2, 7, 1024, 1000] {
            let stride = SGIOLatencyProbe.coprimeStride(for: slots)
            #expect(Set((0..<slots).map { $0 * stride % slots }).count == slots, "\(slots) slots")
        }
    }
}
