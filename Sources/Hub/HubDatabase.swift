import Foundation
import Logging
import PostgresNIO
import UplinkProtocol

/// Everything the hub asks of PostgreSQL. Inserts are idempotent: the unique key makes a resent passage a no-op.
public struct HubDatabase: Sendable {
    public let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public static func client(_ config: HubConfig.Database, logger: Logger) -> PostgresClient {
        var configuration: PostgresClient.Configuration
        if let socket = config.socketDirectory {
            configuration = .init(
                unixSocketPath: "\(socket)/.s.PGSQL.\(config.port)", username: config.user, password: config.password, database: config.name)
        } else {
            configuration = .init(host: config.host, port: config.port, username: config.user, password: config.password, database: config.name, tls: .disable)
        }
        configuration.options.maximumConnections = config.connections
        // A query that hangs (a lock, a dying server) must not hold a lane's request for ever: the lane retries.
        configuration.options.additionalStartupParameters = [("statement_timeout", "15000"), ("application_name", "checkpoint-hub")]
        return PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    public func migrate() async throws { try await HubMigrations.migrate(client, logger: logger) }

    /// The schema version this hub migrates to (the last of `HubMigrations.steps`).
    public static var schemaVersion: Int { HubMigrations.steps.last?.version ?? 0 }

    /// Stores a validated batch of `lane`. Returns every key it holds now and how many were there already. A
    /// passage the database itself refuses (a data error its validation did not foresee) is named in `rejected` and
    /// the others stored: the batch is tried again one passage at a time.
    public func ingest(_ batch: UplinkBatch, lane: HubConfig.Lane, tracing: HubConfig.Tracing? = nil) async throws -> UplinkAnswer {
        let rows = await Self.rows(batch.passages, tracing: tracing, logger: logger, lane: lane.id)
        do {
            let inserted = try await insert(rows, lane: lane)
            let keys = Array(Set(batch.passages.map(\.key))).sorted()
            return UplinkAnswer(accepted: keys, duplicates: keys.count - inserted)
        } catch {
            guard let refusal = Self.dataError(error) else { throw error }
            logger.warning("a batch from \(lane.id) holds a passage the database refuses (\(Self.describe(refusal))): storing one at a time")
        }
        var accepted: [String] = [], duplicates = 0, rejected: [UplinkRefusal.Rejected] = []
        for (passage, row) in zip(batch.passages, rows) {
            do {
                let inserted = try await insert([row], lane: lane)
                accepted.append(passage.key)
                duplicates += 1 - inserted
            } catch {
                guard let refusal = Self.dataError(error) else { throw error }
                rejected.append(.init(key: passage.key, reason: "the hub's database refused it (\(Self.describe(refusal)))"))
            }
        }
        return UplinkAnswer(accepted: accepted.sorted(), duplicates: duplicates, rejected: rejected)
    }

    /// SQLSTATE class 22 (data exception: a bad character, a number out of range) or 23 (integrity constraint): the
    /// passage's fault, not the database's; any other error means the database is away and the batch is sent again.
    static func dataError(_ error: any Error) -> PSQLError? {
        let inner = (error as? PostgresTransactionError).map { $0.closureError ?? $0.commitError } ?? error
        guard let psql = inner as? PSQLError, let state = psql.serverInfo?[.sqlState], state.hasPrefix("22") || state.hasPrefix("23") else {
            return nil
        }
        return psql
    }

    static func describe(_ error: PSQLError) -> String {
        "SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"): \(error.serverInfo?[.message] ?? "no message")"
    }

    /// What is stored of each passage: its fields, and the pseudonym of its sealed identity when the hub has the
    /// tracing keys. The number itself is never stored nor logged; an identity that does not open is left out.
    /// Opening is most of an ingest's work (an HPKE decapsulation per passage), so a batch's identities are opened
    /// on every core at once.
    static func rows(_ passages: [UplinkPassage], tracing: HubConfig.Tracing?, logger: Logger, lane: String) async -> [StoredPassage] {
        let stored = passages.map { passage -> UplinkPassage in
            var stored = passage
            stored.identity = nil
            return stored
        }
        guard let tracing, passages.contains(where: { $0.identity != nil }) else {
            return stored.map { StoredPassage(passage: $0, pseudonym: nil) }
        }
        let keys = tracing.keysByID
        // The current key or one retired in a rotation the lane has not caught up with, as the identity names it.
        let open = { @Sendable (passage: UplinkPassage) -> String? in
            guard let sealed = passage.identity, let key = keys[sealed.keyID],
                let number = try? sealed.open(passageKey: passage.key, withKeyNamedByID: key)
            else { return nil }
            return tracing.pseudonym(number)
        }
        let slices = max(1, min(ProcessInfo.processInfo.activeProcessorCount, passages.count / 16))
        let size = (passages.count + slices - 1) / slices
        var pseudonyms = [String?](repeating: nil, count: passages.count)
        await withTaskGroup(of: (Int, [String?]).self) { group in
            for start in stride(from: 0, to: passages.count, by: size) {
                let slice = Array(passages[start..<min(start + size, passages.count)])
                group.addTask { (start, slice.map(open)) }
            }
            for await (start, opened) in group { pseudonyms.replaceSubrange(start..<(start + opened.count), with: opened) }
        }
        let unopened = zip(passages, pseudonyms).filter { $0.identity != nil && $1 == nil }.count
        if unopened > 0 { logger.warning("\(unopened) sealed identities from \(lane) do not open with this hub's tracing keys (current or retired): stored without a pseudonym") }
        return zip(stored, pseudonyms).map { StoredPassage(passage: $0, pseudonym: $1) }
    }

    /// A passage as the INSERT reads it: the wire's fields and the pseudonym, one flat JSON object.
    struct StoredPassage: Encodable {
        var passage: UplinkPassage
        var pseudonym: String?
        enum CodingKeys: String, CodingKey { case pseudonym }
        func encode(to encoder: any Encoder) throws {
            try passage.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(pseudonym, forKey: .pseudonym)
        }
    }

    /// Inserts passages in one transaction; returns how many were new.
    func insert(_ passages: [StoredPassage], lane: HubConfig.Lane) async throws -> Int {
        let json = String(decoding: try JSONEncoder().encode(passages), as: UTF8.self)
        return try await client.withTransaction(logger: logger) { connection in
            // Inserts take turns, so `seq` grows in commit order and a district reading "after seq N" never
            // misses a row that commits later with a smaller number. Measured cost: see docs/scale.md.
            try await connection.query("SELECT pg_advisory_xact_lock(7402052)", logger: logger)
            let rows = try await connection.query(
                """
                INSERT INTO passage (key, lane, checkpoint, district, passage_id, recorded_at, outcome, verdict,
                  temperature_c, uncertainty_c, threshold_c, referenced, declaration_kind, follow_up, pseudonym)
                SELECT r.key, \(lane.id), \(lane.checkpoint), \(lane.district), r.passage_id, r.recorded_at, r.outcome,
                  r.verdict, r.temperature_c, r.uncertainty_c, r.threshold_c, r.referenced, r.declaration_kind, r.follow_up,
                  r.pseudonym
                FROM jsonb_to_recordset(\(json)::jsonb) AS r(key text, passage_id bigint, recorded_at timestamptz,
                  outcome text, verdict text, temperature_c real, uncertainty_c real, threshold_c real, referenced boolean,
                  declaration_kind text, follow_up jsonb, pseudonym text)
                ON CONFLICT (key) DO NOTHING RETURNING key
                """, logger: logger)
            var count = 0
            for try await _ in rows { count += 1 }
            return count
        }
    }

    /// How many passed the same lane within the window around one of a person's passages.
    public struct NearbyCount: Codable, Sendable, Equatable {
        /// The person's passage (its key) they passed around.
        public var around: String
        public var lane: String
        public var passages: Int
        public var elevated: Int
    }

    /// A person's passages (by pseudonym) since `since`, oldest first; for each, how many others passed the same
    /// lane within `window` seconds (the queue, the same bus); and, when `details`, those passages themselves with
    /// their follow-up data as the lane sent it (elevated passages only).
    public func tracePerson(pseudonym: String, since: Date, window: Int, details: Bool)
        async throws -> (passages: [DistrictPassage], nearbyCounts: [NearbyCount], nearby: [DistrictPassage]?)
    {
        func decode(_ rows: PostgresRowSequence) async throws -> [DistrictPassage] {
            var out: [DistrictPassage] = []
            for try await json in rows.decode(String.self) { out.append(try JSONDecoder().decode(DistrictPassage.self, from: Data(json.utf8))) }
            return out
        }
        let seconds = Double(window)
        let own = try await decode(
            try await client.query(
                """
                SELECT \(unescaped: Self.passageJSON) FROM passage WHERE pseudonym = \(pseudonym) AND recorded_at >= \(since) ORDER BY recorded_at
                """, logger: logger))
        var counts: [NearbyCount] = []
        let countRows = try await client.query(
            """
            SELECT p.key, p.lane, count(o.seq)::bigint, (count(o.seq) FILTER (WHERE o.verdict = 'elevated'))::bigint
            FROM passage p LEFT JOIN passage o ON o.lane = p.lane
              AND o.recorded_at BETWEEN p.recorded_at - make_interval(secs => \(seconds)) AND p.recorded_at + make_interval(secs => \(seconds))
              AND o.pseudonym IS DISTINCT FROM \(pseudonym)
            WHERE p.pseudonym = \(pseudonym) AND p.recorded_at >= \(since)
            GROUP BY p.key, p.lane, p.recorded_at ORDER BY p.recorded_at
            """, logger: logger)
        for try await (key, lane, n, elevated) in countRows.decode((String, String, Int64, Int64).self) {
            counts.append(NearbyCount(around: key, lane: lane, passages: Int(n), elevated: Int(elevated)))
        }
        guard details else { return (own, counts, nil) }
        let nearby = try await decode(
            try await client.query(
                """
                SELECT \(unescaped: Self.passageJSON) FROM passage WHERE seq IN (
                  SELECT o.seq FROM passage p JOIN passage o ON o.lane = p.lane
                    AND o.recorded_at BETWEEN p.recorded_at - make_interval(secs => \(seconds)) AND p.recorded_at + make_interval(secs => \(seconds))
                  WHERE p.pseudonym = \(pseudonym) AND p.recorded_at >= \(since) AND o.pseudonym IS DISTINCT FROM \(pseudonym))
                ORDER BY recorded_at
                """, logger: logger))
        return (own, counts, nearby)
    }

    /// Erases the pseudonyms of the passages recorded before `cutoff` (the tracing retention); the passages stay,
    /// so the counts and reports do not change. In steps of 10,000 rows, so ingest never waits long behind it.
    /// Returns how many were erased.
    public func erasePseudonyms(before cutoff: Date) async throws -> Int {
        var erased = 0
        while true {
            let rows = try await client.query(
                """
                WITH step AS (
                  UPDATE passage SET pseudonym = NULL WHERE seq IN (
                    SELECT seq FROM passage WHERE pseudonym IS NOT NULL AND recorded_at < \(cutoff) LIMIT 10000)
                  RETURNING 1)
                SELECT count(*)::bigint FROM step
                """, logger: logger)
            var count = 0
            for try await n in rows.decode(Int64.self) { count = Int(n) }
            erased += count
            if count < 10_000 { return erased }
        }
    }

    /// Writes one line of the tracing audit (append-only): who asked, what (never the number), allowed, rows returned.
    public func audit(peer: String, query: String, allowed: Bool, rows: Int) async throws {
        try await client.query(
            "INSERT INTO tracing_audit (peer, query, allowed, rows) VALUES (\(peer), \(query), \(allowed), \(rows))", logger: logger)
    }

    static let passageJSON = """
        jsonb_strip_nulls(jsonb_build_object('seq', seq, 'key', key, 'lane', lane, 'checkpoint', checkpoint,
          'passage_id', passage_id, 'recorded_at', to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
          'outcome', outcome, 'verdict', verdict, 'temperature_c', temperature_c, 'uncertainty_c', uncertainty_c,
          'threshold_c', threshold_c, 'referenced', referenced, 'declaration_kind', declaration_kind, 'follow_up', follow_up))::text
        """

    /// The district's passages after `since` (a `seq` from an earlier page), oldest first.
    public func districtPassages(_ district: String, since: Int64, limit: Int) async throws -> [DistrictPassage] {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.passageJSON)
            FROM passage WHERE district = \(district) AND seq > \(since) ORDER BY seq LIMIT \(limit)
            """, logger: logger)
        var passages: [DistrictPassage] = []
        let decoder = JSONDecoder()
        for try await json in rows.decode(String.self) {
            passages.append(try decoder.decode(DistrictPassage.self, from: Data(json.utf8)))
        }
        return passages
    }

    /// Passages per checkpoint, lane, district and verdict recorded in [start, end).
    public func dailyCounts(from start: Date, to end: Date) async throws -> [DailyReport.Count] {
        let rows = try await client.query(
            """
            SELECT checkpoint, lane, district, coalesce(verdict, 'none'), count(*)::bigint FROM passage
            WHERE recorded_at >= \(start) AND recorded_at < \(end) GROUP BY 1, 2, 3, 4
            """, logger: logger)
        var counts: [DailyReport.Count] = []
        for try await (checkpoint, lane, district, verdict, n) in rows.decode((String, String, String, String, Int64).self) {
            counts.append(DailyReport.Count(checkpoint: checkpoint, lane: lane, district: district, verdict: verdict, passages: Int(n)))
        }
        return counts
    }

    /// Passages and elevated ones per checkpoint and local hour in [start, end).
    public func hourlyCounts(from start: Date, to end: Date, timeZone: TimeZone) async throws -> [IOCSummary.Count] {
        let rows = try await client.query(
            """
            SELECT checkpoint, extract(hour FROM recorded_at AT TIME ZONE \(timeZone.identifier))::integer, count(*)::bigint,
              count(*) FILTER (WHERE verdict = 'elevated')::bigint
            FROM passage WHERE recorded_at >= \(start) AND recorded_at < \(end) GROUP BY 1, 2
            """, logger: logger)
        var counts: [IOCSummary.Count] = []
        for try await (checkpoint, hour, total, elevated) in rows.decode((String, Int32, Int64, Int64).self) {
            counts.append(IOCSummary.Count(checkpoint: checkpoint, hour: Int(hour), passages: Int(total), elevated: Int(elevated)))
        }
        return counts
    }

    /// The health probe: the cheapest question PostgreSQL answers.
    public func ping() async throws {
        for try await _ in try await client.query("SELECT 1", logger: logger).decode(Int32.self) {}
    }

    public func passageCount() async throws -> Int {
        for try await n in try await client.query("SELECT count(*)::bigint FROM passage", logger: logger).decode(Int64.self) { return Int(n) }
        return 0
    }

    // MARK: District webhooks

    public func webhookCursor(_ district: String) async throws -> Int64 {
        try await client.query("INSERT INTO district_webhook (district) VALUES (\(district)) ON CONFLICT DO NOTHING", logger: logger)
        for try await seq in try await client.query("SELECT delivered_seq FROM district_webhook WHERE district = \(district)", logger: logger)
            .decode(Int64.self)
        {
            return seq
        }
        return 0
    }

    public func webhookDelivered(_ district: String, through seq: Int64) async throws {
        try await client.query(
            """
            UPDATE district_webhook SET delivered_seq = greatest(delivered_seq, \(seq)), failures = 0, last_error = NULL,
              last_attempt_at = now(), last_success_at = now() WHERE district = \(district)
            """, logger: logger)
    }

    public func webhookFailed(_ district: String, error: String) async throws {
        try await client.query(
            """
            UPDATE district_webhook SET failures = failures + 1, last_error = \(String(error.prefix(500))), last_attempt_at = now()
            WHERE district = \(district)
            """, logger: logger)
    }

    /// Per district: the webhook's position and how far behind it is.
    public func webhookStatus() async throws -> [WebhookStatus] {
        let rows = try await client.query(
            """
            SELECT w.district, w.delivered_seq, w.failures, coalesce(w.last_error, ''),
              (SELECT count(*) FROM passage p WHERE p.district = w.district AND p.seq > w.delivered_seq)::bigint
            FROM district_webhook w ORDER BY 1
            """, logger: logger)
        var status: [WebhookStatus] = []
        for try await (district, seq, failures, error, behind) in rows.decode((String, Int64, Int32, String, Int64).self) {
            status.append(WebhookStatus(district: district, deliveredSeq: seq, failures: Int(failures), lastError: error.isEmpty ? nil : error, waiting: Int(behind)))
        }
        return status
    }
}

/// A passage as a district receives it: the lane's passage (the same JSON fields) plus where it came from and its
/// place in the feed, in one flat object.
public struct DistrictPassage: Codable, Sendable, Equatable {
    public var seq: Int64
    public var lane: String
    public var checkpoint: String
    public var passage: UplinkPassage

    public var passageID: Int64 { passage.passageID }

    enum CodingKeys: String, CodingKey {
        case seq, lane, checkpoint
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        seq = try c.decode(Int64.self, forKey: .seq)
        lane = try c.decode(String.self, forKey: .lane)
        checkpoint = try c.decode(String.self, forKey: .checkpoint)
        passage = try UplinkPassage(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try passage.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seq, forKey: .seq)
        try c.encode(lane, forKey: .lane)
        try c.encode(checkpoint, forKey: .checkpoint)
    }
}

public struct WebhookStatus: Codable, Sendable, Equatable {
    public var district: String
    public var deliveredSeq: Int64
    public var failures: Int
    public var lastError: String?
    public var waiting: Int

    enum CodingKeys: String, CodingKey {
        case district, failures, waiting
        case deliveredSeq = "delivered_seq", lastError = "last_error"
    }
}
