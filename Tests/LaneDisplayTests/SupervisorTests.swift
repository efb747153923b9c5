import Declarations
import Foundation
import Lane
import LaneFeed
@testable import LaneDisplay
import Logging
import Screening
import ServiceLifecycle
import Store
import Synchronization
import Testing
import TestSupport

/// The supervisor's listener over real HTTP: the token check, open alarms and their secondary checks stored in
/// SQLite, the chart and `/metrics`.
@Suite struct SupervisorTests {
    static let token = "s3cret-token-for-tests-0123"
    static let auth = ["Authorization": "Bearer \(token)"]

    static func passageStep(lane: String = "lane-1", celsius: Double, verdict: Verdict) throws -> LaneCore.Step {
        let payload = "079190012345||Nguyễn Văn An|15041990|Nam|Hà Nội|01072021"
        let m = Measurement(
            time: 3, temperatureC: celsius, skinC: celsius, uncertaintyC: 0.2, verdict: verdict, thresholdC: 37.5, siteX: 70, siteY: 30,
            faceWidthPx: 44, referenced: true, framesUsed: 5)
        let passage = Passage(
            laneID: lane, outcome: .complete, openedAt: 1, closedAt: 3, measurement: m,
            scan: Scan(time: 1, payload: payload, device: "s", transport: "hid-pos"), declaration: try DeclarationParser().parse(payload), notes: [])
        return LaneCore.Step(events: [LaneEvent(type: .passage, lane: lane, t: 3)], passages: [passage])
    }

    static func withSupervisor(
        store: LaneStore, hub: LaneEventHub = LaneEventHub(), metrics: LaneMetrics? = nil, tls: SupervisorServer.TLSFiles? = nil,
        logger: Logger = Logger(label: "test"), _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        let setup = SupervisorServer.Setup(
            checkpointName: "Chốt <Test>", lanes: LaneDisplayTests.lanes, token: token, store: store, hub: hub, metrics: metrics)
        let server = try SupervisorServer.server(tls: tls)
        try await LaneDisplayTests.withService({ onRunning in
            SupervisorServer.makeApplication(setup, host: "127.0.0.1", port: 0, server: server, logger: logger, onRunning: onRunning)
        }, body)
    }

    /// With a certificate the page is https only, TLS 1.2 or later: the token it sends every 5 s is never in clear text.
    @Test(.timeLimit(.minutes(2))) func withACertificateThePageSpeaksOnlyTLS12OrLater() async throws {
        let certificates = try await TestCertificates.make(name: "supervisor")
        let tls = SupervisorServer.TLSFiles(certificate: certificates.serverCertificate, key: certificates.serverKey)
        try await Self.withSupervisor(store: try LaneStore(), tls: tls) { port in
            let url = "https://127.0.0.1:\(port)/supervisor/api/overview"
            let ok = try await runTool("/usr/bin/curl", ["-sS", "--cacert", certificates.caCertificate, "-H", "Authorization: Bearer \(Self.token)", url], seconds: 30)
            #expect(ok.status == 0 && ok.stdout.contains("\"checkpoint\""), "\(ok.stderr)")
            #expect(try await OldTLS.accepted(port: port, ca: certificates.caCertificate) == false, "TLS 1.1 was accepted")
            let oldServer = try await OldTLSServer(certificates: certificates)
            #expect(try await OldTLS.accepted(port: oldServer.port, ca: certificates.caCertificate, path: "/"), "the probe cannot speak TLS 1.1 at all")
            let plain = try await runTool("/usr/bin/curl", ["-sS", "-m", "5", "http://127.0.0.1:\(port)/healthz"], seconds: 30)
            #expect(plain.status != 0 || !plain.stdout.contains("ok"), "plain http answered: \(plain.stdout)")
        }
    }

    @Test func everyDataRouteNeedsTheTokenInTheHeader() async throws {
        let store = try LaneStore()
        _ = try await store.commit(Self.passageStep(celsius: 38.4, verdict: .elevated), at: Date())
        try await Self.withSupervisor(store: store, metrics: LaneMetrics()) { port in
            for path in ["/supervisor/api/overview", "/supervisor/api/chart.svg", "/metrics"] {
                #expect(try await HTTPTestClient.get(port: port, path: path).status == 401, "\(path) without a token")
                let wrong = try await HTTPTestClient.request(port: port, method: "GET", path: path, headers: ["Authorization": "Bearer \(Self.token)x"])
                #expect(wrong.status == 401, "\(path) with a wrong token")
                let basic = try await HTTPTestClient.request(port: port, method: "GET", path: path, headers: ["Authorization": Self.token])
                #expect(basic.status == 401, "\(path) with the token but not as a bearer token")
                // A token in the URL is not accepted (it would end up in logs and browser history).
                #expect(try await HTTPTestClient.get(port: port, path: path + "?token=\(Self.token)").status == 401)
                #expect(try await HTTPTestClient.request(port: port, method: "GET", path: path, headers: Self.auth).status == 200, "\(path)")
            }
            let post = try await HTTPTestClient.request(
                port: port, method: "POST", path: "/supervisor/api/alarms/1/check", body: #"{"clinical_c": 38.0, "staff": "x"}"#)
            #expect(post.status == 401)
            #expect(try await store.openAlarms(since: .distantPast).count == 1, "nothing was recorded without the token")
            // The page itself is an empty shell: no data in it, so it needs no token.
            let page = try await HTTPTestClient.get(port: port, path: "/supervisor")
            #expect(page.status == 200 && page.body.contains("Bearer ") && !page.body.contains("N. V. An"))
            #expect(page.body.contains("<title>Chốt &lt;Test&gt; · Giám sát / Supervisor</title>"))
        }
    }

    /// Each wrong token was logged as a warning with no address and no limit: a script could fill the journal.
    /// Past 30 in a minute a peer's wrong tokens get 429 unchecked; the right token still works from there.
    @Test func wrongTokensFromOnePeerAreLimitedAndTheRightOneStillWorks() async throws {
        let store = try LaneStore()
        let log = CapturedLog()
        try await Self.withSupervisor(store: store, logger: log.logger) { port in
            var statuses: [Int] = []
            for _ in 0..<40 {
                statuses.append(try await HTTPTestClient.request(port: port, method: "GET", path: "/supervisor/api/overview", headers: ["Authorization": "Bearer wrong-wrong-wrong-wrong"]).status)
            }
            #expect(statuses.prefix(30).allSatisfy { $0 == 401 } && statuses.suffix(10).allSatisfy { $0 == 429 }, "\(statuses)")
            #expect(try await HTTPTestClient.request(port: port, method: "GET", path: "/supervisor/api/overview", headers: Self.auth).status == 200)
        }
        // Logged with the peer's address, twice for the 40 (the first and the block), not once per request.
        let refusals = log.warnings.filter { $0.contains("without a valid token") }
        #expect(refusals.count == 2 && refusals.allSatisfy { $0.contains("from 127.0.0.1 ") }, "\(refusals)")
        // The minute ends; the count starts again; at most so many peers are remembered.
        let clock = Mutex(ContinuousClock.now)
        let logins = FailedLogins(limit: 3, window: .seconds(60), now: { clock.withLock { $0 } })
        #expect([logins.record("10.0.0.9"), logins.record("10.0.0.9"), logins.record("10.0.0.9")] == [.first, .quiet, .blocked(3)])
        #expect(logins.isBlocked("10.0.0.9") && !logins.isBlocked("10.0.0.8"))
        clock.withLock { $0 += .seconds(61) }
        #expect(!logins.isBlocked("10.0.0.9") && logins.record("10.0.0.9") == .first)
    }

    @Test func anAlarmIsAcknowledgedWithTheClinicalReadingOnceAndOnlyForElevatedPassages() async throws {
        let store = try LaneStore()
        let elevated = try await store.commit(Self.passageStep(celsius: 38.4, verdict: .elevated), at: Date())[0].passageID!
        let normal = try await store.commit(Self.passageStep(celsius: 36.6, verdict: .normal), at: Date())[0].passageID!
        let hub = LaneEventHub()
        var camera = LaneEvent(type: .device, lane: "lane-1", t: 1)
        camera.device = "camera:v4l2"
        camera.status = .offline
        await hub.publish([camera])
        try await Self.withSupervisor(store: store, hub: hub) { port in
            let before = try await HTTPTestClient.request(port: port, method: "GET", path: "/supervisor/api/overview", headers: Self.auth)
            let overview = try #require(try JSONSerialization.jsonObject(with: Data(before.body.utf8)) as? [String: Any])
            let alarms = try #require(overview["alarms"] as? [[String: Any]])
            #expect(alarms.count == 1 && alarms[0]["passage_id"] as? Int == Int(elevated) && alarms[0]["temperature_c"] as? Double == 38.4)
            #expect(alarms[0]["masked_name"] as? String == "N. V. An" && alarms[0]["id_last4"] as? String == "2345")
            #expect((overview["recent"] as? [Any])?.count == 2)
            let lanes = try #require(overview["lanes"] as? [[String: Any]])
            #expect((lanes[0]["health"] as? [String: String])?["camera:v4l2"] == "offline")
            // Nothing personal beyond the masked name and last four characters.
            #expect(!before.body.contains("079190012345") && !before.body.contains("Nguyễn") && !before.body.contains("payload"))

            func check(_ id: Int64, _ body: String) async throws -> HTTPTestClient.Response {
                try await HTTPTestClient.request(port: port, method: "POST", path: "/supervisor/api/alarms/\(id)/check", headers: Self.auth, body: body)
            }
            #expect(try await check(elevated, #"{"clinical_c": 73.8, "staff": "NVB"}"#).status == 400, "a typo is refused")
            #expect(try await check(elevated, #"{"clinical": 37.8}"#).status == 400, "a malformed body is refused")
            #expect(try await check(normal, #"{"clinical_c": 36.9, "staff": "NVB"}"#).status == 400, "a normal passage has no alarm")
            #expect(try await check(999, #"{"clinical_c": 37.9, "staff": "NVB"}"#).status == 404)
            #expect(try await check(elevated, #"{"clinical_c": 37.9, "staff": "NVB"}"#).status == 200)
            #expect(try await check(elevated, #"{"clinical_c": 38.9, "staff": "NVB"}"#).status == 409, "one secondary check per passage")

            #expect(try await store.openAlarms(since: .distantPast).isEmpty)
            let checks = try await store.recentSecondaryChecks(limit: 5)
            #expect(checks.count == 1 && checks[0].clinicalC == 37.9 && checks[0].passageID == elevated)
            let after = try await HTTPTestClient.request(port: port, method: "GET", path: "/supervisor/api/overview", headers: Self.auth)
            #expect(after.body.contains("\"alarms\":[]"))
        }
    }

    @Test func theChartIsTodaysCountsAndRejectsABadDate() async throws {
        let store = try LaneStore()
        for _ in 0..<3 { _ = try await store.commit(Self.passageStep(celsius: 36.5, verdict: .normal), at: Date()) }
        _ = try await store.commit(Self.passageStep(celsius: 38.5, verdict: .elevated), at: Date())
        try await Self.withSupervisor(store: store) { port in
            let chart = try await HTTPTestClient.request(port: port, method: "GET", path: "/supervisor/api/chart.svg", headers: Self.auth)
            #expect(chart.status == 200 && chart.headers.contains("image/svg+xml"))
            #expect(chart.body.contains("4 lượt / passages") && chart.body.contains("elevated 1") && chart.body.contains("normal 3"))
            #expect(chart.body.contains("class=\"bar normal\"") && chart.body.contains("data-count=\"3\""))
            let bad = try await HTTPTestClient.request(port: port, method: "GET", path: "/supervisor/api/chart.svg?date=1%27;DROP", headers: Self.auth)
            #expect(bad.status == 400)
        }
    }
}

@Suite struct HourlyChartTests {
    @Test func barsAreStackedInProportionWithElevatedAtTheBottom() throws {
        let counts = [
            HourlyCount(lane: "l", date: "2021-08-01", hour: 7, verdict: "normal", count: 30),
            HourlyCount(lane: "l", date: "2021-08-01", hour: 7, verdict: "elevated", count: 10),
            HourlyCount(lane: "m", date: "2021-08-01", hour: 7, verdict: "normal", count: 10),
            HourlyCount(lane: "l", date: "2021-08-01", hour: 8, verdict: "none", count: 25),
            HourlyCount(lane: "l", date: "2021-07-31", hour: 9, verdict: "normal", count: 99),
        ]
        let svg = HourlyChart.svg(counts, date: "2021-08-01")
        func bar(_ verdict: String, _ hour: Int) -> (y: Double, height: Double)? {
            guard let r = svg.range(of: "class=\"bar \(verdict)\" data-hour=\"\(hour)\"") else { return nil }
            let rest = svg[r.upperBound...]
            func attr(_ name: String) -> Double? {
                guard let a = rest.range(of: " \(name)=\"") else { return nil }
                return Double(rest[a.upperBound...].prefix { $0 != "\"" })
            }
            return attr("y").flatMap { y in attr("height").map { (y, $0) } }
        }
        let normal7 = try #require(bar("normal", 7)), elevated7 = try #require(bar("elevated", 7)), none8 = try #require(bar("none", 8))
        // Hour 7: 40 normal (two lanes) on top of 10 elevated; the scale's top is 50.
        #expect(abs(normal7.height / elevated7.height - 4) < 0.05)
        #expect(elevated7.y > normal7.y, "elevated is drawn below normal")
        #expect(abs((normal7.height + elevated7.height) - 190) < 0.2, "a full-scale bar fills the plot")
        #expect(abs(none8.height / elevated7.height - 2.5) < 0.05)
        #expect(bar("normal", 9) == nil, "another day's counts are left out")
        #expect(svg.contains(">50</text>") && svg.contains("75 lượt / passages"))
        #expect(HourlyChart.svg([], date: "2021-08-01").contains("0 lượt / passages"))
    }
}

/// A logger whose warnings the test can read.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])
    var warnings: [String] { lines.withLock { $0 } }

    var logger: Logger {
        Logger(label: "captured") { _ in Handler(log: self) }
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            if level >= .warning { log.lines.withLock { $0.append("\(message)") } }
        }
    }
}
