/// Collects the bytes of one scan from a keyboard or serial scanner and cuts them into scans: at the configured
/// suffix, or after a pause when there is no suffix. Enforces the size limit and strict UTF-8.
/// Pure: time comes in with the input.
public struct ScanAssembler: Sendable {
    public var suffix: ScanSuffix
    public var gapSeconds: Double
    public var maxBytes: Int
    private var bytes: [UInt8] = []
    private var overflowed = false
    private var lastInput = 0.0

    public init(suffix: ScanSuffix, gapSeconds: Double = ScanLimits.defaultGapSeconds, maxBytes: Int = ScanLimits.maxBytes) {
        self.suffix = suffix
        self.gapSeconds = gapSeconds
        self.maxBytes = maxBytes
        bytes.reserveCapacity(256)
    }

    /// True while part of a scan is waiting for its end.
    public var isCollecting: Bool { !bytes.isEmpty || overflowed }

    /// When `idle(at:)` should be called next (nil: nothing pending).
    public var deadline: Double? {
        guard isCollecting else { return nil }
        return lastInput + (suffix == .none ? gapSeconds : ScanLimits.staleSeconds)
    }

    /// Adds one byte received at `time`; returns an outcome when this byte ends a scan.
    public mutating func append(_ byte: UInt8, at time: Double) -> ScanOutcome? {
        var ended: ScanOutcome?
        if suffix == .none, isCollecting, time - lastInput >= gapSeconds { ended = finish() }
        lastInput = time
        if let terminator = suffix.terminator, byte == terminator {
            return finish() ?? ended
        }
        if bytes.isEmpty && !overflowed && (byte == 0x0D || byte == 0x0A) { return ended }  // CR/LF around a suffix
        if bytes.count >= maxBytes {
            overflowed = true
        } else {
            bytes.append(byte)
        }
        return ended
    }

    /// Adds a character's UTF-8 bytes (keyboard wedges produce characters, not bytes).
    public mutating func append(_ scalar: Unicode.Scalar, at time: Double) -> ScanOutcome? {
        if scalar.value < 0x80 { return append(UInt8(scalar.value), at: time) }
        var ended: ScanOutcome?
        for unit in UTF8.encode(scalar)! {
            if let outcome = append(unit, at: time) { ended = outcome }
        }
        return ended
    }

    /// Called when no input arrived: ends a suffix-less scan after the gap, drops a stale partial one.
    public mutating func idle(at time: Double) -> ScanOutcome? {
        guard let deadline, time >= deadline else { return nil }
        if suffix == .none { return finish() }
        let count = bytes.count
        reset()
        return .rejected(.incomplete(reason: "\(count) bytes without the \(suffix.rawValue) suffix for \(ScanLimits.staleSeconds) s"))
    }

    /// Discards a partial scan (the device went away).
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        overflowed = false
    }

    private mutating func finish() -> ScanOutcome? {
        defer { reset() }
        if overflowed { return .rejected(.tooLong(limit: maxBytes)) }
        // Trailing CR/LF belong to the framing, not the code.
        var end = bytes.count
        while end > 0 && (bytes[end - 1] == 0x0D || bytes[end - 1] == 0x0A) { end -= 1 }
        guard end > 0 else { return nil }
        return Self.text(bytes[..<end], symbology: nil)
    }

    /// Strict UTF-8 decoding shared by all transports: invalid text is rejected, never repaired.
    static func text(_ bytes: ArraySlice<UInt8>, symbology: String?) -> ScanOutcome {
        guard let payload = String(validating: bytes, as: UTF8.self) else {
            return .rejected(.invalidUTF8(byteCount: bytes.count))
        }
        return .scan(DecodedScan(payload: payload, symbology: symbology))
    }
}
