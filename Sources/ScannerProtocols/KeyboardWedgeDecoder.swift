/// Turns boot-keyboard input reports (`[modifiers, reserved, key1…key6]`) from a keyboard-wedge scanner into scans.
///
/// A key types when it appears in a report and was not in the previous one (releases and held keys type nothing),
/// so several keys in one report and any order of releases work. Shift, Caps Lock (letters only) and AltGr follow
/// the configured layout; Alt + keypad digits compose one character when Alt is released ("Alt mode": leading 0 →
/// Windows-1252, otherwise code page 437); Ctrl + letter gives the control character (Ctrl+J is LF).
public struct KeyboardWedgeDecoder: Sendable {
    public let layout: KeyboardLayout
    private var assembler: ScanAssembler
    private var previousKeys: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
    private var previousModifiers: UInt8 = 0
    private var capsLock = false
    private var altDigits: [UInt8] = []
    private var deadAccent: KeyboardLayout.DeadAccent?

    /// Modifier bits of byte 0.
    static let leftCtrl: UInt8 = 0x01, leftShift: UInt8 = 0x02, leftAlt: UInt8 = 0x04
    static let rightCtrl: UInt8 = 0x10, rightShift: UInt8 = 0x20, rightAlt: UInt8 = 0x40

    public init(layout: KeyboardLayout = .us, suffix: ScanSuffix = .enter, gapSeconds: Double = ScanLimits.defaultGapSeconds) {
        self.layout = layout
        assembler = ScanAssembler(suffix: suffix, gapSeconds: gapSeconds)
        altDigits.reserveCapacity(4)
    }

    public var deadline: Double? { assembler.deadline }

    /// Decodes one input report received at `time` (seconds). Returns the scans (or rejections) it completed,
    /// usually none. Zero-length reports are ignored; other lengths than 8 are rejected as malformed.
    public mutating func decode(_ report: some Collection<UInt8>, at time: Double) -> [ScanOutcome] {
        if report.isEmpty { return [] }
        guard report.count == 8 else {
            return [.rejected(.malformedReport("keyboard report of \(report.count) bytes (boot keyboard reports are 8)"))]
        }
        var outcomes: [ScanOutcome] = []
        if let outcome = assembler.idle(at: time) { outcomes.append(outcome) }

        var index = report.startIndex
        let modifiers = report[index]
        index = report.index(index, offsetBy: 2)
        var keys: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &keys) { slots in
            for slot in 0..<6 {
                slots[slot] = report[index]
                index = report.index(after: index)
            }
        }
        // ErrorRollOver (usage 1) in every slot: too many keys down; the report carries no key state.
        if keys.0 == 1 { return outcomes }

        let altHeld = modifiers & (Self.leftAlt | (layout == .us ? Self.rightAlt : 0)) != 0
        let wasAltHeld = previousModifiers & (Self.leftAlt | (layout == .us ? Self.rightAlt : 0)) != 0
        if wasAltHeld && !altHeld, !altDigits.isEmpty {
            if let outcome = finishAltCode(at: time) { outcomes.append(outcome) }
        }

        let previous = previousKeys
        withUnsafeBytes(of: keys) { now in
            withUnsafeBytes(of: previous) { before in
                for slot in 0..<6 {
                    let usage = now[slot]
                    guard usage > 3, !before.contains(usage) else { continue }
                    if let outcome = press(usage, modifiers: modifiers, altHeld: altHeld, at: time) { outcomes.append(outcome) }
                }
            }
        }
        previousKeys = keys
        previousModifiers = modifiers
        return outcomes
    }

    /// Ends a suffix-less scan after the gap, or drops a stale partial one. Call when `deadline` passes.
    public mutating func idle(at time: Double) -> ScanOutcome? {
        assembler.idle(at: time)
    }

    /// Forgets partial input and key state (the device was unplugged or reopened).
    public mutating func reset() {
        assembler.reset()
        previousKeys = (0, 0, 0, 0, 0, 0)
        previousModifiers = 0
        altDigits.removeAll(keepingCapacity: true)
        deadAccent = nil
    }

    private mutating func press(_ usage: UInt8, modifiers: UInt8, altHeld: Bool, at time: Double) -> ScanOutcome? {
        let shift = modifiers & (Self.leftShift | Self.rightShift) != 0
        let ctrl = modifiers & (Self.leftCtrl | Self.rightCtrl) != 0
        let altGr = layout != .us && modifiers & Self.rightAlt != 0
        switch usage {
        case 0x39:
            capsLock.toggle()
            return nil
        case 0x59...0x62 where altHeld:
            altDigits.append(usage == 0x62 ? 0 : usage - 0x58)
            return nil
        case 0x28, 0x58: return type("\r", at: time)
        case 0x2B: return type("\t", at: time)
        case 0x59...0x63, 0x54...0x57:
            return type(Self.keypad[Int(usage - 0x54)], at: time)
        default: break
        }
        if altHeld { return nil }  // Alt + another key is a shortcut, not text
        guard let output = layout.output(usage: usage, shift: shift, altGr: altGr) else { return nil }
        switch output {
        case .deadKey(let accent):
            if let pending = deadAccent {  // the same dead key twice types it
                deadAccent = nil
                return type(pending.spacing, at: time)
            }
            deadAccent = accent
            return nil
        case .character(var scalar):
            if ctrl, let control = Self.control(scalar) { return type(control, at: time) }
            if capsLock, let flipped = Self.flipCase(scalar) { scalar = flipped }
            return type(scalar, at: time)
        }
    }

    private mutating func type(_ scalar: Unicode.Scalar, at time: Double) -> ScanOutcome? {
        guard let accent = deadAccent else { return assembler.append(scalar, at: time) }
        deadAccent = nil
        if scalar == " " { return assembler.append(accent.spacing, at: time) }
        if let composed = accent.compose(scalar) { return assembler.append(composed, at: time) }
        let first = assembler.append(accent.spacing, at: time)
        return assembler.append(scalar, at: time) ?? first
    }

    private mutating func finishAltCode(at time: Double) -> ScanOutcome? {
        defer { altDigits.removeAll(keepingCapacity: true) }
        guard let scalar = AltCodePage.character(digits: altDigits) else {
            let digits = altDigits.map(String.init).joined()
            assembler.reset()
            return .rejected(.invalidAltCode(digits))
        }
        return assembler.append(scalar, at: time)
    }

    /// Keypad keys 0x54…0x63 with Num Lock on (scanners in keypad mode expect it).
    private static let keypad: [Unicode.Scalar] = ["/", "*", "-", "+", "\r", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "."]

    private static func control(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        let v = scalar.value | 0x20
        guard v >= 0x61 && v <= 0x7A else { return nil }
        return Unicode.Scalar(UInt8(v - 0x60))
    }

    /// Caps Lock inverts the case of letters only (it is not Shift: digits and symbols stay).
    private static func flipCase(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        guard scalar.properties.isAlphabetic else { return nil }
        let lower = scalar.properties.lowercaseMapping, upper = scalar.properties.uppercaseMapping
        let flipped = scalar.properties.isUppercase ? lower : upper
        guard flipped.unicodeScalars.count == 1, let result = flipped.unicodeScalars.first, result != scalar else { return nil }
        return result
    }
}
