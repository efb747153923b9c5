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

/// `[supervisor]`: the checkpoint leader's page, and the tokens read from files.
extension ApplianceConfig {
    public struct SupervisorConfig: Sendable {
        public var host: String
        public var port: Int
        public var token: String
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
}
