import Declarations
import Screening
import Thermal

/// One lane's logic, pure: frames, scans and ticks in; events to publish and passages to store out.
/// The service runs it on its devices; tests and `checkpointctl replay` run it on recordings and simulations.
public struct LaneCore: Sendable {
    public let laneID: String
    private var engine: ScreeningEngine
    private var pairing: Pairing
    private let parser: DeclarationParser
    /// Scans wait here until the frames up to their time have been processed, so pairing follows the order in
    /// which things happened, not the order in which two devices' streams delivered them.
    private var heldScans: [Scan] = []
    private var ticksWithoutFrame = 0
    /// Screening is paused (the reference cannot be trusted): nothing asks a traveller to look at the camera or to
    /// wait for a reading; they are asked to wait for the staff, who measure by hand.
    private var isPaused = false
    /// Ticks without any frame after which held scans are released anyway (the camera stalled or is offline).
    static let stalledCameraTicks = 4

    public init(laneID: String, screening: ScreeningConfig, pairing: PairingConfig, parser: DeclarationParser = DeclarationParser()) {
        self.laneID = laneID
        engine = ScreeningEngine(config: screening)
        self.pairing = Pairing(laneID: laneID, config: pairing)
        self.parser = parser
    }

    public enum Input: Sendable {
        case frame(ThermalFrame)
        case scan(Scan)
        case scanRejected(time: Double, reason: String)
        case tick(Double)
        case device(name: String, status: DeviceStatus, time: Double)
    }

    public struct Step: Sendable, Equatable, Codable {
        public var events: [LaneEvent] = []
        public var passages: [Passage] = []
        public var isEmpty: Bool { events.isEmpty && passages.isEmpty }
        public init(events: [LaneEvent] = [], passages: [Passage] = []) {
            self.events = events
            self.passages = passages
        }
    }

    /// The instruction to show while nothing is happening.
    public var idlePrompt: Prompt { pairing.config.mode == .scanFirst ? .scanQR : .lookAtCamera }

    /// `prompt`, unless screening is paused and it would send the traveller to the camera.
    private func unlessPaused(_ prompt: Prompt?) -> Prompt? {
        guard isPaused, let prompt, prompt == .lookAtCamera || prompt == idlePrompt else { return prompt }
        return .paused
    }

    public mutating func handle(_ input: Input) -> Step {
        var step = Step()
        switch input {
        case .frame(let frame):
            ticksWithoutFrame = 0
            releaseScans(upTo: frame.timestamp, into: &step)
            for event in engine.process(frame) { screening(event, at: frame.timestamp, into: &step) }
        case .scan(let scan):
            heldScans.append(scan)
        case .scanRejected(let time, let reason):
            var event = LaneEvent(type: .scanRejected, lane: laneID, t: time)
            event.reason = reason
            event.prompt = .scanAgain
            step.events.append(event)
        case .tick(let now):
            ticksWithoutFrame += 1
            if ticksWithoutFrame >= Self.stalledCameraTicks { releaseScans(upTo: now, into: &step) }
            apply(pairing.tick(now: now), at: now, into: &step)
        case .device(let name, let status, let time):
            step.events.append(.device(name, status, lane: laneID, t: time))
        }
        return step
    }

    private mutating func releaseScans(upTo time: Double, into step: inout Step) {
        guard heldScans.contains(where: { $0.time <= time }) else { return }
        heldScans.sort { $0.time < $1.time }
        while let first = heldScans.first, first.time <= time {
            heldScans.removeFirst()
            scanned(first, into: &step)
        }
    }

    private mutating func scanned(_ scan: Scan, into step: inout Step) {
        let declaration: Declaration
        do {
            declaration = try parser.parse(scan.payload)
        } catch {
            var event = LaneEvent(type: .scanRejected, lane: laneID, t: scan.time)
            event.reason = error.description
            event.prompt = .scanAgain
            event.device = scan.device
            step.events.append(event)
            return
        }
        var event = LaneEvent(type: .scanned, lane: laneID, t: scan.time)
        event.describe(declaration)
        event.device = scan.device
        if declaration.kind == .unrecognized {
            event.prompt = .unrecognized
        } else if declaration.certificate?.signature == .invalid {
            event.prompt = .certificateInvalid
        } else {
            event.prompt = pairing.isWaitingForScan ? nil : unlessPaused(.lookAtCamera)
        }
        step.events.append(event)
        apply(pairing.scanned(scan, declaration: declaration), at: scan.time, into: &step)
    }

    private mutating func screening(_ event: ScreeningEvent, at t: Double, into step: inout Step) {
        var out = LaneEvent(type: .left, lane: laneID, t: t)
        switch event {
        case .measured(let m):
            out.type = .measured
            out.describe(m)
            // Sent to the secondary check because the reading cannot rule a fever out, not because it is high:
            // the traveller hears which.
            out.prompt = m.verdict == .normal ? .normal : m.temperatureC >= m.thresholdC ? .elevated : .uncertain
            step.events.append(out)
            apply(pairing.measured(m), at: t, into: &step)
        case .retry(let reason):
            out.type = .retry
            out.reason = reason.rawValue
            out.prompt = .retry(reason)
            step.events.append(out)
        case .left:
            out.prompt = unlessPaused(idlePrompt)
            step.events.append(out)
        case .paused(let reason):
            isPaused = true
            out.type = .paused
            out.reason = reason.rawValue
            out.prompt = .paused
            describeReference(&out)
            step.events.append(out)
        case .resumed:
            isPaused = false
            out.type = .resumed
            out.prompt = idlePrompt
            describeReference(&out)
            step.events.append(out)
        }
    }

    private func describeReference(_ event: inout LaneEvent) {
        event.referenceContrastC = engine.referenceContrastC.map { ($0 * 10).rounded() / 10 }
        event.sceneC = engine.sceneC.map { ($0 * 10).rounded() / 10 }
    }

    private func apply(_ outputs: [Pairing.Output], at t: Double, into step: inout Step) {
        for output in outputs {
            switch output {
            case .passage(let passage):
                step.passages.append(passage)
                var event = LaneEvent(type: .passage, lane: laneID, t: passage.closedAt)
                event.outcome = passage.outcome
                if let m = passage.measurement { event.describe(m) }
                if let d = passage.declaration { event.describe(d) }
                if passage.outcome == .measuredNoDeclaration { event.prompt = .scanQR }
                if passage.outcome == .scannedNoReading { event.prompt = unlessPaused(.lookAtCamera) }
                step.events.append(event)
            case .note(let note):
                var event = LaneEvent(type: .note, lane: laneID, t: t)
                event.reason = note.rawValue
                if note == .waitingForScan { event.prompt = .scanQR }
                step.events.append(event)
            }
        }
    }
}
