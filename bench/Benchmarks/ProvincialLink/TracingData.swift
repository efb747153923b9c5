import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A province's 30 days for the tracing benchmark, generated inside PostgreSQL (22 million rows through the hub's
/// HTTP API would take the benchmark hours): 60 checkpoints of 3 lanes, passages spread evenly over the 30 days
/// (about 57 on a lane within ±10 minutes of any one), 1 in 50 elevated with follow-up data, 9 in 10 (drawn by a
/// hash, independent of the person) with a pseudonym computed as the hub computes it (HMAC-SHA256 of the 12-digit number with the hub's pseudonym key,
/// by pgcrypto), each person passing about 5 times. The hub's own migrations made the table and its indexes.
///
/// `TRACING_PASSAGES` sets the size (default 22,000,000: the issue's province; about 11 minutes and 13 GB here).
enum TracingData {
    static let passages = ProcessInfo.processInfo.environment["TRACING_PASSAGES"].flatMap(Int.init) ?? 22_000_000
    static var people: Int { max(1, passages / 5) }
    static let start = Date().addingTimeInterval(-30 * 86_400)

    static func fill(hub: BenchHub, pgPort: Int) async throws {
        _ = await hub.transport()
        let database = await hub.database, key = await hub.pseudonymKeyHex
        let began = Date()
        try psql(pgPort, database, "CREATE EXTENSION IF NOT EXISTS pgcrypto")
        let chunk = 1_000_000
        for first in stride(from: 1, through: passages, by: chunk) {
            let last = min(passages, first + chunk - 1)
            try psql(pgPort, database, """
                INSERT INTO passage (key, lane, checkpoint, district, passage_id, recorded_at, outcome, verdict, temperature_c,
                  uncertainty_c, threshold_c, referenced, declaration_kind, follow_up, pseudonym)
                SELECT 'cp-' || (n % 60) || '/lane-' || (n % 3 + 1) || '#' || n, 'cp-' || (n % 60) || '/lane-' || (n % 3 + 1),
                  'cp-' || (n % 60), 'd' || (n % 9), n,
                  to_timestamp(\(start.timeIntervalSince1970)) + make_interval(secs => n * (30 * 86400.0 / \(passages))),
                  'complete', CASE WHEN n % 50 = 0 THEN 'elevated' ELSE 'normal' END, CASE WHEN n % 50 = 0 THEN 38.2 ELSE 36.6 END,
                  0.3, 37.5, true, 'cccd',
                  CASE WHEN n % 50 = 0 THEN '{"name": "Nguyễn Văn An", "phone": "0905123456"}'::jsonb END,
                  CASE WHEN abs(hashint8(n)) % 10 <> 0 THEN encode(hmac(lpad(((n * 7919) % \(people))::text, 12, '0')::bytea, decode('\(key)', 'hex'), 'sha256'), 'hex') END
                FROM generate_series(\(first)::bigint, \(last)::bigint) AS n
                """)
            print("tracing data: \(last) of \(passages) passages in \(Int(Date().timeIntervalSince(began))) s")
        }
        try psql(pgPort, database, "ANALYZE passage")
        print("tracing data: \(passages) passages ready in \(Int(Date().timeIntervalSince(began))) s")
    }

    /// One query as a tracing team sends it: the number, 30 days, ±10 minutes.
    static func ask(port: Int, number: String) async throws -> String {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/tracing/person")!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(BenchHub.tracingToken)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let since = ISO8601DateFormatter.string(from: start, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        request.httpBody = Data(#"{"id_number": "\#(number)", "window_minutes": 10, "since": "\#(since)"}"#.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else {
            fail("tracing query: HTTP \((response as? HTTPURLResponse)?.statusCode ?? 0): \(String(decoding: data, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func psql(_ port: Int, _ database: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-U", "hub", "-d", database, "-qX", "-v", "ON_ERROR_STOP=1", "-c", sql]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { fail("psql failed (\(process.terminationStatus)) on: \(sql.prefix(200))") }
    }

    /// Stops the benchmark with a reason the benchmark tool shows (it does not show a crashed run's stderr).
    static func fail(_ message: String) -> Never {
        try? message.write(toFile: NSTemporaryDirectory() + "bench-tracing-failure.txt", atomically: true, encoding: .utf8)
        print("tracing benchmark failed: \(message)")
        fatalError(message)
    }
}
