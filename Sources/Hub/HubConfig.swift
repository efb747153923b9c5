import ConfigFile
import Crypto
import Foundation
import UplinkProtocol

/// The hub's configuration (`/etc/checkpoint-hub/hub.toml`, see `docs/hub.md`): where it listens, its database,
/// the districts and their feeds, and every lane allowed to send, with the lane's district.
public struct HubConfig: Sendable {
    public var host = "127.0.0.1"
    public var port = 8443
    /// Daily counts and hours are in this zone (the province's): a day starts at local midnight.
    public var timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
    public var tls: TLSFiles?
    public var database: Database
    /// SHA-256 (hex) of the token that reads `/reports` and `/ioc` (the provincial CDC and operations centre).
    public var reportTokenHash: String?
    public var districts: [String: District] = [:]
    /// Lanes by the SHA-256 (hex) of their token.
    public var lanesByTokenHash: [String: Lane] = [:]
    /// The province's tracing keys (`[tracing]`); without them sealed identities are ignored and no pseudonym is kept.
    public var tracing: Tracing?

    public struct Tracing: Sendable {
        /// Opens the identities lanes seal to its public key (`openssl pkey -pubout` gives the public key lanes seal to).
        public var privateKey: TracingKey.PrivateKey
        /// Keys replaced by `privateKey` that still open what lanes not yet given the new public key seal
        /// (`retired_key_files`): a rotation never loses a passage's pseudonym.
        public var retiredKeys: [TracingKey.PrivateKey] = []
        /// Days a pseudonym is kept; after that it is erased and the passage stays in the counts (default 21: two
        /// incubation periods).
        public var retentionDays = 21
        /// Whether a tracing query returns the co-travellers' passages with their follow-up data (the province's
        /// rules allow it), or only how many passed around the case on each lane (the default).
        public var coTravellerDetails = false
        /// Turns a number into its pseudonym (HMAC-SHA256): without it a pseudonym cannot be tested against a number.
        public var pseudonymKey: SymmetricKey
        /// SHA-256 (hex) of the tracing role's token (`POST /tracing/person`); nil: no tracing queries.
        public var tokenHash: String?

        /// Every key the hub opens identities with, by key ID (the current one first).
        public var keysByID: [String: TracingKey.PrivateKey] {
            var keys: [String: TracingKey.PrivateKey] = [:]
            for key in [privateKey] + retiredKeys where keys[SealedIdentity.keyID(key.publicKey)] == nil {
                keys[SealedIdentity.keyID(key.publicKey)] = key
            }
            return keys
        }

        public func pseudonym(_ number: String) -> String {
            HMAC<SHA256>.authenticationCode(for: Data(SealedIdentity.normalise(number).utf8), using: pseudonymKey)
                .map { String(format: "%02x", $0) }.joined()
        }
    }

    public struct TLSFiles: Sendable {
        public var certificate: String
        public var key: String
        /// When set, lanes must present a client certificate signed by this CA.
        public var clientCA: String?
    }

    public struct Database: Sendable {
        public var host: String
        public var port: Int
        /// A directory holding PostgreSQL's Unix socket; used instead of host/port when set.
        public var socketDirectory: String?
        public var user: String
        public var password: String?
        public var name: String
        public var connections: Int

        public init(host: String = "127.0.0.1", port: Int = 5432, socketDirectory: String? = nil, user: String, password: String? = nil, name: String, connections: Int = 8) {
            self.host = host
            self.port = port
            self.socketDirectory = socketDirectory
            self.user = user
            self.password = password
            self.name = name
            self.connections = connections
        }
    }

    public struct District: Sendable {
        public var id: String
        public var name: String
        public var feedTokenHash: String?
        /// Where new passages of the district are POSTed (nil: the district reads its feed instead).
        public var webhookURL: String?
        public var webhookToken: String?
    }

    public struct Lane: Sendable {
        public var id: String
        public var checkpoint: String
        public var district: String
    }

    public init(database: Database) { self.database = database }

    public static func hash(token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Parses the configuration's text; throws one `ConfigError` naming the first bad key.
    public static func parse(_ text: String, readFile: (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) }) throws(ConfigError) -> HubConfig {
        let document: TOMLTable
        do { document = try TOMLDocument.parse(text) } catch { throw ConfigError(key: "", line: error.line, message: error.message) }
        let root = ConfigReader(document, path: "")
        guard let db = try root.table("database") else { throw ConfigError(key: "database", line: nil, message: "a [database] table is required") }
        var config = HubConfig(
            database: Database(
                host: try db.string("host", default: "127.0.0.1"), port: try db.int("port", default: 5432, range: 1...65535),
                socketDirectory: try db.optionalString("socket_directory"), user: try db.string("user"),
                password: try secret(db, "password", readFile: readFile), name: try db.string("name"),
                connections: try db.int("connections", default: 8, range: 1...100)))
        if let hub = try root.table("hub") {
            config.host = try hub.string("listen", default: "127.0.0.1")
            config.port = try hub.int("port", default: 8443, range: 0...65535)
            let zone = try hub.string("timezone", default: "Asia/Ho_Chi_Minh")
            guard let tz = TimeZone(identifier: zone) else {
                throw ConfigError(key: hub.key("timezone"), line: hub.table["timezone"]?.line, message: "'\(zone)' is not a time zone name such as Asia/Ho_Chi_Minh")
            }
            config.timeZone = tz
            config.reportTokenHash = try tokenHash(hub, "report_token", readFile: readFile)
            if let tls = try hub.table("tls") {
                config.tls = TLSFiles(certificate: try tls.string("certificate"), key: try tls.string("key"), clientCA: try tls.optionalString("client_ca"))
            }
        }
        for district in try root.tables("district") {
            let id = try district.string("id")
            guard config.districts[id] == nil else { throw ConfigError(key: district.key("id"), line: district.table["id"]?.line, message: "'\(id)' is listed twice") }
            let webhook = try district.optionalString("webhook")
            if let webhook, let problem = Self.webhookProblem(webhook) {
                throw ConfigError(key: district.key("webhook"), line: district.table["webhook"]?.line, message: problem)
            }
            config.districts[id] = District(
                id: id, name: try district.string("name", default: id), feedTokenHash: try tokenHash(district, "feed_token", readFile: readFile),
                webhookURL: webhook, webhookToken: try secret(district, "webhook_token", readFile: readFile))
        }
        var laneIDs: Set<String> = []
        for lane in try root.tables("lane") {
            let id = try lane.string("id")
            guard laneIDs.insert(id).inserted else { throw ConfigError(key: lane.key("id"), line: lane.table["id"]?.line, message: "'\(id)' is listed twice") }
            let checkpoint = try lane.string("checkpoint", default: String(id.split(separator: "/").first ?? Substring(id)))
            let district = try lane.string("district")
            guard config.districts[district] != nil else {
                throw ConfigError(key: lane.key("district"), line: lane.table["district"]?.line, message: "'\(district)' is not one of the [[district]] ids")
            }
            guard let hash = try tokenHash(lane, "token", readFile: readFile) else {
                throw ConfigError(key: lane.key("token_sha256"), line: nil, message: "each lane needs token_sha256 (or token_file / token)")
            }
            guard config.lanesByTokenHash[hash] == nil else { throw ConfigError(key: lane.key("token"), line: nil, message: "the same token is given to two lanes") }
            config.lanesByTokenHash[hash] = Lane(id: id, checkpoint: checkpoint, district: district)
        }
        if let tracing = try root.table("tracing") {
            let keyText = try secretFile(tracing, "private_key_file", readFile: readFile)
            let notAKey = "is not a PEM X25519 private key (openssl genpkey -algorithm X25519)"
            guard let key = TracingKey.privateKey(pem: keyText) else {
                throw ConfigError(key: tracing.key("private_key_file"), line: tracing.table["private_key_file"]?.line, message: notAKey)
            }
            var retired: [TracingKey.PrivateKey] = []
            for path in try tracing.strings("retired_key_files") {
                let text: String
                do { text = try readFile(path) } catch {
                    throw ConfigError(key: tracing.key("retired_key_files"), line: tracing.table["retired_key_files"]?.line, message: "cannot read \(path): \(error.localizedDescription)")
                }
                guard let old = TracingKey.privateKey(pem: text) else {
                    throw ConfigError(key: tracing.key("retired_key_files"), line: tracing.table["retired_key_files"]?.line, message: "\(path) \(notAKey)")
                }
                retired.append(old)
            }
            let hex = try secretFile(tracing, "pseudonym_key_file", readFile: readFile).trimmingCharacters(in: .whitespacesAndNewlines)
            guard hex.count >= 64, hex.count % 2 == 0, hex.allSatisfy(\.isHexDigit) else {
                throw ConfigError(key: tracing.key("pseudonym_key_file"), line: tracing.table["pseudonym_key_file"]?.line, message: "must hold at least 32 bytes as hex (openssl rand -hex 32)")
            }
            let bytes = stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! }
            config.tracing = Tracing(
                privateKey: key, retiredKeys: retired,
                retentionDays: try tracing.int("retention_days", default: 21, range: 1...366),
                coTravellerDetails: try tracing.bool("co_traveller_details", default: false),
                pseudonymKey: SymmetricKey(data: bytes), tokenHash: try tokenHash(tracing, "token", readFile: readFile))
        }
        try root.checkAllKeysUsed()
        return config
    }

    /// `NAME_sha256` (hex, preferred: the hub never holds the token), `NAME_file` or `NAME`; nil when none is set.
    static func tokenHash(_ table: ConfigReader, _ name: String, readFile: (String) throws -> String) throws(ConfigError) -> String? {
        if let hex = try table.optionalString("\(name)_sha256") {
            guard hex.count == 64, hex.allSatisfy(\.isHexDigit) else {
                throw ConfigError(key: table.key("\(name)_sha256"), line: table.table["\(name)_sha256"]?.line, message: "must be 64 hex digits (checkpoint-hub hash-token prints it)")
            }
            return hex.lowercased()
        }
        guard let token = try secret(table, name, readFile: readFile) else { return nil }
        guard token.count >= 16 else { throw ConfigError(key: table.key(name), line: nil, message: "a token must have at least 16 characters") }
        return hash(token: token)
    }

    /// `NAME_file` (first line of the file) or `NAME`.
    static func secret(_ table: ConfigReader, _ name: String, readFile: (String) throws -> String) throws(ConfigError) -> String? {
        if let path = try table.optionalString("\(name)_file") {
            do {
                return try readFile(path).split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            } catch { throw ConfigError(key: table.key("\(name)_file"), line: table.table["\(name)_file"]?.line, message: "cannot read \(path): \(error.localizedDescription)") }
        }
        return try table.optionalString(name)
    }
}

extension HubConfig {
    /// A webhook carries a bearer token and the follow-up of elevated travellers (names, phone numbers): it goes over
    /// https, or plain http only to this machine (a local relay). nil when `url` is acceptable.
    static func webhookProblem(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), let host = components.host, !host.isEmpty else {
            return "'\(url)' is not an http(s) URL"
        }
        switch scheme {
        case "https": return nil
        case "http" where ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased()): return nil
        case "http": return "'\(url)' is plain http to another machine: a district's follow-up data and token go over https only (http is allowed to 127.0.0.1)"
        default: return "'\(url)' is not an http(s) URL"
        }
    }
}

extension HubConfig {
    /// The whole text of the file named by `name` (required).
    static func secretFile(_ table: ConfigReader, _ name: String, readFile: (String) throws -> String) throws(ConfigError) -> String {
        let path = try table.string(name)
        do { return try readFile(path) } catch {
            throw ConfigError(key: table.key(name), line: table.table[name]?.line, message: "cannot read \(path): \(error.localizedDescription)")
        }
    }
}
