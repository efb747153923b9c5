/// An RGB picture (8 bits per channel, row-major).
public struct RGBImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var rgb: [UInt8]

    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (0, 0, 0)) {
        self.width = width
        self.height = height
        rgb = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            rgb[3 * i] = fill.0
            rgb[3 * i + 1] = fill.1
            rgb[3 * i + 2] = fill.2
        }
    }

    public subscript(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        get { (rgb[3 * (y * width + x)], rgb[3 * (y * width + x) + 1], rgb[3 * (y * width + x) + 2]) }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            rgb[3 * (y * width + x)] = newValue.0
            rgb[3 * (y * width + x) + 1] = newValue.1
            rgb[3 * (y * width + x) + 2] = newValue.2
        }
    }
}

/// A false-colour view of a thermal frame for technicians: each pixel scaled up, an "iron" palette from cold
/// (black, blue) to hot (yellow, white), and a scale bar on the right labelled with its temperatures in °C.
public enum FalseColour {
    public static func render(_ frame: ThermalFrame, scale: Int = 4) -> (image: RGBImage, lowC: Double, highC: Double) {
        let low = Double(frame.pixels.min() ?? 0), high = max(Double(frame.pixels.max() ?? 1), low + 1)
        let barWidth = 12, labelWidth = 6 * 4 * 2 + 8
        var image = RGBImage(width: frame.width * scale + barWidth + labelWidth + 8, height: max(frame.height * scale, 80))
        for y in 0..<frame.height {
            for x in 0..<frame.width {
                let colour = iron((Double(frame[x, y]) - low) / (high - low))
                for dy in 0..<scale { for dx in 0..<scale { image[x * scale + dx, y * scale + dy] = colour } }
            }
        }
        let barX = frame.width * scale + 4, barHeight = frame.height * scale
        for y in 0..<barHeight {
            let colour = iron(1 - Double(y) / Double(max(barHeight - 1, 1)))
            for x in barX..<(barX + barWidth) { image[x, y] = colour }
        }
        let lowC = CentiKelvin.celsius(low), highC = CentiKelvin.celsius(high)
        draw(label(highC), at: barX + barWidth + 4, y: 0, into: &image)
        draw(label((lowC + highC) / 2), at: barX + barWidth + 4, y: barHeight / 2 - 7, into: &image)
        draw(label(lowC), at: barX + barWidth + 4, y: barHeight - 14, into: &image)
        return (image, lowC, highC)
    }

    static func label(_ celsius: Double) -> String {
        let tenths = Int((celsius * 10).rounded())
        return (tenths < 0 ? "-" : "") + "\(abs(tenths) / 10).\(abs(tenths) % 10)C"
    }

    /// Black → blue → purple → red → orange → yellow → white.
    public static func iron(_ t: Double) -> (UInt8, UInt8, UInt8) {
        let stops: [(Double, Double, Double)] = [(0, 0, 0), (0.1, 0.0, 0.5), (0.55, 0.0, 0.6), (0.9, 0.2, 0.1), (1, 0.6, 0), (1, 0.95, 0.2), (1, 1, 1)]
        let x = min(max(t, 0), 1) * Double(stops.count - 1)
        let i = min(Int(x), stops.count - 2), f = x - Double(i)
        let a = stops[i], b = stops[i + 1]
        func c(_ u: Double, _ v: Double) -> UInt8 { UInt8(((u + (v - u) * f) * 255).rounded()) }
        return (c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
    }

    /// A 3×5 pixel font for the scale's numbers, drawn at twice its size.
    static let glyphs: [Character: [UInt8]] = [
        "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7], "4": [5, 5, 7, 1, 1],
        "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1], "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7],
        ".": [0, 0, 0, 0, 2], "-": [0, 0, 7, 0, 0], "C": [7, 4, 4, 4, 7],
    ]

    static func draw(_ text: String, at x0: Int, y y0: Int, into image: inout RGBImage) {
        var x = x0
        for character in text {
            guard let rows = glyphs[character] else { continue }
            for (r, bits) in rows.enumerated() {
                for c in 0..<3 where bits & (4 >> c) != 0 {
                    for dy in 0..<2 { for dx in 0..<2 { image[x + 2 * c + dx, y0 + 2 * r + dy] = (255, 255, 255) } }
                }
            }
            x += 8
        }
    }
}
