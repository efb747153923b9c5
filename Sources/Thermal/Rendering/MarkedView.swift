/// Marks drawn over a false-colour view (`FalseColour.render`) so a technician over SSH sees what the engine sees:
/// the blackbody disc as a cyan ring, the traveller's head as a box, the measurement site as a green cross, and
/// along the bottom two distance guides: a face narrower than the short bar is too far, wider than the long bar
/// too close.
public enum MarkedView {
    public struct Marks: Sendable {
        public var disc: (x: Int, y: Int, radius: Int)?
        public var head: (x0: Int, y0: Int, x1: Int, y1: Int)?
        public var site: (x: Int, y: Int)?
        public var faceWidthRange: ClosedRange<Int>?
        public init(
            disc: (x: Int, y: Int, radius: Int)? = nil, head: (x0: Int, y0: Int, x1: Int, y1: Int)? = nil, site: (x: Int, y: Int)? = nil,
            faceWidthRange: ClosedRange<Int>? = nil
        ) {
            self.disc = disc
            self.head = head
            self.site = site
            self.faceWidthRange = faceWidthRange
        }
    }

    static let cyan: (UInt8, UInt8, UInt8) = (0, 229, 255)
    static let green: (UInt8, UInt8, UInt8) = (0, 255, 102)
    static let white: (UInt8, UInt8, UInt8) = (255, 255, 255)

    /// Draws `marks` for a `width`×`height` frame rendered at `scale` into `image`.
    public static func draw(_ marks: Marks, width: Int, height: Int, scale: Int, into image: inout RGBImage) {
        func plot(_ x: Int, _ y: Int, _ colour: (UInt8, UInt8, UInt8)) {
            guard x >= 0, y >= 0, x < width * scale, y < height * scale else { return }
            image[x, y] = colour
        }
        if let disc = marks.disc {
            let cx = Double(disc.x) * Double(scale) + Double(scale) / 2, cy = Double(disc.y) * Double(scale) + Double(scale) / 2
            let r = (Double(disc.radius) + 1.5) * Double(scale)
            for step in 0..<720 {
                let a = Double(step) / 720 * 2 * Double.pi
                for w in 0..<2 { plot(Int(cx + (r + Double(w)) * cos(a)), Int(cy + (r + Double(w)) * sin(a)), cyan) }
            }
        }
        if let head = marks.head {
            for x in head.x0 * scale...(head.x1 + 1) * scale { plot(x, head.y0 * scale, white); plot(x, (head.y1 + 1) * scale, white) }
            for y in head.y0 * scale...(head.y1 + 1) * scale { plot(head.x0 * scale, y, white); plot((head.x1 + 1) * scale, y, white) }
        }
        if let site = marks.site {
            let cx = site.x * scale + scale / 2, cy = site.y * scale + scale / 2
            for d in -3 * scale...3 * scale where abs(d) >= scale {
                for w in -1...1 { plot(cx + d, cy + w, green); plot(cx + w, cy + d, green) }
            }
        }
        if let range = marks.faceWidthRange {
            let y = height * scale - 4
            let x0 = 4
            for x in x0..<(x0 + range.lowerBound * scale) { for w in 0..<3 { plot(x, y - 8 + w, green) } }
            for x in x0..<(x0 + range.upperBound * scale) { for w in 0..<3 { plot(x, y + w, white) } }
        }
    }

    private static func cos(_ a: Double) -> Double { sinCos(a).cos }
    private static func sin(_ a: Double) -> Double { sinCos(a).sin }

    /// sin and cos without Foundation (the Thermal target is pure Swift): a short Taylor series after reducing the
    /// angle to ±π/4, plenty for drawing a ring.
    static func sinCos(_ angle: Double) -> (sin: Double, cos: Double) {
        let quarter = Double.pi / 2
        let k = (angle / quarter).rounded()
        let x = angle - k * quarter
        let x2 = x * x
        let s = x * (1 - x2 / 6 * (1 - x2 / 20 * (1 - x2 / 42 * (1 - x2 / 72))))
        let c = 1 - x2 / 2 * (1 - x2 / 12 * (1 - x2 / 30 * (1 - x2 / 56)))
        switch ((Int(k) % 4) + 4) % 4 {
        case 0: return (s, c)
        case 1: return (c, -s)
        case 2: return (-s, -c)
        default: return (-c, s)
        }
    }
}
