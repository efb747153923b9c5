/// Whether a traveller is in front of the camera, whether they have been measured, and when they have left:
/// bookkeeping over the heads the engine sees, frame by frame. One reading per person rests here.
///
/// Real people do not vanish cleanly: a face at the edge of the skin band flickers, someone nods or looks down at a
/// phone, or bends to a bag. They have left only when no head has been seen for half a second **and** most of
/// the skin in view when they were measured has gone, or when no head has been seen for three seconds. A head that
/// comes back at the same place, the same size, soon after is the same traveller, not a new one.
struct TravellerPresence: Sendable {
    private(set) var present = false
    private(set) var measured = false
    private var absentFrames = 0
    /// Skin in view (px) when the traveller was measured.
    private var measuredArea = 0
    /// The head last measured, while it may still come back; and the last time a traveller was present.
    private var lastMeasured: Subject?
    private var lastPresent = -Double.infinity

    /// Frames without a head before the traveller counts as gone (if their body went too), and without one at all.
    static let leaveFrames = 4
    static let longAbsenceFrames = 26
    /// A head back at the same place within this long after its measured traveller left is that traveller.
    static let sameTravellerSeconds = 1.5

    /// No head in this frame; true when the traveller has now left.
    mutating func noHead(at t: Double, skinArea: Int) -> Bool {
        guard present else { return false }
        absentFrames += 1
        lastPresent = t
        let bodyGone = !measured || Double(skinArea) < 0.5 * Double(measuredArea)
        guard (absentFrames >= Self.leaveFrames && bodyGone) || absentFrames >= Self.longAbsenceFrames else { return false }
        if !measured { lastMeasured = nil }
        present = false
        measured = false
        absentFrames = 0
        return true
    }

    /// A head in this frame. A traveller just come into view who is the one measured a moment ago keeps their
    /// reading.
    mutating func head(_ subject: Subject, at t: Double) {
        defer {
            present = true
            absentFrames = 0
            lastPresent = t
        }
        guard !present, let last = lastMeasured, t - lastPresent <= Self.sameTravellerSeconds else { return }
        if abs(subject.centreX - last.centreX) <= Double(last.faceWidth) / 4,
            abs(Double(subject.faceWidth - last.faceWidth)) <= 0.12 * Double(last.faceWidth)
        {
            measured = true
        }
    }

    /// The traveller has been measured, with this head and this much skin in view.
    mutating func wasMeasured(_ subject: Subject, skinArea: Int) {
        measured = true
        measuredArea = skinArea
        lastMeasured = subject
    }
}
