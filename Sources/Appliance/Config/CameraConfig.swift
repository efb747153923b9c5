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

/// `[lane.camera]`: which camera a lane reads (simulated, V4L2, a replayed recording) and how it is turned.
extension ApplianceConfig {
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

    public struct SimulationConfig: Sendable {
        public var travellers: Int
        public var feverShare: Double
        public var seed: UInt64
        public var speed: Double
        public var ambientC: Double
        /// Share of travellers wearing glasses (the demo then shows "remove glasses" retries).
        public var glassesShare: Double = 0
        /// The scene waits for the lane: every frame is screened, none dropped, `speed` is ignored (for tests
        /// that count travellers; see `SimulationTimeline`).
        public var everyFrame = false
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
                    glassesShare: try camera.double("glasses_share", default: 0, range: 0...1),
                    everyFrame: try camera.bool("every_frame", default: false)))
        }
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
}
