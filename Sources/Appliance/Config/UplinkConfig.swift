import ConfigFile
import Crypto
import Uplink
import UplinkProtocol
import Foundation
import Declarations
import Devices
import Lane
import ScannerProtocols
import Screening
import Thermal

/// `[uplink]`: the provincial hub the passages are sent to.
extension ApplianceConfig {
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
        var settings = UplinkSettings(
            url: url, checkpointID: checkpoint, caFile: try table.optionalString("ca_file"), clientCertificateFile: certificate,
            clientKeyFile: key, tokens: tokens, batchSize: try table.int("batch_size", default: 100, range: 1...UplinkSchema.maxPassages),
            idleInterval: try table.double("interval_s", default: 2, range: 0.1...600),
            timeout: try table.double("timeout_s", default: 20, range: 1...300),
            backoff: Backoff(base: 1, cap: try table.double("max_backoff_s", default: 300, range: 1...3600)))
        // The province's public tracing key: with it each passage's identity number goes sealed to the hub.
        if let path = try table.optionalString("tracing_key_file") {
            guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
                throw ConfigError(key: table.key("tracing_key_file"), line: table.table["tracing_key_file"]?.line, message: "cannot read \(path)")
            }
            guard let publicKey = TracingKey.publicKey(pem: text) else {
                throw ConfigError(
                    key: table.key("tracing_key_file"), line: table.table["tracing_key_file"]?.line,
                    message: "\(path) is not a PEM X25519 public key (the province's `openssl pkey -pubout` of its tracing key)")
            }
            settings.tracingKey = publicKey
        }
        return settings
    }
}
