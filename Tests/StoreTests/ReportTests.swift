import Foundation
import Lane
import Store
import Testing

@Suite struct ReportTests {
    @Test func countsArePerLaneLocalHourAndVerdictAndExportsCarryNoPayload() async throws {
        let store = try LaneStore()
        let morning = Date(timeIntervalSince1970: 1_633_050_000)  // 2021-10-01 01:00 UTC
        let later = morning.addingTimeInterval(3600)
        for at in [morning, morning.addingTimeInterval(60), later] { _ = try await store.commit(LaneStoreTests.step(), at: at) }
        var noReading = try LaneStoreTests.step(outcome: .scannedNoReading)
        noReading.passages[0].measurement = nil
        _ = try await store.commit(noReading, at: later)

        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let day = { (d: Date) in String(format: "%04d-%02d-%02d", calendar.component(.year, from: d), calendar.component(.month, from: d), calendar.component(.day, from: d)) }
        let counts = try await store.hourlyCounts(from: day(morning), to: day(later))
        #expect(counts == [
            HourlyCount(lane: "lane-1", date: day(morning), hour: calendar.component(.hour, from: morning), verdict: "elevated", count: 2),
            HourlyCount(lane: "lane-1", date: day(later), hour: calendar.component(.hour, from: later), verdict: "elevated", count: 1),
            HourlyCount(lane: "lane-1", date: day(later), hour: calendar.component(.hour, from: later), verdict: "none", count: 1),
        ])
        #expect(try await store.hourlyCounts(from: "2030-01-01", to: "2030-12-31").isEmpty)
        let exported = try await store.passages(from: day(morning), to: day(later))
        #expect(exported.count == 4)
        #expect(exported.allSatisfy { $0.payload == nil && $0.idHash?.count == 64 })
    }
}
