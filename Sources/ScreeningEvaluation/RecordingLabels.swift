/// What people saw in a real recording, labelled by eye from its frames: where the disc is, who stood at the mark
/// and whether their eyes could be read, how many only passed by. The ground truth `RecordingEvaluation` scores the
/// engine against. Decoded from `Tests/Fixtures/recordings/labels.json` by the callers (this module stays free of
/// Foundation).
public struct RecordingLabels: Sendable, Codable, Equatable {
    public var recordings: [Recording]

    public init(recordings: [Recording]) { self.recordings = recordings }

    public struct Recording: Sendable, Codable, Equatable {
        public var file: String
        public var station: String
        /// Clockwise turn (degrees) that makes people upright; every coordinate below is in the turned image.
        public var rotate: Int
        /// The reference disc in the upright image (the recording turned 90° clockwise).
        public var disc: Disc
        public var people: [Person]
        /// People in view who never stand still facing the camera: no reading may come from them.
        public var passersBy: Int
        public var notes: String

        public init(file: String, station: String, rotate: Int, disc: Disc, people: [Person], passersBy: Int, notes: String) {
            self.file = file
            self.station = station
            self.rotate = rotate
            self.disc = disc
            self.people = people
            self.passersBy = passersBy
            self.notes = notes
        }

        enum CodingKeys: String, CodingKey {
            case file, station, rotate, disc, people, notes
            case passersBy = "passers_by"
        }
    }

    public struct Disc: Sendable, Codable, Equatable {
        public var x: Int, y: Int, r: Int
        public init(x: Int, y: Int, r: Int) {
            self.x = x
            self.y = y
            self.r = r
        }
    }

    public struct Person: Sendable, Codable, Equatable {
        /// Seconds from the first frame during which they stand at the mark facing the camera.
        public var from: Double
        public var to: Double
        /// When they first stand still at the mark: the time to verdict counts from here (nil: from `from`).
        public var stillFrom: Double?
        public var expect: Expectation
        public var faceWidthPx: Int
        /// "visible", "glasses", "sunglasses", "hat-over-eyes", "turned-away", …
        public var eyes: String
        public var note: String

        public init(from: Double, to: Double, stillFrom: Double? = nil, expect: Expectation, faceWidthPx: Int, eyes: String, note: String) {
            self.from = from
            self.to = to
            self.stillFrom = stillFrom
            self.expect = expect
            self.faceWidthPx = faceWidthPx
            self.eyes = eyes
            self.note = note
        }

        enum CodingKeys: String, CodingKey {
            case from, to, expect, eyes, note
            case faceWidthPx = "face_width_px"
            case stillFrom = "still_from"
        }
    }

    public enum Expectation: String, Sendable, Codable, Equatable {
        /// At the mark with the inner eye corners in view: exactly one reading.
        case reading
        /// At the mark with the eyes covered (glasses, sunglasses, a hat): one reading or a retry, never two
        /// readings.
        case readingOrRetry = "reading-or-retry"
        /// Standing still but not at the mark (farther back, at the side, cut by the border): no reading.
        case none
    }
}
