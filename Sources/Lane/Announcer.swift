import Screening

/// Something the speaker plays: a tone or a spoken prompt.
public enum SoundCue: Sendable, Equatable, Hashable {
    /// Short, rising, soft: a normal reading.
    case chime
    /// Long, alternating, harsh: an elevated reading (staff must hear it over traffic).
    case alarm
    /// A spoken prompt (by `Prompt.id`) in a language (`vi`, `en`).
    case prompt(id: String, language: String)
}

/// Decides what the lane's speaker says for each lane event. Pure: events in, cues out; time is the events' own.
///
/// Every reading is announced (tone, then the prompt). Other prompts are spoken when they change, and the same
/// prompt is not repeated within `repeatAfter` seconds, so a traveller who keeps moving hears "please stand still"
/// once rather than on every frame. The idle invitation after a traveller leaves is shown, not spoken: the verdict
/// prompt is still playing then.
public struct Announcer: Sendable {
    public var english: Bool
    public var repeatAfter: Double
    private var lastSpoken: [String: Double] = [:]

    public init(english: Bool = false, repeatAfter: Double = 6) {
        self.english = english
        self.repeatAfter = repeatAfter
    }

    public mutating func cues(for event: LaneEvent) -> [SoundCue] {
        guard let prompt = event.prompt else { return [] }
        var cues: [SoundCue] = []
        switch event.type {
        case .measured:
            cues.append(event.verdict == .elevated ? .alarm : .chime)
        case .left, .resumed, .device, .passage where event.outcome == .complete:
            return []
        default:
            if let last = lastSpoken[prompt.id], event.t - last < repeatAfter, event.t >= last { return [] }
        }
        lastSpoken[prompt.id] = event.t
        cues.append(.prompt(id: prompt.id, language: "vi"))
        if english { cues.append(.prompt(id: prompt.id, language: "en")) }
        return cues
    }
}

extension Prompt {
    /// Every prompt the lane can show or say (what `checkpointctl speaker render` synthesises).
    public static var all: [Prompt] {
        var seen: Set<String> = []
        return ([scanQR, lookAtCamera, normal, elevated, uncertain, scanAgain, certificateInvalid, unrecognized, paused]
            + RetryReason.allCases.map(retry)).filter { seen.insert($0.id).inserted }
    }
}
