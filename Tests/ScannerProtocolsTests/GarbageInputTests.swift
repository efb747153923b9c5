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

    static func check(_ outcomes: [ScanOutcome]) {
        for case .scan(let scan) in outcomes {
            #expect(scan.byteCount <= ScanLimits.maxBytes && !scan.payload.isEmpty)
        }
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
        for i in 0..<50_000 {
            var report = random.bytes(upTo: 70)
            if report.count > 1, random.next() % 2 == 0 { report[0] = 2 }
            Self.check([decoder.decode(report, at: Double(i) * 0.01), decoder.idle(at: Double(i) * 0.01)].compactMap { $0 })
        }
    }

    @Test func randomSerialBytes() {
        var random = Generator(state: 9)
        var assembler = ScanAssembler(suffix: .lf)
        for i in 0..<200_000 {
            let byte = random.next() % 50 == 0 ? 0x0A : UInt8(truncatingIfNeeded: random.next())
            Self.check([assembler.append(byte, at: Double(i) * 0.0001)].compactMap { $0 })
        }
    }
}
