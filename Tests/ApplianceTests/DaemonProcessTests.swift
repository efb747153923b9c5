import Foundation
import Store
import Synchronization
import Testing
import TestSupport

/// The real `checkpointd` binary, as systemd runs it.
@Suite struct DaemonProcessTests {
    /// `TimeoutStopSec` of the shipped unit: after it systemd kills the service, so a stop must end before it.
    static let stopTimeout: Duration = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let unit = (try? String(contentsOfFile: root + "/systemd/checkpointd.service", encoding: .utf8)) ?? ""
        let line = unit.split(separator: "\n").first { $0.hasPrefix("TimeoutStopSec=") }
        return .seconds(Int(line?.dropFirst("TimeoutStopSec=".count) ?? "") ?? 0)
    }()

    @Test(.timeLimit(.minutes(10))) func servesThePageAndStopsCleanlyOnSIGTERMWithABrowserAttached() async throws {
        try await inRealTimeSlot {
            let binary = try #require(builtProduct("checkpointd"), "checkpointd was not built")
            let configDir = temporaryDirectory(), stateFromSystemd = temporaryDirectory()
            let configPath = configDir + "/checkpoint.toml"
            try EndToEndTests.config(travellers: 50, speed: 10, state: configDir + "/unused-state").write(toFile: configPath, atomically: true, encoding: .utf8)

            var environment = ProcessInfo.processInfo.environment
            environment["STATE_DIRECTORY"] = stateFromSystemd
            let (process, log) = try startDaemon(binary, ["--config", configPath], environment: environment)
            defer { if process.isRunning { process.terminate() } }

            #expect(await waitUntil(seconds: 20) { log.port != nil }, "no 'lane page at' line; log:\n\(log.text)")
            let port = try #require(log.port)
            let page = try await HTTPTestClient.get(port: port, path: "/")
            #expect(page.status == 200)
            #expect(page.body.contains("<title>lane-1 · Checkpoint Lane</title>"))
            #expect(page.body.contains("EventSource"))
            #expect(try await HTTPTestClient.get(port: port, path: "/lane/9").status == 404)

            let reader = try SSETestReader(port: port)
            #expect(await waitUntil(seconds: 30) { reader.objects.contains { $0["type"] as? String == "passage" } }, "SSE lines: \(reader.dataLines.prefix(3)) log:\n\(log.text)")

            let start = ContinuousClock.now
            kill(process.processIdentifier, SIGTERM)
            let exited = await waitUntil(seconds: 30) { !process.isRunning }
            let took = ContinuousClock.now - start
            #expect(exited)
            // Before systemd would kill it (how fast it stops is not a unit test's business: a busy machine is slow).
            #expect(took < Self.stopTimeout, "took \(took) to stop")
            print("browser attached: stopped in \(took)")
            #expect(process.terminationStatus == 0, "log:\n\(log.text)")
            #expect(await waitUntil(seconds: 2) { reader.isFinished })

            #expect(!FileManager.default.fileExists(atPath: configDir + "/unused-state"))
            let store = try LaneStore(path: stateFromSystemd + "/passages.sqlite")
            #expect(try await store.integrityCheck() == "ok")
            #expect(try await store.passageCount() >= 1)
            #expect(log.text.contains("stopped cleanly"))
        }
    }

    /// 1,100 idle TCP connections to the supervisor port once ran `checkpointd` out of its 1,024 file descriptors,
    /// and libdispatch aborted it (signal 4); no token was needed. Now each listener holds a bounded number and
    /// closes idle ones: with 1,100 idle and 1,100 half-request connections on each port, at the 1,024 limit a
    /// default systemd unit would give, the lane keeps screening, the open page keeps receiving verdicts, and
    /// SIGTERM still stops it cleanly.
    @Test(.timeLimit(.minutes(10))) func aFloodOfIdleAndHalfOpenConnectionsNeitherStopsTheLaneNorItsPage() async throws {
        try await inRealTimeSlot {
            let binary = try #require(builtProduct("checkpointd"), "checkpointd was not built")
            ConnectionFlood.raiseOwnFileLimit()
            let dir = temporaryDirectory(), state = temporaryDirectory()
            let config = EndToEndTests.config(travellers: 400, speed: 10, state: state)
                .replacingOccurrences(of: "[[lane]]", with: "[supervisor]\nport = 0\ntoken = \"flood-test-token-0123456789\"\n[[lane]]")
            try config.write(toFile: dir + "/flood.toml", atomically: true, encoding: .utf8)
            // The limit systemd gives a service without LimitNOFILE.
            let (process, log) = try startDaemon("/bin/sh", ["-c", "ulimit -n 1024 && exec \"$0\" --config \"$1\"", binary, dir + "/flood.toml"])
            defer { if process.isRunning { process.terminate() } }
            #expect(await waitUntil(seconds: 30) { log.port != nil && log.supervisorPort != nil }, "log:\n\(log.text)")
            let page = try #require(log.port), supervisor = try #require(log.supervisorPort)

            let reader = try SSETestReader(port: page)
            func passages() -> Int { reader.objects.filter { $0["type"] as? String == "passage" }.count }
            #expect(await waitUntil(seconds: 60) { passages() >= 1 }, "no passage before the flood; log:\n\(log.text.suffix(2000))")
            // From eleven addresses (any of 127.0.0.0/8 reaches the listeners), 100 connections each per port and kind:
            // more than one peer's share and more than the listener's total (128 page, 64 supervisor) at once.
            let sources = (2...12).map { "127.0.0.\($0)" }
            var floods: [ConnectionFlood] = []
            for port in [supervisor, page] {
                for half in [false, true] {
                    floods += sources.map { ConnectionFlood(port: port, count: 100, halfRequest: half, from: $0) }
                }
            }
            let opened = floods.map(\.sockets.count).reduce(0, +)
            #expect(opened == 4400, "the test could not open its connections: \(opened) of 4,400")
            let before = passages()
            // Verdicts keep arriving on the page opened before the flood, for longer than the idle timeout.
            #expect(await waitUntil(seconds: 60) { passages() >= before + 3 }, "\(passages() - before) passages during the flood; log:\n\(log.text.suffix(2000))")
            try await Task.sleep(for: .seconds(12))
            #expect(process.isRunning, "checkpointd died under the flood; log:\n\(log.text.suffix(3000))")
            // New clients get in once the idle ones are closed.
            let waited = ContinuousClock.now
            #expect(await waitUntil(seconds: 180) { (try? await HTTPTestClient.get(port: supervisor, path: "/healthz").status) == 200 })
            #expect(await waitUntil(seconds: 180) { (try? await HTTPTestClient.get(port: page, path: "/healthz").status) == 200 })
            let newClientsIn = ContinuousClock.now - waited
            let during = passages() - before

            let start = ContinuousClock.now
            kill(process.processIdentifier, SIGTERM)
            #expect(await waitUntil(seconds: 30) { !process.isRunning })
            let took = ContinuousClock.now - start
            #expect(process.terminationStatus == 0, "log:\n\(log.text.suffix(2000))")
            #expect(took < Self.stopTimeout, "took \(took) to stop")
            for flood in floods { flood.close() }
            print("flood: 4,400 connections from 11 addresses; \(during) passages shown during it; new clients in after \(newClientsIn) more; stopped in \(took)")
        }
    }

    /// With the hub frozen (it accepts the connection and never answers), SIGTERM once waited out the upload in flight
    /// (9–13 s, against TimeoutStopSec=15) while the lane went on screening and storing 4–18 more passages. Now the
    /// lane stops first and the upload is cancelled: the service exits within 2 s, and what was stored stays.
    @Test(.timeLimit(.minutes(10))) func sigtermStopsTheLaneFirstAndDoesNotWaitForAFrozenHub() async throws {
        try await inRealTimeSlot {
            let binary = try #require(builtProduct("checkpointd"), "checkpointd was not built")
            let frozenHub = SilentListener()
            let dir = temporaryDirectory(), state = temporaryDirectory()
            let config = EndToEndTests.config(travellers: 400, speed: 10, state: state) + """

                [uplink]
                url = "http://127.0.0.1:\(frozenHub.port)/v1/batches"
                checkpoint_id = "QL1A-km947"
                token = "lane-one-token-0123456789"
                batch_size = 1
                interval_s = 0.2
                timeout_s = 60
                """
            try config.write(toFile: dir + "/frozen.toml", atomically: true, encoding: .utf8)
            let (process, log) = try startDaemon(binary, ["--config", dir + "/frozen.toml"])
            defer { if process.isRunning { process.terminate() } }
            #expect(await waitUntil(seconds: 30) { log.port != nil }, "log:\n\(log.text)")
            let store = try LaneStore(path: state + "/passages.sqlite")
            // Passages flowing, and an upload hanging at the frozen hub.
            #expect(await waitUntil(seconds: 90) { ((try? await store.passageCount()) ?? 0) >= 4 }, "log:\n\(log.text.suffix(2000))")
            try await Task.sleep(for: .seconds(2))

            let atSignal = try await store.passageCount()
            let start = ContinuousClock.now
            kill(process.processIdentifier, SIGTERM)
            #expect(await waitUntil(seconds: 70) { !process.isRunning })
            let took = ContinuousClock.now - start
            // The upload hangs for up to timeout_s = 60 s: stopping before systemd's limit means it was not awaited.
            #expect(took < Self.stopTimeout, "took \(took) to stop with the hub frozen; log:\n\(log.text.suffix(1500))")
            #expect(process.terminationStatus == 0, "log:\n\(log.text.suffix(1500))")
            let after = try await store.passageCount()
            // At most the traveller already in front of the camera is completed after the signal.
            #expect(after - atSignal <= 1, "\(after - atSignal) passages were stored after SIGTERM")
            #expect(try await store.outboxCount() == after, "nothing was acknowledged by a frozen hub")
            print("frozen hub: stopped in \(took); \(after - atSignal) passages stored after SIGTERM")
        }
    }

    @Test func aBadConfigurationStopsStartUpWithOneLineNamingTheKey() async throws {
        let binary = try #require(builtProduct("checkpointd"))
        let dir = temporaryDirectory()
        try "[[lane]]\nid = \"l\"\n[lane.camera]\nsource = \"simulated\"\n[lane.screening]\nthreshold_c = 41.0\n"
            .write(toFile: dir + "/bad.toml", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--config", dir + "/bad.toml"]
        let stderr = Pipe()
        process.standardError = stderr
        try process.run()
        await waitForExit(process)
        let text = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 78)
        #expect(text == "checkpointd: \(dir)/bad.toml: lane[1].screening.threshold_c (line 6): 41.0 is outside 34.0–39.0\n")
    }
}

extension DaemonProcessTests {
    /// A port another program holds: the service stops with a line naming the listener and the port (not a bare
    /// "Address already in use"), and exit 1.
    @Test(.timeLimit(.minutes(5))) func aPortInUseIsNamedInTheFailure() async throws {
        let binary = try #require(builtProduct("checkpointd"))
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, length) == 0 && listen(holder, 1) == 0 && getsockname(holder, $0, &length) == 0 }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let dir = temporaryDirectory()
        try EndToEndTests.config(travellers: 5, speed: 1, state: dir + "/state").replacingOccurrences(of: "port = 0", with: "port = \(port)")
            .write(toFile: dir + "/busy.toml", atomically: true, encoding: .utf8)
        let run = try await runTool(binary, ["--config", dir + "/busy.toml"], seconds: 60)
        #expect(run.status == 1)
        #expect(run.stderr.contains("the lane page ([display]) cannot listen on 127.0.0.1:\(port)") && run.stderr.contains("sport = :\(port)"), "\(run.stderr.suffix(600))")
    }
}

/// Starts a service process with its standard error collected (ports announced, log for failure messages).
func startDaemon(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (Process, LogCollector) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let stderr = Pipe()
    process.standardError = stderr
    let log = LogCollector(stderr.fileHandleForReading)
    try process.run()
    return (process, log)
}

/// Collects a child's standard error and finds the port it announced.
final class LogCollector: Sendable {
    private let buffer = Mutex<String>("")

    init(_ handle: FileHandle) {
        handle.readabilityHandler = { [self] h in
            let data = h.availableData
            self.buffer.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
    }

    var text: String { buffer.withLock { $0 } }

    var port: Int? {
        guard let range = text.range(of: "lane page at http://127.0.0.1:") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    var supervisorPort: Int? {
        guard let range = text.range(of: "supervisor page at http://127.0.0.1:") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}

