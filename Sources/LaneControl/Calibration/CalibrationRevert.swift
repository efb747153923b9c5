import Foundation
import Store

/// `calibrate revert`: undo the last change of one kind. The history only grows (it is the audit trail): a revert
/// is a new entry that puts back the values before the last change (or the configuration's own values, when
/// there was nothing before). A second revert undoes the first.
public enum CalibrationRevert {
    public static func revert(
        _ kind: CalibrationEntry.Kind, lane: String, technician: String, in store: LaneStore
    ) async throws(ControlFailure) -> CalibrationEntry {
        let name = try Technician.validated(technician)
        guard kind != .check else { throw ControlFailure(.usage, "a check changes nothing and cannot be reverted") }
        do {
            let entries = try await store.calibrationHistory(lane: lane).filter { $0.kind == kind }
            guard let last = entries.last else {
                throw ControlFailure(.notAcceptable, "lane \(lane) has no \(kind.rawValue) calibration to revert")
            }
            let before = entries.dropLast().last
            let summary = "revert of #\(last.id ?? 0): " + (before.map { "back to #\($0.id ?? 0) (\($0.summary))" } ?? "back to the configuration's values")
            return try await store.addCalibration(lane: lane, kind: kind, technician: name, summary: summary, json: before?.json ?? "null")
        } catch let failure as ControlFailure {
            throw failure
        } catch {
            throw ControlFailure(.cannotRun, "cannot revert: \(error)")
        }
    }
}
