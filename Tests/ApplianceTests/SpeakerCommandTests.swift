import Foundation
import Lane
import Testing
import TestSupport

/// `make prompts` and `checkpointctl speaker test` for real: espeak-ng renders every prompt, aplay plays each one
/// through ALSA's file plugin, sox measures what came out.
@Suite struct SpeakerCommandTests {
    static var tools: Bool {
        ["/usr/bin/espeak-ng", "/usr/bin/aplay", "/usr/bin/sox"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(.timeLimit(.minutes(3)), .enabled(if: tools)) func everyPromptIsRenderedAndPlaysAsSpeechNotSilence() async throws {
        let ctl = try #require(builtProduct("checkpointctl"))
        let dir = temporaryDirectory()
        let render = try await runHeavyTool(ctl, ["speaker", "render", "--out", dir + "/prompts"])
        #expect(render.status == 0, "\(render.stderr)")
        // Every prompt in Vietnamese and English.
        let prompts = Prompt.all.count * 2
        #expect(render.stdout.contains("rendered \(prompts) prompts"), "\(render.stdout)")
        try """
            [[lane]]
            id = "lane-1"
            [lane.camera]
            source = "simulated"
            [lane.speaker]
            prompts = "\(dir)/prompts"
            english = true
            volume = 1.0
            """.write(toFile: dir + "/lane.toml", atomically: true, encoding: .utf8)
        // Each prompt into a file of its own, so each can be measured.
        for id in ["vi/elevated", "en/elevated", "vi/face-camera", "vi/scan-qr"] {
            let out = dir + "/" + id.replacingOccurrences(of: "/", with: "-") + ".wav"
            let run = try await runTool(ctl, ["speaker", "test", "--config", dir + "/lane.toml", "--device", "file:'\(out)',wav", "--only", id])
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("\(id): OK"), "\(run.stdout)")
            let stat = try SoxStat.of(out)
            #expect(stat.seconds > 0.8 && stat.seconds < 8, "\(id): \(stat.seconds) s")
            #expect(stat.rms > 0.02, "\(id) is not silent: RMS \(stat.rms)")
        }
        // The whole set, in one run: every sound reported OK.
        let all = try await runTool(ctl, ["speaker", "test", "--config", dir + "/lane.toml", "--device", "file:'\(dir)/all.wav',wav"])
        #expect(all.status == 0 && all.stdout.contains("all sounds played"), "\(all.stdout)")
        #expect(all.stdout.split(separator: "\n").filter { $0.contains(": OK (") }.count == prompts + 2, "the prompts and the two tones")
        // A lane whose speaker is missing: exit 1 and the reason, per sound.
        let missing = try await runTool(ctl, ["speaker", "test", "--config", dir + "/lane.toml", "--device", "hw:97,0", "--only", "chime"])
        #expect(missing.status == 1 && missing.stdout.contains("chime: FAIL"), "\(missing.stdout)")
    }
}
