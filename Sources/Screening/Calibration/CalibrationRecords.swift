import Thermal

/// What calibration stores for a lane. Each kind is kept with its history (see `Store`'s calibration log); the
/// latest of each kind applies when the service starts.
public struct ReferenceCalibration: Sendable, Equatable, Codable {
    /// The disc in the upright image (px).
    public var x: Int, y: Int, radius: Int
    /// The blackbody's set-point (°C), read off its display or certificate by the technician.
    public var setpointC: Double
    /// Noise of the disc's reading about its trend over the survey (°C, one standard deviation).
    public var noiseC: Double
    /// Drift of the raw reading (°C per minute): the camera warming up, which the reference corrects.
    public var driftCPerMinute: Double
    /// How much warmer than its surroundings the disc read (°C).
    public var contrastC: Double
    public var seconds: Double

    public init(x: Int, y: Int, radius: Int, setpointC: Double, noiseC: Double, driftCPerMinute: Double, contrastC: Double, seconds: Double) {
        self.x = x
        self.y = y
        self.radius = radius
        self.setpointC = setpointC
        self.noiseC = noiseC
        self.driftCPerMinute = driftCPerMinute
        self.contrastC = contrastC
        self.seconds = seconds
    }
}

/// The constant offset from skin (inner eye corner) reading to screening temperature, fitted against a clinical
/// thermometer.
public struct OffsetCalibration: Sendable, Equatable, Codable {
    public var offsetC: Double
    public var pairs: [OffsetPair]
    /// Root mean square of the residuals (°C).
    public var rmsResidualC: Double
}

public struct OffsetPair: Sendable, Equatable, Codable {
    public var skinC: Double
    public var clinicalC: Double
    /// clinical − (skin + offset), once fitted.
    public var residualC: Double

    public init(skinC: Double, clinicalC: Double, residualC: Double = 0) {
        self.skinC = skinC
        self.clinicalC = clinicalC
        self.residualC = residualC
    }
}

/// The result of checking the lane against a second reference of known temperature.
public struct ReferenceCheckResult: Sendable, Equatable, Codable {
    public var knownC: Double
    public var measuredC: Double
    public var errorC: Double
    public var toleranceC: Double
    public var passed: Bool
    /// Where the second reference was (upright image, px).
    public var x: Int, y: Int, radius: Int
    public var frames: Int
}

/// The calibration in force for one lane: the latest stored of each kind (nil: never calibrated).
public struct LaneCalibration: Sendable, Equatable {
    public var reference: ReferenceCalibration?
    public var offset: OffsetCalibration?
    /// Bad pixels in the sensor's orientation.
    public var pixels: PixelMap?

    public init(reference: ReferenceCalibration? = nil, offset: OffsetCalibration? = nil, pixels: PixelMap? = nil) {
        self.reference = reference
        self.offset = offset
        self.pixels = pixels
    }

    public var isEmpty: Bool { reference == nil && offset == nil && pixels == nil }
}

extension ScreeningConfig {
    /// The configuration with the stored calibration in force. Calibration overrides the configuration file's
    /// reference place, set-point and offset (the file gives the values before the first calibration), except
    /// that a lane configured to run without a reference keeps running without one.
    public func applying(_ calibration: LaneCalibration, cameraOrientation: Orientation) -> ScreeningConfig {
        var config = self
        if let reference = calibration.reference, config.reference != .none {
            config.reference = .region(x: reference.x, y: reference.y, radius: reference.radius)
            config.referenceSetpointC = reference.setpointC
        }
        if let offset = calibration.offset { config.offsetC = offset.offsetC }
        if let pixels = calibration.pixels, !pixels.isEmpty { config.badPixels = pixels.oriented(by: cameraOrientation) }
        return config
    }
}
