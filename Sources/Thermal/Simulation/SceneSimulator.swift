/// Settings of a simulated camera scene: the room, the sensor's imperfections and the blackbody reference.
public struct SceneSettings: Sendable, Equatable {
    public var width = 160
    public var height = 120
    public var ambientC = 24.0
    /// Sensor noise, one standard deviation, in millikelvin (a Lepton's NETD is < 50 mK).
    public var noiseMK = 50.0
    /// The sensor's own absolute error: every pixel reads this many centi-kelvin off (TLinear is 1–3.5 K off in
    /// practice). The blackbody reference is what lets the engine remove it.
    public var cameraBiasCK = -180.0
    /// Slow drift of the whole sensor, centi-kelvin per minute.
    public var driftCKPerMinute = 0.0
    /// Blackbody reference disc: centre, radius (px) and true temperature (°C); nil for no reference in view.
    public var reference: ReferenceDisc? = ReferenceDisc(x: 148, y: 100, radius: 6, temperatureC: 35.0)
    /// A warm housing around the disc (the real stations' box: larger than a face can be, a few kelvin over the
    /// air, at most halfway to the disc), instead of the small mount. The disc sits in its lower part.
    public var housing: Housing?
    /// Flat-field corrections (shutter events) at these scene times: ~2 s without frames, then a whole-image step.
    public var ffcTimes: [Double] = []
    /// Pixels that always read hot (stuck high).
    public var hotPixels: [PixelPosition] = []
    public var seed: UInt64 = 7

    public init() {}

    public struct Housing: Sendable, Equatable {
        public var width: Int, height: Int
        /// Kelvin above the room.
        public var warmthK: Double
        public init(width: Int, height: Int, warmthK: Double) {
            self.width = width
            self.height = height
            self.warmthK = warmthK
        }
    }

    public struct ReferenceDisc: Sendable, Equatable {
        public var x: Int, y: Int, radius: Int
        public var temperatureC: Double
        public init(x: Int, y: Int, radius: Int, temperatureC: Double) {
            self.x = x
            self.y = y
            self.radius = radius
            self.temperatureC = temperatureC
        }
    }
}

public struct PixelPosition: Sendable, Equatable, Hashable {
    public var x: Int, y: Int
    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }
}

/// Renders upright radiometric frames (centi-kelvin) of travellers walking up to the lane, standing, and leaving.
///
/// The face model is deliberately simple but keeps what matters for screening: the inner eye corners are the
/// warmest skin (at the traveller's `canthusC`), forehead and cheeks are cooler, hair, hats and glasses are cooler
/// still, clothes sit between skin and room. Everything the camera adds (bias, drift, noise, FFC steps, hot pixels)
/// is applied on top, so tests know exactly what the right answer is.
public struct SceneSimulator: Sendable {
    public let settings: SceneSettings
    public let travellers: [SceneTraveller]
    private var rng: SeededRandom
    private let noiseTable: [Int16]
    private let backgroundCK: [Double]

    /// How long the camera delivers no frames during a flat-field correction.
    public static let ffcGapSeconds = 2.0

    public init(settings: SceneSettings = SceneSettings(), travellers: [SceneTraveller]) {
        self.settings = settings
        self.travellers = travellers.sorted { $0.arrival < $1.arrival }
        var rng = SeededRandom(seed: settings.seed)
        // Noise comes from a table of normal samples: per-pixel Box–Muller would dominate the frame cost.
        let sigmaCK = settings.noiseMK / 10
        noiseTable = (0..<8192).map { _ in Int16((rng.gaussian() * sigmaCK).rounded()) }
        // A room is not flat: a gentle vertical gradient and a fixed pattern of small per-pixel differences.
        var background = [Double](repeating: 0, count: settings.width * settings.height)
        let ambient = CentiKelvin.fromCelsius(settings.ambientC)
        for y in 0..<settings.height {
            let gradient = 40.0 * Double(settings.height - y) / Double(settings.height)
            for x in 0..<settings.width {
                background[y * settings.width + x] = ambient + gradient + rng.uniform(-3, 3)
            }
        }
        backgroundCK = background
        self.rng = rng
    }

    /// The traveller in view at scene time `t`, if any.
    public func traveller(at t: Double) -> SceneTraveller? { travellers.first { $0.isInView(at: t) } }

    /// True when the camera is inside a flat-field correction at `t` and delivers no frame.
    public func isInFFC(at t: Double) -> Bool {
        settings.ffcTimes.contains { t >= $0 && t < $0 + Self.ffcGapSeconds }
    }

    /// Renders the frame at scene time `t`.
    public mutating func frame(at t: Double, sequence: UInt64) -> ThermalFrame {
        let w = settings.width, h = settings.height
        var truth = backgroundCK
        if let ref = settings.reference { drawReference(ref, into: &truth) }
        if let person = traveller(at: t) {
            draw(person, at: t, into: &truth)
        }
        // What the sensor adds.
        let lastFFC = settings.ffcTimes.filter { $0 + Self.ffcGapSeconds <= t }.max()
        var offset = settings.cameraBiasCK + settings.driftCKPerMinute * t / 60
        if let lastFFC {
            // After a shutter event the whole image steps up and settles back over ~1.5 s.
            let since = t - lastFFC - Self.ffcGapSeconds
            offset += 35 * max(0, 1 - since / 1.5)
        }
        var pixels = [UInt16](repeating: 0, count: w * h)
        let tableCount = UInt64(noiseTable.count)
        for i in 0..<(w * h) {
            let noise = Double(noiseTable[Int(rng.next() % tableCount)])
            pixels[i] = UInt16(clamping: Int((truth[i] + offset + noise).rounded()))
        }
        for hot in settings.hotPixels where hot.x < w && hot.y < h { pixels[hot.y * w + hot.x] = UInt16(clamping: 33315) }
        let msSinceFFC = telemetry(at: t, lastFFC: lastFFC)
        return ThermalFrame(
            width: w, height: h, pixels: pixels, timestamp: t, sequence: sequence, msSinceFFC: msSinceFFC)
    }

    /// Like a Lepton's telemetry: milliseconds since the last flat-field correction, the first one ten minutes
    /// before the scene began. (Without it the engine has to take a gap in the frames for a correction, and a busy
    /// machine that skips frames of a sped-up scene looks like one.)
    private func telemetry(at t: Double, lastFFC: Double?) -> Int {
        Int(((t - (lastFFC ?? -600)) * 1000).rounded())
    }

    private func drawReference(_ ref: SceneSettings.ReferenceDisc, into truth: inout [Double]) {
        let w = settings.width, h = settings.height
        let disc = CentiKelvin.fromCelsius(ref.temperatureC)
        if let box = settings.housing {
            // The box reaches up and to the image's inside from the disc, which sits near its bottom.
            // Warmed by the disc's heater, never warmer than halfway from the air to the disc.
            let warm = CentiKelvin.fromCelsius(settings.ambientC + min(box.warmthK, (ref.temperatureC - settings.ambientC) / 2))
            let right = ref.x < w / 2
            let x0 = right ? ref.x - ref.radius - 4 : ref.x + ref.radius + 4 - box.width
            let y1 = ref.y + ref.radius + 4, y0 = y1 - box.height
            for y in max(0, y0)...max(0, min(h - 1, y1)) {
                for x in max(0, x0)...max(0, min(w - 1, x0 + box.width)) { truth[y * w + x] = warm }
            }
        }
        // The disc's bezel, 2 K above the air, but like the box never warmer than halfway from the air to the disc
        // (in a 34 °C tent it was hotter than a 35 °C disc).
        let housing = CentiKelvin.fromCelsius(settings.ambientC + min(2, (ref.temperatureC - settings.ambientC) / 2))
        let half = ref.radius + 3
        for y in max(0, ref.y - half)...max(0, min(h - 1, ref.y + half)) {
            for x in max(0, ref.x - half)...max(0, min(w - 1, ref.x + half)) {
                let dx = Double(x - ref.x), dy = Double(y - ref.y)
                let inside = dx * dx + dy * dy <= Double(ref.radius * ref.radius)
                if inside { truth[y * w + x] = disc } else if settings.housing == nil { truth[y * w + x] = housing }
            }
        }
    }

    /// Position and scale of a traveller at time `t`: they grow as they walk up, sway a little while standing,
    /// and slide out sideways when they leave.
    private func pose(of person: SceneTraveller, at t: Double) -> (scale: Double, shiftX: Double) {
        if t < person.standingFrom {
            let p = (t - person.arrival) / SceneTraveller.approachSeconds
            return (0.6 + 0.4 * p, 0)
        }
        if t < person.standingUntil {
            return (1, 0.25 * sin(2 * Double.pi * 0.3 * (t - person.standingFrom)))
        }
        // They leave toward the side away from the reference (a lane is set up so nobody walks past the disc).
        let p = (t - person.standingUntil) / SceneTraveller.leaveSeconds
        let away = (settings.reference?.x ?? settings.width) > settings.width / 2 ? -1.0 : 1.0
        return (1, away * p * Double(settings.width) * 0.9)
    }

    private func draw(_ person: SceneTraveller, at t: Double, into truth: inout [Double]) {
        let (scale, shiftX) = pose(of: person, at: t)
        let cx = Double(settings.width) / 2 + person.offsetX + shiftX
        if person.queueBehind && t >= person.arrival {
            // Drawn first: the traveller at the mark stands in front. Farther back: a smaller face, higher up.
            var waiting = person
            waiting.glasses = false
            waiting.hat = false
            waiting.helmet = false
            waiting.canthusC = 36.4
            // On the side away from the disc: a lane is laid out so that nobody waits in front of it.
            let side = (settings.reference?.x ?? settings.width) > settings.width / 2 ? -1.0 : 1.0
            drawPerson(waiting, centreX: Double(settings.width) / 2 + side * person.faceWidthPx * 0.9, scale: 0.55, into: &truth)
        }
        drawPerson(person, centreX: cx, scale: scale, into: &truth)
        if person.companion && t >= person.standingFrom && t < person.standingUntil {
            var other = person
            other.glasses = false
            other.hat = false
            other.canthusC = 36.6
            drawPerson(other, centreX: cx + person.faceWidthPx * 1.6, scale: 0.85, into: &truth)
        }
    }

    private func drawPerson(_ person: SceneTraveller, centreX cx: Double, scale: Double, into truth: inout [Double]) {
        let w = settings.width, h = settings.height
        let ambient = settings.ambientC
        let c = person.canthusC
        let turn = min(abs(person.turnDegrees), 80) * Double.pi / 180
        let fw = person.faceWidthPx * scale * (0.75 + 0.25 * cos(turn))
        let headH = fw * 1.3
        let top = 5 + (1 - scale) * 25
        let cy = top + headH / 2
        let neckTop = top + headH * 0.95, neckBottom = top + headH + fw * 0.25
        let clothes = CentiKelvin.fromCelsius(ambient + 0.35 * max(0, 33 - ambient))
        let neck = CentiKelvin.fromCelsius(c - 1.5)
        // Body and neck.
        for y in min(h, max(0, Int(neckTop)))..<h {  // a face close enough to fill the image has no body in view
            let yy = Double(y)
            let halfWidth: Double
            let value: Double
            if yy < neckBottom {
                halfWidth = fw * 0.22
                value = neck
            } else {
                let ramp = min(1, (yy - neckBottom) / (fw * 0.35))
                halfWidth = fw * (0.6 + 0.55 * ramp)
                value = clothes
            }
            for x in span(cx - halfWidth, cx + halfWidth, within: w) { truth[y * w + x] = value }
        }
        // Head: an ellipse of skin with hair on top, eyes, inner eye corners, optional hat and glasses.
        let rx = fw / 2, ry = headH / 2
        let eyeY = top + headH * 0.47
        let canthusDX = fw * 0.12 * cos(turn)
        let canthusHalf = max(0.5, fw * 0.025)
        for y in span(top, top + headH, within: h) {
            let dy = (Double(y) + 0.5 - cy) / ry
            if abs(dy) > 1 { continue }
            let yrel = (Double(y) + 0.5 - top) / headH
            let halfSpan = rx * (1 - dy * dy).squareRoot()
            for x in span(cx - halfSpan, cx + halfSpan, within: w) {
                let xx = Double(x) + 0.5
                let edge = abs(xx - cx) / max(halfSpan, 1)
                var celsius: Double
                if person.hat && yrel < 0.32 {
                    celsius = ambient + 1.0
                } else if yrel < 0.2 {
                    celsius = ambient + 0.35 * (c - 1 - ambient)
                } else if yrel < 0.4 {
                    celsius = c - 0.7
                } else if yrel < 0.56 {
                    celsius = c - 1.0
                    if abs(yrel - 0.47) < 0.05 && abs(abs(xx - cx) - fw * 0.24) < fw * 0.08 { celsius = c - 1.2 }
                } else {
                    celsius = c - 1.3
                }
                celsius -= 0.6 * edge * edge  // the face's edge is seen at a glancing angle and reads cooler
                if abs(Double(y) + 0.5 - eyeY) <= canthusHalf + 0.5
                    && (abs(xx - (cx - canthusDX)) <= canthusHalf + 0.5 || abs(xx - (cx + canthusDX)) <= canthusHalf + 0.5)
                {
                    celsius = c
                }
                if person.glasses && abs(yrel - 0.47) < 0.08 && abs(xx - cx) < fw * 0.42 {
                    celsius = ambient + 1.5  // glass is opaque to long-wave infrared
                }
                if person.mask && yrel > 0.57 && abs(xx - cx) < fw * 0.44 {
                    celsius = ambient + 0.55 * (c - 1.5 - ambient)  // cloth warmed by breath, well below skin
                }
                if person.helmet && (yrel < 0.36 || abs(xx - cx) > fw * 0.36) {
                    celsius = ambient + 0.8  // the shell and its cheek pads, near air temperature
                }
                truth[y * w + x] = CentiKelvin.fromCelsius(celsius)
            }
        }
    }
}

/// Whole pixels from `lower` to `upper` that lie inside `0..<limit` (empty when the shape is off-image).
private func span(_ lower: Double, _ upper: Double, within limit: Int) -> Range<Int> {
    let from = max(0, Int(lower.rounded(.down))), to = min(limit, Int(upper.rounded(.down)) + 1)
    return from < to ? from..<to : 0..<0
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
