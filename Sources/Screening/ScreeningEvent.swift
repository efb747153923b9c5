/// What the engine tells the lane. One `measured` per traveller, then `left` when they go.
public enum ScreeningEvent: Sendable, Equatable {
    case measured(Measurement)
    /// The traveller cannot be measured yet; the reason is shown and spoken to them.
    case retry(RetryReason)
    case left
    /// Screening stopped for a reason that is not the traveller's (reference missing, not a radiometric camera).
    case paused(PauseReason)
    case resumed

    public var name: String {
        switch self {
        case .measured: "measured"
        case .retry: "retry"
        case .left: "left"
        case .paused: "paused"
        case .resumed: "resumed"
        }
    }
}

public enum Verdict: String, Sendable, Codable, Equatable {
    /// Below the threshold with its whole uncertainty band.
    case normal
    /// At or above the threshold, or so uncertain that its band reaches the threshold (a fever cannot be ruled
    /// out): send to secondary check with a clinical thermometer.
    case elevated
}

/// One traveller's reading. Temperatures are never adjusted toward "normal": what the site read, corrected by the
/// reference and the calibrated offset, is what is reported.
public struct Measurement: Sendable, Equatable, Codable {
    /// Time of the last frame used (s, lane timeline).
    public var time: Double
    /// Screening temperature (°C, to 0.1): skin reading plus the calibrated offset.
    public var temperatureC: Double
    /// Skin temperature at the site (°C) after reference correction.
    public var skinC: Double
    /// Expanded uncertainty (k = 2, about 95 %) of the screening temperature (°C).
    public var uncertaintyC: Double
    public var verdict: Verdict
    public var thresholdC: Double
    /// Measurement site (inner-eye-corner proxy) in the upright image.
    public var siteX: Int
    public var siteY: Int
    public var faceWidthPx: Int
    /// False when no blackbody reference was used (the reading relies on the camera's own calibration).
    public var referenced: Bool
    public var framesUsed: Int

    public init(
        time: Double, temperatureC: Double, skinC: Double, uncertaintyC: Double, verdict: Verdict,
        thresholdC: Double, siteX: Int, siteY: Int, faceWidthPx: Int, referenced: Bool, framesUsed: Int
    ) {
        self.time = time
        self.temperatureC = temperatureC
        self.skinC = skinC
        self.uncertaintyC = uncertaintyC
        self.verdict = verdict
        self.thresholdC = thresholdC
        self.siteX = siteX
        self.siteY = siteY
        self.faceWidthPx = faceWidthPx
        self.referenced = referenced
        self.framesUsed = framesUsed
    }
}

/// Why a traveller is asked to try again. Raw values are stable identifiers used in events, storage and prompts.
public enum RetryReason: String, Sendable, Codable, Equatable, CaseIterable {
    case tooFar = "too-far"
    case tooClose = "too-close"
    case onePersonAtATime = "one-person-at-a-time"
    case moving = "moving"
    case afterFlatField = "after-flat-field-correction"
    case referenceMissing = "reference-missing"
    case faceNotReadable = "face-not-readable"
    /// The corrected reading lies outside what skin can be (`ScreeningConfig.plausibleC`): a disc read wrong, a
    /// hot drink held to the face, a traveller off a motorbike in the cold. Not a verdict: the staff check.
    case implausibleReading = "implausible-reading"
}

public enum PauseReason: String, Sendable, Codable, Equatable, CaseIterable {
    /// The disc is not seen where it should be, and nothing says why (switched off, removed, never there).
    case referenceMissing = "reference-missing"
    /// The disc reads its own temperature but the scene around it is nearly as warm (a hot tent, sun on the
    /// housing): raise the set-point or shade the disc.
    case referenceLowContrast = "reference-low-contrast"
    /// Something colder than the disc is in front of it (a hand, a bag, a traveller standing too close).
    case referenceCovered = "reference-covered"
    case referenceMoved = "reference-moved"
    case referenceUnstable = "reference-unstable"
    /// The configured place of the disc lies outside the (turned) image: a position from another rotation, a typo.
    case referenceOutsideImage = "reference-outside-image"
    case notRadiometric = "not-radiometric"
}
