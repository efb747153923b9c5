import ArgumentParser
import Devices
import Foundation
import Thermal

struct RecordingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recording", abstract: "Inspect thermal recordings (CPTV).", subcommands: [Info.self, RecordingEvaluateCommand.self])

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe a CPTV recording: size, frames, duration, device, value range, flat-field corrections.",
            discussion: "JSON keys: version, width, height, frames, duration_s, device, model, min, max, ffc_events. Exits 2 when the file cannot be read.")

        @Flag(help: "Print one JSON object.")
        var json = false

        @Argument(help: "The .cptv file.")
        var file: String

        func run() async throws {
            let contents: CPTVFile.Contents
            do { contents = try CPTVFile.read(path: file) } catch {
                FileHandle.standardError.write(Data("recording info: \(error.description)\n".utf8))
                throw ExitCode(2)
            }
            let summary = CPTVSummary(header: contents.header, frames: contents.frames)
            if json {
                print(try jsonText(summary))
            } else {
                print("version \(summary.version), \(summary.width)x\(summary.height), \(summary.frames) frames, \(summary.durationS) s")
                print("device \(summary.device ?? "-"), model \(summary.model ?? "-")")
                print("values \(summary.min)…\(summary.max)" + (contents.header.version == 2 ? String(format: " (%.2f…%.2f °C if centi-kelvin)", CentiKelvin.celsius(Double(summary.min)), CentiKelvin.celsius(Double(summary.max))) : ""))
                print("flat-field corrections: \(summary.ffcEvents)")
            }
            if let problem = contents.problem { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
        }
    }
}
