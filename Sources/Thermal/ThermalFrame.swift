/// One radiometric thermal image, already upright (rotation and mirror are applied at the device edge).
///
/// Every pixel is an absolute temperature in **centi-kelvin** (0.01 K per count), whatever the camera's own unit:
/// the device adapters convert once so that nothing downstream has to know which camera produced the frame.
public struct ThermalFrame: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row-major, `width * height` values in centi-kelvin.
    public var pixels: [UInt16]
    /// Seconds on the lane's monotonic timeline (not wall-clock time).
    public var timestamp: Double
    /// Frame counter from the source; a gap means frames were dropped.
    public var sequence: UInt64
    /// Sensor (focal-plane array) temperature in °C, when the camera reports it.
    public var fpaTemperatureC: Double?
    /// Milliseconds since the camera's last flat-field correction (shutter event), when the camera reports it.
    public var msSinceFFC: Int?

    public init(
        width: Int, height: Int, pixels: [UInt16], timestamp: Double, sequence: UInt64,
        fpaTemperatureC: Double? = nil, msSinceFFC: Int? = nil
    ) {
        precondition(width > 0 && height > 0 && pixels.count == width * height, "frame size does not match its pixels")
        self.width = width
        self.height = height
        self.pixels = pixels
        self.timestamp = timestamp
        self.sequence = sequence
        self.fpaTemperatureC = fpaTemperatureC
        self.msSinceFFC = msSinceFFC
    }

    @inlinable public subscript(x: Int, y: Int) -> UInt16 { pixels[y * width + x] }
}

/// Conversions between the one integer unit frames carry and the units people read.
public enum CentiKelvin {
    public static let zeroCelsius = 27315

    @inlinable public static func celsius(_ value: Double) -> Double { value / 100 - 273.15 }
    @inlinable public static func fromCelsius(_ celsius: Double) -> Double { (celsius + 273.15) * 100 }
}
