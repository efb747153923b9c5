import Foundation
import GRDB

/// The outbox: passages stored but not yet acknowledged by the province. A row leaves it only when the hub's
/// answer names its key (`acknowledge`), or is set aside with the hub's reason when the hub refused that very
/// passage (`setAside`): a set-aside row stays in the database, counted in the status, and is never sent again
/// on its own (a technician can look at it with `checkpointctl uplink status`).
extension LaneStore {
    static func createUplinkState(_ db: Database) throws {
        try db.alter(table: "outbox") { t in
            t.add(column: "set_aside_reason", .text)
        }
        try db.create(index: "outbox_waiting", on: "outbox", columns: ["set_aside_reason", "id"])
        // One row per lane: what the last attempt to send did.
        try db.create(table: "uplink_state") { t in
            t.primaryKey("lane", .text)
            t.column("last_success_at", .text)
            t.column("last_attempt_at", .text)
            t.column("last_error", .text)
            t.column("last_error_at", .text)
            t.column("sent_total", .integer).notNull().defaults(to: 0)
        }
    }

    /// The oldest passages of `lane` waiting to be sent, oldest first.
    public func outboxBatch(lane: String, limit: Int) async throws -> [PassageRow] {
        try await writer.read { db in
            try PassageRow.fetchAll(
                db,
                sql: """
                    SELECT passage.* FROM outbox JOIN passage ON passage.id = outbox.passageId
                    WHERE outbox.set_aside_reason IS NULL AND passage.lane = ? ORDER BY outbox.id LIMIT ?
                    """, arguments: [lane, limit])
        }
    }

    /// Removes acknowledged passages from the outbox and notes the success. Returns how many rows left it.
    @discardableResult
    /// `sealedTo`: the passages sent with a sealed identity, and the key ID it was sealed to.
    public func acknowledge(lane: String, passageIDs: [Int64], sealedTo: [Int64: String] = [:], at wallTime: Date) async throws -> Int {
        let stamp = Self.timestamp(wallTime)
        return try await writer.write { db in
            var removed = 0
            for chunk in stride(from: 0, to: passageIDs.count, by: 500).map({ passageIDs[$0..<min($0 + 500, passageIDs.count)] }) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                try db.execute(sql: "DELETE FROM outbox WHERE passageId IN (\(marks))", arguments: StatementArguments(Array(chunk)))
                removed += db.changesCount
                try db.execute(
                    sql: "UPDATE passage SET uplink_sent_at = ?, identity_sealed_to = NULL WHERE id IN (\(marks))",
                    arguments: StatementArguments([stamp]) + StatementArguments(Array(chunk)))
            }
            let sent = Set(passageIDs)
            for (id, keyID) in sealedTo where sent.contains(id) {
                try db.execute(sql: "UPDATE passage SET identity_sealed_to = ? WHERE id = ?", arguments: [keyID, id])
            }
            try db.execute(
                sql: """
                    INSERT INTO uplink_state (lane, last_success_at, last_attempt_at, sent_total) VALUES (?, ?, ?, ?)
                    ON CONFLICT(lane) DO UPDATE SET last_success_at = excluded.last_success_at,
                      last_attempt_at = excluded.last_attempt_at, sent_total = sent_total + excluded.sent_total
                    """, arguments: [lane, stamp, stamp, removed])
            return removed
        }
    }

    /// Keeps a passage the hub refused out of later batches, with the hub's reason.
    public func setAside(passageID: Int64, reason: String) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE outbox SET set_aside_reason = ? WHERE passageId = ?", arguments: [String(reason.prefix(500)), passageID])
        }
    }

    /// Notes a failed attempt (no link, hub down, refused token, …) for the status.
    public func recordUplinkFailure(lane: String, error: String, at wallTime: Date) async throws {
        let stamp = Self.timestamp(wallTime)
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO uplink_state (lane, last_attempt_at, last_error, last_error_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(lane) DO UPDATE SET last_attempt_at = excluded.last_attempt_at,
                      last_error = excluded.last_error, last_error_at = excluded.last_error_at
                    """, arguments: [lane, stamp, String(error.prefix(500)), stamp])
            try db.execute(
                sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = (SELECT outbox.id FROM outbox JOIN passage ON passage.id = outbox.passageId WHERE passage.lane = ? AND set_aside_reason IS NULL ORDER BY outbox.id LIMIT 1)",
                arguments: [String(error.prefix(200)), lane])
        }
    }

    /// Per lane: what waits, since when, and how the last attempts went. Lanes with nothing ever sent or waiting
    /// are listed too when named in `lanes`.
    public func uplinkStatus(lanes: [String]) async throws -> [UplinkLaneStatus] {
        try await writer.read { db in
            var byLane: [String: UplinkLaneStatus] = [:]
            for lane in lanes { byLane[lane] = UplinkLaneStatus(lane: lane) }
            let waiting = try Row.fetchAll(
                db,
                sql: """
                    SELECT passage.lane AS lane, COUNT(*) AS n, MIN(CASE WHEN outbox.set_aside_reason IS NULL THEN outbox.created_at END) AS oldest,
                      SUM(outbox.set_aside_reason IS NOT NULL) AS aside
                    FROM outbox JOIN passage ON passage.id = outbox.passageId GROUP BY passage.lane
                    """)
            for row in waiting {
                let lane: String = row["lane"]
                var status = byLane[lane] ?? UplinkLaneStatus(lane: lane)
                let aside: Int = row["aside"]
                status.setAside = aside
                status.waiting = (row["n"] as Int) - aside
                status.oldestWaiting = row["oldest"]
                byLane[lane] = status
            }
            for row in try Row.fetchAll(db, sql: "SELECT * FROM uplink_state") {
                let lane: String = row["lane"]
                var status = byLane[lane] ?? UplinkLaneStatus(lane: lane)
                status.lastSuccessAt = row["last_success_at"]
                status.lastAttemptAt = row["last_attempt_at"]
                status.lastError = row["last_error"]
                status.lastErrorAt = row["last_error_at"]
                status.sentTotal = row["sent_total"]
                byLane[lane] = status
            }
            return byLane.values.sorted { $0.lane < $1.lane }
        }
    }

    /// The passages set aside, with the hub's reasons (newest first).
    public func setAsidePassages(limit: Int = 20) async throws -> [(passageID: Int64, lane: String, reason: String)] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT outbox.passageId AS id, passage.lane AS lane, outbox.set_aside_reason AS reason FROM outbox
                    JOIN passage ON passage.id = outbox.passageId WHERE set_aside_reason IS NOT NULL ORDER BY outbox.id DESC LIMIT ?
                    """, arguments: [limit]
            ).map { (passageID: $0["id"], lane: $0["lane"], reason: $0["reason"]) }
        }
    }
}

public struct UplinkLaneStatus: Sendable, Equatable, Codable {
    public var lane: String
    /// Passages waiting to be sent (set-aside ones not included).
    public var waiting = 0
    /// When the oldest waiting passage was stored.
    public var oldestWaiting: String?
    public var setAside = 0
    public var lastSuccessAt: String?
    public var lastAttemptAt: String?
    public var lastError: String?
    public var lastErrorAt: String?
    public var sentTotal = 0

    public init(lane: String) { self.lane = lane }

    enum CodingKeys: String, CodingKey {
        case lane, waiting
        case oldestWaiting = "oldest_waiting", setAside = "set_aside", lastSuccessAt = "last_success_at"
        case lastAttemptAt = "last_attempt_at", lastError = "last_error", lastErrorAt = "last_error_at", sentTotal = "sent_total"
    }
}

extension LaneStore {
    /// Puts set-aside passages back in line (after the province fixed what made its hub refuse them). Returns how many.
    @discardableResult
    public func releaseSetAside() async throws -> Int {
        try await writer.write { db in
            try db.execute(sql: "UPDATE outbox SET set_aside_reason = NULL WHERE set_aside_reason IS NOT NULL")
            return db.changesCount
        }
    }
}
