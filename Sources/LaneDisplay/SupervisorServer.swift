import Foundation
import Hummingbird
import HummingbirdCore
import LaneFeed
import Logging
import HummingbirdTLS
import NIOCore
import NIOSSL
import ServerLimits
import Store
import Synchronization

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

    public struct TLSFiles: Sendable, Equatable {
        public var certificate: String
        public var key: String
        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }
    }

    /// The listener: plain HTTP, or with `tls` https only (TLS 1.2 or later). Throws when the certificate or key
    /// cannot be read, so the service stops at start with the reason.
    public static func server(tls: TLSFiles?) throws -> HTTPServerBuilder {
        guard let tls else { return ServerLimits.supervisor.http1 }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.key, format: .pem)))
        configuration.minimumTLSVersion = .tlsv12
        return try .tls(ServerLimits.supervisor.http1, tlsConfiguration: configuration)
    }

    public static func makeApplication(
        _ setup: Setup, host: String, port: Int, server: HTTPServerBuilder = ServerLimits.supervisor.http1, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: SupervisorContext.self)
        let logins = FailedLogins()
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/supervisor"]) }
        router.get("/supervisor") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: SupervisorPage.html(title: setup.checkpointName))))
        }
        router.get("/healthz") { _, _ in "ok\n" }
        let api = router.group("supervisor/api").add(middleware: BearerToken(token: setup.token, failures: logins))
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
            router.group("metrics").add(middleware: BearerToken(token: setup.token, failures: logins)).get { _, _ in LaneDisplayServer.metricsResponse(metrics) }
        }
        return Application(
            router: router, server: server,
            configuration: ServerLimits.supervisor.configuration(address: .hostname(host, port: port), serverName: "checkpointd-supervisor", logger: logger),
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

/// The supervisor listener's request context: the peer's address, for the log of refused tokens.
public typealias SupervisorContext = PeerContext

/// Lets a request through only with `Authorization: Bearer TOKEN`. The comparison takes the same time wherever
/// the first wrong character is. A peer that keeps sending wrong tokens gets 429 for the rest of the minute and the
/// log names it once, not once per request; the right token still works from there (staff behind the same address
/// are not locked out, and a 128-bit token is not guessed by trying).
struct BearerToken<Context: RemoteAddressRequestContext>: RouterMiddleware {
    let token: String
    let failures: FailedLogins

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let given = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        guard let given, Self.equal(Array(given.utf8), Array(token.utf8)) else {
            let peer = context.remoteAddress?.ipAddress ?? "an unknown address"
            if failures.isBlocked(peer) {
                return Response(
                    status: .tooManyRequests, headers: [.retryAfter: "60", .contentType: "text/plain"],
                    body: .init(byteBuffer: ByteBuffer(string: "too many wrong tokens from this address: wait a minute\n")))
            }
            switch failures.record(peer) {
            case .first: context.logger.warning("supervisor request from \(peer) without a valid token refused")
            case .blocked(let count):
                context.logger.warning("\(count) supervisor requests from \(peer) without a valid token within a minute: its wrong tokens are refused unchecked (429) for the rest of it")
            case .quiet: break
            }
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

/// Wrong tokens per peer address in the current minute. At most `limit` are checked per minute; a peer past it is
/// blocked until its minute ends. At most `maxPeers` are remembered (the oldest minutes are forgotten first), so a
/// flood of addresses cannot eat memory.
final class FailedLogins: Sendable {
    enum Outcome: Equatable { case first, quiet, blocked(Int) }

    let limit: Int
    let window: Duration
    let maxPeers = 4096
    let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex<[String: (start: ContinuousClock.Instant, count: Int)]>([:])

    init(limit: Int = 30, window: Duration = .seconds(60), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.limit = limit
        self.window = window
        self.now = now
    }

    func isBlocked(_ peer: String) -> Bool {
        let t = now()
        return state.withLock { peers in
            guard let entry = peers[peer], t - entry.start < window else { return false }
            return entry.count >= limit
        }
    }

    func record(_ peer: String) -> Outcome {
        let t = now()
        return state.withLock { peers in
            var entry = peers[peer].flatMap { t - $0.start < window ? $0 : nil } ?? (start: t, count: 0)
            entry.count += 1
            if peers.count >= maxPeers, peers[peer] == nil {
                peers = peers.filter { t - $0.value.start < window }
                if peers.count >= maxPeers, let oldest = peers.min(by: { $0.value.start < $1.value.start })?.key { peers[oldest] = nil }
            }
            peers[peer] = entry
            return entry.count == 1 ? .first : entry.count == limit ? .blocked(entry.count) : .quiet
        }
    }
}
