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

/// `[lane.speaker]`: the ALSA device and the prompts a lane speaks.
extension ApplianceConfig {
    /// A lane's speaker: an ALSA device, the rendered prompts, and a technician's recordings that replace them.
    public struct SpeakerConfig: Sendable {
        /// ALSA device name as `aplay -D` takes it (`default`, `plughw:1,0`, …); nil: no speaker.
        public var device: String?
        public var volume: Double
        public var english: Bool
        public var prompts: String
        public var recorded: String?
    }

    /// Where `make deb` installs the rendered prompts.
    public static let defaultPromptDirectory = "/usr/share/checkpoint-lane/prompts"

    static func parseSpeaker(_ table: ConfigReader) throws(ConfigError) -> SpeakerConfig {
        let device = try table.string("device", default: "default")
        return SpeakerConfig(
            device: device == "none" ? nil : device,
            volume: try table.double("volume", default: 0.8, range: 0...1),
            english: try table.bool("english", default: false),
            prompts: try table.string("prompts", default: defaultPromptDirectory),
            recorded: try table.optionalString("recorded"))
    }
}
