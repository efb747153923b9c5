import Thermal

/// `calibrate reference`: finds the blackbody (or reads it at a given place), then watches it for a short window
/// and reports how steady it is. Pure: frames in, progress and a result out.
public struct ReferenceSurvey: Sendable {
    public enum Progress: Sendable, Equatable {
        case searching
        /// Reading the disc: samples so far.
        case measuring(x: Int, y: Int, radius: Int, samples: Int)
        /// The disc was lost while being read, and why (covered, moved, drowned by a warm scene); the survey
        /// starts over.
        case lost(PauseReason)
    }

    public let setpointC: Double
    private var locator: ReferenceLocator?
    private var tracker: ReferenceTracker?
    private var samples: [(t: Double, rawCK: Double, contrastCK: Double)] = []
    /// The scene's median in the last frame (°C): about the air at the lane.
    public private(set) var sceneC: Double?
    /// Why the disc was last lost, if it was.
    public private(set) var lastLost: PauseReason?

    /// `region`: where the disc is, when the technician knows (nil: found as the engine finds it).
    public init(region: (x: Int, y: Int, radius: Int)? = nil, setpointC: Double) {
        self.setpointC = setpointC
        if let region {
            tracker = Self.tracker(region.x, region.y, region.radius)
        } else {
            locator = ReferenceLocator()
        }
    }

    /// The survey's tracker accepts any steadiness: judging it is the survey's job.
    private static func tracker(_ x: Int, _ y: Int, _ r: Int) -> ReferenceTracker {
        ReferenceTracker(x: x, y: y, radius: r, stabilityLimitC: 1000)
    }

    public mutating func add(_ frame: ThermalFrame) -> Progress {
        if var search = locator {
            let found = search.update(frame, isOnPerson: { _, _ in false })
            locator = search
            guard let found else { return .searching }
            tracker = Self.tracker(found.x, found.y, found.radius)
            locator = nil
        }
        let sceneCK = SubjectFinder.median(of: frame.pixels)
        sceneC = CentiKelvin.celsius(sceneCK)
        guard var reader = tracker else { return .searching }
        reader.sceneCK = sceneCK
        reader.setpointCK = CentiKelvin.fromCelsius(setpointC)
        let status = reader.update(frame)
        tracker = reader
        guard case .ok(let raw, _) = status else {
            samples.removeAll()
            lastLost = status.pauseReason ?? .referenceMissing
            return .lost(lastLost!)
        }
        samples.append((frame.timestamp, raw, reader.lastContrastCK))
        return .measuring(x: reader.x, y: reader.y, radius: reader.radius, samples: samples.count)
    }

    public var sampleCount: Int { samples.count }

    /// Where the disc is and how steady it read; nil before at least `minSamples` readings.
    public var result: ReferenceCalibration? {
        guard let reader = tracker, samples.count >= Self.minSamples else { return nil }
        let t0 = samples[0].t
        let fit = LinearFit(xs: samples.map { ($0.t - t0) / 60 }, ys: samples.map(\.rawCK))
        return ReferenceCalibration(
            x: reader.x, y: reader.y, radius: reader.radius, setpointC: setpointC,
            noiseC: (fit.residualStandardDeviation / 100 * 1000).rounded() / 1000,
            driftCPerMinute: (fit.slope / 100 * 1000).rounded() / 1000,
            contrastC: (Stats.mean(samples.map(\.contrastCK)) / 10).rounded() / 10,
            seconds: ((samples[samples.count - 1].t - t0) * 10).rounded() / 10)
    }

    public static let minSamples = 10
    /// Below this contrast with its surroundings (°C) the disc is read, but a little more warmth in the scene (the
    /// afternoon sun on a tent) drowns it: selftest fails it.
    public static let minComfortableContrastC = 3.0
    /// A reference noisier than this about its trend is not fit to correct readings to 0.1 °C.
    public static let maxNoiseC = 0.1
    /// A drift faster than this means the camera has not warmed up yet (readings stay corrected, but wait).
    public static let warmUpDriftCPerMinute = 0.5
}

/// Least-squares line y = a + b·x, with the spread of the points about it.
struct LinearFit {
    let intercept: Double, slope: Double, residualStandardDeviation: Double

    init(xs: [Double], ys: [Double]) {
        let mx = Stats.mean(xs), my = Stats.mean(ys)
        var sxy = 0.0, sxx = 0.0
        for (x, y) in zip(xs, ys) {
            sxy += (x - mx) * (y - my)
            sxx += (x - mx) * (x - mx)
        }
        let b = sxx > 0 ? sxy / sxx : 0, a = my - b * mx
        slope = b
        intercept = a
        let residuals = zip(xs, ys).map { $1 - (a + b * $0) }
        let ss = residuals.reduce(0) { $0 + $1 * $1 }
        residualStandardDeviation = residuals.count > 2 ? (ss / Double(residuals.count - 2)).squareRoot() : 0
    }
}
