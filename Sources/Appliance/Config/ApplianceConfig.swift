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

    /// The simulated scene's blackbody disc, which `examples/demo.toml` points the screening at.
    public static let simulatedReference = SceneSettings.ReferenceDisc(x: 148, y: 100, radius: 6, temperatureC: 35.0)

    /// Parses and checks a configuration file's text. Throws one `ConfigError` naming the first bad key.
    public static func parse(_ text: String) throws(ConfigError) -> ApplianceConfig {
        let document: TOMLTable
        do { document = try TOMLDocument.parse(text) } catch {
            throw ConfigError(key: "", line: error.line, message: error.message)
        }
        let root = ConfigReader(document, path: "")
        // Missing tables read as empty ones: every default is written once, at its key.
        let checkpoint = try root.tableOrEmpty("checkpoint")
        let display = try root.tableOrEmpty("display")
        var config = ApplianceConfig(
            checkpointName: try checkpoint.string("name", default: "Checkpoint"),
            stateDirectory: try checkpoint.string("state_directory", default: "/var/lib/checkpoint-lane"),
            logLevel: try checkpoint.oneOf("log_level", ["trace", "debug", "info", "notice", "warning", "error"], default: "info"),
            displayHost: try display.string("listen", default: "127.0.0.1"),
            displayPort: try display.int("port", default: 8080, range: 0...65535),
            lanes: [], urlPatterns: DeclarationURLPattern.defaults)
        config.payloadRetentionDays = try checkpoint.int("payload_retention_days", default: 14, range: 1...366)
        if let megabytes = try checkpoint.optionalDouble("max_database_mb", range: 0.1...1_000_000) {
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

}
