import Declarations
import Foundation
import GRDB
import Lane
import Screening
import Store
import Testing

@Suite struct LaneStoreTests {
    static func step(outcome: PassageOutcome = .complete) throws -> LaneCore.Step {
        let payload = "079190012345||Nguyễn Văn An|15041990|Nam|Hà Nội|01072021"
        let declaration = try DeclarationParser().parse(payload)
        let m = Measurement(
            time: 3, temperatureC: 38.2, skinC: 38.21, uncertaintyC: 0.2, verdict: .elevated, thresholdC: 37.5, siteX: 70, siteY: 30,
            faceWidthPx: 44, referenced: true, framesUsed: 5)
        let passage = Passage(
            laneID: "lane-1", outcome: outcome, openedAt: 1, closedAt: 3, measurement: m,
            scan: Scan(time: 1, payload: payload, device: "s", transport: "hid-pos"), declaration: declaration, notes: ["scan-replaced"])
        var measured = LaneEvent(type: .measured, lane: "lane-1", t: 3)
        measured.verdict = .elevated
        return LaneCore.Step(events: [measured, LaneEvent(type: .passage, lane: "lane-1", t: 3)], passages: [passage])
    }

    @Test func aPassageItsOutboxRowAndItsEventsAreWrittenTogether() async throws {
        let store = try LaneStore()
        let events = try await store.commit(Self.step(), at: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(events.map(\.type) == [.measured, .passage])
        #expect(events[1].passageID == 1)
        #expect(events.allSatisfy { $0.at == "2023-11-14T22:13:20.000Z" })
        let rows = try await store.passages()
        #expect(rows.count == 1)
        let row = rows[0]
        #expect(row.verdict == "elevated" && row.temperatureC == 38.2 && row.referenced == true)
        #expect(row.idLast4 == "2345" && row.maskedName == "N. V. An" && row.birthYear == "1990")
        #expect(row.notes == "scan-replaced")
        #expect(try await store.outboxCount() == 1)
        let counts = try await store.readingAndScanCounts()
        #expect(counts.readings == 1, "the measured event is a reading of its own")
        #expect(counts.scans == 0, "no scanned event in this step")
    }

    @Test func aFileDatabaseIsWALWithFullSyncAndSurvivesReopening() async throws {
        let dir = NSTemporaryDirectory() + "store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/passages.sqlite"
        do {
            let store = try LaneStore(path: path)
            for _ in 0..<3 { _ = try await store.commit(Self.step(), at: Date()) }
        }
        let reopened = try LaneStore(path: path)
        #expect(try await reopened.passageCount() == 3)
        #expect(try await reopened.integrityCheck() == "ok")
        let queue = try DatabaseQueue(path: path)
        let mode = try await queue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test func eventsWithoutPassagesAreRecordedToo() async throws {
        let store = try LaneStore()
        var retry = LaneEvent(type: .retry, lane: "lane-1", t: 1)
        retry.reason = "too-far"
        let events = try await store.commit(LaneCore.Step(events: [retry], passages: []), at: Date())
        #expect(events.count == 1 && events[0].passageID == nil)
        #expect(try await store.passageCount() == 0)
        #expect(try await store.outboxCount() == 0)
    }
}
