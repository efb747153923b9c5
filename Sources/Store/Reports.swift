import Foundation
import GRDB

/// Passages counted per lane, local hour and verdict: what a health official asks for at the end of the day.
public struct HourlyCount: Codable, Sendable, Equatable {
    public var lane: String
    /// Local date and hour of the box (set the box's time zone to Asia/Ho_Chi_Minh), `2021-10-01` and 0–23.
    public var date: String
    public var hour: Int
    /// `normal`, `elevated`, or `none` (a declaration scanned without a reading).
    public var verdict: String
    public var count: Int

    public init(lane: String, date: String, hour: Int, verdict: String, count: Int) {
        self.lane = lane
        self.date = date
        self.hour = hour
        self.verdict = verdict
        self.count = count
    }
}

extension LaneStore {
    /// Counts for local days `from`…`to` (YYYY-MM-DD, inclusive), ordered by lane, date, hour, verdict.
    public func hourlyCounts(from: String, to: String) async throws -> [HourlyCount] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT lane, date(recorded_at, 'localtime') AS day, CAST(strftime('%H', recorded_at, 'localtime') AS INTEGER) AS hour,
                           COALESCE(verdict, 'none') AS verdict, COUNT(*) AS n
                    FROM passage WHERE date(recorded_at, 'localtime') BETWEEN ? AND ?
                    GROUP BY lane, day, hour, verdict ORDER BY lane, day, hour, verdict
                    """, arguments: [from, to]
            ).map { HourlyCount(lane: $0["lane"], date: $0["day"], hour: $0["hour"], verdict: $0["verdict"], count: $0["n"]) }
        }
    }

    /// Passages recorded on local days `from`…`to`, oldest first, without their full payloads.
    public func passages(from: String, to: String) async throws -> [PassageRow] {
        try await writer.read { db in
            var rows = try PassageRow.fetchAll(
                db, sql: "SELECT * FROM passage WHERE date(recorded_at, 'localtime') BETWEEN ? AND ? ORDER BY id", arguments: [from, to])
            for i in rows.indices { rows[i].payload = nil }
            return rows
        }
    }
}
