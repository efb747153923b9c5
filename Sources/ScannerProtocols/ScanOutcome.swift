/// What a scanner decoder hands to the lane: a complete scan, or input that was not one (with the reason, which
/// is logged and makes the lane ask the traveller to scan again).
public enum ScanOutcome: Equatable, Sendable {
    case scan(DecodedScan)
    case rejected(ScanRejection)
}

public struct DecodedScan: Equatable, Sendable {
    /// The code's text, without the framing suffix.
    public var payload: String
    /// AIM symbology identifier such as `]Q1`, when the scanner sends one (HID POS).
    public var symbology: String?
    /// Payload size in UTF-8 bytes.
    public var byteCount: Int

    public init(payload: String, symbology: String? = nil) {
        self.payload = payload
        self.symbology = symbology
        byteCount = payload.utf8.count
    }
}

/// Why input was not accepted as a scan. The description is one line for the log and the lane.
public enum ScanRejection: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidUTF8(byteCount: Int)
    case tooLong(limit: Int)
    case incomplete(reason: String)
    case malformedReport(String)
    case unmatchedReport(String)
    case invalidAltCode(String)

    public var description: String {
        switch self {
        case .invalidUTF8(let count): "scan of \(count) bytes is not valid UTF-8 text"
        case .tooLong(let limit): "scan is longer than \(limit) bytes"
        case .incomplete(let reason): "incomplete scan: \(reason)"
        case .malformedReport(let reason): "malformed report: \(reason)"
        case .unmatchedReport(let reason): "report matches nothing: \(reason)"
        case .invalidAltCode(let digits): "Alt+\(digits) is not a character"
        }
    }
}

/// How the end of a scan is recognised on keyboard and serial scanners (HID POS frames by itself).
public enum ScanSuffix: String, Sendable, CaseIterable {
    /// Carriage return (the Enter key on a keyboard wedge); a following LF is tolerated.
    case enter
    case tab
    /// Line feed (Ctrl+J on a keyboard wedge); a preceding CR is tolerated.
    case lf
    /// No suffix: a scan ends when the scanner pauses longer than the gap.
    case none

    var terminator: UInt8? {
        switch self {
        case .enter: 0x0D
        case .tab: 0x09
        case .lf: 0x0A
        case .none: nil
        }
    }
}

/// Limits shared by all transports.
public enum ScanLimits {
    /// The longest payload accepted (an EU-DCC is about 600 bytes; 4 KiB leaves room and bounds memory).
    public static let maxBytes = 4096
    /// Without a suffix, a scan ends after this pause (scanners type a whole code in one burst).
    public static let defaultGapSeconds = 0.060
    /// With a suffix, a started scan that sees no input for this long is dropped as incomplete.
    public static let staleSeconds = 1.0
}
