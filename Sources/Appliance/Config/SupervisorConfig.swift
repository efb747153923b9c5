import ConfigFile
import Uplink
import UplinkProtocol
import Foundation
import Declarations
import Devices
import Lane
import LaneDisplay
import ScannerProtocols
import Screening
import Thermal

/// `[supervisor]`: the checkpoint leader's page, and the tokens read from files.
extension ApplianceConfig {
    public struct SupervisorConfig: Sendable {
        public var host: String
        public var port: Int
        public var token: String
        /// PEM certificate and key for https; required when the page listens beyond this machine.
        public var tls: SupervisorServer.TLSFiles?
    }


    /// `[supervisor]`: the token comes from `token_file` (kept out of the main file, mode 0600) or `token`.
    static func parseSupervisor(_ table: ConfigReader) throws(ConfigError) -> SupervisorConfig {
        let host = try table.string("listen", default: "127.0.0.1")
        let port = try table.int("port", default: 8081, range: 0...65535)
        guard let token = try readToken(table, purpose: "supervisor") else {
            throw ConfigError(key: table.key("token"), line: nil, message: "is required (or token_file)")
        }
        var tls: SupervisorServer.TLSFiles?
        switch (try table.optionalString("certificate"), try table.optionalString("key")) {
        case (let certificate?, let key?):
            for (name, file) in [("certificate", certificate), ("key", key)] where !FileManager.default.isReadableFile(atPath: file) {
                throw ConfigError(key: table.key(name), line: table.table[name]?.line, message: "cannot read \(file)")
            }
            tls = SupervisorServer.TLSFiles(certificate: certificate, key: key)
        case (nil, nil): break
        case (nil, _): throw ConfigError(key: table.key("certificate"), line: nil, message: "is required with key")
        case (_, nil): throw ConfigError(key: table.key("key"), line: nil, message: "is required with certificate")
        }
        // The page sends its token every few seconds: over the LAN only inside TLS.
        if tls == nil && !["127.0.0.1", "::1", "localhost"].contains(host) {
            throw ConfigError(
                key: table.key("listen"), line: table.table["listen"]?.line,
                message: "'\(host)' reaches the checkpoint's LAN, where the supervisor token would travel in clear text: set certificate and key "
                    + "(https), or keep \"127.0.0.1\" and open the page through an SSH tunnel (ssh -L \(port == 0 ? 8081 : port):127.0.0.1:\(port == 0 ? 8081 : port) technician@<this box>)")
        }
        return SupervisorConfig(host: host, port: port, token: token, tls: tls)
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
