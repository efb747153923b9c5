import ArgumentParser

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

            Examples:
              checkpointctl config check /etc/checkpoint-lane/checkpoint.toml
              checkpointctl qr parse --json '079190012345||Nguyễn Văn An|15041990|Nam|Hà Nội|01072021'
            """,
        version: "0.1.0",
        subcommands: [ConfigCommand.self, CameraCommand.self, RecordingCommand.self, ReplayCommand.self, CalibrateCommand.self, QRCommand.self, PurgeCommand.self, ExportCommand.self, ScannerCommand.self, PassagesCommand.self, SimulateCommand.self, UdevCommand.self, SpeakerCommand.self, SelftestCommand.self, UplinkCommand.self, WatchCommand.self])
}
