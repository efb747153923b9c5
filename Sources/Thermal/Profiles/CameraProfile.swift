/// A USB vendor and product ID pair, written as `1e4e:0100`.
public struct USBID: Sendable, Hashable, CustomStringConvertible {
    public var vendor: UInt16
    public var product: UInt16
    public init(vendor: UInt16, product: UInt16) {
        self.vendor = vendor
        self.product = product
    }
    public init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let v = UInt16(parts[0], radix: 16), let p = UInt16(parts[1], radix: 16) else { return nil }
        self.init(vendor: v, product: p)
    }
    public var description: String { hex(vendor) + ":" + hex(product) }
    private func hex(_ v: UInt16) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 4 - s.count) + s
    }
}

/// A V4L2 pixel format code such as `Y16 ` or `YUYV`.
public struct FourCC: Sendable, Hashable, CustomStringConvertible {
    public var code: UInt32
    public init(code: UInt32) { self.code = code }
    public init(_ text: String) {
        let bytes = Array(text.utf8) + [0x20, 0x20, 0x20, 0x20]
        code = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
    }
    public var description: String {
        String(decoding: (0..<4).map { UInt8(truncatingIfNeeded: code >> (8 * $0)) }, as: UTF8.self)
    }
    public static let y16 = FourCC("Y16 ")
    public static let yuyv = FourCC("YUYV")
}

/// What a camera model streams and how its pixels become centi-kelvin. The table `CameraProfile.supported` is
/// the one list of supported cameras: profile matching, `checkpointctl camera list` and the udev rules come from it.
public struct CameraProfile: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// FLIR Lepton 3.x on PureThermal: `Y16 ` centi-kelvin (TLinear), optionally with 2 telemetry rows.
        case lepton
        /// InfiRay P2 Pro / Topdon TC001: YUYV 256×384, lower half little-endian 1/64 K.
        case infirayP2 = "infiray-p2"
        /// Any `Y16 ` core with a configured linear raw → kelvin conversion.
        case genericY16 = "generic-y16"
    }

    public var kind: Kind
    public var model: String
    public var usbIDs: [USBID]
    public var fourcc: FourCC
    /// Stream sizes this profile accepts (width × height as the driver delivers them).
    public var streamSizes: [Size]
    /// generic-y16: kelvin = gain × raw + offset.
    public var gainKelvinPerCount: Double
    public var offsetKelvin: Double

    public struct Size: Sendable, Hashable, CustomStringConvertible {
        public var width: Int, height: Int
        public init(_ width: Int, _ height: Int) {
            self.width = width
            self.height = height
        }
        public var description: String { "\(width)x\(height)" }
    }

    public static let lepton = CameraProfile(
        kind: .lepton, model: "FLIR Lepton 3.x on PureThermal", usbIDs: [USBID(vendor: 0x1e4e, product: 0x0100)],
        fourcc: .y16, streamSizes: [Size(160, 120), Size(160, 122)], gainKelvinPerCount: 0.01, offsetKelvin: 0)
    public static let infirayP2 = CameraProfile(
        kind: .infirayP2, model: "InfiRay P2 Pro / Topdon TC001", usbIDs: [USBID(vendor: 0x0bda, product: 0x5830)],
        fourcc: .yuyv, streamSizes: [Size(256, 384)], gainKelvinPerCount: 1.0 / 64, offsetKelvin: 0)
    public static func genericY16(gainKelvinPerCount: Double, offsetKelvin: Double) -> CameraProfile {
        CameraProfile(
            kind: .genericY16, model: "generic radiometric Y16", usbIDs: [], fourcc: .y16, streamSizes: [],
            gainKelvinPerCount: gainKelvinPerCount, offsetKelvin: offsetKelvin)
    }

    /// Supported cameras matched by USB ID.
    public static let supported: [CameraProfile] = [.lepton, .infirayP2]

    public static func matching(_ id: USBID) -> CameraProfile? { supported.first { $0.usbIDs.contains(id) } }

    /// The size of the upright temperature image this profile produces from a stream of `size`.
    public func imageSize(for size: Size) -> Size {
        switch kind {
        case .lepton: Size(size.width, min(size.height, 120))
        case .infirayP2: Size(size.width, size.height / 2)
        case .genericY16: size
        }
    }
}
