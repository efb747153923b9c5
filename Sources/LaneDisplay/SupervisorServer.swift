import Foundation
import Hummingbird
import LaneFeed
import Logging
import NIOCore
import Store

/// The checkpoint leader's page and API, on their own listener (which may be bound to the LAN): every lane of
/// this box with its device health, recent passages, the elevated passages waiting for their secondary check
/// (acknowledged with the clinical reading, stored with the passage), today's hourly chart and `/metrics`.
///
/// Everything but the page's empty shell needs `Authorization: Bearer TOKEN` with the configured token. The page
/// keeps the token in the tab's session storage and sends it as that header, so it never appears in a URL, a log
/// or a cookie another site could ride on.
public enum SupervisorServer {
    public struct Setup: Sendable {
        public var checkpointName: String
        public var lanes: [LaneDisplayServer.LaneInfo]
        public var token: String
        public var store: LaneStore
        public var hub: LaneEventHub
        public var metrics: LaneMetrics?
        public var now: @Sendable () -> Date

        public init(
            checkpointName: String, lanes: [LaneDisplayServer.LaneInfo], token: String, store: LaneStore, hub: LaneEventHub,
            metrics: LaneMetrics?, now: @escaping @Sendable () -> Date = Date.init
        ) {
            self.checkpointName = checkpointName
            self.lanes = lanes
            self.token = token
            self.store = store
            self.hub = hub
            self.metrics = metrics
            self.now = now
        }
    }

    public static func makeApplication(
        _ setup: Setup, host: String, port: Int, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/supervisor"]) }
        router.get("/supervisor") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: SupervisorPage.html(title: setup.checkpointName))))
        }
        router.get("/healthz") { _, _ in "ok\n" }
        let api = router.group("supervisor/api").add(middleware: BearerToken(token: setup.token))
        api.get("overview") { _, _ in try await LaneDisplayServer.json(overview(setup)) }
        api.get("chart.svg") { request, _ in
            let date = request.uri.queryParameters.get("date") ?? localDate(setup.now())
            guard date.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil else {
                throw HTTPError(.badRequest, message: "date must be YYYY-MM-DD")
            }
            let counts = try await setup.store.hourlyCounts(from: date, to: date)
            return Response(
                status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: HourlyChart.svg(counts, date: date))))
        }
        api.post("alarms/:id/check") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            let body = try await request.body.collect(upTo: 4096)
            guard let check = try? JSONDecoder().decode(CheckRequest.self, from: Data(body.readableBytesView)) else {
                throw HTTPError(.badRequest, message: "send {\"clinical_c\": 38.2, \"staff\": \"initials\"}")
            }
            do {
                try await setup.store.recordSecondaryCheck(passageID: id, clinicalC: check.clinicalC, staff: check.staff, at: setup.now())
            } catch let error as SecondaryCheckError {
                let status: HTTPResponse.Status =
                    error.description.hasPrefix("no passage") ? .notFound : error.description.contains("already") ? .conflict : .badRequest
                throw HTTPError(status, message: error.description)
            }
            context.logger.notice("secondary check recorded for passage \(id)")
            return try LaneDisplayServer.json(["recorded": id])
        }
        if let metrics = setup.metrics {
            router.group("metrics").add(middleware: BearerToken(token: setup.token)).get { _, _ in LaneDisplayServer.metricsResponse(metrics) }
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "checkpointd-supervisor"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    struct CheckRequest: Decodable {
        var clinicalC: Double
        var staff: String
        enum CodingKeys: String, CodingKey {
            case clinicalC = "clinical_c", staff
        }
    }

    /// What the supervisor page shows, in one answer. Identities only masked (name, last 4 characters).
    struct Overview: Encodable {
        struct Lane: Encodable {
            var id: String
            var name: String
            var health: [String: String]
        }
        struct RecentPassage: Encodable {
            var id: Int64?
            var lane: String
            var recordedAt: String
            var outcome: String
            var verdict: String?
            var temperatureC: Double?
            var declarationKind: String?
            var maskedName: String?
            var idLast4: String?
            enum CodingKeys: String, CodingKey {
                case id, lane, outcome, verdict
                case recordedAt = "recorded_at", temperatureC = "temperature_c", declarationKind = "declaration_kind"
                case maskedName = "masked_name", idLast4 = "id_last4"
            }
        }
        var checkpoint: String
        var date: String
        var lanes: [Lane]
        var alarms: [AlarmRow]
        var checks: [AlarmRow]
        var recent: [RecentPassage]
    }

    static func overview(_ setup: Setup) async throws -> Overview {
        let health = await setup.hub.health()
        let now = setup.now()
        return Overview(
            checkpoint: setup.checkpointName, date: localDate(now),
            lanes: setup.lanes.map { .init(id: $0.id, name: $0.name, health: health[$0.id] ?? [:]) },
            alarms: try await setup.store.openAlarms(since: now.addingTimeInterval(-24 * 3600)),
            checks: try await setup.store.recentSecondaryChecks(limit: 10),
            recent: try await setup.store.recentPassages(limit: 30).map {
                .init(
                    id: $0.id, lane: $0.lane, recordedAt: $0.recordedAt, outcome: $0.outcome, verdict: $0.verdict,
                    temperatureC: $0.temperatureC, declarationKind: $0.declarationKind, maskedName: $0.maskedName, idLast4: $0.idLast4)
            })
    }

    static func localDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}

/// Lets a request through only with `Authorization: Bearer TOKEN`. The comparison takes the same time wherever
/// the first wrong character is.
struct BearerToken<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let given = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        guard let given, Self.equal(Array(given.utf8), Array(token.utf8)) else {
            context.logger.warning("supervisor request without a valid token refused")
            return Response(
                status: .unauthorized, headers: [.wwwAuthenticate: "Bearer realm=\"checkpoint supervisor\"", .contentType: "text/plain"],
                body: .init(byteBuffer: ByteBuffer(string: "a valid supervisor token is required\n")))
        }
        return try await next(request, context)
    }

    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) { difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0) }
        return difference == 0
    }
}
