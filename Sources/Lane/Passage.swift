import Declarations
import Screening

/// A checkpoint's record: who (declaration), what temperature and verdict, when, at which lane.
public struct Passage: Sendable, Equatable, Codable {
    public var laneID: String
    public var outcome: PassageOutcome
    /// Lane-timeline seconds when the first half (scan or reading) arrived and when the passage closed.
    public var openedAt: Double
    public var closedAt: Double
    public var measurement: Measurement?
    public var scan: Scan?
    public var declaration: Declaration?
    /// What happened on the way (duplicate scan ignored, scan replaced, …).
    public var notes: [String]

    public init(
        laneID: String, outcome: PassageOutcome, openedAt: Double, closedAt: Double, measurement: Measurement?,
        scan: Scan?, declaration: Declaration?, notes: [String]
    ) {
        self.laneID = laneID
        self.outcome = outcome
        self.openedAt = openedAt
        self.closedAt = closedAt
        self.measurement = measurement
        self.scan = scan
        self.declaration = declaration
        self.notes = notes
    }
}

public enum PassageOutcome: String, Sendable, Codable, Equatable {
    case complete
    /// A reading without a declaration: staff are prompted to scan.
    case measuredNoDeclaration = "measured-no-declaration"
    /// A declaration without a reading (timed out): the traveller is asked to face the camera.
    case scannedNoReading = "scanned-no-reading"
}
