import Foundation
import GRDB
import Screening
@testable import Store
import Testing
import Thermal

@Suite struct CalibrationLogTests {
    static let reference = ReferenceCalibration(
        x: 148, y: 100, radius: 6, setpointC: 35.0, noiseC: 0.01, driftCPerMinute: 0.02, contrastC: 9.1, seconds: 30)

    @Test func theLatestOfEachKindAppliesAndTheHistoryKeepsAll() async throws {
        let store = try LaneStore()
        #expect(try store.calibration(lane: "lane-1").isEmpty)
        try await store.addCalibration(lane: "lane-1", kind: .reference, technician: "Lan", summary: "first", values: Self.reference)
        var moved = Self.reference
        moved.x = 140
        moved.setpointC = 36.0
        try await store.addCalibration(lane: "lane-1", kind: .reference, technician: "Minh", summary: "second", values: moved)
        let fit = try OffsetFit.fit((0..<5).map { OffsetPair(skinC: 36.0 + Double($0) / 10, clinicalC: 37.0) })
        try await store.addCalibration(lane: "lane-1", kind: .offset, technician: "Lan", summary: "offset", values: fit)
        try await store.addCalibration(lane: "lane-2", kind: .pixels, technician: "Lan", summary: "px", values: PixelMap(width: 160, height: 120, bad: [5]))

        let lane1 = try store.calibration(lane: "lane-1")
        #expect(lane1.reference == moved)
        #expect(lane1.offset == fit)
        #expect(lane1.pixels == nil)
        #expect(try store.calibration(lane: "lane-2").pixels?.bad == [5])

        let history = try await store.calibrationHistory(lane: "lane-1")
        #expect(history.map(\.summary) == ["first", "second", "offset"])
        #expect(history.map(\.technician) == ["Lan", "Minh", "Lan"])
        #expect(try await store.calibrationHistory().count == 4)

        var config = ScreeningConfig()
        config.reference = .auto
        let applied = config.applying(lane1, cameraOrientation: .upright)
        #expect(applied.reference == .region(x: 140, y: 100, radius: 6))
        #expect(applied.referenceSetpointC == 36.0)
        #expect(applied.offsetC == fit.offsetC)
        config.reference = .none
        #expect(config.applying(lane1, cameraOrientation: .upright).reference == .none, "a lane without a reference stays without")
    }

    @Test func anUnreadableStoredCalibrationIsAClearErrorNotACrash() async throws {
        let store = try LaneStore()
        try await store.writer.write { db in
            try db.execute(
                sql: "INSERT INTO calibration (lane, kind, recorded_at, technician, summary, json) VALUES ('l', 'offset', 'now', 'x', 's', '{\"offsetC\": \"warm\"}')")
        }
        #expect {
            try store.calibration(lane: "l")
        } throws: { error in
            "\(error)".contains("offset calibration of lane l cannot be read")
        }
    }
}
