import Thermal

/// Reads the blackbody reference (ETRS) in every frame and decides whether it can be trusted.
///
/// The disc's value is the median of the pixels well inside it (robust to a few noisy or edge pixels). It must be
/// clearly warmer than the ring around it (else it is covered or gone), its warm pixels must be centred where
/// calibration put them (else the camera or the reference moved), and it must be steady over the last ~2 s.
///
/// Stations put the disc wherever the lane leaves room, also in a corner against the frame's edge: only the part of
/// the disc and of its ring that lies inside the image is read, and a disc whose place is outside the image (a
/// position from another rotation, a typo) is `outsideImage`, never a crash.
struct ReferenceTracker: Sendable {
    let x: Int, y: Int, radius: Int
    let stabilityLimitCK: Double
    /// The disc must read at least this much above its surroundings (centi-kelvin). 1 K is twenty times the
    /// sensor noise; 3 K (the first value) lost the 35 °C disc in rooms above about 31 °C, where roadside tents are.
    static let minContrastCK = 100.0
    static let window = 18
    /// Share of the disc's inner pixels that must lie inside the image for it to be read at all.
    static let minVisibleShare = 0.4
    private(set) var recent: [Double] = []
    /// The disc's contrast with its surroundings in the last frame read (centi-kelvin).
    private(set) var lastContrastCK = 0.0
    /// The disc's own reading in the last frame read, and in the last frame it could be trusted (centi-kelvin).
    private(set) var lastDiscCK: Double?
    private(set) var lastGoodCK: Double?
    /// Within this much of its last trusted reading (centi-kelvin) the disc is taken to be still there, at its
    /// temperature: steady discs vary by a few hundredths of a kelvin.
    static let sameDiscCK = 50.0
    /// A scene whose median lies less than this below the set-point (centi-kelvin) is warm enough to drown the disc.
    static let warmSceneCK = 600.0

    enum Status: Equatable {
        case ok(rawCK: Double, stdCK: Double)
        case missing
        /// The disc reads its own temperature, but its surroundings are as warm.
        case lowContrast
        /// Something colder than the disc is where it was.
        case covered
        case moved
        case unstable(stdCK: Double)
        /// Too little of the disc lies inside the image to read it.
        case outsideImage

        /// Why screening cannot use the disc (nil: it can).
        var pauseReason: PauseReason? {
            switch self {
            case .ok: nil
            case .missing: .referenceMissing
            case .lowContrast: .referenceLowContrast
            case .covered: .referenceCovered
            case .moved: .referenceMoved
            case .unstable: .referenceUnstable
            case .outsideImage: .referenceOutsideImage
            }
        }
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

    /// Whether enough of the disc lies inside a `width`×`height` image to be read.
    func isVisible(width: Int, height: Int) -> Bool {
        var inside = 0, total = 0
        let innerR2 = Double(radius * radius) * 0.5
        for dy in -radius...radius {
            for dx in -radius...radius where Double(dx * dx + dy * dy) <= innerR2 {
                total += 1
                if (0..<width).contains(x + dx) && (0..<height).contains(y + dy) { inside += 1 }
            }
        }
        return Double(inside) >= Self.minVisibleShare * Double(max(total, 1)) && inside >= 3
    }

    /// The scene's median (centi-kelvin) and the disc's set-point, when known: they tell a disc drowned by a hot
    /// scene from one covered or switched off.
    var sceneCK: Double?
    var setpointCK: Double?

    /// Why a disc that does not stand out is not read: still at its own temperature in a scene about as warm
    /// (low contrast), colder than it was (covered), or nothing to compare with (missing).
    func missingCause(discCK: Double) -> Status {
        let warmScene = sceneCK.map { scene in (setpointCK ?? lastGoodCK ?? discCK) - scene < Self.warmSceneCK } ?? false
        // Never seen: a warm scene is the likely cause (the camera's own scale may be a few kelvin off, so the
        // disc's reading is not compared with its set-point).
        guard let good = lastGoodCK else { return warmScene ? .lowContrast : .missing }
        return warmScene && abs(discCK - good) <= Self.sameDiscCK ? .lowContrast : .covered
    }

    mutating func update(_ frame: ThermalFrame) -> Status {
        guard isVisible(width: frame.width, height: frame.height) else {
            recent.removeAll()
            return .outsideImage
        }
        var inner: [Double] = [], ring: [Double] = []
        let innerR2 = Double(radius * radius) * 0.5
        let ringIn = Double((radius + 2) * (radius + 2)), ringOut = Double((radius + 5) * (radius + 5))
        let reach = radius + 5
        // The window clipped to the image; isVisible guarantees it is not empty.
        let rows = max(0, y - reach)...min(frame.height - 1, y + reach)
        let columns = max(0, x - reach)...min(frame.width - 1, x + reach)
        for py in rows {
            for px in columns {
                let d2 = Double((px - x) * (px - x) + (py - y) * (py - y))
                let v = Double(frame[px, py])
                if d2 <= innerR2 { inner.append(v) } else if d2 >= ringIn && d2 <= ringOut { ring.append(v) }
            }
        }
        guard !inner.isEmpty, ring.count >= 8 else { return .missing }
        let raw = Stats.median(inner), surround = Stats.median(ring)
        lastContrastCK = raw - surround
        lastDiscCK = raw
        guard raw - surround >= Self.minContrastCK else {
            recent.removeAll()
            return missingCause(discCK: raw)
        }
        // Centroid of the warm pixels (above the midpoint between disc and surroundings) near the expected place,
        // against the centroid an unmoved disc would show: at the frame's edge only part of it is visible, and
        // that part's centre is not the disc's.
        let cut = (raw + surround) / 2
        var sx = 0.0, sy = 0.0, n = 0.0, ex = 0.0, ey = 0.0, en = 0.0
        let discR2 = Double(radius * radius)
        for py in rows {
            for px in columns {
                if Double(frame[px, py]) > cut {
                    sx += Double(px)
                    sy += Double(py)
                    n += 1
                }
                if Double((px - x) * (px - x) + (py - y) * (py - y)) <= discR2 {
                    ex += Double(px)
                    ey += Double(py)
                    en += 1
                }
            }
        }
        let dx = sx / max(n, 1) - ex / max(en, 1), dy = sy / max(n, 1) - ey / max(en, 1)
        if (dx * dx + dy * dy).squareRoot() > max(2.0, Double(radius) / 2) {
            recent.removeAll()
            return .moved
        }
        recent.append(raw)
        lastGoodCK = raw
        if recent.count > Self.window { recent.removeFirst(recent.count - Self.window) }
        let std = Stats.standardDeviation(recent)
        if recent.count >= 4 && std > stabilityLimitCK { return .unstable(stdCK: std) }
        return .ok(rawCK: raw, stdCK: std)
    }
}
