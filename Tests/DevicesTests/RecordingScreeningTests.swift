import Devices
import Foundation
import Screening
import Testing
import TestSupport
import Thermal

/// The screening engine on the real station recordings (turned upright with a 90° clockwise rotation): the blackbody
/// is found without being told where it is, near where the research measured it on these stations, and no
/// recording gets more than one reading per person in view.
@Suite struct RecordingScreeningTests {
    @Test(.enabled(if: CPTVRecordingTests.available), arguments: CPTVRecordingTests.reference.map(\.0))
    func theReferenceIsFoundAutomatically(file: String) async throws {
        // On a thread of its own: seconds of CPU that must not hold the cooperative pool.
        let events = try await cpuHeavy { () -> [(Double, ScreeningEvent)] in
            let contents = try CPTVFile.read(path: CPTVRecordingTests.folder + "/" + file)
            let frames = ReplayCamera.frames(of: contents, orientation: try Orientation(rotation: 90), start: 0)
            var config = ScreeningConfig()
            config.reference = .auto
            var engine = ScreeningEngine(config: config)
            var events: [(Double, ScreeningEvent)] = []
            for frame in frames {
                for event in engine.process(frame) { events.append((frame.timestamp - frames[0].timestamp, event)) }
            }
            return events
        }
        let resumed = try #require(events.first { $0.1 == .resumed }, "the reference was never found")
        #expect(resumed.0 < 3, "found after \(resumed.0) s")
        let readings = events.filter { if case .measured = $0.1 { true } else { false } }
        let departures = events.filter { $0.1 == .left }.count
        #expect(readings.count <= departures + 1, "one reading per person: \(readings.count) readings, \(departures) departures")
    }
}
