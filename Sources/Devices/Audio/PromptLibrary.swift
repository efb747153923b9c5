import Foundation
import Lane

/// The lane's sounds in memory: the spoken prompts (`DIR/vi/ID.wav`, `DIR/en/ID.wav`, rendered by
/// `make prompts`) with a technician's recordings taking precedence (same layout, in a second folder), and the
/// two tones. Loaded once at start: playing never touches the disk.
public struct PromptLibrary: Sendable {
    private var clips: [SoundCue: WAVAudio] = [:]
    /// `vi/too-far.wav`-style names of the prompts found nowhere (logged at start; the words still show on screen).
    public private(set) var missing: [String] = []
    /// Files that exist but could not be read, with the reason.
    public private(set) var unreadable: [String] = []

    public init(directory: String, recorded: String? = nil, languages: [String]) {
        clips[.chime] = Tones.chime
        clips[.alarm] = Tones.alarm
        for language in languages {
            for prompt in Prompt.all {
                let name = "\(language)/\(prompt.id).wav"
                let candidates = [recorded, directory].compactMap { $0 }.map { "\($0)/\(name)" }
                guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                    missing.append(name)
                    continue
                }
                do {
                    guard let data = FileManager.default.contents(atPath: path) else { throw WAVAudio.Failure(description: "cannot read") }
                    clips[.prompt(id: prompt.id, language: language)] = try WAVAudio(wav: data)
                } catch {
                    unreadable.append("\(path): \(error)")
                }
            }
        }
    }

    /// One clip for a run of cues at `volume`: a short pause after a tone, and between two languages.
    public func clip(for cues: [SoundCue], volume: Double) -> WAVAudio? {
        let parts = cues.compactMap { clips[$0] }
        guard !parts.isEmpty else { return nil }
        var out = WAVAudio(samples: [])
        for (i, part) in parts.enumerated() {
            if i > 0 { out = out + .silence(seconds: 0.15) }
            out = out + part
        }
        return out.scaled(by: volume)
    }
}
