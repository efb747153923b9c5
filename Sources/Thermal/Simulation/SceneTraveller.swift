/// One traveller in a simulated scene, with the ground truth the screening engine should recover.
public struct SceneTraveller: Sendable, Equatable {
    /// Scene time (s) when they come into view.
    public var arrival: Double
    /// Seconds standing still at the mark in front of the camera.
    public var dwell: Double
    /// True skin temperature at the inner eye corners (°C): what an ideal engine measures.
    public var canthusC: Double
    /// Face width in pixels when standing at the mark.
    public var faceWidthPx: Double
    /// Horizontal offset of the standing position from the image centre (px).
    public var offsetX: Double
    /// Head turned away from the camera by this many degrees (narrows the face, cools its visible edge).
    public var turnDegrees: Double
    public var glasses: Bool
    public var hat: Bool
    /// A second person stands beside this one while they are at the mark.
    public var companion: Bool
    /// A face mask over nose and mouth (compulsory at Vietnam's checkpoints in 2020–2021): cloth between skin and air.
    public var mask = false
    /// An open-face motorbike helmet: shell over the top and sides of the head, eyes and cheeks in view.
    public var helmet = false
    /// Someone waiting behind, farther back (a smaller face) and to one side, while this traveller is at the mark.
    public var queueBehind = false

    public static let approachSeconds = 1.2
    public static let leaveSeconds = 1.0

    public init(
        arrival: Double, dwell: Double, canthusC: Double, faceWidthPx: Double = 44, offsetX: Double = 0,
        turnDegrees: Double = 0, glasses: Bool = false, hat: Bool = false, companion: Bool = false
    ) {
        self.arrival = arrival
        self.dwell = dwell
        self.canthusC = canthusC
        self.faceWidthPx = faceWidthPx
        self.offsetX = offsetX
        self.turnDegrees = turnDegrees
        self.glasses = glasses
        self.hat = hat
        self.companion = companion
    }

    /// When they are at the mark and still.
    public var standingFrom: Double { arrival + Self.approachSeconds }
    /// When they start to walk away.
    public var standingUntil: Double { standingFrom + dwell }
    /// When they are out of view.
    public var departure: Double { standingUntil + Self.leaveSeconds }

    public func isInView(at t: Double) -> Bool { t >= arrival && t < departure }
}

/// A sequence of travellers who come one at a time, as a lane sees them.
public enum SceneScript {
    /// Travellers with dwell 3–6 s, a 1–2.5 s gap between them, and the given share with a fever
    /// (canthus 38.0–39.0 °C against 36.0–37.0 °C for the others, so each is clearly on one side of 37.5 °C).
    public static func queue(
        count: Int, startingAt start: Double = 2.0, feverShare: Double = 0.2, seed: UInt64 = 1,
        dwellRange: ClosedRange<Double> = 3...6
    ) -> [SceneTraveller] {
        var rng = SeededRandom(seed: seed)
        var travellers: [SceneTraveller] = []
        var t = start
        for _ in 0..<count {
            let fever = rng.uniform(0, 1) < feverShare
            let canthus = fever ? rng.uniform(38.0, 39.0) : rng.uniform(36.0, 37.0)
            let traveller = SceneTraveller(
                arrival: t, dwell: rng.uniform(dwellRange.lowerBound, dwellRange.upperBound), canthusC: canthus,
                faceWidthPx: rng.uniform(40, 48), offsetX: rng.uniform(-8, 8))
            travellers.append(traveller)
            t = traveller.departure + rng.uniform(1.0, 2.5)
        }
        return travellers
    }
}
