import Foundation

/// The exit codes of `checkpointctl`, one table for every command (docs/checkpointctl.md and `--help` print it).
/// Scripts and technicians read the code; the message on standard error says the rest.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Done.
    case ok = 0
    /// Measured or checked, and the result is not good enough: a check that fails, a calibration refused or not
    /// confirmed, a selftest with a failing line, recordings not screened as labelled. Nothing was stored.
    case notAcceptable = 1
    /// Could not run: a lane, file, recording or database that is missing or unreadable.
    case cannotRun = 2
    /// The device is not there or not free: no frames from the camera within 4 s, no such scanner, or the service
    /// holds it (`systemctl stop checkpointd` first).
    case noDevice = 3
    /// Wrong arguments (unknown option, a value out of range).
    case usage = 64
    /// The configuration file is wrong (the same refusal checkpointd starts with).
    case badConfiguration = 78

    public var meaning: String {
        switch self {
        case .ok: "done"
        case .notAcceptable: "measured or checked, not good enough; nothing stored"
        case .cannotRun: "could not run: a lane, file, recording or database missing or unreadable"
        case .noDevice: "the camera or scanner is missing, silent or held by the service"
        case .usage: "wrong arguments"
        case .badConfiguration: "the configuration file is wrong"
        }
    }

    /// The table as `--help` prints it.
    public static var table: String {
        allCases.map { "  \($0.rawValue)".padding(toLength: 6, withPad: " ", startingAt: 0) + $0.meaning }.joined(separator: "\n")
    }
}

/// Why a technician's operation stopped, in the technician's words, and the exit code that goes with it.
public struct ControlFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: ExitStatus
    public var message: String

    public init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }
}
