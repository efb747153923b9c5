import Thermal

/// Reads the blackbody reference (ETRS) in every frame and decides whether it can be trusted.
///
/// The disc's value is the median of the pixels well inside it (robust to a few noisy or edge pixels). It must be
/// clearly warmer than the ring around it (else it is covered or gone), its warm pixels must be centred where
/// calibration put them (else the camera or the reference moved), and it must be steady over the last ~2 s.
struct ReferenceTracker: Sendable {
    let x: Int, y: Int, radius: Int
    let stabilityLimitCK: Double
    /// The disc must read at least this much above its surroundings (centi-kelvin). 1 K is twenty times the
    /// sensor noise; 3 K (the first value) lost the 35 °C disc in rooms above about 31 °C, where roadside tents are.
    static let minContrastCK = 100.0
    static let window = 18
    private(set) var recent: [Double] = []
    /// The disc's contrast with its surroundings in the last frame read (centi-kelvin).
    private(set) var lastContrastCK = 0.0

    enum Status: Equatable {
        case ok(rawCK: Double, stdCK: Double)
        case missing
        case moved
        case unstable(stdCK: Double)
    }

    init(x: Int, y: Int, radius: Int, stabilityLimitC: Double) {
        self.x = x
        self.y = y
        self.radius = max(2, radius)
        self.stabilityLimitCK = stabilityLimitC * 100
    }

    /// Pixels near the reference that the subject finder must ignore.
    func excludes(x px: Int, y py: Int) -> Bool {
        let margin = radius + 4
        return abs(px - x) <= margin && abs(py - y) <= margin
    }

    mutating func update(_ frame: ThermalFrame) -> Status {
        var inner: [Double] = [], ring: [Double] = []
        let innerR2 = Double(radius * radius) * 0.5
        let ringIn = Double((radius + 2) * (radius + 2)), ringOut = Double((radius + 5) * (radius + 5))
        let reach = radius + 5
        for py in max(0, y - reach)...min(frame.height - 1, y + reach) {
            for px in max(0, x - reach)...min(frame.width - 1, x + reach) {
                let d2 = Double((px - x) * (px - x) + (py - y) * (py - y))
                let v = Double(frame[px, py])
                if d2 <= innerR2 { inner.append(v) } else if d2 >= ringIn && d2 <= ringOut { ring.append(v) }
            }
        }
        guard !inner.isEmpty, !ring.isEmpty else { return .missing }
        let raw = Stats.median(inner), surround = Stats.median(ring)
        lastContrastCK = raw - surround
        guard raw - surround >= Self.minContrastCK else {
            recent.removeAll()
            return .missing
        }
        // Centroid of the warm pixels (above the midpoint between disc and surroundings) near the expected place.
        let cut = (raw + surround) / 2
        var sx = 0.0, sy = 0.0, n = 0.0
        for py in max(0, y - reach)...min(frame.height - 1, y + reach) {
            for px in max(0, x - reach)...min(frame.width - 1, x + reach) where Double(frame[px, py]) > cut {
                sx += Double(px)
                sy += Double(py)
                n += 1
            }
        }
        let dx = sx / max(n, 1) - Double(x), dy = sy / max(n, 1) - Double(y)
        if (dx * dx + dy * dy).squareRoot() > max(2.0, Double(radius) / 2) {
            recent.removeAll()
            return .moved
        }
        recent.append(raw)
        if recent.count > Self.window { recent.removeFirst(recent.count - Self.window) }
        let std = Stats.standardDeviation(recent)
        if recent.count >= 4 && std > stabilityLimitCK { return .unstable(stdCK: std) }
        return .ok(rawCK: raw, stdCK: std)
    }
}
