import ArgumentParser
import Foundation
import LaneControl

/// The technician's tool. Every subcommand prints what a technician needs on a terminal over SSH, and exits
/// non-zero when something is wrong so scripts can rely on it.
@main
struct CheckpointCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpointctl",
        abstract: "Install, check and calibrate a Checkpoint Lane box.",
        discussion: """
            Run on the checkpoint's mini-PC (over SSH is fine). Commands that read the configuration take
            --config FILE (default /etc/checkpoint-lane/checkpoint.toml).

            Exit codes (every command; docs/checkpointctl.md):
            \(ExitStatus.table)

            Examples:
              checkpointctl config check /etc/checkpoint-lane/checkpoint.toml
              checkpointctl qr parse --json '079190012345||Nguyễn Văn An|15041990|Nam|Hà Nội|01072021'
            """,
        version: "0.1.0",
        subcommands: [ConfigCommand.self, CameraCommand.self, RecordingCommand.self, ReplayCommand.self, CalibrateCommand.self, QRCommand.self, PurgeCommand.self, ExportCommand.self, ScannerCommand.self, PassagesCommand.self, SimulateCommand.self, AccuracyCommand.self, UdevCommand.self, SpeakerCommand.self, SelftestCommand.self, UplinkCommand.self, WatchCommand.self])

    /// Every command may throw a `ControlFailure`: its message goes to standard error as one "error:" line and
    /// its exit code is the table's (docs/checkpointctl.md). Argument mistakes keep ArgumentParser's usage text
    /// and exit 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let failure as ControlFailure {
            note("error: " + failure.message)
            Foundation.exit(failure.status.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
