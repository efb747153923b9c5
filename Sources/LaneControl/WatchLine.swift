import Declarations
import Foundation
import Lane
import Screening

/// One lane event as a line on a technician's terminal (`checkpointctl watch`): local time, lane, what happened.
/// Names and ID numbers appear only as masked on the lane page.
public enum WatchLine {
    public static func text(_ event: LaneEvent, received: Date = Date(), timeZone: TimeZone = .current) -> String {
        let what: String
        switch event.type {
        case .measured:
            let temp = event.temperatureC.map { String(format: "%.1f °C", $0) } ?? "?"
            let unc = event.uncertaintyC.map { String(format: " ±%.1f", $0) } ?? ""
            let below = event.verdict == .elevated && (event.temperatureC ?? 0) < (event.thresholdC ?? 0)
            what = "measured \(below ? "uncertain" : event.verdict?.rawValue ?? "?") \(temp)\(unc)" + (event.referenced == false ? " (no reference)" : "")
        case .retry: what = "retry: \(event.reason ?? "?")"
        case .left: what = "traveller left"
        case .paused:
            var figures: [String] = []
            if let contrast = event.referenceContrastC { figures.append(String(format: "disc %.1f °C above its surroundings", contrast)) }
            if let scene = event.sceneC { figures.append(String(format: "scene %.1f °C", scene)) }
            what = "SCREENING PAUSED: \(event.reason ?? "?")" + (figures.isEmpty ? "" : " (\(figures.joined(separator: ", ")))")
        case .resumed: what = "screening resumed"
        case .scanned:
            what = "scanned \(event.declarationKind?.rawValue ?? "?") \(event.maskedName ?? "") \(event.maskedID ?? "")"
                .trimmingCharacters(in: .whitespaces) + (event.warnings.map { " ⚠ " + $0.joined(separator: "; ") } ?? "")
        case .scanRejected: what = "scan rejected: \(event.reason ?? "?")"
        case .passage:
            let reading = event.temperatureC.map { String(format: "%.1f °C", $0) }
            what = "passage \(event.passageID.map { "#\($0)" } ?? "(not stored yet)") \(event.outcome?.rawValue ?? "?")"
                + (reading.map { ", \(event.verdict?.rawValue ?? "?") \($0)" } ?? "")
                + (event.declarationKind.map { ", \($0.rawValue)" } ?? "")
        case .note: what = "note: \(event.reason ?? "?")"
        case .device:
            what = "\(event.device ?? "device") \(event.status?.rawValue ?? "not in use")" + (event.reason.map { ": \($0)" } ?? "")
        }
        return "\(localTime(event.at, received: received, timeZone: timeZone)) \(event.lane) \(what)"
    }

    /// `2026-12-07T03:04:05.123Z` as `10:04:05` in `timeZone` (an event that carries no time: when it arrived).
    static func localTime(_ at: String?, received: Date, timeZone: TimeZone) -> String {
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = at.flatMap { parser.date(from: $0) ?? ISO8601DateFormatter().date(from: $0) } ?? received
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.hour, .minute, .second], from: date)
        return String(format: "%02d:%02d:%02d", c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }
}
