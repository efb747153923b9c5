import Appliance
import ArgumentParser
import Devices
import Foundation
import LaneControl
import Lane

struct SpeakerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speaker", abstract: "Render the spoken prompts, and play each one on a lane's speaker.",
        subcommands: [Render.self, Test.self])

    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Synthesise every prompt with espeak-ng into DIR/vi/*.wav and DIR/en/*.wav (what `make prompts` runs).",
            discussion: """
                Recorded prompts are better than synthesised ones: put WAV files with the same names in a folder and
                name it as `recorded` in [lane.speaker]; they take precedence file by file.
                """)

        @Option(help: "Output folder.")
        var out = "prompts"

        @Option(help: "Speech rate in words per minute (espeak-ng -s).")
        var speed = 145

        func run() throws {
            guard let espeak = ["/usr/bin/espeak-ng", "/usr/local/bin/espeak-ng"].first(where: FileManager.default.isExecutableFile) else {
                throw ControlFailure(.cannotRun, "espeak-ng is not installed (apt-get install espeak-ng)")
            }
            var written = 0
            for (language, voice) in [("vi", "vi"), ("en", "en-gb")] {
                let folder = "\(out)/\(language)"
                do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                    throw ControlFailure(.cannotRun, "cannot create \(folder): \(error)")
                }
                for prompt in Prompt.all {
                    let path = "\(folder)/\(prompt.id).wav"
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: espeak)
                    process.arguments = ["-v", voice, "-s", String(speed), "-w", path, language == "vi" ? prompt.vi : prompt.en]
                    do { try process.run() } catch { throw ControlFailure(.cannotRun, "cannot run espeak-ng: \(error)") }
                    process.waitUntilExit()
                    guard process.terminationStatus == 0,
                        let data = FileManager.default.contents(atPath: path), (try? WAVAudio(wav: data))?.seconds ?? 0 > 0.3
                    else { throw ControlFailure(.cannotRun, "espeak-ng did not render \(path)") }
                    written += 1
                }
            }
            for (name, clip) in [("chime", Tones.chime), ("alarm", Tones.alarm)] {
                guard FileManager.default.createFile(atPath: "\(out)/\(name).wav", contents: clip.wav) else { throw ControlFailure(.cannotRun, "cannot write \(out)/\(name).wav") }
            }
            print("rendered \(written) prompts and 2 tones into \(out)/")
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Play the chime, the alarm and every prompt on a lane's speaker, one line per sound.",
            discussion: "Exit 0 when every sound played, 1 when one failed (no speaker, wrong device), 78 on a configuration error.")

        @Option(help: "The configuration file.")
        var config = "/etc/checkpoint-lane/checkpoint.toml"

        @Option(help: "The lane's id (default: the first lane).")
        var lane: String?

        @Option(help: "Play on this ALSA device instead of the lane's (e.g. plughw:1,0, or file:'/tmp/out.wav',wav).")
        var device: String?

        @Option(help: "Play only the prompts whose id contains this (e.g. elevated).")
        var only: String?

        func run() throws {
            let config: ApplianceConfig
            do { config = try ApplianceConfig.load(path: self.config) } catch { throw ControlFailure(.badConfiguration, "\(self.config): \(error)") }
            guard let lane = self.lane.map({ id in config.lanes.first { $0.id == id } }) ?? config.lanes.first else {
                throw ControlFailure(.cannotRun, "no lane '\(self.lane ?? "")' in \(self.config)")
            }
            guard let device = device ?? lane.speaker.device else { throw ControlFailure(.cannotRun, "lane \(lane.id) has no speaker (device = \"none\")") }
            let languages = lane.speaker.english ? ["vi", "en"] : ["vi"]
            let library = PromptLibrary(directory: lane.speaker.prompts, recorded: lane.speaker.recorded, languages: languages)
            let speaker = AlsaSpeaker(device: device, onProblem: { _ in })
            var cues: [(String, SoundCue)] = [("chime", .chime), ("alarm", .alarm)]
            for language in languages {
                for prompt in Prompt.all { cues.append(("\(language)/\(prompt.id)", .prompt(id: prompt.id, language: language))) }
            }
            var failed = 0
            for (name, cue) in cues where only.map({ name.contains($0) }) ?? true {
                guard let clip = library.clip(for: [cue], volume: lane.speaker.volume) else {
                    print("\(name): MISSING (not in \(lane.speaker.prompts); run `make prompts`)")
                    failed += 1
                    continue
                }
                if let error = speaker.playNow(clip) {
                    print("\(name): FAIL (\(error))")
                    failed += 1
                } else {
                    print("\(name): OK (\(String(format: "%.1f", clip.seconds)) s)")
                }
            }
            print("\(failed == 0 ? "all sounds played" : "\(failed) sound(s) failed") on \(device)")
            if failed > 0 { throw ExitCode(1) }
        }
    }
}
