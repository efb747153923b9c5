import Appliance
import ArgumentParser
import Foundation
import LaneControl
import Store

/// Passages or hourly counts for the health department, as CSV or JSON lines. Never the full payloads.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export passages (or, with --counts, counts per lane, hour and verdict) for local days FROM to TO.",
        discussion: """
            Days are the box's local days (set its time zone to Asia/Ho_Chi_Minh). Passages carry the verdict,
            temperature, masked name, last 4 ID characters and the keyed ID hash, never the QR payload.
            """)

    @Option(help: "First day, YYYY-MM-DD.")
    var from: String

    @Option(help: "Last day, YYYY-MM-DD (inclusive).")
    var to: String

    @Option(help: "csv or json (one object per line).")
    var format = "csv"

    @Flag(help: "Counts per lane, hour and verdict instead of passages.")
    var counts = false

    @Option(help: "The configuration file.")
    var config = "/etc/checkpoint-lane/checkpoint.toml"

    @Option(help: "State directory holding passages.sqlite (default: $STATE_DIRECTORY or the configuration's).")
    var state: String?

    func run() async throws {
        for day in [from, to] where PurgeCommand.parseDate(day) == nil || day.count != 10 {
            throw ControlFailure(.usage, "'\(day)' is not a day like 2021-10-01")
        }
        guard from <= to else { throw ControlFailure(.usage, "--from \(from) is after --to \(to)") }
        guard format == "csv" || format == "json" else { throw ControlFailure(.usage, "--format must be csv or json, not '\(format)'") }
        let store = try existingStore(config: config, state: state)
        if counts {
            let rows = try await store.hourlyCounts(from: from, to: to)
            if format == "json" {
                for row in rows { print(try jsonText(row)) }
            } else {
                print("lane,date,hour,verdict,count")
                for r in rows { print([r.lane, r.date, String(r.hour), r.verdict, String(r.count)].map(csv).joined(separator: ",")) }
            }
            return
        }
        let rows = try await store.passages(from: from, to: to)
        if format == "json" {
            for row in rows { print(try jsonText(row)) }
            return
        }
        let header = ["id", "lane", "recorded_at", "outcome", "verdict", "temperature_c", "uncertainty_c", "threshold_c", "referenced",
                      "declaration_kind", "masked_name", "id_last4", "id_hash", "birth_year", "notes"]
        print(header.joined(separator: ","))
        for r in rows {
            let fields: [String?] = [
                r.id.map(String.init), r.lane, r.recordedAt, r.outcome, r.verdict, r.temperatureC.map { String($0) },
                r.uncertaintyC.map { String($0) }, r.thresholdC.map { String($0) }, r.referenced.map { String($0) },
                r.declarationKind, r.maskedName, r.idLast4, r.idHash, r.birthYear, r.notes,
            ]
            print(fields.map { csv($0 ?? "") }.joined(separator: ","))
        }
    }

    /// RFC 4180 quoting, and a leading apostrophe for text a spreadsheet would run as a formula.
    func csv(_ field: String) -> String {
        var value = field
        if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
