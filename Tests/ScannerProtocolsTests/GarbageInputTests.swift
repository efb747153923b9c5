import ScannerProtocols
import Testing

/// Hostile or broken devices: random reports and descriptors must never crash a decoder, and whatever comes out
/// still obeys the limits (valid text, at most 4 KiB).
@Suite struct GarbageInputTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        mutating func bytes(upTo limit: Int) -> [UInt8] {
            (0..<Int(next() % UInt64(limit + 1))).map { _ in UInt8(truncatingIfNeeded: next()) }
        }
    }

    /// What came out of the garbage: every scan within the limits, and how many scans and refusals there were.
    struct Tally {
        var scans = 0
        var rejections: [ScanRejection] = []
        mutating func check(_ outcomes: [ScanOutcome]) {
            for outcome in outcomes {
                switch outcome {
                case .scan(let scan):
                    #expect(scan.byteCount <= ScanLimits.maxBytes && !scan.payload.isEmpty)
                    scans += 1
                case .rejected(let rejection): rejections.append(rejection)
                }
            }
        }
    }

    static func check(_ outcomes: [ScanOutcome]) {
        var tally = Tally()
        tally.check(outcomes)
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64]) func randomKeyboardReports(seed: UInt64) {
        var random = Generator(state: seed)
        var decoder = KeyboardWedgeDecoder(layout: KeyboardLayout.allCases[Int(seed) % 4], suffix: seed % 2 == 0 ? .enter : .none)
        var scans = 0
        for i in 0..<50_000 {
            // Mostly well-formed 8-byte reports with random keys and modifiers, some of other lengths.
            let report = random.next() % 10 == 0 ? random.bytes(upTo: 16) : (0..<8).map { _ in UInt8(truncatingIfNeeded: random.next() % 0x70) }
            let outcomes = decoder.decode(report, at: Double(i) * 0.001)
            scans += outcomes.count
            Self.check(outcomes)
        }
        #expect(scans > 0)  // the generator does hit Enter and the gap
    }

    @Test(arguments: [5, 6, 7] as [UInt64]) func randomDescriptorsAndPOSReports(seed: UInt64) throws {
        var random = Generator(state: seed)
        for _ in 0..<20_000 {
            _ = try? HIDReportDescriptor(random.bytes(upTo: 80))
        }
        let layout = try HIDPOSLayout(HIDReportDescriptor(posDescriptor))
        var decoder = HIDPOSDecoder(layout: layout)
        var tally = Tally()
        for i in 0..<50_000 {
            var report = random.bytes(upTo: 70)
            if report.count > 1, random.next() % 2 == 0 { report[0] = 2 }
            tally.check([decoder.decode(report, at: Double(i) * 0.01), decoder.idle(at: Double(i) * 0.01)].compactMap { $0 })
        }
        // The garbage was refused, not ignored, and the decoder is not left broken by it: a good scan after it
        // comes out whole.
        #expect(tally.rejections.count > 0, "no report of garbage was refused")
        var good: [ScanOutcome] = []
        for (i, report) in posReports(Array("079190012345|Nguyễn Văn An".utf8)).enumerated() {
            if let outcome = decoder.decode(report, at: 600 + Double(i) * 0.004) { good.append(outcome) }
        }
        if let outcome = decoder.idle(at: 700) { good.append(outcome) }
        let whole = good.contains(.scan(DecodedScan(payload: "079190012345|Nguyễn Văn An", symbology: "]Q1")))
        #expect(whole, "after the garbage: \(good.prefix(3))")
    }

    @Test func randomSerialBytes() {
        var random = Generator(state: 9)
        var assembler = ScanAssembler(suffix: .lf)
        var tally = Tally()
        // Mostly text with stray bytes, a line end about every 50 bytes, and now and then a run with no line end
        // past the 4 KiB limit.
        var i = 0
        while i < 200_000 {
            let long = random.next() % 1000 == 0
            for _ in 0..<(long ? 5_000 : 1) {
                let byte: UInt8 = !long && random.next() % 50 == 0 ? 0x0A
                    : random.next() % 20 == 0 ? UInt8(truncatingIfNeeded: random.next()) : UInt8(0x20 + random.next() % 0x5F)
                tally.check([assembler.append(byte, at: Double(i) * 0.0001)].compactMap { $0 })
                i += 1
            }
        }
        let invalid = tally.rejections.filter { if case .invalidUTF8 = $0 { true } else { false } }.count
        let tooLong = tally.rejections.filter { $0 == .tooLong(limit: ScanLimits.maxBytes) }.count
        #expect(tally.scans > 100, "\(tally.scans) scans out of the text")
        #expect(invalid > 0, "stray bytes refused as invalid UTF-8")
        #expect(tooLong > 0, "a line past the limit refused (\(tally.rejections.count) refusals, none for length)")
    }
}
