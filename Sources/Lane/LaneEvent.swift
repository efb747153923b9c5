import Declarations
import Screening

/// Everything the lane publishes (display, speaker, log of lane events), as one flat record that serialises to
/// one JSON object. Personal data appears only masked.
public struct LaneEvent: Sendable, Equatable, Codable {
    public var type: EventType
    public var lane: String
    /// Lane-timeline seconds.
    public var t: Double
    /// Wall-clock time (ISO 8601, UTC), set by the adapter that records the event.
    public var at: String?
    public var prompt: Prompt?
    public var verdict: Verdict?
    public var temperatureC: Double?
    public var skinC: Double?
    public var uncertaintyC: Double?
    public var thresholdC: Double?
    public var referenced: Bool?
    public var site: [Int]?
    public var faceWidthPx: Int?
    public var reason: String?
    public var outcome: PassageOutcome?
    /// Store row id of the passage, set once the passage is durable.
    public var passageID: Int64?
    public var declarationKind: DeclarationKind?
    public var maskedName: String?
    public var maskedID: String?
    public var maskedBirthDate: String?
    public var warnings: [String]?
    public var device: String?
    public var status: DeviceStatus?
    /// On pauses and resumes: how much warmer the disc reads than its surroundings, and the scene's median (about
    /// the air at the lane), °C. They tell a technician a hot tent from a covered disc.
    public var referenceContrastC: Double?
    public var sceneC: Double?

    public enum EventType: String, Sendable, Codable, Equatable {
        case measured, retry, left, paused, resumed
        case scanned
        case scanRejected = "scan-rejected"
        case passage
        case note
        case device
    }

    public init(type: EventType, lane: String, t: Double) {
        self.type = type
        self.lane = lane
        self.t = t
    }

    enum CodingKeys: String, CodingKey {
        case type, lane, t, at, prompt, verdict, reason, outcome, site, device, status, warnings, referenced
        case temperatureC = "temperature_c", skinC = "skin_c", uncertaintyC = "uncertainty_c", thresholdC = "threshold_c"
        case faceWidthPx = "face_width_px", passageID = "passage_id", declarationKind = "declaration_kind"
        case maskedName = "masked_name", maskedID = "masked_id", maskedBirthDate = "masked_birth_date"
        case referenceContrastC = "reference_contrast_c", sceneC = "scene_c"
    }

    /// A device's state for the lane's status strip, the one way such events are made. `device` is `camera…`,
    /// `scanner…`, `storage`, `speaker` or `uplink`; a nil `status` is a device not in use (neither working nor
    /// broken), with `reason` saying so.
    public static func device(_ device: String, _ status: DeviceStatus?, lane: String, t: Double, reason: String? = nil) -> LaneEvent {
        var event = LaneEvent(type: .device, lane: lane, t: t)
        event.device = device
        event.status = status
        event.reason = reason
        return event
    }

    /// Adds the masked identity of a declaration.
    mutating func describe(_ declaration: Declaration) {
        declarationKind = declaration.kind
        maskedName = declaration.name.map(Masking.name)
        maskedID = declaration.id.map(Masking.id)
        maskedBirthDate = declaration.dateOfBirth.map(Masking.dateOfBirth)
        if !declaration.warnings.isEmpty { warnings = declaration.warnings }
    }

    mutating func describe(_ m: Measurement) {
        verdict = m.verdict
        temperatureC = m.temperatureC
        skinC = m.skinC
        uncertaintyC = m.uncertaintyC
        thresholdC = m.thresholdC
        referenced = m.referenced
        site = [m.siteX, m.siteY]
        faceWidthPx = m.faceWidthPx
    }
}
