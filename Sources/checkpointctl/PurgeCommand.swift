import Appliance
import ArgumentParser
import Foundation
import LaneControl
import Store

/// Deletes full QR payloads before a date, for technicians (the service does it itself after the retention period).
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete the full QR payloads of passages recorded before a date.",
        discussion: """
            The passages stay (verdict, temperature, masked name, last 4 ID characters, keyed ID hash): they are
            the province's record. Only the raw declaration text goes. The service does this by itself for
            payloads older than payload_retention_days (default 14).
            """)

    @Option(help: "Delete payloads recorded before this day (YYYY-MM-DD, local midnight) or time (ISO 8601).")
    var before: String

    @Option(help: "The configuration file.")
    var config = "/etc/checkpoint-lane/checkpoint.toml"

    @Option(help: "State directory holding passages.sqlite (default: $STATE_DIRECTORY or the configuration's).")
    var state: String?

    @Flag(help: "Say how many payloads would be deleted, and delete nothing.")
    var dryRun = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    struct Result: Encodable {
        var before: String
        var deleted: Int
        var dryRun: Bool
        var kept: Int
        var oldestKept: String?
    }

    func run() async throws {
        guard let cutoff = Self.parseDate(before) else { throw ControlFailure(.usage, "--before '\(before)' is not a date like 2021-10-01 or 2021-10-01T08:00:00Z") }
        guard cutoff <= Date() else { throw ControlFailure(.usage, "--before \(before) is in the future: that would delete today's payloads too") }
        let store = try existingStore(config: config, state: state)
        let removed = dryRun ? try await store.payloadCount(before: cutoff) : try await store.purgePayloads(before: cutoff)
        if !dryRun && removed > 0 { try? await store.checkpoint() }
        let kept = try await store.payloadsKept()
        if json {
            return print(try jsonText(Result(before: before, deleted: removed, dryRun: dryRun, kept: dryRun ? kept.count - removed : kept.count, oldestKept: dryRun ? nil : kept.oldest)))
        }
        print(
            dryRun
                ? "would delete \(removed) payload(s) recorded before \(before); \(kept.count - removed) would be kept"
                : "deleted \(removed) payload(s) recorded before \(before); \(kept.count) kept" + (kept.oldest.map { ", oldest \($0)" } ?? ""))
        if dryRun { note("dry run: nothing deleted") }
    }

    static func parseDate(_ text: String) -> Date? {
        if let time = ISO8601DateFormatter().date(from: text) { return time }
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd"
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = .current
        return day.date(from: text)
    }
}
