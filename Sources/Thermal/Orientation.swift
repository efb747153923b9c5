/// How the camera is mounted. Many stations mount the camera sideways for a taller field of view; the frame is turned
/// once at the device edge so the screening engine always sees people upright (head at the top).
public struct Orientation: Sendable, Equatable, Hashable {
    /// Clockwise rotation applied to the stored image: 0, 90, 180 or 270.
    public let rotation: Int
    /// Mirror left-right after rotating.
    public let mirrored: Bool

    public static let upright = Orientation(unchecked: 0, mirrored: false)

    public init(rotation: Int, mirrored: Bool = false) throws(OrientationError) {
        guard [0, 90, 180, 270].contains(rotation) else { throw OrientationError(rotation: rotation) }
        self.rotation = rotation
        self.mirrored = mirrored
    }

    private init(unchecked rotation: Int, mirrored: Bool) {
        self.rotation = rotation
        self.mirrored = mirrored
    }

    /// Size of the image after applying this orientation to a `width` x `height` image.
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        rotation == 90 || rotation == 270 ? (height, width) : (width, height)
    }

    /// Returns the frame turned upright. Output pixel (x, y) is taken from the source pixel that lands there.
    public func apply(to frame: ThermalFrame) -> ThermalFrame {
        if rotation == 0 && !mirrored { return frame }
        let w = frame.width, h = frame.height
        let (ow, oh) = outputSize(width: w, height: h)
        var out = [UInt16](repeating: 0, count: w * h)
        frame.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<oh {
                    for ox0 in 0..<ow {
                        let ox = mirrored ? ow - 1 - ox0 : ox0
                        // Inverse mapping: which source pixel ends up at (ox, oy) after a clockwise rotation.
                        let sx: Int, sy: Int
                        switch rotation {
                        case 90: sx = oy; sy = h - 1 - ox
                        case 180: sx = w - 1 - ox; sy = h - 1 - oy
                        case 270: sx = w - 1 - oy; sy = ox
                        default: sx = ox; sy = oy
                        }
                        dst[oy * ow + ox0] = src[sy * w + sx]
                    }
                }
            }
        }
        return ThermalFrame(
            width: ow, height: oh, pixels: out, timestamp: frame.timestamp, sequence: frame.sequence,
            fpaTemperatureC: frame.fpaTemperatureC, msSinceFFC: frame.msSinceFFC)
    }
}

public struct OrientationError: Error, CustomStringConvertible, Equatable {
    public let rotation: Int
    public init(rotation: Int) { self.rotation = rotation }
    public var description: String { "rotation must be 0, 90, 180 or 270 degrees clockwise, not \(rotation)" }
}
