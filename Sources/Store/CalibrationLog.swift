import Foundation
import GRDB
import Screening
import Thermal

/// One calibration as stored: what was calibrated, when, by whom, the one-line summary a technician reads in
/// `calibrate history`, and the values as JSON. Rows are only ever added: the history is the audit trail.
public struct CalibrationEntry: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case reference, offset, check, pixels
    }

    public var id: Int64?
    public var lane: String
    public var kind: Kind
    public var recordedAt: String
    public var technician: String
    public var summary: String
    public var json: String
}

extension LaneStore {
    /// Adds a calibration to the lane's history. `values` is stored as JSON.
    @discardableResult
    public func addCalibration(
        lane: String, kind: CalibrationEntry.Kind, technician: String, summary: String, values: some Encodable & Sendable,
        at wallTime: Date = Date()
    ) async throws -> CalibrationEntry {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(values), as: UTF8.self)
        return try await addCalibration(lane: lane, kind: kind, technician: technician, summary: summary, json: json, at: wallTime)
    }

    /// Adds a calibration whose values are already JSON; `"null"` puts the configuration's own values back in
    /// force for that kind (a revert to before the first calibration).
    @discardableResult
    public func addCalibration(
        lane: String, kind: CalibrationEntry.Kind, technician: String, summary: String, json: String, at wallTime: Date = Date()
    ) async throws -> CalibrationEntry {
        let stamp = Self.timestamp(wallTime)
        let id = try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO calibration (lane, kind, recorded_at, technician, summary, json) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [lane, kind.rawValue, stamp, technician, summary, json])
            return db.lastInsertedRowID
        }
        return CalibrationEntry(id: id, lane: lane, kind: kind, recordedAt: stamp, technician: technician, summary: summary, json: json)
    }

    /// The history, oldest first (every lane when `lane` is nil).
    public func calibrationHistory(lane: String? = nil) async throws -> [CalibrationEntry] {
        try await writer.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM calibration WHERE ?1 IS NULL OR lane = ?1 ORDER BY id", arguments: [lane])
            return rows.map { row in
                CalibrationEntry(
                    id: row["id"], lane: row["lane"], kind: CalibrationEntry.Kind(rawValue: row["kind"]) ?? .check,
                    recordedAt: row["recorded_at"], technician: row["technician"], summary: row["summary"], json: row["json"])
            }
        }
    }

    /// The calibration in force for a lane: the latest reference, offset and pixel map stored for it.
    public func calibration(lane: String) throws -> LaneCalibration {
        let latest: [CalibrationEntry.Kind: String] = try writer.read { db in
            var found: [CalibrationEntry.Kind: String] = [:]
            for kind in [CalibrationEntry.Kind.reference, .offset, .pixels] {
                found[kind] = try String.fetchOne(
                    db, sql: "SELECT json FROM calibration WHERE lane = ? AND kind = ? ORDER BY id DESC LIMIT 1",
                    arguments: [lane, kind.rawValue])
            }
            return found
        }
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ type: T.Type, _ kind: CalibrationEntry.Kind) throws -> T? {
            guard let json = latest[kind], json != "null" else { return nil }
            do { return try decoder.decode(type, from: Data(json.utf8)) } catch {
                throw CalibrationLogError(message: "the stored \(kind.rawValue) calibration of lane \(lane) cannot be read (\(error)); calibrate it again")
            }
        }
        return LaneCalibration(
            reference: try decode(ReferenceCalibration.self, .reference), offset: try decode(OffsetCalibration.self, .offset),
            pixels: try decode(PixelMap.self, .pixels))
    }
}

public struct CalibrationLogError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
