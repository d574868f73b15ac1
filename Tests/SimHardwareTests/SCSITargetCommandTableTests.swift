import Hardware
import SimHardware
import Testing

/// One row of the command table: a CDB with its data from an initiator, and the answer.
private struct Row: CustomTestStringConvertible {
    var name: String
    var cdb: [UInt8]
    var transfer: SCSIDataTransfer = .none
    var from: InitiatorID = Controller.red
    var status: SCSIStatus = .good
    /// Sense key, ASC, ASCQ when CHECK CONDITION.
    var sense: (SenseKey, UInt8, UInt8)? = nil
    /// The first bytes of the data in.
    var prefix: [UInt8] = []
    /// The residual, when the row checks it.
    var residual: Int? = nil

    var testDescription: String { name }
}

@Suite("SCSITarget command table")
struct SCSITargetCommandTableTests {
    /// Every command the target answers, in order on one target where Red holds an Exclusive
    /// Access reservation and Blue is registered; rows that write are read back by later rows.
    /// Expected figures come from the configuration (capacity, block size, strings).
    @Test("each CDB returns the right data or the right sense")
    func table() {
        let configuration = TargetRig.scsiDisk()
        var rig = TargetRig(configuration)
        rig.reserveOut(.register, key: 0, serviceActionKey: 0xAA, from: Controller.red)
        rig.reserveOut(.register, key: 0, serviceActionKey: 0xBB, from: Controller.blue)
        rig.reserveOut(.reserve, type: .exclusiveAccess, key: 0xAA, from: Controller.red)

        let blockSize = configuration.blockSize
        let lastLBA = configuration.blockCount - 1
        let data = TargetRig.pattern(8 * blockSize, seed: 3)
        let wwn = (0..<8).map { UInt8(truncatingIfNeeded: configuration.worldWideName >> UInt64(56 - 8 * $0)) }
        let serial = Array(configuration.serialNumber.utf8)
        let vendor = Array(configuration.vendor.utf8) + [UInt8](repeating: 0x20, count: 8 - configuration.vendor.count)
        // Caching page: code 08h, length 12h, WCE (bit 2) from the configuration.
        let cachingPage: [UInt8] = [0x08, 0x12, configuration.writeCacheEnabled ? 0x04 : 0x00]
        let illegal = SenseKey.illegalRequest

        let rows: [Row] = [
            Row(name: "TEST UNIT READY", cdb: CDB.TestUnitReady().bytes),
            Row(
                name: "INQUIRY standard: type 0, SPC-3, format 2, length 31, MULTIP, CMDQUE, vendor",
                cdb: CDB.Inquiry(allocationLength: 36).bytes, transfer: .fromDevice(count: 36),
                prefix: [0x00, 0x00, 0x05, 0x02, 31, 0x00, 0x10, 0x02] + vendor, residual: 0),
            Row(
                name: "INQUIRY allocation length 5 cuts the data; residual = buffer − 5",
                cdb: CDB.Inquiry(allocationLength: 5).bytes, transfer: .fromDevice(count: 96),
                prefix: [0x00, 0x00, 0x05, 0x02, 31], residual: 96 - 5),
            Row(
                name: "INQUIRY VPD 00h lists 00h 80h 83h",
                cdb: CDB.Inquiry(vitalProductData: true, pageCode: 0x00).bytes, transfer: .fromDevice(count: 96),
                prefix: [0x00, 0x00, 0x00, 0x03, 0x00, 0x80, 0x83], residual: 96 - 7),
            Row(
                name: "INQUIRY VPD 80h: the serial number",
                cdb: CDB.Inquiry(vitalProductData: true, pageCode: 0x80).bytes, transfer: .fromDevice(count: 96),
                prefix: [0x00, 0x80, 0x00, UInt8(serial.count)] + serial, residual: 96 - 4 - serial.count),
            Row(
                name: "INQUIRY VPD 83h: binary NAA designator, length 8, the WWN",
                cdb: CDB.Inquiry(vitalProductData: true, pageCode: 0x83).bytes, transfer: .fromDevice(count: 96),
                prefix: [0x00, 0x83, 0x00, 12, 0x01, 0x03, 0x00, 0x08] + wwn, residual: 96 - 16),
            Row(
                name: "INQUIRY VPD 99h unsupported → INVALID FIELD IN CDB",
                cdb: CDB.Inquiry(vitalProductData: true, pageCode: 0x99).bytes, transfer: .fromDevice(count: 96),
                status: .checkCondition, sense: (illegal, 0x24, 0x00)),
            Row(
                name: "INQUIRY page code without EVPD → INVALID FIELD IN CDB",
                cdb: CDB.Inquiry(pageCode: 0x80).bytes, transfer: .fromDevice(count: 96), status: .checkCondition,
                sense: (illegal, 0x24, 0x00)),
            Row(
                name: "READ CAPACITY(10): last LBA = blockCount − 1, block length",
                cdb: CDB.ReadCapacity10().bytes, transfer: .fromDevice(count: 8),
                prefix: ReadCapacity10Data(lastLBA: UInt32(lastLBA), blockLength: UInt32(blockSize)).bytes,
                residual: 0),
            Row(
                name: "READ CAPACITY(16): 64-bit last LBA",
                cdb: CDB.ReadCapacity16().bytes, transfer: .fromDevice(count: 32),
                prefix: ReadCapacity16Data(lastLBA: lastLBA, blockLength: UInt32(blockSize)).bytes, residual: 0),
            Row(
                name: "REPORT LUNS: list length 8, LUN 0",
                cdb: CDB.ReportLUNs().bytes, transfer: .fromDevice(count: 4096),
                prefix: [0, 0, 0, 8, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 8), residual: 4096 - 16),
            Row(
                name: "REPORT LUNS allocation length 8 < 16 → INVALID FIELD IN CDB",
                cdb: CDB.ReportLUNs(allocationLength: 8).bytes, transfer: .fromDevice(count: 8),
                status: .checkCondition, sense: (illegal, 0x24, 0x00)),
            Row(
                name: "REQUEST SENSE with nothing pending: fixed, NO SENSE, additional length 10",
                cdb: CDB.RequestSense(allocationLength: 18).bytes, transfer: .fromDevice(count: 18),
                prefix: [0x70, 0x00, 0x00, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x00, 0x00], residual: 0),
            Row(
                name: "REQUEST SENSE DESC=1 (descriptor format unsupported) → INVALID FIELD IN CDB",
                cdb: CDB.RequestSense(descriptorFormat: true).bytes, transfer: .fromDevice(count: 252),
                status: .checkCondition, sense: (illegal, 0x24, 0x00)),
            Row(
                name: "MODE SENSE(6) caching: length 3+8+20, DPOFUA, 8-byte descriptor, WCE",
                cdb: CDB.ModeSense6(pageCode: 0x08).bytes, transfer: .fromDevice(count: 255),
                prefix: [UInt8(3 + 8 + 20), 0x00, 0x10, 8]
                    + ModeParameters.shortBlockDescriptor(
                        blockCount: configuration.blockCount, blockLength: UInt32(blockSize)) + cachingPage,
                residual: 255 - (4 + 8 + 20)),
            Row(
                name: "MODE SENSE(10) all pages, DBD: caching then control",
                cdb: CDB.ModeSense10(pageCode: 0x3F, disableBlockDescriptors: true).bytes,
                transfer: .fromDevice(count: 4096),
                prefix: [0x00, UInt8(6 + 20 + 12), 0x00, 0x10, 0x00, 0x00, 0x00, 0x00] + cachingPage,
                residual: 4096 - (8 + 20 + 12)),
            Row(
                name: "MODE SENSE(6) page 19h unsupported → INVALID FIELD IN CDB",
                cdb: CDB.ModeSense6(pageCode: 0x19).bytes, transfer: .fromDevice(count: 255), status: .checkCondition,
                sense: (illegal, 0x24, 0x00)),
            Row(
                name: "MODE SENSE(6) saved values → SAVING PARAMETERS NOT SUPPORTED",
                cdb: CDB.ModeSense6(pageCode: 0x08, pageControl: .saved).bytes, transfer: .fromDevice(count: 255),
                status: .checkCondition, sense: (illegal, 0x39, 0x00)),
            Row(
                name: "WRITE(10) 8 blocks at LBA 16",
                cdb: CDB.Write10(lba: 16, transferLength: 8).bytes, transfer: .toDevice(data), residual: 0),
            Row(
                name: "READ(10) 8 blocks at LBA 16 reads the write back",
                cdb: CDB.Read10(lba: 16, transferLength: 8).bytes, transfer: .fromDevice(count: data.count),
                prefix: data, residual: 0),
            Row(
                name: "READ(16) of never-written blocks: zeros",
                cdb: CDB.Read16(lba: 1_000, transferLength: 1).bytes, transfer: .fromDevice(count: blockSize),
                prefix: [UInt8](repeating: 0, count: blockSize), residual: 0),
            Row(
                name: "READ(10) past the last LBA → LBA OUT OF RANGE",
                cdb: CDB.Read10(lba: UInt32(lastLBA), transferLength: 2).bytes,
                transfer: .fromDevice(count: 2 * blockSize), status: .checkCondition, sense: (illegal, 0x21, 0x00)),
            Row(
                name: "WRITE(16) whose LBA + length overflows → LBA OUT OF RANGE",
                cdb: CDB.Write16(lba: .max, transferLength: 2).bytes, transfer: .toDevice(data),
                status: .checkCondition, sense: (illegal, 0x21, 0x00)),
            Row(
                name: "READ(10) into a smaller buffer: what fits, GOOD, residual 0 (scsi_debug)",
                cdb: CDB.Read10(lba: 16, transferLength: 8).bytes, transfer: .fromDevice(count: 2 * blockSize),
                prefix: Array(data.prefix(2 * blockSize)), residual: 0),
            Row(
                name: "READ(10) into a larger buffer: residual = buffer − 8 blocks",
                cdb: CDB.Read10(lba: 16, transferLength: 8).bytes, transfer: .fromDevice(count: 16 * blockSize),
                prefix: data, residual: 8 * blockSize),
            Row(
                name: "WRITE(10) with a data-in buffer → INVALID FIELD IN CDB",
                cdb: CDB.Write10(lba: 16, transferLength: 1).bytes, transfer: .fromDevice(count: blockSize),
                status: .checkCondition, sense: (illegal, 0x24, 0x00)),
            Row(
                name: "WRITE(10) with more data-out than 1 block: residual = the excess",
                cdb: CDB.Write10(lba: 40, transferLength: 1).bytes, transfer: .toDevice(data),
                residual: data.count - blockSize),
            Row(
                name: "WRITE(10) of 2 blocks with 1 block of data-out: stores what came, GOOD, residual 0 (scsi_debug)",
                cdb: CDB.Write10(lba: 48, transferLength: 2).bytes, transfer: .toDevice(Array(data.prefix(blockSize))),
                residual: 0),
            Row(
                name: "… and the second block keeps its old bytes (zeros)",
                cdb: CDB.Read10(lba: 48, transferLength: 2).bytes, transfer: .fromDevice(count: 2 * blockSize),
                prefix: Array(data.prefix(blockSize)) + [UInt8](repeating: 0, count: blockSize), residual: 0),
            Row(
                name: "SYNCHRONIZE CACHE(10)", cdb: CDB.SynchronizeCache10().bytes),
            Row(
                name: "START STOP UNIT (unsupported) → INVALID COMMAND OPERATION CODE",
                cdb: [0x1B, 0, 0, 0, 1, 0], status: .checkCondition, sense: (illegal, 0x20, 0x00)),
            Row(
                name: "ATA PASS-THROUGH on a SCSI disk → INVALID COMMAND OPERATION CODE",
                cdb: CDB.ATAPassThrough16.identifyDevice().bytes, transfer: .fromDevice(count: 512),
                status: .checkCondition, sense: (illegal, 0x20, 0x00)),
            Row(
                name: "PR IN READ KEYS: generation 2 (two REGISTERs), 16 bytes of keys, AA then BB",
                cdb: CDB.PersistentReserveIn(serviceAction: .readKeys).bytes, transfer: .fromDevice(count: 64),
                prefix: PersistentReserveInKeys(generation: 2, keys: [0xAA, 0xBB]).bytes, residual: 64 - 24),
            Row(
                name: "PR IN service action 1Fh → INVALID FIELD IN CDB",
                cdb: CDB.PersistentReserveIn(serviceAction: PersistentReserveInAction(rawValue: 0x1F)).bytes,
                transfer: .fromDevice(count: 64), status: .checkCondition, sense: (illegal, 0x24, 0x00)),
            Row(
                name: "PR OUT parameter list length 16 → PARAMETER LIST LENGTH ERROR",
                cdb: CDB.PersistentReserveOut(serviceAction: .register, parameterListLength: 16).bytes,
                transfer: .toDevice([UInt8](repeating: 0, count: 16)), status: .checkCondition,
                sense: (illegal, 0x1A, 0x00)),
            Row(
                name: "Blue (registered, not holder) READ under Exclusive Access → RESERVATION CONFLICT",
                cdb: CDB.Read10(lba: 16, transferLength: 1).bytes, transfer: .fromDevice(count: blockSize),
                from: Controller.blue, status: .reservationConflict),
            Row(
                name: "Blue WRITE under Exclusive Access → RESERVATION CONFLICT",
                cdb: CDB.Write10(lba: 16, transferLength: 8).bytes, transfer: .toDevice(data), from: Controller.blue,
                status: .reservationConflict),
            Row(
                name: "Blue (registered) MODE SENSE under Exclusive Access is allowed",
                cdb: CDB.ModeSense6(pageCode: 0x08, disableBlockDescriptors: true).bytes,
                transfer: .fromDevice(count: 255), from: Controller.blue, prefix: [UInt8(3 + 20), 0x00, 0x10, 0]),
            Row(
                name: "Green (unregistered) MODE SENSE under Exclusive Access → RESERVATION CONFLICT",
                cdb: CDB.ModeSense6(pageCode: 0x08).bytes, transfer: .fromDevice(count: 255), from: Controller.green,
                status: .reservationConflict),
            Row(
                name: "Green SYNCHRONIZE CACHE → RESERVATION CONFLICT",
                cdb: CDB.SynchronizeCache10().bytes, from: Controller.green, status: .reservationConflict),
            Row(
                name: "Green INQUIRY, allowed under any reservation",
                cdb: CDB.Inquiry(allocationLength: 36).bytes, transfer: .fromDevice(count: 36), from: Controller.green,
                prefix: [0x00, 0x00, 0x05], residual: 0),
            Row(
                name: "Green READ CAPACITY(10), allowed", cdb: CDB.ReadCapacity10().bytes,
                transfer: .fromDevice(count: 8), from: Controller.green, residual: 0),
            Row(name: "Green TEST UNIT READY, allowed", cdb: CDB.TestUnitReady().bytes, from: Controller.green),
            Row(
                name: "Green PR IN READ RESERVATION, allowed: Red's key AA, type 3",
                cdb: CDB.PersistentReserveIn(serviceAction: .readReservation).bytes, transfer: .fromDevice(count: 24),
                from: Controller.green,
                prefix: PersistentReserveInReservation(
                    generation: 2, reservation: .init(key: 0xAA, type: .exclusiveAccess)
                ).bytes, residual: 0),
        ]

        for row in rows {
            let response = rig.run(row.cdb, row.transfer, from: row.from)
            #expect(response.status == row.status, "\(row.name)")
            if let (key, asc, ascq) = row.sense {
                let decoded = TargetRig.sense(response)
                #expect(decoded?.format == .fixed, "\(row.name): fixed-format sense")
                #expect(decoded?.senseKey == key, "\(row.name): sense key")
                #expect(
                    decoded?.additionalSenseCode == AdditionalSenseCode(asc: asc, ascq: ascq), "\(row.name): ASC/ASCQ")
            } else {
                #expect(response.sense.isEmpty, "\(row.name): no sense")
            }
            #expect(Array(response.dataIn.prefix(row.prefix.count)) == row.prefix, "\(row.name): data")
            if let residual = row.residual { #expect(response.residual == residual, "\(row.name): residual") }
        }
    }

    @Test("field pointers: INQUIRY's page code is CDB byte 2; an unsupported opcode points at byte 0")
    func fieldPointers() {
        var rig = TargetRig()
        let inquiry = rig.run(
            CDB.Inquiry(vitalProductData: true, pageCode: 0x99).bytes, .fromDevice(count: 96))
        let pointer = TargetRig.sense(inquiry)?.senseKeySpecific?.fieldPointer
        #expect(pointer?.inCDB == true && pointer?.byte == 2)
        let opcode = rig.run([0x1B, 0, 0, 0, 1, 0])
        #expect(TargetRig.sense(opcode)?.senseKeySpecific?.fieldPointer.byte == 0)
    }

    @Test("READ CAPACITY(10) says FFFF_FFFFh when the last LBA needs more than 32 bits")
    func capacityTooLarge() {
        let big = SCSITargetConfiguration(
            interface: .scsi, vendor: "V", product: "P", revision: "1", serialNumber: "S", worldWideName: 1,
            blockCount: 1 << 33, writeCacheEnabled: false)
        var rig = TargetRig(big)
        let ten = rig.run(CDB.ReadCapacity10().bytes, .fromDevice(count: 8))
        #expect(ReadCapacity10Data(bytes: ten.dataIn)?.lastLBA == UInt32.max)
        let sixteen = rig.run(CDB.ReadCapacity16().bytes, .fromDevice(count: 32))
        #expect(ReadCapacity16Data(bytes: sixteen.dataIn)?.lastLBA == big.blockCount - 1)
    }
}
