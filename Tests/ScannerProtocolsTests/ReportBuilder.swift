import ScannerProtocols

/// Builds boot-keyboard reports the way a wedge scanner types: for each character a press report and an all-zero
/// release report. Inverts the layout tables by search, so a test of "every printable character" does not restate
/// the table it checks.
struct WedgeTyping {
    var layout: KeyboardLayout

    /// (modifiers, usage) that types `scalar` directly (no dead keys, no Alt codes), or nil.
    func keystroke(for scalar: Unicode.Scalar) -> (UInt8, UInt8)? {
        for (modifiers, shift, altGr) in [(UInt8(0), false, false), (0x02, true, false), (0x40, false, true)] {
            for usage in UInt8(0x04)...UInt8(0x64) {
                if layout.output(usage: usage, shift: shift, altGr: altGr && layout != .us) == .character(scalar) {
                    return (modifiers, usage)
                }
            }
        }
        return nil
    }

    /// A dead key whose accent, followed by Space, types `scalar` (`^` and `` ` `` on German keyboards).
    func deadKeystroke(for scalar: Unicode.Scalar) -> (UInt8, UInt8)? {
        for (modifiers, shift) in [(UInt8(0), false), (0x02, true)] {
            for usage in UInt8(0x04)...UInt8(0x64) {
                if case .deadKey(let accent) = layout.output(usage: usage, shift: shift, altGr: false), accent.spacing == scalar {
                    return (modifiers, usage)
                }
            }
        }
        return nil
    }

    func reports(typing text: String, suffix: UInt8? = 0x28) -> [[UInt8]] {
        var reports: [[UInt8]] = []
        for scalar in text.unicodeScalars {
            if let (modifiers, usage) = keystroke(for: scalar) {
                reports.append([modifiers, 0, usage, 0, 0, 0, 0, 0])
            } else if let (modifiers, usage) = deadKeystroke(for: scalar) {
                reports.append([modifiers, 0, usage, 0, 0, 0, 0, 0])
                reports.append([0, 0, 0, 0, 0, 0, 0, 0])
                reports.append([0, 0, 0x2C, 0, 0, 0, 0, 0])
            } else {
                fatalError("cannot type \(scalar) on \(layout)")
            }
            reports.append([0, 0, 0, 0, 0, 0, 0, 0])
        }
        if let suffix {
            reports.append([0, 0, suffix, 0, 0, 0, 0, 0])
            reports.append([0, 0, 0, 0, 0, 0, 0, 0])
        }
        return reports
    }
}

/// Feeds reports 1 ms apart and collects the outcomes.
func decodeAll(_ decoder: inout KeyboardWedgeDecoder, _ reports: [[UInt8]], start: Double = 0) -> [ScanOutcome] {
    var outcomes: [ScanOutcome] = []
    for (i, report) in reports.enumerated() { outcomes += decoder.decode(report, at: start + Double(i) * 0.001) }
    return outcomes
}

func payloads(_ outcomes: [ScanOutcome]) -> [String] {
    outcomes.compactMap { if case .scan(let scan) = $0 { scan.payload } else { nil } }
}

/// The HID POS report descriptor our emulated scanners declare (64-byte report ID 2: length, AIM id ×3,
/// 56 data bytes, 2 reserved, continuation flag).
let posDescriptor: [UInt8] = [
    0x05, 0x8C,  // Usage Page (Bar Code Scanner)
    0x09, 0x02,  // Usage (Bar Code Scanner)
    0xA1, 0x01,  // Collection (Application)
    0x85, 0x02,  //   Report ID 2
    0x09, 0x12,  //   Usage (Scanned Data Report)
    0xA1, 0x02,  //   Collection (Logical)
    0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08,  // Logical 0–255, 8 bits
    0x95, 0x01, 0x06, 0x00, 0xFF, 0x09, 0x01, 0x81, 0x02,  // 1 × vendor 0xFF00:01 (length)
    0x05, 0x8C, 0x95, 0x03, 0x19, 0xFB, 0x29, 0xFD, 0x81, 0x02,  // 3 × Symbology Identifier 1–3
    0x95, 0x38, 0x09, 0xFE, 0x82, 0x02, 0x01,  // 56 × Decoded Data (buffered bytes)
    0x95, 0x02, 0x81, 0x03,  // 2 × constant (reserved)
    0x95, 0x01, 0x09, 0xFF, 0x81, 0x02,  // Decode Data Continued
    0xC0, 0xC0,
]

/// Splits `payload` into 64-byte scanned-data reports in that layout.
func posReports(_ payload: [UInt8], aim: String = "]Q1", chunk: Int = 56) -> [[UInt8]] {
    var reports: [[UInt8]] = []
    var rest = payload[...]
    repeat {
        let part = rest.prefix(chunk)
        rest = rest.dropFirst(part.count)
        var report = [UInt8](repeating: 0, count: 64)
        report[0] = 2
        report[1] = UInt8(part.count)
        for (i, b) in aim.utf8.prefix(3).enumerated() { report[2 + i] = b }
        for (i, b) in part.enumerated() { report[5 + i] = b }
        report[63] = rest.isEmpty ? 0 : 1
        reports.append(report)
    } while !rest.isEmpty
    return reports
}
