import Declarations
import Screening

public enum PairingMode: String, Sendable, Equatable, CaseIterable {
    /// Travellers scan first, then are measured (usual at road checkpoints).
    case scanFirst = "scan-first"
    case measureFirst = "measure-first"
}

public struct PairingConfig: Sendable, Equatable {
    public var mode: PairingMode = .scanFirst
    /// How long one half of a passage waits for the other (s).
    public var windowSeconds = 15.0
    /// The same declaration scanned again within this time after it was used is ignored (s).
    public var duplicateWindowSeconds = 15.0

    public init() {}
}

/// Pairs scans with readings, one traveller at a time. Pure: the clock arrives as event times and ticks.
///
/// Whichever half comes first waits up to `windowSeconds` for the other, so the order does not matter for the
/// outcome; the mode only changes what the lane asks for while it waits.
public struct Pairing: Sendable {
    public let laneID: String
    public let config: PairingConfig
    private var pendingScan: (scan: Scan, declaration: Declaration, notes: [String])?
    private var pendingReading: Measurement?
    private var recentlyUsed: [(key: String, time: Double)] = []

    public init(laneID: String, config: PairingConfig) {
        self.laneID = laneID
        self.config = config
    }

    public enum Output: Sendable, Equatable {
        case passage(Passage)
        /// Something worth recording and showing that is not a passage.
        case note(PairingNote)
    }

    public var isWaitingForReading: Bool { pendingScan != nil }
    public var isWaitingForScan: Bool { pendingReading != nil }

    public mutating func scanned(_ scan: Scan, declaration: Declaration) -> [Output] {
        var out = expire(now: scan.time)
        let key = Self.identity(of: declaration, payload: scan.payload)
        if let pending = pendingScan, Self.identity(of: pending.declaration, payload: pending.scan.payload) == key {
            return out + [.note(.duplicateScanIgnored)]
        }
        if recentlyUsed.contains(where: { $0.key == key && scan.time - $0.time <= config.duplicateWindowSeconds }) {
            return out + [.note(.duplicateScanIgnored)]
        }
        var notes: [String] = []
        if pendingScan != nil {
            notes.append(PairingNote.scanReplaced.rawValue)
            out.append(.note(.scanReplaced))
        }
        if let reading = pendingReading {
            pendingReading = nil
            return out + [.passage(close(.complete, opened: reading.time, at: scan.time, reading, scan, declaration, notes))]
        }
        pendingScan = (scan, declaration, notes)
        return out + [.note(.waitingForReading)]
    }

    public mutating func measured(_ reading: Measurement) -> [Output] {
        var out = expire(now: reading.time)
        if let pending = pendingScan {
            pendingScan = nil
            return out + [
                .passage(
                    close(.complete, opened: pending.scan.time, at: reading.time, reading, pending.scan, pending.declaration, pending.notes))
            ]
        }
        if let previous = pendingReading {
            // A new traveller was measured before the previous one scanned.
            out.append(.passage(close(.measuredNoDeclaration, opened: previous.time, at: reading.time, previous, nil, nil, [])))
        }
        pendingReading = reading
        return out + [.note(.waitingForScan)]
    }

    /// Closes halves that waited longer than the window.
    public mutating func tick(now: Double) -> [Output] { expire(now: now) }

    private mutating func expire(now: Double) -> [Output] {
        var out: [Output] = []
        if let pending = pendingScan, now - pending.scan.time > config.windowSeconds {
            pendingScan = nil
            out.append(.passage(close(.scannedNoReading, opened: pending.scan.time, at: now, nil, pending.scan, pending.declaration, pending.notes)))
        }
        if let reading = pendingReading, now - reading.time > config.windowSeconds {
            pendingReading = nil
            out.append(.passage(close(.measuredNoDeclaration, opened: reading.time, at: now, reading, nil, nil, [])))
        }
        recentlyUsed.removeAll { now - $0.time > config.duplicateWindowSeconds }
        return out
    }

    private mutating func close(
        _ outcome: PassageOutcome, opened: Double, at time: Double, _ reading: Measurement?, _ scan: Scan?,
        _ declaration: Declaration?, _ notes: [String]
    ) -> Passage {
        if let declaration, let scan { recentlyUsed.append((Self.identity(of: declaration, payload: scan.payload), time)) }
        return Passage(
            laneID: laneID, outcome: outcome, openedAt: min(opened, time), closedAt: time, measurement: reading,
            scan: scan, declaration: declaration, notes: notes)
    }

    /// Two scans are the same declaration when kind and ID match (or, without an ID, the payload).
    static func identity(of declaration: Declaration, payload: String) -> String {
        declaration.id.map { "\(declaration.kind.rawValue):\($0)" } ?? "payload:\(payload)"
    }
}

public enum PairingNote: String, Sendable, Codable, Equatable {
    case duplicateScanIgnored = "duplicate-scan-ignored"
    case scanReplaced = "scan-replaced"
    case waitingForReading = "waiting-for-reading"
    case waitingForScan = "waiting-for-scan"
}
