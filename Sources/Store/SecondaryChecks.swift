import Foundation
import GRDB

/// An elevated passage as the checkpoint leader sees it: waiting for, or done with, its secondary check.
public struct AlarmRow: Codable, Sendable, Equatable {
    public var passageID: Int64
    public var lane: String
    public var recordedAt: String
    public var temperatureC: Double?
    public var declarationKind: String?
    public var maskedName: String?
    public var idLast4: String?
    /// Set once the secondary check is recorded.
    public var clinicalC: Double?
    public var checkedAt: String?

    enum CodingKeys: String, CodingKey {
        case lane
        case passageID = "passage_id", recordedAt = "recorded_at", temperatureC = "temperature_c"
        case declarationKind = "declaration_kind", maskedName = "masked_name", idLast4 = "id_last4"
        case clinicalC = "clinical_c", checkedAt = "checked_at"
    }
}

/// Why a secondary check was not recorded (shown to the supervisor as it is).
public struct SecondaryCheckError: Error, Equatable, CustomStringConvertible {
    public let description: String
}

extension LaneStore {
    /// The clinical thermometer's plausible range: outside it the value is a typing mistake.
    public static let clinicalRange = 34.0...43.0

    /// Elevated passages recorded since `since` that have no secondary check yet, oldest first.
    public func openAlarms(since: Date) async throws -> [AlarmRow] {
        try await alarms(sql: "c.passage_id IS NULL AND p.recorded_at >= ?", arguments: [Self.timestamp(since)], order: "p.id")
    }

    /// The latest secondary checks, newest first.
    public func recentSecondaryChecks(limit: Int) async throws -> [AlarmRow] {
        try await alarms(sql: "c.passage_id IS NOT NULL", arguments: [], order: "c.checked_at DESC LIMIT \(max(0, limit))")
    }

    private func alarms(sql condition: String, arguments: StatementArguments, order: String) async throws -> [AlarmRow] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT p.id, p.lane, p.recorded_at, p.temperature_c, p.declaration_kind, p.masked_name, p.id_last4,
                           c.clinical_c, c.checked_at
                    FROM passage p LEFT JOIN secondary_check c ON c.passage_id = p.id
                    WHERE p.verdict = 'elevated' AND \(condition) ORDER BY \(order)
                    """, arguments: arguments
            ).map {
                AlarmRow(
                    passageID: $0["id"], lane: $0["lane"], recordedAt: $0["recorded_at"], temperatureC: $0["temperature_c"],
                    declarationKind: $0["declaration_kind"], maskedName: $0["masked_name"], idLast4: $0["id_last4"],
                    clinicalC: $0["clinical_c"], checkedAt: $0["checked_at"])
            }
        }
    }

    /// Stores the clinical reading of an elevated passage's secondary check. Each passage has one; a second
    /// attempt, a passage that was not elevated, or an implausible reading is refused and nothing is written.
    public func recordSecondaryCheck(passageID: Int64, clinicalC: Double, staff: String, at date: Date) async throws {
        guard Self.clinicalRange.contains(clinicalC) else {
            throw SecondaryCheckError(description: "clinical reading \(clinicalC) °C is outside \(Self.clinicalRange.lowerBound)–\(Self.clinicalRange.upperBound) °C")
        }
        try await writer.write { db in
            guard let verdict = try String?.fetchOne(db, sql: "SELECT COALESCE(verdict, '') FROM passage WHERE id = ?", arguments: [passageID]) else {
                throw SecondaryCheckError(description: "no passage \(passageID)")
            }
            guard verdict == "elevated" else { throw SecondaryCheckError(description: "passage \(passageID) was not elevated") }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM secondary_check WHERE passage_id = ?", arguments: [passageID]) != nil {
                throw SecondaryCheckError(description: "passage \(passageID) already has its secondary check")
            }
            try db.execute(
                sql: "INSERT INTO secondary_check (passage_id, checked_at, clinical_c, staff) VALUES (?, ?, ?, ?)",
                arguments: [passageID, Self.timestamp(date), clinicalC, String(staff.prefix(64))])
        }
    }

    /// The latest passages, newest first, without their payloads.
    public func recentPassages(limit: Int) async throws -> [PassageRow] {
        try await writer.read { db in
            var rows = try PassageRow.fetchAll(db, sql: "SELECT * FROM passage ORDER BY id DESC LIMIT ?", arguments: [max(0, limit)])
            for i in rows.indices { rows[i].payload = nil }
            return rows
        }
    }
}
