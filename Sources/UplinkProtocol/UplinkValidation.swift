import Foundation

/// The hub's checks of a batch, before anything is stored. Pure: the hub's clock comes in as `now`.
public enum UplinkValidation {
    static let outcomes: Set<String> = ["complete", "measured-no-declaration", "scanned-no-reading"]
    static let verdicts: Set<String> = ["normal", "elevated"]
    static let kinds: Set<String> = ["cccd", "personal-qr", "bhyt", "eu-dcc", "url", "unrecognized"]
    /// Plausible skin or core readings; anything outside is a broken lane, not a traveller.
    static let temperatures = 20.0...50.0
    static let fieldLimit = 200

    /// Checks the batch as a whole, sent by the lane that `authenticatedLane` authenticated. Returns the refusal to
    /// send (nothing of it is stored), or nil. Its passages are judged one by one with `rejected`.
    public static func check(_ batch: UplinkBatch, authenticatedLane: String) -> UplinkRefusal? {
        guard batch.schema == UplinkSchema.version else {
            return UplinkRefusal(error: "schema '\(batch.schema)' is not supported; this hub takes '\(UplinkSchema.version)'")
        }
        guard batch.lane == authenticatedLane else {
            return UplinkRefusal(error: "the batch names lane '\(batch.lane)' but its token belongs to '\(authenticatedLane)'")
        }
        guard !batch.passages.isEmpty else { return UplinkRefusal(error: "the batch has no passages") }
        guard batch.passages.count <= UplinkSchema.maxPassages else {
            return UplinkRefusal(error: "the batch has \(batch.passages.count) passages; at most \(UplinkSchema.maxPassages) are taken at once")
        }
        return nil
    }

    /// The passages of `batch` the hub cannot take, each with its fault. The others are stored: one bad passage
    /// never holds back the rest of a lane's backlog.
    public static func rejected(_ batch: UplinkBatch, now: Date) -> [UplinkRefusal.Rejected] {
        batch.passages.compactMap { passage in
            problem(passage, lane: batch.lane, now: now).map { UplinkRefusal.Rejected(key: passage.key, reason: $0) }
        }
    }

    /// What is wrong with one passage, or nil.
    public static func problem(_ p: UplinkPassage, lane: String, now: Date) -> String? {
        // A control character (U+0000 above all, which PostgreSQL refuses in JSON) is named, never quoted.
        if let field = p.textFields.first(where: { $0.value.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) } }) {
            return "\(field.name) contains a control character"
        }
        if p.key != UplinkPassage.key(lane: lane, passageID: p.passageID) {
            return "key '\(p.key)' is not '\(UplinkPassage.key(lane: lane, passageID: p.passageID))'"
        }
        if p.passageID <= 0 { return "passage_id \(p.passageID) is not positive" }
        guard let at = parseTimestamp(p.recordedAt) else { return "recorded_at '\(p.recordedAt)' is not an ISO 8601 time" }
        if at.timeIntervalSince(now) > 3600 { return "recorded_at \(p.recordedAt) is more than an hour in the future: check the lane's clock" }
        if !outcomes.contains(p.outcome) { return "outcome '\(p.outcome)' is not one of \(outcomes.sorted().joined(separator: ", "))" }
        if let verdict = p.verdict, !verdicts.contains(verdict) { return "verdict '\(verdict)' is not normal or elevated" }
        if (p.verdict == nil) != (p.temperatureC == nil) { return "verdict and temperature_c come together or not at all" }
        for (name, value) in [("temperature_c", p.temperatureC), ("threshold_c", p.thresholdC)] {
            if let value, !temperatures.contains(value) { return "\(name) \(value) is outside \(temperatures.lowerBound)–\(temperatures.upperBound)" }
        }
        if let u = p.uncertaintyC, !(0...5).contains(u) { return "uncertainty_c \(u) is outside 0–5" }
        if let kind = p.declarationKind, !kinds.contains(kind) { return "declaration_kind '\(kind)' is unknown" }
        if let followUp = p.followUp {
            if p.verdict != "elevated" { return "follow_up is only sent for elevated passages" }
            for value in [followUp.idNumber, followUp.name, followUp.dateOfBirth, followUp.phone, followUp.address] {
                if let value, value.count > fieldLimit { return "a follow_up field is longer than \(fieldLimit) characters" }
            }
        }
        return nil
    }

    /// The wire's time format: ISO 8601, UTC, milliseconds (`2026-11-24T03:00:01.000Z`).
    public static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    /// ISO 8601 with or without fractional seconds, with a zone.
    public static func parseTimestamp(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)) {
            return date
        }
        return try? Date(text, strategy: .iso8601)
    }
}

extension UplinkPassage {
    /// Every text the passage carries, by its wire name.
    var textFields: [(name: String, value: String)] {
        var fields: [(String, String?)] = [
            ("key", key), ("recorded_at", recordedAt), ("outcome", outcome), ("verdict", verdict), ("declaration_kind", declarationKind),
        ]
        if let f = followUp {
            fields += [
                ("follow_up.id_number", f.idNumber), ("follow_up.name", f.name), ("follow_up.date_of_birth", f.dateOfBirth),
                ("follow_up.phone", f.phone), ("follow_up.address", f.address),
            ]
        }
        return fields.compactMap { name, value in value.map { (name, $0) } }
    }
}
