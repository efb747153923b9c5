import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Plays clips on an ALSA device through `aplay` (alsa-utils), one at a time: a clip never overlaps the one
/// playing, and a newer clip replaces one still waiting (the traveller hears the latest instruction, not a
/// backlog). Playing happens on a thread of its own, so a 2-second prompt never holds the lane.
///
/// A missing speaker, a wrong device name or a missing `aplay` is reported once through `onProblem`; the lane
/// goes on silently and `onRecovered` says when sound works again.
public final class AlsaSpeaker: Sendable {
    public let device: String
    private let state = Mutex(State())
    private let onProblem: @Sendable (String) -> Void
    private let onRecovered: @Sendable () -> Void
    static let aplay = ["/usr/bin/aplay", "/bin/aplay"].first { FileManager.default.isExecutableFile(atPath: $0) }

    struct State {
        var queued: WAVAudio?
        var playing = false
        var failing = false
        var played = 0
    }

    public init(device: String, onProblem: @escaping @Sendable (String) -> Void, onRecovered: @escaping @Sendable () -> Void = {}) {
        self.device = device
        self.onProblem = onProblem
        self.onRecovered = onRecovered
        // aplay exiting early (no device) must not kill the service through a write to its closed pipe.
        signal(SIGPIPE, SIG_IGN)
    }

    /// Queues a clip: it plays after the current one, replacing any clip that was waiting.
    public func play(_ clip: WAVAudio) {
        let start = state.withLock { s -> Bool in
            if s.playing {
                s.queued = clip
                return false
            }
            s.playing = true
            return true
        }
        // The clip goes to the new thread itself, not through `queued`: a clip that arrived before the thread
        // first ran would otherwise replace it, and the speaker's first instruction was lost on a busy machine.
        if start {
            let thread = Thread { [self] in drain(first: clip) }
            thread.name = "speaker"
            thread.start()
        }
    }

    /// Clips played successfully so far.
    public var playedCount: Int { state.withLock { $0.played } }
    /// True while a clip plays or waits.
    public var isBusy: Bool { state.withLock { $0.playing } }

    /// Plays one clip and waits for it (for `checkpointctl speaker test`). Returns the error text on failure.
    public func playNow(_ clip: WAVAudio) -> String? { run(clip) }

    private func drain(first: WAVAudio) {
        var next: WAVAudio? = first
        while let clip = next {
            let error = run(clip)
            let (report, recovered) = state.withLock { s -> (Bool, Bool) in
                defer { s.failing = error != nil }
                if error == nil { s.played += 1 }
                return (error != nil && !s.failing, error == nil && s.failing)
            }
            if report, let error { onProblem("no sound on ALSA device '\(device)': \(error); the lane goes on silently") }
            if recovered { onRecovered() }
            next = state.withLock { s -> WAVAudio? in
                defer { s.queued = nil }
                if s.queued == nil { s.playing = false }
                return s.queued
            }
        }
    }

    private func run(_ clip: WAVAudio) -> String? {
        guard let aplay = Self.aplay else { return "aplay is not installed (apt-get install alsa-utils)" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: aplay)
        process.arguments = ["-q", "-D", device, "-t", "wav", "-"]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do { try process.run() } catch { return "cannot start aplay: \(error)" }
        let data = clip.wav
        let fd = input.fileHandleForWriting.fileDescriptor
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { if n < 0 && errno == EINTR { continue } else { break } }
                offset += n
            }
        }
        try? input.fileHandleForWriting.close()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: stderr, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
            return "aplay exited \(process.terminationStatus)\(text.isEmpty ? "" : ": " + text)"
        }
        return nil
    }
}
