import Foundation
import GRDB

extension LaneStore {
    /// Deletes the full QR payloads of passages recorded before `cutoff` (the rest of each passage stays: it is
    /// the province's record and holds no full identity). Returns how many payloads were removed.
    @discardableResult
    /// How many full payloads `purgePayloads(before:)` would delete (for `purge --dry-run`).
    public func payloadCount(before cutoff: Date) async throws -> Int {
        let stamp = Self.timestamp(cutoff)
        return try await writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM passage WHERE recorded_at < ? AND payload IS NOT NULL", arguments: [stamp]) ?? 0
        }
    }

    public func purgePayloads(before cutoff: Date) async throws -> Int {
        let stamp = Self.timestamp(cutoff)
        return try await writer.write { db in
            try db.execute(sql: "UPDATE passage SET payload = NULL WHERE recorded_at < ? AND payload IS NOT NULL", arguments: [stamp])
            return db.changesCount
        }
    }

    /// Deletes lane events (the step-by-step log: retries, prompts, device changes) recorded before `cutoff`.
    /// They are the bulk of the database; the passages are the record and stay.
    @discardableResult
    public func purgeEvents(before cutoff: Date) async throws -> Int {
        let stamp = Self.timestamp(cutoff)
        return try await writer.write { db in
            try db.execute(sql: "DELETE FROM lane_event WHERE recorded_at < ?", arguments: [stamp])
            return db.changesCount
        }
    }

    /// How many passages still hold a full payload, and the oldest one's time.
    public func payloadsKept() async throws -> (count: Int, oldest: String?) {
        try await writer.read { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM passage WHERE payload IS NOT NULL") ?? 0
            let oldest = try String.fetchOne(db, sql: "SELECT MIN(recorded_at) FROM passage WHERE payload IS NOT NULL")
            return (count, oldest)
        }
    }
}
