import Foundation
import Store
import Testing
import TestSupport

/// Power cuts, as the process sees them: `checkpointd` killed with SIGKILL at random moments while passages flow.
@Suite struct CrashSafetyTests {
    @Test(.timeLimit(.minutes(10))) func everyPublishedPassageSurvivesTwentyKills() async throws {
        try await inRealTimeSlot {
            let binary = try #require(builtProduct("checkpointd"), "checkpointd was not built")
            let dir = temporaryDirectory()
            let configPath = dir + "/checkpoint.toml"
            try EndToEndTests.config(travellers: 5000, speed: 25, state: dir + "/state").write(toFile: configPath, atomically: true, encoding: .utf8)
            var random = SystemRandomNumberGenerator()
            var published: [Int: String] = [:]  // passage id → verdict ("" when none), as the page received it
            var kills = 0
            for round in 1...20 {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: binary)
                process.arguments = ["--config", configPath]
                let stderr = Pipe()
                process.standardError = stderr
                let log = LogCollector(stderr.fileHandleForReading)
                try process.run()
                defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
                #expect(await waitUntil(seconds: 30) { log.port != nil }, "round \(round): no page; log:\n\(log.text)")
                guard let port = log.port else { break }
                let reader = try SSETestReader(port: port)
                // Kill at a random moment once passages are flowing: between 0 and 1.5 s after the first one.
                _ = await waitUntil(seconds: 20) { reader.objects.contains { $0["type"] as? String == "passage" } }
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...1500, using: &random)))
                kill(process.processIdentifier, SIGKILL)
                await waitForExit(process)
                #expect(process.terminationReason == .uncaughtSignal)
                kills += 1
                for object in reader.objects where object["type"] as? String == "passage" {
                    if let id = object["passage_id"] as? Int { published[id] = object["verdict"] as? String ?? "" }
                }

                let store = try LaneStore(path: dir + "/state/passages.sqlite")
                #expect(try await store.integrityCheck() == "ok", "round \(round)")
                let rows = try await store.passages(limit: 1_000_000)
                let stored = Dictionary(uniqueKeysWithValues: rows.map { (Int($0.id!), $0.verdict ?? "") })
                let missing = published.filter { stored[$0.key] != $0.value }
                #expect(missing.isEmpty, "round \(round): published but not stored as shown: \(missing)")
                #expect(try await store.outboxCount() == rows.count, "every passage has its outbox row")
            }
            #expect(kills == 20)
            #expect(published.count >= 20, "passages published across the rounds: \(published.count)")
        }
    }
}
