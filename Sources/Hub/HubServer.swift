import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServerLimits
import UplinkProtocol

/// The hub's HTTP(S) API (`docs/uplink.md`, `docs/hub.md`):
/// - `POST /v1/batches`: a lane's batch, with the lane's token;
/// - `GET /districts/ID/passages?since=SEQ&limit=N`: a district's feed, with the district's token;
/// - `GET /reports/daily?date=YYYY-MM-DD[&format=csv]` and `GET /ioc/summary?date=…`: with the report token;
/// - `GET /status`: webhooks and totals, with the report token; `GET /healthz`: is the database answering.
public enum HubServer {
    public struct Setup: Sendable {
        public var config: HubConfig
        public var database: HubDatabase
        public var now: @Sendable () -> Date
        /// Whether PostgreSQL answers (probed by `HubService`): while it does not, requests get 503 at once.
        public var health: DatabaseHealth

        public init(config: HubConfig, database: HubDatabase, health: DatabaseHealth = DatabaseHealth(), now: @escaping @Sendable () -> Date = { Date() }) {
            self.config = config
            self.database = database
            self.health = health
            self.now = now
        }
    }

    /// The longest a lane's batch waits for the database before the hub answers 503: under a lane's own timeout
    /// (20 s by default), so the lane hears "send again later" rather than nothing.
    static let ingestDeadline = Duration.seconds(8)

    /// Throws 503 when the database is known to be away (asked once more, at most 0.5 s): the request is not queued
    /// behind it.
    static func requireDatabase(_ setup: Setup) async throws {
        let health = setup.health.current
        guard !health.answering else { return }
        let database = setup.database
        guard await setup.health.confirmAway(probe: { try await database.ping() }, logger: database.logger) else { return }
        throw HTTPError(
            .serviceUnavailable, headers: [.retryAfter: "5"],
            message: "the database has not answered since \(UplinkValidation.timestamp(health.since)); send again later")
    }

    /// The largest request body taken: 500 passages with follow-ups fit in well under 1 MB.
    static let maxBody = 2 << 20

    public static func application(
        _ setup: Setup, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let router = Router(context: HubContext.self)
        router.post("/v1/batches") { request, context in try await receive(request, context: context, setup: setup) }
        router.get("/districts/:id/passages") { request, context in
            let id = try context.parameters.require("id")
            // The token first: without the district's own token nobody learns which district ids exist.
            let hash = bearer(request).map { HubConfig.hash(token: $0) }
            guard let district = setup.config.districts[id], let expected = district.feedTokenHash, hash == expected else {
                throw HTTPError(.unauthorized, message: "send the district's feed token as 'Authorization: Bearer …'")
            }
            let since = try query(request, "since", default: 0, as: Int64.self)
            let limit = try query(request, "limit", default: 500, as: Int.self)
            guard since >= 0, (1...5000).contains(limit) else { throw HTTPError(.badRequest, message: "since ≥ 0 and limit 1–5000") }
            try await requireDatabase(setup)
            let passages = try await setup.database.districtPassages(id, since: since, limit: limit)
            return try json(DistrictFeedPage(district: id, passages: passages, next: passages.last?.seq ?? since))
        }
        router.get("/reports/daily") { request, _ in
            try authorize(request, hash: setup.config.reportTokenHash, what: "the report token")
            let (date, start, end) = try day(request, setup)
            try await requireDatabase(setup)
            let report = DailyReport(
                date: date, timeZone: setup.config.timeZone.identifier, counts: try await setup.database.dailyCounts(from: start, to: end))
            let wantsCSV = request.uri.queryParameters["format"] == "csv" || (request.headers[.accept] ?? "").contains("text/csv")
            if wantsCSV {
                var headers = HTTPFields()
                headers[.contentType] = "text/csv; charset=utf-8"
                headers[.contentDisposition] = "attachment; filename=\"checkpoints-\(date).csv\""
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: report.csv)))
            }
            return try json(report)
        }
        router.get("/ioc/summary") { request, _ in
            try authorize(request, hash: setup.config.reportTokenHash, what: "the report token")
            let (date, start, end) = try day(request, setup)
            let counts = try await setup.database.hourlyCounts(from: start, to: end, timeZone: setup.config.timeZone)
            return try json(
                IOCSummary(date: date, timeZone: setup.config.timeZone.identifier, generatedAt: UplinkValidation.timestamp(setup.now()), counts: counts))
        }
        router.get("/status") { request, _ in
            try authorize(request, hash: setup.config.reportTokenHash, what: "the report token")
            return try json(
                HubStatus(passages: try await setup.database.passageCount(), webhooks: try await setup.database.webhookStatus()))
        }
        // Tracing (its own role): a person's passages and who passed the same lanes around them. POST, so the number
        // is never in a URL or an access log; every query, allowed or not, is written to the append-only audit.
        router.post("/tracing/person") { request, context in try await tracePerson(request, context: context, setup: setup) }
        // Cheap and at once: the probe's last word, not a query per request (a count over millions of passages,
        // polled by 40 clients, once slowed the lanes' uploads from 0.03 s to 5 s).
        router.get("/healthz") { _, _ in
            try await requireDatabase(setup)
            return "ok\n"
        }
        let address = BindAddress.hostname(setup.config.host, port: setup.config.port)
        let limits = ServerLimits.hub
        let configuration = limits.configuration(address: address, serverName: "checkpoint-hub", logger: logger)
        let server: HTTPServerBuilder
        if let tls = setup.config.tls {
            server = try .tls(limits.http1, tlsConfiguration: try tlsConfiguration(tls))
        } else {
            server = limits.http1
        }
        return Application(
            router: router, server: server, configuration: configuration,
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? setup.config.port) }, logger: logger)
    }

    static func receive(_ request: Request, context: HubContext, setup: Setup) async throws -> Response {
        guard let token = bearer(request), let lane = setup.config.lanesByTokenHash[HubConfig.hash(token: token)] else {
            throw HTTPError(.unauthorized, message: "this token belongs to no lane")
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: maxBody) } catch {
            return try refusal(.contentTooLarge, UplinkRefusal(error: "the batch is larger than \(maxBody) bytes: send fewer passages at once"))
        }
        let batch: UplinkBatch
        do { batch = try JSONDecoder().decode(UplinkBatch.self, from: Data(body.readableBytesView)) } catch {
            return try refusal(.badRequest, UplinkRefusal(error: "the body is not a \(UplinkSchema.version) batch: \(describe(error))"))
        }
        if let problem = UplinkValidation.check(batch, authenticatedLane: lane.id) {
            context.logger.warning("refused a batch of \(batch.passages.count) from \(lane.id): \(problem.error)")
            return try refusal(.badRequest, problem)
        }
        // Passages are judged one by one: the valid ones are stored, the others named with their fault.
        let invalid = UplinkValidation.rejected(batch, now: setup.now())
        let invalidKeys = Set(invalid.map(\.key))
        var valid = batch
        valid.passages.removeAll { invalidKeys.contains($0.key) }
        if valid.passages.isEmpty {
            context.logger.warning("refused all \(batch.passages.count) passages of a batch from \(lane.id): \(invalid[0].reason)")
            return try refusal(
                .unprocessableContent,
                UplinkRefusal(error: "\(invalid.count) of \(batch.passages.count) passages are invalid; nothing was stored", rejected: invalid))
        }
        try await requireDatabase(setup)
        var answer: UplinkAnswer
        do {
            let database = setup.database, batch = valid
            let tracing = setup.config.tracing
            answer = try await withDeadline(ingestDeadline) { try await database.ingest(batch, lane: lane, tracing: tracing) }
        } catch {
            context.logger.error("cannot store a batch from \(lane.id): \(String(reflecting: error))")
            throw HTTPError(.serviceUnavailable, headers: [.retryAfter: "5"], message: "the database is not answering; send again later")
        }
        answer.rejected = invalid + answer.rejected
        if !answer.rejected.isEmpty {
            context.logger.warning("refused \(answer.rejected.count) of \(batch.passages.count) passages from \(lane.id): \(answer.rejected[0].reason)")
        }
        context.logger.info("stored \(answer.accepted.count - answer.duplicates) new of \(batch.passages.count) from \(lane.id)")
        return try json(answer)
    }

    static func refusal(_ status: HTTPResponse.Status, _ refusal: UplinkRefusal) throws -> Response {
        var response = try json(refusal)
        response.status = status
        return response
    }

    static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?: return "'\(path(context.codingPath + [key]))' is missing"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?: return "'\(path(context.codingPath))' has the wrong type"
        case .dataCorrupted(let context)?: return context.codingPath.isEmpty ? "not JSON" : "'\(path(context.codingPath))' is malformed"
        default: return "\(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        return String(header.dropFirst(7))
    }

    static func authorize(_ request: Request, hash: String?, what: String) throws {
        guard let hash else { throw HTTPError(.forbidden, message: "\(what) is not configured on this hub") }
        guard let token = bearer(request), HubConfig.hash(token: token) == hash else {
            throw HTTPError(.unauthorized, message: "send \(what) as 'Authorization: Bearer …'")
        }
    }

    static func query<T: LosslessStringConvertible>(_ request: Request, _ name: String, default value: T, as: T.Type) throws -> T {
        guard let text = request.uri.queryParameters[Substring(name)] else { return value }
        guard let parsed = T(String(text)) else { throw HTTPError(.badRequest, message: "\(name)=\(text) is not a number") }
        return parsed
    }

    static func day(_ request: Request, _ setup: Setup) throws -> (String, Date, Date) {
        let date = request.uri.queryParameters["date"].map(String.init) ?? DailyReport.today(setup.now(), timeZone: setup.config.timeZone)
        guard let window = DailyReport.window(date, timeZone: setup.config.timeZone) else {
            throw HTTPError(.badRequest, message: "date=\(date) is not a date written YYYY-MM-DD")
        }
        return (date, window.start, window.end)
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    static func tlsConfiguration(_ files: HubConfig.TLSFiles) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(files.certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: files.key, format: .pem)))
        tls.minimumTLSVersion = .tlsv12  // NIOSSL's default still allows TLS 1.0
        if let clientCA = files.clientCA {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientCA))
            tls.certificateVerification = .noHostnameVerification
        }
        return tls
    }
}

public struct DistrictFeedPage: Codable, Sendable, Equatable {
    public var district: String
    public var passages: [DistrictPassage]
    /// Pass as `since` to get the next page.
    public var next: Int64
}

public struct HubStatus: Codable, Sendable, Equatable {
    public var passages: Int
    public var webhooks: [WebhookStatus]
}

/// The hub's request context: the peer's address, for the tracing audit.
public typealias HubContext = PeerContext
