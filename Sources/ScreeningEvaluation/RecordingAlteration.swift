import Thermal

/// Altered copies of a real recording, with its labels moved along: a station mounted differently (mirrored,
/// shifted), a narrower view that cuts the disc at the frame's edge, a warmer room. A constant that only fits the
/// stations we have fails on these.
public enum RecordingAlteration: Sendable, Equatable, CustomStringConvertible {
    /// Left and right swapped.
    case mirrored
    /// The picture moved by (dx, dy) px; what comes into view is room (the frame's median).
    case shifted(dx: Int, dy: Int)
    /// Columns removed on the disc's side until the border runs `intoDisc` px into the disc (it is then cut off).
    case croppedThroughDisc(intoDisc: Int)
    /// Everything (room, people, disc) this many kelvin warmer.
    case warmed(kelvin: Double)

    public var description: String {
        switch self {
        case .mirrored: "mirrored"
        case .shifted(let dx, let dy): "shifted (\(dx), \(dy))"
        case .croppedThroughDisc(let into): "cropped \(into) px into the disc"
        case .warmed(let k): "warmed +\(k) K"
        }
    }

    /// The altered frames and labels.
    public func apply(to frames: [ThermalFrame], label: RecordingLabels.Recording) -> ([ThermalFrame], RecordingLabels.Recording) {
        guard let first = frames.first else { return (frames, label) }
        let w = first.width, h = first.height
        var label = label
        switch self {
        case .mirrored:
            label.disc.x = w - 1 - label.disc.x
            return (frames.map { frame in remap(frame, width: w, height: h) { x, y in frame[w - 1 - x, y] } }, label)
        case .shifted(let dx, let dy):
            label.disc.x += dx
            label.disc.y += dy
            return (frames.map { frame in
                // What comes into view is more of the room: the frame's median, not a smear of its border.
                let room = frame.pixels.sorted()[frame.pixels.count / 2]
                return remap(frame, width: w, height: h) { x, y in
                    let sx = x - dx, sy = y - dy
                    return (0..<w).contains(sx) && (0..<h).contains(sy) ? frame[sx, sy] : room
                }
            }, label)
        case .croppedThroughDisc(let into):
            let left = label.disc.x < w / 2
            // Keep columns so that the border lies `into` px inside the disc.
            let cut = left ? label.disc.x - label.disc.r + into : w - (label.disc.x + label.disc.r - into) - 1
            let newWidth = w - max(0, cut)
            let offset = left ? max(0, cut) : 0
            label.disc.x -= offset
            return (frames.map { frame in remap(frame, width: newWidth, height: h) { x, y in frame[x + offset, y] } }, label)
        case .warmed(let kelvin):
            let add = Int((kelvin * 100).rounded())
            return (frames.map { frame in
                var copy = frame
                copy.pixels = frame.pixels.map { UInt16(clamping: Int($0) + add) }
                return copy
            }, label)
        }
    }

    /// A frame of `width`×`height` whose pixel (x, y) is `value(x, y)`.
    private func remap(_ frame: ThermalFrame, width: Int, height: Int, value: (Int, Int) -> UInt16) -> ThermalFrame {
        var pixels = [UInt16](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width { pixels[y * width + x] = value(x, y) }
        }
        return ThermalFrame(
            width: width, height: height, pixels: pixels, timestamp: frame.timestamp, sequence: frame.sequence,
            fpaTemperatureC: frame.fpaTemperatureC, msSinceFFC: frame.msSinceFFC)
    }
}
