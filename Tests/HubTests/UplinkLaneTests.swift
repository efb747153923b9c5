import Crypto
import Declarations
import Hub
import Foundation
import Lane
import Screening
import Store
import Synchronization
import Testing
import TestSupport
import Uplink
import UplinkProtocol

/// The lane's side of the link: its outbox drained into a real hub over HTTP(S), exactly once, with refused
/// passages set aside and the rest still flowing.
@Suite(.serialized) struct UplinkLaneTests {
    static let cccd = "079190012345||Nguyễn Văn An|15041990|Nam|12 Trần Phú, Hội An|01072021"

    static func passage(lane: String = "lane-1", temperature: Double?, declaration payload: String? = cccd) throws -> Passage {
        let declaration = try payload.map { try DeclarationParser().parse($0) }
        let measurement = temperature.map {
            Measurement(
                time: 3, temperatureC: $0, skinC: $0, uncertaintyC: 0.25, verdict: $0 >= 37.5 ? .elevated : .normal, thresholdC: 37.5,
                siteX: 70, siteY: 30, faceWidthPx: 44, referenced: true, framesUsed: 5)
        }
        return Passage(
            laneID: lane, outcome: measurement == nil ? .scannedNoReading : declaration == nil ? .measuredNoDeclaration : .complete,
            openedAt: 1, closedAt: 3, measurement: measurement,
            scan: payload.map { Scan(time: 1, payload: $0, device: "s", transport: "hid-pos") }, declaration: declaration, notes: [])
    }

    /// `count` passages on `lane`, one in five elevated, in steps of one passage (as the lane commits them).
    static func fill(_ store: LaneStore, lane: String = "lane-1", count: Int, temperature: (Int) -> Double = { $0 % 5 == 0 ? 38.1 : 36.6 }) async throws {
        for i in 1...count {
            _ = try await store.commit(LaneCore.Step(events: [], passages: [passage(lane: lane, temperature: temperature(i))]), at: Date())
        }
    }

    static func settings(port: Int, scheme: String = "http", ca: String? = nil, client: TestCertificates? = nil, batch: Int = 100) -> UplinkSettings {
        UplinkSettings(
            url: "\(scheme)://127.0.0.1:\(port)/v1/batches", checkpointID: "QL1A-km947", caFile: ca, clientCertificateFile: client?.clientCertificate,
            clientKeyFile: client?.clientKey, tokens: ["lane-1": TestProvince.lanes[0].token, "lane-2": TestProvince.lanes[1].token], batchSize: batch,
            timeout: 5)
    }

    // MARK: Pure parts

    @Test func backoffDoublesUpToItsCapAndItsJitterNeverGoesBelowHalf() {
        let backoff = Backoff(base: 1, cap: 60)
        #expect(backoff.delay(afterFailures: 0, random: { 0.5 }) == 0)
        #expect((1...8).map { backoff.delay(afterFailures: $0, random: { 0 }) } == [0.5, 1, 2, 4, 8, 16, 30, 30])
        #expect(backoff.delay(afterFailures: 3, random: { 0.999_999 }) < 4 && backoff.delay(afterFailures: 3, random: { 0.999_999 }) > 3.99)
        #expect(backoff.delay(afterFailures: 1_000, random: { 1 }) == 60, "no overflow after a long outage")
    }

    @Test func theHubsAnswersAreReadAsStoredRefusedOrRetryLater() {
        let answer = Data(#"{"accepted":["a#1"],"duplicates":0}"#.utf8)
        #expect(HTTPSUplinkTransport.interpret(status: 200, body: answer) == .stored(UplinkAnswer(accepted: ["a#1"], duplicates: 0)))
        if case .failed(let why) = HTTPSUplinkTransport.interpret(status: 200, body: Data("<html>Wi-Fi login</html>".utf8)) {
            #expect(why.contains("captive portal"))
        } else { Issue.record("a 200 that is not the hub's answer must not acknowledge anything") }
        let refusal = Data(#"{"error":"1 of 2 passages are invalid","rejected":[{"key":"a#2","reason":"bad"}]}"#.utf8)
        #expect(HTTPSUplinkTransport.interpret(status: 422, body: refusal) == .refused(status: 422, UplinkRefusal(error: "1 of 2 passages are invalid", rejected: [.init(key: "a#2", reason: "bad")])))
        for status in [401, 403, 408, 429, 500, 502, 503] {
            if case .failed = HTTPSUplinkTransport.interpret(status: status, body: Data()) {} else { Issue.record("HTTP \(status) must be retried, not refused") }
        }
    }

    @Test func normalPassagesCarryNoIdentityAndElevatedOnesCarryWhatTheDistrictNeeds() async throws {
        let store = try LaneStore()
        _ = try await store.commit(LaneCore.Step(events: [], passages: [Self.passage(temperature: 36.6), Self.passage(temperature: 38.4), Self.passage(temperature: 38.0, declaration: nil)]), at: Date())
        let rows = try await store.outboxBatch(lane: "lane-1", limit: 10)
        let sent = rows.map { UplinkPayload.passage($0, provincialLane: "QL1A-km947/lane-1") }
        #expect(sent.map(\.key) == ["QL1A-km947/lane-1#1", "QL1A-km947/lane-1#2", "QL1A-km947/lane-1#3"])
        #expect(sent[0].followUp == nil && sent[0].declarationKind == "cccd" && sent[0].temperatureC == 36.6)
        #expect(sent[1].followUp == FollowUp(idNumber: "079190012345", name: "Nguyễn Văn An", dateOfBirth: "1990-04-15", address: "12 Trần Phú, Hội An"))
        #expect(sent[2].followUp == nil, "an elevated reading without a declaration has nobody to follow up")
        let json = String(decoding: try JSONEncoder().encode(UplinkBatch(lane: "QL1A-km947/lane-1", sentAt: "x", passages: [sent[0]])), as: UTF8.self)
        for secret in ["079190012345", "Nguyễn", "1990", "Trần Phú", "payload", "id_hash"] {
            #expect(!json.contains(secret), "a normal passage's JSON holds \(secret)")
        }
        // After the payload's retention the lane holds only the masked identity, and sends that.
        var purged = rows[1]
        purged.payload = nil
        #expect(UplinkPayload.passage(purged, provincialLane: "x/1").followUp == FollowUp(idNumber: "…2345", name: rows[1].maskedName, dateOfBirth: "1990"))
    }

    /// docs/uplink-batch.schema.json is what the province's developers read: it must describe what the lane sends.
    @Test func theJSONSchemaInTheDocsDescribesEveryFieldTheLaneSends() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/uplink-batch.schema.json").path
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let defs = try #require(schema["$defs"] as? [String: [String: Any]])
        func properties(_ object: [String: Any]?) -> Set<String> { Set(((object?["properties"] as? [String: Any]) ?? [:]).keys) }
        func required(_ object: [String: Any]?) -> Set<String> { Set((object?["required"] as? [String]) ?? []) }

        var elevated = TestProvince.passage("QL1A-km947/lane-1", 1, at: "2026-11-24T03:00:00.000Z", verdict: "elevated", temperature: 38.2)
        elevated.followUp = FollowUp(idNumber: "079190012345", name: "Nguyễn Văn An", dateOfBirth: "1990-04-15", phone: "0905123456", address: "Hội An")
        elevated.identity = try SealedIdentity.seal("079190012345", passageKey: elevated.key, to: TracingKey.PrivateKey().publicKey)
        let batch = UplinkBatch(lane: "QL1A-km947/lane-1", sentAt: "2026-11-24T03:00:01.000Z", passages: [elevated])
        let sent = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(batch)) as? [String: Any])
        let passage = try #require((sent["passages"] as? [[String: Any]])?.first)
        let followUp = try #require(passage["follow_up"] as? [String: Any])

        #expect(Set(sent.keys) == properties(schema) && required(schema).isSubset(of: Set(sent.keys)))
        #expect(Set(passage.keys) == properties(defs["passage"]), "schema lacks \(Set(passage.keys).subtracting(properties(defs["passage"])))")
        #expect(required(defs["passage"]).isSubset(of: Set(passage.keys)))
        #expect(Set(followUp.keys) == properties(defs["followUp"]))
        let identity = try #require(passage["identity"] as? [String: Any])
        #expect(Set(identity.keys) == properties(defs["sealedIdentity"]) && required(defs["sealedIdentity"]) == Set(identity.keys))
        #expect(((schema["properties"] as? [String: Any])?["schema"] as? [String: Any])?["const"] as? String == UplinkSchema.version)
        let kinds = (((defs["passage"]?["properties"] as? [String: Any])?["declaration_kind"] as? [String: Any])?["enum"] as? [String]) ?? []
        #expect(Set(kinds) == Set(DeclarationKind.allCases.map(\.rawValue)), "every declaration kind the lane knows is in the schema")
    }

    // MARK: Against a real hub

    @Test(.timeLimit(.minutes(5))) func theOutboxDrainsIntoTheHubOnceEvenWhenAnAnswerIsLost() async throws {
        let hub = try await RunningHub.start()
        defer { Task { await hub.stop() } }
        let store = try LaneStore(path: temporaryDirectory() + "/passages.sqlite")
        try await Self.fill(store, count: 250)
        let real = try HTTPSUplinkTransport(settings: Self.settings(port: hub.port))
        // The first answer is lost on the way back (the hub stored the batch; the lane never heard).
        let drainer = UplinkDrainer(lane: "lane-1", settings: Self.settings(port: hub.port), store: store, transport: LosesAnswers(real, count: 1))
        let first = try await drainer.drain()
        #expect(first.acknowledged == 0 && first.last == .failed("the answer was lost on the way back"))
        #expect(try await hub.count() == 100)
        #expect(try await store.outboxCount() == 250)

        let rest = try await drainer.drain()
        #expect(rest.acknowledged == 250 && rest.last == .idle)
        #expect(try await hub.count() == 250)
        #expect(try await store.outboxCount() == 0)
        #expect(try await TestPostgres.psql(hub.database, "SELECT count(*) FROM passage WHERE follow_up IS NOT NULL") == "50", "one in five is elevated")
        #expect(try await TestPostgres.psql(hub.database, "SELECT follow_up->>'name' FROM passage WHERE passage_id = 5") == "Nguyễn Văn An")
        let status = try #require(try await store.uplinkStatus(lanes: ["lane-1"]).first)
        #expect(status.waiting == 0 && status.sentTotal == 250 && status.lastSuccessAt != nil && status.lastError == "the answer was lost on the way back")
        await real.shutdown()
    }

    @Test(.timeLimit(.minutes(5))) func aPassageTheHubRefusesIsSetAsideAndTheRestStillFlow() async throws {
        let hub = try await RunningHub.start()
        defer { Task { await hub.stop() } }
        let state = temporaryDirectory()
        let store = try LaneStore(path: state + "/passages.sqlite")
        // Passage 7 carries a reading no person has (a broken camera profile): the hub refuses it.
        try await Self.fill(store, count: 30, temperature: { $0 == 7 ? 61.0 : 36.5 })
        let transport = try HTTPSUplinkTransport(settings: Self.settings(port: hub.port))
        defer { Task { await transport.shutdown() } }
        let drainer = UplinkDrainer(lane: "lane-1", settings: Self.settings(port: hub.port), store: store, transport: transport)
        let result = try await drainer.drain()
        #expect(result.acknowledged == 29 && result.last == .idle)
        #expect(try await hub.count() == 29)
        let status = try #require(try await store.uplinkStatus(lanes: ["lane-1"]).first)
        #expect(status.waiting == 0 && status.setAside == 1)
        let aside = try await store.setAsidePassages()
        #expect(aside.map(\.passageID) == [7] && aside[0].reason.contains("temperature_c 61.0 is outside"), "\(aside)")

        // Kept and never sent again on its own: the next drain has nothing to send.
        #expect(try await drainer.drain().acknowledged == 0)
        // The technician sees it, with the hub's reason, and puts it back in line on request.
        let ctl = try #require(builtProduct("checkpointctl"))
        let shown = try await runTool(ctl, ["uplink", "status", "--config", state + "/none.toml", "--state", state])
        #expect(shown.status == 0 && shown.stdout.contains("lane-1 (lane-1): 0 waiting, 1 set aside, 29 sent"), "\(shown.stdout)\(shown.stderr)")
        #expect(shown.stdout.contains("#7 lane-1: ") && shown.stdout.contains("temperature_c 61.0 is outside"), "\(shown.stdout)")
        let retried = try await runTool(ctl, ["uplink", "retry", "--config", state + "/none.toml", "--state", state])
        #expect(retried.status == 0 && retried.stdout.contains("1 passages back in line"), "\(retried.stdout)\(retried.stderr)")
        #expect(try await store.uplinkStatus(lanes: ["lane-1"]).first.map { ($0.waiting, $0.setAside) } ?? (-1, -1) == (1, 0))
        // Sent again, refused again (the cause is not fixed), set aside again; the others are not sent twice.
        #expect(try await drainer.drain().acknowledged == 0)
        #expect(try await store.setAsidePassages().map(\.passageID) == [7])
        #expect(try await hub.count() == 29)
    }

    @Test func aRefusalThatNamesNoPassageHalvesTheBatchUntilTheCulpritIsAlone() async throws {
        let store = try LaneStore()
        try await Self.fill(store, count: 100)
        let hub = RefusesPassage(37)
        let drainer = UplinkDrainer(lane: "lane-1", settings: Self.settings(port: 1), store: store, transport: hub)
        let result = try await drainer.drain()
        #expect(result.acknowledged == 99 && result.last == .idle)
        #expect(hub.stored.withLock { $0 }.count == 99 && !hub.stored.withLock { $0 }.contains("QL1A-km947/lane-1#37"))
        #expect(try await store.setAsidePassages().map(\.passageID) == [37])
        // Halving, and doubling back after each success, finds it in O(log² n) round trips (23 here), not 100.
        #expect(hub.calls.withLock { $0 } <= 30, "\(hub.calls.withLock { $0 }) round trips")
    }

    /// A link failure is reported in seconds, well inside the request timeout (30 s here), and says what to check.
    /// Before, a refused connection read "connection reset (error set): Connection refused)", and a wrong CA or a
    /// hub that never finished the handshake took the whole request timeout while the client retried in silence.
    @Test(.timeLimit(.minutes(5))) func linkFailuresAreReportedInSecondsInATechniciansWords() async throws {
        let store = try LaneStore()
        try await Self.fill(store, count: 2)
        func attempt(_ settings: UplinkSettings) async throws -> (message: String, seconds: Double) {
            var settings = settings
            settings.timeout = 30
            let transport = try HTTPSUplinkTransport(settings: settings)
            defer { Task { await transport.shutdown() } }
            let start = ContinuousClock.now
            let step = try await UplinkDrainer(lane: "lane-1", settings: settings, store: store, transport: transport).step()
            let took = ContinuousClock.now - start
            guard case .failed(let message) = step else { return ("not a failure: \(step)", 0) }
            return (message, Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18)
        }
        let nobody = ClosedLoopbackPort()
        let closed = try await attempt(Self.settings(port: nobody.port))
        #expect(closed.message.contains("refused the connection: nothing listens there"), "\(closed.message)")
        #expect(closed.seconds < 10, "\(closed.seconds) s")

        let silent = SilentListener()
        let frozen = try await attempt(Self.settings(port: silent.port, scheme: "https"))
        #expect(frozen.message.contains("did not finish") || frozen.message.contains("did not accept"), "\(frozen.message)")
        #expect(frozen.seconds < 15, "\(frozen.seconds) s: the request timeout is 30 s")

        let province = try await TestCertificates.make(name: "province"), stranger = try await TestCertificates.make(name: "stranger")
        let hub = try await RunningHub.start(tls: province)
        defer { Task { await hub.stop() } }
        let wrongCA = try await attempt(Self.settings(port: hub.port, scheme: "https", ca: stranger.caCertificate))
        #expect(wrongCA.message.contains("TLS with the hub") && wrongCA.message.contains("uplink.ca_file"), "\(wrongCA.message)")
        #expect(wrongCA.seconds < 10, "\(wrongCA.seconds) s")

        // TLS 1.2 or later, both ways: a server speaking at most TLS 1.1 (which the probe can reach, so the probe
        // can fail) is refused by the lane, and the hub refuses a TLS 1.1 client.
        let oldServer = try await OldTLSServer(certificates: province)
        #expect(try await OldTLS.accepted(port: oldServer.port, ca: province.caCertificate, path: "/"), "the probe cannot speak TLS 1.1 at all")
        let old = try await attempt(Self.settings(port: oldServer.port, scheme: "https", ca: province.caCertificate))
        #expect(old.message.contains("TLS with the hub"), "a TLS 1.1 hub: \(old.message)")
        #expect(try await OldTLS.accepted(port: hub.port, ca: province.caCertificate) == false, "the hub accepted TLS 1.1")
        #expect(try await store.outboxCount() == 2)
    }

    /// Tracing (issue 21, first part): each identity number goes sealed to the province's key, a fresh ciphertext every
    /// time; the hub keeps only its keyed pseudonym, the same for the same person, and never the number.
    @Test(.timeLimit(.minutes(5))) func identitiesGoSealedAndTheHubKeepsOnlyAPseudonym() async throws {
        let dir = temporaryDirectory()
        let provinceKey = TracingKey.PrivateKey()
        try TracingKey.pem(provinceKey).write(toFile: dir + "/tracing.key", atomically: true, encoding: .utf8)
        let pseudonymHex = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        try pseudonymHex.write(toFile: dir + "/pseudonym.key", atomically: true, encoding: .utf8)
        let hub = try await RunningHub.start(extraConfig: "[tracing]\nprivate_key_file = \"\(dir)/tracing.key\"\npseudonym_key_file = \"\(dir)/pseudonym.key\"\n")
        defer { Task { await hub.stop() } }
        let tracing = try #require(hub.config.tracing)

        let laneDirectory = temporaryDirectory()
        let store = try LaneStore(path: laneDirectory + "/passages.sqlite")
        let other = "001168008113||Trần Thị Bích Ngọc|14021968|Nữ|Số 5 Hàng Bài, Hoàn Kiếm, Hà Nội|02022021"
        for payload in [Self.cccd, Self.cccd, other, Self.cccd] as [String?] + [nil] {
            _ = try await store.commit(LaneCore.Step(events: [], passages: [Self.passage(temperature: 36.5, declaration: payload)]), at: Date())
        }
        var settings = Self.settings(port: hub.port)
        settings.tracingKey = provinceKey.publicKey
        let real = try HTTPSUplinkTransport(settings: settings)
        let seen = Captures(real)
        let drainer = UplinkDrainer(lane: "lane-1", settings: settings, store: store, transport: seen)
        #expect(try await drainer.drain().acknowledged == 5)
        await real.shutdown()

        let pseudonyms = try await TestPostgres.psql(hub.database, "SELECT coalesce(pseudonym, '-') FROM passage ORDER BY passage_id").split(separator: "\n").map(String.init)
        #expect(pseudonyms.count == 5)
        #expect(pseudonyms[0] == tracing.pseudonym("079190012345") && pseudonyms[1] == pseudonyms[0] && pseudonyms[3] == pseudonyms[0])
        #expect(pseudonyms[2] == tracing.pseudonym("001168008113") && pseudonyms[2] != pseudonyms[0])
        #expect(pseudonyms[4] == "-", "no declaration, no identity")
        // Neither the hub's rows nor the uplink's bodies hold the number; the same number sealed twice looks unrelated.
        #expect(try await TestPostgres.psql(hub.database, "SELECT count(*) FROM passage p WHERE row_to_json(p)::text LIKE '%079190012345%'") == "0")
        let bodies = seen.bodies.withLock { $0 }
        #expect(!bodies.isEmpty && !bodies.contains { $0.contains("079190012345") || $0.contains("001168008113") })
        let sealed = seen.batches.withLock { $0 }.flatMap(\.passages).compactMap(\.identity)
        #expect(sealed.count == 4 && Set(sealed.map(\.ciphertext)).count == 4 && Set(sealed.map(\.encapsulatedKey)).count == 4)
        // A sealed identity opens only for its own passage and only with the province's key.
        let first = try #require(seen.batches.withLock { $0 }.first?.passages.first)
        #expect(try first.identity?.open(passageKey: first.key, with: provinceKey) == "079190012345")
        #expect(throws: SealedIdentity.Failure.self) { try first.identity?.open(passageKey: first.key + "0", with: provinceKey) }
        #expect(throws: SealedIdentity.Failure.self) { try first.identity?.open(passageKey: first.key, with: TracingKey.PrivateKey()) }

        // The lane records that each identity went, and to which key; never the number. `checkpointctl passages`
        // says so in words.
        let rows = try await store.passages(limit: 10).sorted { $0.id! < $1.id! }
        let kid = SealedIdentity.keyID(provinceKey.publicKey)
        #expect(rows.map(\.identitySealedTo) == [kid, kid, kid, kid, nil] && rows.allSatisfy { $0.uplinkSentAt != nil }, "\(rows.map(\.identitySealedTo))")
        let ctl = try #require(builtProduct("checkpointctl"))
        let listed = try await runTool(ctl, ["passages", "--state", laneDirectory, "--limit", "5"])
        let lines = listed.stdout.split(separator: "\n")
        #expect(listed.status == 0 && lines.count == 5, "\(listed.stdout)\(listed.stderr)")
        #expect(lines.first?.hasSuffix("no identity") == true && lines.last?.hasSuffix("identity sealed to tracing key \(kid)") == true, "\(listed.stdout)")
        #expect(!listed.stdout.contains("079190012345") && !listed.stdout.contains("001168008113"))
        // Once the lane's payload retention has run, nothing in its database files holds a number in clear: what
        // tracing added there is the key ID alone.
        #expect(try await store.purgePayloads(before: Date().addingTimeInterval(60)) == 4)
        try await store.checkpoint()
        for file in ["passages.sqlite", "passages.sqlite-wal"] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: laneDirectory + "/" + file))) ?? Data()
            #expect(bytes.range(of: Data("079190012345".utf8)) == nil && bytes.range(of: Data("001168008113".utf8)) == nil, "\(file)")
        }
    }

    /// A hub without `[tracing]` (or a lane without the key) goes on as before: passages stored, no pseudonym.
    @Test(.timeLimit(.minutes(5))) func aHubWithoutTracingKeysStoresThePassagesWithoutPseudonyms() async throws {
        let hub = try await RunningHub.start()
        defer { Task { await hub.stop() } }
        let store = try LaneStore(path: temporaryDirectory() + "/passages.sqlite")
        try await Self.fill(store, count: 3)
        var settings = Self.settings(port: hub.port)
        settings.tracingKey = TracingKey.PrivateKey().publicKey
        let transport = try HTTPSUplinkTransport(settings: settings)
        #expect(try await UplinkDrainer(lane: "lane-1", settings: settings, store: store, transport: transport).drain().acknowledged == 3)
        await transport.shutdown()
        #expect(try await TestPostgres.psql(hub.database, "SELECT count(*) FROM passage WHERE pseudonym IS NULL") == "3")
    }

    @Test(.timeLimit(.minutes(5))) func tlsTrustsOnlyTheConfiguredCAAndPresentsTheClientCertificate() async throws {
        let province = try await TestCertificates.make(name: "province")
        let stranger = try await TestCertificates.make(name: "stranger")
        let hub = try await RunningHub.start(tls: province, clientCA: true)
        defer { Task { await hub.stop() } }
        let store = try LaneStore(path: temporaryDirectory() + "/passages.sqlite")
        try await Self.fill(store, count: 3)

        func attempt(ca: String?, client: TestCertificates?) async throws -> UplinkDrainer.Step {
            let settings = Self.settings(port: hub.port, scheme: "https", ca: ca, client: client)
            let transport = try HTTPSUplinkTransport(settings: settings)
            defer { Task { await transport.shutdown() } }
            return try await UplinkDrainer(lane: "lane-1", settings: settings, store: store, transport: transport).step()
        }
        // A hub whose certificate the lane's CA did not sign is not spoken to (a spoofed hub on the 3G link).
        guard case .failed(let wrongCA) = try await attempt(ca: stranger.caCertificate, client: province) else { Issue.record("trusted a stranger's hub"); return }
        #expect(wrongCA.contains("TLS") || wrongCA.contains("certificate"), "\(wrongCA)")
        // The system's CA store does not count either: only the configured CA.
        guard case .failed = try await attempt(ca: nil, client: province) else { Issue.record("trusted the system CA store"); return }
        // The hub asks for a client certificate: a lane without one is turned away.
        guard case .failed = try await attempt(ca: province.caCertificate, client: nil) else { Issue.record("no client certificate accepted"); return }
        #expect(try await hub.count() == 0)
        #expect(try await store.outboxCount() == 3)

        #expect(try await attempt(ca: province.caCertificate, client: province) == .sent(acknowledged: 3, duplicates: 0))
        #expect(try await hub.count() == 3)
    }
}

/// The real transport, with the first `count` answers lost after the hub received the batch.
final class LosesAnswers: UplinkTransport {
    let real: any UplinkTransport
    let remaining: Mutex<Int>
    init(_ real: any UplinkTransport, count: Int) {
        self.real = real
        remaining = Mutex(count)
    }
    func send(_ batch: UplinkBatch, token: String) async -> UplinkSendResult {
        let result = await real.send(batch, token: token)
        let lose = remaining.withLock { n in n > 0 ? (n -= 1, true).1 : false }
        return lose ? .failed("the answer was lost on the way back") : result
    }
}

/// A scripted hub (beside the real one) that refuses, without naming it, any batch holding one passage: as a
/// proxy's 400 or 413 would.
final class RefusesPassage: UplinkTransport {
    let culprit: Int64
    let stored = Mutex<Set<String>>([])
    let calls = Mutex(0)
    init(_ culprit: Int64) { self.culprit = culprit }
    func send(_ batch: UplinkBatch, token: String) async -> UplinkSendResult {
        calls.withLock { $0 += 1 }
        if batch.passages.contains(where: { $0.passageID == culprit }) { return .refused(status: 400, UplinkRefusal(error: "Bad Request")) }
        stored.withLock { $0.formUnion(batch.passages.map(\.key)) }
        return .stored(UplinkAnswer(accepted: batch.passages.map(\.key), duplicates: 0))
    }
}

/// The real transport, keeping every batch it sent and its JSON body.
final class Captures: UplinkTransport {
    let real: any UplinkTransport
    let batches = Mutex<[UplinkBatch]>([])
    let bodies = Mutex<[String]>([])
    init(_ real: any UplinkTransport) { self.real = real }
    func send(_ batch: UplinkBatch, token: String) async -> UplinkSendResult {
        batches.withLock { $0.append(batch) }
        bodies.withLock { $0.append(String(decoding: (try? JSONEncoder().encode(batch)) ?? Data(), as: UTF8.self)) }
        return await real.send(batch, token: token)
    }
}
