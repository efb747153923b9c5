import Crypto
import ConfigFile
import Foundation
import Hub
import Logging
import ServiceLifecycle
import Testing
import TestSupport
import UplinkProtocol

/// The hub against a real PostgreSQL server (started by `make test`): batches stored once, refused with reasons.
@Suite(.serialized) struct HubIngestTests {
    let lane = TestProvince.lanes[0]

    @Test(.timeLimit(.minutes(5))) func aBatchSentTwiceIsStoredOnceAndBothAnswersNameEveryKey() async throws {
        let hub = try await RunningHub.start()
        defer { Task { await hub.stop() } }
        let passages = (1...100).map { TestProvince.passage(lane.id, Int64($0), at: "2026-11-24T03:00:00.000Z") }
        let body = try TestProvince.json(UplinkBatch(lane: lane.id, sentAt: "2026-11-24T03:00:01.000Z", passages: passages))

        let first = try await hub.post(body, token: lane.token)
        #expect(first.status == 200, "\(first.body)")
        let answer = try JSONDecoder().decode(UplinkAnswer.self, from: first.bytes)
        #expect(Set(answer.accepted) == Set(passages.map(\.key)) && answer.duplicates == 0)

        // The lane lost the answer and sends the same batch again, plus 20 new ones.
        let more = passages + (101...120).map { TestProvince.passage(lane.id, Int64($0), at: "2026-11-24T03:05:00.000Z") }
        let second = try await hub.post(TestProvince.json(UplinkBatch(lane: lane.id, sentAt: "2026-11-24T03:05:01.000Z", passages: more)), token: lane.token)
        let again = try JSONDecoder().decode(UplinkAnswer.self, from: second.bytes)
        #expect(second.status == 200 && again.accepted.count == 120 && again.duplicates == 100)
        #expect(try await hub.count() == 120)

        // Routed to the lane's district, from its checkpoint.
        #expect(try await TestPostgres.psql(hub.database, "SELECT DISTINCT district || ' ' || checkpoint FROM passage") == "dien-ban QL1A-km947")
        // A restarted hub finds its schema at the latest version and does not migrate again: every step is
        // recorded once, with the time it was first applied, and the passages are all still there.
        let migrations = "SELECT count(*) || ' ' || max(version) || ' ' || max(applied_at) FROM hub_migration"
        let applied = try await TestPostgres.psql(hub.database, migrations)
        #expect(applied.hasPrefix("\(HubDatabase.schemaVersion) \(HubDatabase.schemaVersion) "), "\(applied)")
        await hub.stop()
        let restarted = try await RunningHub.start(database: hub.database)
        defer { Task { await restarted.stop() } }
        #expect(try await TestPostgres.psql(hub.database, migrations) == applied)
        #expect(try await restarted.count() == 120)
        #expect(try await restarted.post(TestProvince.json(UplinkBatch(lane: lane.id, sentAt: "2026-11-24T03:06:00.000Z", passages: Array(more.prefix(3)))), token: lane.token).status == 200)
        #expect(try await restarted.count() == 120, "what the first hub stored is known to the second as a duplicate")
    }

    @Test(.timeLimit(.minutes(5))) func badBatchesAreRefusedWithTheReasonAndStoreNothing() async throws {
        let hub = try await RunningHub.start()
        defer { Task { await hub.stop() } }
        let good = TestProvince.passage(lane.id, 1, at: "2026-11-24T03:00:00.000Z")
        func batch(_ passages: [UplinkPassage], lane name: String? = nil, schema: String = UplinkSchema.version) throws -> String {
            try TestProvince.json(UplinkBatch(lane: name ?? lane.id, sentAt: "2026-11-24T03:00:01.000Z", passages: passages, schema: schema))
        }

        #expect(try await hub.post(batch([good]), token: nil).status == 401)
        #expect(try await hub.post(batch([good]), token: "not-a-lane-token-at-all").status == 401)
        // Bodies and heads are bounded: a 3 MB batch is refused with what to do, a 70 KB header ends the
        // connection, and the hub answers the next lane as before.
        let huge = try await hub.post(String(repeating: " ", count: 3 << 20) + batch([good]), token: lane.token)
        #expect(huge.status == 413 && huge.body.contains("send fewer passages at once"), "\(huge.status) \(huge.body.prefix(200))")
        let bigHead = try? await HTTPTestClient.request(
            port: hub.port, method: "POST", path: "/v1/batches", headers: ["Authorization": "Bearer \(lane.token)", "X-Padding": String(repeating: "a", count: 70 << 10)],
            body: batch([good]))
        #expect(bigHead == nil || bigHead?.status == 431 || bigHead?.status == 400, "a 70 KB header was answered \(String(describing: bigHead?.status))")

        let otherLane = try await hub.post(batch([good], lane: TestProvince.lanes[1].id), token: lane.token)
        #expect(otherLane.status == 400 && otherLane.body.contains("belongs to 'QL1A-km947/lane-1'"), "\(otherLane.body)")

        let oldSchema = try await hub.post(batch([good], schema: "checkpoint-lane.uplink/0"), token: lane.token)
        #expect(oldSchema.status == 400 && oldSchema.body.contains("not supported"))

        let garbage = try await hub.post("{\"schema\": 7", token: lane.token)
        #expect(garbage.status == 400 && garbage.body.contains("not a checkpoint-lane.uplink/1 batch"), "\(garbage.body)")

        let missing = try await hub.post("{\"schema\":\"checkpoint-lane.uplink/1\",\"lane\":\"\(lane.id)\",\"passages\":[]}", token: lane.token)
        #expect(missing.status == 400 && missing.body.contains("'sent_at' is missing"), "\(missing.body)")

        // Bad passages among good ones: the good one is stored, each bad one named with its fault.
        var hot = TestProvince.passage(lane.id, 2, at: "2026-11-24T03:00:00.000Z", verdict: "elevated", temperature: 73.8)
        var wrongKey = TestProvince.passage(lane.id, 3, at: "2026-11-24T03:00:00.000Z")
        wrongKey.key = TestProvince.lanes[1].id + "#3"
        var future = TestProvince.passage(lane.id, 4, at: "2099-01-01T00:00:00.000Z")
        future.outcome = "complete"
        let partly = try await hub.post(batch([good, hot, wrongKey, future]), token: lane.token)
        #expect(partly.status == 200, "\(partly.body)")
        let answer = try JSONDecoder().decode(UplinkAnswer.self, from: partly.bytes)
        #expect(answer.accepted == [good.key])
        #expect(answer.rejected.map(\.key) == [hot.key, wrongKey.key, future.key])
        #expect(answer.rejected[0].reason.contains("temperature_c 73.8 is outside"))
        #expect(answer.rejected[2].reason.contains("future"))
        #expect(try await hub.count() == 1)

        // A batch of bad passages only: 422 naming them; nothing stored.
        let refused = try await hub.post(batch([hot, future]), token: lane.token)
        #expect(refused.status == 422, "\(refused.body)")
        #expect(try JSONDecoder().decode(UplinkRefusal.self, from: refused.bytes).rejected.map(\.key) == [hot.key, future.key])

        // The hot passage corrected goes through.
        hot.temperatureC = 38.1
        #expect(try await hub.post(batch([good, hot]), token: lane.token).status == 200)
        #expect(try await hub.count() == 2)
        // A follow-up on a normal passage is refused: identities travel only with elevated readings.
        var nosy = TestProvince.passage(lane.id, 5, at: "2026-11-24T03:00:00.000Z")
        nosy.followUp = FollowUp(idNumber: "079123456789", name: "Nguyễn Văn A")
        let minimal = try await hub.post(batch([nosy]), token: lane.token)
        #expect(minimal.status == 422 && minimal.body.contains("only sent for elevated"))
    }

    /// A traveller's certificate with U+0000 in the name once made PostgreSQL refuse a whole batch (503), which the
    /// lane sent again for ever: no later passage reached the province. Now the hub refuses that passage alone,
    /// both by its own check and, for a fault the check does not foresee, when the database refuses it.
    @Test(.timeLimit(.minutes(5))) func aPoisonPassageIsRefusedAloneAndTheOthersAreStored() async throws {
        let hub = try await RunningHub.start()
        defer { Task { await hub.stop() } }
        var passages = (1...10).map { TestProvince.passage(lane.id, Int64($0), at: "2026-11-24T03:00:00.000Z", verdict: "elevated", temperature: 38.2) }
        for i in passages.indices { passages[i].followUp = FollowUp(idNumber: "07919001234\(i)", name: "Nguyễn Văn An") }
        passages[4].followUp?.name = "Nguyễn\u{0}Văn An"
        let batch = UplinkBatch(lane: lane.id, sentAt: "2026-11-24T03:00:01.000Z", passages: passages)

        let response = try await hub.post(TestProvince.json(batch), token: lane.token)
        #expect(response.status == 200, "\(response.body)")
        let answer = try JSONDecoder().decode(UplinkAnswer.self, from: response.bytes)
        #expect(answer.accepted.count == 9 && !answer.accepted.contains(passages[4].key))
        #expect(answer.rejected == [.init(key: passages[4].key, reason: "follow_up.name contains a control character")])
        #expect(try await hub.count() == 9)

        // The database's own refusal (SQLSTATE 22P05: U+0000 cannot be stored in jsonb), past the hub's check.
        var later = batch
        later.passages = (11...20).map { TestProvince.passage(lane.id, Int64($0), at: "2026-11-24T03:00:00.000Z", verdict: "elevated", temperature: 38.2) }
        for i in later.passages.indices { later.passages[i].followUp = FollowUp(name: "Trần Thị B") }
        later.passages[2].followUp?.address = "12 Trần Phú\u{0}"
        let direct = try await hub.secondClient().ingest(later, lane: try #require(hub.config.lanesByTokenHash.values.first { $0.id == lane.id }))
        #expect(direct.accepted.count == 9 && direct.duplicates == 0)
        #expect(direct.rejected.map(\.key) == [later.passages[2].key])
        #expect(direct.rejected.first?.reason.contains("the hub's database refused it (SQLSTATE 22") == true, "\(direct.rejected)")
        #expect(try await hub.count() == 18)
    }

    /// While PostgreSQL was away the hub answered nothing for 22 s (a lane on its default 20 s timeout never heard
    /// the documented 503) and `/healthz` was silent for 45 s. A probe every half second now knows: lanes get 503 at
    /// once, `/healthz` says since when, and both recover when the database answers again.
    @Test(.timeLimit(.minutes(5))) func whileTheDatabaseIsAwayLanesHear503AtOnceAndHealthzSaysSo() async throws {
        let proxy = try await ChaosProxy(upstreamPort: try TestPostgres.server().port)
        let hub = try await RunningHub.start(databaseProxy: proxy)
        defer { Task { await hub.stop(); await proxy.close() } }
        var next: Int64 = 1
        func post() async throws -> (status: Int, seconds: Double) {
            let batch = UplinkBatch(lane: lane.id, sentAt: "2026-11-24T03:00:01.000Z", passages: [TestProvince.passage(lane.id, next, at: "2026-11-24T03:00:00.000Z")])
            next += 1
            let start = ContinuousClock.now
            let response = try await hub.post(TestProvince.json(batch), token: lane.token)
            let took = ContinuousClock.now - start
            return (response.status, Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18)
        }
        #expect(try await post().status == 200)
        #expect(try await HTTPTestClient.get(port: hub.port, path: "/healthz").body == "ok\n")
        for mode in [ChaosProxy.Mode.blackhole, .refuse] {
            proxy.set(mode)
            #expect(await waitUntil(seconds: 10) { (try? await HTTPTestClient.get(port: hub.port, path: "/healthz").status) == 503 }, "\(mode)")
            let health = try await HTTPTestClient.get(port: hub.port, path: "/healthz")
            #expect(health.body.contains("has not answered since"), "\(health.body)")
            let refused = try await post()
            #expect(refused.status == 503 && refused.seconds < 3, "\(mode): \(refused)")
            proxy.set(.pass)
            #expect(await waitUntil(seconds: 30) { (try? await post().status) == 200 }, "\(mode): the hub did not recover")
            #expect(try await HTTPTestClient.get(port: hub.port, path: "/healthz").status == 200)
        }
    }

    /// The unit ran the hub with `DynamicUser=yes` while the docs put its key, password and tokens in a root-owned
    /// 0750 directory: either the hub could not read them or they had to be world-readable. The unit, the sysusers
    /// file and the documented install now name one static user and group.
    @Test func theHubsUnitItsUserAndTheDocumentedInstallAgreeOnWhoReadsTheSecrets() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let unit = try String(contentsOfFile: root + "/systemd/checkpoint-hub.service", encoding: .utf8)
        let directives = unit.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(!directives.contains { $0.hasPrefix("DynamicUser=") })
        #expect(directives.contains("User=checkpoint-hub") && directives.contains("Group=checkpoint-hub"))
        #expect(directives.contains { $0.hasPrefix("LimitNOFILE=") })
        let sysusers = try String(contentsOfFile: root + "/systemd/checkpoint-hub.sysusers", encoding: .utf8)
        #expect(sysusers.split(separator: "\n").contains { $0.hasPrefix("u checkpoint-hub ") })
        let docs = try String(contentsOfFile: root + "/docs/hub.md", encoding: .utf8)
        #expect(docs.contains("install -d -m 0750 -o root -g checkpoint-hub /etc/checkpoint-hub"))
        #expect(docs.contains("chown root:checkpoint-hub /etc/checkpoint-hub/* && chmod 0640"))
    }

    /// 1,100 idle connections once made the hub stop answering its lanes until they closed. Now one machine holds at
    /// most 64 of its 512 connections and idle ones are closed after 15 s: with 2,200 idle and half-request
    /// connections from two other addresses, a lane's batch is answered at once and `/healthz` says ok.
    @Test(.timeLimit(.minutes(5))) func aFloodOfIdleConnectionsDoesNotKeepLanesOut() async throws {
        ConnectionFlood.raiseOwnFileLimit()
        let hub = try await RunningHub.start()
        defer { Task { await hub.stop() } }
        let floods = [
            ConnectionFlood(port: hub.port, count: 1100, halfRequest: false, from: "127.0.0.2"),
            ConnectionFlood(port: hub.port, count: 1100, halfRequest: true, from: "127.0.0.3"),
        ]
        defer { for flood in floods { flood.close() } }
        #expect(floods.allSatisfy { $0.sockets.count == 1100 })
        try await Task.sleep(for: .seconds(1))
        for id in Int64(1)...5 {
            let batch = UplinkBatch(lane: lane.id, sentAt: "2026-11-24T03:00:01.000Z", passages: [TestProvince.passage(lane.id, id, at: "2026-11-24T03:00:00.000Z")])
            let start = ContinuousClock.now
            let response = try await hub.post(TestProvince.json(batch), token: lane.token)
            let took = ContinuousClock.now - start
            #expect(response.status == 200 && took < .seconds(5), "batch \(id): HTTP \(response.status) after \(took)")
        }
        #expect(try await HTTPTestClient.get(port: hub.port, path: "/healthz").status == 200)
        #expect(try await hub.count() == 5)
    }

    /// A second hub on a port in use stops with an error naming the address (exit 1 from the executable, so
    /// systemd's Restart=on-failure fires), also with a district webhook that would otherwise keep it running.
    @Test(.timeLimit(.minutes(5))) func aHubThatCannotListenFailsNamingItsPort() async throws {
        let first = try await RunningHub.start()
        defer { Task { await first.stop() } }
        let (server, name) = try await TestPostgres.freshDatabase()
        let config = try HubConfig.parse(TestProvince.config(database: name, port: server.port, hubPort: first.port, webhook: "http://127.0.0.1:9/hook"))
        var logger = Logger(label: "second-hub")
        logger.logLevel = .critical
        let group = HubService(config: config, logger: logger).serviceGroup(signals: false)
        do {
            try await group.run()
            Issue.record("the second hub ran and returned without an error")
        } catch {
            #expect("\(error)".contains("cannot listen on") && "\(error)".contains(":\(first.port)"), "\(error)")
        }
        // The executable itself exits 1, saying so (systemd's Restart=on-failure needs the non-zero status).
        let binary = try #require(builtProduct("checkpoint-hub"))
        let file = temporaryDirectory() + "/hub.toml"
        try TestProvince.config(database: name, port: server.port, hubPort: first.port, webhook: "http://127.0.0.1:9/hook")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let run = try await runTool(binary, ["run", "--config", file], seconds: 60)
        #expect(run.status == 1 && (run.stdout + run.stderr).contains("cannot listen on 127.0.0.1:\(first.port)"), "exit \(run.status): \(run.stdout)\(run.stderr)")
        await first.stop()
    }

    @Test func theConfigurationNamesTheBadKey() throws {
        let base = TestProvince.config(database: "x", port: 5432)
        #expect(throws: Never.self) { try HubConfig.parse(base) }
        /// The error a configuration text gives: its key and message (nil when it parses).
        func refusal(_ text: String, readFile: (String) throws -> String = { _ in "" }) -> ConfigError? {
            do { _ = try HubConfig.parse(text, readFile: readFile); return nil } catch { return error }
        }
        let district = refusal(base.replacingOccurrences(of: "district = \"hoi-an\"", with: "district = \"hoian\""))
        #expect(district?.key == "lane[3].district" && district?.message.contains("'hoian' is not one of the [[district]] ids") == true, "\(String(describing: district))")
        #expect(refusal(base.replacingOccurrences(of: "timezone = \"Asia/Ho_Chi_Minh\"", with: "timezone = \"Asia/Hanoi-ish\""))?.key == "hub.timezone")
        let extra = refusal(base + "\n[hub.extra]\nfoo = 1\n")
        #expect(extra?.key == "hub.extra" && extra?.message.contains("is not a known setting") == true, "\(String(describing: extra))")
        let misspelt = refusal(base.replacingOccurrences(of: "[database]", with: "[databse]"))
        #expect(misspelt?.key == "database" && misspelt?.message.contains("required") == true, "\(String(describing: misspelt))")
        // [tracing]: the keys are read through readFile, each fault named by its key.
        let key = TracingKey.pem(TracingKey.PrivateKey()), pseudonym = String(repeating: "ab", count: 32)
        let files = ["/k/tracing.key": key, "/k/old.key": TracingKey.pem(TracingKey.PrivateKey()), "/k/pseudonym.key": pseudonym, "/k/bad.key": "not a key"]
        let read: (String) throws -> String = { path in
            guard let text = files[path] else { throw CocoaError(.fileNoSuchFile) }
            return text
        }
        let tracing = base + "\n[tracing]\nprivate_key_file = \"/k/tracing.key\"\npseudonym_key_file = \"/k/pseudonym.key\"\n"
        let parsed = try HubConfig.parse(tracing + "retired_key_files = [\"/k/old.key\"]\nretention_days = 14\n", readFile: read)
        #expect(parsed.tracing?.retiredKeys.count == 1 && parsed.tracing?.keysByID.count == 2 && parsed.tracing?.retentionDays == 14)
        #expect(try HubConfig.parse(tracing, readFile: read).tracing?.retentionDays == 21, "21 days unless told")
        #expect(try HubConfig.parse(tracing, readFile: read).tracing?.coTravellerDetails == false, "co-travellers counted unless the rules allow more")
        #expect(performing: { try HubConfig.parse(tracing + "retired_key_files = \"/k/old.key\"\n", readFile: read) },
            throws: { "\($0)".contains("tracing.retired_key_files") && "\($0)".contains("list of strings") })
        #expect(performing: { try HubConfig.parse(tracing + "retired_key_files = [\"/k/gone.key\"]\n", readFile: read) },
            throws: { "\($0)".contains("tracing.retired_key_files") && "\($0)".contains("cannot read /k/gone.key") })
        #expect(performing: { try HubConfig.parse(tracing + "retired_key_files = [\"/k/bad.key\"]\n", readFile: read) },
            throws: { "\($0)".contains("/k/bad.key is not a PEM X25519 private key") })
        #expect(refusal(tracing + "retention_days = 0\n", readFile: read)?.key == "tracing.retention_days")
        // A webhook carries a token and follow-up personal data: https, or plain http to this machine only.
        for (url, accepted) in [
            ("https://ttyt.hoian.vn/hook", true), ("http://127.0.0.1:9000/hook", true), ("http://localhost/hook", true),
            ("http://ttyt.hoian.vn/hook", false), ("http://10.0.0.5/hook", false), ("ftp://ttyt.hoian.vn/", false),
        ] {
            let text = TestProvince.config(database: "x", port: 5432, webhook: url)
            if accepted {
                #expect(throws: Never.self, "\(url)") { try HubConfig.parse(text) }
            } else {
                let refused = refusal(text)
                #expect(refused?.key == "district[2].webhook" && refused?.message.contains(url) == true, "\(url): \(String(describing: refused))")
            }
        }
    }
}
