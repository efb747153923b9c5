import Appliance
import ArgumentParser
import Devices
import Foundation
import Screening
import ScreeningEvaluation
import Thermal

/// `checkpointctl recording evaluate`: the production engine over labelled real recordings, as a table.
struct RecordingEvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Replay labelled recordings through the screening engine and compare with the labels.",
        discussion: """
            For each recording in the labels file: people at the mark, readings, stray readings (of nobody at the
            mark), when the disc was found, seconds from standing at the mark to the verdict, retries by reason, and
            whether it went as labelled; then the totals with the time to verdict (p50, p95).
            The reference is found automatically unless --config names a lane with a fixed region.
            Exit codes: 0 every recording as labelled, 1 some were not, 2 a file could not be read, 78 bad --config.
            """)

    @Option(help: "The labels (JSON).")
    var labels = "Tests/Fixtures/recordings/labels.json"

    @Option(help: "Folder holding the recordings named in the labels.")
    var recordings = "../shared/recordings"

    @Option(help: "Configuration file whose first lane's screening settings are used.")
    var config: String?

    @Option(help: "Evaluate only this recording (its file name).")
    var only: String?

    func run() async throws {
        let set: RecordingLabels
        do { set = try JSONDecoder().decode(RecordingLabels.self, from: Data(contentsOf: URL(fileURLWithPath: labels))) } catch {
            FileHandle.standardError.write(Data("recording evaluate: cannot read the labels \(labels): \(error)\n".utf8))
            throw ExitCode(2)
        }
        var screening = ScreeningConfig()
        screening.reference = .auto
        if let config {
            do { screening = try ApplianceConfig.load(path: config).lanes[0].screening } catch {
                FileHandle.standardError.write(Data("recording evaluate: \(config): \(error)\n".utf8))
                throw ExitCode(78)
            }
        }
        var results: [RecordingEvaluation.Result] = []
        for label in set.recordings where only == nil || label.file == only {
            let contents: CPTVFile.Contents
            do { contents = try CPTVFile.read(path: recordings + "/" + label.file) } catch {
                FileHandle.standardError.write(Data("recording evaluate: \(label.file): \(error.description)\n".utf8))
                throw ExitCode(2)
            }
            let frames = ReplayCamera.frames(of: contents, orientation: try Orientation(rotation: label.rotate), start: 0)
            results.append(RecordingEvaluation.run(label, frames: frames, config: screening))
        }
        print(RecordingEvaluation.table(results))
        if !results.allSatisfy(\.passed) { throw ExitCode(1) }
    }
}
