import Foundation
import Hub
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import TestSupport
import UplinkProtocol

/// Lanes, districts and tokens of the test province.
enum TestProvince {
    static let reportToken = "report-token-0123456789"
    static let lanes: [(id: String, district: String, token: String)] = [
        ("QL1A-km947/lane-1", "dien-ban", "lane-one-token-0123456789"),
        ("QL1A-km947/lane-2", "dien-ban", "lane-two-token-0123456789"),
        ("cua-dai-ferry/lane-1", "hoi-an", "ferry-lane-token-012345678"),
    ]
    static let feedTokens = ["dien-ban": "feed-dien-ban-token-0123", "hoi-an": "feed-hoi-an-token-012345"]

    static func config(database: String, port: Int, hubPort: Int = 0, webhook: String? = nil, timeZone: String = "Asia/Ho_Chi_Minh", tls: TestCertificates? = nil, clientCA: Bool = false) -> String {
        var text = """
            [hub]
            listen = "127.0.0.1"
            port = \(hubPort)
            timezone = "\(timeZone)"
            report_token = "\(reportToken)"

            """
        if let tls {
            text += """
                [hub.tls]
                certificate = "\(tls.serverCertificate)"
                key = "\(tls.serverKey)"
                \(clientCA ? "client_ca = \"\(tls.caCertificate)\"" : "")

                """
        }
        text += """
            [database]
            host = "127.0.0.1"
            port = \(port)
            user = "hub"
            name = "\(database)"

            [[district]]
            id = "dien-ban"
            name = "TTYT Điện Bàn"
            feed_token = "\(feedTokens["dien-ban"]!)"

            [[district]]
            id = "hoi-an"
            name = "TTYT Hội An"
            feed_token = "\(feedTokens["hoi-an"]!)"
            \(webhook.map { "webhook = \"\($0)\"\nwebhook_token = \"webhook-secret-0123456\"" } ?? "")

            """
        for lane in lanes {
            text += """
                [[lane]]
                id = "\(lane.id)"
                district = "\(lane.district)"
                token_sha256 = "\(HubConfig.hash(token: lane.token))"

                """
        }
        return text
    }

    static func passage(_ lane: String, _ id: Int64, at: String, verdict: String? = "normal", temperature: Double? = 36.6) -> UplinkPassage {
        UplinkPassage(
            key: UplinkPassage.key(lane: lane, passageID: id), passageID: id, recordedAt: at, outcome: verdict == nil ? "scanned-no-reading" : "complete",
            verdict: verdict, temperatureC: verdict == nil ? nil : temperature, uncertaintyC: verdict == nil ? nil : 0.3,
            thresholdC: verdict == nil ? nil : 37.5, referenced: verdict == nil ? nil : true, declarationKind: "cccd")
    }

    static func json(_ batch: UplinkBatch) throws -> String { String(decoding: try JSONEncoder().encode(batch), as: UTF8.self) }
}

/// An in-process hub on a fresh database of the test PostgreSQL server.
struct RunningHub {
    let port: Int
    let database: String
    let config: HubConfig
    let group: ServiceGroup
    let task: Task<Void, any Error>

    /// With `databaseProxy` the hub reaches PostgreSQL through it (the test freezes or cuts the database with it).
    static func start(
        webhook: String? = nil, timeZone: String = "Asia/Ho_Chi_Minh", tls: TestCertificates? = nil, clientCA: Bool = false,
        databaseProxy: ChaosProxy? = nil, extraConfig: String = "", now: @escaping @Sendable () -> Date = { Date() },
        database: String? = nil
    ) async throws -> RunningHub {
        // A fresh database, or `database` again (a hub restarted on what an earlier one stored).
        let server = try TestPostgres.server()
        let name: String
        if let database { name = database } else { name = try await TestPostgres.freshDatabase().name }
        let port = databaseProxy?.port ?? server.port
        let config = try HubConfig.parse(
            TestProvince.config(database: name, port: port, webhook: webhook, timeZone: timeZone, tls: tls, clientCA: clientCA) + "\n" + extraConfig)
        var logger = Logger(label: "hub-test")
        logger.logLevel = .warning
        let bound = Mutex<Int?>(nil)
        let group = HubService(config: config, logger: logger).serviceGroup(signals: false, now: now) { port in bound.withLock { $0 = port } }
        let task = Task { try await group.run() }
        guard await waitUntil(seconds: 60, { bound.withLock { $0 } != nil }), let port = bound.withLock({ $0 }) else {
            task.cancel()
            throw TestPostgresError("the hub did not start listening within 60 s")
        }
        return RunningHub(port: port, database: name, config: config, group: group, task: task)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    func post(_ body: String, token: String?) async throws -> HTTPTestClient.Response {
        var headers = ["Content-Type": "application/json"]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return try await HTTPTestClient.request(port: port, method: "POST", path: "/v1/batches", headers: headers, body: body)
    }

    func get(_ path: String, token: String) async throws -> HTTPTestClient.Response {
        try await HTTPTestClient.request(port: port, method: "GET", path: path, headers: ["Authorization": "Bearer \(token)"])
    }

    /// A second client on the hub's database, for calls past its HTTP API (it runs until the test's task ends).
    func secondClient() -> HubDatabase {
        var logger = Logger(label: "hub-test-db")
        logger.logLevel = .warning
        let client = HubDatabase.client(config.database, logger: logger)
        Task { await client.run() }
        return HubDatabase(client: client, logger: logger)
    }

    func count() async throws -> Int { Int(try await TestPostgres.psql(database, "SELECT count(*) FROM passage")) ?? -1 }
}
