import Thermal

/// `calibrate check`: reads a second reference of known temperature through the same correction the engine
/// applies to faces (second disc − lane reference + set-point) and compares. Pure: frames in, a result out.
public struct ReferenceCheck: Sendable {
    public let knownC: Double
    public let toleranceC: Double
    private let setpointC: Double
    private var main: ReferenceTracker
    private var locator: ReferenceLocator?
    private var second: ReferenceTracker?
    private var corrected: [Double] = []

    public static let defaultToleranceC = 0.3

    /// Whether two discs are too close to be two references: the check would read the lane's own disc against
    /// itself and pass with an error of 0.00 °C whatever the camera does.
    public static func overlaps(_ a: (x: Int, y: Int, radius: Int), _ b: (x: Int, y: Int, radius: Int)) -> Bool {
        let dx = Double(a.x - b.x), dy = Double(a.y - b.y)
        return (dx * dx + dy * dy).squareRoot() < Double(a.radius + b.radius + 3)
    }
    public static let minSamples = 10

    /// `reference` and `setpointC`: the lane's reference disc as the engine uses it. `secondRegion`: where the
    /// second reference is held (nil: it is found anywhere in the image, away from the lane's reference).
    public init(
        reference: (x: Int, y: Int, radius: Int), setpointC: Double, knownC: Double, toleranceC: Double = defaultToleranceC,
        secondRegion: (x: Int, y: Int, radius: Int)? = nil
    ) {
        self.knownC = knownC
        self.toleranceC = toleranceC
        self.setpointC = setpointC
        main = ReferenceTracker(x: reference.x, y: reference.y, radius: reference.radius, stabilityLimitC: 1000)
        if let secondRegion {
            second = ReferenceTracker(x: secondRegion.x, y: secondRegion.y, radius: secondRegion.radius, stabilityLimitC: 1000)
        } else {
            locator = ReferenceLocator(searchFrom: 0)
        }
    }

    public enum Progress: Sendable, Equatable {
        case referenceMissing
        case searching
        case measuring(samples: Int)
    }

    public mutating func add(_ frame: ThermalFrame) -> Progress {
        guard case .ok(let mainRaw, _) = main.update(frame) else {
            corrected.removeAll()
            return .referenceMissing
        }
        if var search = locator {
            let lane = main
            let found = search.update(frame, isOnPerson: { x, y in lane.excludes(x: x, y: y) })
            locator = search
            guard let found else { return .searching }
            guard !Self.overlaps((found.x, found.y, found.radius), (main.x, main.y, main.radius)) else {
                locator = ReferenceLocator(searchFrom: 0)
                return .searching
            }
            second = ReferenceTracker(x: found.x, y: found.y, radius: found.radius, stabilityLimitC: 1000)
            locator = nil
        }
        guard var reader = second else { return .searching }
        let status = reader.update(frame)
        second = reader
        guard case .ok(let raw, _) = status else {
            corrected.removeAll()
            return .searching
        }
        corrected.append(CentiKelvin.celsius(raw - mainRaw + CentiKelvin.fromCelsius(setpointC)))
        return .measuring(samples: corrected.count)
    }

    public var result: ReferenceCheckResult? {
        guard let reader = second, corrected.count >= Self.minSamples else { return nil }
        let measured = (Stats.mean(corrected) * 100).rounded() / 100
        let error = ((measured - knownC) * 100).rounded() / 100
        return ReferenceCheckResult(
            knownC: knownC, measuredC: measured, errorC: error, toleranceC: toleranceC,
            passed: abs(error) <= toleranceC + 1e-9, x: reader.x, y: reader.y, radius: reader.radius,
            frames: corrected.count)
    }
}
