import ScannerProtocols
import Testing

@Suite struct HIDPOSTests {
    static let vietnamese = "079203001234||Nguyễn Văn An|15081992|Nam|Số 12 Phố Huế, Hai Bà Trưng, Hà Nội|20042021"

    @Test func descriptorGivesTheScannedDataLayout() throws {
        let descriptor = try HIDReportDescriptor(posDescriptor)
        #expect(descriptor.applications == [.barCodeScanner])
        #expect(descriptor.inputReportLength(id: 2) == 64)
        let layout = try HIDPOSLayout(descriptor)
        #expect(layout.reportID == 2)
        #expect(layout.lengthIndex == 1)
        #expect(layout.symbologyIndex == 2 && layout.symbologyCount == 3)
        #expect(layout.dataIndex == 5 && layout.dataCount == 56)
        #expect(layout.moreIndex == 63 && layout.moreMask == 1)
    }

    @Test func vietnameseTextSpreadOverReportsArrivesIntact() throws {
        let layout = try HIDPOSLayout(HIDReportDescriptor(posDescriptor))
        var decoder = HIDPOSDecoder(layout: layout)
        let reports = posReports(Array(Self.vietnamese.utf8))
        #expect(reports.count == 2)
        // The cut at byte 56 falls inside a multi-byte character; reassembly happens before UTF-8 decoding.
        #expect(String(validating: reports[0][5..<61], as: UTF8.self) == nil)
        var outcomes: [ScanOutcome] = []
        for (i, report) in reports.enumerated() {
            if let outcome = decoder.decode(report, at: Double(i) * 0.004) { outcomes.append(outcome) }
        }
        #expect(outcomes == [.scan(DecodedScan(payload: Self.vietnamese, symbology: "]Q1"))])
    }

    @Test func aKeyboardDescriptorIsNotAScanner() throws {
        let boot: [UInt8] = [
            0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01,
            0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x01, 0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x65,
            0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00, 0xC0,
        ]
        let descriptor = try HIDReportDescriptor(boot)
        #expect(descriptor.applications == [.keyboard])
        #expect(descriptor.inputReportLength(id: 0) == 8)
        #expect(throws: HIDPOSLayout.NotAScanner.self) { try HIDPOSLayout(descriptor) }
    }

    @Test func brokenDescriptorsThrow() {
        #expect(throws: HIDReportDescriptor.ParseError.self) { try HIDReportDescriptor([0x05]) }  // truncated
        #expect(throws: HIDReportDescriptor.ParseError.self) { try HIDReportDescriptor([0xC0]) }  // End without Collection
        #expect(throws: HIDReportDescriptor.ParseError.self) { try HIDReportDescriptor([0x85, 0x00]) }  // report ID 0
        #expect(throws: HIDReportDescriptor.ParseError.self) { try HIDReportDescriptor([0x75, 0x40, 0x95, 0x01, 0x81, 0x02]) }
    }

    @Test func badReportsAreRejectedAndDoNotPoisonTheNextScan() throws {
        let layout = try HIDPOSLayout(HIDReportDescriptor(posDescriptor))
        var decoder = HIDPOSDecoder(layout: layout)
        var wrongID = posReports(Array("X".utf8))[0]
        wrongID[0] = 5
        #expect(decoder.decode(wrongID, at: 0) == .rejected(.unmatchedReport("report ID 5 is not the scanned-data report 2")))
        #expect(decoder.decode([2, 3, 0x5D], at: 0) == .rejected(.malformedReport("3-byte scanned-data report, expected 64")))
        var badLength = posReports(Array("X".utf8))[0]
        badLength[1] = 200
        #expect(decoder.decode(badLength, at: 0) == .rejected(.malformedReport("length byte 200 exceeds the 56 data bytes")))
        #expect(decoder.decode([UInt8](), at: 0) == nil)  // zero-length transfer
        // Invalid UTF-8 (a Latin-1 é) is rejected, not repaired.
        #expect(decoder.decode(posReports([0x43, 0x61, 0x66, 0xE9])[0], at: 0) == .rejected(.invalidUTF8(byteCount: 4)))
        #expect(decoder.decode(posReports(Array("HC1:OK".utf8))[0], at: 1) == .scan(DecodedScan(payload: "HC1:OK", symbology: "]Q1")))
    }

    @Test func missingContinuationIsDroppedAfterAPause() throws {
        let layout = try HIDPOSLayout(HIDReportDescriptor(posDescriptor))
        var decoder = HIDPOSDecoder(layout: layout)
        let reports = posReports(Array(Self.vietnamese.utf8))
        #expect(decoder.decode(reports[0], at: 0) == nil)
        #expect(decoder.idle(at: 0.5) == nil)
        #expect(decoder.idle(at: 1.5) == .rejected(.incomplete(reason: "continuation report missing after 56 bytes")))
        #expect(decoder.decode(posReports(Array("NEXT".utf8), aim: "\0\0\0")[0], at: 2) == .scan(DecodedScan(payload: "NEXT")))
    }

    @Test func overFourKiBIsRejected() throws {
        let layout = try HIDPOSLayout(HIDReportDescriptor(posDescriptor))
        var decoder = HIDPOSDecoder(layout: layout)
        let outcomes = posReports([UInt8](repeating: 0x41, count: 5000)).compactMap { decoder.decode($0, at: 0) }
        #expect(outcomes == [.rejected(.tooLong(limit: 4096))])
    }
}

@Suite struct SerialFramingTests {
    @Test func crlfSuffixAndUTF8() {
        var assembler = ScanAssembler(suffix: .enter)
        var outcomes: [ScanOutcome] = []
        for byte in Array("Nguyễn Văn An\r\nHC1:X\r\n".utf8) {
            if let outcome = assembler.append(byte, at: 0) { outcomes.append(outcome) }
        }
        #expect(outcomes == [.scan(DecodedScan(payload: "Nguyễn Văn An")), .scan(DecodedScan(payload: "HC1:X"))])
    }

    @Test func invalidUTF8IsRejected() {
        var assembler = ScanAssembler(suffix: .lf)
        var outcomes: [ScanOutcome] = []
        for byte: UInt8 in [0xC3, 0x28, 0x0A] {
            if let outcome = assembler.append(byte, at: 0) { outcomes.append(outcome) }
        }
        #expect(outcomes == [.rejected(.invalidUTF8(byteCount: 2))])
    }

    @Test func rejectionStormIsThrottled() {
        var throttle = RejectionThrottle(interval: 1)
        var passed: [Int] = []
        for i in 0..<1000 {
            if let (_, suppressed) = throttle.admit(.malformedReport("x"), at: Double(i) * 0.01) { passed.append(suppressed) }
        }
        // 10 s of storm: one rejection per second passes, carrying the count held back since the previous.
        #expect(passed.count == 10)
        #expect(passed.first == 0 && passed.dropFirst().allSatisfy { $0 == 99 })
        // When the storm stops, what was held back since the last report is flushed once.
        #expect(throttle.flush(at: 9.995) == nil)  // inside the interval after the last passed one (t = 9)
        #expect(throttle.flush(at: 10.5) == 99)
        #expect(throttle.flush(at: 12) == nil)
    }

    @Test func altCodePages() {
        #expect(AltCodePage.character(digits: [1, 3, 0]) == "é")  // CP437 130
        #expect(AltCodePage.character(digits: [0, 1, 3, 0]) == "‚")  // Windows-1252 130
        #expect(AltCodePage.character(digits: [0, 1, 2, 9]) == nil)  // undefined in Windows-1252
        #expect(AltCodePage.character(digits: [2, 5, 6]) == nil)
    }
}
