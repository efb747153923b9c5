import Foundation
import Store
import Synchronization
import Testing
import TestSupport

/// The real `checkpointd` binary, as systemd runs it.
@Suite struct DaemonProcessTests {
    @Test(.timeLimit(.minutes(10))) func servesThePageAndStopsCleanlyOnSIGTERMWithABrowserAttached() async throws {
        try await inRealTimeSlot {
            let binary = try #require(builtProduct("checkpointd"), "checkpointd was not built")
            let configDir = temporaryDirectory(), stateFromSystemd = temporaryDirectory()
            let configPath = configDir + "/checkpoint.toml"
            try EndToEndTests.config(travellers: 50, speed: 10, state: configDir + "/unused-state").write(toFile: configPath, atomically: true, encoding: .utf8)

            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["--config", configPath]
            var environment = ProcessInfo.processInfo.environment
            environment["STATE_DIRECTORY"] = stateFromSystemd
            process.environment = environment
            let stderr = Pipe()
            process.standardError = stderr
            let log = LogCollector(stderr.fileHandleForReading)
            try process.run()
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
            let exited = await waitUntil(seconds: 5) { !process.isRunning }
            let took = ContinuousClock.now - start
            #expect(exited)
            #expect(took < .seconds(2), "took \(took) to stop")
            #expect(process.terminationStatus == 0, "log:\n\(log.text)")
            #expect(await waitUntil(seconds: 2) { reader.isFinished })

            #expect(!FileManager.default.fileExists(atPath: configDir + "/unused-state"))
            let store = try LaneStore(path: stateFromSystemd + "/passages.sqlite")
            #expect(try await store.integrityCheck() == "ok")
            #expect(try await store.passageCount() >= 1)
            #expect(log.text.contains("stopped cleanly"))
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
}

