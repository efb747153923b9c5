import Appliance
import ArgumentParser
import Foundation
import Store

/// Reads stored passages back, for a technician checking an install and for the hardware lab.
struct PassagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passages",
        abstract: "List the most recent stored passages (newest first).",
        discussion: """
            Reads passages.sqlite in the state directory (--state, or the configuration's state_directory).
            Personal data stays masked unless --payload is given (the raw QR text: handle it as the declaration it is).
            """)

    @Option(help: "State directory holding passages.sqlite.")
    var state: String?

    @Option(help: "Configuration whose state_directory to use.")
    var config = "/etc/checkpoint-lane/checkpoint.toml"

    @Option(help: "How many passages.")
    var limit = 20

    @Option(help: "Only this lane's passages.")
    var lane: String?

    @Option(help: "Only passages recorded since this day (YYYY-MM-DD, local midnight) or time (ISO 8601).")
    var since: String?

    @Flag(help: "One JSON object per line.")
    var json = false

    @Flag(help: "Include the raw declaration payload.")
    var payload = false

    func run() async throws {
        var from: Date?
        if let since {
            guard let date = PurgeCommand.parseDate(since) else {
                note("error: --since '\(since)' is not a date like 2021-10-01 or 2021-10-01T08:00:00Z")
                throw ExitCode(64)
            }
            from = date
        }
        let store = try existingStore(config: config, state: state)
        for row in try await store.passages(lane: lane, since: from, limit: limit) {
            var shown = row
            if !payload { shown.payload = nil }
            if json {
                print(try jsonText(shown))
            } else {
                print(
                    "#\(row.id ?? 0) \(row.recordedAt) lane \(row.lane): \(row.outcome), "
                        + "\(row.verdict ?? "no reading") \(row.temperatureC.map { String(format: "%.1f °C", $0) } ?? ""), "
                        + "\(row.declarationKind ?? "no declaration") \(row.maskedName ?? ""), \(Self.uplink(row))")
            }
        }
    }

    /// Whether the passage reached the province and whether an identity went with it (never the number).
    static func uplink(_ row: PassageRow) -> String {
        guard let sent = row.uplinkSentAt else { return "not sent" }
        guard let key = row.identitySealedTo else { return "sent \(sent), no identity" }
        return "sent \(sent), identity sealed to tracing key \(key)"
    }
}
