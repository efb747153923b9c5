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

    /// A hub with tracing keys in `dir` (made when missing) and `extra` lines in its `[tracing]` table.
    static func hub(
        _ extra: String = "co_traveller_details = true", dir: String = temporaryDirectory(), database: String? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> RunningHub {
        if !FileManager.default.fileExists(atPath: dir + "/tracing.key") {
            try TracingKey.pem(TracingKey.PrivateKey()).write(toFile: dir + "/tracing.key", atomically: true, encoding: .utf8)
            try (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined().write(toFile: dir + "/pseudonym.key", atomically: true, encoding: .utf8)
        }
        return try await RunningHub.start(extraConfig: """
            [tracing]
            private_key_file = "\(dir)/tracing.key"
            pseudonym_key_file = "\(dir)/pseudonym.key"
            token = "\(tracingToken)"
            \(extra)
            """, now: now, database: database)
    }

    static func ask(_ hub: RunningHub, _ body: String, token: String = tracingToken, accept: String = "application/json") async throws -> HTTPTestClient.Response {
        try await HTTPTestClient.request(
            port: hub.port, method: "POST", path: "/tracing/person",
            headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json", "Accept": accept], body: body)
    }

    /// Sends each lane's passages in one batch; `person` is sealed to `key` (the hub's current one by default).
    static func send(_ hub: RunningHub, _ plan: [(lane: Int, id: Int64, at: String, person: String?, elevated: Bool)], key: TracingKey.PublicKey? = nil) async throws {
        let key = try key ?? #require(hub.config.tracing).privateKey.publicKey
        for (index, lane) in TestProvince.lanes.enumerated() {
            let passages = try plan.filter { $0.lane == index }.map { entry -> UplinkPassage in
                var passage = TestProvince.passage(lane.id, entry.id, at: entry.at, verdict: entry.elevated ? "elevated" : "normal", temperature: entry.elevated ? 38.4 : 36.6)
                if entry.elevated { passage.followUp = FollowUp(name: "=HYPERLINK(\"http://x\")", phone: "0905123456", address: "Hội An, Quảng Nam") }
                if let person = entry.person { passage.identity = try SealedIdentity.seal(person, passageKey: passage.key, to: key) }
                return passage
            }
            guard !passages.isEmpty else { continue }
            let batch = UplinkBatch(lane: lane.id, sentAt: "2026-11-24T06:00:00.000Z", passages: passages)
            let answer = try await hub.post(TestProvince.json(batch), token: lane.token)
            #expect(answer.status == 200 && !answer.body.contains("rejected\":[{"), "\(answer.body)")
        }
    }

    static func day(_ offset: Double, from now: Date = Date()) -> String {
        UplinkValidation.timestamp(now.addingTimeInterval(offset * 86_400))
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
        func ask(_ token: String, _ body: String) async throws -> HTTPTestClient.Response { try await Self.ask(hub, body, token: token) }
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

    /// Without the province's leave to list co-travellers (the default), the answer counts them per lane and
    /// never carries their passages; with `Accept: text/csv` the same answer is one spreadsheet table, and text from
    /// a QR code cannot become a formula in it.
    @Test(.timeLimit(.minutes(5))) func coTravellersAreCountedUnlessTheRulesAllowMoreAndCSVIsSafeToOpen() async throws {
        let counted = try await Self.hub("")
        defer { Task { await counted.stop() } }
        let case_ = "036190004321"
        try await Self.send(counted, [
            (0, 1, "2026-11-24T03:00:00.000Z", case_, false), (0, 2, "2026-11-24T03:04:00.000Z", "001168008113", true),
            (0, 3, "2026-11-24T02:57:00.000Z", nil, false), (0, 4, "2026-11-24T03:30:00.000Z", "048073016017", false),
            (1, 1, "2026-11-24T03:01:00.000Z", "079052000858", false),
        ])
        let body = #"{"id_number": "036190004321", "since": "2026-11-20"}"#
        let answer = try await Self.ask(counted, body)
        #expect(answer.status == 200, "\(answer.body)")
        let object = try #require(try JSONSerialization.jsonObject(with: answer.bytes) as? [String: Any])
        #expect(object["nearby"] == nil, "co-travellers' passages are not listed: \(answer.body)")
        let counts = try #require(object["nearby_counts"] as? [[String: Any]])
        #expect(counts.count == 1 && counts[0]["passages"] as? Int == 2 && counts[0]["elevated"] as? Int == 1, "\(counts)")
        #expect(!answer.body.contains("0905123456") && !answer.body.contains("HYPERLINK"), "no co-traveller's follow-up")

        let listed = try await Self.hub()
        defer { Task { await listed.stop() } }
        try await Self.send(listed, [
            (0, 1, "2026-11-24T03:00:00.000Z", case_, false), (0, 2, "2026-11-24T03:04:00.000Z", "001168008113", true),
        ])
        let csv = try await Self.ask(listed, body, accept: "text/csv")
        #expect(csv.status == 200 && csv.headers.lowercased().contains("content-type: text/csv"), "\(csv.status) \(csv.headers)")
        let lines = csv.body.split(separator: "\r\n").map(String.init)
        #expect(lines.count == 3, "\(csv.body)")
        #expect(lines.first?.hasPrefix("role,passage_key,checkpoint,lane,recorded_at") == true)
        #expect(lines.dropFirst().first?.hasPrefix("case,QL1A-km947/lane-1#1,") == true && lines.dropFirst().first?.contains(",1,1,") == true, "\(lines)")
        #expect(lines.last?.hasPrefix("nearby,QL1A-km947/lane-1#2,") == true && lines.last?.contains("\"'=HYPERLINK(\"\"http://x\"\")\"") == true, "\(lines)")
        #expect(!csv.body.contains(case_))
        let audit = try await TestPostgres.psql(listed.database, "SELECT query FROM tracing_audit")
        #expect(audit.contains("co-travellers listed, csv"), "\(audit)")
    }

    /// After the retention the pseudonyms are gone (the person is no longer found there) and every count stays;
    /// a rotated key still opens what lanes sealed to the old one, and an unknown key leaves a passage unpseudonymised
    /// but stored.
    @Test(.timeLimit(.minutes(5))) func pseudonymsAreErasedAfterTheRetentionAndTheCountsStay() async throws {
        let dir = temporaryDirectory()
        let retired = TracingKey.PrivateKey(), stranger = TracingKey.PrivateKey()
        try TracingKey.pem(retired).write(toFile: dir + "/retired.key", atomically: true, encoding: .utf8)
        let now = Date()
        let first = try await Self.hub(#"retired_key_files = ["\#(dir)/retired.key"]"#, dir: dir)
        let case_ = "026190007777"
        // Four passages of the case: two old (past 21 days), two recent, one of each sealed to the retired key.
        try await Self.send(first, [
            (0, 1, Self.day(-30, from: now), case_, false), (0, 2, Self.day(-2, from: now), case_, true),
            (0, 3, Self.day(-30, from: now), nil, false), (2, 1, Self.day(-1, from: now), "031085009999", false),
        ])
        try await Self.send(first, [(1, 1, Self.day(-25, from: now), case_, false), (1, 2, Self.day(-3, from: now), case_, false)], key: retired.publicKey)
        try await Self.send(first, [(2, 2, Self.day(-1, from: now), case_, false)], key: stranger.publicKey)
        let pseudonymised = { try await TestPostgres.psql(first.database, "SELECT count(*) FROM passage WHERE pseudonym IS NOT NULL") }
        #expect(try await pseudonymised() == "5", "four of the case (current and retired key) and one other; none for the unknown key")
        #expect(try await first.count() == 7)
        let body = #"{"id_number": "026190007777", "since": "2020-01-01", "window_minutes": 0}"#
        let before = try JSONSerialization.jsonObject(with: try await Self.ask(first, body).bytes) as? [String: Any]
        #expect((before?["passages"] as? [Any])?.count == 4)
        let reportDay = String(Self.day(-30, from: now).prefix(10))
        let reportBefore = try await first.get("/reports/daily?date=\(reportDay)", token: TestProvince.reportToken).body
        await first.stop()

        // The hub starts again on the same database: its retention pass erases what is older than 21 days.
        let second = try await Self.hub("", dir: dir, database: first.database, now: { now })
        defer { Task { await second.stop() } }
        let erased = await waitUntil(seconds: 30) { (try? await pseudonymised()) == "3" }
        let left = (try? await pseudonymised()) ?? "?"
        #expect(erased, "pseudonyms left: \(left)")
        #expect(try await second.count() == 7, "every passage stays")
        let after = try JSONSerialization.jsonObject(with: try await Self.ask(second, body).bytes) as? [String: Any]
        let keys = ((after?["passages"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String }
        #expect(keys == ["QL1A-km947/lane-2#2", "QL1A-km947/lane-1#2"], "only the recent ones: \(keys)")
        let reportAfter = try await second.get("/reports/daily?date=\(reportDay)", token: TestProvince.reportToken).body
        #expect(reportAfter == reportBefore && reportAfter.contains("\"normal\":"), "the counts do not change: \(reportAfter)")
    }

    /// The key files are the ones openssl writes and reads (`openssl genpkey -algorithm X25519`, `openssl pkey
    /// -pubout`): what the docs tell a province to run must give keys the hub and the lanes take, and back.
    @Test func tracingKeysAreTheFilesOpensslMakes() async throws {
        let dir = temporaryDirectory()
        let made = try await runTool("/usr/bin/openssl", ["genpkey", "-algorithm", "X25519", "-out", dir + "/tracing.key"])
        #expect(made.status == 0, "\(made.stderr)")
        let pub = try await runTool("/usr/bin/openssl", ["pkey", "-in", dir + "/tracing.key", "-pubout", "-out", dir + "/tracing.pub"])
        #expect(pub.status == 0, "\(pub.stderr)")
        let privateKey = try #require(TracingKey.privateKey(pem: try String(contentsOfFile: dir + "/tracing.key", encoding: .utf8)))
        let publicKey = try #require(TracingKey.publicKey(pem: try String(contentsOfFile: dir + "/tracing.pub", encoding: .utf8)))
        #expect(publicKey.rawRepresentation == privateKey.publicKey.rawRepresentation)
        // And what the hub writes (tests, benchmarks) openssl reads as the same key.
        try TracingKey.pem(privateKey).write(toFile: dir + "/ours.key", atomically: true, encoding: .utf8)
        let back = try await runTool("/usr/bin/openssl", ["pkey", "-in", dir + "/ours.key", "-pubout"])
        let expected = try String(contentsOfFile: dir + "/tracing.pub", encoding: .utf8)
        #expect(back.status == 0 && back.stdout == expected, "\(back.stdout)\(back.stderr)")
        // A P-256 key, a public key where a private one is expected, or garbage: refused.
        let p256 = try await runTool("/usr/bin/openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])
        #expect(TracingKey.privateKey(pem: p256.stdout) == nil && TracingKey.publicKey(pem: p256.stdout) == nil)
        #expect(TracingKey.privateKey(pem: try String(contentsOfFile: dir + "/tracing.pub", encoding: .utf8)) == nil)
        #expect(TracingKey.privateKey(pem: "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n") == nil)
    }
}
