/// The header of a CPTV recording (versions 1 and 2; see research/cptv-format.md). Known fields are typed;
/// fields this reader does not know are kept as they were so a copy can be written back unchanged.
public struct CPTVHeader: Sendable, Equatable {
    public var version: UInt8 = 2
    /// Recording start, microseconds since 1970-01-01 UTC.
    public var timestampMicros: UInt64 = 0
    public var width: Int = 160
    public var height: Int = 120
    public var compression: UInt8 = 1
    public var deviceName: String?
    public var deviceID: UInt32?
    public var cameraSerial: UInt32?
    public var firmware: String?
    public var model: String?
    public var brand: String?
    public var frameRate: UInt8?
    public var previewSeconds: UInt8?
    public var motionConfig: String?
    public var latitude: Float?
    public var longitude: Float?
    public var locationTimestampMicros: UInt64?
    public var altitude: Float?
    public var accuracy: Float?
    public var backgroundFrames: UInt8?
    /// Fields with codes this reader does not interpret, in file order: (code, payload).
    public var otherFields: [(code: UInt8, payload: [UInt8])] = []

    public init() {}

    public static func == (a: CPTVHeader, b: CPTVHeader) -> Bool {
        a.version == b.version && a.timestampMicros == b.timestampMicros && a.width == b.width && a.height == b.height
            && a.compression == b.compression && a.deviceName == b.deviceName && a.deviceID == b.deviceID
            && a.cameraSerial == b.cameraSerial && a.firmware == b.firmware && a.model == b.model && a.brand == b.brand
            && a.frameRate == b.frameRate && a.previewSeconds == b.previewSeconds && a.motionConfig == b.motionConfig
            && a.latitude == b.latitude && a.longitude == b.longitude && a.altitude == b.altitude
            && a.accuracy == b.accuracy && a.locationTimestampMicros == b.locationTimestampMicros
            && a.backgroundFrames == b.backgroundFrames
            && a.otherFields.map(\.code) == b.otherFields.map(\.code) && a.otherFields.map(\.payload) == b.otherFields.map(\.payload)
    }
}

/// One frame of a recording with the metadata the file carries for it.
public struct CPTVFrame: Sendable, Equatable {
    /// Row-major 16-bit values in the recording's own unit (centi-kelvin for radiometric Lepton 3.5 files).
    public var pixels: [UInt16]
    /// v2: milliseconds since the camera powered on; v1: microseconds since the header's timestamp.
    public var time: UInt32?
    /// v2: milliseconds since power-on at the last flat-field correction.
    public var lastFFC: UInt32?
    public var fpaTemperatureC: Float?
    public var fpaTemperatureAtFFCC: Float?
    /// A background frame (v2): part of the delta chain, not of the video.
    public var isBackground: Bool
    /// Bits per packed value as stored, and the stored pixel block (kept so a re-encoding can be compared).
    public var bitWidth: UInt8
    public var packed: [UInt8]

    public init(
        pixels: [UInt16], time: UInt32? = nil, lastFFC: UInt32? = nil, fpaTemperatureC: Float? = nil,
        fpaTemperatureAtFFCC: Float? = nil, isBackground: Bool = false, bitWidth: UInt8 = 0, packed: [UInt8] = []
    ) {
        self.pixels = pixels
        self.time = time
        self.lastFFC = lastFFC
        self.fpaTemperatureC = fpaTemperatureC
        self.fpaTemperatureAtFFCC = fpaTemperatureAtFFCC
        self.isBackground = isBackground
        self.bitWidth = bitWidth
        self.packed = packed
    }

    /// Milliseconds since the last flat-field correction, when the file says.
    public var msSinceFFC: Int? {
        guard let time, let lastFFC, time >= lastFFC else { return nil }
        return Int(time - lastFFC)
    }
}

public enum CPTVError: Error, Equatable, CustomStringConvertible {
    case notCPTV
    case unsupportedVersion(UInt8)
    case unsupportedCompression(UInt8)
    case badSection(offset: Int, kind: UInt8)
    case missingField(String)
    case badDimensions(width: Int, height: Int)
    case badBitWidth(frame: Int, width: UInt8)
    case badFrameSize(frame: Int, expected: Int, stored: Int)
    case truncated(afterFrames: Int)
    case tooManyFrames(limit: Int)
    /// The bytes under the CPTV stream could not be read (the file, its compression), with the reason.
    case unreadable(String)

    public var description: String {
        switch self {
        case .notCPTV: "not a CPTV recording (the stream does not start with 'CPTV')"
        case .unsupportedVersion(let v): "CPTV version \(v) is not supported (versions 1 and 2 are)"
        case .unsupportedCompression(let c): "CPTV compression \(c) is not supported"
        case .badSection(let offset, let kind): "corrupt recording: unexpected section '\(kind)' at byte \(offset)"
        case .missingField(let name): "corrupt recording: the header has no \(name)"
        case .badDimensions(let w, let h): "corrupt recording: frame size \(w)×\(h) is not plausible"
        case .badBitWidth(let frame, let w): "corrupt recording: frame \(frame) has bit width \(w)"
        case .badFrameSize(let frame, let expected, let stored):
            "corrupt recording: frame \(frame) stores \(stored) bytes of pixels, its bit width needs \(expected)"
        case .truncated(let n): "the recording ends in the middle of frame \(n + 1): \(n) complete frames were read"
        case .tooManyFrames(let limit): "the recording has more than \(limit) frames, more than any this lane reads: the first \(limit) were read"
        case .unreadable(let reason): reason
        }
    }
}
