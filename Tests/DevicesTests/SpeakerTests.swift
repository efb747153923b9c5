import Devices
import Foundation
import Lane
import Synchronization
import Testing
import TestSupport

/// The speaker through real ALSA: `aplay` into ALSA's `file` plugin (a WAV file, no sound card needed), checked
/// with sox for length and level; and the tones and WAV handling on their own.
@Suite struct SpeakerTests {
    static var aplayAndSox: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/aplay") && FileManager.default.isExecutableFile(atPath: "/usr/bin/sox")
    }

    static func fileDevice(_ path: String) -> String { "file:'\(path)',wav" }

    @Test(.enabled(if: aplayAndSox)) func theChimeAndTheAlarmPlayThroughALSAAndCannotBeMistakenForEachOther() throws {
        let dir = temporaryDirectory()
        let speaker = AlsaSpeaker(device: Self.fileDevice(dir + "/chime.wav"), onProblem: { _ in })
        #expect(speaker.playNow(Tones.chime) == nil)
        let alarmSpeaker = AlsaSpeaker(device: Self.fileDevice(dir + "/alarm.wav"), onProblem: { _ in })
        #expect(alarmSpeaker.playNow(Tones.alarm) == nil)
        let chime = try SoxStat.of(dir + "/chime.wav"), alarm = try SoxStat.of(dir + "/alarm.wav")
        #expect(abs(chime.seconds - 0.45) < 0.06, "chime \(chime.seconds) s")
        #expect(abs(alarm.seconds - 1.5) < 0.06, "alarm \(alarm.seconds) s")
        #expect(chime.rms > 0.05 && alarm.rms > 0.05, "not silent: \(chime.rms), \(alarm.rms)")
        // Over twice as long and about four times as loud: a tired ear tells them apart.
        #expect(alarm.seconds > 2.5 * chime.seconds)
        #expect(alarm.rms > 3 * chime.rms, "alarm RMS \(alarm.rms) vs chime \(chime.rms)")
    }

    @Test(.enabled(if: aplayAndSox)) func volumeScalesWhatIsPlayed() throws {
        let dir = temporaryDirectory()
        _ = AlsaSpeaker(device: Self.fileDevice(dir + "/full.wav"), onProblem: { _ in }).playNow(Tones.alarm)
        _ = AlsaSpeaker(device: Self.fileDevice(dir + "/quiet.wav"), onProblem: { _ in }).playNow(Tones.alarm.scaled(by: 0.25))
        let full = try SoxStat.of(dir + "/full.wav"), quiet = try SoxStat.of(dir + "/quiet.wav")
        #expect(abs(quiet.rms / full.rms - 0.25) < 0.02, "\(quiet.rms) / \(full.rms)")
    }

    @Test(.enabled(if: aplayAndSox)) func aNewerClipReplacesTheWaitingOneAndNothingOverlaps() async throws {
        let dir = temporaryDirectory()
        let speaker = AlsaSpeaker(device: Self.fileDevice(dir + "/out.wav"), onProblem: { _ in })
        // 3 s of sound at ALSA's pace would be slow; the file plugin plays as fast as it can, so make the first
        // clip long enough that the next two arrive while it plays.
        let long = WAVAudio(samples: [Int16](repeating: 1000, count: WAVAudio.sampleRate * 30))
        speaker.play(long)
        speaker.play(Tones.chime)
        speaker.play(Tones.alarm)
        #expect(await waitUntil(seconds: 30) { !speaker.isBusy })
        #expect(speaker.playedCount == 2, "the long clip and the newest; the chime was replaced")
        // The file holds what played last: the alarm, whole.
        #expect(abs(try SoxStat.of(dir + "/out.wav").seconds - 1.5) < 0.06)
    }

    @Test func aMissingSpeakerIsReportedOnceAndTheLaneGoesOn() async throws {
        let problems = Mutex<[String]>([])
        let speaker = AlsaSpeaker(device: "hw:97,0", onProblem: { p in problems.withLock { $0.append(p) } })
        for _ in 0..<3 {
            speaker.play(Tones.chime)
            _ = await waitUntil(seconds: 10) { !speaker.isBusy }
        }
        #expect(problems.withLock { $0.count } == 1, "\(problems.withLock { $0 })")
        #expect(problems.withLock { $0.first ?? "" }.contains("hw:97,0"))
        #expect(speaker.playedCount == 0)
    }

    @Test func wavFilesAreReadAtAnyRateAndChannelCountAndGarbageIsRefused() throws {
        // 44.1 kHz stereo, 0.5 s: comes back mono at 22.05 kHz, 0.5 s, the two channels averaged.
        var stereo = Data()
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { stereo.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { stereo.append(contentsOf: $0) } }
        let frames = 22_050
        stereo.append(contentsOf: "RIFF".utf8); u32(36 + frames * 4); stereo.append(contentsOf: "WAVEfmt ".utf8)
        u32(16); u16(1); u16(2); u32(44_100); u32(44_100 * 4); u16(4); u16(16)
        stereo.append(contentsOf: "data".utf8); u32(frames * 4)
        for _ in 0..<frames { u16(1000); u16(3000) }
        let audio = try WAVAudio(wav: stereo)
        #expect(abs(audio.seconds - 0.5) < 0.001)
        #expect(audio.samples.allSatisfy { $0 == 2000 })
        // Round trip through our own writer.
        #expect(try WAVAudio(wav: Tones.chime.wav) == Tones.chime)
        #expect(throws: WAVAudio.Failure.self) { try WAVAudio(wav: Data("RIFF....WAVEjunk".utf8)) }
        #expect(throws: WAVAudio.Failure.self) { try WAVAudio(wav: Data([0x52, 0x49])) }
        #expect(throws: WAVAudio.Failure.self) { try WAVAudio(wav: Data(repeating: 0, count: 100)) }
    }

    @Test func recordedPromptsTakePrecedenceOverRenderedOnesFileByFile() throws {
        let rendered = temporaryDirectory(), recorded = temporaryDirectory()
        for dir in [rendered, recorded] { try FileManager.default.createDirectory(atPath: dir + "/vi", withIntermediateDirectories: true) }
        let short = WAVAudio(samples: [Int16](repeating: 100, count: 2205)), long = WAVAudio(samples: [Int16](repeating: 100, count: 22050))
        try short.wav.write(to: URL(fileURLWithPath: rendered + "/vi/normal.wav"))
        try short.wav.write(to: URL(fileURLWithPath: rendered + "/vi/elevated.wav"))
        try long.wav.write(to: URL(fileURLWithPath: recorded + "/vi/elevated.wav"))
        try Data("not a wav".utf8).write(to: URL(fileURLWithPath: rendered + "/vi/scan-qr.wav"))
        let library = PromptLibrary(directory: rendered, recorded: recorded, languages: ["vi"])
        #expect(library.clip(for: [.prompt(id: "normal", language: "vi")], volume: 1)?.samples.count == 2205)
        #expect(library.clip(for: [.prompt(id: "elevated", language: "vi")], volume: 1)?.samples.count == 22050)
        #expect(library.unreadable.count == 1 && library.unreadable[0].contains("scan-qr.wav"))
        #expect(library.missing.contains("vi/too-far.wav") && !library.missing.contains("vi/normal.wav"))
        // A tone, a pause, then the words.
        let joined = try #require(library.clip(for: [.alarm, .prompt(id: "elevated", language: "vi")], volume: 1))
        #expect(joined.samples.count == Tones.alarm.samples.count + Int(0.15 * 22050) + 22050)
    }
}
