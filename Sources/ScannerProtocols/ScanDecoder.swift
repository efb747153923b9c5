/// How keyboard and serial input is cut into scans (HID POS frames itself).
public struct ScanFraming: Sendable, Equatable {
    public var layout: KeyboardLayout
    public var suffix: ScanSuffix
    public var gapSeconds: Double

    public init(layout: KeyboardLayout = .us, suffix: ScanSuffix = .enter, gapSeconds: Double = ScanLimits.defaultGapSeconds) {
        self.layout = layout
        self.suffix = suffix
        self.gapSeconds = gapSeconds
    }
}

/// The decoder for one scanner interface, whichever protocol it speaks. (A struct of optionals rather than an enum
/// with payloads: mutating a payload in place would copy its buffers on every report.)
public struct ScanDecoder: Sendable {
    private var keyboard: KeyboardWedgeDecoder?
    private var hidPOS: HIDPOSDecoder?
    private var serial: ScanAssembler?
    public let transport: String

    public static func keyboard(_ decoder: KeyboardWedgeDecoder) -> ScanDecoder {
        ScanDecoder(keyboard: decoder, transport: "keyboard")
    }
    public static func hidPOS(_ decoder: HIDPOSDecoder) -> ScanDecoder { ScanDecoder(hidPOS: decoder, transport: "hid-pos") }
    public static func serial(_ assembler: ScanAssembler) -> ScanDecoder { ScanDecoder(serial: assembler, transport: "serial") }

    private init(
        keyboard: KeyboardWedgeDecoder? = nil, hidPOS: HIDPOSDecoder? = nil, serial: ScanAssembler? = nil, transport: String
    ) {
        self.keyboard = keyboard
        self.hidPOS = hidPOS
        self.serial = serial
        self.transport = transport
    }

    /// Decodes one USB report or a run of serial bytes received at `time`.
    public mutating func decode(_ input: [UInt8], at time: Double) -> [ScanOutcome] {
        if keyboard != nil { return keyboard!.decode(input, at: time) }
        if hidPOS != nil { return hidPOS!.decode(input, at: time).map { [$0] } ?? [] }
        var outcomes: [ScanOutcome] = []
        if let outcome = serial!.idle(at: time) { outcomes.append(outcome) }
        for byte in input {
            if let outcome = serial!.append(byte, at: time) { outcomes.append(outcome) }
        }
        return outcomes
    }

    /// When `idle(at:)` should run next (gap framing, stale partial scans).
    public var deadline: Double? { keyboard?.deadline ?? hidPOS?.deadline ?? serial?.deadline }

    public mutating func idle(at time: Double) -> ScanOutcome? {
        keyboard?.idle(at: time) ?? hidPOS?.idle(at: time) ?? serial?.idle(at: time)
    }

    /// Forgets partial input (the device went away).
    public mutating func reset() {
        keyboard?.reset()
        hidPOS?.reset()
        serial?.reset()
    }
}
