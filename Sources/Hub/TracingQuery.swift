import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServerLimits
import UplinkProtocol

/// `POST /tracing/person`: a confirmed case's passages, found through the pseudonym, and who passed the same lanes
/// around them. POST, so the number is never in a URL or an access log; every query, allowed or refused, is
/// written to the append-only audit with who asked and how many rows were returned, never the number.
extension HubServer {
    struct TraceRequest: Decodable {
        var idNumber: String
        var windowMinutes: Int?
        var since: String?
        enum CodingKeys: String, CodingKey {
            case idNumber = "id_number", windowMinutes = "window_minutes", since
        }
    }

    struct TraceAnswer: Encodable {
        var passages: [DistrictPassage]
        /// For each of the person's passages, how many passed the same lane within the window.
        var nearbyCounts: [HubDatabase.NearbyCount]
        /// Those passages themselves, when the province's rules allow (`[tracing] co_traveller_details`).
        var nearby: [DistrictPassage]?
        var windowMinutes: Int
        var since: String
        enum CodingKeys: String, CodingKey {
            case passages, nearby, since
            case nearbyCounts = "nearby_counts", windowMinutes = "window_minutes"
        }
    }

    static func tracePerson(_ request: Request, context: HubContext, setup: Setup) async throws -> Response {
        guard let tracing = setup.config.tracing, let hash = tracing.tokenHash else {
            throw HTTPError(.forbidden, message: "tracing is not configured on this hub ([tracing] token)")
        }
        try await requireDatabase(setup)
        let peer = context.remoteAddress?.ipAddress ?? "unknown"
        guard let token = bearer(request), HubConfig.hash(token: token) == hash else {
            try? await setup.database.audit(peer: peer, query: "person lookup refused: no tracing token", allowed: false, rows: 0)
            throw HTTPError(.unauthorized, message: "send the tracing token as 'Authorization: Bearer …'")
        }
        let body = try await request.body.collect(upTo: 4096)
        guard let ask = try? JSONDecoder().decode(TraceRequest.self, from: Data(body.readableBytesView)), !SealedIdentity.normalise(ask.idNumber).isEmpty else {
            throw HTTPError(.badRequest, message: "send {\"id_number\": \"…\", \"window_minutes\": 10, \"since\": \"YYYY-MM-DD\"}")
        }
        let window = ask.windowMinutes ?? 10
        guard (0...180).contains(window) else { throw HTTPError(.badRequest, message: "window_minutes is 0–180") }
        let since: Date
        if let text = ask.since {
            guard let start = DailyReport.window(text, timeZone: setup.config.timeZone)?.start else {
                throw HTTPError(.badRequest, message: "since=\(text) is not a date written YYYY-MM-DD")
            }
            since = start
        } else {
            since = setup.now().addingTimeInterval(-Double(tracing.retentionDays) * 86_400)
        }
        let found = try await setup.database.tracePerson(
            pseudonym: tracing.pseudonym(ask.idNumber), since: since, window: window * 60, details: tracing.coTravellerDetails)
        let csv = request.headers[.accept]?.contains("text/csv") ?? false
        try await setup.database.audit(
            peer: peer,
            query: "person lookup since \(UplinkValidation.timestamp(since)), window \(window) min, co-travellers \(found.nearby == nil ? "counted" : "listed")\(csv ? ", csv" : "")",
            allowed: true, rows: found.passages.count + (found.nearby?.count ?? 0))
        let answer = TraceAnswer(
            passages: found.passages, nearbyCounts: found.nearbyCounts, nearby: found.nearby, windowMinutes: window,
            since: UplinkValidation.timestamp(since))
        guard csv else { return try json(answer) }
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"tracing.csv\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.csv)))
    }
}

extension HubServer.TraceAnswer {
    /// One table for a spreadsheet: the person's passages (`case`, with how many passed around each) and, when
    /// listed, the co-travellers' (`nearby`, with their follow-up data when the lane sent it).
    var csv: String {
        var lines = [
            "role,passage_key,checkpoint,lane,recorded_at,outcome,verdict,temperature_c,nearby_passages,nearby_elevated,name,phone,address"
        ]
        let counts = Dictionary(nearbyCounts.map { ($0.around, $0) }, uniquingKeysWith: { first, _ in first })
        func line(_ role: String, _ row: DistrictPassage, count: HubDatabase.NearbyCount?) -> String {
            let p = row.passage
            return [
                role, p.key, row.checkpoint, row.lane, p.recordedAt, p.outcome, p.verdict ?? "",
                p.temperatureC.map { String(format: "%.1f", $0) } ?? "", count.map { "\($0.passages)" } ?? "",
                count.map { "\($0.elevated)" } ?? "", p.followUp?.name ?? "", p.followUp?.phone ?? "", p.followUp?.address ?? "",
            ].map(Self.cell).joined(separator: ",")
        }
        for row in passages { lines.append(line("case", row, count: counts[row.passage.key])) }
        for row in nearby ?? [] { lines.append(line("nearby", row, count: nil)) }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A CSV cell (RFC 4180 quoting). Text from a traveller's QR code that a spreadsheet would run as a formula
    /// (starting with =, +, -, @, tab or CR) is given a leading apostrophe.
    static func cell(_ text: String) -> String {
        var value = text
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(value) == nil {
            value = "'" + value
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
