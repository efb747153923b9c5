import Thermal

/// The conditions an accuracy run draws its travellers and scenes from. Every value is ground truth the simulator
/// renders, so the engine's readings can be scored against it.
public struct AccuracyConditions: Sendable {
    public var name: String
    /// True inner-eye-corner temperatures are drawn uniformly from this range (°C): wide enough to put travellers
    /// on both sides of the threshold, including close to it.
    public var canthusRangeC: ClosedRange<Double> = 35.8...39.2
    public var faceWidthRangePx: ClosedRange<Double> = 38...52
    /// Head turned by up to this many degrees either way.
    public var maxTurnDegrees: Double = 0
    public var glassesShare: Double = 0
    public var hatShare: Double = 0
    /// Share of travellers with a second person beside them at the mark.
    public var companionShare: Double = 0
    /// Each block of travellers gets its own room temperature from this range.
    public var ambientRangeC: ClosedRange<Double> = 24...24
    public var driftCKPerMinute: Double = 0
    /// A flat-field correction every this many seconds (nil: none).
    public var flatFieldEverySeconds: Double?
    public var hotPixels = 0
    /// A blackbody reference in view (and configured).
    public var reference = true
    /// The engine finds the reference itself instead of being told where it is.
    public var findReference = false

    public init(name: String) { self.name = name }

    /// A lane in good order: reference in view, one person at a time, faces at the mark, 24 °C.
    public static let normal = AccuracyConditions(name: "normal")

    /// What a roadside tent throws at it: turned heads, glasses, hats, companions, 18–32 °C, sensor drift,
    /// flat-field corrections and hot pixels.
    public static var hard: AccuracyConditions {
        var c = AccuracyConditions(name: "hard")
        c.maxTurnDegrees = 15
        c.glassesShare = 0.2
        c.hatShare = 0.2
        c.companionShare = 0.05
        c.ambientRangeC = 18...32
        c.driftCKPerMinute = 5
        c.flatFieldEverySeconds = 120
        c.hotPixels = 5
        return c
    }

    /// The hard conditions with the reference found automatically.
    public static var hardAutoReference: AccuracyConditions {
        var c = AccuracyConditions.hard
        c.name = "hard, reference found automatically"
        c.findReference = true
        return c
    }

    /// The normal lane without its blackbody: readings rest on the camera's own calibration.
    public static var noReference: AccuracyConditions {
        var c = AccuracyConditions.normal
        c.name = "no-reference"
        c.reference = false
        return c
    }
}
