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
            var reader: CPTVFile.Reader
            do { reader = try CPTVFile.Reader(path: file) } catch {
                FileHandle.standardError.write(Data("recording info: \(error.description)\n".utf8))
                throw ExitCode(2)
            }
            // A frame at a time: a recording from the field is never held whole.
            var builder = CPTVSummary.Builder(header: reader.header)
            while let frame = reader.next() { builder.add(frame) }
            let summary = builder.summary
            let contents = (header: reader.header, problem: reader.problem)
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
