import Foundation
import Lane
import LaneControl
import Screening
import Testing

/// `checkpointctl watch`'s pieces: the stream parser (split anywhere, heartbeats told apart) and the lines.
@Suite struct WatchTests {
    @Test func messagesSurviveBeingSplitAnywhere() {
        let text = "retry: 1000\n\nevent: alive\ndata: {\"at\":\"x\"}\n\ndata: {\"type\":\"left\"}\r\n\r\ndata: a\ndata: b\n\n"
        let bytes = Array(text.utf8)
        for cut in 1..<bytes.count {
            var parser = EventStreamParser()
            let messages = parser.feed(Array(bytes[..<cut])) + parser.feed(Array(bytes[cut...]))
            #expect(messages == [
                .init(event: "alive", data: "{\"at\":\"x\"}"), .init(event: nil, data: "{\"type\":\"left\"}"), .init(event: nil, data: "a\nb"),
            ], "cut at \(cut)")
        }
    }

    @Test func eventsReadInLocalTimeWithoutPersonalData() throws {
        let hanoi = try #require(TimeZone(identifier: "Asia/Ho_Chi_Minh"))
        var measured = LaneEvent(type: .measured, lane: "lane-2", t: 4)
        measured.at = "2026-12-07T03:04:05.120Z"
        measured.verdict = .elevated
        measured.temperatureC = 37.3
        measured.thresholdC = 37.5
        measured.uncertaintyC = 0.3
        #expect(WatchLine.text(measured, timeZone: hanoi) == "10:04:05 lane-2 measured uncertain 37.3 °C ±0.3")
        var paused = LaneEvent(type: .paused, lane: "lane-2", t: 5)
        paused.at = "2026-12-07T03:04:06Z"
        paused.reason = "reference-low-contrast"
        paused.referenceContrastC = 0.4
        paused.sceneC = 33.8
        #expect(WatchLine.text(paused, timeZone: hanoi)
            == "10:04:06 lane-2 SCREENING PAUSED: reference-low-contrast (disc 0.4 °C above its surroundings, scene 33.8 °C)")
        var scanned = LaneEvent(type: .scanned, lane: "lane-2", t: 6)
        scanned.maskedName = "N. V. An"
        scanned.maskedID = "********2345"
        let line = WatchLine.text(scanned, received: try #require(ISO8601DateFormatter().date(from: "2026-12-07T00:00:00Z")), timeZone: hanoi)
        #expect(line.hasPrefix("07:00:00 lane-2 scanned") && line.contains("********2345") && !line.contains("079190"))
    }
}
