import Thermal

/// What the engine needs to know about one lane's camera set-up. Defaults follow the standards and peers
/// gathered in research (IEC 80601-2-59, ISO/TR 13154, FeverScreen).
public struct ScreeningConfig: Sendable, Equatable {
    /// Verdict threshold on the screening temperature (°C), 34.0–39.0 in 0.1 steps.
    public var thresholdC = 37.5
    /// Constant added to the skin reading to give the screening temperature (fitted by `calibrate offset`).
    public var offsetC = 0.0
    public var reference: ReferenceMode = .none
    /// Temperature of the blackbody reference (°C), from calibration.
    public var referenceSetpointC = 35.0
    /// Screening pauses when the reference's standard deviation over ~2 s exceeds this (°C).
    public var referenceStabilityLimitC = 0.2
    /// Faces narrower than this are too far away. A face is about 14 cm wide; a Lepton 3.5 (0.36° per pixel) sees
    /// it 26 px wide at about 0.85 m, where the inner eye corner still covers a couple of pixels. FeverScreen asked
    /// for 35 px (0.65 m), which most travellers at real stations never reached: they were told to come closer.
    public var minFaceWidthPx = 26
    /// Faces wider than this are too close.
    public var maxFaceWidthPx = 90
    /// Frames the head must stay still (and all gates pass) before a reading is taken.
    public var stableFrames = 5
    /// Largest movement of the head centre (px) within the stable window; a tenth of the face's width when that is
    /// more (a large face drifts more pixels for the same movement).
    public var maxMovementPx = 2.5
    /// No reading within this many seconds after a flat-field correction.
    public var ffcHoldoffSeconds = 5.0
    /// Sensor noise (one standard deviation, K) used in the uncertainty budget.
    public var sensorNoiseK = 0.05
    /// A warm area must be this much above the learned background (K) to count as a person.
    public var foregroundThresholdK = 1.0
    /// Screening temperatures skin can have: the inner eye corner reads 34–38 °C in people indoors and up to about
    /// 41 °C in high fever; a face just in from 5 °C air can read near 30 °C for minutes. Outside this range the
    /// reading is wrong, not the traveller: a retry to the secondary check, never a verdict.
    public static let plausibleC = 30.0...43.0
    /// Relative mode (off by default): the threshold also follows the lane's recent normal readings.
    public var relative: RelativeThreshold?
    /// The camera's bad pixels in the upright image (from `camera pixels`), repaired before anything else.
    public var badPixels: PixelMap?

    public init() {}

    public enum ReferenceMode: Sendable, Equatable {
        /// No blackbody in view: readings rely on the camera's own calibration and say so.
        case none
        /// A disc at a fixed place in the upright image.
        case region(x: Int, y: Int, radius: Int)
        /// A disc the engine finds by itself in the lower part of the image; screening pauses until it has.
        case auto
    }

    /// Systematic standard uncertainty (K) of a reading with a blackbody reference (ETRS set-point plus
    /// calibration) and without one (the camera's own absolute accuracy; a Lepton's is far worse than this, so
    /// readings without a reference must be treated as indicative only).
    public static let systematicWithReferenceK = 0.1
    public static let systematicWithoutReferenceK = 1.0
}
