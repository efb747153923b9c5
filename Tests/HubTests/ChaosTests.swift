import Foundation
import Hub
import Store
import Synchronization
import Testing
import TestSupport

/// Two simulated lanes (the real `checkpointd`) send to the real `checkpoint-hub` on a real PostgreSQL through a
/// proxy that drops connections, delays, answers 503, swallows requests, loses the hub's answers, while the test
/// kills the hub and the database and starts them again. At the end the hub holds every passage exactly once and
/// its daily counts equal the lanes' own.
@Suite struct ChaosTests {
    static let travellersPerLane = 1_400
    static let laneTokens = ["lane-1": "chaos-lane-one-token-0123", "lane-2": "chaos-lane-two-token-0123"]

    @Test(.timeLimit(.minutes(25))) func twoLanesThroughAFlakyLinkDeliverEveryPassageExactlyOnce() async throws {
        // A PostgreSQL server of its own: this test kills it, and the other hub suites run beside it.
        let postgres = try await TestPostgres.privateServer("chaos")
        do {
            try await inRealTimeSlot { try await run(postgres: postgres) }
        } catch {
            await postgres.remove()
            throw error
        }
        await postgres.remove()
    }

    func run(postgres: TestPostgres.PrivateServer) async throws {
        do {
            let hubBinary = try #require(builtProduct("checkpoint-hub")), laneBinary = try #require(builtProduct("checkpointd"))
            let ctl = try #require(builtProduct("checkpointctl"))
            let database = "chaos"
            let dir = temporaryDirectory("chaos")
            var hubPort = freeLoopbackPort()
            let hub = ChildProcess(hubBinary, ["run", "--config", dir + "/hub.toml"], log: dir + "/hub.log")
            defer { hub.kill() }
            let proxy = try await ChaosProxy(upstreamPort: hubPort)
            // The hub comes back on the port it had, as a real one would; that port is free while the hub is down,
            // so another process can take it meanwhile (the kernel hands out the same ports to outgoing
            // connections): then the hub says it cannot listen, and it starts on a new port behind the proxy.
            func startHub() async throws {
                for _ in 1...5 {
                    try hubConfig(database: database, pgPort: postgres.port, port: hubPort).write(toFile: dir + "/hub.toml", atomically: true, encoding: .utf8)
                    try hub.start()
                    let port = hubPort
                    _ = await waitUntil(seconds: 60) {
                        if !hub.isRunning { return true }
                        return (try? await HTTPTestClient.get(port: port, path: "/healthz")) != nil
                    }
                    if hub.isRunning {
                        proxy.setUpstream(port: port)
                        return
                    }
                    #expect(hub.log.contains("cannot listen on 127.0.0.1:\(port)"), "the hub stopped; log:\n\(hub.log.suffix(3000))")
                    hubPort = freeLoopbackPort()
                }
                throw CancellationError()
            }
            try await startHub()
            try laneConfig(state: dir + "/lane", proxyPort: proxy.port).write(toFile: dir + "/lane.toml", atomically: true, encoding: .utf8)
            let lanes = ChildProcess(laneBinary, ["--config", dir + "/lane.toml"], log: dir + "/lane.log")
            try lanes.start()
            defer { lanes.kill() }
            #expect(await waitUntil(seconds: 30) { FileManager.default.fileExists(atPath: dir + "/lane/passages.sqlite") }, "lane log:\n\(lanes.log)")
            let store = try LaneStore(path: dir + "/lane/passages.sqlite")

            // The chaos, round after round, while the lanes produce at least 2,000 passages.
            let target = 2_000
            var round = 0, events: [String] = []
            func produced() async -> Int { (try? await store.passageCount()) ?? 0 }
            func step(_ what: String) async { print("chaos \(Date()): round \(round): \(what) (\(await produced()) passages)") }
            var last = (count: 0, at: Date())
            while await produced() < target {
                round += 1
                for mode: ChaosProxy.Mode in [.pass, .refuse, .delay(milliseconds: 700), .unavailable, .loseAnswers, .blackhole] {
                    await step("proxy: \(mode)")
                    proxy.set(mode)
                    try await Task.sleep(for: .seconds(3))
                }
                proxy.set(.pass)
                await step("hub killed")
                hub.kill()
                events.append("round \(round): hub killed at \(await produced()) passages")
                try await Task.sleep(for: .seconds(3))
                try await startHub()
                try await Task.sleep(for: .seconds(3))
                await step("PostgreSQL killed")
                try await postgres.kill()
                try await Task.sleep(for: .seconds(4))
                try await postgres.start()
                await step("PostgreSQL started")
                try await Task.sleep(for: .seconds(3))
                #expect(lanes.isRunning, "checkpointd died in round \(round); log:\n\(lanes.log.suffix(3000))")
                if !lanes.isRunning { return }
                let now = await produced()
                if now > last.count { last = (now, Date()) } else if Date().timeIntervalSince(last.at) > 90 {
                    Issue.record("the lanes stopped producing at \(now) passages")
                    return
                }
            }
            // Stop producing: what the lanes hold now is what the hub must hold in the end.
            lanes.terminate()
            proxy.set(.pass)
            // The flush below is the technician's, on a quiet link: it stops at the first failure, as it should, so
            // it waits until the hub has its database back (a busy machine can take longer than the 3 s above).
            let finalPort = hubPort
            let hubReady = await waitUntil(seconds: 120) {
                (try? await HTTPTestClient.get(port: finalPort, path: "/healthz"))?.status == 200
            }
            #expect(hubReady, "the hub did not get its database back; hub log:\n\(hub.log.suffix(3000))")

            // What the lanes did not get through is sent by the technician's command, through the now quiet link.
            let waiting = try await store.outboxCount()
            let flush = try await runTool(ctl, ["uplink", "flush", "--config", dir + "/lane.toml"], seconds: 300)
            #expect(flush.status == 0 && flush.stdout.contains("lane-1: OK") && flush.stdout.contains("lane-2: OK"), "\(flush.stdout)\(flush.stderr)")
            #expect(try await store.outboxCount() == 0)
            let laneRows = try await store.passages(limit: 10 * target)
            #expect(laneRows.count >= target)

            // Exactly once: the hub's keys are the lanes' keys, no more, no less.
            let hubKeys = Set(try await TestPostgres.psql(database, "SELECT key FROM passage", on: postgres.server).split(separator: "\n").map(String.init))
            let laneKeys = Set(laneRows.map { "chaos-cp/\($0.lane)#\($0.id!)" })
            let hubCount = Int(try await TestPostgres.psql(database, "SELECT count(*) FROM passage", on: postgres.server)) ?? -1
            #expect(hubCount == laneRows.count && hubKeys == laneKeys, "hub \(hubCount), missing \(laneKeys.subtracting(hubKeys).count), extra \(hubKeys.subtracting(laneKeys).count)")

            // The daily report (UTC days here) adds up to the lanes' own counts, verdict by verdict.
            var hubTotals = [String: Int]()
            for date in Set(laneRows.map { String($0.recordedAt.prefix(10)) }) {
                let report = try await HTTPTestClient.request(port: hubPort, method: "GET", path: "/reports/daily?date=\(date)", headers: ["Authorization": "Bearer chaos-report-token-0123"])
                let parsed = try JSONDecoder().decode(DailyReport.self, from: report.bytes)
                for row in parsed.rows { hubTotals[row.lane + " normal", default: 0] += row.normal; hubTotals[row.lane + " elevated", default: 0] += row.elevated; hubTotals[row.lane + " none", default: 0] += row.noReading }
            }
            var laneTotals = [String: Int]()
            for row in laneRows { laneTotals["chaos-cp/\(row.lane) \(row.verdict ?? "none")", default: 0] += 1 }
            #expect(hubTotals.filter { $0.value > 0 } == laneTotals, "hub \(hubTotals) lanes \(laneTotals)")

            // The technician's view agrees: nothing waits, nothing set aside, and the errors the chaos caused are on record.
            let status = try await runTool(ctl, ["uplink", "status", "--config", dir + "/lane.toml"])
            #expect(status.status == 0 && status.stdout.contains("lane-1 (chaos-cp/lane-1): 0 waiting") && status.stdout.contains("0 set aside"), "\(status.stdout)\(status.stderr)")
            let cut = proxy.stats.cutAnswers.load(ordering: .relaxed)
            print("chaos: \(laneRows.count) passages (\(waiting) left for the flush), \(round) rounds, \(proxy.stats.connections.load(ordering: .relaxed)) connections, \(cut) answers lost; \(events.joined(separator: "; "))")
            #expect(round >= 2 && cut > 0, "the chaos must have had a chance to bite")
            await proxy.close()
        }
    }

    func hubConfig(database: String, pgPort: Int, port: Int) -> String {
        """
        [hub]
        listen = "127.0.0.1"
        port = \(port)
        timezone = "UTC"
        report_token = "chaos-report-token-0123"
        [database]
        port = \(pgPort)
        user = "hub"
        name = "\(database)"
        [[district]]
        id = "chaos-district"
        [[lane]]
        id = "chaos-cp/lane-1"
        district = "chaos-district"
        token = "\(Self.laneTokens["lane-1"]!)"
        [[lane]]
        id = "chaos-cp/lane-2"
        district = "chaos-district"
        token = "\(Self.laneTokens["lane-2"]!)"
        """
    }

    func laneConfig(state: String, proxyPort: Int) -> String {
        func lane(_ n: Int) -> String {
            """
            [[lane]]
            id = "lane-\(n)"
            [lane.camera]
            source = "simulated"
            travellers = \(Self.travellersPerLane)
            fever_share = 0.2
            seed = \(n + 40)
            speed = 30
            [lane.scanner]
            source = "simulated"
            [lane.speaker]
            device = "none"
            [lane.uplink]
            token = "\(Self.laneTokens["lane-\(n)"]!)"
            """
        }
        return """
            [checkpoint]
            state_directory = "\(state)"
            log_level = "notice"
            [display]
            port = 0
            [uplink]
            url = "http://127.0.0.1:\(proxyPort)/v1/batches"
            checkpoint_id = "chaos-cp"
            batch_size = 50
            interval_s = 0.5
            timeout_s = 3
            max_backoff_s = 2
            \(lane(1))
            \(lane(2))
            """
    }
}

/// A child process with its output in a log file, killed hard (SIGKILL) like a power cut, and started again.
final class ChildProcess: @unchecked Sendable {
    let binary: String
    let arguments: [String]
    let logPath: String
    private var process: Process?

    init(_ binary: String, _ arguments: [String], log: String) {
        self.binary = binary
        self.arguments = arguments
        logPath = log
        FileManager.default.createFile(atPath: log, contents: nil)
    }

    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
    }

    var isRunning: Bool { process?.isRunning ?? false }

    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM and wait (up to 30 s, then SIGKILL).
    func terminate() {
        guard let process, process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        kill()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}
