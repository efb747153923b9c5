import Benchmark
import ScannerProtocols

/// Scanner decoding costs. Targets: ≥ 1,000,000 keyboard reports/s decoded on one core, and < 1 ms from the last
/// report of a scan to the payload (the decode of that report is the whole path on the scanner thread; the lane
/// gets the scan from one AsyncStream yield).
nonisolated(unsafe) let benchmarks: @Sendable () -> Void = {
    // A 1 KiB CCCD-like payload typed by a US wedge: press + release report per character, then Enter.
    let text = String((0..<1024).map { i in Array("079203001234|NGUYEN VAN AN|15081992|Nam|HA NOI|20042021|")[i % 56] })
    let typed = wedgeReports(text)

    Benchmark(
        "keyboard wedge: decode 1000 reports (1 KiB payload, US layout)",
        configuration: .init(metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal], warmupIterations: 10, scalingFactor: .kilo, maxDuration: .seconds(3))
    ) { benchmark in
        var decoder = KeyboardWedgeDecoder(layout: .us)
        var index = 0
        var time = 0.0
        for _ in benchmark.scaledIterations {
            time += 0.0005
            blackHole(decoder.decode(typed[index], at: time))
            index = index + 1 == typed.count ? 0 : index + 1
        }
    }

    Benchmark(
        "keyboard wedge: last report (Enter) to payload, 1 KiB scan",
        configuration: .init(metrics: [.wallClock], warmupIterations: 10, scalingFactor: .one, maxDuration: .seconds(3))
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            var decoder = KeyboardWedgeDecoder(layout: .us)
            for report in typed.dropLast(2) { blackHole(decoder.decode(report, at: 0)) }
            benchmark.startMeasurement()
            let outcome = decoder.decode(typed[typed.count - 2], at: 0)
            benchmark.stopMeasurement()
            precondition(outcome.count == 1, "the Enter report must complete the scan")
            blackHole(outcome)
        }
    }

    let layout = try! HIDPOSLayout(HIDReportDescriptor(posDescriptor))
    let vietnamese = Array("079203001234||Nguyễn Văn An|15081992|Nam|Số 12 Phố Huế, Hai Bà Trưng, Hà Nội|20042021".utf8)
    let posScan = posReports(vietnamese)
    Benchmark(
        "HID POS: reassemble + UTF-8-validate a 2-report Vietnamese scan",
        configuration: .init(metrics: [.wallClock, .throughput], warmupIterations: 100, maxDuration: .seconds(3))
    ) { benchmark in
        var decoder = HIDPOSDecoder(layout: layout)
        for _ in benchmark.scaledIterations {
            for report in posScan { blackHole(decoder.decode(report, at: 0)) }
        }
    }
}

/// Press and release reports for `text` (letters, digits, space and the punctuation it uses), then Enter.
func wedgeReports(_ text: String) -> [[UInt8]] {
    var reports: [[UInt8]] = []
    for scalar in text.unicodeScalars {
        var found: (UInt8, UInt8)?
        for (modifiers, shift) in [(UInt8(0), false), (0x02, true)] where found == nil {
            for usage in UInt8(4)...UInt8(0x38) where KeyboardLayout.us.output(usage: usage, shift: shift, altGr: false) == .character(scalar) {
                found = (modifiers, usage)
                break
            }
        }
        let (modifiers, usage) = found!
        reports.append([modifiers, 0, usage, 0, 0, 0, 0, 0])
        reports.append([0, 0, 0, 0, 0, 0, 0, 0])
    }
    reports.append([0, 0, 0x28, 0, 0, 0, 0, 0])
    reports.append([0, 0, 0, 0, 0, 0, 0, 0])
    return reports
}

/// The 64-byte scanned-data layout of the emulated HID POS scanner (see Tests/Fixtures/umockdev/gen.py).
let posDescriptor: [UInt8] = [
    0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01, 0x85, 0x02, 0x09, 0x12, 0xA1, 0x02, 0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08,
    0x95, 0x01, 0x06, 0x00, 0xFF, 0x09, 0x01, 0x81, 0x02, 0x05, 0x8C, 0x95, 0x03, 0x19, 0xFB, 0x29, 0xFD, 0x81, 0x02,
    0x95, 0x38, 0x09, 0xFE, 0x82, 0x02, 0x01, 0x95, 0x02, 0x81, 0x03, 0x95, 0x01, 0x09, 0xFF, 0x81, 0x02, 0xC0, 0xC0,
]

func posReports(_ payload: [UInt8]) -> [[UInt8]] {
    var reports: [[UInt8]] = []
    var rest = payload[...]
    repeat {
        let part = rest.prefix(56)
        rest = rest.dropFirst(part.count)
        var report = [UInt8](repeating: 0, count: 64)
        report[0] = 2
        report[1] = UInt8(part.count)
        report[2] = 0x5D
        report[3] = 0x51
        report[4] = 0x31
        for (i, b) in part.enumerated() { report[5 + i] = b }
        report[63] = rest.isEmpty ? 0 : 1
        reports.append(report)
    } while !rest.isEmpty
    return reports
}
