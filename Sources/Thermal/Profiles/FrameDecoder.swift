/// Turns one raw buffer from the driver into centi-kelvin pixels, per camera profile. Pure: bytes in, values out.
///
/// A stream that cannot carry temperatures is refused when the decoder is made, with a reason a technician can
/// act on: 8-bit or compressed video holds display brightness, not temperature.
public struct FrameDecoder: Sendable {
    public let profile: CameraProfile
    public let format: StreamFormat
    public let imageSize: CameraProfile.Size

    public struct StreamFormat: Sendable, Equatable {
        public var fourcc: FourCC
        public var width: Int
        public var height: Int
        /// Bytes per row as the driver lays them out (may include padding).
        public var bytesPerLine: Int
        public init(fourcc: FourCC, width: Int, height: Int, bytesPerLine: Int) {
            self.fourcc = fourcc
            self.width = width
            self.height = height
            self.bytesPerLine = bytesPerLine
        }
    }

    /// Camera state carried in the Lepton's telemetry rows.
    public struct Telemetry: Sendable, Equatable {
        public var msSincePowerOn: UInt32
        public var msAtLastFFC: UInt32
        public var fpaTemperatureC: Double
        public var fpaTemperatureAtFFCC: Double
        /// Lepton FFC state: 0 never, 1 imminent, 2 in progress, 3 done.
        public var ffcState: Int
        public var msSinceFFC: Int { ffcState == 2 ? 0 : Int(msSincePowerOn &- msAtLastFFC) }
    }

    public init(profile: CameraProfile, format: StreamFormat) throws(CameraFormatError) {
        self.profile = profile
        self.format = format
        let nonRadiometric: Set<String> = ["GREY", "MJPG", "JPEG", "RGB3", "BGR3", "NV12", "YU12", "UYVY", "H264"]
        if nonRadiometric.contains(format.fourcc.description) || (format.fourcc == .yuyv && profile.kind != .infirayP2) {
            throw .notRadiometric(fourcc: format.fourcc.description)
        }
        guard format.fourcc == profile.fourcc else {
            throw .wrongFormat(expected: profile.fourcc.description, got: format.fourcc.description, profile: profile.model)
        }
        let size = CameraProfile.Size(format.width, format.height)
        if !profile.streamSizes.isEmpty && !profile.streamSizes.contains(size) {
            throw .wrongSize(expected: profile.streamSizes.map(\.description), got: size.description, profile: profile.model)
        }
        guard format.bytesPerLine >= format.width * 2, format.width > 0, format.height > 0 else {
            throw .badLayout(bytesPerLine: format.bytesPerLine, width: format.width)
        }
        imageSize = profile.imageSize(for: size)
    }

    /// Bytes one frame must have.
    public var frameBytes: Int { format.bytesPerLine * format.height }

    /// Decodes `raw` into `pixels` (resized as needed). Returns the telemetry when the stream carries it.
    public func decode(_ raw: UnsafeRawBufferPointer, into pixels: inout [UInt16]) throws(CameraFormatError) -> Telemetry? {
        guard raw.count >= frameBytes else { throw .shortFrame(expected: frameBytes, got: raw.count) }
        let w = imageSize.width, h = imageSize.height, stride = format.bytesPerLine
        if pixels.count != w * h { pixels = [UInt16](repeating: 0, count: w * h) }
        let firstRow = profile.kind == .infirayP2 ? format.height / 2 : 0
        let gain = profile.gainKelvinPerCount * 100, offset = profile.offsetKelvin * 100
        pixels.withUnsafeMutableBufferPointer { out in
            for y in 0..<h {
                let row = raw.baseAddress! + (firstRow + y) * stride
                for x in 0..<w {
                    let v = UInt16(row.load(fromByteOffset: 2 * x, as: UInt8.self))
                        | UInt16(row.load(fromByteOffset: 2 * x + 1, as: UInt8.self)) << 8
                    switch profile.kind {
                    case .lepton:
                        out[y * w + x] = v
                    case .infirayP2:
                        // 1/64 K → 1/100 K, rounded: v × 100 / 64 = v × 25 / 16.
                        out[y * w + x] = UInt16(clamping: (Int(v) * 25 + 8) >> 4)
                    case .genericY16:
                        out[y * w + x] = UInt16(clamping: Int((gain * Double(v) + offset).rounded()))
                    }
                }
            }
        }
        guard profile.kind == .lepton && format.height == 122 else { return nil }
        let telemetry = raw.baseAddress! + 120 * stride
        func word(_ i: Int) -> UInt32 {
            UInt32(telemetry.load(fromByteOffset: 2 * i, as: UInt8.self)) | UInt32(telemetry.load(fromByteOffset: 2 * i + 1, as: UInt8.self)) << 8
        }
        // Telemetry row A (Lepton datasheet): multi-word values low word first.
        return Telemetry(
            msSincePowerOn: word(1) | word(2) << 16, msAtLastFFC: word(30) | word(31) << 16,
            fpaTemperatureC: Double(word(24)) / 100 - 273.15, fpaTemperatureAtFFCC: Double(word(29)) / 100 - 273.15,
            ffcState: Int((word(3) >> 4) & 0x3))
    }
}

public enum CameraFormatError: Error, Equatable, CustomStringConvertible {
    case notRadiometric(fourcc: String)
    case wrongFormat(expected: String, got: String, profile: String)
    case wrongSize(expected: [String], got: String, profile: String)
    case badLayout(bytesPerLine: Int, width: Int)
    case shortFrame(expected: Int, got: Int)

    public var description: String {
        switch self {
        case .notRadiometric(let f):
            "the camera streams '\(f)' video: its pixels are display brightness, not temperatures. A screening camera must stream radiometric 16-bit data (Lepton/PureThermal: Y16 with TLinear on; InfiRay P2: the 256x384 YUYV mode)"
        case .wrongFormat(let e, let g, let p): "\(p) must stream '\(e)', but the driver gave '\(g)'"
        case .wrongSize(let e, let g, let p): "\(p) streams \(e.joined(separator: " or ")), but the driver gave \(g)"
        case .badLayout(let b, let w): "the driver's row length (\(b) bytes) cannot hold \(w) 16-bit pixels"
        case .shortFrame(let e, let g): "a frame of \(g) bytes arrived, \(e) were expected"
        }
    }
}
