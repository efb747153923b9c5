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

/// The checkpoint's configuration, as technicians write it (see `examples/demo.toml` and `docs/config.md`).
public struct ApplianceConfig: Sendable {
    public var checkpointName: String
    /// Where the database lives; `$STATE_DIRECTORY` (set by systemd) takes precedence.
    public var stateDirectory: String
    public var logLevel: String
    public var displayHost: String
    public var displayPort: Int
    public var lanes: [LaneConfig]
    public var urlPatterns: [DeclarationURLPattern]
    /// PEM file of the signer certificates trusted for EU digital COVID certificates (nil: none are verified).
    public var dccTrustFile: String?
    /// Days the full QR payloads are kept before the service deletes them (the passages themselves stay).
    public var payloadRetentionDays = 14
    /// Largest size of passages.sqlite (nil: no cap). Protects the system disk on a box that also logs and records.
    public var maxDatabaseBytes: Int?
    /// The supervisor page's listener and token (nil: no supervisor page).
    public var supervisor: SupervisorConfig?
    /// The provincial hub (nil: passages stay in the outbox, and the status strip says the uplink is not set).
    public var uplink: UplinkSettings?

    public struct SupervisorConfig: Sendable {
        public var host: String
        public var port: Int
        public var token: String
    }

    /// A lane's speaker: an ALSA device, the rendered prompts, and a technician's recordings that replace them.
    public struct SpeakerConfig: Sendable {
        /// ALSA device name as `aplay -D` takes it (`default`, `plughw:1,0`, …); nil: no speaker.
        public var device: String?
        public var volume: Double
        public var english: Bool
        public var prompts: String
        public var recorded: String?
    }

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

    public enum CameraConfig: Sendable {
        case simulated(SimulationConfig)
        case v4l2(V4L2Settings)
        case replay(ReplaySettings)
    }

    public struct V4L2Settings: Sendable {
        public var selector: CameraSelector
        /// nil: chosen from the USB ID.
        public var profile: CameraProfile?
        public var orientation: Orientation
    }

    public struct ReplaySettings: Sendable {
        public var file: String
        public var loop: Bool
        public var speed: Double
        public var orientation: Orientation
    }

    public enum ScannerConfig: Sendable {
        /// Reads the simulated travellers' payloads (needs a simulated camera on the same lane).
        case simulated
        /// A USB HID scanner (keyboard wedge or HID POS) read through libusb.
        case usb(ScannerSelector, ScanFraming)
        /// A scanner in serial mode (CDC-ACM or USB-serial tty).
        case serial(path: String, baud: Int, framing: ScanFraming)
    }

    public struct SimulationConfig: Sendable {
        public var travellers: Int
        public var feverShare: Double
        public var seed: UInt64
        public var speed: Double
        public var ambientC: Double
        /// Share of travellers wearing glasses (the demo then shows "remove glasses" retries).
        public var glassesShare: Double = 0
    }

    /// The simulated scene's blackbody disc, which `examples/demo.toml` points the screening at.
    public static let simulatedReference = SceneSettings.ReferenceDisc(x: 148, y: 100, radius: 6, temperatureC: 35.0)

    /// Parses and checks a configuration file's text. Throws one `ConfigError` naming the first bad key.
    public static func parse(_ text: String) throws(ConfigError) -> ApplianceConfig {
        let document: TOMLTable
        do { document = try TOMLDocument.parse(text) } catch {
            throw ConfigError(key: "", line: error.line, message: error.message)
        }
        let root = ConfigReader(document, path: "")
        let checkpoint = try root.table("checkpoint")
        let display = try root.table("display")
        var config = ApplianceConfig(
            checkpointName: try checkpoint?.string("name", default: "Checkpoint") ?? "Checkpoint",
            stateDirectory: try checkpoint?.string("state_directory", default: "/var/lib/checkpoint-lane")
                ?? "/var/lib/checkpoint-lane",
            logLevel: try checkpoint?.oneOf("log_level", ["trace", "debug", "info", "notice", "warning", "error"], default: "info")
                ?? "info",
            displayHost: try display?.string("listen", default: "127.0.0.1") ?? "127.0.0.1",
            displayPort: try display?.int("port", default: 8080, range: 0...65535) ?? 8080,
            lanes: [], urlPatterns: DeclarationURLPattern.defaults)
        config.payloadRetentionDays = try checkpoint?.int("payload_retention_days", default: 14, range: 1...366) ?? 14
        if let megabytes = try checkpoint?.optionalDouble("max_database_mb", range: 0.1...1_000_000) {
            config.maxDatabaseBytes = Int(megabytes * 1_048_576)
        }

        let laneTables = try root.tables("lane")
        guard !laneTables.isEmpty else {
            throw ConfigError(key: "lane", line: nil, message: "at least one [[lane]] is required")
        }
        var ids: Set<String> = []
        for lane in laneTables {
            let parsed = try parseLane(lane)
            guard ids.insert(parsed.id).inserted else {
                throw ConfigError(key: lane.key("id"), line: lane.table["id"]?.line, message: "'\(parsed.id)' is used by another lane")
            }
            config.lanes.append(parsed)
        }
        if let supervisor = try root.table("supervisor") {
            config.supervisor = try parseSupervisor(supervisor)
            if let port = config.supervisor?.port, port != 0, port == config.displayPort {
                throw ConfigError(
                    key: supervisor.key("port"), line: supervisor.table["port"]?.line,
                    message: "\(port) is also the lane page's port ([display] port): the two listeners need two ports")
            }
        }
        if let uplink = try root.table("uplink") {
            config.uplink = try parseUplink(uplink, lanes: config.lanes)
        }
        if let declarations = try root.table("declarations") {
            config.dccTrustFile = try declarations.optionalString("dcc_trust_file")
            for pattern in try declarations.tables("url") {
                let host = try pattern.string("host")
                let source = try pattern.string("id")
                do { config.urlPatterns.append(try DeclarationURLPattern(host: host, id: source)) } catch {
                    throw ConfigError(key: pattern.key("id"), line: pattern.table["id"]?.line, message: error.description)
                }
            }
        }
        try root.checkAllKeysUsed()
        return config
    }

    static func parseCamera(_ camera: ConfigReader) throws(ConfigError) -> CameraConfig {
        let source = try camera.oneOf("source", ["simulated", "v4l2", "replay"], default: "simulated")
        func orientation() throws(ConfigError) -> Orientation {
            let rotation = try camera.int("rotation", default: 0, range: 0...270)
            let mirrored = try camera.bool("mirror", default: false)
            guard let orientation = try? Orientation(rotation: rotation, mirrored: mirrored) else {
                throw ConfigError(key: camera.key("rotation"), line: camera.table["rotation"]?.line, message: "must be 0, 90, 180 or 270 (degrees clockwise)")
            }
            return orientation
        }
        switch source {
        case "v4l2":
            let selector = CameraSelector(
                devicePath: try camera.optionalString("device"), usbID: try camera.optionalString("usb_id"),
                serial: try camera.optionalString("serial"), port: try camera.optionalString("usb_port"))
            if let id = selector.usbID, USBID(id) == nil {
                throw ConfigError(key: camera.key("usb_id"), line: camera.table["usb_id"]?.line, message: "'\(id)' is not VID:PID in hex, like 1e4e:0100")
            }
            let profile: CameraProfile?
            switch try camera.oneOf("profile", ["auto"] + CameraProfile.Kind.allCases.map(\.rawValue), default: "auto") {
            case "lepton": profile = .lepton
            case "infiray-p2": profile = .infirayP2
            case "generic-y16":
                profile = .genericY16(
                    gainKelvinPerCount: try camera.double("raw_gain_k", default: 0.01, range: 1e-6...10),
                    offsetKelvin: try camera.double("raw_offset_k", default: 0, range: -1000...1000))
            default: profile = nil
            }
            return .v4l2(V4L2Settings(selector: selector, profile: profile, orientation: try orientation()))
        case "replay":
            return .replay(
                ReplaySettings(
                    file: try camera.string("file"), loop: try camera.bool("loop", default: true),
                    speed: try camera.double("speed", default: 1, range: 0.1...100), orientation: try orientation()))
        default:
            return .simulated(
                SimulationConfig(
                    travellers: try camera.int("travellers", default: 10_000, range: 1...1_000_000),
                    feverShare: try camera.double("fever_share", default: 0.2, range: 0...1),
                    seed: UInt64(try camera.int("seed", default: 1, range: 0...Int.max)),
                    speed: try camera.double("speed", default: 1, range: 0.1...100),
                    ambientC: try camera.double("ambient_c", default: 24, range: 10...35),
                    glassesShare: try camera.double("glasses_share", default: 0, range: 0...1)))
        }
    }

    /// One `[lane.scanner]` (or `[[lane.scanner]]`) table; nil for `source = "none"`.
    static func parseScanner(_ scanner: ConfigReader, camera: CameraConfig) throws(ConfigError) -> ScannerConfig? {
        let source = try scanner.oneOf("source", ["simulated", "usb", "serial", "none"], default: "simulated")
        func framing() throws(ConfigError) -> ScanFraming {
            ScanFraming(
                layout: KeyboardLayout(rawValue: try scanner.oneOf("layout", KeyboardLayout.allCases.map(\.rawValue), default: "us"))!,
                suffix: ScanSuffix(rawValue: try scanner.oneOf("suffix", ScanSuffix.allCases.map(\.rawValue), default: "enter"))!,
                gapSeconds: try scanner.double("gap_ms", default: 60, range: 10...1000) / 1000)
        }
        switch source {
        case "simulated":
            guard case .simulated = camera else {
                throw ConfigError(
                    key: scanner.key("source"), line: scanner.table["source"]?.line,
                    message: "a simulated scanner needs a simulated camera on the same lane (use \"usb\", \"serial\" or \"none\")")
            }
            return .simulated
        case "usb":
            let id = try scanner.optionalString("usb_id")
            if let id, USBID(id) == nil {
                throw ConfigError(key: scanner.key("usb_id"), line: scanner.table["usb_id"]?.line, message: "'\(id)' is not VID:PID in hex, like 0c2e:0b61")
            }
            let selector = ScannerSelector(
                usbID: id, serial: try scanner.optionalString("serial"), port: try scanner.optionalString("usb_port"))
            return .usb(selector, try framing())
        case "serial":
            let baud = try scanner.int("baud", default: 9600, range: 1200...115200)
            guard SerialPortSpeeds.supported.contains(baud) else {
                throw ConfigError(
                    key: scanner.key("baud"), line: scanner.table["baud"]?.line,
                    message: "\(baud) is not one of \(SerialPortSpeeds.supported.map(String.init).joined(separator: ", "))")
            }
            return .serial(path: try scanner.string("device"), baud: baud, framing: try framing())
        default:
            return nil
        }
    }

    /// `[supervisor]`: the token comes from `token_file` (kept out of the main file, mode 0600) or `token`.
    static func parseSupervisor(_ table: ConfigReader) throws(ConfigError) -> SupervisorConfig {
        let host = try table.string("listen", default: "127.0.0.1")
        let port = try table.int("port", default: 8081, range: 0...65535)
        guard let token = try readToken(table, purpose: "supervisor") else {
            throw ConfigError(key: table.key("token"), line: nil, message: "is required (or token_file)")
        }
        return SupervisorConfig(host: host, port: port, token: token)
    }

    /// `token_file` (the file's text) or `token`; nil when neither is set. At least 16 printable characters.
    static func readToken(_ table: ConfigReader, purpose: String) throws(ConfigError) -> String? {
        let token: String
        if let file = try table.optionalString("token_file") {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ConfigError(key: table.key("token_file"), line: table.table["token_file"]?.line, message: "cannot read \(file)")
            }
            token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } else if let text = try table.optionalString("token") {
            token = text
        } else {
            return nil
        }
        guard token.count >= 16, token.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw ConfigError(
                key: table.key("token"), line: table.table["token"]?.line,
                message: "the \(purpose) token must be at least 16 printable characters without spaces (e.g. `openssl rand -hex 16`)")
        }
        return token
    }

    /// `[uplink]`: the hub's URL, the checkpoint's provincial id, TLS files, and a token for every lane.
    static func parseUplink(_ table: ConfigReader, lanes: [LaneConfig]) throws(ConfigError) -> UplinkSettings {
        let url = try table.string("url")
        guard let parsed = URL(string: url), let host = parsed.host, ["https", "http"].contains(parsed.scheme ?? "") else {
            throw ConfigError(key: table.key("url"), line: table.table["url"]?.line, message: "'\(url)' is not an https:// URL")
        }
        // Passages carry health data: plain HTTP only to this machine (a local relay or a test hub).
        if parsed.scheme == "http", !["127.0.0.1", "localhost", "::1"].contains(host) {
            throw ConfigError(key: table.key("url"), line: table.table["url"]?.line, message: "must be https:// (plain http is allowed to 127.0.0.1 only)")
        }
        let checkpoint = try table.string("checkpoint_id")
        guard !checkpoint.isEmpty, checkpoint.count <= 64, checkpoint.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw ConfigError(key: table.key("checkpoint_id"), line: table.table["checkpoint_id"]?.line, message: "'\(checkpoint)' must be 1–64 letters, digits, '-', '_' or '.'")
        }
        let shared = try readToken(table, purpose: "uplink")
        var tokens: [String: String] = [:]
        for lane in lanes {
            guard let token = lane.uplinkToken ?? shared else {
                throw ConfigError(key: table.key("token"), line: nil, message: "lane '\(lane.id)' has no uplink token: set [uplink] token_file or its [lane.uplink] token_file")
            }
            tokens[lane.id] = token
        }
        let certificate = try table.optionalString("client_certificate"), key = try table.optionalString("client_key")
        guard (certificate == nil) == (key == nil) else {
            throw ConfigError(key: table.key("client_key"), line: nil, message: "client_certificate and client_key go together")
        }
        return UplinkSettings(
            url: url, checkpointID: checkpoint, caFile: try table.optionalString("ca_file"), clientCertificateFile: certificate,
            clientKeyFile: key, tokens: tokens, batchSize: try table.int("batch_size", default: 100, range: 1...UplinkSchema.maxPassages),
            idleInterval: try table.double("interval_s", default: 2, range: 0.1...600),
            timeout: try table.double("timeout_s", default: 20, range: 1...300),
            backoff: Backoff(base: 1, cap: try table.double("max_backoff_s", default: 300, range: 1...3600)))
    }

    static func parseSpeaker(_ table: ConfigReader?) throws(ConfigError) -> SpeakerConfig {
        let device = try table?.string("device", default: "default") ?? "default"
        return SpeakerConfig(
            device: device == "none" ? nil : device,
            volume: try table?.double("volume", default: 0.8, range: 0...1) ?? 0.8,
            english: try table?.bool("english", default: false) ?? false,
            prompts: try table?.string("prompts", default: defaultPromptDirectory) ?? defaultPromptDirectory,
            recorded: try table?.optionalString("recorded"))
    }

    /// The upright image a lane's camera delivers, when the configuration alone tells it (a simulated camera, or a
    /// V4L2 camera with its profile named); nil when only the camera can (`profile = "auto"`, a recording).
    public static func imageSize(of camera: CameraConfig) -> CameraProfile.Size? {
        switch camera {
        case .simulated:
            let scene = SceneSettings()
            return CameraProfile.Size(scene.width, scene.height)
        case .v4l2(let settings):
            guard let profile = settings.profile, let stream = profile.streamSizes.first else { return nil }
            let image = profile.imageSize(for: stream)
            let turned = settings.orientation.outputSize(width: image.width, height: image.height)
            return CameraProfile.Size(turned.width, turned.height)
        case .replay:
            return nil
        }
    }

    /// A disc's place must lie in the turned image: a position written for another rotation is refused here, with
    /// the image's size, instead of pausing the lane for good.
    static func checkPlace(
        _ reference: ScreeningConfig.ReferenceMode, in size: CameraProfile.Size, camera: CameraConfig, reader: ConfigReader
    ) throws(ConfigError) {
        guard case .region(let x, let y, _) = reference else { return }
        let key = (0..<size.width).contains(x) ? "reference_y" : "reference_x"
        guard !(0..<size.width).contains(x) || !(0..<size.height).contains(y) else { return }
        throw ConfigError(
            key: reader.key(key), line: reader.table[key]?.line ?? reader.table["reference"]?.line,
            message: "(\(x), \(y)) is outside the camera's \(size.width)×\(size.height) image\(rotationNote(camera)): x must be 0–\(size.width - 1) and y 0–\(size.height - 1)")
    }

    static func rotationNote(_ camera: CameraConfig) -> String {
        let orientation: Orientation
        switch camera {
        case .simulated: return ""
        case .v4l2(let settings): orientation = settings.orientation
        case .replay(let settings): orientation = settings.orientation
        }
        return orientation.rotation == 0 ? "" : " (after rotation = \(orientation.rotation))"
    }

    /// Where `make deb` installs the rendered prompts.
    public static let defaultPromptDirectory = "/usr/share/checkpoint-lane/prompts"

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

        // Defaults are ScreeningConfig's own, written once there. The reference: a simulated camera's disc is where
        // the simulator draws it; a real camera's is found by the engine ("auto") unless its place is given.
        var screening = ScreeningConfig()
        let simulated: Bool
        if case .simulated = camera { simulated = true } else { simulated = false }
        screening.reference = simulated ? .region(x: simulatedReference.x, y: simulatedReference.y, radius: simulatedReference.radius) : .auto
        if let s = try lane.table("screening") {
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
        }
        return LaneConfig(
            id: id, name: try lane.string("name", default: id), pairing: pairing, camera: camera, scanners: scanners,
            screening: screening, recordElevated: try lane.bool("record_elevated", default: false),
            speaker: try parseSpeaker(try lane.table("speaker")),
            uplinkToken: try (try lane.table("uplink")).flatMap { t throws(ConfigError) in try readToken(t, purpose: "uplink") })
    }
}
