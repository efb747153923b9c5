import ConfigFile
import Uplink
import UplinkProtocol
import Foundation
import Declarations
import Devices
import Lane
import ScannerProtocols
import Screening
import Thermal

/// `[[lane]]` with its `[lane.screening]`: one lane's identity, pairing, devices and screening settings.
extension ApplianceConfig {
    public struct LaneConfig: Sendable {
        public var id: String
        public var name: String
        public var pairing: PairingConfig
        public var camera: CameraConfig
        /// The lane's scanners (several allowed: e.g. one for travellers on foot, one at the truck window).
        public var scanners: [ScannerConfig]
        public var screening: ScreeningConfig
        /// Save the frames around every elevated reading in the state directory (audit clips; off by default).
        public var recordElevated: Bool
        public var speaker: SpeakerConfig
        /// This lane's token at the provincial hub (`[lane.uplink]`); nil: the `[uplink]` table's token.
        public var uplinkToken: String? = nil
    }


    static func parseLane(_ lane: ConfigReader) throws(ConfigError) -> LaneConfig {
        let id = try lane.string("id")
        guard !id.isEmpty, id.count <= 32, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw ConfigError(key: lane.key("id"), line: lane.table["id"]?.line, message: "'\(id)' must be 1–32 letters, digits, - or _")
        }
        var pairing = PairingConfig()
        pairing.mode = PairingMode(rawValue: try lane.oneOf("mode", PairingMode.allCases.map(\.rawValue), default: "scan-first"))!
        pairing.windowSeconds = try lane.double("pairing_window_s", default: 15, range: 2...120)
        pairing.duplicateWindowSeconds = try lane.double("duplicate_window_s", default: 15, range: 0...600)

        guard let cameraTable = try lane.table("camera") else {
            throw ConfigError(key: lane.key("camera"), line: nil, message: "every lane needs a [lane.camera] table")
        }
        let camera = try parseCamera(cameraTable)
        var scanners: [ScannerConfig] = []
        for scanner in try lane.tableOrTables("scanner") {
            if let parsed = try parseScanner(scanner, camera: camera) { scanners.append(parsed) }
        }

        let screening = try parseScreening(try lane.tableOrEmpty("screening"), camera: camera)
        return LaneConfig(
            id: id, name: try lane.string("name", default: id), pairing: pairing, camera: camera, scanners: scanners,
            screening: screening, recordElevated: try lane.bool("record_elevated", default: false),
            speaker: try parseSpeaker(try lane.tableOrEmpty("speaker")),
            uplinkToken: try (try lane.table("uplink")).flatMap { t throws(ConfigError) in try readToken(t, purpose: "uplink") })
    }

    /// `[lane.screening]`. Defaults are ScreeningConfig's own, written once there. The reference: a simulated
    /// camera's disc is where the simulator draws it; a real camera's is found by the engine ("auto") unless its
    /// place is given.
    static func parseScreening(_ s: ConfigReader, camera: CameraConfig) throws(ConfigError) -> ScreeningConfig {
        var screening = ScreeningConfig()
        let simulated: Bool
        if case .simulated = camera { simulated = true } else { simulated = false }
        screening.thresholdC = try s.double("threshold_c", default: screening.thresholdC, range: 34.0...39.0, step: 0.1)
        screening.offsetC = try s.double("offset_c", default: screening.offsetC, range: -5...5)
        switch try s.oneOf("reference", ["region", "auto", "none"], default: simulated ? "region" : "auto") {
        case "auto": screening.reference = .auto
        case "region":
            func place(_ key: String, simulatedDefault: Int, range: ClosedRange<Int>) throws(ConfigError) -> Int {
                if simulated { return try s.int(key, default: simulatedDefault, range: range) }
                guard s.table[key] != nil else {
                    throw ConfigError(
                        key: s.key(key), line: s.table["reference"]?.line,
                        message: "is required with reference = \"region\" (the disc's place in the upright image; or reference = \"auto\")")
                }
                return try s.int(key, default: 0, range: range)
            }
            screening.reference = .region(
                x: try place("reference_x", simulatedDefault: simulatedReference.x, range: 0...1023),
                y: try place("reference_y", simulatedDefault: simulatedReference.y, range: 0...1023),
                radius: try s.int("reference_radius_px", default: simulatedReference.radius, range: 2...40))
            if let size = imageSize(of: camera) {
                try checkPlace(screening.reference, in: size, camera: camera, reader: s)
            }
        default: screening.reference = .none
        }
        if try s.bool("relative_mode", default: false) {
            screening.relative = RelativeThreshold(
                readings: try s.int("relative_readings", default: 10, range: 3...200),
                deviationC: try s.double("relative_deviation_c", default: 1.0, range: 0.3...3.0))
        }
        screening.referenceSetpointC = try s.double("reference_setpoint_c", default: screening.referenceSetpointC, range: 25...45)
        screening.referenceStabilityLimitC = try s.double("reference_stability_c", default: screening.referenceStabilityLimitC, range: 0.02...2)
        screening.minFaceWidthPx = try s.int("min_face_width_px", default: screening.minFaceWidthPx, range: 8...400)
        screening.maxFaceWidthPx = try s.int("max_face_width_px", default: screening.maxFaceWidthPx, range: 8...1000)
        screening.stableFrames = try s.int("stable_frames", default: screening.stableFrames, range: 2...60)
        screening.ffcHoldoffSeconds = try s.double("ffc_holdoff_s", default: screening.ffcHoldoffSeconds, range: 0...30)
        guard screening.maxFaceWidthPx > screening.minFaceWidthPx else {
            throw ConfigError(key: s.key("max_face_width_px"), line: s.table["max_face_width_px"]?.line, message: "must be larger than min_face_width_px")
        }
        return screening
    }
}
