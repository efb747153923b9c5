import Crypto
import Foundation
import Hub
import Testing
import TestSupport
import UplinkProtocol

/// Tracing at the province (issue 21): a confirmed case's passages and the co-travellers around them, found through
/// the pseudonym only the hub can compute, by a role of its own, every query written to an append-only audit.
@Suite(.serialized) struct TracingTests {
    static let tracingToken = "tracing-team-token-0123456789"

    static func hub() async throws -> RunningHub {
        let dir = temporaryDirectory()
        try P256.KeyAgreement.PrivateKey().pemRepresentation.write(toFile: dir + "/tracing.key", atomically: true, encoding: .utf8)
        try (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined().write(toFile: dir + "/pseudonym.key", atomically: true, encoding: .utf8)
        return try await RunningHub.start(extraConfig: """
            [tracing]
            private_key_file = "\(dir)/tracing.key"
            pseudonym_key_file = "\(dir)/pseudonym.key"
            token = "\(tracingToken)"
            """)
    }

    @Test(.timeLimit(.minutes(5))) func aCasesPassagesAndItsCoTravellersAreFoundAndEveryQueryIsAudited() async throws {
        let hub = try await Self.hub()
        defer { Task { await hub.stop() } }
        let key = try #require(hub.config.tracing).privateKey.publicKey
        let case_ = "079190012345"
        let (road, road2, ferry) = (TestProvince.lanes[0], TestProvince.lanes[1], TestProvince.lanes[2])
        // (lane, passage id, time, identity): the case twice, ten others around it.
        let plan: [(lane: (id: String, district: String, token: String), id: Int64, at: String, person: String?)] = [
            (road, 1, "2026-11-24T03:00:00.000Z", case_), (ferry, 1, "2026-11-24T05:00:00.000Z", case_),
            (road, 2, "2026-11-24T02:52:00.000Z", "001168008113"), (road, 3, "2026-11-24T03:05:00.000Z", "048073016017"),
            (road, 4, "2026-11-24T03:20:00.000Z", "079052000858"), (road2, 1, "2026-11-24T03:01:00.000Z", "036080001234"),
            (ferry, 2, "2026-11-24T04:55:00.000Z", nil), (ferry, 3, "2026-11-24T05:30:00.000Z", "026090005678"),
            (road, 5, "2026-11-23T03:00:00.000Z", "031085009999"), (road2, 2, "2026-11-24T05:00:00.000Z", "040070001111"),
            (ferry, 4, "2026-11-24T05:09:00.000Z", "HS4012345678901"), (road, 6, "2026-11-24T02:40:00.000Z", nil),
        ]
        for lane in [road, road2, ferry] {
            let passages = try plan.filter { $0.lane.id == lane.id }.map { entry -> UplinkPassage in
                var passage = TestProvince.passage(lane.id, entry.id, at: entry.at)
                if let person = entry.person { passage.identity = try SealedIdentity.seal(person, passageKey: passage.key, to: key) }
                return passage
            }
            let batch = UplinkBatch(lane: lane.id, sentAt: "2026-11-24T06:00:00.000Z", passages: passages)
            #expect(try await hub.post(TestProvince.json(batch), token: lane.token).status == 200)
        }
        func ask(_ token: String, _ body: String) async throws -> HTTPTestClient.Response {
            try await HTTPTestClient.request(
                port: hub.port, method: "POST", path: "/tracing/person", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"], body: body)
        }
        let body = #"{"id_number": "0791 9001 2345", "window_minutes": 10, "since": "2026-11-20"}"#
        let answer = try await ask(Self.tracingToken, body)
        #expect(answer.status == 200, "\(answer.body)")
        struct Found: Decodable { var passages: [DistrictPassage]; var nearby: [DistrictPassage] }
        let found = try JSONDecoder().decode(Found.self, from: answer.bytes)
        let keyOf = { (lane: (id: String, district: String, token: String), id: Int64) in UplinkPassage.key(lane: lane.id, passageID: id) }
        #expect(found.passages.map(\.passage.key) == [keyOf(road, 1), keyOf(ferry, 1)])
        #expect(Set(found.nearby.map(\.passage.key)) == [keyOf(road, 2), keyOf(road, 3), keyOf(ferry, 2), keyOf(ferry, 4)], "\(found.nearby.map(\.passage.key))")
        // The district's token, a report token or none: refused, and audited too.
        #expect(try await ask(TestProvince.reportToken, body).status == 401)
        #expect(try await ask(TestProvince.feedTokens["dien-ban"]!, body).status == 401)
        let audit = try await TestPostgres.psql(hub.database, "SELECT allowed || ' ' || rows || ' ' || query FROM tracing_audit ORDER BY id")
        let lines = audit.split(separator: "\n")
        #expect(lines.count == 3 && lines[0].hasPrefix("true 6 person lookup") && lines[1].hasPrefix("false 0") && lines[2].hasPrefix("false 0"), "\(audit)")
        #expect(!audit.contains("079190012345") && !audit.contains("0791 9001"), "the audit never holds the number")
        // Append-only, whoever asks.
        await #expect(performing: { _ = try await TestPostgres.psql(hub.database, "DELETE FROM tracing_audit") }, throws: { "\($0)".contains("append-only") })
        await #expect(performing: { _ = try await TestPostgres.psql(hub.database, "UPDATE tracing_audit SET rows = 0") }, throws: { "\($0)".contains("append-only") })
        #expect(try await TestPostgres.psql(hub.database, "SELECT count(*) FROM tracing_audit") == "3")
    }
}
