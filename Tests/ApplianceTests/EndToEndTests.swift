import Appliance
import Devices
import Foundation
import Lane
import Logging
import ServiceLifecycle
import Store
import Synchronization
import Testing
import TestSupport
import Thermal

/// The service in-process with simulated devices, read from outside: the store and the page's event stream.
@Suite struct EndToEndTests {
    /// `everyFrame`: the scene waits for the lane, so what it sees does not depend on how busy the machine is (for
    /// tests that count); without it the scene runs at `speed` times real time and a late lane drops frames.
    static func config(travellers: Int, speed: Double, state: String, recordElevated: Bool = false, everyFrame: Bool = false) -> String {
        """
        [checkpoint]
        state_directory = "\(state)"
        [display]
        port = 0
        [[lane]]
        id = "lane-1"
        record_elevated = \(recordElevated)
        [lane.camera]
        source = "simulated"
        travellers = \(travellers)
        fever_share = 0.25
        seed = 5
        speed = \(speed)
        every_frame = \(everyFrame)
        [lane.scanner]
        source = "simulated"
        """
    }

    @Test(.timeLimit(.minutes(10))) func twentyTravellersArePairedStoredAndShown() async throws {
        try await inRealTimeSlot {
            let state = temporaryDirectory()
            let config = try ApplianceConfig.parse(Self.config(travellers: 20, speed: 8, state: state, recordElevated: true, everyFrame: true))
            var logger = Logger(label: "e2e")
            logger.logLevel = .warning
            let service = try CheckpointService(config: config, stateDirectory: state, logger: logger)
            let scenario = try #require(service.scenarios["lane-1"])
            let port = Mutex<Int?>(nil)
            let group = service.serviceGroup(onDisplayRunning: { p in port.withLock { $0 = p } }, signals: false)
            let running = Task { try await group.run() }

            _ = await waitUntil(seconds: 60) { port.withLock { $0 } != nil }
            let reader = try SSETestReader(port: try #require(port.withLock { $0 }, "the server did not start"))
            let stored = await waitUntil(seconds: 150) { (try? await service.store.passageCount()) ?? 0 >= 20 }
            let summary = ((try? await service.store.passages(limit: 100)) ?? []).map { "\($0.id!):\($0.outcome)" }
            #expect(stored, "passages stored: \(summary)")
            // Give the page a moment to receive the last events.
            _ = await waitUntil(seconds: 5) { reader.objects.filter { $0["type"] as? String == "passage" }.count >= 20 }
            await group.triggerGracefulShutdown()
            try await running.value

            let rows = try await service.store.passages(limit: 100).sorted { $0.id! < $1.id! }
            #expect(rows.count == 20)
            let counts = try await service.store.readingAndScanCounts()
            #expect(counts.readings >= 20 && counts.scans >= 20, "every reading and scan on its own: \(counts)")
            for (i, row) in rows.prefix(20).enumerated() {
                let traveller = scenario.travellers[i]
                #expect(row.outcome == "complete", "passage \(i + 1)")
                #expect(row.payload == scenario.payloads[i], "passage \(i + 1) paired with the wrong declaration")
                #expect(row.verdict == (traveller.canthusC >= 37.5 ? "elevated" : "normal"), "passage \(i + 1): \(traveller.canthusC) °C")
                #expect(row.declarationKind != nil && row.declarationKind != "unrecognized")
            }
            let feverish = scenario.travellers.prefix(20).filter { $0.canthusC >= 37.5 }.count
            #expect(feverish > 0 && feverish < 20)
            #expect(try await service.store.outboxCount() == 20)

            // The page's stream carried every verdict, in order, and every stored passage with its row id.
            let events = reader.objects
            let verdicts = events.filter { $0["type"] as? String == "measured" }.compactMap { $0["verdict"] as? String }
            #expect(verdicts == rows.compactMap(\.verdict))
            let shownIDs = events.filter { $0["type"] as? String == "passage" }.compactMap { ($0["passage_id"] as? NSNumber)?.int64Value }
            #expect(shownIDs == rows.compactMap(\.id))
            // Personal data reaches the page masked only.
            #expect(!reader.dataLines.joined().contains(scenario.payloads[0].split(separator: "|")[0]))
            #expect(try await service.store.integrityCheck() == "ok")
            // An audit clip (CPTV) was saved around every elevated reading, and only those.
            let elevated = rows.filter { $0.verdict == "elevated" }.count
            let clipsSaved = await waitUntil(seconds: 10) {
                ((try? FileManager.default.contentsOfDirectory(atPath: state + "/clips")) ?? []).count == elevated
            }
            #expect(clipsSaved, "clips: \((try? FileManager.default.contentsOfDirectory(atPath: state + "/clips")) ?? [])")
            for name in (try? FileManager.default.contentsOfDirectory(atPath: state + "/clips")) ?? [] {
                let clip = try CPTVFile.read(path: state + "/clips/" + name)
                #expect(clip.problem == nil && clip.frames.count >= 30)
            }
        }
    }
}
